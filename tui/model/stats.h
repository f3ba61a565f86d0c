/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counter totals and rates, shared by the TUI and the NDJSON stream. Like the rest of the data
 * model it knows nothing of curses or of BPF, so it is tested on plain numbers.
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
	/* The run's own count, which a clear does not reset: what -w's file is compared with. */
	struct counter_values start;	/* raw values at the start */
	struct counter_values since_start;
	struct counter_values prev;	/* totals at the previous sample, for rates */
	uint64_t prev_ns;
	double rate[TCPDROP_NR_COUNTERS];	/* per second over the last sample interval */
};

/* Starts counting from the kernel's current raw values: the run's count too. */
void stats_reset(struct stats *s, const struct counter_values *raw, uint64_t now_ns);
/* Starts counting again from the kernel's current raw values; since_start goes on. */
void stats_clear(struct stats *s, const struct counter_values *raw, uint64_t now_ns);
/* Takes a new reading of the kernel's raw values. */
void stats_sample(struct stats *s, const struct counter_values *raw, uint64_t now_ns);

#endif /* TCPDROP_STATS_H */
