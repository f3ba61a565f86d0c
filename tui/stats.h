/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The data model shared by the TUI and the NDJSON stream: counter totals and rates, and the
 * top-sources table. It knows nothing of curses or of BPF, so it is tested on plain numbers.
 */
#ifndef TCPDROP_STATS_H
#define TCPDROP_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "common/tcpdrop.h"

struct counter_values {
	uint64_t v[TCPDROP_NR_COUNTERS];
};

struct stats {
	struct counter_values base;	/* raw values at start or at the last clear */
	struct counter_values total;	/* since base */
	struct counter_values prev;	/* totals at the previous sample, for rates */
	uint64_t prev_ns;
	double rate[TCPDROP_NR_COUNTERS];	/* per second over the last sample interval */
};

/* Starts counting from the kernel's current raw values. */
void stats_reset(struct stats *s, const struct counter_values *raw, uint64_t now_ns);
/* Takes a new reading of the kernel's raw values. */
void stats_sample(struct stats *s, const struct counter_values *raw, uint64_t now_ns);

struct source_row {
	uint8_t family;
	uint8_t addr[16];
	uint64_t drops;
	uint64_t bytes;
	uint64_t last_seen_ns;
};

enum source_sort {
	SORT_DROPS,
	SORT_BYTES,
	SORT_LAST_SEEN,
	SORT_NR,
};

/* Sorts rows, the biggest first; ties broken by address so the order is stable on screen. */
void sources_sort(struct source_row *rows, size_t n, enum source_sort key);
const char *sources_sort_name(enum source_sort key);

#endif /* TCPDROP_STATS_H */
