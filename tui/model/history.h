/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drops per second over the last HISTORY_SECONDS, one bucket per second, for the sparkline.
 * Fed with the running total whenever the screen refreshes: when a refresh spans several
 * seconds, its drops are spread evenly over them.
 */
#ifndef TCPDROP_HISTORY_H
#define TCPDROP_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#define HISTORY_SECONDS 120

struct history {
	uint64_t buckets[HISTORY_SECONDS];
	uint64_t filled;	/* buckets ever closed */
	uint64_t second;	/* the second now accumulating */
	uint64_t total_at_second;	/* the running total when that second began */
};

void history_reset(struct history *h, uint64_t now_ns, uint64_t total);
void history_update(struct history *h, uint64_t now_ns, uint64_t total);
/* Closed seconds available, at most HISTORY_SECONDS. */
size_t history_count(const struct history *h);
/* Drops in the i-th most recent closed second (0 is the newest). */
uint64_t history_get(const struct history *h, size_t i);
/* The largest of the newest n buckets. */
uint64_t history_peak(const struct history *h, size_t n);

#endif /* TCPDROP_HISTORY_H */
