// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/watch/ports.h"

void ports_add(struct port_set *set, unsigned int port)
{
	set->bits[tcpdrop_port_word(port)] |= tcpdrop_port_bit(port);
}

int ports_contains(const struct port_set *set, unsigned int port)
{
	return port < 65536 && (set->bits[tcpdrop_port_word(port)] & tcpdrop_port_bit(port));
}

/* Reads a decimal port at *p, advancing it. Returns -1 unless 0..65535. */
static long port_number(const char **p)
{
	long value = 0;
	int digits = 0;

	while (isdigit((unsigned char)**p)) {
		value = value * 10 + (**p - '0');
		if (value > 65535)
			return -1;
		(*p)++;
		digits++;
	}
	return digits ? value : -1;
}

int ports_parse(const char *spec, struct port_set *set, char *err, size_t errlen)
{
	const char *p = spec, *item;
	long lo, hi;

	memset(set, 0, sizeof(*set));
	if (!*spec) {
		snprintf(err, errlen, "empty port list");
		return -1;
	}
	for (;;) {
		item = p;
		if (*item == ',' || !*item) {	/* ",80", "80,,443", "80," */
			snprintf(err, errlen, "empty item in \"%.40s%s\": separate ports with one "
				 "comma", spec, strlen(spec) > 40 ? "..." : "");
			return -1;
		}
		lo = port_number(&p);
		hi = lo;
		if (lo >= 0 && *p == '-') {
			p++;
			hi = port_number(&p);
		}
		if (lo < 0 || hi < 0 || (*p != ',' && *p)) {
			int n = strcspn(item, ",");

			snprintf(err, errlen, "bad port \"%.*s\": want a number 0-65535 or a range LO-HI",
				 n > 40 ? 40 : n, item);
			return -1;
		}
		if (hi < lo) {
			snprintf(err, errlen, "bad port range \"%ld-%ld\": the end is below the start",
				 lo, hi);
			return -1;
		}
		for (long port = lo; port <= hi; port++)
			ports_add(set, port);
		if (!*p)
			return 0;
		p++;	/* the comma */
	}
}

size_t ports_format(const struct port_set *set, char *buf, size_t len)
{
	size_t used = 0, keep;
	unsigned int port = 0, end;
	char item[16];
	int n;

	if (len)
		buf[0] = '\0';
	while (port < 65536) {
		if (!ports_contains(set, port)) {
			port++;
			continue;
		}
		for (end = port; end + 1 < 65536 && ports_contains(set, end + 1); end++)
			;
		if (end == port)
			n = snprintf(item, sizeof(item), "%s%u", used ? "," : "", port);
		else
			n = snprintf(item, sizeof(item), "%s%u-%u", used ? "," : "", port, end);
		/* What fits goes in; the rest is only counted, so the caller learns the size. */
		if (used < len) {
			keep = used + n < len ? (size_t)n : len - 1 - used;
			memcpy(buf + used, item, keep);
			buf[used + keep] = '\0';
		}
		used += n;
		port = end + 1;
	}
	/* Cut visibly; a buffer too small even for "..." keeps what fits. */
	if (used >= len && len >= 4)
		memcpy(buf + len - 4, "...", 4);
	return used;
}

char *ports_format_alloc(const struct port_set *set)
{
	size_t len = ports_format(set, NULL, 0) + 1;
	char *buf = malloc(len);

	if (buf)
		ports_format(set, buf, len);
	return buf;
}
