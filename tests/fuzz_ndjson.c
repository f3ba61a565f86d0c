// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the NDJSON writers on anything the kernel or the system could hand them.
 * The input is cut into a drop event (any 64 bytes), an interface name (any bytes, as long as a
 * real one), counter readings and their times, up to 10 top-source rows, then a byte string.
 * Every line must be one valid JSON object followed by exactly one newline, and fit in the
 * buffer the stream gives it; cut short into a smaller buffer, it must stay inside it.
 * format_json_string() must turn any bytes into a JSON string that decodes back to them.
 */
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/lib/format.h"
#include "tui/out/ndjson.h"
#include "tests/fuzz.h"

#define DROP_LINE	512	/* the buffers of tui/out/stream.c */
#define STATS_LINE	4096

/* The input as a stream of fields; past its end every field reads as zeros. */
struct input {
	const uint8_t *p;
	size_t left;
};

static void take(struct input *in, void *dst, size_t n)
{
	size_t k = n < in->left ? n : in->left;

	memcpy(dst, in->p, k);
	memset((char *)dst + k, 0, n - k);
	in->p += k;
	in->left -= k;
}

static uint8_t take_byte(struct input *in)
{
	uint8_t b;

	take(in, &b, 1);
	return b;
}

/* --- A strict JSON (RFC 8259) checker: returns the end of the value at p, or NULL. ------- */

static int digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex(char c)
{
	return digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (;;) {
		unsigned char c = *p++;

		if (c == '"')
			return p;
		/* Control bytes (and the end of the text) are never allowed raw; above ASCII,
		 * only whole UTF-8 sequences (our writer escapes DEL too). */
		if (c < 0x20 || c == 0x7f)
			return NULL;
		if (c >= 0x80) {
			size_t seq = utf8_valid_length((const unsigned char *)p - 1);

			if (!seq)
				return NULL;
			p += seq - 1;
			continue;
		}
		if (c != '\\')
			continue;
		c = *p++;
		if (c == 'u') {
			for (int i = 0; i < 4; i++)
				if (!hex(*p++))
					return NULL;
		} else if (!c || !strchr("\"\\/bfnrt", c)) {
			return NULL;
		}
	}
}

static const char *json_number(const char *p)
{
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (digit(*p))
			p++;
	else
		return NULL;	/* also "nan" and "inf", which printf writes and JSON lacks */
	if (*p == '.') {
		if (!digit(*++p))
			return NULL;
		while (digit(*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!digit(*p))
			return NULL;
		while (digit(*p))
			p++;
	}
	return p;
}

static const char *json_value(const char *p, int depth);

/* An object or an array: open, then members (key:value or value) split by commas, close. */
static const char *json_container(const char *p, int depth, char close)
{
	p = skip_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			p = json_string(skip_ws(p));
			if (!p)
				return NULL;
			p = skip_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		p = json_value(p, depth + 1);
		if (!p)
			return NULL;
		p = skip_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
	}
}

static const char *json_value(const char *p, int depth)
{
	if (depth > 8)
		return NULL;	/* our lines nest two deep */
	p = skip_ws(p);
	switch (*p) {
	case '{':
		return json_container(p, depth, '}');
	case '[':
		return json_container(p, depth, ']');
	case '"':
		return json_string(p);
	case 't':
		return strncmp(p, "true", 4) ? NULL : p + 4;
	case 'f':
		return strncmp(p, "false", 5) ? NULL : p + 5;
	case 'n':
		return strncmp(p, "null", 4) ? NULL : p + 4;
	default:
		return json_number(p);
	}
}

/* --- The checks ------------------------------------------------------------------------- */

/* buf holds n bytes written by an ndjson_* function into a buffer of size len. */
static void check_line(const char *buf, size_t n, size_t len)
{
	const char *end;

	check(n < len && strlen(buf) == n);	/* fits, with no NUL inside */
	check(n >= 3 && buf[0] == '{' && buf[n - 1] == '\n' && !memchr(buf, '\n', n - 1));
	end = json_value(buf, 0);
	check(end == buf + n - 1);
}

/* The same line again into a buffer of exactly len bytes: same length, a terminated prefix. */
static void check_cut(const char *full, size_t n, size_t got, const char *cut, size_t len)
{
	check(got == n);
	if (!len)
		return;
	check(strlen(cut) == (n < len ? n : len - 1) && !strncmp(cut, full, strlen(cut)));
}

/* Undoes format_json_string()'s escapes; the result must be the original bytes. */
/* Each input byte as the writer promises: UTF-8 as it is, JSON's specials and control bytes
 * escaped, every byte that is not UTF-8 as U+FFFD. */
static void check_json_string(const char *s, const char *buf, size_t n)
{
	const unsigned char *in = (const unsigned char *)s;
	const char *p = buf + 1, *end = buf + n - 1;	/* inside the quotes */
	char want[8];
	size_t seq, len;

	check(strlen(buf) == n && json_string(buf) == buf + n);
	while (*in) {
		seq = utf8_valid_length(in);
		if (*in == '"' || *in == '\\')
			snprintf(want, sizeof(want), "\\%c", *in);
		else if (*in < 0x20 || *in == 0x7f)
			snprintf(want, sizeof(want), "\\u%04x", *in);
		else if (!seq)
			snprintf(want, sizeof(want), "\\ufffd");
		else
			snprintf(want, sizeof(want), "%.*s", (int)seq, (const char *)in);
		if (*in == '"' || *in == '\\' || *in < 0x20 || *in == 0x7f || !seq)
			seq = 1;
		len = strlen(want);
		check(p + len <= end && !memcmp(p, want, len));
		p += len;
		in += seq;
	}
	check(p == end);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct tcpdrop_event e;
	struct counter_values raw;
	struct source_row top[NDJSON_TOP_SOURCES];
	struct port_row ports[PORT_DROPS_TOP];
	struct ndjson_tops tops = { .sources = top, .ports = ports };
	struct stats s;
	char line[STATS_LINE], ifname[IF_NAMESIZE] = "", *cut, *str, *esc;
	uint64_t realtime_ns, t;
	size_t n, got, len, ntop, slen;

	if (size > 8192)
		return -1;

	/* A drop: any event bytes, any time, any interface name that fits IF_NAMESIZE. */
	take(&in, &e, sizeof(e));
	take(&in, &realtime_ns, sizeof(realtime_ns));
	take(&in, ifname, take_byte(&in) % IF_NAMESIZE);
	n = ndjson_drop(line, DROP_LINE, &e, ifname, realtime_ns);
	check_line(line, n, DROP_LINE);
	len = take_byte(&in);
	cut = malloc(len);	/* exactly len bytes: ASan sees a write past them */
	got = ndjson_drop(cut, len, &e, ifname, realtime_ns);
	check_cut(line, n, got, cut, len);
	free(cut);

	/* Stats: a reset and two samples, at any readings and times, as stats.c computes them. */
	take(&in, &raw, sizeof(raw));
	take(&in, &t, sizeof(t));
	stats_reset(&s, &raw, t);
	for (int i = 0; i < 2; i++) {
		take(&in, &raw, sizeof(raw));
		take(&in, &t, sizeof(t));
		stats_sample(&s, &raw, t);
	}
	ntop = take_byte(&in) % (NDJSON_TOP_SOURCES + 1);
	for (size_t i = 0; i < ntop; i++) {
		/* Any family, prefix and owner: an address, a network, an AS or a country. */
		memset(&top[i], 0, sizeof(top[i]));
		take(&in, &top[i].family, sizeof(top[i].family));
		take(&in, top[i].addr, sizeof(top[i].addr));
		take(&in, &top[i].prefix, sizeof(top[i].prefix));
		take(&in, &top[i].drops, sizeof(top[i].drops));
		take(&in, &top[i].bytes, sizeof(top[i].bytes));
		take(&in, &top[i].addresses, sizeof(top[i].addresses));
		take(&in, &top[i].rate[0], sizeof(top[i].rate[0]));
		take(&in, &top[i].asn, sizeof(top[i].asn));
		take(&in, top[i].cc, 2);
		top[i].as_name = take_byte(&in) & 1 ? "AS \"name\"\n" : NULL;
	}
	tops.nsources = ntop;
	tops.nports = take_byte(&in) % (PORT_DROPS_TOP + 1);
	for (size_t i = 0; i < tops.nports; i++) {
		take(&in, &ports[i].port, sizeof(ports[i].port));
		take(&in, &ports[i].drops, sizeof(ports[i].drops));
	}
	take(&in, &realtime_ns, sizeof(realtime_ns));
	n = ndjson_stats(line, STATS_LINE, realtime_ns, "4040,8080-8090", &s, &tops);
	check_line(line, n, STATS_LINE);
	len = take_byte(&in) * 8;
	cut = malloc(len);
	got = ndjson_stats(cut, len, realtime_ns, "4040,8080-8090", &s, &tops);
	check_cut(line, n, got, cut, len);
	free(cut);

	/* Whatever is left: any bytes (up to a NUL) as a JSON string, in room and cut short. */
	len = take_byte(&in);
	slen = in.left;
	str = malloc(slen + 1);
	take(&in, str, slen);
	str[slen] = '\0';
	slen = strlen(str);
	esc = malloc(6 * slen + 3);	/* the most it can need: \u00XX a byte, two quotes, NUL */
	n = format_json_string(str, esc, 6 * slen + 3);
	check(n < 6 * slen + 3);
	check_json_string(str, esc, n);
	cut = malloc(len);
	got = format_json_string(str, cut, len);
	check_cut(esc, n, got, cut, len);
	free(cut);
	free(esc);
	free(str);
	return 0;
}
