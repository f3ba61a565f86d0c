/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What tcpdrop-top knows about the drops, each fact once: counters and rates, the sparkline's
 * history, top sources and the drop log. It is fed plain readings and events, and knows nothing
 * of curses or BPF, so it is tested on plain numbers; every view reads it.
 */
#ifndef TCPDROP_MODEL_H
#define TCPDROP_MODEL_H

#include "tui/model/droplog.h"
#include "tui/model/history.h"
#include "tui/model/portdrops.h"
#include "tui/model/sources.h"
#include "tui/model/stats.h"

struct model {
	struct stats stats;
	struct history history;
	struct sources sources;
	struct port_drops ports;	/* ports.now is read into before each sample and clear */
	struct droplog log;
	uint64_t sampled_ns;		/* CLOCK_MONOTONIC of the last reading */
	uint64_t realtime_offset_ns;	/* turns event stamps into wall-clock time */
};

/* Returns 0, or -ENOMEM. */
int model_init(struct model *m);
void model_free(struct model *m);
void model_add_event(struct model *m, const struct tcpdrop_event *e);
/* Takes the counters of a new period. The source table comes in chunks: m->sources. */
void model_sample(struct model *m, const struct counter_values *raw, uint64_t now_ns);
/* Counting starts again from the counters as they are: counters, history, sources and log
 * from zero. The counters since the start (stats.since_start) go on. */
void model_clear(struct model *m, const struct counter_values *raw, uint64_t now_ns);
/* The run's first reading: a clear that the counters since the start count from too. */
void model_start(struct model *m, const struct counter_values *raw, uint64_t now_ns);

#endif /* TCPDROP_MODEL_H */
