// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "tui/cli/cli.h"
#include "tui/cli/sshguard.h"
#include "tui/kernel/loader.h"
#include "tui/lib/clock.h"
#include "tui/run.h"

struct run {
	const struct options *opts;	/* a reload changes some through its caller's pointer */
	struct loader *loader;
	struct model model;
	struct run_view view;		/* what the outputs see; view.model is &model */
	struct output outputs[RUN_OUTPUTS_MAX];
	size_t noutputs;
	size_t nprepared;		/* outputs whose prepare was called: release is theirs */
	bool opened;			/* run_open() was called: the run ran */
	int input_fd;			/* the input output's, or -1 */
	uint64_t next_sample_ns;
	volatile sig_atomic_t *reload_pending;	/* SIGHUP came: reload() after the pass */
	void (*reload)(struct run *r, void *ctx);
	void *reload_ctx;
	struct error error;		/* why the run ends, when it fails */
	/* The top rows found only in the recent entries, their table parts looked up. */
	struct source_row parts[SORT_NR * SOURCES_TOP];
};

struct run *run_new(const struct options *opts, struct loader *loader,
		    const struct output *outputs, size_t n)
{
	struct run *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->opts = opts;
	r->loader = loader;
	r->view.model = &r->model;
	r->view.interval_s = opts->interval_s;
	r->view.max_sources = opts->max_sources;
	r->view.watch.dry_run = opts->dry_run;
	r->view.watch.port_set = opts->ports;
	r->input_fd = -1;
	for (size_t i = 0; i < n && i < RUN_OUTPUTS_MAX; i++) {
		r->outputs[r->noutputs++] = outputs[i];
		if (outputs[i].ops->input)
			r->input_fd = outputs[i].ops->input_fd;
	}
	/* Whole, never cut: the NDJSON stream, the metrics and the w prompt carry it. */
	r->view.watch.ports = ports_format_alloc(&opts->ports);
	except_format(&opts->excepts, r->view.watch.excepts, sizeof(r->view.watch.excepts));
	r->view.watch.nexcepts = opts->excepts.n;
	if (!r->view.watch.ports || model_init(&r->model)) {
		run_free(r);
		return NULL;
	}
	sources_group_by(&r->model.sources, opts->group);
	return r;
}

void run_free(struct run *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nprepared; i++)
		if (r->outputs[i].ops->release)
			r->outputs[i].ops->release(r->outputs[i].ctx, r->opened ? &r->view : NULL);
	model_free(&r->model);
	free(r->view.watch.ports);
	free(r);
}

const struct run_view *run_view(const struct run *r)
{
	return &r->view;
}

int run_prepare(struct run *r, const struct output_setup *s, struct error *e)
{
	int err = 0;

	for (size_t i = 0; i < r->noutputs && !err; i++) {
		const struct output *o = &r->outputs[i];

		r->nprepared = i + 1;
		if (o->ops->prepare)
			err = o->ops->prepare(o->ctx, s, e);
	}
	return err;
}

int run_attached(struct run *r, const struct output_setup *s, struct error *e)
{
	int err = 0;

	for (size_t i = 0; i < r->noutputs && !err; i++)
		if (r->outputs[i].ops->attached)
			err = r->outputs[i].ops->attached(r->outputs[i].ctx, s, e);
	return err;
}

int run_on_event(void *ctx, void *data, size_t size)
{
	struct run *r = ctx;

	if (size < sizeof(struct tcpdrop_event))	/* never shorter; never trusted to be */
		return 0;
	model_add_event(&r->model, data);
	/* In the table's order: an output that fails, or asks to quit, is the last to get it. */
	for (size_t i = 0; i < r->noutputs && !r->view.quitting; i++) {
		const struct output *o = &r->outputs[i];

		if (o->ops->event && o->ops->event(o->ctx, r, data, size, &r->error))
			r->view.quitting = true;	/* the loop ends on its error */
	}
	return 0;
}

/* The counters, and the drops per port into the model, read for a sample or a clear. */
static int read_counters(struct run *r, struct counter_values *raw, struct error *e)
{
	int err = loader_read_counters(r->loader, raw);

	if (err)
		return error_set(e, err, "reading the counters failed: %s", strerror(-err));
	loader_read_port_drops(r->loader, r->model.ports.now);
	return 0;
}

void run_read_port_drops(struct run *r, uint64_t drops[TCPDROP_PORTS])
{
	loader_read_port_drops(r->loader, drops);
}

int run_read_counters(struct run *r, struct counter_values *out)
{
	return loader_read_counters(r->loader, out);
}

/* A new read of the source table; until it ends, the outputs see the last one. */
static void scan_begin(struct run *r)
{
	sources_scan_begin(&r->model.sources, r->model.stats.total.v[TCPDROP_DROPPED]);
	loader_rewind_sources(r->loader);
}

/*
 * The end of a read of the table: every CPU's recent entries are added in (read after the table,
 * so that counts moving from them to it meanwhile are missed once rather than counted twice),
 * and the table part of the top sources found only there is looked up, the entries read again
 * after that for the same reason.
 */
static int scan_recent(struct run *r, struct error *e)
{
	struct sources *s = &r->model.sources;
	struct source_row *rows;
	size_t nparts;
	int n, err;

	n = loader_read_recent(r->loader, &rows);
	if (n >= 0)
		n = sources_scan_recent(s, rows, n);
	if (n < 0)
		return error_set(e, n, "reading the recent sources failed: %s", strerror(-n));
	nparts = sources_recent_only(s, r->parts, sizeof(r->parts) / sizeof(r->parts[0]));
	for (size_t i = 0; i < nparts; i++) {
		err = loader_lookup_source(r->loader, &r->parts[i]);
		if (err < 0)
			return error_set(e, err, "reading the source table failed: %s",
					 strerror(-err));
	}
	n = loader_read_recent(r->loader, &rows);
	if (n >= 0)
		n = sources_settle(s, r->parts, nparts, rows, n);
	if (n < 0)
		return error_set(e, n, "reading the recent sources failed: %s", strerror(-n));
	return sources_scan_end(s, monotonic_ns());
}

/*
 * Reads the source table on, a chunk at a time, for at most RUN_SCAN_BUDGET_NS (or to its end):
 * a table of millions of sources takes many passes of the loop, which keeps draining the ring
 * and answering keys meanwhile.
 */
static int scan_step(struct run *r, bool to_end, struct error *e)
{
	uint64_t deadline = monotonic_ns() + RUN_SCAN_BUDGET_NS;
	struct sources *s = &r->model.sources;
	struct source_row *rows;
	int n;

	while (s->scanning) {
		n = loader_read_sources(r->loader, &rows);
		if (n < 0)
			return error_set(e, n, "reading the source table failed: %s", strerror(-n));
		if (n == 0) {
			int err = scan_recent(r, e);

			if (err)
				return err;
		} else if (sources_scan_add(s, rows, n))
			return error_set(e, -ENOMEM, "out of memory for the source table");
		if (!to_end && monotonic_ns() >= deadline)
			break;
	}
	return 0;
}

static int run_sample(struct run *r, uint64_t now_ns)
{
	struct counter_values raw;
	int err = read_counters(r, &raw, &r->error);

	if (err)
		return err;
	/* Every drop the counters count has its event in the ring already: drained now, the
	 * outputs see delivered + throttled + lost == dropped whenever the traffic pauses. */
	loader_drain(r->loader);
	model_sample(&r->model, &raw, now_ns);
	if (!r->model.sources.scanning)
		scan_begin(r);
	return scan_step(r, false, &r->error);
}

/*
 * A clear counts from the kernel's values as they are now, and starts a new generation of its
 * per-source counts. The start counts from zero, the program's load: a packet between the
 * attach and this first reading is the run's too, as the metrics (the kernel's own counters)
 * and the -w file (its event is in the ring) count it.
 */
static int restart(struct run *r, uint64_t now_ns, bool start, struct error *e)
{
	struct counter_values raw, zero = { 0 };
	int err = read_counters(r, &raw, e);

	if (err)
		return err;
	if (start) {
		memset(r->model.ports.now, 0, TCPDROP_PORTS * sizeof(*r->model.ports.now));
		model_start(&r->model, &zero, now_ns);
	} else {
		loader_clear_sources(r->loader);
		model_clear(&r->model, &raw, now_ns);
	}
	scan_begin(r);
	return scan_step(r, false, e);
}

void run_quit(struct run *r)
{
	r->view.quitting = true;
}

int run_clear(struct run *r, uint64_t now_ns, struct error *e)
{
	return restart(r, now_ns, false, e);
}

const struct options *run_options(const struct run *r)
{
	return r->opts;
}

void run_set_location(struct run *r, struct location *location)
{
	r->model.sources.location = location;
}

void run_group_by(struct run *r, enum group_by by)
{
	/* The rows shown stay until a read by the new grouping is complete. */
	sources_group_by(&r->model.sources, by);
	scan_begin(r);
}

void run_set_reloader(struct run *r, volatile sig_atomic_t *pending,
		      void (*reload)(struct run *r, void *ctx), void *ctx)
{
	r->reload_pending = pending;
	r->reload = reload;
	r->reload_ctx = ctx;
}

static bool same_excepts(const struct except_set *a, const struct except_set *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!except_has(b, &a->keys[i]))
			return false;
	return true;
}

static void add_word(char *list, size_t len, const char *word)
{
	size_t used = strlen(list);

	snprintf(list + used, len - used, "%s%s", used ? "," : "", word);
}

/* The options only a restart applies, named as in the file, when fresh differs from live. */
static void restart_needed(const struct options *live, const struct options *fresh, char *list,
			   size_t len)
{
	const struct {
		const char *name;
		bool differs;
	} opts[] = {
		{ "interface", strcmp(live->ifname, fresh->ifname) != 0 },
		{ "mode", live->mode != fresh->mode },
		{ "dry-run", live->dry_run != fresh->dry_run },
		{ "json", live->json != fresh->json },
		{ "quiet", live->quiet != fresh->quiet },
		{ "interval", live->interval_s != fresh->interval_s },
		{ "duration", live->duration_s != fresh->duration_s },
		{ "ring-size", live->ring_bytes != fresh->ring_bytes },
		{ "max-sources", live->max_sources != fresh->max_sources },
		{ "write", !live->pcap_path != !fresh->pcap_path ||
			   (live->pcap_path && strcmp(live->pcap_path, fresh->pcap_path)) },
		{ "snaplen", live->snaplen != fresh->snaplen },
		{ "metrics", memcmp(&live->metrics, &fresh->metrics, sizeof(live->metrics)) != 0 },
		{ "group", live->group != fresh->group },
		{ "location-db", !live->location_db != !fresh->location_db ||
				 (live->location_db && strcmp(live->location_db,
							      fresh->location_db)) },
		{ "force", live->force != fresh->force },
		{ "verbose", live->verbose != fresh->verbose },
	};

	list[0] = '\0';
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (opts[i].differs)
			add_word(list, len, opts[i].name);
}

int run_reload(struct run *r, struct options *live, struct options *fresh,
	       struct reload_report *rep)
{
	struct watch *w = &r->view.watch;
	/* The ports in force: w may have changed them since the start. */
	bool ports = memcmp(&w->port_set, &fresh->ports, sizeof(fresh->ports)) != 0;
	bool excepts = !same_excepts(&live->excepts, &fresh->excepts);
	bool rate = live->event_rate != fresh->event_rate || live->every_event != fresh->every_event;
	struct port_set both = w->port_set;
	struct error e = {};
	char *text = NULL;
	int err = 0;

	memset(rep, 0, sizeof(*rep));
	restart_needed(live, fresh, rep->restart, sizeof(rep->restart));
	/* The guard judges the new ports with the new excepts (which may be what lets them
	 * through), and with the run's own dry run and --force: those change only at a restart. */
	fresh->dry_run = live->dry_run;
	fresh->force = live->force;
	if (ports || excepts)
		err = sshguard_check(SSHGUARD_LIVE, r->loader->ifindex, w->ifname, &fresh->ports,
				     fresh, &e);
	if (!err && ports && !(text = ports_format_alloc(&fresh->ports)))
		err = error_set(&e, -ENOMEM, "out of memory for the port list");
	/*
	 * So that each packet is judged by the old settings or the new: first the ports only the
	 * old watch stop being watched, then the excepted sources change (the new ones in before
	 * the old go), and only then are the ports only the new watch watched.
	 */
	for (int i = 0; i < TCPDROP_PORT_WORDS; i++)
		both.bits[i] &= fresh->ports.bits[i];
	if (!err && ports)
		err = loader_set_ports(r->loader, &both);
	if (!err && excepts) {
		err = loader_set_excepts(r->loader, &live->excepts, &fresh->excepts);
		if (err == -ENOSPC)
			error_set(&e, err, "the old and the new excepted prefixes together are more "
				  "than %d, which a reload needs room for: restart to apply them",
				  TCPDROP_MAX_EXCEPT);
		else if (err)
			error_set(&e, err, "cannot change the excepted sources: %s", strerror(-err));
	}
	if (!err && ports)
		err = loader_set_ports(r->loader, &fresh->ports);
	if (err) {
		/* Nothing half done: the excepts were undone, the ports go back. */
		if (ports)
			loader_set_ports(r->loader, &w->port_set);
		if (!e.err)
			error_set(&e, err, "cannot change the watched ports: %s", strerror(-err));
		free(text);
		snprintf(rep->error, sizeof(rep->error), "%s", e.msg);
		return err;
	}
	if (excepts) {
		struct except_set old = live->excepts;

		live->excepts = fresh->excepts;
		fresh->excepts = old;	/* freed with fresh */
		except_format(&live->excepts, w->excepts, sizeof(w->excepts));
		w->nexcepts = live->excepts.n;
		add_word(rep->changed, sizeof(rep->changed), "excepts");
	}
	if (ports) {
		live->ports = fresh->ports;
		w->port_set = fresh->ports;
		free(w->ports);
		w->ports = text;
		add_word(rep->changed, sizeof(rep->changed), "ports");
	}
	if (rate) {
		loader_set_event_rate(r->loader, !fresh->every_event, fresh->event_rate);
		live->event_rate = fresh->event_rate;
		live->every_event = fresh->every_event;
		add_word(rep->changed, sizeof(rep->changed), "event-rate");
	}
	rep->ok = true;
	return 0;
}

void run_reloaded(struct run *r, const struct reload_report *rep)
{
	if (rep->ok)
		r->view.reloads_applied++;
	else
		r->view.reloads_refused++;
	r->view.last_reload_refused = !rep->ok;
	for (size_t i = 0; i < r->noutputs && !r->error.err; i++) {
		const struct output *o = &r->outputs[i];

		if (o->ops->reloaded && o->ops->reloaded(o->ctx, r, rep, &r->error))
			r->view.quitting = true;	/* the loop ends on its error */
	}
}

int run_set_ports(struct run *r, const struct port_set *ports, struct error *e)
{
	struct watch *w = &r->view.watch;
	char *text = ports_format_alloc(ports);
	int err;

	if (!text)
		return error_set(e, -ENOMEM, "out of memory for the port list");
	err = sshguard_check(SSHGUARD_LIVE, r->loader->ifindex, w->ifname, ports, r->opts, e);
	if (!err) {
		err = loader_set_ports(r->loader, ports);
		if (err)
			error_set(e, err, "cannot change the watched ports: %s", strerror(-err));
	}
	if (err) {
		free(text);
		return err;
	}
	w->port_set = *ports;
	free(w->ports);
	w->ports = text;
	return 0;
}

void run_set_interval(struct run *r, double interval_s, uint64_t now_ns)
{
	r->view.interval_s = interval_s;
	r->next_sample_ns = now_ns + interval_s * 1e9;	/* not after the old, longer wait */
}

size_t run_status(const struct run *r, const struct counter_values *since_start, char *buf,
		  size_t len)
{
	size_t used = 0, room;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < r->noutputs; i++) {
		const struct output *o = &r->outputs[i];

		if (!o->ops->status)
			continue;
		room = used < len ? len - used : 0;
		if (room > 2) {
			memcpy(buf + used, "  ", 3);
			used += 2;
			room -= 2;
			used += o->ops->status(o->ctx, since_start, buf + used, room);
		} else {
			used += 2 + o->ops->status(o->ctx, since_start, NULL, 0);
		}
	}
	return used;
}

/* One callback of every output that has it, in the table's order, until one fails: its message
 * is in r->error. */
enum hook { HOOK_INPUT, HOOK_SAMPLED, HOOK_TICK };

static int call_all(struct run *r, enum hook hook, uint64_t now_ns)
{
	int err = 0;

	for (size_t i = 0; i < r->noutputs && !err; i++) {
		const struct output *o = &r->outputs[i];
		int (*fn)(void *, struct run *, uint64_t, struct error *) =
			hook == HOOK_INPUT ? o->ops->input :
			hook == HOOK_SAMPLED ? o->ops->sampled : o->ops->tick;

		if (fn)
			err = fn(o->ctx, r, now_ns, &r->error);
	}
	return err;
}

int run_open(struct run *r)
{
	uint64_t now = monotonic_ns();
	int err;

	r->opened = true;
	r->view.start_ns = now;
	memcpy(r->view.watch.ifname, r->loader->ifname, sizeof(r->view.watch.ifname));
	r->view.watch.native = r->loader->native;
	err = restart(r, now, true, &r->error);
	for (size_t i = 0; i < r->noutputs && !err; i++)
		if (r->outputs[i].ops->open)
			err = r->outputs[i].ops->open(r->outputs[i].ctx, r, &r->error);
	r->next_sample_ns = now + (uint64_t)(r->view.interval_s * 1e9);
	return err;
}

/* What the outputs want read once more after the loop: the most any one of them does. */
static enum output_final final_wanted(const struct run *r)
{
	enum output_final final = OUTPUT_FINAL_NONE;

	for (size_t i = 0; i < r->noutputs; i++)
		if (r->outputs[i].ops->final > final)
			final = r->outputs[i].ops->final;
	return final;
}

/* The last reading and the outputs' close; err is the run's error so far. */
static int finish(struct run *r, int err)
{
	enum output_final final = final_wanted(r);

	/* What the kernel counted up to now belongs to this run too: the final stats show it,
	 * the pcap gets the events still in the ring, and its summary is exact. */
	if (final != OUTPUT_FINAL_NONE) {
		struct error why = r->error;	/* a failed run is told by its first error */
		uint64_t now;
		int final_err;

		loader_drain(r->loader);
		now = monotonic_ns();
		final_err = run_sample(r, now);
		if (!final_err && final == OUTPUT_FINAL_STATS)
			final_err = scan_step(r, true, &r->error);
		for (size_t i = 0; i < r->noutputs && !final_err; i++) {
			const struct output *o = &r->outputs[i];

			if (o->ops->final == OUTPUT_FINAL_STATS && o->ops->sampled)
				final_err = o->ops->sampled(o->ctx, r, now, &r->error);
		}
		if (err)
			r->error = why;
		else	/* or an output's, failed in the drain */
			err = final_err ? final_err : r->error.err;
	}
	for (size_t i = 0; i < r->noutputs; i++) {
		const struct output *o = &r->outputs[i];
		struct error why = {};
		int close_err;

		if (!o->ops->close)
			continue;
		close_err = o->ops->close(o->ctx, r, err != 0, &why);
		if (!err && close_err) {
			err = close_err;
			r->error = why;
		}
	}
	return err;
}

int run_loop(struct run *r, volatile sig_atomic_t *stop)
{
	uint64_t now, interval, end = r->view.start_ns + (uint64_t)(r->opts->duration_s * 1e9);
	struct pollfd input = { .fd = r->input_fd, .events = POLLIN };
	int err = r->error.err;		/* run_open()'s */

	while (!err && !*stop && !r->view.quitting) {
		/* The kernel never wakes us: wait one drain interval, or less for a key. */
		if (poll(&input, r->input_fd >= 0, TCPDROP_DRAIN_INTERVAL_MS) < 0 &&
		    errno != EINTR) {
			err = error_set(&r->error, -errno, "waiting for input failed: %s",
					strerror(errno));
			break;
		}
		/* The terminal hung up (its window closed, the SSH connection dropped): nobody is
		 * left to see the view or press q, and the kernel's SIGHUP went to the session
		 * leader only, which under make is make, waiting for us. End as q would. */
		if (input.revents & (POLLHUP | POLLERR | POLLNVAL))
			r->view.quitting = true;
		now = monotonic_ns();
		err = loader_tick(r->loader, now, &r->error);
		if (!err && r->error.err)
			err = r->error.err;	/* an output failed on an event */
		if (!err)
			err = call_all(r, HOOK_INPUT, now);
		if (!err)
			err = scan_step(r, false, &r->error);
		if (err || r->view.quitting)
			break;
		if (r->opts->duration_s > 0 && now >= end)
			break;
		if (now >= r->next_sample_ns) {
			err = run_sample(r, now);
			if (!err)
				err = call_all(r, HOOK_SAMPLED, now);
			interval = r->view.interval_s * 1e9;
			r->next_sample_ns += interval;
			if (r->next_sample_ns <= now)	/* stopped for a while: do not burst */
				r->next_sample_ns = now + interval;
		}
		if (!err && r->reload_pending && *r->reload_pending) {
			*r->reload_pending = 0;
			r->reload(r, r->reload_ctx);
			err = r->error.err;
		}
		if (!err)
			err = call_all(r, HOOK_TICK, now);
	}
	err = finish(r, err);
	if (!err)
		return 0;
	error_print(stderr, &r->error);
	return r->error.exit_status ? r->error.exit_status : 1;
}
