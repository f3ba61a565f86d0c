// SPDX-License-Identifier: GPL-2.0
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tui/lib/format.h"
#include "tui/out/ndjson.h"

/* snprintf that appends at *used and keeps counting past the end, like snprintf itself. */
__attribute__((format(printf, 4, 5)))
static void append(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	size_t room = *used < len ? len - *used : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? buf + *used : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used += n;
}

/*
 * The drop line is written by hand rather than through printf: at --event-rate max it is the
 * consumer's whole cost, and printf's parsing of the format was most of it. A line is at most
 * 400 bytes (two IPv6 addresses, an escaped 15-byte name), so it is built in place, then cut to
 * the caller's buffer as snprintf would.
 */
struct writer {
	char *p;
};

static void put_mem(struct writer *w, const char *s, size_t n)
{
	memcpy(w->p, s, n);
	w->p += n;
}

#define PUT_LITERAL(w, s)	put_mem(w, s, sizeof(s) - 1)

static void put_uint(struct writer *w, uint64_t v)
{
	char digits[20];
	int n = 0;

	do
		digits[n++] = '0' + v % 10;
	while (v /= 10);
	while (n)
		*w->p++ = digits[--n];
}

static void put_ipv4(struct writer *w, const uint8_t a[4])
{
	for (int i = 0; i < 4; i++) {
		if (i)
			*w->p++ = '.';
		put_uint(w, a[i]);
	}
}

static void put_addr(struct writer *w, uint8_t family, const uint8_t addr[16])
{
	char text[FORMAT_ADDR_LEN];

	if (family == 4) {
		put_ipv4(w, addr);
		return;
	}
	format_addr(family, addr, text);
	put_mem(w, text, strlen(text));
}

/* "2026-11-24T20:30:38.123456Z": the part up to the second is the same for a second's lines. */
static void put_time(struct writer *w, uint64_t realtime_ns)
{
	static uint64_t cached_secs = UINT64_MAX;
	static char cached[FORMAT_TIME_LEN];
	uint64_t secs = realtime_ns / 1000000000ULL;
	unsigned int usecs = realtime_ns % 1000000000ULL / 1000;

	if (secs != cached_secs) {
		format_time_rfc3339(realtime_ns, cached);
		cached_secs = secs;
	}
	put_mem(w, cached, 20);		/* through the seconds' dot */
	for (int div = 100000; div; div /= 10)
		*w->p++ = '0' + usecs / div % 10;
	*w->p++ = 'Z';
}

size_t ndjson_drop(char *buf, size_t len, const struct tcpdrop_event *e, const char *ifname,
		   uint64_t realtime_ns)
{
	char line[512], flags[FORMAT_FLAGS_LEN];
	struct writer w = { line };
	size_t n;

	PUT_LITERAL(&w, "{\"type\":\"drop\",\"time\":\"");
	put_time(&w, realtime_ns);
	PUT_LITERAL(&w, "\",\"ifname\":");
	w.p += format_json_string(ifname, w.p, 6 * IF_NAMESIZE + 3);
	PUT_LITERAL(&w, ",\"family\":");
	put_uint(&w, e->family);
	PUT_LITERAL(&w, ",\"src\":\"");
	put_addr(&w, e->family, e->saddr);
	PUT_LITERAL(&w, "\",\"sport\":");
	put_uint(&w, e->sport);
	PUT_LITERAL(&w, ",\"dst\":\"");
	put_addr(&w, e->family, e->daddr);
	PUT_LITERAL(&w, "\",\"dport\":");
	put_uint(&w, e->dport);
	PUT_LITERAL(&w, ",\"flags\":\"");
	format_tcp_flags(e->tcp_flags, flags);
	put_mem(&w, flags, strlen(flags));
	PUT_LITERAL(&w, "\",\"len\":");
	put_uint(&w, e->len);
	PUT_LITERAL(&w, ",\"vlan\":");
	put_uint(&w, e->vlan);
	if (e->action == TCPDROP_ACTION_WOULD_DROP)
		PUT_LITERAL(&w, ",\"action\":\"would-drop\"}\n");
	else
		PUT_LITERAL(&w, ",\"action\":\"drop\"}\n");
	n = w.p - line;
	if (len) {
		size_t keep = n < len ? n : len - 1;

		memcpy(buf, line, keep);
		buf[keep] = '\0';
	}
	return n;
}

/* A JSON string, written in place and counted past the end like the rest. */
static void append_string(char *buf, size_t len, size_t *used, const char *s)
{
	size_t room = *used < len ? len - *used : 0;

	*used += format_json_string(s, room ? buf + *used : NULL, room);
}

/* A country code as the database gave it: two letters, escaped all the same. */
static void append_cc(char *buf, size_t len, size_t *used, const struct source_row *r,
		      bool first)
{
	char cc[3] = { r->cc[0], r->cc[0] ? r->cc[1] : 0, 0 };

	append(buf, len, used, "%s\"cc\":", first ? "" : ",");
	if (cc[0])
		append_string(buf, len, used, cc);
	else
		append(buf, len, used, "null");
}

/* Who owns an address or a network, when the location database knows. */
static void append_owner(char *buf, size_t len, size_t *used, const struct source_row *r)
{
	if (r->asn) {
		append(buf, len, used, ",\"asn\":%u,\"as_name\":", r->asn);
		append_string(buf, len, used, r->as_name ? r->as_name : "");
	}
	if (r->cc[0])
		append_cc(buf, len, used, r, false);
}

/*
 * One row of top: an address {"src",drops,bytes}, or under --group a network {"net"}, an AS
 * {"asn","as_name"} or a country {"cc"} (null when none is known), with drops, bytes,
 * addresses and its rate (null until it has one). Addresses and networks name their owner
 * when it is known.
 */
static void append_top_row(char *buf, size_t len, size_t *used, const struct source_row *r,
			   bool comma)
{
	char label[SOURCES_LABEL_LEN];

	append(buf, len, used, "%s{", comma ? "," : "");
	if (r->family == ROW_FAMILY_AS) {
		if (r->asn) {
			append(buf, len, used, "\"asn\":%u,\"as_name\":", r->asn);
			append_string(buf, len, used, r->as_name ? r->as_name : "");
		} else {
			append(buf, len, used, "\"asn\":null,\"as_name\":null");
		}
	} else if (r->family == ROW_FAMILY_COUNTRY) {
		append_cc(buf, len, used, r, true);
	} else {
		sources_label(r, label);
		append(buf, len, used, "\"%s\":\"%s\"", r->prefix ? "net" : "src", label);
	}
	append(buf, len, used, ",\"drops\":%llu,\"bytes\":%llu", (unsigned long long)r->drops,
	       (unsigned long long)r->bytes);
	if (r->family == 4 || r->family == 6)
		append_owner(buf, len, used, r);
	if (!r->prefix && (r->family == 4 || r->family == 6)) {
		append(buf, len, used, "}");
		return;
	}
	append(buf, len, used, ",\"addresses\":%llu,\"pps\":", (unsigned long long)r->addresses);
	if (!(r->rate[0] >= 0 && r->rate[0] < 1e300))	/* not known yet (and never NaN) */
		append(buf, len, used, "null}");
	else
		append(buf, len, used, "%.1f}", r->rate[0]);
}

size_t ndjson_stats(char *buf, size_t len, uint64_t realtime_ns, const char *ports,
		    const struct stats *s, const struct ndjson_tops *tops)
{
	const struct source_row *top = tops->sources;
	char time[FORMAT_TIME_LEN];
	size_t used = 0, room;

	format_time_rfc3339(realtime_ns, time);
	append(buf, len, &used, "{\"type\":\"stats\",\"time\":\"%s\",\"ports\":", time);
	/* The set whole, however long (up to PORTS_TEXT_MAX): written in place, counted past the
	 * end like the rest, so the caller learns the size it needs. */
	room = used < len ? len - used : 0;
	used += format_json_string(ports, room ? buf + used : NULL, room);
	/* The counters, then the rates that go with them. */
	for (int c = 0; c < TCPDROP_NR_COUNTERS; c++)
		if (tcpdrop_counter_names[c].json)
			append(buf, len, &used, ",\"%s\":%llu", tcpdrop_counter_names[c].json,
			       (unsigned long long)s->total.v[c]);
	for (int c = 0; c < TCPDROP_NR_COUNTERS; c++)
		if (tcpdrop_counter_names[c].json_pps)
			append(buf, len, &used, ",\"%s_pps\":%.1f", tcpdrop_counter_names[c].json,
			       s->rate[c]);
	append(buf, len, &used, ",\"top\":[");
	for (size_t i = 0; i < tops->nsources; i++)
		append_top_row(buf, len, &used, &top[i], i > 0);
	append(buf, len, &used, "],\"top_ports\":[");
	for (size_t i = 0; i < tops->nports; i++)
		append(buf, len, &used, "%s{\"port\":%u,\"drops\":%llu}", i ? "," : "",
		       (unsigned int)tops->ports[i].port,
		       (unsigned long long)tops->ports[i].drops);
	append(buf, len, &used, "]}\n");
	return used;
}

/* ["a","b"] from "a,b". */
static void append_words(char *buf, size_t len, size_t *used, const char *words)
{
	char word[64];

	append(buf, len, used, "[");
	for (const char *p = words; *p;) {
		size_t n = strcspn(p, ",");

		snprintf(word, sizeof(word), "%.*s", (int)n, p);
		if (p != words)
			append(buf, len, used, ",");
		append_string(buf, len, used, word);
		p += n + (p[n] == ',');
	}
	append(buf, len, used, "]");
}

size_t ndjson_reload(char *buf, size_t len, uint64_t realtime_ns, const struct ndjson_reload *r)
{
	char time[FORMAT_TIME_LEN];
	size_t used = 0;

	format_time_rfc3339(realtime_ns, time);
	append(buf, len, &used, "{\"type\":\"reload\",\"time\":\"%s\",\"ok\":%s", time,
	       r->ok ? "true" : "false");
	if (!r->ok) {
		append(buf, len, &used, ",\"error\":");
		append_string(buf, len, &used, r->error);
	} else {
		append(buf, len, &used, ",\"changed\":");
		append_words(buf, len, &used, r->changed);
		append(buf, len, &used, ",\"restart_needed\":");
		append_words(buf, len, &used, r->restart);
	}
	append(buf, len, &used, ",\"ports\":");
	append_string(buf, len, &used, r->ports);
	append(buf, len, &used, ",\"excepts\":%zu,\"event_rate\":", r->excepts);
	if (r->every_event)
		append(buf, len, &used, "\"max\"}\n");
	else
		append(buf, len, &used, "%u}\n", r->event_rate);
	return used;
}
