// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
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

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int source_cmp(const void *pa, const void *pb, void *key)
{
	const struct source_row *a = pa, *b = pb;
	enum source_sort sort_key = *(enum source_sort *)key;
	int c = 0;

	switch (sort_key) {
	case SORT_BYTES:
		c = cmp_u64_desc(a->bytes, b->bytes);
		break;
	case SORT_LAST_SEEN:
		c = cmp_u64_desc(a->last_seen_ns, b->last_seen_ns);
		break;
	default:
		c = cmp_u64_desc(a->drops, b->drops);
		break;
	}
	if (!c)
		c = cmp_u64_desc(a->drops, b->drops);
	if (!c)
		c = (int)a->family - (int)b->family;
	if (!c)
		c = memcmp(a->addr, b->addr, sizeof(a->addr));
	return c;
}

void sources_sort(struct source_row *rows, size_t n, enum source_sort key)
{
	qsort_r(rows, n, sizeof(*rows), source_cmp, &key);
}

const char *sources_sort_name(enum source_sort key)
{
	static const char *const names[SORT_NR] = { "drops", "bytes", "last seen" };

	return key < SORT_NR ? names[key] : "?";
}
