// SPDX-License-Identifier: GPL-2.0
/* The metrics text and the --metrics address, on plain values: no kernel, no network. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "check.h"
#include "tui/cli.h"
#include "tui/listen.h"
#include "tui/metrics.h"

static struct metrics_values values(const char *ifname)
{
	struct metrics_values v = {
		.ifname = ifname, .mode = "native", .ports = "80,443,9000-9010", .sources = 7,
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
		"excepted_packets_total", "sources", "dry_run", "info",
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
	CHECK(strstr(text, "tcpdrop_top_info{ifname=\"eth0\",mode=\"native\",ports=\"80,443,"
		      "9000-9010\",version=\"" TCPDROP_VERSION "\"} 1\n"), "info: %s", text);
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

int main(void)
{
	RUN(metrics_text_has_help_type_and_one_sample_of_each);
	RUN(metrics_each_counter_metric_is_its_own_kernel_counter);
	RUN(metrics_label_values_escape_quotes_backslashes_newlines_and_bad_utf8);
	RUN(metrics_text_cut_short_says_how_long_it_needed);
	RUN(listen_takes_a_port_an_ipv4_or_a_bracketed_ipv6_address);
	RUN(listen_refuses_names_bad_ports_and_bare_ipv6);
	return check_failures ? 1 : 0;
}
