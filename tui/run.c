// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "pcap.h"
#include "run.h"
#include "sshguard.h"

int run_init(struct run *r, const struct options *opts, struct loader *loader)
{
	memset(r, 0, sizeof(*r));
	r->opts = opts;
	r->loader = loader;
	r->interval_s = opts->interval_s;
	r->watch.dry_run = opts->dry_run;
	r->watch.port_set = opts->ports;
	/* Whole, never cut: the NDJSON stream, the metrics and the w prompt carry it. */
	r->watch.ports = ports_format_alloc(&opts->ports);
	if (!r->watch.ports)
		return -ENOMEM;
	except_format(&opts->excepts, r->watch.excepts, sizeof(r->watch.excepts));
	return model_init(&r->model);
}

void run_free(struct run *r)
{
	model_free(&r->model);
	free(r->watch.ports);
	r->watch.ports = NULL;
}

/* The pcap's reader gone (-w - | head) ends the run as a success; a failed write as a failure,
 * its message in r->error. */
static int capture_result(struct run *r, int err)
{
	if (err)
		r->quit = true;
	return err == -EPIPE ? 0 : err;
}

int run_on_event(void *ctx, void *data, size_t size)
{
	struct run *r = ctx;
	int err;

	if (size < sizeof(struct tcpdrop_event))	/* never shorter; never trusted to be */
		return 0;
	model_add_event(&r->model, data);
	if (r->capture && !r->quit)
		capture_result(r, capture_event(r->capture, data, size,
						r->model.realtime_offset_ns, &r->error));
	if (r->quit || !r->ops->event)
		return 0;
	err = r->ops->event(r->view, r, data);
	if (err)
		r->quit = true;		/* the view failed: the loop ends on its error */
	return 0;
}

static int read_counters(struct run *r, struct counter_values *raw)
{
	int err = loader_read_counters(r->loader, raw);

	if (err)
		return error_set(&r->error, err, "reading the counters failed: %s", strerror(-err));
	return 0;
}

/* A new read of the source table; until it ends, the views show the last one. */
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
static int scan_recent(struct run *r)
{
	struct sources *s = &r->model.sources;
	struct source_row *rows;
	size_t nparts;
	int n, err;

	n = loader_read_recent(r->loader, &rows);
	if (n >= 0)
		n = sources_scan_recent(s, rows, n);
	if (n < 0)
		return error_set(&r->error, n, "reading the recent sources failed: %s",
				 strerror(-n));
	nparts = sources_recent_only(s, r->parts, sizeof(r->parts) / sizeof(r->parts[0]));
	for (size_t i = 0; i < nparts; i++) {
		err = loader_lookup_source(r->loader, &r->parts[i]);
		if (err < 0)
			return error_set(&r->error, err, "reading the source table failed: %s",
					 strerror(-err));
	}
	n = loader_read_recent(r->loader, &rows);
	if (n >= 0)
		n = sources_settle(s, r->parts, nparts, rows, n);
	if (n < 0)
		return error_set(&r->error, n, "reading the recent sources failed: %s",
				 strerror(-n));
	return sources_scan_end(s);
}

/*
 * Reads the source table on, a chunk at a time, for at most RUN_SCAN_BUDGET_NS (or to its end):
 * a table of millions of sources takes many passes of the loop, which keeps draining the ring
 * and answering keys meanwhile.
 */
static int scan_step(struct run *r, bool to_end)
{
	uint64_t deadline = monotonic_ns() + RUN_SCAN_BUDGET_NS;
	struct sources *s = &r->model.sources;
	struct source_row *rows;
	int n;

	while (s->scanning) {
		n = loader_read_sources(r->loader, &rows);
		if (n < 0)
			return error_set(&r->error, n, "reading the source table failed: %s",
					 strerror(-n));
		if (n == 0) {
			int err = scan_recent(r);

			if (err)
				return err;
		} else if (sources_scan_add(s, rows, n))
			return error_set(&r->error, -ENOMEM, "out of memory for the source table");
		if (!to_end && monotonic_ns() >= deadline)
			break;
	}
	return 0;
}

static int run_sample(struct run *r, uint64_t now_ns)
{
	struct counter_values raw;
	int err = read_counters(r, &raw);

	if (err)
		return err;
	/* Every drop the counters count has its event in the ring already: drained now, the
	 * views see delivered + throttled + lost == dropped whenever the traffic pauses. */
	loader_drain(r->loader);
	model_sample(&r->model, &raw, now_ns);
	if (!r->model.sources.scanning)
		scan_begin(r);
	return scan_step(r, false);
}

/* Counting from the kernel's values as they are now: at the start, the run's count too; a
 * clear starts a new generation of the kernel's per-source counts (at the start they are new). */
static int restart(struct run *r, uint64_t now_ns, bool start)
{
	struct counter_values raw;
	int err = read_counters(r, &raw);

	if (err)
		return err;
	if (start) {
		model_start(&r->model, &raw, now_ns);
	} else {
		loader_clear_sources(r->loader);
		model_clear(&r->model, &raw, now_ns);
	}
	scan_begin(r);
	return scan_step(r, false);
}

int run_clear(struct run *r, uint64_t now_ns)
{
	return restart(r, now_ns, false);
}

int run_set_ports(struct run *r, const struct port_set *ports)
{
	char *text = ports_format_alloc(ports);
	int err;

	if (!text)
		return error_set(&r->error, -ENOMEM, "out of memory for the port list");
	err = sshguard_check(SSHGUARD_LIVE, r->loader->ifindex, r->watch.ifname, ports, r->opts,
			     &r->error);
	if (!err) {
		err = loader_set_ports(r->loader, ports);
		if (err)
			error_set(&r->error, err, "cannot change the watched ports: %s",
				  strerror(-err));
	}
	if (err) {
		free(text);
		return err;
	}
	r->watch.port_set = *ports;
	free(r->watch.ports);
	r->watch.ports = text;
	return 0;
}

/* A view callback that fails leaves its message in r->error; so does the loop. */
static int call(int (*fn)(void *, struct run *, uint64_t), struct run *r, uint64_t now_ns)
{
	return fn ? fn(r->view, r, now_ns) : 0;
}

int run_loop(struct run *r, const struct view_ops *ops, void *view,
	     volatile sig_atomic_t *stop)
{
	uint64_t now = monotonic_ns(), interval;
	uint64_t end = now + (uint64_t)(r->opts->duration_s * 1e9);
	struct pollfd input = { .fd = ops->input_fd, .events = POLLIN };
	int err;

	r->ops = ops;
	r->view = view;
	r->start_ns = now;
	memcpy(r->watch.ifname, r->loader->ifname, sizeof(r->watch.ifname));
	r->watch.native = r->loader->native;
	err = restart(r, now, true);
	if (!err && ops->open)
		err = ops->open(view, r);
	r->next_sample_ns = now + (uint64_t)(r->interval_s * 1e9);

	while (!err && !*stop && !r->quit) {
		/* The kernel never wakes us: wait one drain interval, or less for a key. */
		if (poll(&input, ops->input_fd >= 0, TCPDROP_DRAIN_INTERVAL_MS) < 0 &&
		    errno != EINTR) {
			err = error_set(&r->error, -errno, "waiting for input failed: %s",
					strerror(errno));
			break;
		}
		/* The terminal hung up (its window closed, the SSH connection dropped): nobody is
		 * left to see the view or press q, and the kernel's SIGHUP went to the session
		 * leader only, which under make is make, waiting for us. End as SIGHUP would. */
		if (input.revents & (POLLHUP | POLLERR | POLLNVAL))
			r->quit = true;
		now = monotonic_ns();
		err = loader_tick(r->loader, now, &r->error);
		if (!err && r->error.err)
			err = r->error.err;	/* a view failed on an event */
		if (!err)
			err = call(ops->input, r, now);
		if (!err)
			err = scan_step(r, false);
		if (err || r->quit)
			break;
		if (r->opts->duration_s > 0 && now >= end)
			break;
		if (now >= r->next_sample_ns) {
			err = run_sample(r, now);
			if (!err)
				err = call(ops->sampled, r, now);
			interval = r->interval_s * 1e9;
			r->next_sample_ns += interval;
			if (r->next_sample_ns <= now)	/* stopped for a while: do not burst */
				r->next_sample_ns = now + interval;
		}
		if (!err)
			err = call(ops->idle, r, now);
		if (!err && r->capture)
			err = capture_result(r, capture_tick(r->capture, now, &r->error));
		if (!err && r->sink.tick)
			err = r->sink.tick(r->sink.ctx, r, now);
	}
	/* What the kernel counted up to now belongs to this run too: the final stats show it. */
	/* The pcap too: the events still in the ring go into it, and its summary is exact. */
	if (ops->final_reading || r->capture) {
		struct error why = r->error;	/* a failed run is told by its first error */
		int final_err;

		loader_drain(r->loader);
		now = monotonic_ns();
		final_err = run_sample(r, now);
		if (!final_err && ops->final_reading)
			final_err = scan_step(r, true);
		if (!final_err && ops->final_reading)
			final_err = call(ops->sampled, r, now);
		if (err)
			r->error = why;
		else
			err = final_err ? final_err : r->error.err;	/* the pcap's, in the drain */
	}
	if (r->capture) {
		struct error why = {};
		int capture_err = capture_result(r, capture_close(r->capture, &why));

		if (!err && capture_err) {
			err = capture_err;
			r->error = why;
		}
	}
	if (ops->close) {
		int close_err = ops->close(view, r, err != 0);

		if (!err)
			err = close_err;
	}
	if (!err)
		return 0;
	error_print(stderr, &r->error);
	return r->error.exit_status ? r->error.exit_status : 1;
}
