// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/tcpdrop.h"
#include "tui/cli/cli.h"
#include "tui/lib/format.h"
#include "tui/out/exposition.h"
#include "tui/run.h"

struct text {
	char *buf;
	size_t len, used;	/* used may pass len: then it is the length needed */
};

__attribute__((format(printf, 2, 3)))
static void put(struct text *t, const char *fmt, ...)
{
	size_t room = t->used < t->len ? t->len - t->used : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? t->buf + t->used : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->used += n;
}

/* A label value: backslash, double quote and newline escaped as the format wants, and bytes
 * that are not UTF-8 (an interface name is anyone's bytes) as U+FFFD, which Prometheus takes. */
static void put_label(struct text *t, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p) {
		if (*p == '\\' || *p == '"') {
			put(t, "\\%c", *p++);
		} else if (*p == '\n') {
			put(t, "\\n");
			p++;
		} else if ((n = utf8_valid_length(p)) == 0) {
			put(t, "\xef\xbf\xbd");
			p++;
		} else {
			put(t, "%.*s", (int)n, (const char *)p);
			p += n;
		}
	}
}

/* The dropped packets by port: see METRICS_PORT_SERIES. */
static void put_port_series(struct text *t, const struct metrics_values *v, const char *metric)
{
	const struct port_set *set = v->port_set;
	uint64_t other = 0;
	unsigned int port = 0, runs = 0;

	while (port < TCPDROP_PORTS) {
		unsigned int first = port;
		uint64_t drops = 0;
		bool watched = ports_contains(set, port);

		while (port < TCPDROP_PORTS && ports_contains(set, port) == watched)
			drops += v->port_drops[port++];
		if (!watched || runs >= METRICS_PORT_SERIES) {
			other += drops;
			continue;
		}
		runs++;
		put(t, "tcpdrop_top_%s_total{ifname=\"", metric);
		put_label(t, v->ifname);
		if (first == port - 1)
			put(t, "\",port=\"%u\"} %" PRIu64 "\n", first, drops);
		else
			put(t, "\",port=\"%u-%u\"} %" PRIu64 "\n", first, port - 1, drops);
	}
	if (other) {
		put(t, "tcpdrop_top_%s_total{ifname=\"", metric);
		put_label(t, v->ifname);
		put(t, "\",port=\"other\"} %" PRIu64 "\n", other);
	}
}

/* A gauge of one sample, labelled by the interface alone: its HELP, its TYPE and its value. */
static void put_gauge(struct text *t, const struct metrics_values *v, const char *name,
		      const char *help, uint64_t value)
{
	put(t, "# HELP tcpdrop_top_%s %s\n# TYPE tcpdrop_top_%s gauge\ntcpdrop_top_%s{ifname=\"",
	    name, help, name, name);
	put_label(t, v->ifname);
	put(t, "\"} %" PRIu64 "\n", value);
}

size_t metrics_format(char *buf, size_t len, const struct metrics_values *v)
{
	struct text t = { .buf = buf, .len = len };

	if (len)
		buf[0] = '\0';
	for (int c = 0; c < TCPDROP_NR_COUNTERS; c++) {
		const struct tcpdrop_counter_name *n = &tcpdrop_counter_names[c];

		if (!n->metric)
			continue;
		put(&t, "# HELP tcpdrop_top_%s_total %s\n", n->metric, n->help);
		put(&t, "# TYPE tcpdrop_top_%s_total counter\n", n->metric);
		if (c == TCPDROP_DROPPED && v->port_drops && v->port_set) {
			put_port_series(&t, v, n->metric);
			continue;
		}
		put(&t, "tcpdrop_top_%s_total{ifname=\"", n->metric);
		put_label(&t, v->ifname);
		put(&t, "\"} %" PRIu64 "\n", v->counters.v[c]);
	}
	put_gauge(&t, v, "sources", "Source addresses with counts: the per-source table's "
		  "(bounded by --max-sources) and every CPU's recent ones.", v->sources);
	put_gauge(&t, v, "source_table_entries", "Sources in the per-source table: near its "
		  "size, the kernel evicts the least recent.", v->table_entries);
	put_gauge(&t, v, "source_table_size", "The per-source table's size (--max-sources).",
		  v->table_size);
	put_gauge(&t, v, "dry_run", "1 when nothing is dropped (--dry-run): the dropped "
		  "counters count what would have been.", v->dry_run);
	put(&t, "# HELP tcpdrop_top_info What is watched: the interface, the XDP mode, the ports "
	    "and the version of tcpdrop-top.\n# TYPE tcpdrop_top_info gauge\n"
	    "tcpdrop_top_info{ifname=\"");
	put_label(&t, v->ifname);
	put(&t, "\",mode=\"");
	put_label(&t, v->mode);
	put(&t, "\",ports=\"");
	put_label(&t, v->ports);
	put(&t, "\",version=\"%s\"} 1\n", TCPDROP_VERSION);
	put(&t, "# HELP tcpdrop_top_config_reloads_total Reloads of the options (SIGHUP), since "
	    "start: applied, or refused with the settings in force kept.\n"
	    "# TYPE tcpdrop_top_config_reloads_total counter\n");
	put(&t, "tcpdrop_top_config_reloads_total{ifname=\"");
	put_label(&t, v->ifname);
	put(&t, "\",result=\"applied\"} %" PRIu64 "\n", v->reloads_applied);
	put(&t, "tcpdrop_top_config_reloads_total{ifname=\"");
	put_label(&t, v->ifname);
	put(&t, "\",result=\"refused\"} %" PRIu64 "\n", v->reloads_refused);
	put_gauge(&t, v, "config_last_reload_successful", "0 when the last reload was refused: "
		  "the settings in force are not the config file's. 1 otherwise.",
		  !v->last_reload_refused);
	if (len && t.used >= len)
		buf[len - 1] = '\0';
	return t.used;
}

void metrics_values_of(struct metrics_values *v, const struct run_view *r)
{
	*v = (struct metrics_values){
		.ifname = r->watch.ifname,
		.mode = r->watch.native ? "native" : "generic",
		.ports = r->watch.ports,
		.dry_run = r->watch.dry_run,
		.sources = r->model->sources.done.entries,
		.table_entries = r->model->sources.done.table_entries,
		.table_size = r->max_sources,
		.port_set = &r->watch.port_set,
		.reloads_applied = r->reloads_applied,
		.reloads_refused = r->reloads_refused,
		.last_reload_refused = r->last_reload_refused,
	};
}
