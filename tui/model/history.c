// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "tui/model/history.h"

void history_reset(struct history *h, uint64_t now_ns, uint64_t total)
{
	memset(h, 0, sizeof(*h));
	h->second = now_ns / 1000000000ULL;
	h->total_at_second = total;
}

void history_update(struct history *h, uint64_t now_ns, uint64_t total)
{
	uint64_t now_s = now_ns / 1000000000ULL, seconds, delta, share;

	if (now_s <= h->second)
		return;
	seconds = now_s - h->second;
	delta = total >= h->total_at_second ? total - h->total_at_second : 0;
	if (seconds > HISTORY_SECONDS) {
		/* Only the newest HISTORY_SECONDS buckets survive; give them their share. */
		delta = delta / seconds * HISTORY_SECONDS;
		seconds = HISTORY_SECONDS;
	}
	for (uint64_t i = 0; i < seconds; i++) {
		/* The remainder goes to the newest seconds, so the buckets add up to delta. */
		share = delta / seconds + (i >= seconds - delta % seconds ? 1 : 0);
		h->buckets[h->filled % HISTORY_SECONDS] = share;
		h->filled++;
	}
	h->second = now_s;
	h->total_at_second = total;
}

size_t history_count(const struct history *h)
{
	return h->filled < HISTORY_SECONDS ? h->filled : HISTORY_SECONDS;
}

uint64_t history_get(const struct history *h, size_t i)
{
	if (i >= history_count(h))
		return 0;
	return h->buckets[(h->filled - 1 - i) % HISTORY_SECONDS];
}

uint64_t history_peak(const struct history *h, size_t n)
{
	uint64_t peak = 0;

	for (size_t i = 0; i < n && i < history_count(h); i++)
		if (history_get(h, i) > peak)
			peak = history_get(h, i);
	return peak;
}
