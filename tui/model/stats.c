// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "tui/model/stats.h"

/* Raw per-CPU sums only grow; a raw value below its base cannot happen, but must not print as
 * 18 quintillion if it ever does. */
static uint64_t since(uint64_t raw, uint64_t base)
{
	return raw >= base ? raw - base : 0;
}

void stats_reset(struct stats *s, const struct counter_values *raw, uint64_t now_ns)
{
	memset(s, 0, sizeof(*s));
	s->base = *raw;
	s->start = *raw;
	s->prev_ns = now_ns;
}

void stats_clear(struct stats *s, const struct counter_values *raw, uint64_t now_ns)
{
	struct counter_values start = s->start;

	stats_reset(s, raw, now_ns);
	s->start = start;
	for (int i = 0; i < TCPDROP_NR_COUNTERS; i++)
		s->since_start.v[i] = since(raw->v[i], start.v[i]);
}

void stats_sample(struct stats *s, const struct counter_values *raw, uint64_t now_ns)
{
	double dt = (now_ns - s->prev_ns) / 1e9;

	for (int i = 0; i < TCPDROP_NR_COUNTERS; i++) {
		uint64_t total = since(raw->v[i], s->base.v[i]);

		s->total.v[i] = total;
		s->since_start.v[i] = since(raw->v[i], s->start.v[i]);
		if (dt > 0)
			s->rate[i] = (total - s->prev.v[i]) / dt;
		s->prev.v[i] = total;
	}
	if (dt > 0)
		s->prev_ns = now_ns;
}
