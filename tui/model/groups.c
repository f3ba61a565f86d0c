// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tui/model/groups.h"

static const struct {
	const char *name, *heading;
	uint8_t v4, v6;
} groupings[GROUP_NR] = {
	[GROUP_ADDRESS] = { "address", "SOURCES", 32, 128 },
	[GROUP_NET_SMALL] = { "24", "NETWORKS /24 /64", 24, 64 },
	[GROUP_NET_LARGE] = { "16", "NETWORKS /16 /48", 16, 48 },
	[GROUP_ASN] = { "asn", "AS", 0, 0 },
	[GROUP_COUNTRY] = { "country", "COUNTRIES", 0, 0 },
};

unsigned int group_prefix(enum group_by by, uint8_t family)
{
	return family == 4 ? groupings[by].v4 : groupings[by].v6;
}

const char *group_name(enum group_by by)
{
	return groupings[by].name;
}

const char *group_heading(enum group_by by)
{
	return groupings[by].heading;
}

int group_parse(const char *word, enum group_by *by)
{
	for (int i = 0; i < GROUP_NR; i++)
		if (!strcmp(word, groupings[i].name)) {
			*by = i;
			return 0;
		}
	return -1;
}

/* The row's address with the bits past the prefix cleared. */
static void mask(struct source_row *row, unsigned int prefix)
{
	unsigned int len = row->family == 4 ? 4 : 16;

	for (unsigned int i = 0; i < 16; i++) {
		unsigned int keep = i >= len ? 0 : prefix >= 8 * (i + 1) ? 8 :
				    prefix > 8 * i ? prefix - 8 * i : 0;

		row->addr[i] &= (uint8_t)(0xff00 >> keep);
	}
	row->prefix = prefix;
}

/* The row of the source's owner: its AS, or its country; none known is a row of its own. */
static void owner_key(struct groups *g, struct source_row *row)
{
	struct location_info info;

	location_lookup(g->location, row->family, row->addr, &info);
	memset(row->addr, 0, sizeof(row->addr));
	row->prefix = 0;
	row->asn = 0;
	row->cc[0] = '\0';
	row->as_name = "";
	if (g->by == GROUP_ASN) {
		row->family = ROW_FAMILY_AS;
		memcpy(row->addr, &info.asn, sizeof(info.asn));
		row->asn = info.asn;
		row->as_name = info.as_name;
	} else {
		row->family = ROW_FAMILY_COUNTRY;
		memcpy(row->addr, info.cc, 2);
		memcpy(row->cc, info.cc, 3);
	}
}

static uint64_t hash_of(const struct source_row *row)
{
	uint64_t h = 1469598103934665603ULL ^ row->family;	/* FNV-1a */

	for (int i = 0; i < 16; i++)
		h = (h ^ row->addr[i]) * 1099511628211ULL;
	return h;
}

void groups_begin(struct groups *g, enum group_by by)
{
	g->by = by;
	g->n = 0;
	g->seen_n = 0;
	if (g->rows)
		memset(g->rows, 0, g->cap * sizeof(*g->rows));
	if (g->seen)
		memset(g->seen, 0, g->seen_cap * sizeof(*g->seen));
}

static uint64_t *seen_slot(uint64_t *seen, size_t cap, uint64_t h)
{
	size_t i = h & (cap - 1);

	while (seen[i] && seen[i] != h)
		i = (i + 1) & (cap - 1);
	return &seen[i];
}

/* Whether the address was folded in before; it is from now on. -ENOMEM when it cannot say. */
static int seen_before(struct groups *g, const struct source_row *row)
{
	uint64_t h = hash_of(row), *slot;

	h = h ? h : 1;	/* 0 marks an empty slot */
	if (2 * (g->seen_n + 1) > g->seen_cap) {
		size_t cap = g->seen_cap ? 2 * g->seen_cap : 1024;
		uint64_t *seen = calloc(cap, sizeof(*seen));

		if (!seen)
			return -ENOMEM;
		for (size_t i = 0; i < g->seen_cap; i++)
			if (g->seen[i])
				*seen_slot(seen, cap, g->seen[i]) = g->seen[i];
		free(g->seen);
		g->seen = seen;
		g->seen_cap = cap;
	}
	slot = seen_slot(g->seen, g->seen_cap, h);
	if (*slot)
		return 1;
	*slot = h;
	g->seen_n++;
	return 0;
}

static struct source_row *slot_of(struct source_row *rows, size_t cap,
				  const struct source_row *key)
{
	size_t i = hash_of(key) & (cap - 1);

	while (rows[i].family && (rows[i].family != key->family ||
				  memcmp(rows[i].addr, key->addr, sizeof(key->addr))))
		i = (i + 1) & (cap - 1);
	return &rows[i];
}

/* Twice the slots, every group moved over: at most half full, so probes stay short. */
static int grow(struct groups *g)
{
	size_t cap = g->cap ? 2 * g->cap : 1024;
	struct source_row *rows = calloc(cap, sizeof(*rows));

	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < g->cap; i++)
		if (g->rows[i].family)
			*slot_of(rows, cap, &g->rows[i]) = g->rows[i];
	free(g->rows);
	g->rows = rows;
	g->cap = cap;
	return 0;
}

int groups_add(struct groups *g, const struct source_row *row)
{
	struct source_row key = *row, *slot;
	int seen;

	if (!row->drops)
		return 0;
	seen = seen_before(g, row);
	if (seen < 0 || (2 * (g->n + 1) > g->cap && grow(g)))
		return -ENOMEM;
	if (g->by == GROUP_ASN || g->by == GROUP_COUNTRY)
		owner_key(g, &key);
	else
		mask(&key, group_prefix(g->by, row->family));
	slot = slot_of(g->rows, g->cap, &key);
	if (!slot->family) {
		*slot = key;
		slot->recent_only = false;
		slot->drops = slot->bytes = slot->last_seen_ns = 0;
		slot->addresses = 0;
		g->n++;
	}
	slot->drops += row->drops;
	slot->bytes += row->bytes;
	if (row->last_seen_ns > slot->last_seen_ns)
		slot->last_seen_ns = row->last_seen_ns;
	slot->addresses += !seen;
	return 0;
}

void groups_pack(struct groups *g)
{
	size_t k = 0;

	for (size_t i = 0; i < g->cap; i++)
		if (g->rows[i].family)
			g->rows[k++] = g->rows[i];
	if (k < g->cap)
		memset(g->rows + k, 0, (g->cap - k) * sizeof(*g->rows));
}

void groups_free(struct groups *g)
{
	free(g->rows);
	free(g->seen);
	memset(g, 0, sizeof(*g));
}
