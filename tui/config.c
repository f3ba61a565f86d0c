// SPDX-License-Identifier: GPL-2.0
#include "tui/config.h"

struct loader_config config_loader(const struct options *opts, ring_buffer_sample_fn on_event,
				   void *ctx)
{
	return (struct loader_config){
		.ports = &opts->ports,
		.excepts = &opts->excepts,
		.dry_run = opts->dry_run,
		.throttle_events = !opts->every_event,
		.event_rate = opts->event_rate,
		.ring_bytes = opts->ring_bytes,
		.max_sources = opts->max_sources,
		.capture_bytes = opts->pcap_path ? opts->snaplen : 0,
		.on_event = on_event,
		.ctx = ctx,
	};
}
