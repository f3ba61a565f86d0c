// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "ndjson.h"
#include "stream.h"

static void emit(struct stream *st, const char *line, size_t len)
{
	if (st->write_error)
		return;
	if (fwrite(line, 1, len, stdout) != len)
		st->write_error = errno ? errno : EIO;
}

static void flush(struct stream *st)
{
	if (!st->write_error && fflush(stdout))
		st->write_error = errno ? errno : EIO;
}

int stream_on_event(void *ctx, void *data, size_t size)
{
	struct stream *st = ctx;
	const struct tcpdrop_event *e = data;
	char line[512];
	size_t n;

	if (size < sizeof(*e))	/* never shorter; never trusted to be */
		return 0;
	n = ndjson_drop(line, sizeof(line), e, st->loader->ifname,
			e->timestamp_ns + st->realtime_offset_ns);
	emit(st, line, n < sizeof(line) ? n : sizeof(line) - 1);
	return 0;
}

static void emit_stats(struct stream *st, struct stats *s)
{
	struct counter_values raw;
	struct source_row *rows = NULL;
	char line[4096];
	int nrows;
	size_t n;

	if (loader_read_counters(st->loader, &raw))
		return;
	stats_sample(s, &raw, monotonic_ns());
	nrows = loader_read_sources(st->loader, &rows);
	if (nrows < 0)
		nrows = 0;
	sources_sort(rows, nrows, SORT_DROPS);
	n = ndjson_stats(line, sizeof(line), clock_ns(CLOCK_REALTIME), s, rows,
			 nrows < NDJSON_TOP_SOURCES ? nrows : NDJSON_TOP_SOURCES);
	emit(st, line, n < sizeof(line) ? n : sizeof(line) - 1);
}

int stream_run(struct stream *st, const struct options *opts, volatile sig_atomic_t *stop)
{
	uint64_t start = monotonic_ns(), now, next_stats;
	uint64_t interval = opts->interval_s * 1e9, end = start + opts->duration_s * 1e9;
	struct counter_values raw;
	char why[128];
	struct stats s;
	int err = 0;

	if (loader_read_counters(st->loader, &raw)) {
		fprintf(stderr, "tcpdrop-top: cannot read the counters: %s\n", strerror(errno));
		return 1;
	}
	stats_reset(&s, &raw, start);
	next_stats = start + interval;

	while (!*stop && !st->write_error) {
		poll(NULL, 0, TCPDROP_DRAIN_INTERVAL_MS);
		st->realtime_offset_ns = realtime_offset_ns();
		now = monotonic_ns();
		err = loader_tick(st->loader, now);
		if (err)
			break;
		if (opts->duration_s > 0 && now >= end)
			break;	/* the closing stats line follows */
		if (now >= next_stats) {
			emit_stats(st, &s);
			next_stats += interval;
			if (next_stats <= now)	/* we were stopped for a while: do not burst */
				next_stats = now + interval;
		}
		flush(st);
	}
	ring_buffer__consume(st->loader->ring);
	emit_stats(st, &s);
	flush(st);
	if (err) {
		loader_explain(st->loader, err, why, sizeof(why));
		fprintf(stderr, "tcpdrop-top: %s\n", why);
		return 1;
	}
	if (st->write_error == EPIPE)
		return 0;	/* the reader went away (| head): not our failure */
	if (st->write_error) {
		fprintf(stderr, "tcpdrop-top: writing to stdout failed: %s\n",
			strerror(st->write_error));
		return 1;
	}
	return 0;
}
