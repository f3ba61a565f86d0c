/* SPDX-License-Identifier: GPL-2.0 */
/* The NDJSON stream: one JSON object per line, for drops and for periodic stats. */
#ifndef TCPDROP_NDJSON_H
#define TCPDROP_NDJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tcpdrop.h"
#include "tui/model/portdrops.h"
#include "tui/model/sources.h"
#include "tui/model/stats.h"

#define NDJSON_TOP_SOURCES	10

/*
 * Each writes one line, newline included, into buf and returns its length as snprintf does:
 * a return >= len means the line did not fit (and buf holds a cut, still terminated, copy).
 */
size_t ndjson_drop(char *buf, size_t len, const struct tcpdrop_event *e, const char *ifname,
		   uint64_t realtime_ns);
/* What one stats line reports besides the counters. */
struct ndjson_tops {
	const struct source_row *sources;	/* most drops first */
	size_t nsources;
	const struct port_row *ports;		/* most drops first: "top_ports" */
	size_t nports;
};

/* ports: the watched set as ports_format() writes it, whole: a long set makes a long line. */
size_t ndjson_stats(char *buf, size_t len, uint64_t realtime_ns, const char *ports,
		    const struct stats *s, const struct ndjson_tops *tops);

/* What a reload (SIGHUP) did, as run.h's report says it; changed and restart are lists of
 * words with commas, ports the set in force, event_rate 0 with every_event for max. */
struct ndjson_reload {
	bool ok;
	const char *error, *changed, *restart, *ports;
	size_t excepts;
	unsigned int event_rate;
	bool every_event;
};

size_t ndjson_reload(char *buf, size_t len, uint64_t realtime_ns, const struct ndjson_reload *r);

#endif /* TCPDROP_NDJSON_H */
