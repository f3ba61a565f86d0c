/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Top sources: rows of the kernel's per-source table, counted from the last clear, sorted for
 * display. Clearing keeps a baseline copy of the table instead of deleting kernel entries, so
 * no drop that races with the clear is lost.
 */
#ifndef TCPDROP_SOURCES_H
#define TCPDROP_SOURCES_H

#include <stddef.h>
#include <stdint.h>

struct source_row {
	uint8_t family;
	uint8_t addr[16];
	uint64_t drops;
	uint64_t bytes;
	uint64_t last_seen_ns;	/* CLOCK_MONOTONIC */
};

enum source_sort {
	SORT_DROPS,
	SORT_BYTES,
	SORT_LAST_SEEN,
	SORT_NR,
};

/* Sorts rows, the biggest first; ties broken by address so the order is stable on screen. */
void sources_sort(struct source_row *rows, size_t n, enum source_sort key);

struct sources {
	struct source_row *baseline;	/* the table at the last clear, sorted by address */
	size_t nbaseline;
	struct source_row *rows;	/* since the last clear, in the kernel's order */
	size_t nrows;
	size_t cap;
	uint64_t total_drops;		/* sum of rows[].drops */
};

void sources_free(struct sources *s);
/* Takes a new reading of the kernel table. Returns 0, or -1 out of memory. */
int sources_update(struct sources *s, const struct source_row *table, size_t n);
/* From now on counts start from the table as it is. Returns 0, or -1 out of memory. */
int sources_clear(struct sources *s, const struct source_row *table, size_t n);
/* Copies the first max rows in key's order into top, sorted, without sorting them all.
 * Returns how many. */
size_t sources_top(const struct sources *s, enum source_sort key, struct source_row *top,
		   size_t max);

#endif /* TCPDROP_SOURCES_H */
