/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drops per destination port: the kernel's exact count of each port since the start, as last
 * read, and the ports that dropped most since the last clear. Plain numbers, like the rest of
 * the model.
 */
#ifndef TCPDROP_PORTDROPS_H
#define TCPDROP_PORTDROPS_H

#include <stddef.h>
#include <stdint.h>

#include "common/tcpdrop.h"

#define PORT_DROPS_TOP	10	/* ports ranked: the live view's strip and NDJSON's top_ports */

struct port_row {
	uint16_t port;
	uint64_t drops;		/* since the clear */
};

struct port_drops {
	uint64_t *now;		/* TCPDROP_PORTS: since the start, as last read */
	uint64_t *base;		/* TCPDROP_PORTS: at the last clear */
	struct port_row top[PORT_DROPS_TOP];	/* most drops first, then the lower port */
	size_t ntop;
};

/* Returns 0, or -ENOMEM. */
int port_drops_init(struct port_drops *p);
void port_drops_free(struct port_drops *p);
/* Ranks the ports by their drops since the clear, once p->now holds a new reading. */
void port_drops_rank(struct port_drops *p);
/* Counting starts again from p->now. */
void port_drops_clear(struct port_drops *p);

#endif /* TCPDROP_PORTDROPS_H */
