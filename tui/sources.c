// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sources.h"

static int cmp_u64_desc(uint64_t a, uint64_t b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int address_cmp(const struct source_row *a, const struct source_row *b)
{
	int c = (int)a->family - (int)b->family;

	return c ? c : memcmp(a->addr, b->addr, sizeof(a->addr));
}

static int address_cmp_void(const void *a, const void *b)
{
	return address_cmp(a, b);
}

static int source_cmp(const struct source_row *a, const struct source_row *b,
		      enum source_sort key)
{
	int c = 0;

	switch (key) {
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
	return c ? c : address_cmp(a, b);
}

static int source_cmp_r(const void *a, const void *b, void *key)
{
	return source_cmp(a, b, *(enum source_sort *)key);
}

void sources_sort(struct source_row *rows, size_t n, enum source_sort key)
{
	if (n > 1)	/* rows may be NULL when empty, which qsort_r must not be given */
		qsort_r(rows, n, sizeof(*rows), source_cmp_r, &key);
}

void sources_free(struct sources *s)
{
	free(s->baseline);
	free(s->next_baseline);
	memset(s, 0, sizeof(*s));
}

void sources_scan_begin(struct sources *s, uint64_t dropped)
{
	memset(&s->scan, 0, sizeof(s->scan));
	s->scan.started_drops = dropped;
	s->scanning = true;
	s->nnext = 0;
}

/* A heap whose root is the row that would be shown last, so a better row replaces it. */
static void sift_down(struct source_row *heap, size_t n, size_t i, enum source_sort key)
{
	for (;;) {
		size_t worst = i, l = 2 * i + 1, r = l + 1;
		struct source_row tmp;

		if (l < n && source_cmp(&heap[l], &heap[worst], key) > 0)
			worst = l;
		if (r < n && source_cmp(&heap[r], &heap[worst], key) > 0)
			worst = r;
		if (worst == i)
			return;
		tmp = heap[i];
		heap[i] = heap[worst];
		heap[worst] = tmp;
		i = worst;
	}
}

static void offer(struct source_summary *sum, enum source_sort key, const struct source_row *row)
{
	struct source_row *heap = sum->top[key];
	size_t *n = &sum->ntop[key];

	if (*n < SOURCES_TOP) {
		heap[(*n)++] = *row;
		if (*n == SOURCES_TOP)	/* full: heapify once, then only replace the root */
			for (size_t j = SOURCES_TOP / 2; j-- > 0;)
				sift_down(heap, SOURCES_TOP, j, key);
	} else if (source_cmp(row, &heap[0], key) < 0) {
		heap[0] = *row;
		sift_down(heap, SOURCES_TOP, 0, key);
	}
}

static int keep_for_baseline(struct sources *s, const struct source_row *rows, size_t n)
{
	if (s->nnext + n > s->capnext) {
		size_t cap = s->capnext ? s->capnext : 1024;
		struct source_row *grown;

		while (cap < s->nnext + n)
			cap *= 2;
		grown = realloc(s->next_baseline, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		s->next_baseline = grown;
		s->capnext = cap;
	}
	memcpy(s->next_baseline + s->nnext, rows, n * sizeof(*rows));
	s->nnext += n;
	return 0;
}

int sources_scan_add(struct sources *s, const struct source_row *rows, size_t n)
{
	if (!s->scanning)
		return 0;
	s->scan.entries += n;
	if (s->as_baseline)	/* nothing counts yet: counting starts from these */
		return keep_for_baseline(s, rows, n);
	for (size_t i = 0; i < n; i++) {
		struct source_row row = rows[i];
		const struct source_row *base = s->nbaseline ?
			bsearch(&row, s->baseline, s->nbaseline, sizeof(row), address_cmp_void) : NULL;

		/* Below its baseline, the kernel evicted the entry and began it anew: all of it
		 * is new since the clear. */
		if (base && row.drops >= base->drops) {
			row.drops -= base->drops;
			row.bytes = row.bytes >= base->bytes ? row.bytes - base->bytes : 0;
		}
		if (!row.drops)
			continue;
		s->scan.total_drops += row.drops;
		for (int key = 0; key < SORT_NR; key++)
			offer(&s->scan, key, &row);
	}
	return 0;
}

int sources_scan_end(struct sources *s)
{
	if (!s->scanning)
		return 0;
	s->scanning = false;
	if (s->as_baseline) {
		struct source_row *base = s->next_baseline;
		uint64_t entries = s->scan.entries;

		if (s->nnext > 1)
			qsort(base, s->nnext, sizeof(*base), address_cmp_void);
		free(s->baseline);
		s->baseline = base;
		s->nbaseline = s->nnext;
		s->next_baseline = NULL;
		s->nnext = s->capnext = 0;
		s->as_baseline = false;
		/* Nothing counts yet, but the table's size is what it is. */
		memset(&s->scan, 0, sizeof(s->scan));
		s->scan.entries = entries;
	}
	for (int key = 0; key < SORT_NR; key++)
		sources_sort(s->scan.top[key], s->scan.ntop[key], key);
	s->done = s->scan;
	return 0;
}

void sources_clear(struct sources *s)
{
	uint64_t entries = s->done.entries;

	/* The table itself is not cleared, so neither is its size: only what counts since. */
	memset(&s->done, 0, sizeof(s->done));
	s->done.entries = entries;
	s->as_baseline = true;
	s->scanning = false;	/* the read in progress counted from the old baseline */
}

size_t sources_top(const struct sources *s, enum source_sort key, struct source_row *top,
		   size_t max)
{
	size_t n = s->done.ntop[key] < max ? s->done.ntop[key] : max;

	memcpy(top, s->done.top[key], n * sizeof(*top));
	return n;
}

uint64_t sources_evicted_drops(const struct sources *s, uint64_t dropped_since_clear)
{
	uint64_t before = s->done.started_drops;

	/* Drops counted before the read began and not in the table have left it. Later drops
	 * may be in the table already: comparing with them would only understate. */
	if (before > dropped_since_clear)
		before = dropped_since_clear;
	return before > s->done.total_drops ? before - s->done.total_drops : 0;
}
