// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tui/model/portdrops.h"

int port_drops_init(struct port_drops *p)
{
	memset(p, 0, sizeof(*p));
	p->now = calloc(TCPDROP_PORTS, sizeof(*p->now));
	p->base = calloc(TCPDROP_PORTS, sizeof(*p->base));
	if (!p->now || !p->base) {
		port_drops_free(p);
		return -ENOMEM;
	}
	return 0;
}

void port_drops_free(struct port_drops *p)
{
	free(p->now);
	free(p->base);
	memset(p, 0, sizeof(*p));
}

static int before(const struct port_row *a, const struct port_row *b)
{
	return a->drops != b->drops ? a->drops > b->drops : a->port < b->port;
}

void port_drops_rank(struct port_drops *p)
{
	p->ntop = 0;
	if (!p->now)
		return;
	/* An insertion into a short sorted list: a port that makes it is rare after the first. */
	for (size_t port = 0; port < TCPDROP_PORTS; port++) {
		struct port_row row = { .port = port };
		size_t i;

		if (p->now[port] <= p->base[port])
			continue;
		row.drops = p->now[port] - p->base[port];
		if (p->ntop == PORT_DROPS_TOP && !before(&row, &p->top[PORT_DROPS_TOP - 1]))
			continue;
		i = p->ntop < PORT_DROPS_TOP ? p->ntop++ : PORT_DROPS_TOP - 1;
		for (; i > 0 && before(&row, &p->top[i - 1]); i--)
			p->top[i] = p->top[i - 1];
		p->top[i] = row;
	}
}

void port_drops_clear(struct port_drops *p)
{
	if (p->now)
		memcpy(p->base, p->now, TCPDROP_PORTS * sizeof(*p->base));
	p->ntop = 0;
}
