/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Top sources: the kernel's per-source counts, counted from the last clear. They are in two
 * places (common/tcpdrop.h): a table that can hold millions of sources, read in chunks
 * (sources_scan_*), a few per pass of the run loop, and every CPU's recent sources, read
 * whole after it (sources_scan_recent); a source's row is the sum of its parts. Both are
 * folded as they come into what the views need: the top rows by each sort key and the sum of
 * drops. No copy of the table is kept. A clear is the kernel's (a new generation of counts),
 * so nothing here needs the old ones.
 */
#ifndef TCPDROP_SOURCES_H
#define TCPDROP_SOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/model/groups.h"
#include "tui/model/rates.h"
#include "tui/model/row.h"

#define SOURCES_TOP	256	/* top rows kept by each key: more than any screen shows */

/* A row as people read it: "198.51.100.7", a network, "198.51.100.0/24", an AS, "AS64496
 * NAME", or a country, "DE". */
#define SOURCES_LABEL_LEN	52	/* an IPv6 address, "/128" and the NUL */
void sources_label(const struct source_row *row, char buf[SOURCES_LABEL_LEN]);

/* Sorts rows, the biggest first; ties broken by address so the order is stable on screen. */
void sources_sort(struct source_row *rows, size_t n, enum source_sort key);

/* What one full read of the table found. */
struct source_summary {
	enum group_by by;	/* what a row is: an address, or a network and its addresses */
	struct source_row top[SORT_NR][SOURCES_TOP];	/* each sorted by its key */
	size_t ntop[SORT_NR];
	uint64_t total_drops;	/* drops since the clear of the sources that have a row */
	/* Entries in the table, and sources in the recent entries: one that has both is in twice,
	 * which only a source that left its entry for the table and came back has. */
	uint64_t entries;
	uint64_t table_entries;	/* of them, the table's: what --max-sources bounds */
	uint64_t started_drops;	/* the dropped counter when the read began: see untracked */
};

struct sources {
	struct source_summary done;	/* the last complete read */
	struct source_summary scan;	/* the read in progress */
	bool scanning;
	struct source_row *merged;	/* scratch: the recent entries, one row a source */
	size_t cap_merged;
	enum group_by by;		/* the grouping the next read is made by */
	struct location *location;	/* who owns an address; NULL: no database */
	struct groups groups;		/* the read in progress, grouped (unless by address) */
	struct rates rates;		/* each row's drops at the last read, for its rates */
};

void sources_free(struct sources *s);
/* The next read groups its rows by by; the one in progress is dropped. */
void sources_group_by(struct sources *s, enum group_by by);
/* A new read of the table begins; dropped is the kernel's dropped counter now. */
void sources_scan_begin(struct sources *s, uint64_t dropped);
/* Folds one chunk of the table in; rows without drops since the clear are skipped. */
int sources_scan_add(struct sources *s, const struct source_row *rows, size_t n);
/*
 * Folds in every CPU's recent entries, read after the whole table (one row an entry, a source
 * in several). A source's entries are added up, and added to its table row among the top
 * rows; a source not there is offered as a row of its own, marked recent_only, for its table
 * part to be added by sources_settle(). Returns 0, or -ENOMEM.
 */
int sources_scan_recent(struct sources *s, const struct source_row *rows, size_t n);
/*
 * The top rows marked recent_only, once each and sorted by address, into out (at most max): the
 * sources whose table part the caller looks up, after the read it gave sources_scan_recent().
 * Returns how many.
 */
size_t sources_recent_only(const struct sources *s, struct source_row *out, size_t max);
/*
 * Sets each recent_only top row to its table part, as looked up (parts: what
 * sources_recent_only() gave, with the table's counts in them; zero for a source it has not),
 * plus its recent entries as read again after the lookups
 * (rows: one row an entry). Read in that order, a source's drops that move from its entries to
 * the table meanwhile are counted once or missed, never twice. Returns 0, or -ENOMEM.
 */
int sources_settle(struct sources *s, const struct source_row *parts, size_t nparts,
		   const struct source_row *rows, size_t n);
/* The read is complete, at now_ns: its summary, each row with its rates, replaces the last.
 * Returns 0, or -ENOMEM. */
int sources_scan_end(struct sources *s, uint64_t now_ns);
/* Forgets what was read: the views show no rows until the next complete read. */
void sources_clear(struct sources *s);
/* Copies the first max rows in key's order into top. Returns how many. */
size_t sources_top(const struct sources *s, enum source_sort key, struct source_row *top,
		   size_t max);
/* Drops since the clear that belong to no source's row (as of the last read): sources seen
 * once, or evicted from the table. dropped is the exact counter since the clear. Never more
 * than there are. */
uint64_t sources_untracked_drops(const struct sources *s, uint64_t dropped_since_clear);

#endif /* TCPDROP_SOURCES_H */
