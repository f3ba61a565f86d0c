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
/*
 * The longest text ports_format() can write, without its NUL: every run of ports ("80",
 * "9000-9010") but the last has an unwatched port after it, so there are at most 32768 runs,
 * each at most 11 bytes ("65534-65535") and a comma.
 */
#define PORTS_TEXT_MAX	(65536 / 2 * 12)

/*
 * Writes "4040,8080,9000-9010" and returns the length of the whole text, as snprintf does: when
 * that is len or more, buf holds its start cut with "..." (a title's short form). A buffer of
 * PORTS_TEXT_MAX + 1 bytes always holds it whole.
 */
size_t ports_format(const struct port_set *set, char *buf, size_t len);
/* The whole text in a new string, for free(); NULL when out of memory. */
char *ports_format_alloc(const struct port_set *set);

#endif /* TCPDROP_PORTS_H */
