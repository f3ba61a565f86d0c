// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "except.h"

static int bytes_of(uint8_t family)
{
	return family == 4 ? 4 : 16;
}

/* Clears the bits past the prefix, so 198.51.100.7/24 is kept and shown as 198.51.100.0/24. */
static void mask(uint8_t *addr, int bits, int nbytes)
{
	for (int i = 0; i < nbytes; i++) {
		int keep = bits - 8 * i;

		if (keep <= 0)
			addr[i] = 0;
		else if (keep < 8)
			addr[i] &= (uint8_t)(0xff << (8 - keep));
	}
}

static int parse_one(const char *item, size_t n, struct tcpdrop_except_key *key, char *err,
		     size_t errlen)
{
	char text[INET6_ADDRSTRLEN + 8], *slash, *end = NULL;
	long bits;
	int max;

	memset(key, 0, sizeof(*key));
	if (!n || n >= sizeof(text)) {
		snprintf(err, errlen, "bad prefix \"%.*s\": want ADDRESS[/BITS]", n > 48 ? 48 : (int)n,
			 item);
		return -1;
	}
	memcpy(text, item, n);
	text[n] = '\0';
	slash = strchr(text, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, text, key->addr) == 1)
		key->family = 4;
	else if (inet_pton(AF_INET6, text, key->addr) == 1)
		key->family = 6;
	else {
		snprintf(err, errlen, "bad prefix \"%s%s%s\": not an IPv4 or IPv6 address", text,
			 slash ? "/" : "", slash ? slash + 1 : "");
		return -1;
	}
	max = 8 * bytes_of(key->family);
	bits = max;
	if (slash) {
		if (!isdigit((unsigned char)slash[1]))
			bits = -1;
		else
			bits = strtol(slash + 1, &end, 10);
		if (bits < 0 || bits > max || *end) {
			snprintf(err, errlen, "bad prefix \"%s/%s\": the length must be 0 to %d", text,
				 slash + 1, max);
			return -1;
		}
	}
	mask(key->addr, bits, bytes_of(key->family));
	key->prefixlen = 8 + bits;	/* the family byte comes first in the trie's key */
	return 0;
}

int except_parse(const char *spec, struct except_set *set, char *err, size_t errlen)
{
	const char *p = spec;

	if (!*spec) {
		snprintf(err, errlen, "empty prefix list");
		return -1;
	}
	for (;;) {
		size_t n = strcspn(p, ",");

		if (set->n == TCPDROP_MAX_EXCEPT) {
			snprintf(err, errlen, "more than %d prefixes", TCPDROP_MAX_EXCEPT);
			return -1;
		}
		if (parse_one(p, n, &set->keys[set->n], err, errlen))
			return -1;
		set->n++;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

bool except_contains(const struct except_set *set, uint8_t family, const uint8_t *addr)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct tcpdrop_except_key *k = &set->keys[i];
		uint8_t masked[16] = { 0 };

		if (k->family != family)
			continue;
		memcpy(masked, addr, bytes_of(family));
		mask(masked, k->prefixlen - 8, bytes_of(family));
		if (!memcmp(masked, k->addr, bytes_of(family)))
			return true;
	}
	return false;
}

void except_format(const struct except_set *set, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN], item[INET6_ADDRSTRLEN + 8];
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < set->n; i++) {
		const struct tcpdrop_except_key *k = &set->keys[i];
		int n;

		inet_ntop(k->family == 4 ? AF_INET : AF_INET6, k->addr, addr, sizeof(addr));
		n = snprintf(item, sizeof(item), "%s%s/%u", i ? "," : "", addr, k->prefixlen - 8);
		if (used + n + 4 > len) {	/* room for "..." and the terminator */
			snprintf(buf + used, len - used, "%s", len - used > 3 ? "..." : "");
			return;
		}
		memcpy(buf + used, item, n + 1);
		used += n;
	}
}
