// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>

#include "format.h"
#include "ndjson.h"

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

size_t ndjson_drop(char *buf, size_t len, const struct tcpdrop_event *e, const char *ifname,
		   uint64_t realtime_ns)
{
	char time[FORMAT_TIME_LEN], src[FORMAT_ADDR_LEN], dst[FORMAT_ADDR_LEN];
	char flags[FORMAT_FLAGS_LEN], name[6 * 16 + 3];
	size_t used = 0;

	format_time_rfc3339(realtime_ns, time);
	format_addr(e->family, e->saddr, src);
	format_addr(e->family, e->daddr, dst);
	format_tcp_flags(e->tcp_flags, flags);
	format_json_string(ifname, name, sizeof(name));
	append(buf, len, &used,
	       "{\"type\":\"drop\",\"time\":\"%s\",\"ifname\":%s,\"family\":%u,\"src\":\"%s\","
	       "\"sport\":%u,\"dst\":\"%s\",\"dport\":%u,\"flags\":\"%s\",\"len\":%u,\"vlan\":%u,"
	       "\"action\":\"%s\"}\n",
	       time, name, e->family, src, e->sport, dst, e->dport, flags, e->len, e->vlan,
	       e->action == TCPDROP_ACTION_WOULD_DROP ? "would-drop" : "drop");
	return used;
}

size_t ndjson_stats(char *buf, size_t len, uint64_t realtime_ns, const char *ports,
		    const struct stats *s, const struct source_row *top, size_t ntop)
{
	char time[FORMAT_TIME_LEN], src[FORMAT_ADDR_LEN], ports_json[160];
	size_t used = 0;

	format_time_rfc3339(realtime_ns, time);
	format_json_string(ports, ports_json, sizeof(ports_json));
	append(buf, len, &used,
	       "{\"type\":\"stats\",\"time\":\"%s\",\"ports\":%s,\"passed\":%llu,\"dropped\":%llu,"
	       "\"malformed\":%llu,\"events_lost\":%llu,\"excepted\":%llu,\"passed_pps\":%.1f,"
	       "\"dropped_pps\":%.1f,\"top\":[",
	       time, ports_json, (unsigned long long)s->total.v[TCPDROP_PASSED],
	       (unsigned long long)s->total.v[TCPDROP_DROPPED],
	       (unsigned long long)s->total.v[TCPDROP_MALFORMED],
	       (unsigned long long)s->total.v[TCPDROP_EVENTS_LOST],
	       (unsigned long long)s->total.v[TCPDROP_EXCEPTED], s->rate[TCPDROP_PASSED],
	       s->rate[TCPDROP_DROPPED]);
	for (size_t i = 0; i < ntop; i++) {
		format_addr(top[i].family, top[i].addr, src);
		append(buf, len, &used, "%s{\"src\":\"%s\",\"drops\":%llu,\"bytes\":%llu}",
		       i ? "," : "", src, (unsigned long long)top[i].drops,
		       (unsigned long long)top[i].bytes);
	}
	append(buf, len, &used, "]}\n");
	return used;
}
