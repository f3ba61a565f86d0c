/* SPDX-License-Identifier: GPL-2.0 */
/* The watched port set: parsed from "-p 4040,8080,9000-9010" into one bit per port. */
#ifndef TCPDROP_PORTS_H
#define TCPDROP_PORTS_H

#include <stddef.h>
#include <stdint.h>

#include "common/tcpdrop.h"

struct port_set {
	uint64_t bits[TCPDROP_PORT_WORDS];
};

/* Returns 0, or -1 with a message for people in err. */
int ports_parse(const char *spec, struct port_set *set, char *err, size_t errlen);
void ports_add(struct port_set *set, unsigned int port);
int ports_contains(const struct port_set *set, unsigned int port);
/* Writes "4040,8080,9000-9010"; truncated with "..." when it does not fit. */
void ports_format(const struct port_set *set, char *buf, size_t len);

#endif /* TCPDROP_PORTS_H */
