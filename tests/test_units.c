// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the user-space pieces that need no kernel: parsing, formatting, the model. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <net/if_arp.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "tui/cli/cli.h"
#include "tui/kernel/iface.h"
#include "tui/kernel/privs.h"
#include "tui/lib/error.h"
#include "tui/lib/format.h"
#include "tui/lookup/location.h"
#include "tui/model/droplog.h"
#include "tui/model/history.h"
#include "tui/model/model.h"
#include "tui/model/sources.h"
#include "tui/model/stats.h"
#include "tui/out/ndjson.h"
#include "tui/view/keys.h"
#include "tui/watch/except.h"
#include "tui/watch/ports.h"

static int parse_ports(const char *spec, struct port_set *set, char *err)
{
	return ports_parse(spec, set, err, 128);
}

TEST(ports_list_and_ranges_set_exactly_those_bits)
{
	struct port_set set;
	char err[128];
	int count = 0;

	CHECK(parse_ports("4040,8080,9000-9010,0,65535", &set, err) == 0, "parse failed: %s", err);
	for (unsigned int p = 0; p < 65536; p++)
		count += ports_contains(&set, p);
	CHECK_EQ_U64(count, 3 + 11 + 1, "ports set");
	CHECK(ports_contains(&set, 0) && ports_contains(&set, 65535), "edge ports missing");
	CHECK(ports_contains(&set, 9000) && ports_contains(&set, 9010), "range ends missing");
	CHECK(!ports_contains(&set, 8999) && !ports_contains(&set, 9011), "range overflows");
	CHECK(!ports_contains(&set, 65536), "65536 is not a port");
}

TEST(ports_bad_input_is_refused_with_the_bad_part_named)
{
	static const struct {
		const char *spec, *says;
	} cases[] = {
		{ "", "empty port list" },
		{ "70000", "\"70000\"" },
		{ "abc", "\"abc\"" },
		{ "10-5", "\"10-5\"" },
		{ "4040,,80", "empty item in \"4040,,80\"" },
		{ "4040,", "empty item in \"4040,\"" },
		{ ",", "empty item in \",\"" },
		{ ",80", "empty item" },
		{ "-5", "\"-5\"" },
		{ "80-", "\"80-\"" },
		{ "80 ", "\"80 \"" },
		{ "99999999999999999999", "bad port" },
		{ "1-2-3", "\"1-2-3\"" },
	};
	struct port_set set;
	char err[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		CHECK(parse_ports(cases[i].spec, &set, err) == -1, "\"%s\" accepted", cases[i].spec);
		CHECK(strstr(err, cases[i].says), "\"%s\": message \"%s\" lacks %s", cases[i].spec,
		      err, cases[i].says);
	}
}

TEST(ports_format_merges_runs_and_truncates_visibly)
{
	struct port_set set;
	char err[128], buf[64], tiny[12];

	parse_ports("9010,9000-9009,80,443,4040", &set, err);
	ports_format(&set, buf, sizeof(buf));
	CHECK_STR(buf, "80,443,4040,9000-9010");
	ports_format(&set, tiny, sizeof(tiny));
	CHECK_STR(tiny, "80,443,4...");
}

/* "1000,1002,...,1098": 50 ports with gaps, 249 characters, its own compact form. */
static void gapped_ports(char *spec, size_t len, unsigned int first, unsigned int n)
{
	size_t used = 0;

	for (unsigned int i = 0; i < n; i++)
		used += snprintf(spec + used, len - used, "%s%u", i ? "," : "", first + 2 * i);
}

TEST(ports_format_says_the_whole_length_and_alloc_never_cuts)
{
	struct port_set set;
	char err[128], spec[512], cut[64], *whole;
	size_t n;

	gapped_ports(spec, sizeof(spec), 1000, 50);
	CHECK(parse_ports(spec, &set, err) == 0, "parse failed: %s", err);
	CHECK_EQ_U64(ports_format(&set, cut, sizeof(cut)), strlen(spec), "whole length");
	CHECK(strlen(cut) == sizeof(cut) - 1 && !strcmp(cut + sizeof(cut) - 4, "..."),
	      "a short buffer is not cut visibly: %s", cut);
	whole = ports_format_alloc(&set);
	CHECK(whole, "out of memory");
	if (whole)
		CHECK_STR(whole, spec);
	free(whole);

	/* The longest sets: every other port; two of every three (pairs, one-port gaps). */
	for (unsigned int step = 2; step <= 3; step++) {
		memset(&set, 0, sizeof(set));
		for (unsigned int p = 0; p < 65536; p++)
			if (p % step != step - 1)
				ports_add(&set, p);
		n = ports_format(&set, NULL, 0);
		CHECK(n <= PORTS_TEXT_MAX, "%zu characters for one of every %u ports missing, more "
		      "than PORTS_TEXT_MAX", n, step);
		whole = ports_format_alloc(&set);
		CHECK(whole && strlen(whole) == n, "alloc did not hold the %zu characters", n);
		free(whole);
	}
}

TEST(tcp_flags_print_in_tcpdump_letters)
{
	char buf[FORMAT_FLAGS_LEN];

	format_tcp_flags(TCPDROP_TCP_SYN, buf);
	CHECK_STR(buf, "S");
	format_tcp_flags(TCPDROP_TCP_SYN | TCPDROP_TCP_ACK, buf);
	CHECK_STR(buf, "SA");
	format_tcp_flags(TCPDROP_TCP_PSH | TCPDROP_TCP_ACK, buf);
	CHECK_STR(buf, "PA");
	format_tcp_flags(0xff, buf);
	CHECK_STR(buf, "FSRPAUEW");
	format_tcp_flags(0, buf);
	CHECK_STR(buf, "");
}

TEST(addresses_print_for_both_families)
{
	uint8_t addr[16] = { 192, 0, 2, 7 };
	char buf[FORMAT_ADDR_LEN];

	format_addr(4, addr, buf);
	CHECK_STR(buf, "192.0.2.7");
	inet_pton(AF_INET6, "2001:db8::42", addr);
	format_addr(6, addr, buf);
	CHECK_STR(buf, "2001:db8::42");
	format_addr(9, addr, buf);
	CHECK_STR(buf, "?");
}

TEST(time_prints_as_rfc3339_utc_with_microseconds)
{
	char buf[FORMAT_TIME_LEN];

	format_time_rfc3339(1795552238123456789ULL, buf);
	CHECK_STR(buf, "2026-11-24T20:30:38.123456Z");
	format_time_rfc3339(0, buf);
	CHECK_STR(buf, "1970-01-01T00:00:00.000000Z");
}

/* UTF-8 as it is; each byte that is not part of valid UTF-8 becomes U+FFFD. */
TEST(json_strings_keep_utf8_and_replace_bytes_that_are_not)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "\xc3\xbc" "0", "\"\xc3\xbc" "0\"" },			/* ü0 */
		{ "\xe2\x82\xac\xf0\x9f\x98\x80", "\"\xe2\x82\xac\xf0\x9f\x98\x80\"" },
		{ "\xc3", "\"\\ufffd\"" },					/* cut short */
		{ "\xc0\xaf", "\"\\ufffd\\ufffd\"" },			/* overlong */
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },	/* a surrogate */
		{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" }, /* past U+10FFFF */
		{ "a\x80" "b", "\"a\\ufffd" "b\"" },			/* a lone continuation */
		{ "\x7f", "\"\\u007f\"" },
	};
	char buf[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		format_json_string(cases[i].in, buf, sizeof(buf));
		CHECK_STR(buf, cases[i].out);
	}
}

TEST(json_strings_escape_quotes_controls_and_high_bytes)
{
	char buf[64];
	size_t n;

	n = format_json_string("a\"b\\c\n\x01\xff", buf, sizeof(buf));
	CHECK_STR(buf, "\"a\\\"b\\\\c\\u000a\\u0001\\ufffd\"");
	CHECK_EQ_U64(n, strlen(buf), "length");
	n = format_json_string("abcdef", buf, 4);
	CHECK_EQ_U64(n, 8, "needed length when cut");
	CHECK_STR(buf, "\"ab");
}

TEST(names_escape_controls_backslashes_and_what_the_locale_cannot_show)
{
	static const struct {
		const char *in;
		bool utf8;
		const char *out;
	} cases[] = {
		{ "eth0", true, "eth0" },
		{ "eth0", false, "eth0" },
		{ "a\x01" "b", true, "a\\x01b" },		/* a control byte */
		{ "a\x1b[2J", true, "a\\x1b[2J" },		/* an escape sequence, defused */
		{ "a\x7f", false, "a\\x7f" },			/* DEL */
		{ "a\\b", true, "a\\\\b" },			/* a backslash, doubled */
		{ "\xc3\xbc" "0", true, "\xc3\xbc" "0" },	/* ü0: shown as it is in UTF-8 */
		{ "\xc3\xbc" "0", false, "\\xc3\\xbc0" },	/* and escaped in ASCII */
		{ "\xe4\xb8\xad", true, "\xe4\xb8\xad" },	/* a CJK character */
		{ "\xc3" "0", true, "\\xc3" "0" },		/* cut short: the bad byte only */
		{ "\xff\xfe", true, "\\xff\\xfe" },		/* never UTF-8 */
		{ "\xc0\xaf", true, "\\xc0\\xaf" },		/* overlong "/" */
		{ "\xed\xa0\x80", true, "\\xed\\xa0\\x80" },	/* a UTF-16 surrogate */
		{ "\xf4\x90\x80\x80", true, "\\xf4\\x90\\x80\\x80" },	/* past U+10FFFF */
		{ "a\xc2\x9b" "b", true, "a\\xc2\\x9bb" },	/* C1 CSI, in UTF-8 */
		{ "a\xe2\x80\xae" "b", true, "a\\xe2\\x80\\xaeb" },	/* right-to-left override */
		{ "\xef\xbb\xbf" "x", true, "\\xef\\xbb\\xbfx" },	/* BOM */
	};
	char buf[FORMAT_NAME_LEN];
	size_t n;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = format_name(cases[i].in, cases[i].utf8, buf, sizeof(buf));
		CHECK_STR(buf, cases[i].out);
		CHECK_EQ_U64(n, strlen(cases[i].out), "length");
	}
	/* The longest interface name, every byte escaped, fits. */
	n = format_name("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f", true, buf,
			sizeof(buf));
	CHECK(n < sizeof(buf), "15 escaped bytes need %zu", n);
	n = format_name("abc\x01", false, buf, 5);
	CHECK_EQ_U64(n, 7, "needed length when cut");
	CHECK_STR(buf, "abc\\");
}

TEST(say_escapes_the_whole_line)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	say(f, "watching %s, no interface \"%s\"", "a\x01" "b", "c\x1b]0;x\x07");
	fclose(f);
	CHECK_STR(text, "tcpdrop-top: watching a\\x01b, no interface \"c\\x1b]0;x\\x07\"\n");
	free(text);
}

TEST(addresses_too_long_lose_their_middle_not_their_end)
{
	char buf[128];

	format_elide("2001:db8:77::88:8888", 18, true, buf, sizeof(buf));
	CHECK_STR(buf, "2001:db8\u2026::88:8888");
	format_elide("2001:db8:77::88:8888", 18, false, buf, sizeof(buf));
	CHECK_STR(buf, "2001:db8~::88:8888");
	format_elide("[2001:db8:77::88:8888]:41001", 20, false, buf, sizeof(buf));
	CHECK_STR(buf, "[2001:db8~888]:41001");
	format_elide("198.51.100.2", 18, true, buf, sizeof(buf));
	CHECK_STR(buf, "198.51.100.2");
	format_elide("2001:db8:77::88:8888", 20, true, buf, sizeof(buf));
	CHECK_STR(buf, "2001:db8:77::88:8888");	/* exactly fits: whole */
	format_elide("abcdef", 3, false, buf, sizeof(buf));
	CHECK_STR(buf, "a~f");
}

static struct tcpdrop_event sample_event(void)
{
	struct tcpdrop_event e = {
		.timestamp_ns = 1,
		.saddr = { 192, 0, 2, 2 },
		.daddr = { 192, 0, 2, 1 },
		.ifindex = 3,
		.len = 74,
		.sport = 40001,
		.dport = 4040,
		.vlan = 12,
		.family = 4,
		.tcp_flags = TCPDROP_TCP_SYN,
		.action = TCPDROP_ACTION_DROP,
	};
	return e;
}

TEST(drop_event_prints_as_one_ndjson_line_in_field_order)
{
	struct tcpdrop_event e = sample_event();
	char line[512];
	size_t n;

	n = ndjson_drop(line, sizeof(line), &e, "veth0", 1795552238123456789ULL);
	CHECK_STR(line, "{\"type\":\"drop\",\"time\":\"2026-11-24T20:30:38.123456Z\","
			"\"ifname\":\"veth0\",\"family\":4,\"src\":\"192.0.2.2\",\"sport\":40001,"
			"\"dst\":\"192.0.2.1\",\"dport\":4040,\"flags\":\"S\",\"len\":74,\"vlan\":12,"
			"\"action\":\"drop\"}\n");
	CHECK_EQ_U64(n, strlen(line), "length");
	e.action = TCPDROP_ACTION_WOULD_DROP;
	ndjson_drop(line, sizeof(line), &e, "odd\"name", 0);
	CHECK(strstr(line, "\"action\":\"would-drop\"}"), "dry-run action missing: %s", line);
	CHECK(strstr(line, "\"ifname\":\"odd\\\"name\""), "ifname not escaped: %s", line);
}

TEST(drop_event_line_cut_short_is_reported_not_overrun)
{
	struct tcpdrop_event e = sample_event();
	char line[40];
	size_t n;

	memset(line, 'x', sizeof(line));
	n = ndjson_drop(line, 20, &e, "veth0", 0);
	CHECK(n > 20, "a cut line must report the length it needed, got %zu", n);
	CHECK_EQ_U64(strlen(line), 19, "cut line length");
	CHECK(line[20] == 'x', "wrote past the buffer");
}

static struct counter_values counters(uint64_t passed, uint64_t dropped)
{
	struct counter_values c = {};

	c.v[TCPDROP_PASSED] = passed;
	c.v[TCPDROP_DROPPED] = dropped;
	return c;
}

TEST(stats_count_from_the_reset_point_and_rate_per_second)
{
	struct counter_values raw = counters(1000, 500);
	struct stats s;

	stats_reset(&s, &raw, 0);
	raw = counters(1300, 700);
	stats_sample(&s, &raw, 2000000000ULL);
	CHECK_EQ_U64(s.total.v[TCPDROP_PASSED], 300, "passed since reset");
	CHECK_EQ_U64(s.total.v[TCPDROP_DROPPED], 200, "dropped since reset");
	CHECK(s.rate[TCPDROP_PASSED] == 150.0, "passed rate %f", s.rate[TCPDROP_PASSED]);
	CHECK(s.rate[TCPDROP_DROPPED] == 100.0, "dropped rate %f", s.rate[TCPDROP_DROPPED]);
	raw = counters(1300, 800);
	stats_sample(&s, &raw, 2500000000ULL);
	CHECK(s.rate[TCPDROP_PASSED] == 0.0, "idle passed rate %f", s.rate[TCPDROP_PASSED]);
	CHECK(s.rate[TCPDROP_DROPPED] == 200.0, "dropped rate %f", s.rate[TCPDROP_DROPPED]);
}

TEST(stats_line_carries_totals_rates_and_top_sources)
{
	struct counter_values raw = counters(0, 0);
	struct source_row top[2] = {
		{ .family = 4, .addr = { 192, 0, 2, 2 }, .drops = 3, .bytes = 222 },
		{ .family = 6, .addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 }, .drops = 1, .bytes = 94 },
	};
	char line[1024];
	struct stats s;

	stats_reset(&s, &raw, 0);
	raw = counters(10, 4);
	raw.v[TCPDROP_MALFORMED] = 2;
	raw.v[TCPDROP_EVENTS_LOST] = 1;
	raw.v[TCPDROP_EXCEPTED] = 3;
	stats_sample(&s, &raw, 1000000000ULL);
	struct port_row ports[2] = { { .port = 4040, .drops = 3 }, { .port = 22, .drops = 1 } };
	struct ndjson_tops tops = { .sources = top, .nsources = 2, .ports = ports, .nports = 2 };

	ndjson_stats(line, sizeof(line), 1795552238000000000ULL, "22,4040-4041", &s, &tops);
	CHECK_STR(line, "{\"type\":\"stats\",\"time\":\"2026-11-24T20:30:38.000000Z\","
			"\"ports\":\"22,4040-4041\",\"passed\":10,\"dropped\":4,\"malformed\":2,"
			"\"events_lost\":1,\"events_throttled\":0,\"excepted\":3,\"passed_pps\":10.0,"
			"\"dropped_pps\":4.0,\"top\":[{\"src\":\"192.0.2.2\",\"drops\":3,\"bytes\":222},"
			"{\"src\":\"2001:db8::2\",\"drops\":1,\"bytes\":94}],"
			"\"top_ports\":[{\"port\":4040,\"drops\":3},{\"port\":22,\"drops\":1}]}\n");
}

/* --group: a network's row names it, with its addresses and its rate (null until it has one). */
TEST(stats_line_names_networks_with_their_addresses_and_rate)
{
	struct counter_values raw = counters(0, 0);
	struct source_row top[2] = {
		{ .family = 4, .addr = { 198, 51, 100 }, .prefix = 24, .drops = 7, .bytes = 700,
		  .addresses = 3, .rate = { 2.5, 2, 1 } },
		{ .family = 6, .addr = { 0x20, 0x01, 0x0d, 0xb8 }, .prefix = 64, .drops = 1,
		  .bytes = 90, .addresses = 1, .rate = { -1, -1, -1 } },
	};
	struct ndjson_tops tops = { .sources = top, .nsources = 2 };
	char line[1024];
	struct stats s;

	stats_reset(&s, &raw, 0);
	ndjson_stats(line, sizeof(line), 1795552238000000000ULL, "4040", &s, &tops);
	CHECK(strstr(line, ",\"top\":[{\"net\":\"198.51.100.0/24\",\"drops\":7,\"bytes\":700,"
		      "\"addresses\":3,\"pps\":2.5},{\"net\":\"2001:db8::/64\",\"drops\":1,"
		      "\"bytes\":90,\"addresses\":1,\"pps\":null}],"), "got %s", line);
}

/* The strip and top_ports: most drops since the clear first, ties to the lower port, ten. */
TEST(port_drops_rank_the_most_dropped_ports_since_the_clear)
{
	struct port_drops p;

	if (port_drops_init(&p)) {
		CHECK(0, "out of memory");
		return;
	}
	for (unsigned int port = 1000; port < 1020; port++)
		p.now[port] = port - 999;	/* 1 to 20 drops */
	p.now[0] = 30;
	p.now[65535] = 25;
	p.now[22] = 20;
	port_drops_rank(&p);
	CHECK_EQ_U64(p.ntop, PORT_DROPS_TOP, "ports ranked");
	CHECK_EQ_U64(p.top[0].port, 0, "first: port 0, 30 drops");
	CHECK_EQ_U64(p.top[1].port, 65535, "second: 25 drops");
	CHECK_EQ_U64(p.top[2].port, 22, "a tie of 20: the lower port first");
	CHECK_EQ_U64(p.top[3].port, 1019, "then the other 20");
	CHECK_EQ_U64(p.top[9].port, 1013, "tenth: 14 drops");
	CHECK_EQ_U64(p.top[9].drops, 14, "its drops");
	port_drops_clear(&p);
	CHECK_EQ_U64(p.ntop, 0, "nothing since the clear");
	p.now[4040] += 3;
	p.now[22] += 1;
	port_drops_rank(&p);
	CHECK_EQ_U64(p.ntop, 2, "two ports dropped since the clear");
	CHECK(p.top[0].port == 4040 && p.top[0].drops == 3, "4040 with 3 since the clear");
	CHECK(p.top[1].port == 22 && p.top[1].drops == 1, "22 with 1 since the clear");
	port_drops_free(&p);
}

/* The counters' one table of names: each count the kernel keeps has a metric, the names are
 * fit for their formats and distinct, and each label fits its cell on the screen. */
TEST(counter_names_are_whole_distinct_and_fit_their_outputs)
{
	const struct tcpdrop_counter_name *n = tcpdrop_counter_names;
	const char *labels[2];

	for (int c = 0; c < TCPDROP_NR_COUNTERS; c++) {
		/* seen is passed + dropped: the only counters no output shows on their own */
		bool derived = c == TCPDROP_SEEN_PACKETS || c == TCPDROP_SEEN_BYTES;

		CHECK(derived == !n[c].metric, "counter %d: %s metric", c,
		      derived ? "a derived count has a" : "no");
		if (n[c].metric) {
			CHECK(strspn(n[c].metric, "abcdefghijklmnopqrstuvwxyz_") ==
			      strlen(n[c].metric), "metric \"%s\" is not [a-z_]", n[c].metric);
			/* HELP is written as it is: a backslash or newline would break the text */
			CHECK(n[c].help && *n[c].help && !strpbrk(n[c].help, "\\\n"),
			      "metric %s: no HELP or one that needs escaping", n[c].metric);
		}
		if (n[c].json)
			CHECK(strspn(n[c].json, "abcdefghijklmnopqrstuvwxyz_") == strlen(n[c].json),
			      "key \"%s\" needs escaping", n[c].json);
		CHECK(!n[c].json_pps || n[c].json, "counter %d: a rate with no key", c);
		labels[0] = n[c].label;
		labels[1] = n[c].dry_run_label;
		for (int i = 0; i < 2; i++)	/* the cell: a space, the label, in 12 columns */
			CHECK(!labels[i] || (*labels[i] && strlen(labels[i]) <= 11),
			      "label \"%s\" does not fit its cell", labels[i]);
		for (int d = 0; d < c; d++) {
			CHECK(!n[c].metric || !n[d].metric || strcmp(n[c].metric, n[d].metric),
			      "metric %s twice", n[c].metric);
			CHECK(!n[c].json || !n[d].json || strcmp(n[c].json, n[d].json),
			      "key %s twice", n[c].json);
		}
	}
}

TEST(stats_line_carries_a_long_port_set_whole)
{
	struct ndjson_tops no_tops = { 0 };
	struct counter_values raw = counters(0, 0);
	char spec[8192], want[8300], line[4096], *longer;
	struct stats s;
	size_t n;

	/* 1,000 ports with gaps: a stats line longer than the stream's usual 4,096 bytes. */
	gapped_ports(spec, sizeof(spec), 10000, 1000);
	stats_reset(&s, &raw, 0);
	n = ndjson_stats(line, sizeof(line), 1795552238000000000ULL, spec, &s, &no_tops);
	CHECK(n >= sizeof(line) && strlen(line) == sizeof(line) - 1,
	      "%zu bytes said, %zu kept of a line that cannot fit", n, strlen(line));
	longer = malloc(n + 1);
	CHECK(longer, "out of memory");
	if (!longer)
		return;
	CHECK_EQ_U64(ndjson_stats(longer, n + 1, 1795552238000000000ULL, spec, &s, &no_tops), n,
		     "the same length again");
	snprintf(want, sizeof(want), "\"ports\":\"%s\",\"passed\":0,", spec);
	CHECK(strstr(longer, want), "the ports are not whole: %.200s", longer);
	CHECK(strlen(longer) == n && longer[n - 1] == '\n', "not one whole line");
	free(longer);
}

TEST(sources_sort_by_each_key_biggest_first)
{
	struct source_row rows[3] = {
		{ .family = 4, .addr = { 1 }, .drops = 5, .bytes = 100, .last_seen_ns = 30 },
		{ .family = 4, .addr = { 2 }, .drops = 9, .bytes = 50, .last_seen_ns = 10 },
		{ .family = 4, .addr = { 3 }, .drops = 1, .bytes = 900, .last_seen_ns = 20 },
	};

	sources_sort(rows, 3, SORT_DROPS);
	CHECK(rows[0].addr[0] == 2 && rows[1].addr[0] == 1 && rows[2].addr[0] == 3, "by drops");
	sources_sort(rows, 3, SORT_BYTES);
	CHECK(rows[0].addr[0] == 3 && rows[1].addr[0] == 1 && rows[2].addr[0] == 2, "by bytes");
	sources_sort(rows, 3, SORT_LAST_SEEN);
	CHECK(rows[0].addr[0] == 1 && rows[1].addr[0] == 3 && rows[2].addr[0] == 2, "by last seen");
}

TEST(sources_with_equal_keys_keep_a_stable_order)
{
	struct source_row rows[3] = {
		{ .family = 6, .addr = { 1 }, .drops = 2 },
		{ .family = 4, .addr = { 9 }, .drops = 2 },
		{ .family = 4, .addr = { 3 }, .drops = 2 },
	};

	sources_sort(rows, 3, SORT_DROPS);
	CHECK(rows[0].family == 4 && rows[0].addr[0] == 3, "first");
	CHECK(rows[1].family == 4 && rows[1].addr[0] == 9, "second");
	CHECK(rows[2].family == 6, "third");
}

static enum cli_result parse_args(struct options *o, const char *const *args, int n)
{
	static FILE *null_out;
	char *argv[16];

	if (!null_out)
		null_out = fopen("/dev/null", "w");
	for (int i = 0; i < n; i++)
		argv[i] = (char *)args[i];
	argv[n] = NULL;
	return cli_parse(n, argv, o, null_out, null_out);
}

TEST(cli_defaults_to_port_4040_auto_mode_one_second)
{
	const char *const args[] = { "tcpdrop-top" };
	struct options o;

	CHECK(parse_args(&o, args, 1) == CLI_RUN, "no-argument run refused");
	CHECK(ports_contains(&o.ports, 4040), "4040 not watched by default");
	CHECK(!ports_contains(&o.ports, 4041), "more than 4040 watched");
	CHECK(o.mode == XDP_MODE_AUTO && o.interval_s == 1.0 && !o.json && !o.dry_run, "defaults");
	CHECK(o.ifname[0] == '\0', "an interface was chosen without -i");
}

TEST(cli_takes_every_option)
{
	const char *const args[] = { "tcpdrop-top", "-i", "veth0", "-p", "80,443", "-m", "skb",
				     "--dry-run", "--json", "-d", "0.5", "--duration", "3", "-v" };
	struct options o;

	CHECK(parse_args(&o, args, 14) == CLI_RUN, "refused");
	CHECK_STR(o.ifname, "veth0");
	CHECK(ports_contains(&o.ports, 80) && ports_contains(&o.ports, 443), "ports");
	CHECK(!ports_contains(&o.ports, 4040), "-p must replace the default");
	CHECK(o.mode == XDP_MODE_SKB && o.dry_run && o.json && o.verbose, "flags");
	CHECK(o.interval_s == 0.5 && o.duration_s == 3.0, "times");
}

TEST(cli_except_adds_up_over_repeats_and_force_is_a_flag)
{
	const char *const args[] = { "tcpdrop-top", "--except", "198.51.100.0/24,2001:db8::/32",
				     "--except", "203.0.113.9", "--force" };
	const char *const bad[] = { "tcpdrop-top", "--except", "198.51.100.0/33" };
	struct options o;
	char text[128];

	CHECK(parse_args(&o, args, 6) == CLI_RUN, "refused");
	except_format(&o.excepts, text, sizeof(text));
	CHECK_STR(text, "198.51.100.0/24,2001:db8::/32,203.0.113.9/32");
	CHECK(o.force, "--force");
	CHECK(parse_args(&o, bad, 3) == CLI_USAGE_ERROR, "/33 accepted");
}

TEST(except_prefixes_parse_and_match)
{
	static const char *const bad[] = { "", ",", "198.51.100.1/", "198.51.100.1/x",
					   "2001:db8::/129", "198.51.100.300", "host.example",
					   "198.51.100.1/24/2", "-1", "198.51.100.1/-1",
					   "198.51.100.7/24", "2001:db8:0:17::1/61" };
	const uint8_t in4[4] = { 198, 51, 100, 77 }, out4[4] = { 198, 51, 101, 1 };
	const uint8_t in6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0x10, [15] = 1 };
	struct except_set set = { 0 };
	char err[160], text[160];

	CHECK(except_parse("198.51.100.0/24,2001:db8:0:10::/61,0.0.0.0/0", &set, err,
			   sizeof(err)) == 0, "refused: %s", err);
	CHECK_EQ_U64(set.n, 3, "prefixes");
	CHECK_EQ_U64(set.keys[0].prefixlen, 8 + 24, "the family byte counts in the trie");
	CHECK_EQ_U64(set.keys[0].family, 4, "family");
	except_format(&set, text, sizeof(text));
	CHECK_STR(text, "198.51.100.0/24,2001:db8:0:10::/61,0.0.0.0/0");
	CHECK(except_contains(&set, 4, in4) && except_contains(&set, 4, out4), "/0 takes all v4");
	CHECK(except_contains(&set, 6, in6), "in the /61");
	except_format(&set, text, 12);
	CHECK_STR(text, "...");
	except_free(&set);
	CHECK(except_parse("198.51.100.0/24", &set, err, sizeof(err)) == 0, "refused: %s", err);
	CHECK(except_contains(&set, 4, in4), "inside the /24");
	CHECK(!except_contains(&set, 4, out4), "outside the /24");
	CHECK(!except_contains(&set, 6, in6), "IPv6 in an IPv4 set");
	except_free(&set);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct except_set one = { 0 };

		CHECK(except_parse(bad[i], &one, err, sizeof(err)) == -1, "\"%s\" accepted",
		      bad[i]);
		except_free(&one);
	}
}

TEST(device_types_map_to_ethernet_raw_ip_or_refusal)
{
	static const long ethernet[] = { ARPHRD_ETHER, ARPHRD_LOOPBACK };
	static const long raw_ip[] = { ARPHRD_NONE, ARPHRD_TUNNEL, ARPHRD_TUNNEL6, ARPHRD_SIT,
				       ARPHRD_IPGRE, 823 /* ip6gre */, ARPHRD_PPP, 519 /* rawip */ };
	static const long refused[] = { 280 /* CAN */, 824 /* netlink */, 801 /* 802.11 */,
					32 /* InfiniBand */, ARPHRD_IEEE802, 0xffff /* void */ };

	for (size_t i = 0; i < sizeof(ethernet) / sizeof(ethernet[0]); i++)
		CHECK(iface_frames_of_type(ethernet[i]) == FRAMES_ETHERNET, "type %ld", ethernet[i]);
	for (size_t i = 0; i < sizeof(raw_ip) / sizeof(raw_ip[0]); i++)
		CHECK(iface_frames_of_type(raw_ip[i]) == FRAMES_RAW_IP, "type %ld", raw_ip[i]);
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		CHECK(iface_frames_of_type(refused[i]) == FRAMES_UNKNOWN, "type %ld", refused[i]);
}

/* A refused type is the user's to change (exit 2), and the message says which and why. */
TEST(device_of_a_refused_type_is_a_usage_error_that_names_it)
{
	struct iface iface = { .name = "can0", .index = 7, .type = 280 /* CAN */, .mtu = 16 };
	struct error e = { 0 };
	bool raw_ip = false;

	CHECK(iface_raw_ip(&iface, &raw_ip, &e) < 0, "a CAN device was accepted");
	CHECK(e.exit_status == 2, "exit status %d, want 2", e.exit_status);
	CHECK(strstr(e.msg, "can0 has link type 280") && strstr(e.msg, "neither Ethernet"),
	      "message: %s", e.msg);
}

TEST(cli_map_sizes_take_suffixes_within_bounds)
{
	const char *const args[] = { "tcpdrop-top", "--ring-size", "64K", "--max-sources", "1M" };
	const char *const defaults[] = { "tcpdrop-top" };
	static const char *const bad[][2] = {
		{ "--ring-size", "3M" },	{ "--ring-size", "2K" },   { "--ring-size", "2G" },
		{ "--ring-size", "4096x" },	{ "--ring-size", "" },	   { "--max-sources", "63" },
		{ "--max-sources", "5M" },	{ "--max-sources", "-1" }, { "--ring-size", "99999999999G" },
	};
	const char *argv[3] = { "tcpdrop-top" };
	struct options o;

	CHECK(parse_args(&o, args, 5) == CLI_RUN, "refused");
	CHECK_EQ_U64(o.ring_bytes, 64 << 10, "ring");
	CHECK_EQ_U64(o.max_sources, 1 << 20, "sources");
	parse_args(&o, defaults, 1);
	CHECK_EQ_U64(o.ring_bytes, 4 << 20, "default ring: the README's 4M");
	CHECK_EQ_U64(o.max_sources, 16384, "default sources: the README's 16384");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		argv[1] = bad[i][0];
		argv[2] = bad[i][1];
		CHECK(parse_args(&o, argv, 3) == CLI_USAGE_ERROR, "%s %s accepted", bad[i][0],
		      bad[i][1]);
	}
}

TEST(cli_parses_afresh_after_a_half_read_option_cluster)
{
	const char *const first[] = { "tcpdrop-top", "-hV" };
	const char *const second[] = { "tcpdrop-top", "--json" };
	struct options o;

	CHECK(parse_args(&o, first, 2) == CLI_EXIT_OK, "-hV");
	CHECK(parse_args(&o, second, 2) == CLI_RUN && o.json, "a leftover -V answered --json");
}

TEST(cli_repeated_ports_add_up_and_a_second_interface_is_refused)
{
	const char *const ports[] = { "tcpdrop-top", "-p", "80", "--ports", "443,9000-9001" };
	const char *const twice[] = { "tcpdrop-top", "-i", "eth0", "--interface", "eth1" };
	const char *const same[] = { "tcpdrop-top", "-i", "eth0", "-i", "eth0" };
	struct options o;

	CHECK(parse_args(&o, ports, 5) == CLI_RUN, "refused");
	CHECK(ports_contains(&o.ports, 80) && ports_contains(&o.ports, 443) &&
	      ports_contains(&o.ports, 9000) && ports_contains(&o.ports, 9001), "ports lost");
	CHECK(!ports_contains(&o.ports, 4040), "the default came back");
	CHECK(parse_args(&o, twice, 5) == CLI_USAGE_ERROR, "a second interface accepted");
	CHECK(parse_args(&o, same, 5) == CLI_USAGE_ERROR, "-i twice accepted");
}

/* cli_parse's stderr for one command line (argv[0] added), which must be a usage error. */
static void cli_message(const char *const *args, int n, char *msg, size_t len)
{
	char *argv[16] = { "tcpdrop-top" }, *text = NULL;
	FILE *err = open_memstream(&text, &(size_t){ 0 });
	struct options o;

	for (int i = 0; i < n; i++)
		argv[i + 1] = (char *)args[i];
	CHECK(cli_parse(n + 1, argv, &o, err, err) == CLI_USAGE_ERROR, "%s accepted", args[0]);
	fclose(err);
	snprintf(msg, len, "%s", text);
	free(text);
}

TEST(cli_messages_give_the_reason_and_the_option_as_typed)
{
	static const struct {
		const char *args[3];
		const char *says;
	} cases[] = {
		{ { "--duration", "1e10" }, "--duration: \"1e10\" is not a number of seconds from "
		  "0.001 to 1000000000\n" },
		{ { "--ring-size", "4KB" }, "--ring-size: \"4KB\" is not a number: digits, then "
		  "optionally K, M or G (powers of 1024; no B); want a power of two from 4K to "
		  "1G\n" },
		{ { "--ring-size", "5K" }, "--ring-size: \"5K\" is not a power of two: want 4K, "
		  "8K, 16K ... 1G\n" },
		{ { "--ring-size", "2K" }, "--ring-size: \"2K\" is out of range: want a power of "
		  "two from 4K to 1G\n" },
		{ { "--max-sources", "1k5" }, "--max-sources: \"1k5\" is not a number" },
		{ { "--max-sources", "8M" }, "--max-sources: \"8M\" is out of range: want 64 to "
		  "4194304 (4M)\n" },
		{ { "-p", "," }, "-p: empty item in \",\": separate ports with one comma\n" },
		{ { "--ports", "80,,443" }, "--ports: empty item in \"80,,443\"" },
		{ { "--po", "70000" }, "--ports: bad port \"70000\"" },
		{ { "--ports" }, "option --ports needs a value\n" },
		{ { "-p" }, "option -p needs a value\n" },
		{ { "-vp" }, "option -p needs a value\n" },
		{ { "--int", "eth0" }, "option --int is ambiguous: --interface, --interval\n" },
		{ { "--d" }, "option --d is ambiguous: --dry-run, --duration\n" },
		{ { "--d=5" }, "option --d is ambiguous: --dry-run, --duration\n" },
		{ { "--bogus" }, "unknown option --bogus\n" },
		{ { "--=x" }, "unknown option --=x\n" },
		{ { "--=" }, "unknown option --=\n" },
		{ { "--json=1" }, "option --json=1 takes no value\n" },
		{ { "-i", "eth0", "-ieth1" }, "-i: only one interface per process, and \"eth0\" "
		  "was given before \"eth1\"" },
		{ { "--mode", "fast" }, "--mode: unknown mode \"fast\"" },
	};
	char msg[512], want[512];
	int n;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (n = 0; n < 3 && cases[i].args[n]; n++)
			;
		cli_message(cases[i].args, n, msg, sizeof(msg));
		snprintf(want, sizeof(want), "tcpdrop-top: %s", cases[i].says);
		CHECK(!strncmp(msg, want, strlen(want)), "%s: got \"%s\", want it to start \"%s\"",
		      cases[i].args[0], msg, want);
	}
}

/* What ss shows for an IPv4 client of a dual-stack socket is that IPv4 client: the program
 * sees it as IPv4, so the prefix must be IPv4 to ever match. */
TEST(except_ipv4_mapped_prefixes_are_the_ipv4_ones)
{
	static const char *const bad[] = { "::ffff:203.0.113.10/95", "::ffff:0:0/64",
					   "::ffff:0.0.0.0/0" };
	const uint8_t host[4] = { 203, 0, 113, 10 }, other[4] = { 203, 0, 113, 11 };
	const uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, 203, 0, 113, 10 };
	const uint8_t in24[4] = { 198, 51, 100, 200 };
	struct except_set set = { 0 };
	char err[160] = "", text[160];

	CHECK(except_parse("::ffff:203.0.113.10", &set, err, sizeof(err)) == 0, "refused: %s",
	      err);
	CHECK_EQ_U64(set.keys[0].family, 4, "family of ::ffff:203.0.113.10");
	CHECK_EQ_U64(set.keys[0].prefixlen, 8 + 32, "its trie length");
	CHECK(!memcmp(set.keys[0].addr, (uint8_t[16]){ 203, 0, 113, 10 }, 16),
	      "its key is not 203.0.113.10 followed by zeros");
	CHECK(except_contains(&set, 4, host), "IPv4 203.0.113.10 is not excepted");
	CHECK(!except_contains(&set, 4, other), "IPv4 203.0.113.11 is excepted");
	CHECK(except_contains(&set, 6, mapped), "::ffff:203.0.113.10 asked as IPv6 is not");
	CHECK(except_parse("::FFFF:198.51.100.0/120,::ffff:0:0/96", &set, err, sizeof(err)) == 0,
	      "refused: %s", err);
	except_format(&set, text, sizeof(text));
	CHECK_STR(text, "203.0.113.10/32,198.51.100.0/24,0.0.0.0/0");
	CHECK(except_contains(&set, 4, in24), "the /120 is not the /24");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct except_set one = { 0 };

		err[0] = '\0';
		CHECK(except_parse(bad[i], &one, err, sizeof(err)) == -1, "\"%s\" accepted",
		      bad[i]);
		CHECK(strstr(err, "IPv4-mapped") && strstr(err, "96 to 128"),
		      "\"%s\": the reason does not say IPv4-mapped, 96 to 128: %s", bad[i], err);
	}
}

/* As ip(8): 203.0.113.1/8 is not silently 203.0.0.0/8, a network 65,536 times bigger. */
TEST(except_host_bits_are_refused_naming_the_prefix_meant)
{
	static const struct {
		const char *arg, *says;
	} cases[] = {
		{ "203.0.113.1/8", "203.0.113.1/8 has host bits set: did you mean 203.0.0.0/8?" },
		{ "198.51.100.0/24,198.51.100.7/24", "198.51.100.7/24 has host bits set: did you "
		  "mean 198.51.100.0/24?" },
		{ "2001:db8::1/32", "2001:db8::1/32 has host bits set: did you mean "
		  "2001:db8::/32?" },
		{ "::ffff:203.0.113.1/120", "::ffff:203.0.113.1/120 has host bits set: did you "
		  "mean ::ffff:203.0.113.0/120?" },
	};
	char msg[512], want[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *const args[] = { "--except", cases[i].arg };

		cli_message(args, 2, msg, sizeof(msg));
		snprintf(want, sizeof(want), "tcpdrop-top: --except: %s\n", cases[i].says);
		CHECK(!strncmp(msg, want, strlen(want)), "%s: got \"%s\", want \"%s\"",
		      cases[i].arg, msg, want);
	}
}

/* A prefix given twice, or as its IPv4-mapped twin, is one prefix: one in the title, one of
 * the TCPDROP_MAX_EXCEPT. */
TEST(except_duplicates_count_once)
{
	size_t len = (size_t)TCPDROP_MAX_EXCEPT * 24, used = 0;
	char *spec = malloc(len);
	struct except_set set = { 0 };
	char err[160] = "", text[160];

	CHECK(except_parse("203.0.113.9,203.0.113.9/32,::ffff:203.0.113.9", &set, err,
			   sizeof(err)) == 0, "refused: %s", err);
	CHECK(except_parse("203.0.113.9", &set, err, sizeof(err)) == 0, "refused: %s", err);
	CHECK_EQ_U64(set.n, 1, "prefixes kept");
	except_format(&set, text, sizeof(text));
	CHECK_STR(text, "203.0.113.9/32");

	except_free(&set);
	if (!spec) {
		CHECK(0, "out of memory");
		return;
	}
	for (int i = 0; i < TCPDROP_MAX_EXCEPT && used < len; i++)
		used += snprintf(spec + used, len - used, "%s2001:db8::%x:%x", i ? "," : "",
				 i >> 16, i & 0xffff);
	CHECK(except_parse(spec, &set, err, sizeof(err)) == 0, "the most refused: %s", err);
	CHECK(except_parse(spec, &set, err, sizeof(err)) == 0, "the same again: %s", err);
	CHECK_EQ_U64(set.n, TCPDROP_MAX_EXCEPT, "prefixes kept");
	CHECK(except_has(&set, &set.keys[TCPDROP_MAX_EXCEPT - 1]), "the last one is not found");
	CHECK(except_parse("2001:db8::ffff:ffff", &set, err, sizeof(err)) == -1,
	      "one more than the most accepted");
	CHECK(strstr(err, "more than 131072 prefixes"), "message: %s", err);
	except_free(&set);
	free(spec);
}

/* 0.0.0.0/0 and ::/0 are taken, and said to leave nothing (or one family) to drop. */
TEST(cli_warns_when_except_covers_a_whole_family)
{
	static const struct {
		const char *arg, *says;
	} cases[] = {
		{ "0.0.0.0/0,::/0", "tcpdrop-top: warning: --except covers every source "
		  "(0.0.0.0/0 and ::/0): nothing will be dropped\n" },
		{ "::ffff:0:0/96", "tcpdrop-top: warning: --except covers every IPv4 source "
		  "(0.0.0.0/0): only IPv6 will be dropped\n" },
		{ "::/0", "tcpdrop-top: warning: --except covers every IPv6 source (::/0): only "
		  "IPv4 will be dropped\n" },
		{ "0.0.0.0/1,128.0.0.0/1,2001:db8::/32", "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *const args[] = { "tcpdrop-top", "--except", cases[i].arg };
		char *text = NULL;
		size_t len = 0;
		FILE *err;
		struct options o;

		CHECK(parse_args(&o, args, 3) == CLI_RUN, "--except %s refused", cases[i].arg);
		err = open_memstream(&text, &len);
		cli_warn(&o, err);
		fclose(err);
		CHECK_STR(text, cases[i].says);
		free(text);
	}
}

TEST(cli_usage_errors_exit_as_usage_errors)
{
	/* An altname may have 127 bytes (ALTIFNAMSIZ), a name 15: 128 is too long for either. */
	static const char too_long[] = "a-name-too-long-even-for-an-altname-aaaaaaaaaaaaaaaaaaaaaaaaaa"
				       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
				       "aaaaa";
	static const char *const bad[][3] = {
		{ "tcpdrop-top", "-p", "70000" }, { "tcpdrop-top", "-m", "fast" },
		{ "tcpdrop-top", "-d", "0" },     { "tcpdrop-top", "-d", "nan" },
		{ "tcpdrop-top", "-d", "0x1p1" }, { "tcpdrop-top", "--duration", "-1" },
		{ "tcpdrop-top", "-i", "" },      { "tcpdrop-top", "-i", too_long },
		{ "tcpdrop-top", "-x", "1" },     { "tcpdrop-top", "--bogus", "1" },
		{ "tcpdrop-top", "stray", "1" },  { "tcpdrop-top", "--json=1", "x" },
		{ "tcpdrop-top", "--help=x", "x" },
	};
	const char *const missing[] = { "tcpdrop-top", "-p" };
	struct options o;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(parse_args(&o, bad[i], 3) == CLI_USAGE_ERROR, "%s %s accepted", bad[i][1],
		      bad[i][2]);
	CHECK(parse_args(&o, missing, 2) == CLI_USAGE_ERROR, "-p without a value accepted");
	_Static_assert(sizeof(too_long) == 129, "128 bytes and the NUL");
}

TEST(cli_takes_an_altname_longer_than_a_name)
{
	char longest[128];
	const char *args[] = { "tcpdrop-top", "-i", longest };
	struct options o;

	memset(longest, 'a', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	CHECK(parse_args(&o, args, 3) == CLI_RUN, "-i with 127 bytes refused");
	CHECK_STR(o.ifname, longest);
}

/* Every bound of the man page's OPTIONS, on both sides, as typed on the command line. */
TEST(cli_option_bounds_are_the_readmes)
{
	static const struct {
		const char *args[5];
		bool taken;
	} cases[] = {
		{ { "-d", "0.1" }, true },		{ { "-d", "0.09" }, false },
		{ { "-d", "3600" }, true },		{ { "-d", "3600.5" }, false },
		{ { "--duration", "0.001" }, true },	{ { "--duration", "0.0009" }, false },
		{ { "--duration", "1000000000" }, true },
		{ { "--duration", "1000000001" }, false },
		{ { "--ring-size", "4K" }, true },	{ { "--ring-size", "1G" }, true },
		{ { "--ring-size", "2K" }, false },	{ { "--ring-size", "2G" }, false },
		{ { "--max-sources", "64" }, true },	{ { "--max-sources", "63" }, false },
		{ { "--max-sources", "4M" }, true },	{ { "--max-sources", "4194305" }, false },
		{ { "-w", "x.pcap", "--snaplen", "1" }, true },
		{ { "-w", "x.pcap", "--snaplen", "4096" }, true },
		{ { "-w", "x.pcap", "--snaplen", "0" }, false },
		{ { "-w", "x.pcap", "--snaplen", "4097" }, false },
		{ { "--event-rate", "0" }, true },	{ { "--event-rate", "max" }, true },
	};
	const char *argv[6] = { "tcpdrop-top" };
	struct options o;
	int n;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (n = 0; n < 4 && cases[i].args[n]; n++)
			argv[n + 1] = cases[i].args[n];
		CHECK((parse_args(&o, argv, n + 1) == CLI_RUN) == cases[i].taken, "%s %s %s: %s",
		      argv[1], argv[2], n > 2 ? argv[4] : "",
		      cases[i].taken ? "refused" : "accepted");
	}
}

TEST(cli_defaults_are_the_readmes)
{
	const char *const none[] = { "tcpdrop-top" };
	const char *const w[] = { "tcpdrop-top", "-w", "x.pcap" };
	struct options o;

	CHECK(parse_args(&o, none, 1) == CLI_RUN, "refused");
	CHECK(o.event_rate == 10000 && !o.every_event, "--event-rate %u by default, want 10000",
	      o.event_rate);
	CHECK(parse_args(&o, w, 3) == CLI_RUN, "-w refused");
	CHECK_EQ_U64(o.snaplen, 128, "--snaplen by default");
}

/* The combinations the man page refuses, each with the reason. */
TEST(cli_combinations_that_cannot_be_are_refused_with_the_reason)
{
	static const struct {
		const char *args[6];
		const char *says;
	} cases[] = {
		{ { "-q", "--json" }, "--quiet writes no NDJSON, and --json asks for it" },
		{ { "--snaplen", "64" }, "--snaplen: nothing to capture without -w FILE" },
		{ { "-w", "-", "--json" }, "-w -: the pcap goes to stdout, so --json cannot" },
		{ { "-w", "x", "--snaplen", "4096", "--ring-size", "4K" },
		  "--ring-size 4K cannot hold one 4096-byte capture" },
	};
	char msg[512], want[512];
	int n;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (n = 0; n < 6 && cases[i].args[n]; n++)
			;
		cli_message(cases[i].args, n, msg, sizeof(msg));
		snprintf(want, sizeof(want), "tcpdrop-top: %s", cases[i].says);
		CHECK(!strncmp(msg, want, strlen(want)), "%s: got \"%s\", want it to start \"%s\"",
		      cases[i].args[0], msg, want);
	}
}

/* The options table: one row per option, each name and letter once, each "needs" a row. */
TEST(cli_table_names_each_option_once)
{
	for (size_t i = 0; i < cli_option_count; i++) {
		const struct cli_option *o = &cli_options[i];
		bool needed = !o->needs;

		CHECK(o->name && o->name[0] != '-' && o->help && *o->help && o->parse,
		      "row %zu: a name without dashes, a help text and a parser", i);
		CHECK(!o->choices || o->metavar, "--%s: choices but no value", o->name);
		CHECK(!o->needs == !o->needs_why, "--%s: needs without why, or why alone", o->name);
		for (size_t j = 0; j < cli_option_count; j++) {
			const struct cli_option *p = &cli_options[j];

			if (j == i)
				continue;
			CHECK(strcmp(o->name, p->name), "--%s twice", o->name);
			CHECK(!o->short_opt || o->short_opt != p->short_opt, "-%c twice",
			      o->short_opt);
			needed |= o->needs == p->short_opt;
		}
		CHECK(needed, "--%s needs -%c, which no row is", o->name, o->needs);
	}
}

/* cli_parse's result, stdout and stderr (len bytes each) for one command line (argv[0] added). */
static enum cli_result cli_run(const char *const *args, int n, char *out, char *msg,
			       size_t len)
{
	char *argv[8] = { "tcpdrop-top" }, *otext = NULL, *etext = NULL;
	FILE *o = open_memstream(&otext, &(size_t){ 0 });
	FILE *e = open_memstream(&etext, &(size_t){ 0 });
	struct options opts;
	enum cli_result r;

	for (int i = 0; i < n; i++)
		argv[i + 1] = (char *)args[i];
	r = cli_parse(n + 1, argv, &opts, o, e);
	fclose(o);
	fclose(e);
	snprintf(out, len, "%s", otext);
	snprintf(msg, len, "%s", etext);
	free(otext);
	free(etext);
	return r;
}

/* getopt_long's tables come from the options table: every row is taken by its long name and by
 * its letter, with a value when it has a metavar and without one when it has none. */
TEST(cli_every_row_is_an_option_by_name_and_letter)
{
	char out[8192], msg[sizeof(out)], want[128], typed[64], letter[4];

	for (size_t i = 0; i < cli_option_count; i++) {
		const struct cli_option *o = &cli_options[i];
		bool answers = !strcmp(o->name, "help") || !strcmp(o->name, "version");

		snprintf(typed, sizeof(typed), "--%s", o->name);
		snprintf(letter, sizeof(letter), "-%c", o->short_opt);
		if (o->metavar) {
			/* The value missing is the proof that getopt wants one. */
			cli_run((const char *[]){ typed }, 1, out, msg, sizeof(msg));
			snprintf(want, sizeof(want), "tcpdrop-top: option %s needs a value\n",
				 typed);
			CHECK(!strncmp(msg, want, strlen(want)), "%s: \"%s\"", typed, msg);
			if (!o->short_opt)
				continue;
			cli_run((const char *[]){ letter }, 1, out, msg, sizeof(msg));
			snprintf(want, sizeof(want), "tcpdrop-top: option %s needs a value\n",
				 letter);
			CHECK(!strncmp(msg, want, strlen(want)), "%s: \"%s\"", letter, msg);
			continue;
		}
		CHECK(cli_run((const char *[]){ typed }, 1, out, msg, sizeof(msg)) ==
		      (answers ? CLI_EXIT_OK : CLI_RUN), "%s: \"%s\"", typed, msg);
		if (o->short_opt)
			CHECK(cli_run((const char *[]){ letter }, 1, out, msg, sizeof(msg)) ==
			      (answers ? CLI_EXIT_OK : CLI_RUN), "%s: \"%s\"", letter, msg);
		snprintf(typed, sizeof(typed), "--%s=1", o->name);
		cli_run((const char *[]){ typed }, 1, out, msg, sizeof(msg));
		snprintf(want, sizeof(want), "tcpdrop-top: option %s takes no value\n", typed);
		CHECK(!strncmp(msg, want, strlen(want)), "%s: \"%s\"", typed, msg);
	}
}

/* --help comes from the table: each row in its order, in the synopsis and below it, and no
 * line wider than 90 columns. */
TEST(cli_help_shows_every_row_in_table_order)
{
	char out[8192], msg[sizeof(out)], form[64], needed[8];
	const char *synopsis_end, *at, *line, *end, *needed_at;

	CHECK(cli_run((const char *[]){ "--help" }, 1, out, msg, sizeof(msg)) == CLI_EXIT_OK,
	      "--help: %s", msg);
	CHECK(!strncmp(out, "Usage: tcpdrop-top [", 20), "starts \"%.40s\"", out);
	synopsis_end = strstr(out, "\n\n");	/* and the line about the tool */
	CHECK(synopsis_end, "no blank line before the options");
	if (!synopsis_end)
		return;
	for (line = out; *line; line = end + (*end == '\n')) {
		end = strchrnul(line, '\n');
		CHECK(end - line <= 90, "wider than 90: \"%.100s\"", line);
	}
	at = out;
	for (size_t i = 0; i < cli_option_count; i++) {
		const struct cli_option *o = &cli_options[i];

		/* The synopsis names the letter if there is one, else the long name, whole. */
		if (o->short_opt)
			snprintf(form, sizeof(form), "[-%c", o->short_opt);
		else
			snprintf(form, sizeof(form), "[--%s%s", o->name, o->metavar ? " " : "]");
		at = strstr(at, form);
		CHECK(at && at < synopsis_end, "%s not in the synopsis, or out of order", form);
		if (!at)
			return;
		CHECK(!strstr(at + 1, form) || strstr(at + 1, form) > synopsis_end,
		      "%s twice in the synopsis", form);
		/* "[-w FILE [--snaplen N]]": inside the brackets of the option it needs. */
		if (o->needs) {
			snprintf(needed, sizeof(needed), "[-%c", o->needs);
			needed_at = strstr(out, needed);
			CHECK(needed_at && needed_at < at && strchr(needed_at, ']') > at,
			      "%s is not inside %s's brackets", form, needed);
		}
	}
	at = synopsis_end;
	for (size_t i = 0; i < cli_option_count; i++) {
		const struct cli_option *o = &cli_options[i];

		if (o->long_unlisted)
			snprintf(form, sizeof(form), "\n  -%c %s ", o->short_opt, o->metavar);
		else if (o->short_opt)
			snprintf(form, sizeof(form), "\n  -%c, --%s", o->short_opt, o->name);
		else
			snprintf(form, sizeof(form), "\n      --%s", o->name);
		at = strstr(at, form);
		CHECK(at, "\"%s\" not among the options, or out of order", form + 1);
		if (!at)
			return;
		at += strlen(form);
		/* The first line of the row's text, in the column or on the next line. */
		snprintf(form, sizeof(form), "%.*s", (int)strcspn(o->help, "\n"), o->help);
		CHECK(strstr(at, form) && strstr(at, form) - at < 64, "--%s: its text \"%s\" is "
		      "not beside or under it", o->name, form);
	}
}

static struct tcpdrop_event event_n(uint16_t sport)
{
	struct tcpdrop_event e = { .family = 4, .sport = sport, .dport = 4040 };

	return e;
}

TEST(droplog_lists_newest_first_and_keeps_only_its_capacity)
{
	struct droplog d;

	CHECK(droplog_init(&d) == 0, "init");
	for (unsigned int i = 0; i < DROPLOG_CAPACITY + 5; i++) {
		struct tcpdrop_event e = event_n(i % 65536);

		droplog_push(&d, &e);
	}
	CHECK_EQ_U64(droplog_count(&d), 10000, "kept: the README's newest 10,000");
	CHECK_EQ_U64(droplog_get(&d, 0)->sport, (DROPLOG_CAPACITY + 4) % 65536, "newest");
	CHECK_EQ_U64(droplog_get(&d, DROPLOG_CAPACITY - 1)->sport, 5, "oldest kept");
	CHECK(droplog_get(&d, DROPLOG_CAPACITY) == NULL, "past the end");
	droplog_free(&d);
}

TEST(droplog_copy_stands_still_while_the_live_log_moves_on)
{
	struct droplog live, frozen;
	uint64_t i;

	CHECK(droplog_init(&live) == 0 && droplog_init(&frozen) == 0, "init");
	for (i = 0; i < 100; i++) {
		struct tcpdrop_event e = event_n(i);

		droplog_push(&live, &e);
	}
	droplog_copy(&frozen, &live);
	for (; i < 100 + DROPLOG_CAPACITY + 7; i++) {
		struct tcpdrop_event e = event_n(i % 65536);

		droplog_push(&live, &e);
	}
	CHECK_EQ_U64(droplog_count(&frozen), 100, "the copy keeps what it had");
	CHECK_EQ_U64(droplog_get(&frozen, 0)->sport, 99, "frozen head");
	CHECK_EQ_U64(droplog_get(&frozen, 99)->sport, 0, "frozen tail");
	CHECK_EQ_U64(live.pushed - frozen.pushed, DROPLOG_CAPACITY + 7, "new since the copy");
	CHECK_EQ_U64(droplog_get(&live, 0)->sport, (100 + DROPLOG_CAPACITY + 6) % 65536,
		     "the live log went on");
	droplog_free(&live);
	droplog_free(&frozen);
}

TEST(droplog_clear_empties_the_log)
{
	struct tcpdrop_event e = event_n(1);
	struct droplog d;

	droplog_init(&d);
	droplog_push(&d, &e);
	droplog_clear(&d);
	CHECK_EQ_U64(droplog_count(&d), 0, "log");
	CHECK(droplog_get(&d, 0) == NULL, "nothing to get");
	droplog_free(&d);
}

#define SEC 1000000000ULL

TEST(history_keeps_one_bucket_a_second_newest_first)
{
	struct history h;

	history_reset(&h, 100 * SEC, 0);
	history_update(&h, 100 * SEC + SEC / 2, 3);	/* same second: nothing closes */
	CHECK_EQ_U64(history_count(&h), 0, "open second");
	history_update(&h, 101 * SEC, 5);
	history_update(&h, 102 * SEC, 12);
	CHECK_EQ_U64(history_count(&h), 2, "closed seconds");
	CHECK_EQ_U64(history_get(&h, 0), 7, "newest");
	CHECK_EQ_U64(history_get(&h, 1), 5, "older");
	CHECK_EQ_U64(history_peak(&h, 2), 7, "peak");
	CHECK_EQ_U64(history_peak(&h, 1), 7, "peak of newest only");
}

TEST(history_spreads_a_long_refresh_evenly_and_keeps_the_sum)
{
	struct history h;
	uint64_t sum = 0;

	history_reset(&h, 0, 0);
	history_update(&h, 4 * SEC, 10);	/* 10 drops over 4 seconds: 2, 2, 3, 3 */
	CHECK_EQ_U64(history_count(&h), 4, "buckets");
	for (size_t i = 0; i < 4; i++)
		sum += history_get(&h, i);
	CHECK_EQ_U64(sum, 10, "sum");
	CHECK_EQ_U64(history_get(&h, 0), 3, "newest gets the remainder");
	CHECK_EQ_U64(history_get(&h, 3), 2, "oldest");
}

TEST(history_is_bounded_to_its_window)
{
	struct history h;

	history_reset(&h, 0, 0);
	for (uint64_t s = 1; s <= HISTORY_SECONDS + 30; s++)
		history_update(&h, s * SEC, s * 10);
	CHECK_EQ_U64(history_count(&h), 120, "bounded: the man page's two minutes");
	CHECK_EQ_U64(history_get(&h, HISTORY_SECONDS), 0, "past the window");
	history_update(&h, 100000 * SEC, 0);	/* counter reset below: no wrap-around */
	CHECK_EQ_U64(history_get(&h, 0), 0, "no negative buckets");
}

static struct source_row src(uint8_t last_byte, uint64_t drops, uint64_t bytes)
{
	struct source_row r = { .family = 4, .addr = { 198, 51, 100, last_byte },
				.drops = drops, .bytes = bytes, .last_seen_ns = last_byte };

	return r;
}

/* One full read of a table, in chunks of chunk rows, as the run loop does. */
static void scan(struct sources *s, const struct source_row *table, size_t n, size_t chunk,
		 uint64_t dropped)
{
	sources_scan_begin(s, dropped);
	for (size_t at = 0; at < n; at += chunk)
		CHECK(sources_scan_add(s, table + at, n - at < chunk ? n - at : chunk) == 0, "add");
	CHECK(sources_scan_end(s, 0) == 0, "end");
}

/* A table row counted before the last clear reads as 0 drops (the loader's doing): no row. */
TEST(sources_count_from_the_clear_and_hide_quiet_sources)
{
	struct source_row table[3] = { src(1, 4, 400), src(2, 0, 0), src(3, 2, 120) };
	struct source_row top[4];
	struct sources s = {};

	scan(&s, table, 3, 2, 6);
	CHECK_EQ_U64(sources_top(&s, SORT_DROPS, top, 4), 2, "rows with drops since the clear");
	CHECK_EQ_U64(top[0].addr[3], 1, "busiest first");
	CHECK_EQ_U64(top[0].drops, 4, "drops since clear");
	CHECK_EQ_U64(top[0].bytes, 400, "bytes since clear");
	CHECK_EQ_U64(top[1].addr[3], 3, "the other");
	CHECK_EQ_U64(s.done.total_drops, 6, "total");
	CHECK_EQ_U64(s.done.entries, 3, "entries");
	sources_clear(&s);
	CHECK_EQ_U64(sources_top(&s, SORT_DROPS, top, 4), 0, "none after a clear");
	sources_free(&s);
}

/* The table, then the recent entries, as the run loop reads them: parts settled as given. */
static void scan_with_recent(struct sources *s, const struct source_row *table, size_t n,
			     const struct source_row *recent, size_t nrecent,
			     const struct source_row *parts, size_t nparts,
			     const struct source_row *again, size_t nagain, uint64_t dropped)
{
	struct source_row found[8];
	size_t nfound;

	sources_scan_begin(s, dropped);
	CHECK(sources_scan_add(s, table, n) == 0, "add");
	CHECK(sources_scan_recent(s, recent, nrecent) == 0, "recent");
	nfound = sources_recent_only(s, found, 8);
	CHECK_EQ_U64(nfound, nparts, "top sources only in the recent entries");
	for (size_t i = 0; i < nfound && i < nparts; i++)
		CHECK(!memcmp(found[i].addr, parts[i].addr, 16), "recent-only source %zu", i);
	CHECK(sources_settle(s, parts, nparts, again, nagain) == 0, "settle");
	CHECK(sources_scan_end(s, 0) == 0, "end");
}

/* A source's row is its table entry plus its entries on every CPU, each counted once. */
TEST(sources_add_up_a_sources_table_entry_and_recent_entries)
{
	struct source_row table[2] = { src(1, 100, 10000), src(2, 7, 700) };
	/* .1 on two CPUs; .3 on one, with 40 more in the table (found by the lookup); .4 new. */
	struct source_row recent[4] = { src(1, 5, 500), src(3, 2, 200), src(1, 1, 100),
					 src(4, 1, 60) };
	struct source_row parts[2] = { src(3, 40, 4000), src(4, 0, 0) };
	/* Read again after the lookup: .3 has one more drop, .4's entry went to another. */
	struct source_row again[2] = { src(3, 3, 300), src(1, 6, 600) };
	struct source_row top[5];
	struct sources s = {};

	recent[2].last_seen_ns = 99;
	scan_with_recent(&s, table, 2, recent, 4, parts, 2, again, 2, 200);
	CHECK_EQ_U64(sources_top(&s, SORT_DROPS, top, 5), 3, "rows: .4 has none left");
	CHECK_EQ_U64(top[0].addr[3], 1, "first");
	CHECK_EQ_U64(top[0].drops, 106, "table + both CPUs");
	CHECK_EQ_U64(top[0].bytes, 10600, "bytes too");
	CHECK_EQ_U64(top[0].last_seen_ns, 99, "the later last seen");
	CHECK_EQ_U64(top[1].addr[3], 3, "second");
	CHECK_EQ_U64(top[1].drops, 43, "table part + entries read last");
	CHECK_EQ_U64(top[2].addr[3], 2, "third");
	CHECK_EQ_U64(top[2].drops, 7, "table only");
	CHECK_EQ_U64(s.done.total_drops, 100 + 7 + 5 + 2 + 1 + 1, "table + entries, once each");
	CHECK_EQ_U64(s.done.entries, 2 + 3, "table entries, and sources in recent ones");
	sources_free(&s);
}

/* Shares are of all drops: what no row holds is told, never more than that. */
TEST(sources_drops_of_untracked_sources_are_the_counter_less_the_rows)
{
	struct source_row table[2] = { src(1, 1000, 1), src(2, 500, 1) };
	struct sources s = {};

	scan(&s, table, 2, 2, 51500);	/* 50,000 drops of sources seen once, or evicted */
	CHECK_EQ_U64(sources_untracked_drops(&s, 51500), 50000, "untracked");
	CHECK_EQ_U64(sources_untracked_drops(&s, 60000), 50000, "later drops are not in it");
	CHECK_EQ_U64(sources_untracked_drops(&s, 1200), 0, "a counter read before the table");
	sources_free(&s);
}

TEST(sources_top_orders_by_the_key_asked_for)
{
	struct source_row table[2] = { src(1, 9, 10), src(2, 1, 900) };
	struct source_row top[2];
	struct sources s = {};

	scan(&s, table, 2, 2, 10);
	sources_top(&s, SORT_DROPS, top, 2);
	CHECK_EQ_U64(top[0].addr[3], 1, "by drops");
	sources_top(&s, SORT_BYTES, top, 2);
	CHECK_EQ_U64(top[0].addr[3], 2, "by bytes");
	CHECK_EQ_U64(sources_top(&s, SORT_BYTES, top, 1), 1, "no more than asked");
	CHECK_EQ_U64(top[0].addr[3], 2, "the first of them");
	sources_free(&s);
}

static struct source_row src6(const char *addr, uint64_t drops, uint64_t bytes)
{
	struct source_row r = { .family = 6, .drops = drops, .bytes = bytes };

	inet_pton(AF_INET6, addr, r.addr);
	return r;
}

static bool has_row(struct sources *s, const char *label, uint64_t drops, uint64_t bytes,
		    uint64_t addresses)
{
	struct source_row top[16];
	char l[SOURCES_LABEL_LEN];
	size_t n = sources_top(s, SORT_DROPS, top, 16);

	for (size_t i = 0; i < n; i++) {
		sources_label(&top[i], l);
		if (!strcmp(l, label))
			return top[i].drops == drops && top[i].bytes == bytes &&
			       top[i].addresses == addresses;
	}
	return false;
}

/* A network's row adds up its sources, and counts each address once, table and entries both. */
TEST(sources_grouped_by_network_add_up_their_addresses_once)
{
	struct source_row table[6] = {
		src(1, 3, 300), src(2, 2, 200), src(9, 4, 400),
		src6("2001:db8:1:2::5", 1, 90), src6("2001:db8:1:2:ffff::1", 2, 180),
		src6("2001:db8:1:3::1", 5, 450),
	};
	/* Entries: more of 198.51.100.1 (in the table too), and a source only here. */
	struct source_row recent[2] = { src(1, 1, 100), src(3, 1, 100) };
	struct source_row top[8];
	struct sources s = {};

	table[2].addr[2] = 101;	/* 198.51.101.9 */
	sources_group_by(&s, GROUP_NET_SMALL);
	sources_scan_begin(&s, 20);
	CHECK(sources_scan_add(&s, table, 6) == 0, "add");
	CHECK(sources_scan_recent(&s, recent, 2) == 0, "recent");
	CHECK(sources_scan_end(&s, 0) == 0, "end");
	CHECK(has_row(&s, "198.51.100.0/24", 7, 700, 3), "198.51.100.0/24: 7 drops of 3 addresses");
	CHECK(has_row(&s, "198.51.101.0/24", 4, 400, 1), "198.51.101.0/24: 4 drops of 1");
	CHECK(has_row(&s, "2001:db8:1:2::/64", 3, 270, 2), "2001:db8:1:2::/64: 3 of 2");
	CHECK(has_row(&s, "2001:db8:1:3::/64", 5, 450, 1), "2001:db8:1:3::/64: 5 of 1");
	CHECK_EQ_U64(s.done.total_drops, 19, "every drop in a row");
	CHECK_EQ_U64(sources_top(&s, SORT_DROPS, top, 8), 4, "four networks");
	CHECK(top[0].prefix == 24 && top[0].drops == 7, "the busiest first");

	sources_group_by(&s, GROUP_NET_LARGE);
	scan(&s, table, 6, 4, 20);
	CHECK(has_row(&s, "198.51.0.0/16", 9, 900, 3), "198.51.0.0/16: 9 drops of 3 addresses");
	CHECK(has_row(&s, "2001:db8:1::/48", 8, 720, 3), "2001:db8:1::/48: 8 of 3");

	sources_group_by(&s, GROUP_ADDRESS);
	scan(&s, table, 6, 4, 20);
	CHECK(has_row(&s, "198.51.101.9", 4, 400, 0), "by address again");
	sources_free(&s);
}

/* A row's rate: its drops since the last read over the time between; none on its first. */
static void read_at(struct sources *s, struct source_row *table, size_t n, uint64_t ns)
{
	sources_scan_begin(s, 0);
	CHECK(sources_scan_add(s, table, n) == 0, "add");
	CHECK(sources_scan_end(s, ns) == 0, "end");
}

TEST(sources_rates_come_from_the_last_read)
{
	struct source_row table[2] = { src(1, 10, 1000), src(2, 4, 400) };
	struct source_row top[2];
	struct sources s = {};

	read_at(&s, table, 2, 1000000000ULL);
	sources_top(&s, SORT_DROPS, top, 2);
	CHECK(top[0].rate[0] < 0 && top[0].rate[1] < 0 && top[0].rate[2] < 0,
	      "a first read has no rate: %f", top[0].rate[0]);
	table[0].drops = 30;	/* 20 more in 2 s */
	table[1].drops = 24;
	read_at(&s, table, 2, 3000000000ULL);
	sources_top(&s, SORT_RATE, top, 2);
	CHECK(top[0].rate[0] == 10.0 && top[1].rate[0] == 10.0, "10/s each: %f %f",
	      top[0].rate[0], top[1].rate[0]);
	CHECK(top[0].rate[1] == 10.0 && top[0].rate[2] == 10.0, "the averages start at the rate");
	table[0].drops = 40;	/* 10 more in 2 s */
	table[1].drops = 64;	/* 40 more */
	read_at(&s, table, 2, 5000000000ULL);
	CHECK_EQ_U64(sources_top(&s, SORT_RATE, top, 2), 2, "rows by rate");
	CHECK(top[0].addr[3] == 2 && top[0].rate[0] == 20.0, "the fastest first, 20/s: %u %f",
	      top[0].addr[3], top[0].rate[0]);
	CHECK(top[1].addr[3] == 1 && top[1].rate[0] == 5.0, "then 5/s: %f", top[1].rate[0]);
	/* Weighted over 10 s and 40 s: on their way from 10 to 20, the longer one slower. */
	CHECK(top[0].rate[1] > 10.0 && top[0].rate[1] < 20.0 && top[0].rate[2] > 10.0 &&
	      top[0].rate[2] < top[0].rate[1], "averages 10 s %f, 40 s %f", top[0].rate[1],
	      top[0].rate[2]);
	sources_clear(&s);
	read_at(&s, table, 2, 6000000000ULL);
	sources_top(&s, SORT_RATE, top, 2);
	CHECK(top[0].rate[0] < 0, "after a clear, rates start again");
	sources_free(&s);
}

/* The tests' own location database (tests/locdb.c), written once; NULL when it cannot be. */
static struct location *test_location(void)
{
	static char path[] = "/tmp/tdt-locdb-XXXXXX";
	char cmd[128], why[256];
	static struct location *l;
	int fd;

	if (l)
		return l;
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	close(fd);
	snprintf(cmd, sizeof(cmd), ".output/tests/locdb %s", path);
	if (system(cmd) == 0)
		l = location_open(path, why, sizeof(why));
	unlink(path);	/* libloc has it mapped */
	CHECK(l, "the test's location database: %s", why);
	return l;
}

/* Who owns an address: its AS with its name, and its country; nothing for an unknown one. */
TEST(location_names_the_as_and_country_of_an_address)
{
	struct location *l = test_location();
	struct location_info info;
	struct source_row r;
	char why[256];

	if (!l)
		return;
	r = src(7, 1, 1);
	CHECK(location_lookup(l, 4, r.addr, &info), "198.51.100.7 is known");
	CHECK(info.asn == 64496 && !strcmp(info.as_name, "Documentation Net One") &&
	      !strcmp(info.cc, "DE"), "198.51.100.7: AS%u %s %s", info.asn, info.as_name, info.cc);
	r = src6("2001:db8:1::1", 1, 1);
	CHECK(location_lookup(l, 6, r.addr, &info) && info.asn == 64499 && !strcmp(info.cc, "FR"),
	      "2001:db8:1::1: AS%u %s", info.asn, info.cc);
	r = src(7, 1, 1);
	r.addr[0] = 192, r.addr[1] = 0, r.addr[2] = 2;
	CHECK(!location_lookup(l, 4, r.addr, &info) && !info.asn && !info.cc[0] && info.as_name,
	      "192.0.2.7 is nobody's");
	CHECK(!location_lookup(NULL, 4, r.addr, &info) && info.as_name, "no database: nothing");
	CHECK(!location_open("/nonexistent/location.db", why, sizeof(why)) &&
	      strstr(why, "/nonexistent/location.db: No such file"), "why: %s", why);
}

/* By owner: each AS, and each country, adds up its sources; the unknown ones are one row. */
TEST(sources_grouped_by_owner_add_up_their_addresses)
{
	struct source_row table[5] = {
		src(1, 3, 300), src(2, 2, 200), src(9, 4, 400),
		src6("2001:db8:4040::5", 1, 90), src6("2001:db8:1::1", 5, 450),
	};
	struct sources s = { .location = test_location() };

	if (!s.location)
		return;
	table[2].addr[0] = 192, table[2].addr[1] = 0, table[2].addr[2] = 2;	/* nobody's */
	sources_group_by(&s, GROUP_ASN);
	scan(&s, table, 5, 2, 15);
	CHECK(has_row(&s, "AS64496 Documentation Net One", 6, 590, 3), "AS64496: 6 of 3");
	CHECK(has_row(&s, "AS64499 Documentation Net Six", 5, 450, 1), "AS64499: 5 of 1");
	CHECK(has_row(&s, "no AS known", 4, 400, 1), "the unknown: 4 of 1");
	sources_group_by(&s, GROUP_COUNTRY);
	scan(&s, table, 5, 2, 15);
	CHECK(has_row(&s, "DE", 6, 590, 3), "DE: 6 of 3");
	CHECK(has_row(&s, "FR", 5, 450, 1), "FR: 5 of 1");
	CHECK(has_row(&s, "no country known", 4, 400, 1), "the unknown: 4 of 1");
	sources_free(&s);
}

/* Under --group asn and country, a row names its owner; an address names its own. */
TEST(stats_line_names_owners)
{
	struct counter_values raw = counters(0, 0);
	struct source_row top[3] = {
		{ .family = ROW_FAMILY_AS, .asn = 64496, .as_name = "Doc \"One\"", .drops = 3,
		  .bytes = 300, .addresses = 2, .rate = { -1 } },
		{ .family = ROW_FAMILY_COUNTRY, .drops = 1, .bytes = 100, .addresses = 1,
		  .rate = { 1.5 } },
		{ .family = 4, .addr = { 198, 51, 100, 7 }, .drops = 2, .bytes = 148, .asn = 64496,
		  .cc = "DE", .as_name = "Doc" },
	};
	struct ndjson_tops tops = { .sources = top, .nsources = 3 };
	char line[1024];
	struct stats s;

	stats_reset(&s, &raw, 0);
	ndjson_stats(line, sizeof(line), 1795552238000000000ULL, "4040", &s, &tops);
	CHECK(strstr(line, ",\"top\":[{\"asn\":64496,\"as_name\":\"Doc \\\"One\\\"\",\"drops\":3,"
		      "\"bytes\":300,\"addresses\":2,\"pps\":null},{\"cc\":null,\"drops\":1,"
		      "\"bytes\":100,\"addresses\":1,\"pps\":1.5},{\"src\":\"198.51.100.7\","
		      "\"drops\":2,\"bytes\":148,\"asn\":64496,\"as_name\":\"Doc\",\"cc\":\"DE\"}]"),
	      "got %s", line);
}

/* Read in chunks, the top rows are the first rows of the whole table sorted. */
TEST(sources_top_equals_the_head_of_a_full_sort)
{
	enum { N = 5000, K = 37 };
	struct source_row *table = calloc(N, sizeof(*table)), top[K];
	struct sources s = {};
	uint64_t x = 88172645463325252ULL, total = 0;

	for (int i = 0; i < N; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		table[i] = src(i % 251, 1 + x % 50, x % 100000);	/* ties on purpose */
		table[i].addr[2] = i / 251;
		table[i].last_seen_ns = x % 1000;
		total += table[i].drops;
	}
	scan(&s, table, N, 333, total);
	CHECK_EQ_U64(s.done.total_drops, total, "total");
	for (int i = 0; i < N; i++)	/* a first read: no row has a rate yet */
		table[i].rate[0] = table[i].rate[1] = table[i].rate[2] = -1;
	for (int key = 0; key < SORT_NR; key++) {
		CHECK_EQ_U64(sources_top(&s, key, top, K), K, "rows");
		sources_sort(table, N, key);
		CHECK(!memcmp(top, table, sizeof(top)), "key %d: the top rows differ", key);
	}
	sources_free(&s);
	free(table);
}

/* A table read before anything was dropped is empty, and may come as NULL. */
TEST(sources_empty_table_is_handled_without_touching_null)
{
	struct source_row top[4];
	struct sources s = {};

	sources_sort(NULL, 0, SORT_DROPS);
	sources_clear(&s);
	scan(&s, NULL, 0, 1, 0);
	scan(&s, NULL, 0, 1, 0);
	CHECK_EQ_U64(sources_top(&s, SORT_BYTES, top, 4), 0, "no rows");
	CHECK_EQ_U64(s.done.total_drops, 0, "no drops");
	sources_free(&s);
}

TEST(model_counts_everything_from_the_clear)
{
	struct counter_values at_clear = counters(100, 10), later = counters(150, 15);
	struct tcpdrop_event e = event_n(7);
	struct model m;

	CHECK(model_init(&m) == 0, "init");
	model_add_event(&m, &e);
	model_clear(&m, &at_clear, 1 * SEC);
	CHECK_EQ_U64(droplog_count(&m.log), 0, "the log starts again");
	CHECK_EQ_U64(sources_top(&m.sources, SORT_DROPS, NULL, 0), 0, "no source rows");
	model_sample(&m, &later, 2 * SEC);
	CHECK_EQ_U64(m.stats.total.v[TCPDROP_PASSED], 50, "passed since the clear");
	CHECK_EQ_U64(m.stats.total.v[TCPDROP_DROPPED], 5, "dropped since the clear");
	CHECK_EQ_U64(m.sampled_ns, 2 * SEC, "when");
	model_free(&m);
}

TEST(model_counts_since_the_start_through_a_clear)
{
	struct counter_values at_start = counters(100, 10), at_clear = counters(150, 30);
	struct counter_values later = counters(160, 31);
	struct model m;

	CHECK(model_init(&m) == 0, "init");
	model_start(&m, &at_start, 1 * SEC);
	model_sample(&m, &at_clear, 2 * SEC);
	model_clear(&m, &at_clear, 2 * SEC);
	CHECK_EQ_U64(m.stats.total.v[TCPDROP_DROPPED], 0, "dropped since the clear, at it");
	CHECK_EQ_U64(m.stats.since_start.v[TCPDROP_DROPPED], 20, "dropped since the start, at "
		     "the clear");
	model_sample(&m, &later, 3 * SEC);
	CHECK_EQ_U64(m.stats.total.v[TCPDROP_DROPPED], 1, "dropped since the clear");
	CHECK_EQ_U64(m.stats.since_start.v[TCPDROP_DROPPED], 21, "dropped since the start");
	CHECK_EQ_U64(m.stats.since_start.v[TCPDROP_PASSED], 60, "passed since the start");
	model_free(&m);
}

TEST(keys_map_to_their_actions)
{
	CHECK(keys_action('q') == ACTION_QUIT && keys_action('Q') == ACTION_QUIT, "quit");
	CHECK(keys_action(27) == ACTION_CLOSE, "esc");
	CHECK(keys_action('p') == ACTION_PAUSE && keys_action(' ') == ACTION_PAUSE, "pause");
	CHECK(keys_action('c') == ACTION_CLEAR && keys_action('s') == ACTION_SORT, "clear, sort");
	CHECK(keys_action('?') == ACTION_HELP && keys_action('h') == ACTION_HELP, "help");
	CHECK(keys_action('+') == ACTION_SLOWER && keys_action('-') == ACTION_FASTER, "interval");
	CHECK(keys_action('j') == ACTION_OLDER && keys_action('k') == ACTION_NEWER, "scroll");
	CHECK(keys_action('x') == ACTION_NONE, "unbound");
}

TEST(keys_no_key_is_bound_twice)
{
	for (size_t i = 0; i < key_bindings_count; i++)
		for (const struct key_code *a = key_bindings[i].codes; a->code; a++)
			for (size_t j = 0; j < key_bindings_count; j++)
				for (const struct key_code *b = key_bindings[j].codes; b->code; b++)
					CHECK(a == b || a->code != b->code,
					      "key %d in \"%s\" and in \"%s\"", a->code,
					      key_bindings[i].keys, key_bindings[j].keys);
}

/* The README's key table lists the key table's rows, in its order, with its words. */
TEST(keys_readme_table_is_the_key_table)
{
	FILE *f = fopen("README.md", "r");
	char line[512], want[512];
	size_t row = 0;
	bool in_table = false;

	CHECK(f != NULL, "README.md: %s (run from the top of the tree)", strerror(errno));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, "| key | does |")) {
			in_table = true;
			continue;
		}
		if (!in_table || !strncmp(line, "|---", 4))
			continue;
		if (line[0] != '|')
			break;
		if (row < key_bindings_count) {
			snprintf(want, sizeof(want), "| `%s` | %s |", key_bindings[row].keys,
				 key_bindings[row].help);
			CHECK(!strcmp(line, want), "README row %zu is\n  %s\nwant\n  %s", row + 1,
			      line, want);
		}
		row++;
	}
	fclose(f);
	CHECK(in_table, "README.md has no \"| key | does |\" table");
	CHECK_EQ_U64(row, key_bindings_count, "rows in the README's key table");
}

/* roff as it reads: "\-" is "-", "\e" a backslash, "\&" nothing; a quoted argument unquoted. */
static void roff_text(const char *in, char *out, size_t size)
{
	size_t n = 0, len = strlen(in);

	if (len >= 2 && in[0] == '"' && in[len - 1] == '"') {
		in++;
		len -= 2;
	}
	for (size_t i = 0; i < len && n + 1 < size; i++) {
		if (in[i] == '\\' && i + 1 < len) {
			i++;
			if (in[i] == '&')
				continue;
			out[n++] = in[i] == 'e' ? '\\' : in[i];
			continue;
		}
		out[n++] = in[i];
	}
	out[n] = '\0';
}

/*
 * The man page's KEYS lists the key table's rows, in its order: each item's tag is the row's
 * keys as an ASCII terminal shows them, and its first line the row's help as a sentence.
 */
TEST(keys_man_page_keys_are_the_key_table)
{
	FILE *f = fopen("man/tcpdrop-top.8", "r");
	char line[512], text[512], want[512];
	const struct key_binding *k;
	const char *keys;
	size_t row = 0;
	bool in_keys = false;

	CHECK(f != NULL, "man/tcpdrop-top.8: %s (run from the top of the tree)", strerror(errno));
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, ".SH KEYS")) {
			in_keys = true;
			continue;
		}
		if (!in_keys)
			continue;
		if (!strncmp(line, ".SH ", 4))
			break;
		if (strcmp(line, ".TP"))
			continue;
		if (row >= key_bindings_count) {
			row++;
			continue;
		}
		k = &key_bindings[row];
		keys = k->keys_ascii ? k->keys_ascii : k->keys;

		/* The tag: ".B keys", with the keys quoted when they hold a space. */
		CHECK(fgets(line, sizeof(line), f) != NULL, "KEYS ends after .TP %zu", row + 1);
		line[strcspn(line, "\n")] = '\0';
		CHECK(!strncmp(line, ".B ", 3), "KEYS item %zu is tagged \"%s\", want .B", row + 1,
		      line);
		roff_text(line + 3, text, sizeof(text));
		CHECK(!strcmp(text, keys), "KEYS item %zu is \"%s\", want \"%s\"", row + 1, text,
		      keys);

		/* The first line: the help, capitalised, as a sentence. */
		CHECK(fgets(line, sizeof(line), f) != NULL, "KEYS item %zu has no text", row + 1);
		line[strcspn(line, "\n")] = '\0';
		roff_text(line, text, sizeof(text));
		snprintf(want, sizeof(want), "%c%s.", toupper((unsigned char)k->help[0]),
			 k->help + 1);
		CHECK(!strcmp(text, want), "KEYS item %zu (%s) starts\n  %s\nwant\n  %s", row + 1,
		      keys, text, want);
		row++;
	}
	fclose(f);
	CHECK(in_keys, "man/tcpdrop-top.8 has no .SH KEYS");
	CHECK_EQ_U64(row, key_bindings_count, "items in the man page's KEYS");
}

/* A failure late in dropping privileges still says what failed (it once printed garbage). */
static bool deny_capset_from_now(void *ctx)
{
	struct sock_filter deny[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_capset, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(deny) / sizeof(deny[0]), .filter = deny };

	*(bool *)ctx = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0;
	return true;
}

TEST(privs_failure_to_drop_the_last_capability_is_explained)
{
	int fds[2], status;
	char msg[sizeof(((struct error *)0)->msg)] = "";
	pid_t pid;

	CHECK(pipe(fds) == 0, "pipe");
	pid = fork();
	if (pid == 0) {
		struct error e = {};
		bool kept, denied = false;
		int err = privs_drop(deny_capset_from_now, &denied, &kept, &e);

		if (write(fds[1], e.msg, sizeof(e.msg)) != (ssize_t)sizeof(e.msg))
			_exit(3);
		_exit(!denied ? 2 : err == -EPERM ? 0 : 1);
	}
	close(fds[1]);
	CHECK(read(fds[0], msg, sizeof(msg)) == (ssize_t)sizeof(msg), "message from the child");
	close(fds[0]);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) != 2, "seccomp filter not installed");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "privs_drop did not fail with EPERM");
	CHECK(!strcmp(msg, "cannot drop CAP_BPF: Operation not permitted"), "message: \"%s\"",
	      msg);
}

/* The kernel's answer to "can the held maps still be read?" on a kernel before 6.5 with
 * unprivileged BPF off: only while CAP_BPF is effective. */
static bool readable_with_cap_bpf(void *ctx)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	if (f)
		fclose(f);
	(*(int *)ctx)++;
	return eff >> 39 & 1;	/* CAP_BPF */
}

/* There CAP_BPF, and nothing else, stays: effective and permitted, the bounding set empty. */
TEST(privs_keep_cap_bpf_alone_where_the_kernel_wants_it)
{
	int fds[2], status;
	unsigned long long caps[3] = { 0 };	/* CapEff, CapPrm, CapBnd */
	pid_t pid;

	CHECK(pipe(fds) == 0, "pipe");
	pid = fork();
	if (pid == 0) {
		static const char *const names[] = {
			"CapEff: %llx", "CapPrm: %llx", "CapBnd: %llx",
		};
		struct error e = {};
		bool kept = false;
		int asked = 0, err = privs_drop(readable_with_cap_bpf, &asked, &kept, &e);
		char line[256];
		FILE *f = fopen("/proc/self/status", "r");

		while (f && fgets(line, sizeof(line), f))
			for (int i = 0; i < 3; i++)
				sscanf(line, names[i], &caps[i]);
		if (f)
			fclose(f);
		if (write(fds[1], caps, sizeof(caps)) != (ssize_t)sizeof(caps))
			_exit(3);
		_exit(err ? 1 : !kept || asked != 2 ? 2 : 0);
	}
	close(fds[1]);
	CHECK(read(fds[0], caps, sizeof(caps)) == (ssize_t)sizeof(caps),
	      "capabilities from the child");
	close(fds[0]);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) != 1, "privs_drop failed");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "CAP_BPF not kept, or not asked twice");
	CHECK(caps[0] == 1ULL << 39, "CapEff %llx, want CAP_BPF alone (8000000000)", caps[0]);
	CHECK(caps[1] == 1ULL << 39, "CapPrm %llx, want CAP_BPF alone (8000000000)", caps[1]);
	CHECK(caps[2] == 0, "CapBnd %llx, want empty", caps[2]);
}

TEST(refresh_interval_steps_stay_within_bounds)
{
	static const double steps[] = { 0.1, 0.25, 0.5, 1, 2, 5, 10 };	/* the man page's */

	CHECK(keys_next_interval(1, +1) == 2, "1 -> 2");
	CHECK(keys_next_interval(1, -1) == 0.5, "1 -> 0.5");
	CHECK(keys_next_interval(0.7, +1) == 1, "an odd -d joins the steps upward");
	CHECK(keys_next_interval(0.7, -1) == 0.5, "and downward");
	CHECK(keys_next_interval(0.1, -1) == 0.1, "floor");
	CHECK(keys_next_interval(10, +1) == 10, "ceiling");
	CHECK(keys_next_interval(60, +1) == 60, "a -d above the steps stays");
	/* One key press a step, up and back down. */
	for (int i = 0; i + 1 < 7; i++) {
		CHECK(keys_next_interval(steps[i], +1) == steps[i + 1], "+ from %g", steps[i]);
		CHECK(keys_next_interval(steps[i + 1], -1) == steps[i], "- from %g", steps[i + 1]);
	}
}

int main(void)
{
	RUN(ports_list_and_ranges_set_exactly_those_bits);
	RUN(ports_bad_input_is_refused_with_the_bad_part_named);
	RUN(ports_format_merges_runs_and_truncates_visibly);
	RUN(ports_format_says_the_whole_length_and_alloc_never_cuts);
	RUN(tcp_flags_print_in_tcpdump_letters);
	RUN(addresses_print_for_both_families);
	RUN(time_prints_as_rfc3339_utc_with_microseconds);
	RUN(json_strings_escape_quotes_controls_and_high_bytes);
	RUN(json_strings_keep_utf8_and_replace_bytes_that_are_not);
	RUN(names_escape_controls_backslashes_and_what_the_locale_cannot_show);
	RUN(say_escapes_the_whole_line);
	RUN(addresses_too_long_lose_their_middle_not_their_end);
	RUN(drop_event_prints_as_one_ndjson_line_in_field_order);
	RUN(drop_event_line_cut_short_is_reported_not_overrun);
	RUN(stats_count_from_the_reset_point_and_rate_per_second);
	RUN(stats_line_carries_totals_rates_and_top_sources);
	RUN(stats_line_names_networks_with_their_addresses_and_rate);
	RUN(port_drops_rank_the_most_dropped_ports_since_the_clear);
	RUN(counter_names_are_whole_distinct_and_fit_their_outputs);
	RUN(stats_line_carries_a_long_port_set_whole);
	RUN(sources_sort_by_each_key_biggest_first);
	RUN(sources_with_equal_keys_keep_a_stable_order);
	RUN(cli_defaults_to_port_4040_auto_mode_one_second);
	RUN(cli_takes_every_option);
	RUN(cli_except_adds_up_over_repeats_and_force_is_a_flag);
	RUN(except_prefixes_parse_and_match);
	RUN(except_ipv4_mapped_prefixes_are_the_ipv4_ones);
	RUN(except_host_bits_are_refused_naming_the_prefix_meant);
	RUN(except_duplicates_count_once);
	RUN(cli_warns_when_except_covers_a_whole_family);
	RUN(device_types_map_to_ethernet_raw_ip_or_refusal);
	RUN(device_of_a_refused_type_is_a_usage_error_that_names_it);
	RUN(cli_map_sizes_take_suffixes_within_bounds);
	RUN(cli_parses_afresh_after_a_half_read_option_cluster);
	RUN(cli_usage_errors_exit_as_usage_errors);
	RUN(cli_takes_an_altname_longer_than_a_name);
	RUN(cli_repeated_ports_add_up_and_a_second_interface_is_refused);
	RUN(cli_messages_give_the_reason_and_the_option_as_typed);
	RUN(cli_option_bounds_are_the_readmes);
	RUN(cli_defaults_are_the_readmes);
	RUN(cli_combinations_that_cannot_be_are_refused_with_the_reason);
	RUN(cli_table_names_each_option_once);
	RUN(cli_every_row_is_an_option_by_name_and_letter);
	RUN(cli_help_shows_every_row_in_table_order);
	RUN(droplog_lists_newest_first_and_keeps_only_its_capacity);
	RUN(droplog_copy_stands_still_while_the_live_log_moves_on);
	RUN(droplog_clear_empties_the_log);
	RUN(history_keeps_one_bucket_a_second_newest_first);
	RUN(history_spreads_a_long_refresh_evenly_and_keeps_the_sum);
	RUN(history_is_bounded_to_its_window);
	RUN(sources_count_from_the_clear_and_hide_quiet_sources);
	RUN(sources_add_up_a_sources_table_entry_and_recent_entries);
	RUN(sources_drops_of_untracked_sources_are_the_counter_less_the_rows);
	RUN(sources_top_orders_by_the_key_asked_for);
	RUN(sources_top_equals_the_head_of_a_full_sort);
	RUN(sources_grouped_by_network_add_up_their_addresses_once);
	RUN(sources_rates_come_from_the_last_read);
	RUN(location_names_the_as_and_country_of_an_address);
	RUN(sources_grouped_by_owner_add_up_their_addresses);
	RUN(stats_line_names_owners);
	RUN(sources_empty_table_is_handled_without_touching_null);
	RUN(model_counts_everything_from_the_clear);
	RUN(model_counts_since_the_start_through_a_clear);
	RUN(keys_map_to_their_actions);
	RUN(keys_no_key_is_bound_twice);
	RUN(keys_readme_table_is_the_key_table);
	RUN(keys_man_page_keys_are_the_key_table);
	RUN(privs_failure_to_drop_the_last_capability_is_explained);
	RUN(privs_keep_cap_bpf_alone_where_the_kernel_wants_it);
	RUN(refresh_interval_steps_stay_within_bounds);
	return check_failures ? 1 : 0;
}
