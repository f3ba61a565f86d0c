/* SPDX-License-Identifier: GPL-2.0 */
/* One row of the top sources: a source address, or a network and the addresses it holds. */
#ifndef TCPDROP_ROW_H
#define TCPDROP_ROW_H

#include <stdbool.h>
#include <stdint.h>

struct source_row {
	uint8_t family;
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
};

enum source_sort {
	SORT_DROPS,
	SORT_BYTES,
	SORT_RATE,
	SORT_LAST_SEEN,
	SORT_NR,
};

#endif /* TCPDROP_ROW_H */
