// SPDX-License-Identifier: GPL-2.0
/* The metrics text and the --metrics address, on plain values: no kernel, no network. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <unistd.h>

#include "check.h"
#include "tui/cli/cli.h"
#include "tui/cli/listen.h"
#include "tui/out/metrics.h"
#include "tui/run.h"

static struct metrics_values values(const char *ifname)
{
	struct metrics_values v = {
		.ifname = ifname, .mode = "native", .ports = "80,443,9000-9010", .sources = 7,
		.table_entries = 5, .table_size = 16384,
	};

	for (int i = 0; i < TCPDROP_NR_COUNTERS; i++)
		v.counters.v[i] = 1000 + i;
	return v;
}

TEST(metrics_text_has_help_type_and_one_sample_of_each)
{
	static const char *const names[] = {
		"passed_packets_total", "dropped_packets_total", "dropped_bytes_total",
		"malformed_packets_total", "events_lost_total", "events_throttled_total",
		"excepted_packets_total", "sources", "source_table_entries", "source_table_size",
		"dry_run", "info", "config_reloads_total", "config_last_reload_successful",
	};
	struct metrics_values v = values("eth0");
	char text[8192], want[128];

	CHECK(metrics_format(text, sizeof(text), &v) < sizeof(text), "text does not fit");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(want, sizeof(want), "\n# HELP tcpdrop_top_%s ", names[i]);
		CHECK(strstr(text, want) || !strncmp(text, want + 1, strlen(want + 1)),
		      "no HELP for %s", names[i]);
		/* The totals are counters; the table's size, the dry run and info are gauges. */
		snprintf(want, sizeof(want), "\n# TYPE tcpdrop_top_%s %s\n", names[i],
			 strstr(names[i], "_total") ? "counter" : "gauge");
		CHECK(strstr(text, want), "no \"%.*s\"", (int)strlen(want) - 2, want + 1);
		snprintf(want, sizeof(want), "\ntcpdrop_top_%s{ifname=\"eth0\"", names[i]);
		CHECK(strstr(text, want), "no sample for %s", names[i]);
	}
	snprintf(want, sizeof(want), "tcpdrop_top_dropped_packets_total{ifname=\"eth0\"} %d\n",
		 1000 + TCPDROP_DROPPED);
	CHECK(strstr(text, want), "dropped is not the dropped counter: %s", text);
	snprintf(want, sizeof(want), "tcpdrop_top_events_throttled_total{ifname=\"eth0\"} %d\n",
		 1000 + TCPDROP_EVENTS_THROTTLED);
	CHECK(strstr(text, want), "throttled is not its counter");
	CHECK(strstr(text, "tcpdrop_top_sources{ifname=\"eth0\"} 7\n"), "sources gauge");
	CHECK(strstr(text, "tcpdrop_top_source_table_entries{ifname=\"eth0\"} 5\n"), "table gauge");
	CHECK(strstr(text, "tcpdrop_top_source_table_size{ifname=\"eth0\"} 16384\n"), "table size");
	CHECK(strstr(text, "tcpdrop_top_info{ifname=\"eth0\",mode=\"native\",ports=\"80,443,"
		      "9000-9010\",version=\"" TCPDROP_VERSION "\"} 1\n"), "info: %s", text);
	CHECK(strstr(text, "tcpdrop_top_config_last_reload_successful{ifname=\"eth0\"} 1\n"),
	      "no reload yet is no failed reload");
}

/* The reloads' counts and the last one's result, each from its own field. */
TEST(metrics_reloads_count_applied_and_refused_and_say_the_last)
{
	struct metrics_values v = values("eth0");
	char text[8192];

	v.reloads_applied = 3;
	v.reloads_refused = 2;
	v.last_reload_refused = true;
	metrics_format(text, sizeof(text), &v);
	CHECK(strstr(text, "tcpdrop_top_config_reloads_total{ifname=\"eth0\",result=\"applied\"} 3\n"),
	      "applied: %s", text);
	CHECK(strstr(text, "tcpdrop_top_config_reloads_total{ifname=\"eth0\",result=\"refused\"} 2\n"),
	      "refused");
	CHECK(strstr(text, "tcpdrop_top_config_last_reload_successful{ifname=\"eth0\"} 0\n"),
	      "the last reload was refused");
}

/* Each counter holds a value no other has, so a metric that reads the wrong one shows. */
TEST(metrics_each_counter_metric_is_its_own_kernel_counter)
{
	static const struct {
		const char *name;
		int counter;
	} want[] = {
		{ "passed_packets_total", TCPDROP_PASSED },
		{ "dropped_packets_total", TCPDROP_DROPPED },
		{ "dropped_bytes_total", TCPDROP_DROPPED_BYTES },
		{ "malformed_packets_total", TCPDROP_MALFORMED },
		{ "events_lost_total", TCPDROP_EVENTS_LOST },
		{ "events_throttled_total", TCPDROP_EVENTS_THROTTLED },
		{ "excepted_packets_total", TCPDROP_EXCEPTED },
	};
	struct metrics_values v = values("eth0");
	char text[8192], line[160];

	metrics_format(text, sizeof(text), &v);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(line, sizeof(line), "\ntcpdrop_top_%s{ifname=\"eth0\"} %llu\n",
			 want[i].name, (unsigned long long)v.counters.v[want[i].counter]);
		CHECK(strstr(text, line), "no line \"%.*s\"", (int)strlen(line) - 2, line + 1);
	}
}

TEST(metrics_label_values_escape_quotes_backslashes_newlines_and_bad_utf8)
{
	struct metrics_values v = values("a\"b\\c\nd\xff\xc3\xbc");
	char text[8192];

	metrics_format(text, sizeof(text), &v);
	CHECK(strstr(text, "{ifname=\"a\\\"b\\\\c\\nd\xef\xbf\xbd\xc3\xbc\"}"),
	      "ifname not escaped: %.300s", strstr(text, "passed_packets_total{"));
}

TEST(metrics_text_cut_short_says_how_long_it_needed)
{
	struct metrics_values v = values("eth0");
	char whole[8192], cut[100];
	size_t need = metrics_format(whole, sizeof(whole), &v);

	CHECK_EQ_U64(metrics_format(cut, sizeof(cut), &v), need, "length needed");
	CHECK_EQ_U64(strlen(cut), sizeof(cut) - 1, "a short buffer is filled and ended");
	CHECK(!strncmp(cut, whole, sizeof(cut) - 1), "a short buffer holds the start");
}

/* The info metric's ports label is the watched set whole, as the run keeps it: never cut. */
TEST(metrics_info_label_carries_a_long_port_set_whole)
{
	struct options opts = { .interval_s = 1 };
	char spec[512], want[600], *text;
	struct metrics_values v = values("eth0");
	struct run *run;
	size_t used = 0, need;

	/* 50 ports with gaps, 249 characters: 1000,1002,...,1098 */
	for (unsigned int p = 1000; p <= 1098; p += 2) {
		used += snprintf(spec + used, sizeof(spec) - used, "%s%u", used ? "," : "", p);
		ports_add(&opts.ports, p);
	}
	run = run_new(&opts, NULL, NULL, 0);
	if (!run) {
		CHECK(false, "run_new: out of memory");
		return;
	}
	v.ports = run_view(run)->watch.ports;
	need = metrics_format(NULL, 0, &v);
	text = malloc(need + 1);
	CHECK(text, "out of memory");
	if (text) {
		metrics_format(text, need + 1, &v);
		snprintf(want, sizeof(want), ",ports=\"%s\",version=", spec);
		CHECK(strstr(text, want), "the ports label is not the set whole: %.400s",
		      strstr(text, "tcpdrop_top_info{"));
	}
	free(text);
	run_free(run);
}

#define DROPPED_IN_ETH0	"tcpdrop_top_dropped_packets_total{ifname=\"eth0\""

/* Dropped packets by port: a series for each run of the set as written, the rest "other". */
TEST(metrics_dropped_packets_have_a_port_label_for_each_run_of_the_set)
{
	static uint64_t drops[TCPDROP_PORTS];
	struct metrics_values v = values("eth0");
	struct port_set set;
	char text[8192], err[128];
	const char *p;
	int series = 0;

	CHECK(!ports_parse("22,4040-4041,9000", &set, err, sizeof(err)), "%s", err);
	drops[22] = 1;
	drops[4040] = 2;
	drops[4041] = 3;
	drops[5555] = 4;	/* watched before a change of the set */
	v.port_set = &set;
	v.port_drops = drops;
	CHECK(metrics_format(text, sizeof(text), &v) < sizeof(text), "text does not fit");
	CHECK(strstr(text, "\n" DROPPED_IN_ETH0 ",port=\"22\"} 1\n"), "port 22: %s", text);
	CHECK(strstr(text, "\n" DROPPED_IN_ETH0 ",port=\"4040-4041\"} 5\n"),
	      "the run 4040-4041, added up: %s", text);
	CHECK(strstr(text, "\n" DROPPED_IN_ETH0 ",port=\"9000\"} 0\n"),
	      "a watched port with no drops has its series: %s", text);
	CHECK(strstr(text, "\n" DROPPED_IN_ETH0 ",port=\"other\"} 4\n"),
	      "drops to ports no longer watched: %s", text);
	for (p = text; (p = strstr(p, "\ntcpdrop_top_dropped_packets_total{")); p++)
		series++;
	CHECK_EQ_U64(series, 4, "dropped series");
}

/* However many runs the set has, the first METRICS_PORT_SERIES get a series, the rest "other". */
TEST(metrics_port_series_are_bounded_however_many_runs)
{
	static uint64_t drops[TCPDROP_PORTS];
	struct metrics_values v = values("eth0");
	struct port_set set = { 0 };
	static char text[65536];
	char want[160];

	for (unsigned int i = 0; i < 100; i++) {
		ports_add(&set, 1000 + 2 * i);	/* 100 runs of one port */
		drops[1000 + 2 * i] = 1;
	}
	v.port_set = &set;
	v.port_drops = drops;
	CHECK(metrics_format(text, sizeof(text), &v) < sizeof(text), "text does not fit");
	snprintf(want, sizeof(want), DROPPED_IN_ETH0 ",port=\"%u\"} 1\n",
		 1000 + 2 * (METRICS_PORT_SERIES - 1));
	CHECK(strstr(text, want), "the last run with a series of its own: %s", want);
	snprintf(want, sizeof(want), ",port=\"%u\"}", 1000 + 2 * METRICS_PORT_SERIES);
	CHECK(!strstr(text, want), "a run past the bound has a series: %s", want);
	snprintf(want, sizeof(want), DROPPED_IN_ETH0 ",port=\"other\"} %d\n",
		 100 - METRICS_PORT_SERIES);
	CHECK(strstr(text, want), "the runs past the bound are other: %s", want);
}

TEST(listen_takes_a_port_an_ipv4_or_a_bracketed_ipv6_address)
{
	struct listen_addr a;
	char why[256];

	CHECK(listen_parse("24040", &a, why, sizeof(why)) == 0 && a.any && a.port == 24040,
	      "bare port: %s", why);
	CHECK_STR(a.text, "[::]:24040");
	CHECK(listen_parse(":9", &a, why, sizeof(why)) == 0 && a.any && a.port == 9, ":PORT");
	CHECK(listen_parse("127.0.0.1:65535", &a, why, sizeof(why)) == 0 && !a.any &&
	      a.ss.ss_family == AF_INET && a.port == 65535, "IPv4: %s", why);
	CHECK_STR(a.text, "127.0.0.1:65535");
	CHECK(listen_parse("[2001:db8::1]:1", &a, why, sizeof(why)) == 0 &&
	      a.ss.ss_family == AF_INET6 && a.port == 1, "IPv6: %s", why);
	CHECK_STR(a.text, "[2001:db8::1]:1");
}

TEST(listen_refuses_names_bad_ports_and_bare_ipv6)
{
	static const char *const bad[] = {
		"", "0", "65536", "99999999", "-1", "24040x", "localhost:24040", "::1:24040",
		"2001:db8::1", "[2001:db8::1]", "[nope]:1", "1.2.3:4", "1.2.3.4:", "[::1]:0",
	};
	struct listen_addr a;
	char why[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		CHECK(listen_parse(bad[i], &a, why, sizeof(why)) == -1, "\"%s\" accepted", bad[i]);
		CHECK(strstr(why, "24040"), "\"%s\": the message gives no example: %s", bad[i],
		      why);
	}
}

/* The scraped value of tcpdrop_top_NAME, from the real text of the run's values. */
static unsigned long long scraped(const struct run_view *r, const char *name)
{
	struct metrics_values v;
	char text[8192], want[128];
	const char *at;

	metrics_values_of(&v, r);
	metrics_format(text, sizeof(text), &v);
	snprintf(want, sizeof(want), "\ntcpdrop_top_%s{ifname=\"eth0\"} ", name);
	at = strstr(text, want);
	return at ? strtoull(strchr(at, '}') + 2, NULL, 10) : ~0ULL;
}

static unsigned long long scraped_sources(const struct run_view *r)
{
	return scraped(r, "sources");
}

/* One complete read of a kernel table holding n sources, as the run loop folds it in. */
static void read_table(struct model *m, size_t n)
{
	struct source_row rows[4] = { 0 };

	for (size_t i = 0; i < n && i < 4; i++) {
		rows[i].family = 4;
		memcpy(rows[i].addr, (uint8_t[]){ 198, 51, 100, 10 + i }, 4);
		rows[i].drops = 2;
		rows[i].bytes = 148;
	}
	sources_scan_begin(&m->sources, m->stats.total.v[TCPDROP_DROPPED]);
	sources_scan_add(&m->sources, rows, n);
	sources_scan_end(&m->sources, 0);
}

/* The live view's clear starts its counts again; the table, and so the gauge, stay. */
TEST(metrics_sources_gauge_survives_the_views_clear)
{
	static struct model m;
	static char ports[] = "4040";
	struct run_view r = { .model = &m };
	struct counter_values raw = { 0 };

	CHECK(model_init(&m) == 0, "model_init");
	snprintf(r.watch.ifname, sizeof(r.watch.ifname), "eth0");
	r.watch.ports = ports;
	model_clear(&m, &raw, 1);		/* as the run loop does at start */
	read_table(&m, 3);			/* that clear's baseline */
	CHECK_EQ_U64(scraped_sources(&r), 3, "sources after the first read");
	read_table(&m, 3);
	CHECK_EQ_U64(scraped_sources(&r), 3, "sources after the second read");
	raw.v[TCPDROP_DROPPED] = 6;
	model_clear(&m, &raw, 2);		/* c */
	CHECK_EQ_U64(scraped_sources(&r), 3, "sources at once after c");
	read_table(&m, 3);			/* the new baseline */
	CHECK_EQ_U64(scraped_sources(&r), 3, "sources after the read that follows c");
	read_table(&m, 4);
	CHECK_EQ_U64(scraped_sources(&r), 4, "sources after a new one came");
	model_free(&m);
}

/* The table's own entries are the table's rows, not the recent entries folded in with them. */
TEST(metrics_table_entries_are_the_tables_rows_alone)
{
	static struct model m;
	static char ports[] = "4040";
	struct run_view r = { .model = &m, .max_sources = 16384 };
	struct source_row recent[2] = { 0 };
	struct counter_values raw = { 0 };

	CHECK(model_init(&m) == 0, "model_init");
	snprintf(r.watch.ifname, sizeof(r.watch.ifname), "eth0");
	r.watch.ports = ports;
	model_clear(&m, &raw, 1);
	for (int i = 0; i < 2; i++) {
		recent[i].family = 4;
		memcpy(recent[i].addr, (uint8_t[]){ 203, 0, 113, 10 + i }, 4);
		recent[i].drops = 1;
	}
	read_table(&m, 3);
	sources_scan_begin(&m.sources, 0);
	sources_scan_add(&m.sources, (struct source_row[3]){ [0].family = 4, [1].family = 4,
							      [2].family = 4 }, 3);
	sources_scan_recent(&m.sources, recent, 2);
	sources_scan_end(&m.sources, 0);
	CHECK_EQ_U64(scraped_sources(&r), 5, "sources: the table's and the recent ones");
	CHECK_EQ_U64(scraped(&r, "source_table_entries"), 3, "the table's alone");
	CHECK_EQ_U64(scraped(&r, "source_table_size"), 16384, "its size");
	model_clear(&m, &raw, 2);
	CHECK_EQ_U64(scraped(&r, "source_table_entries"), 3, "a clear keeps the table");
	model_free(&m);
}

/* Listens on the first free port from 24100 up for spec ("[ADDR]:%u"): the fd, or -errno. */
static int listen_somewhere(const char *spec, struct listen_addr *a, char *why, size_t whylen)
{
	char text[64];
	int fd = -EADDRINUSE;

	for (unsigned int port = 24100 + getpid() % 400; fd == -EADDRINUSE && port < 24600;
	     port++) {
		snprintf(text, sizeof(text), spec, port);
		if (listen_parse(text, a, why, whylen))
			return -EINVAL;
		fd = listen_open(a);
	}
	return fd;
}

static bool ipv4_connects(unsigned short port)
{
	struct sockaddr_in to = {
		.sin_family = AF_INET, .sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok = fd >= 0 && !connect(fd, (struct sockaddr *)&to, sizeof(to));

	if (fd >= 0)
		close(fd);
	return ok;
}

/* [::] is what a bare PORT is shown as, so it means the same: IPv4 comes in too. An
 * IPv4-mapped address is that IPv4 address, which an IPv6 socket cannot be bound to. */
TEST(listen_ipv6_any_takes_ipv4_too_and_a_mapped_address_is_ipv4)
{
	struct listen_addr a;
	char why[256] = "";
	int fd;

	CHECK(listen_parse("[::]:24040", &a, why, sizeof(why)) == 0 && a.any, "[::]: %s", why);
	CHECK_STR(a.text, "[::]:24040");
	CHECK(listen_parse("[::ffff:127.0.0.1]:24040", &a, why, sizeof(why)) == 0 && !a.any &&
	      a.ss.ss_family == AF_INET &&
	      ((struct sockaddr_in *)&a.ss)->sin_addr.s_addr == htonl(INADDR_LOOPBACK),
	      "[::ffff:127.0.0.1]: %s", why);
	CHECK_STR(a.text, "127.0.0.1:24040");

	fd = listen_somewhere("[::]:%u", &a, why, sizeof(why));
	CHECK(fd >= 0, "[::]: listen: %s", strerror(-fd));
	if (fd >= 0) {
		CHECK(ipv4_connects(a.port), "[::]:%u: no IPv4 connection to 127.0.0.1", a.port);
		close(fd);
	}
	fd = listen_somewhere("[::ffff:127.0.0.1]:%u", &a, why, sizeof(why));
	CHECK(fd >= 0, "[::ffff:127.0.0.1]: listen: %s", strerror(-fd));
	if (fd >= 0) {
		CHECK(ipv4_connects(a.port), "%s: no connection to 127.0.0.1", a.text);
		close(fd);
	}
}

int main(void)
{
	RUN(metrics_text_has_help_type_and_one_sample_of_each);
	RUN(metrics_reloads_count_applied_and_refused_and_say_the_last);
	RUN(metrics_each_counter_metric_is_its_own_kernel_counter);
	RUN(metrics_label_values_escape_quotes_backslashes_newlines_and_bad_utf8);
	RUN(metrics_text_cut_short_says_how_long_it_needed);
	RUN(metrics_info_label_carries_a_long_port_set_whole);
	RUN(metrics_dropped_packets_have_a_port_label_for_each_run_of_the_set);
	RUN(metrics_port_series_are_bounded_however_many_runs);
	RUN(listen_takes_a_port_an_ipv4_or_a_bracketed_ipv6_address);
	RUN(listen_refuses_names_bad_ports_and_bare_ipv6);
	RUN(metrics_sources_gauge_survives_the_views_clear);
	RUN(metrics_table_entries_are_the_tables_rows_alone);
	RUN(listen_ipv6_any_takes_ipv4_too_and_a_mapped_address_is_ipv4);
	return check_failures ? 1 : 0;
}
