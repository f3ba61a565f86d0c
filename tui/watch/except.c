// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/watch/except.h"

/* ::ffff:0:0/96: IPv4 addresses as a dual-stack socket (and ss) shows them. On the wire they
 * are IPv4, which is how the program sees them, so they are kept as IPv4. */
static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };

static int bytes_of(uint8_t family)
{
	return family == 4 ? 4 : 16;
}

static bool is_v4mapped(const uint8_t *addr16)
{
	return !memcmp(addr16, v4mapped, sizeof(v4mapped));
}

/* Clears the bits past the prefix. */
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
	char text[INET6_ADDRSTRLEN + 8], meant[INET6_ADDRSTRLEN], *slash, *end = NULL;
	uint8_t masked[16];
	bool mapped = false;
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
	if (key->family == 6 && is_v4mapped(key->addr)) {
		if (bits < 96) {
			snprintf(err, errlen, "bad prefix \"%s/%ld\": an IPv4-mapped address "
				 "(::ffff:a.b.c.d) takes a length of 96 to 128, its IPv4 length "
				 "plus 96; or write the IPv4 prefix", text, bits);
			return -1;
		}
		mapped = true;
		key->family = 4;
		memmove(key->addr, key->addr + sizeof(v4mapped), 4);
		memset(key->addr + 4, 0, sizeof(key->addr) - 4);
		bits -= 96;
	}
	/* As ip(8) does: a prefix with host bits set is likely a typing mistake, so say which
	 * network it would have been rather than silently watching another one. */
	memcpy(masked, key->addr, sizeof(masked));
	mask(masked, bits, bytes_of(key->family));
	if (memcmp(masked, key->addr, bytes_of(key->family))) {
		inet_ntop(key->family == 4 ? AF_INET : AF_INET6, masked, meant, sizeof(meant));
		snprintf(err, errlen, "%s/%s has host bits set: did you mean %s%s/%ld?", text,
			 slash + 1, mapped ? "::ffff:" : "", meant, mapped ? bits + 96 : bits);
		return -1;
	}
	key->prefixlen = 8 + bits;	/* the family byte comes first in the trie's key */
	return 0;
}

static uint32_t key_hash(const struct tcpdrop_except_key *key)
{
	const uint8_t *p = (const uint8_t *)key;
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (size_t i = 0; i < sizeof(*key); i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* The slot that holds key, or the free one where it would go. */
static uint32_t *slot_of(const struct except_set *set, const struct tcpdrop_except_key *key)
{
	size_t mask = 2 * set->cap - 1, at = key_hash(key) & mask;

	while (set->slots[at] && memcmp(&set->keys[set->slots[at] - 1], key, sizeof(*key)))
		at = (at + 1) & mask;
	return &set->slots[at];
}

bool except_has(const struct except_set *set, const struct tcpdrop_except_key *key)
{
	return set->cap && *slot_of(set, key);
}

static int grow(struct except_set *set)
{
	size_t cap = set->cap ? 2 * set->cap : 16;
	struct tcpdrop_except_key *keys = realloc(set->keys, cap * sizeof(*keys));
	uint32_t *slots = calloc(2 * cap, sizeof(*slots));

	if (keys)
		set->keys = keys;
	if (!keys || !slots) {
		free(slots);
		return -1;
	}
	free(set->slots);
	set->slots = slots;
	set->cap = cap;
	for (size_t i = 0; i < set->n; i++)
		*slot_of(set, &set->keys[i]) = i + 1;
	return 0;
}

/* A prefix given twice is one prefix: for the limit and wherever it is shown. */
static int add(struct except_set *set, const struct tcpdrop_except_key *key, char *err,
	       size_t errlen)
{
	uint32_t *slot;

	if (except_has(set, key))
		return 0;
	if (set->n == TCPDROP_MAX_EXCEPT) {
		snprintf(err, errlen, "more than %d prefixes", TCPDROP_MAX_EXCEPT);
		return -1;
	}
	if (set->n == set->cap && grow(set)) {
		snprintf(err, errlen, "out of memory for %zu prefixes", set->n + 1);
		return -1;
	}
	slot = slot_of(set, key);
	set->keys[set->n++] = *key;
	*slot = set->n;
	set->lengths[key->family == 6][(key->prefixlen - 8) / 64] |=
		1ULL << ((key->prefixlen - 8) % 64);
	return 0;
}

void except_free(struct except_set *set)
{
	free(set->keys);
	free(set->slots);
	memset(set, 0, sizeof(*set));
}

int except_parse(const char *spec, struct except_set *set, char *err, size_t errlen)
{
	struct tcpdrop_except_key key;
	const char *p = spec;

	if (!*spec) {
		snprintf(err, errlen, "empty prefix list");
		return -1;
	}
	for (;;) {
		size_t n = strcspn(p, ",");

		if (parse_one(p, n, &key, err, errlen) || add(set, &key, err, errlen))
			return -1;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* One line of a list file, its comment and blanks cut: 0, 1 for none, or -1 with why. */
static int parse_line(char *line, struct tcpdrop_except_key *key, char *why, size_t len)
{
	char *start = line, *end;

	line[strcspn(line, "#;\n")] = '\0';
	while (isspace((unsigned char)*start))
		start++;
	end = start + strlen(start);
	while (end > start && isspace((unsigned char)end[-1]))
		*--end = '\0';
	if (!*start)
		return 1;
	if (strpbrk(start, " \t,")) {
		snprintf(why, len, "\"%.60s\": one prefix a line", start);
		return -1;
	}
	return parse_one(start, end - start, key, why, len);
}

int except_parse_file(const char *path, struct except_set *set, char *err, size_t errlen)
{
	struct tcpdrop_except_key key;
	char why[160], *line = NULL;
	size_t cap = 0, lineno = 0;
	FILE *f = fopen(path, "re");
	ssize_t len;
	int ret = 0;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (!ret && (len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (memchr(line, '\0', len)) {
			snprintf(why, sizeof(why), "a NUL byte: not a text file");
			ret = -1;
		} else {
			ret = parse_line(line, &key, why, sizeof(why));
			if (ret == 1)
				ret = 0;
			else if (!ret)
				ret = add(set, &key, why, sizeof(why));
		}
		if (ret)
			snprintf(err, errlen, "%s:%zu: %s", path, lineno, why);
	}
	if (!ret && ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		ret = -1;
	}
	free(line);
	fclose(f);
	return ret;
}

bool except_contains(const struct except_set *set, uint8_t family, const uint8_t *addr)
{
	struct tcpdrop_except_key key = { 0 };

	/* The prefixes hold IPv4-mapped addresses as IPv4: so must the question. */
	if (family == 6 && is_v4mapped(addr)) {
		family = 4;
		addr += sizeof(v4mapped);
	}
	/* One lookup for each length the set holds: as fast for 131,072 prefixes as for one. */
	for (int bits = 0; bits <= 8 * bytes_of(family); bits++) {
		if (!(set->lengths[family == 6][bits / 64] & (1ULL << (bits % 64))))
			continue;
		memset(&key, 0, sizeof(key));
		key.prefixlen = 8 + bits;
		key.family = family;
		memcpy(key.addr, addr, bytes_of(family));
		mask(key.addr, bits, bytes_of(family));
		if (except_has(set, &key))
			return true;
	}
	return false;
}

unsigned int except_whole_families(const struct except_set *set)
{
	unsigned int families = 0;

	for (size_t i = 0; i < set->n; i++)
		if (set->keys[i].prefixlen == 8)	/* the family byte alone: /0 */
			families |= set->keys[i].family == 4 ? EXCEPT_ALL_IPV4 : EXCEPT_ALL_IPV6;
	return families;
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
