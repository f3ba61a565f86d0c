// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>

#include "droplog.h"

static void ring_push(struct event_ring *r, const struct tcpdrop_event *e)
{
	r->slots[r->pushed % DROPLOG_CAPACITY] = *e;
	r->pushed++;
}

static size_t ring_count(const struct event_ring *r)
{
	return r->pushed < DROPLOG_CAPACITY ? r->pushed : DROPLOG_CAPACITY;
}

/* i = 0 is the newest. */
static const struct tcpdrop_event *ring_get(const struct event_ring *r, size_t i)
{
	if (i >= ring_count(r))
		return NULL;
	return &r->slots[(r->pushed - 1 - i) % DROPLOG_CAPACITY];
}

int droplog_init(struct droplog *d)
{
	d->log.slots = calloc(DROPLOG_CAPACITY, sizeof(struct tcpdrop_event));
	d->pending.slots = calloc(DROPLOG_CAPACITY, sizeof(struct tcpdrop_event));
	d->log.pushed = d->pending.pushed = 0;
	d->paused = false;
	if (!d->log.slots || !d->pending.slots) {
		droplog_free(d);
		return -1;
	}
	return 0;
}

void droplog_free(struct droplog *d)
{
	free(d->log.slots);
	free(d->pending.slots);
	d->log.slots = d->pending.slots = NULL;
}

void droplog_push(struct droplog *d, const struct tcpdrop_event *e)
{
	ring_push(d->paused ? &d->pending : &d->log, e);
}

void droplog_pause(struct droplog *d)
{
	d->paused = true;
}

void droplog_resume(struct droplog *d)
{
	size_t n = ring_count(&d->pending);

	/* Oldest first, so the log keeps arrival order. */
	while (n--)
		ring_push(&d->log, ring_get(&d->pending, n));
	d->pending.pushed = 0;
	d->paused = false;
}

void droplog_clear(struct droplog *d)
{
	d->log.pushed = 0;
	d->pending.pushed = 0;
}

size_t droplog_count(const struct droplog *d)
{
	return ring_count(&d->log);
}

const struct tcpdrop_event *droplog_get(const struct droplog *d, size_t i)
{
	return ring_get(&d->log, i);
}

uint64_t droplog_pending(const struct droplog *d)
{
	return d->pending.pushed;
}
