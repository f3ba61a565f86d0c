/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sources grouped by network: each source's row folded into the row of its /24 (IPv4) and /64
 * (IPv6), or /16 and /48, as the table is read. A group's counts are its sources' added up, and
 * it knows how many addresses it holds. Nothing in the kernel changes: the grouping is done where
 * the table is read.
 */
#ifndef TCPDROP_GROUPS_H
#define TCPDROP_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "tui/lookup/location.h"
#include "tui/model/row.h"

enum group_by {
	GROUP_ADDRESS,		/* one row an address: no grouping */
	GROUP_NET_SMALL,	/* /24 and /64 */
	GROUP_NET_LARGE,	/* /16 and /48 */
	GROUP_ASN,		/* the owner's AS, from the location database */
	GROUP_COUNTRY,		/* the country, from it too */
	GROUP_NR,
};

/* The prefix length a family's addresses are grouped by (the full length for GROUP_ADDRESS). */
unsigned int group_prefix(enum group_by by, uint8_t family);
/* The --group word and the heading of each grouping: "address", "24", "16", "asn", "country";
 * "SOURCES", "NETWORKS /24 /64", "NETWORKS /16 /48", "AS", "COUNTRIES". */
const char *group_name(enum group_by by);
const char *group_heading(enum group_by by);
/* --group's word back to its grouping: 0, or -1 for a word that names none. */
int group_parse(const char *word, enum group_by *by);

/* The groups of one read of the table, in an open-addressed table that grows as needed. */
struct groups {
	enum group_by by;
	struct location *location;	/* for GROUP_ASN and GROUP_COUNTRY; NULL: none known */
	struct source_row *rows;	/* addr masked to the prefix; addresses: how many */
	size_t n, cap;			/* rows used, slots (a power of two, or 0) */
	/* The addresses folded in so far, as 64-bit hashes: a source whose counts are in the
	 * table and in recent entries too is one address, not two. */
	uint64_t *seen;
	size_t seen_n, seen_cap;
};

/* Empties g for a new read by by. */
void groups_begin(struct groups *g, enum group_by by);
/* Folds a source's row (its table part, or its recent entries) into its group. Returns 0,
 * or -ENOMEM. */
int groups_add(struct groups *g, const struct source_row *row);
/* The groups as rows: g->rows, the empty slots moved to the end; g->n of them. */
void groups_pack(struct groups *g);
void groups_free(struct groups *g);

#endif /* TCPDROP_GROUPS_H */
