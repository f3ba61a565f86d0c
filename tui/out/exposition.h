// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus text exposition of the counters: what a scrape of --metrics returns. Plain text,
 * no server: tui/out/metrics.c serves it, and the tests format it directly.
 */
#ifndef TCPDROP_EXPOSITION_H
#define TCPDROP_EXPOSITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/model/stats.h"
#include "tui/watch/ports.h"

struct run_view;

struct metrics_values {
	const char *ifname;
	const char *mode;		/* "native" or "generic" */
	const char *ports;		/* the watched set, formatted */
	bool dry_run;
	uint64_t sources;		/* entries in the per-source table: a clear keeps them */
	uint64_t table_entries, table_size;	/* the table's alone, and --max-sources */
	struct counter_values counters;	/* the kernel's, since start */
	/* The dropped counter by port, when given (else one series): each port's drops since
	 * start (TCPDROP_PORTS of them), labelled by the runs of port_set (see below). */
	const struct port_set *port_set;
	const uint64_t *port_drops;
	uint64_t reloads_applied, reloads_refused;	/* SIGHUP's, since start */
	bool last_reload_refused;
};

/*
 * Dropped packets get a port label: one series for each run of watched ports as the set is
 * written ("80", "9000-9010"), the first METRICS_PORT_SERIES of them, and port="other" for
 * the rest and for ports watched before a change of the set, when it has any. The series add
 * up to every drop, and their number is bounded whatever the set.
 */
#define METRICS_PORT_SERIES	64

/* What a scrape shows of the run as it is, but the counters, which are read from the kernel at
 * each scrape. */
void metrics_values_of(struct metrics_values *v, const struct run_view *r);
/* The exposition text into buf; returns the length it needed, like snprintf. */
size_t metrics_format(char *buf, size_t len, const struct metrics_values *v);

#endif /* TCPDROP_EXPOSITION_H */
