/* SPDX-License-Identifier: GPL-2.0 */
/* One row of the top sources: a source address, or a network and the addresses it holds. */
#ifndef TCPDROP_ROW_H
#define TCPDROP_ROW_H

#include <stdbool.h>
#include <stdint.h>

/* The family of a row that is an owner, not an address: an AS, or a country. */
#define ROW_FAMILY_AS		0x41	/* addr[0..3]: the AS number, 0 for none known */
#define ROW_FAMILY_COUNTRY	0x43	/* addr[0..1]: the country code, 0 for none known */

struct source_row {
	uint8_t family;		/* 4, 6, or one of the above */
	uint8_t addr[16];
	uint8_t prefix;		/* a network's length; 0 for an address (a full-length prefix) */
	bool recent_only;	/* a top row found only in recent entries: sources_settle */
	uint64_t drops;
	uint64_t bytes;
	uint64_t last_seen_ns;	/* CLOCK_MONOTONIC */
	uint64_t addresses;	/* a network's sources with drops; 0 for an address */
	/* Drops a second: over the last period between two reads of the table, and averaged over
	 * about 10 s and 40 s (rates.h); -1 until a row has been read twice. */
	double rate[3];
	/* Who owns it (lookup/location.h), when the location database knows: the AS, with its
	 * name, and the country. */
	uint32_t asn;
	char cc[3];
	const char *as_name;	/* NULL or "" when none is known */
};

enum source_sort {
	SORT_DROPS,
	SORT_BYTES,
	SORT_RATE,
	SORT_LAST_SEEN,
	SORT_NR,
};

#endif /* TCPDROP_ROW_H */
