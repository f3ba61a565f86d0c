// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tui/lib/format.h"

/* Appends c when there is room and counts it either way, as snprintf counts what it needed. */
static void put_counted(char *buf, size_t len, size_t *n, char c)
{
	if (*n + 1 < len)
		buf[*n] = c;
	(*n)++;
}

#define PUT(c)	put_counted(buf, len, &n, (c))

void format_addr(uint8_t family, const uint8_t addr[16], char buf[FORMAT_ADDR_LEN])
{
	int af = family == 4 ? AF_INET : family == 6 ? AF_INET6 : AF_UNSPEC;

	if (af == AF_UNSPEC || !inet_ntop(af, addr, buf, FORMAT_ADDR_LEN))
		strcpy(buf, "?");
}

void format_tcp_flags(uint8_t flags, char buf[FORMAT_FLAGS_LEN])
{
	/* Bit order of the TCP header is FIN SYN RST PSH ACK URG ECE CWR. */
	static const char letters[] = "FSRPAUEW";
	int n = 0;

	for (int bit = 0; bit < 8; bit++)
		if (flags & (1u << bit))
			buf[n++] = letters[bit];
	buf[n] = '\0';
}

void format_time_rfc3339(uint64_t realtime_ns, char buf[FORMAT_TIME_LEN])
{
	time_t secs = realtime_ns / 1000000000ULL;
	unsigned int usecs = realtime_ns % 1000000000ULL / 1000;
	struct tm tm;

	if (!gmtime_r(&secs, &tm) || tm.tm_year > 9999 - 1900) {
		strcpy(buf, "1970-01-01T00:00:00.000000Z");
		return;
	}
	strftime(buf, FORMAT_TIME_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + 19, FORMAT_TIME_LEN - 19, ".%06uZ", usecs);
}

size_t utf8_valid_length(const unsigned char *s)
{
	unsigned char lo = 0x80, hi = 0xbf;	/* the range of the second byte */
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, lo = s[0] == 0xe0 ? 0xa0 : 0x80, hi = s[0] == 0xed ? 0x9f : 0xbf;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, lo = s[0] == 0xf0 ? 0x90 : 0x80, hi = s[0] == 0xf4 ? 0x8f : 0xbf;
	else
		return 0;	/* a continuation byte, an overlong lead, or past U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

size_t format_json_string(const char *s, char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0, seq;
	char esc[7];


	PUT('"');
	while (*p) {
		const char *e = NULL;

		/* UTF-8 goes out as it is; JSON wants quotes, backslashes and control bytes
		 * escaped, and bytes that are not UTF-8 (names are not promised to be) become
		 * U+FFFD, the replacement character, so every line stays valid JSON. */
		seq = utf8_valid_length(p);
		if (*p == '"')
			e = "\\\"";
		else if (*p == '\\')
			e = "\\\\";
		else if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			e = esc;
		} else if (!seq) {
			e = "\\ufffd";
			seq = 1;
		}
		if (e) {
			for (; *e; e++)
				PUT(*e);
			p++;
			continue;
		}
		for (; seq; seq--, p++)
			PUT(*p);
	}
	PUT('"');
	if (len)
		buf[n < len ? n : len - 1] = '\0';
	return n;
}

/* The length of the valid UTF-8 sequence at s, or 0; *cp is its code point. */
static int utf8_sequence(const unsigned char *s, uint32_t *cp)
{
	static const uint32_t least[] = { 0, 0, 0x80, 0x800, 0x10000 };
	int n = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3 :
		s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;

	if (!n)
		return 0;
	*cp = s[0] & (0x7f >> n);
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;	/* a NUL ends the string here too */
		*cp = *cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and code points past Unicode are invalid. */
	if (*cp < least[n] || (*cp >= 0xd800 && *cp <= 0xdfff) || *cp > 0x10ffff)
		return 0;
	return n;
}

/* Characters that print nothing but move or reorder what follows: C1 controls, zero-width
 * and bidirectional formatting characters, line and paragraph separators, the BOM. */
static bool invisible(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff;
}

size_t format_name(const char *s, bool utf8, char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	uint32_t cp = 0;
	char esc[5];
	int seq;


	while (*p) {
		if (*p == '\\') {
			PUT('\\');
			PUT('\\');
			p++;
			continue;
		}
		if (*p >= 0x20 && *p < 0x7f) {
			PUT(*p);
			p++;
			continue;
		}
		seq = utf8 && *p >= 0x80 ? utf8_sequence(p, &cp) : 0;
		if (seq && !invisible(cp)) {
			for (; seq; seq--, p++)
				PUT(*p);
			continue;
		}
		/* An escaped invisible character shows all its bytes; a bad byte only itself. */
		for (seq = seq ? seq : 1; seq; seq--, p++) {
			snprintf(esc, sizeof(esc), "\\x%02x", *p);
			for (int i = 0; esc[i]; i++)
				PUT(esc[i]);
		}
	}
	if (len)
		buf[n < len ? n : len - 1] = '\0';
	return n;
}

bool format_locale_utf8(void)
{
	static int utf8 = -1;
	locale_t loc;

	if (utf8 < 0) {
		/* The environment's LC_ALL, LC_CTYPE or LANG, without setlocale()'s effects. */
		loc = newlocale(LC_CTYPE_MASK, "", (locale_t)0);
		utf8 = loc && !strcmp(nl_langinfo_l(CODESET, loc), "UTF-8");
		if (loc)
			freelocale(loc);
	}
	return utf8;
}

void format_elide(const char *s, size_t width, bool utf8, char *buf, size_t len)
{
	size_t n = strlen(s), head, tail;

	if (!len)
		return;
	if (n <= width || width < 3) {
		snprintf(buf, len, "%.*s", (int)(n <= width ? n : width), s);
		return;
	}
	/* The end of an address tells hosts apart: it gets the odd column. */
	head = (width - 1) / 2;
	tail = width - 1 - head;
	snprintf(buf, len, "%.*s%s%s", (int)head, s, utf8 ? "\u2026" : "~", s + n - tail);
}

void format_count(uint64_t n, char buf[FORMAT_NUM_LEN])
{
	char digits[24];
	int len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)n), out = 0;

	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			buf[out++] = ',';
		buf[out++] = digits[i];
	}
	buf[out] = '\0';
}

void format_si(double v, char buf[FORMAT_NUM_LEN])
{
	static const char units[] = " kMGTPE";
	int u = 0;

	if (v < 0 || v != v)
		v = 0;
	if (v < 999.5) {
		snprintf(buf, FORMAT_NUM_LEN, "%.0f", v);
		return;
	}
	while (v >= 999.5 && u < 6) {
		v /= 1000;
		u++;
	}
	snprintf(buf, FORMAT_NUM_LEN, v < 9.995 ? "%.2f%c" : v < 99.95 ? "%.1f%c" : "%.0f%c", v,
		 units[u]);
}

void format_bytes(uint64_t n, char buf[FORMAT_NUM_LEN])
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = n;
	int u = -1;

	if (n < 1024) {
		snprintf(buf, FORMAT_NUM_LEN, "%llu B", (unsigned long long)n);
		return;
	}
	while (v >= 1023.95 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(buf, FORMAT_NUM_LEN, v < 99.95 ? "%.1f %s" : "%.0f %s", v, units[u]);
}

void format_age(uint64_t ns, char buf[FORMAT_NUM_LEN])
{
	uint64_t s = ns / 1000000000ULL;

	if (ns < 100000000ULL)
		snprintf(buf, FORMAT_NUM_LEN, "now");
	else if (s < 10)
		snprintf(buf, FORMAT_NUM_LEN, "%.1fs", ns / 1e9);
	else if (s < 60)
		snprintf(buf, FORMAT_NUM_LEN, "%llus", (unsigned long long)s);
	else if (s < 3600)
		snprintf(buf, FORMAT_NUM_LEN, "%llum", (unsigned long long)s / 60);
	else if (s < 86400)
		snprintf(buf, FORMAT_NUM_LEN, "%lluh", (unsigned long long)s / 3600);
	else
		snprintf(buf, FORMAT_NUM_LEN, "%llud", (unsigned long long)s / 86400);
}
