// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/lib/clock.h"
#include "tui/out/ndjson.h"
#include "tui/out/stream.h"
#include "tui/cli/cli.h"
#include "tui/run.h"

static int stream_prepare(void *out, const struct output_setup *s, struct error *e)
{
	struct stream *st = out;

	(void)s;
	(void)e;
	st->out.fd = STDOUT_FILENO;
	st->out.len = 0;
	st->write_error = 0;
	return 0;
}

/* A reader that went away (| head) ends the run as a success; any other failure is told. */
static int write_failed(struct stream *st, struct run *r, int err, struct error *e)
{
	st->write_error = err;
	if (err == -EPIPE) {
		run_quit(r);
		return 0;
	}
	return error_set(e, err, "writing to stdout failed: %s", strerror(-err));
}

static int emit(struct stream *st, struct run *r, const char *line, size_t len,
		struct error *e)
{
	int err;

	if (st->write_error)
		return 0;	/* told once already */
	err = outbuf_put(&st->out, line, len);
	return err ? write_failed(st, r, err, e) : 0;
}

static int stream_event(void *out, struct run *r, const struct tcpdrop_event *ev, size_t size,
			struct error *e)
{
	const struct run_view *v = run_view(r);
	char line[512];
	size_t n = ndjson_drop(line, sizeof(line), ev, v->watch.ifname,
			       ev->timestamp_ns + v->model->realtime_offset_ns);

	(void)size;
	return emit(out, r, line, n < sizeof(line) ? n : sizeof(line) - 1, e);
}

static int stream_sampled(void *out, struct run *r, uint64_t now_ns, struct error *e)
{
	const struct run_view *v = run_view(r);
	struct source_row top[NDJSON_TOP_SOURCES];
	struct ndjson_tops tops = {
		.sources = top,
		.nsources = sources_top(&v->model->sources, SORT_DROPS, top, NDJSON_TOP_SOURCES),
		.ports = v->model->ports.top,
		.nports = v->model->ports.ntop,
	};
	uint64_t realtime_ns = clock_ns(CLOCK_REALTIME);
	char line[4096], *longer;
	size_t n;
	int err;

	(void)now_ns;
	n = ndjson_stats(line, sizeof(line), realtime_ns, v->watch.ports, &v->model->stats, &tops);
	if (n < sizeof(line))
		return emit(out, r, line, n, e);
	/* A long port set (w, or many -p) makes a long line: it goes out whole, never cut. */
	longer = malloc(n + 1);
	if (!longer)
		return error_set(e, -ENOMEM, "out of memory for a stats line");
	ndjson_stats(longer, n + 1, realtime_ns, v->watch.ports, &v->model->stats, &tops);
	err = emit(out, r, longer, n, e);
	free(longer);
	return err;
}

static int stream_reloaded(void *out, struct run *r, const struct reload_report *rep,
			   struct error *e)
{
	const struct run_view *v = run_view(r);
	const struct options *opts = run_options(r);
	struct ndjson_reload line = {
		.ok = rep->ok, .error = rep->error, .changed = rep->changed,
		.restart = rep->restart, .ports = v->watch.ports, .excepts = v->watch.nexcepts,
		.event_rate = opts->event_rate, .every_event = opts->every_event,
	};
	size_t n = ndjson_reload(NULL, 0, clock_ns(CLOCK_REALTIME), &line);
	char *text = malloc(n + 1);
	int err;

	/* The port set whole, however long, as in the stats lines. */
	if (!text)
		return error_set(e, -ENOMEM, "out of memory for a reload line");
	ndjson_reload(text, n + 1, clock_ns(CLOCK_REALTIME), &line);
	err = emit(out, r, text, n, e);
	free(text);
	return err;
}

/* Once a pass of the loop: what was formatted goes out, and a reader gone ends the run. */
static int stream_tick(void *out, struct run *r, uint64_t now_ns, struct error *e)
{
	struct stream *st = out;
	int err;

	(void)now_ns;
	if (st->write_error)
		return 0;
	if (outbuf_reader_gone(st->out.fd))
		return write_failed(st, r, -EPIPE, e);
	err = outbuf_flush(&st->out);
	return err ? write_failed(st, r, err, e) : 0;
}

static int stream_close(void *out, struct run *r, bool failed, struct error *e)
{
	struct stream *st = out;
	int err;

	(void)failed;
	if (st->write_error)
		return 0;
	err = outbuf_flush(&st->out);
	return err ? write_failed(st, r, err, e) : 0;
}

const struct output_ops stream_output = {
	.prepare = stream_prepare,
	.event = stream_event,
	.sampled = stream_sampled,
	.reloaded = stream_reloaded,
	.tick = stream_tick,
	.close = stream_close,
	.final = OUTPUT_FINAL_STATS,
};
