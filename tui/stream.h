/* SPDX-License-Identifier: GPL-2.0 */
/* The non-interactive front end: drop events and periodic stats as NDJSON on stdout. */
#ifndef TCPDROP_STREAM_H
#define TCPDROP_STREAM_H

#include <signal.h>

#include "cli.h"
#include "loader.h"

/* The event callback to hand to loader_start(); ctx is a struct stream. */
int stream_on_event(void *ctx, void *data, size_t size);

struct stream {
	struct loader *loader;
	uint64_t realtime_offset_ns;
	int write_error;		/* errno of a failed write to stdout, 0 if none */
};

/* Runs until *stop is set, --duration is up or stdout goes away. Returns the exit status. */
int stream_run(struct stream *st, const struct options *opts, volatile sig_atomic_t *stop);

#endif /* TCPDROP_STREAM_H */
