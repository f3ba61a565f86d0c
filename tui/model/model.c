// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "tui/lib/clock.h"
#include "tui/model/model.h"

int model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
	if (droplog_init(&m->log) || port_drops_init(&m->ports)) {
		model_free(m);
		return -ENOMEM;
	}
	return 0;
}

void model_free(struct model *m)
{
	droplog_free(&m->log);
	sources_free(&m->sources);
	port_drops_free(&m->ports);
}

void model_add_event(struct model *m, const struct tcpdrop_event *e)
{
	droplog_push(&m->log, e);
}

void model_sample(struct model *m, const struct counter_values *raw, uint64_t now_ns)
{
	stats_sample(&m->stats, raw, now_ns);
	history_update(&m->history, now_ns, m->stats.total.v[TCPDROP_DROPPED]);
	port_drops_rank(&m->ports);
	m->sampled_ns = now_ns;
	m->realtime_offset_ns = realtime_offset_ns();
}

void model_clear(struct model *m, const struct counter_values *raw, uint64_t now_ns)
{
	stats_clear(&m->stats, raw, now_ns);
	history_reset(&m->history, now_ns, 0);
	droplog_clear(&m->log);
	sources_clear(&m->sources);
	port_drops_clear(&m->ports);
	m->sampled_ns = now_ns;
	m->realtime_offset_ns = realtime_offset_ns();
}

void model_start(struct model *m, const struct counter_values *raw, uint64_t now_ns)
{
	stats_reset(&m->stats, raw, now_ns);
	model_clear(m, raw, now_ns);
}
