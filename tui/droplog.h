/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live drop log: the newest DROPLOG_CAPACITY drop events, newest first. While paused, the
 * visible log stands still and new events wait in a second ring of the same size; on resume
 * they join the log, which then holds exactly what it would hold had it never paused.
 */
#ifndef TCPDROP_DROPLOG_H
#define TCPDROP_DROPLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tcpdrop.h"

#define DROPLOG_CAPACITY	10000

struct event_ring {
	struct tcpdrop_event *slots;
	uint64_t pushed;	/* ever pushed; the newest is slots[(pushed - 1) % CAPACITY] */
};

struct droplog {
	struct event_ring log;
	struct event_ring pending;	/* events that arrived while paused */
	bool paused;
};

int droplog_init(struct droplog *d);
void droplog_free(struct droplog *d);
void droplog_push(struct droplog *d, const struct tcpdrop_event *e);
void droplog_pause(struct droplog *d);
void droplog_resume(struct droplog *d);
void droplog_clear(struct droplog *d);
/* Entries shown: at most DROPLOG_CAPACITY. */
size_t droplog_count(const struct droplog *d);
/* The i-th newest shown entry (0 is the newest), or NULL past the end. */
const struct tcpdrop_event *droplog_get(const struct droplog *d, size_t i);
/* Events waiting while paused, counted even when more than the ring keeps. */
uint64_t droplog_pending(const struct droplog *d);

#endif /* TCPDROP_DROPLOG_H */
