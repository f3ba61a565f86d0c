/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Top sources: the kernel's per-source table, counted from the last clear. The table can hold
 * millions of entries, so it is read in chunks (sources_scan_*), a few per pass of the run loop,
 * and folded as it comes into what the views need: the top rows by each sort key and the sum
 * of drops. No copy of the whole table is kept, except the baseline taken at a clear, which
 * keeps drops that race with the clear instead of deleting kernel entries.
 */
#ifndef TCPDROP_SOURCES_H
#define TCPDROP_SOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SOURCES_TOP	256	/* top rows kept by each key: more than any screen shows */

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

/* What one full read of the table found. */
struct source_summary {
	struct source_row top[SORT_NR][SOURCES_TOP];	/* each sorted by its key */
	size_t ntop[SORT_NR];
	uint64_t total_drops;	/* drops since the clear of the sources in the table */
	uint64_t entries;	/* entries in the table; a clear keeps it (the table stays) */
	uint64_t started_drops;	/* the dropped counter when the read began: see evicted */
};

struct sources {
	struct source_row *baseline;	/* the table at the last clear, sorted by address */
	size_t nbaseline;
	struct source_summary done;	/* the last complete read */
	struct source_summary scan;	/* the read in progress */
	bool scanning;
	bool as_baseline;		/* the read in progress becomes the baseline */
	struct source_row *next_baseline;
	size_t nnext, capnext;
};

void sources_free(struct sources *s);
/* A new read of the table begins; dropped is the kernel's dropped counter now. */
void sources_scan_begin(struct sources *s, uint64_t dropped);
/* Folds one chunk of the table in. Returns 0, or -ENOMEM. */
int sources_scan_add(struct sources *s, const struct source_row *rows, size_t n);
/* The read is complete: its summary replaces the last. */
int sources_scan_end(struct sources *s);
/* From the next complete read on, counts start from the table as that read finds it; until
 * then the views show no rows. */
void sources_clear(struct sources *s);
/* Copies the first max rows in key's order into top. Returns how many. */
size_t sources_top(const struct sources *s, enum source_sort key, struct source_row *top,
		   size_t max);
/* Drops since the clear that belong to sources no longer in the table (as of the last read):
 * dropped is the exact counter since the clear. Never more than there are. */
uint64_t sources_evicted_drops(const struct sources *s, uint64_t dropped_since_clear);

#endif /* TCPDROP_SOURCES_H */
