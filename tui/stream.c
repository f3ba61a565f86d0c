// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "ndjson.h"
#include "stream.h"

void stream_init(struct stream *st, int fd)
{
	st->out.fd = fd;
	st->out.len = 0;
	st->write_error = 0;
}

/* A reader that went away (| head) ends the run as a success; any other failure is told. */
static int write_failed(struct stream *st, struct run *r, int err)
{
	st->write_error = err;
	if (err == -EPIPE) {
		r->quit = true;
		return 0;
	}
	return error_set(&r->error, err, "writing to stdout failed: %s", strerror(-err));
}

static int emit(struct stream *st, struct run *r, const char *line, size_t len)
{
	int err;

	if (st->write_error)
		return 0;	/* told once already */
	err = outbuf_put(&st->out, line, len);
	return err ? write_failed(st, r, err) : 0;
}

static int stream_event(void *view, struct run *r, const struct tcpdrop_event *e)
{
	char line[512];
	size_t n = ndjson_drop(line, sizeof(line), e, r->watch.ifname,
			       e->timestamp_ns + r->model.realtime_offset_ns);

	return emit(view, r, line, n < sizeof(line) ? n : sizeof(line) - 1);
}

static int stream_sampled(void *view, struct run *r, uint64_t now_ns)
{
	struct source_row top[NDJSON_TOP_SOURCES];
	size_t ntop = sources_top(&r->model.sources, SORT_DROPS, top, NDJSON_TOP_SOURCES);
	uint64_t realtime_ns = clock_ns(CLOCK_REALTIME);
	char line[4096], *longer;
	size_t n;
	int err;

	(void)now_ns;
	n = ndjson_stats(line, sizeof(line), realtime_ns, r->watch.ports, &r->model.stats, top,
			 ntop);
	if (n < sizeof(line))
		return emit(view, r, line, n);
	/* A long port set (w, or many -p) makes a long line: it goes out whole, never cut. */
	longer = malloc(n + 1);
	if (!longer)
		return error_set(&r->error, -ENOMEM, "out of memory for a stats line");
	ndjson_stats(longer, n + 1, realtime_ns, r->watch.ports, &r->model.stats, top, ntop);
	err = emit(view, r, longer, n);
	free(longer);
	return err;
}

/* Once a pass of the loop: what was formatted goes out, and a reader gone ends the run. */
static int stream_idle(void *view, struct run *r, uint64_t now_ns)
{
	struct stream *st = view;
	int err;

	(void)now_ns;
	if (st->write_error)
		return 0;
	if (outbuf_reader_gone(st->out.fd))
		return write_failed(st, r, -EPIPE);
	err = outbuf_flush(&st->out);
	return err ? write_failed(st, r, err) : 0;
}

static int stream_close(void *view, struct run *r, bool failed)
{
	struct stream *st = view;
	int err;

	(void)failed;
	if (st->write_error)
		return 0;
	err = outbuf_flush(&st->out);
	return err ? write_failed(st, r, err) : 0;
}

const struct view_ops stream_view = {
	.event = stream_event,
	.sampled = stream_sampled,
	.idle = stream_idle,
	.close = stream_close,
	.input_fd = -1,
	.final_reading = true,
};
