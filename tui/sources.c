// SPDX-License-Identifier: GPL-2.0
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
	return c ? c : address_cmp(a, b);
}

void sources_sort(struct source_row *rows, size_t n, enum source_sort key)
{
	if (n > 1)	/* rows may be NULL when empty, which qsort_r must not be given */
		qsort_r(rows, n, sizeof(*rows), source_cmp, &key);
}

void sources_free(struct sources *s)
{
	free(s->baseline);
	free(s->rows);
	memset(s, 0, sizeof(*s));
}

static int reserve(struct source_row **rows, size_t *cap, size_t n)
{
	struct source_row *grown;

	if (n <= *cap)
		return 0;
	grown = realloc(*rows, n * sizeof(**rows));
	if (!grown)
		return -1;
	*rows = grown;
	*cap = n;
	return 0;
}

int sources_update(struct sources *s, const struct source_row *table, size_t n)
{
	if (reserve(&s->rows, &s->cap, n))
		return -1;
	s->nrows = 0;
	s->total_drops = 0;
	for (size_t i = 0; i < n; i++) {
		struct source_row row = table[i];
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
		s->rows[s->nrows++] = row;
		s->total_drops += row.drops;
	}
	return 0;
}

int sources_clear(struct sources *s, const struct source_row *table, size_t n)
{
	struct source_row *copy = malloc((n ? n : 1) * sizeof(*copy));

	if (!copy)
		return -1;
	if (n) {
		memcpy(copy, table, n * sizeof(*copy));
		qsort(copy, n, sizeof(*copy), address_cmp_void);
	}
	free(s->baseline);
	s->baseline = copy;
	s->nbaseline = n;
	s->nrows = 0;
	s->total_drops = 0;
	return 0;
}

/* A heap whose root is the row that would be shown last, so a better row replaces it. */
static void sift_down(struct source_row *heap, size_t n, size_t i, enum source_sort *key)
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

size_t sources_top(const struct sources *s, enum source_sort key, struct source_row *top,
		   size_t max)
{
	size_t n = 0;

	if (!max)
		return 0;
	for (size_t i = 0; i < s->nrows; i++) {
		if (n < max) {
			top[n++] = s->rows[i];
			if (n == max)	/* full: heapify once, then only replace the root */
				for (size_t j = n / 2; j-- > 0;)
					sift_down(top, n, j, &key);
		} else if (source_cmp(&s->rows[i], &top[0], &key) < 0) {
			top[0] = s->rows[i];
			sift_down(top, n, 0, &key);
		}
	}
	sources_sort(top, n, key);
	return n;
}
