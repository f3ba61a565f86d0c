/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the command line asks of the kernel link: the loader's configuration built from the
 * options, here and only here, so that the loader knows nothing of the command line.
 */
#ifndef TCPDROP_CONFIG_H
#define TCPDROP_CONFIG_H

#include "tui/cli/cli.h"
#include "tui/kernel/loader.h"

/* The configuration opts ask for; on_event gets the events, with ctx. */
struct loader_config config_loader(const struct options *opts, ring_buffer_sample_fn on_event,
				   void *ctx);

#endif /* TCPDROP_CONFIG_H */
