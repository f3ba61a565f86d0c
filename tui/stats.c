// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "stats.h"

void stats_reset(struct stats *s, const struct counter_values *raw, uint64_t now_ns)
{
	memset(s, 0, sizeof(*s));
	s->base = *raw;
	s->prev_ns = now_ns;
}

void stats_sample(struct stats *s, const struct counter_values *raw, uint64_t now_ns)
{
	double dt = (now_ns - s->prev_ns) / 1e9;

	for (int i = 0; i < TCPDROP_NR_COUNTERS; i++) {
		/* Raw per-CPU sums only grow; a raw value below base cannot happen, but must not
		 * print as 18 quintillion if it ever does. */
		uint64_t total = raw->v[i] >= s->base.v[i] ? raw->v[i] - s->base.v[i] : 0;

		s->total.v[i] = total;
		if (dt > 0)
			s->rate[i] = (total - s->prev.v[i]) / dt;
		s->prev.v[i] = total;
	}
	if (dt > 0)
		s->prev_ns = now_ns;
}
