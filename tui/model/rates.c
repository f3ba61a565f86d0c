// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tui/model/rates.h"

static uint64_t key_of(const struct source_row *row)
{
	uint64_t h = 1469598103934665603ULL ^ row->family ^ (uint64_t)row->prefix << 8;

	for (int i = 0; i < 16; i++)
		h = (h ^ row->addr[i]) * 1099511628211ULL;
	return h ? h : 1;
}

static struct rate_state *slot_of(struct rate_state *t, size_t cap, uint64_t key)
{
	size_t i = key & (cap - 1);

	while (t[i].key && t[i].key != key)
		i = (i + 1) & (cap - 1);
	return &t[i];
}

/* Each row gets a fresh table at most half full: the old one is what the rows are rated by. */
static int size_next(struct rates *r, size_t n)
{
	size_t cap = 1024;

	while (cap < 2 * n)
		cap *= 2;
	if (cap != r->next_cap) {
		struct rate_state *t = calloc(cap, sizeof(*t));

		if (!t)
			return -ENOMEM;
		free(r->next);
		r->next = t;
		r->next_cap = cap;
	} else {
		memset(r->next, 0, cap * sizeof(*r->next));
	}
	r->next_n = 0;
	return 0;
}

static float average(float avg, float rate, double dt, double window)
{
	double keep = exp(-dt / window);

	return (float)(avg * keep + rate * (1 - keep));
}

int rates_update(struct rates *r, struct source_row *rows, size_t n, uint64_t now_ns)
{
	double dt = r->prev_ns && now_ns > r->prev_ns ? (now_ns - r->prev_ns) / 1e9 : 0;
	struct rate_state *swap;
	size_t cap;

	for (size_t i = 0; i < n; i++)
		rows[i].rate[0] = rows[i].rate[1] = rows[i].rate[2] = -1;
	if (size_next(r, n))
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct source_row *row = &rows[i];
		uint64_t key = key_of(row);
		struct rate_state *was = r->prev ? slot_of(r->prev, r->prev_cap, key) : NULL;
		struct rate_state *now = slot_of(r->next, r->next_cap, key);

		now->key = key;
		now->drops = row->drops;
		now->rate = now->avg10 = now->avg40 = -1;
		if (was && was->key && dt > 0 && row->drops >= was->drops) {
			now->rate = (row->drops - was->drops) / dt;
			now->avg10 = was->avg10 < 0 ? now->rate : average(was->avg10, now->rate, dt, 10);
			now->avg40 = was->avg40 < 0 ? now->rate : average(was->avg40, now->rate, dt, 40);
		}
		row->rate[0] = now->rate;
		row->rate[1] = now->avg10;
		row->rate[2] = now->avg40;
	}
	swap = r->prev;
	cap = r->prev_cap;
	r->prev = r->next;
	r->prev_cap = r->next_cap;
	r->next = swap;
	r->next_cap = cap;
	r->prev_ns = now_ns;
	return 0;
}

void rates_clear(struct rates *r)
{
	if (r->prev)
		memset(r->prev, 0, r->prev_cap * sizeof(*r->prev));
	r->prev_ns = 0;
}

void rates_free(struct rates *r)
{
	free(r->prev);
	free(r->next);
	memset(r, 0, sizeof(*r));
}
