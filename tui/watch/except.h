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

/* Zeroed is empty; except_free() releases what adding took. */
struct except_set {
	size_t n, cap;
	struct tcpdrop_except_key *keys;	/* in the order given */
	uint32_t *slots;	/* 2 * cap, open addressing over keys: index + 1, or 0 when free */
	/* The prefix lengths the set holds, a bit each, for IPv4 ([0]) and IPv6 ([1]): an
	 * address is looked up once for each, as the kernel's trie would match it. */
	uint64_t lengths[2][3];
};

void except_free(struct except_set *set);
/* Whether the set holds this very prefix (not: an address inside it). */
bool except_has(const struct except_set *set, const struct tcpdrop_except_key *key);

/* Adds a comma-separated list of CIDRs (a bare address is /32 or /128). An IPv4-mapped prefix
 * (::ffff:a.b.c.d/N, N from 96) is kept as the IPv4 one; host bits set past the length are
 * refused; a prefix already in the set is not added again. Returns 0, or -1 with a message for
 * people in err. */
int except_parse(const char *spec, struct except_set *set, char *err, size_t errlen);
/*
 * Adds the prefixes of a list file (--except-file): one a line, as block and allow lists are
 * written; '#' or ';' starts a comment, blank lines are skipped. Returns 0, or -1 with
 * "FILE:LINE: why" (or "FILE: why") in err.
 */
int except_parse_file(const char *path, struct except_set *set, char *err, size_t errlen);
/* Whether an address (4 or 16 bytes, network order; an IPv4-mapped one as IPv4) falls in one
 * of the prefixes. */
bool except_contains(const struct except_set *set, uint8_t family, const uint8_t *addr);
#define EXCEPT_ALL_IPV4	1u	/* 0.0.0.0/0: no IPv4 source is ever dropped */
#define EXCEPT_ALL_IPV6	2u	/* ::/0 */
/* Which families the set covers whole: EXCEPT_ALL_IPV4, EXCEPT_ALL_IPV6, both or 0. */
unsigned int except_whole_families(const struct except_set *set);
/* Writes "198.51.100.0/24,2001:db8::/32"; truncated with "..." when it does not fit. */
void except_format(const struct except_set *set, char *buf, size_t len);

#endif /* TCPDROP_EXCEPT_H */
