/* SPDX-License-Identifier: GPL-2.0 */
/* The drop log: the newest DROPLOG_CAPACITY drop events, newest first. */
#ifndef TCPDROP_DROPLOG_H
#define TCPDROP_DROPLOG_H

#include <stddef.h>
#include <stdint.h>

#include "common/tcpdrop.h"

#define DROPLOG_CAPACITY	10000

struct droplog {
	struct tcpdrop_event *slots;
	uint64_t pushed;	/* ever pushed; the newest is slots[(pushed - 1) % CAPACITY] */
};

int droplog_init(struct droplog *d);
void droplog_free(struct droplog *d);
void droplog_push(struct droplog *d, const struct tcpdrop_event *e);
void droplog_clear(struct droplog *d);
/* Makes dst (initialised) hold what src holds now: a picture that stands still. */
void droplog_copy(struct droplog *dst, const struct droplog *src);
/* Entries kept: at most DROPLOG_CAPACITY. */
size_t droplog_count(const struct droplog *d);
/* The i-th newest entry (0 is the newest), or NULL past the end. */
const struct tcpdrop_event *droplog_get(const struct droplog *d, size_t i);

#endif /* TCPDROP_DROPLOG_H */
