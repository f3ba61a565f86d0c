/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trusted sources (--except 198.51.100.0/24,2001:db8::/32): TCP from them to a watched port
 * passes. Kept as the keys of the program's longest-prefix-match trie.
 */
#ifndef TCPDROP_EXCEPT_H
#define TCPDROP_EXCEPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tcpdrop.h"

struct except_set {
	size_t n;
	struct tcpdrop_except_key keys[TCPDROP_MAX_EXCEPT];
};

/* Adds a comma-separated list of CIDRs (a bare address is /32 or /128). Returns 0, or -1 with
 * a message for people in err. */
int except_parse(const char *spec, struct except_set *set, char *err, size_t errlen);
/* Whether an address (4 or 16 bytes, network order) falls in one of the prefixes. */
bool except_contains(const struct except_set *set, uint8_t family, const uint8_t *addr);
/* Writes "198.51.100.0/24,2001:db8::/32"; truncated with "..." when it does not fit. */
void except_format(const struct except_set *set, char *buf, size_t len);

#endif /* TCPDROP_EXCEPT_H */
