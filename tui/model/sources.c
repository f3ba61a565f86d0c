// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/lib/format.h"
#include "tui/model/sources.h"

void sources_label(const struct source_row *row, char buf[SOURCES_LABEL_LEN])
{
	char addr[FORMAT_ADDR_LEN];

	if (row->family == ROW_FAMILY_AS) {
		if (!row->asn)
			snprintf(buf, SOURCES_LABEL_LEN, "no AS known");
		else
			snprintf(buf, SOURCES_LABEL_LEN, "AS%u %s", row->asn,
				 row->as_name ? row->as_name : "");
		return;
	}
	if (row->family == ROW_FAMILY_COUNTRY) {
		snprintf(buf, SOURCES_LABEL_LEN, "%s", row->cc[0] ? row->cc : "no country known");
		return;
	}
	format_addr(row->family, row->addr, addr);
	if (row->prefix)
		snprintf(buf, SOURCES_LABEL_LEN, "%s/%u", addr, row->prefix);
	else
		snprintf(buf, SOURCES_LABEL_LEN, "%s", addr);
}

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

static int cmp_double_desc(double a, double b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int source_cmp(const struct source_row *a, const struct source_row *b,
		      enum source_sort key)
{
	int c = 0;

	switch (key) {
	case SORT_BYTES:
		c = cmp_u64_desc(a->bytes, b->bytes);
		break;
	case SORT_RATE:
		c = cmp_double_desc(a->rate[0], b->rate[0]);
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
	free(s->merged);
	groups_free(&s->groups);
	rates_free(&s->rates);
	memset(s, 0, sizeof(*s));
}

void sources_group_by(struct sources *s, enum group_by by)
{
	s->by = by;
	s->scanning = false;
	rates_clear(&s->rates);	/* a row of another grouping is another row */
}

void sources_scan_begin(struct sources *s, uint64_t dropped)
{
	memset(&s->scan, 0, sizeof(s->scan));
	s->scan.by = s->by;
	s->scan.started_drops = dropped;
	s->scanning = true;
	groups_begin(&s->groups, s->by);
	s->groups.location = s->location;
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

static void heapify(struct source_row *heap, size_t n, enum source_sort key)
{
	for (size_t j = n / 2; j-- > 0;)
		sift_down(heap, n, j, key);
}

static void offer(struct source_summary *sum, enum source_sort key, const struct source_row *row)
{
	struct source_row *heap = sum->top[key];
	size_t *n = &sum->ntop[key];

	if (*n < SOURCES_TOP) {
		heap[(*n)++] = *row;
		if (*n == SOURCES_TOP)	/* full: heapify once, then only replace the root */
			heapify(heap, SOURCES_TOP, key);
	} else if (source_cmp(row, &heap[0], key) < 0) {
		heap[0] = *row;
		sift_down(heap, SOURCES_TOP, 0, key);
	}
}

int sources_scan_add(struct sources *s, const struct source_row *rows, size_t n)
{
	if (!s->scanning)
		return 0;
	s->scan.entries += n;
	s->scan.table_entries += n;
	for (size_t i = 0; i < n; i++) {
		if (!rows[i].drops)	/* nothing since the clear */
			continue;
		s->scan.total_drops += rows[i].drops;
		if (s->scan.by != GROUP_ADDRESS) {
			if (groups_add(&s->groups, &rows[i]))
				return -ENOMEM;
			continue;
		}
		/* By rate they are ranked at the end, once their rates are known. */
		for (int key = 0; key < SORT_NR; key++)
			if (key != SORT_RATE)
				offer(&s->scan, key, &rows[i]);
	}
	return 0;
}

/* a's counts added to row's: drops and bytes add up, the last seen is the later. */
static void add_counts(struct source_row *row, const struct source_row *a)
{
	row->drops += a->drops;
	row->bytes += a->bytes;
	if (a->last_seen_ns > row->last_seen_ns)
		row->last_seen_ns = a->last_seen_ns;
}

/* rows, one an entry, as one row a source in s->merged, sorted by address. Returns how many,
 * or -ENOMEM. */
static long merge_by_address(struct sources *s, const struct source_row *rows, size_t n)
{
	size_t m = 0;

	if (n > s->cap_merged) {
		struct source_row *grown = realloc(s->merged, n * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		s->merged = grown;
		s->cap_merged = n;
	}
	if (n)
		memcpy(s->merged, rows, n * sizeof(*rows));
	if (n > 1)
		qsort(s->merged, n, sizeof(*rows), address_cmp_void);
	for (size_t i = 0; i < n; i++) {
		if (m && !address_cmp(&s->merged[m - 1], &s->merged[i]))
			add_counts(&s->merged[m - 1], &s->merged[i]);
		else
			s->merged[m++] = s->merged[i];
	}
	return (long)m;
}

static struct source_row *find_merged(const struct sources *s, size_t n,
				      const struct source_row *row)
{
	return n ? bsearch(row, s->merged, n, sizeof(*row), address_cmp_void) : NULL;
}

int sources_scan_recent(struct sources *s, const struct source_row *rows, size_t n)
{
	long m;

	if (!s->scanning)
		return 0;
	m = merge_by_address(s, rows, n);
	if (m < 0)
		return (int)m;
	s->scan.entries += m;
	if (s->scan.by != GROUP_ADDRESS) {
		/* A source's table part is in its group already: its entries add the rest. */
		for (long i = 0; i < m; i++) {
			s->scan.total_drops += s->merged[i].drops;
			if (groups_add(&s->groups, &s->merged[i]))
				return -ENOMEM;
		}
		return 0;
	}
	/* A source among the top rows already has its table part there: add the rest, and
	 * offer it no more (recent_only 2 marks it taken; reset below). */
	for (int key = 0; key < SORT_NR; key++) {
		for (size_t i = 0; i < s->scan.ntop[key]; i++) {
			struct source_row *top = &s->scan.top[key][i];
			struct source_row *r = find_merged(s, (size_t)m, top);

			if (r) {
				add_counts(top, r);
				r->recent_only = true;
			}
		}
		if (s->scan.ntop[key] == SOURCES_TOP)
			heapify(s->scan.top[key], SOURCES_TOP, key);
	}
	for (long i = 0; i < m; i++) {
		struct source_row row = s->merged[i];

		s->scan.total_drops += row.drops;
		if (row.recent_only || !row.drops)	/* nothing since the clear */
			continue;
		row.recent_only = true;
		for (int key = 0; key < SORT_NR; key++)
			if (key != SORT_RATE)
				offer(&s->scan, key, &row);
	}
	return 0;
}

size_t sources_recent_only(const struct sources *s, struct source_row *out, size_t max)
{
	size_t n = 0;

	for (int key = 0; key < SORT_NR; key++)
		for (size_t i = 0; i < s->scan.ntop[key]; i++) {
			const struct source_row *top = &s->scan.top[key][i];
			bool seen = false;

			if (!top->recent_only)
				continue;
			for (size_t j = 0; j < n && !seen; j++)
				seen = !address_cmp(&out[j], top);
			if (!seen && n < max)
				out[n++] = *top;
		}
	if (n > 1)	/* for sources_settle's bsearch */
		qsort(out, n, sizeof(*out), address_cmp_void);
	return n;
}

int sources_settle(struct sources *s, const struct source_row *parts, size_t nparts,
		   const struct source_row *rows, size_t n)
{
	long m = merge_by_address(s, rows, n);

	if (m < 0)
		return (int)m;
	for (int key = 0; key < SORT_NR; key++)
		for (size_t i = 0; i < s->scan.ntop[key]; i++) {
			struct source_row *top = &s->scan.top[key][i];
			const struct source_row *r = find_merged(s, (size_t)m, top), *part;

			if (!top->recent_only)
				continue;
			part = nparts ? bsearch(top, parts, nparts, sizeof(*top),
						address_cmp_void) : NULL;
			top->drops = top->bytes = top->last_seen_ns = 0;
			if (part)
				add_counts(top, part);
			if (r)
				add_counts(top, r);
			top->recent_only = false;
		}
	return 0;
}

/* Rows left without drops (a source whose entries were given away meanwhile) go. */
static void drop_empty(struct source_row *rows, size_t *n)
{
	size_t k = 0;

	for (size_t i = 0; i < *n; i++)
		if (rows[i].drops)
			rows[k++] = rows[i];
	*n = k;
}

/* Sorted rows, each once: a source is in the top rows of several keys, with the same counts. */
static size_t dedup(struct source_row *rows, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (!k || address_cmp(&rows[k - 1], &rows[i]))
			rows[k++] = rows[i];
	return k;
}

/*
 * Networks: every group is rated, then ranked by each key. Addresses: only the top rows by
 * drops, bytes and last seen are rated (the table may hold millions), and ranked by rate among
 * themselves: a source dropping now is among the last seen.
 */
static int rate_and_rank(struct sources *s, uint64_t now_ns)
{
	struct source_summary *sum = &s->scan;
	struct source_row *rows;
	size_t n = 0;
	int err;

	if (sum->by != GROUP_ADDRESS) {
		groups_pack(&s->groups);
		rows = s->groups.rows;
		n = s->groups.n;
	} else {
		/* The top rows, one a source, in the scratch of merge_by_address. */
		size_t want = SORT_NR * SOURCES_TOP;

		if (want > s->cap_merged) {
			struct source_row *grown = realloc(s->merged, want * sizeof(*grown));

			if (!grown)
				return -ENOMEM;
			s->merged = grown;
			s->cap_merged = want;
		}
		for (int key = 0; key < SORT_NR; key++)
			for (size_t i = 0; i < sum->ntop[key]; i++)
				s->merged[n++] = sum->top[key][i];
		if (n > 1)
			qsort(s->merged, n, sizeof(*s->merged), address_cmp_void);
		n = dedup(s->merged, n);
		rows = s->merged;
	}
	err = rates_update(&s->rates, rows, n, now_ns);
	if (sum->by != GROUP_ADDRESS) {
		for (size_t i = 0; i < n; i++)
			for (int key = 0; key < SORT_NR; key++)
				offer(sum, key, &rows[i]);
		return err;
	}
	for (int key = 0; key < SORT_NR; key++)
		for (size_t i = 0; i < sum->ntop[key]; i++) {
			struct source_row *top = &sum->top[key][i];
			const struct source_row *r = find_merged(s, n, top);

			if (r)
				memcpy(top->rate, r->rate, sizeof(top->rate));
		}
	for (size_t i = 0; i < n; i++)
		offer(sum, SORT_RATE, &rows[i]);
	return err;
}

/* An address's or a network's owner, for the top rows only: the lookups are cached. */
static void name_owner(struct sources *s, struct source_row *row)
{
	struct location_info info;

	if (!s->location || (row->family != 4 && row->family != 6) ||
	    !location_lookup(s->location, row->family, row->addr, &info))
		return;
	row->asn = info.asn;
	memcpy(row->cc, info.cc, sizeof(row->cc));
	row->as_name = info.as_name;
}

int sources_scan_end(struct sources *s, uint64_t now_ns)
{
	int err;

	if (!s->scanning)
		return 0;
	s->scanning = false;
	for (int key = 0; key < SORT_NR; key++) {
		drop_empty(s->scan.top[key], &s->scan.ntop[key]);
		for (size_t i = 0; i < s->scan.ntop[key]; i++)
			s->scan.top[key][i].recent_only = false;
	}
	err = rate_and_rank(s, now_ns);
	for (int key = 0; key < SORT_NR; key++) {
		sources_sort(s->scan.top[key], s->scan.ntop[key], key);
		for (size_t i = 0; i < s->scan.ntop[key]; i++)
			name_owner(s, &s->scan.top[key][i]);
	}
	s->done = s->scan;
	return err;
}

void sources_clear(struct sources *s)
{
	uint64_t entries = s->done.entries, table_entries = s->done.table_entries;

	/* The table itself is not cleared, so neither is its size: only what counts since. */
	memset(&s->done, 0, sizeof(s->done));
	s->done.entries = entries;
	s->done.table_entries = table_entries;
	s->done.by = s->by;
	s->scanning = false;	/* the read in progress counted from before the clear */
	rates_clear(&s->rates);
}

size_t sources_top(const struct sources *s, enum source_sort key, struct source_row *top,
		   size_t max)
{
	size_t n = s->done.ntop[key] < max ? s->done.ntop[key] : max;

	memcpy(top, s->done.top[key], n * sizeof(*top));
	return n;
}

uint64_t sources_untracked_drops(const struct sources *s, uint64_t dropped_since_clear)
{
	uint64_t before = s->done.started_drops;

	/* Drops counted before the read began and in no row have none. Later drops may be in a
	 * row already: comparing with them would only understate. */
	if (before > dropped_since_clear)
		before = dropped_since_clear;
	return before > s->done.total_drops ? before - s->done.total_drops : 0;
}
