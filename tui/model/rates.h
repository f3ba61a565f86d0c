/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drop rates of rows (sources or groups): each row's drops compared with its drops at the last
 * read of the table that had it, as iftop does: over the last period between two reads, and
 * averaged over about 10 s and 40 s (exponentially weighted, so that no history of samples
 * need be kept). A row seen for the first time has no rate yet (-1).
 */
#ifndef TCPDROP_RATES_H
#define TCPDROP_RATES_H

#include <stddef.h>
#include <stdint.h>

#include "tui/model/row.h"

struct rate_state {
	uint64_t key;		/* a hash of family, prefix and address; 0: an empty slot */
	uint64_t drops;
	float rate, avg10, avg40;
};

struct rates {
	struct rate_state *prev, *next;	/* the last read's rows, and this one's being filled */
	size_t prev_cap, next_cap, next_n;
	uint64_t prev_ns;		/* when the last read ended; 0: none yet */
};

/* Sets rows' rates from the last read, and keeps their drops for the next. now_ns: when this
 * read ended. Returns 0, or -ENOMEM (rows then keep no rate). */
int rates_update(struct rates *r, struct source_row *rows, size_t n, uint64_t now_ns);
/* Forgets every row: after a clear, rates start again. */
void rates_clear(struct rates *r);
void rates_free(struct rates *r);

#endif /* TCPDROP_RATES_H */
