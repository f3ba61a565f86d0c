// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "tui/model/droplog.h"

int droplog_init(struct droplog *d)
{
	d->slots = calloc(DROPLOG_CAPACITY, sizeof(*d->slots));
	d->pushed = 0;
	return d->slots ? 0 : -1;
}

void droplog_free(struct droplog *d)
{
	free(d->slots);
	d->slots = NULL;
}

void droplog_push(struct droplog *d, const struct tcpdrop_event *e)
{
	d->slots[d->pushed % DROPLOG_CAPACITY] = *e;
	d->pushed++;
}

void droplog_clear(struct droplog *d)
{
	d->pushed = 0;
}

void droplog_copy(struct droplog *dst, const struct droplog *src)
{
	memcpy(dst->slots, src->slots, droplog_count(src) * sizeof(*src->slots));
	dst->pushed = src->pushed;
}

size_t droplog_count(const struct droplog *d)
{
	return d->pushed < DROPLOG_CAPACITY ? d->pushed : DROPLOG_CAPACITY;
}

const struct tcpdrop_event *droplog_get(const struct droplog *d, size_t i)
{
	if (i >= droplog_count(d))
		return NULL;
	return &d->slots[(d->pushed - 1 - i) % DROPLOG_CAPACITY];
}
