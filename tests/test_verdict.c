// SPDX-License-Identifier: GPL-2.0
/*
 * Verdict tests: crafted frames through the real XDP program with BPF_PROG_TEST_RUN. Every case
 * checks the verdict, every counter delta, and for a drop the exact ring buffer event and the
 * per-source entry. Needs root; without it every case skips (fails under CI=true).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "common/tcpdrop.h"
#include "tcpdrop.skel.h"
#include "tui/kernel/loader.h"
#include "tui/lib/clock.h"

#include "check.h"
#include "pkt.h"
#include "runts.h"

#define WATCHED		TCPDROP_DEFAULT_PORT
#define SPORT		40000
#define V4_SRC		0x0a000001	/* 10.0.0.1 */
#define V4_DST		0x0a000002	/* 10.0.0.2 */
/* BPF_PROG_TEST_RUN hands XDP the rx queue 0 of the netns loopback device, ifindex 1. */
#define TEST_RUN_IFINDEX 1
#define TEST_RUN_RX_QUEUE 0
#define MAX_EVENTS	128
#define CAPTURED_EVENTS	4	/* events whose captured bytes are kept */

static const uint8_t v6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
static const uint8_t v6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x02 };

/* One program loaded by the loader, with its ring buffer reader. */
struct rig {
	const char *name;
	bool dry_run;
	bool raw_ip;			/* a device without a link-layer header */
	bool throttle;			/* --event-rate event_rate, else every drop */
	unsigned int event_rate;
	const char *except;		/* --except, or NULL */
	__u32 ring_bytes;		/* 0: the default size */
	unsigned int capture;		/* -w --snaplen: frame bytes after each event; 0: none */
	struct loader l;
	struct port_set ports;
	int err;			/* why it did not load; 0 once loaded */
	struct tcpdrop_event ev[MAX_EVENTS];
	int nev;			/* consumed by the last drain, even past MAX_EVENTS */
	int bad_size;			/* events of the wrong size in the last drain */
	uint8_t tail[CAPTURED_EVENTS][TCPDROP_MAX_SNAPLEN];	/* the bytes after ev[i] */
};

static struct rig main_rig = { .name = "default" };
static struct rig dry_rig = { .name = "dry-run", .dry_run = true };
static struct rig tiny_rig = { .name = "tiny ring", .ring_bytes = 4096 };
static struct rig raw_rig = { .name = "raw IP", .raw_ip = true };
/* Nested prefixes for the longest match, host routes of both families. */
static struct rig except_rig = {
	.name = "except",
	.except = "198.51.100.0/24,198.51.100.128/25,203.0.113.7/32,2001:db8:1::/48,"
		  "2001:db8:2::5/128",
};
static struct rig except_all_v4_rig = { .name = "except 0.0.0.0/0", .except = "0.0.0.0/0" };
/* IPv4-mapped, as ss shows the IPv4 clients of a dual-stack socket. */
static struct rig except_mapped_rig = {
	.name = "except ::ffff:203.0.113.10,::ffff:198.51.100.0/120",
	.except = "::ffff:203.0.113.10,::ffff:198.51.100.0/120",
};
static struct rig no_events_rig = { .name = "--event-rate 0", .throttle = true };
static struct rig rate_rig = { .name = "--event-rate 1000", .throttle = true, .event_rate = 1000 };
static struct rig default_rate_rig = {
	.name = "default --event-rate", .throttle = true, .event_rate = TCPDROP_DEFAULT_EVENT_RATE,
};
/* For the per-source tests that need a table of their own. */
static struct rig sources_rig = { .name = "per-source" };
/* -w: the default snaplen, a short one that cuts inside the TCP header, the largest. */
static struct rig capture_rig = { .name = "-w, snaplen 128", .capture = 128 };
static struct rig capture_short_rig = { .name = "-w, snaplen 60", .capture = 60 };
static struct rig capture_max_rig = { .name = "-w, snaplen 4096", .capture = TCPDROP_MAX_SNAPLEN };
static struct rig capture_raw_rig = { .name = "-w, raw IP", .capture = 128, .raw_ip = true };

/* What a drop event must hold, besides what the run itself decides (len, action, time). */
struct want {
	uint8_t family;
	uint8_t saddr[16];
	uint8_t daddr[16];
	uint16_t sport;
	uint16_t dport;
	uint8_t flags;
	uint16_t vlan;
};

struct result {
	int err;			/* of bpf_prog_test_run_opts */
	__u32 retval;
	__u64 d[TCPDROP_NR_COUNTERS];	/* counter deltas over the run */
	__u64 t0, t1;			/* CLOCK_MONOTONIC just before and after the run */
	__u64 t0_coarse;		/* CLOCK_MONOTONIC_COARSE before: last-seen's clock */
};

/* Where an expectation was written, so a failure inside a helper points at the test. */
struct site {
	const char *file;
	int line;
	const char *ctx;
};

#define HERE(ctx) ((struct site){ __FILE__, __LINE__, (ctx) })

static const char *const counter_names[TCPDROP_NR_COUNTERS] = {
	[TCPDROP_SEEN_PACKETS] = "seen packets",
	[TCPDROP_SEEN_BYTES] = "seen bytes",
	[TCPDROP_PASSED] = "passed",
	[TCPDROP_DROPPED] = "dropped",
	[TCPDROP_DROPPED_BYTES] = "dropped bytes",
	[TCPDROP_MALFORMED] = "malformed",
	[TCPDROP_EVENTS_LOST] = "events lost",
	[TCPDROP_EXCEPTED] = "excepted",
	[TCPDROP_EVENTS_THROTTLED] = "events throttled",
};

static bool eq_at(struct site s, const char *what, unsigned long long got, unsigned long long want)
{
	if (got == want)
		return true;
	check_fail_at(s.file, s.line, "%s%s%s: got %llu, want %llu", s.ctx, *s.ctx ? ": " : "",
		      what, got, want);
	return false;
}

static void bytes_eq_at(struct site s, const char *what, const uint8_t *got, const uint8_t *want,
			size_t n)
{
	char g[3 * 64 + 1] = "", w[3 * 64 + 1] = "";
	size_t i;

	if (!memcmp(got, want, n))
		return;
	for (i = 0; i < n && i < 64; i++) {
		sprintf(g + 3 * i, "%02x ", got[i]);
		sprintf(w + 3 * i, "%02x ", want[i]);
	}
	check_fail_at(s.file, s.line, "%s%s%s: got %s, want %s", s.ctx, *s.ctx ? ": " : "", what,
		      g, w);
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct rig *r = ctx;

	/* Every record the same size: the event, and with -w the capture after it. */
	if (size != sizeof(struct tcpdrop_event) + r->capture) {
		r->bad_size++;
	} else if (r->nev < MAX_EVENTS) {
		memcpy(&r->ev[r->nev], data, sizeof(r->ev[0]));
		if (r->nev < CAPTURED_EVENTS)
			memcpy(r->tail[r->nev], (uint8_t *)data + sizeof(r->ev[0]), r->capture);
	}
	r->nev++;
	return 0;
}

/* Consumes every pending event into r->ev; returns how many there were. */
static int drain(struct rig *r)
{
	int err;

	r->nev = 0;
	r->bad_size = 0;
	err = loader_drain(&r->l);
	if (err < 0)
		check_fail_at(__FILE__, __LINE__, "draining the ring: %s", strerror(-err));
	if (r->bad_size)
		check_fail_at(__FILE__, __LINE__, "%d events of the wrong size", r->bad_size);
	return r->nev;
}

/* The counters as user space reads them. */
static void read_counters(struct rig *r, __u64 sum[TCPDROP_NR_COUNTERS])
{
	struct counter_values vals;
	int err = loader_read_counters(&r->l, &vals);

	if (err)
		check_fail_at(__FILE__, __LINE__, "counters lookup: %s", strerror(-err));
	memcpy(sum, vals.v, sizeof(vals.v));
}

/*
 * A source's counts as the views read them: its table entry (of this generation) and its
 * recent entries on every CPU, added up.
 */
static struct tcpdrop_source read_source(struct rig *r, uint8_t family, const uint8_t addr[16])
{
	struct source_row row = { .family = family }, *recent;
	struct tcpdrop_source val = {};
	int n, err;

	memcpy(row.addr, addr, 16);
	err = loader_lookup_source(&r->l, &row);
	if (err < 0)
		check_fail_at(__FILE__, __LINE__, "reading the source table: %s", strerror(-err));
	val.drops = row.drops;
	val.bytes = row.bytes;
	val.last_seen_ns = row.last_seen_ns;
	n = loader_read_recent(&r->l, &recent);
	if (n < 0)
		check_fail_at(__FILE__, __LINE__, "reading the recent sources: %s", strerror(-n));
	for (int i = 0; i < n; i++) {
		if (recent[i].family != family || memcmp(recent[i].addr, addr, 16))
			continue;
		val.drops += recent[i].drops;
		val.bytes += recent[i].bytes;
		if (recent[i].last_seen_ns > val.last_seen_ns)
			val.last_seen_ns = recent[i].last_seen_ns;
	}
	return val;
}

/* The time the program gives a drop's "last seen": the tick user space keeps, set here. */
static void set_tick(struct rig *r, __u64 ns)
{
	r->l.skel->bss->tick_ns = ns;
}

/* Changes one port of the watched set, the way user space writes it. */
static int set_port(struct rig *r, unsigned int port, bool on)
{
	if (on)
		ports_add(&r->ports, port);
	else
		r->ports.bits[tcpdrop_port_word(port)] &= ~tcpdrop_port_bit(port);
	return loader_set_ports(&r->l, &r->ports);
}

static void rig_close(struct rig *r)
{
	loader_stop(&r->l);
}

static void rig_open(struct rig *r)
{
	static struct except_set excepts;
	struct loader_config cfg = {
		.ports = &r->ports, .excepts = &excepts, .raw_ip = r->raw_ip,
		.throttle_events = r->throttle, .event_rate = r->event_rate,
		.dry_run = r->dry_run, .ring_bytes = r->ring_bytes, .capture_bytes = r->capture,
		.on_event = on_event, .ctx = r,
	};
	struct error e = {};
	char why[160];

	excepts.n = 0;
	if (r->except && except_parse(r->except, &excepts, why, sizeof(why))) {
		fprintf(stderr, "# %s: --except %s: %s\n", r->name, r->except, why);
		r->err = -EINVAL;
		return;
	}
	memset(&r->ports, 0, sizeof(r->ports));
	ports_add(&r->ports, WATCHED);	/* the default port set */
	r->err = loader_load(&r->l, &cfg, &e);
	if (r->err && r->err != -EPERM)
		fprintf(stderr, "# %s: %s\n", r->name, e.msg);
}

/* True when the rig is loaded; otherwise reports the case as skipped (no root) or failed. */
static bool rig_ready(struct rig *r)
{
	if (r->l.skel)
		return true;
	/* Only EPERM means no privilege; a verifier rejection (EACCES, EINVAL) is a failure. */
	if (r->err == -EPERM)
		check_skip("needs root and BPF (%s skeleton: %s)", r->name, strerror(-r->err));
	else if (r->capture && r->err == -EOPNOTSUPP && !kernel_at_least(5, 18))
		check_not_here("this kernel has no bpf_xdp_load_bytes (5.18), so -w is refused "
			       "here: tests/pcap.sh checks the refusal");
	else
		check_fail_at(__FILE__, __LINE__,
			      "%s skeleton did not load: %s (the libbpf log above says why)",
			      r->name, strerror(-r->err));
	return false;
}

static void run_frame(struct rig *r, const void *data, size_t len, struct result *res)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = data, .data_size_in = (__u32)len,
		    .repeat = 1);
	__u64 before[TCPDROP_NR_COUNTERS], after[TCPDROP_NR_COUNTERS];
	int i;

	memset(res, 0, sizeof(*res));
	read_counters(r, before);
	res->t0_coarse = clock_ns(CLOCK_MONOTONIC_COARSE);
	res->t0 = now_ns();
	set_tick(r, res->t0);
	res->err = bpf_prog_test_run_opts(r->l.prog_fd, &opts);
	res->t1 = now_ns();
	res->retval = opts.retval;
	read_counters(r, after);
	for (i = 0; i < TCPDROP_NR_COUNTERS; i++)
		res->d[i] = after[i] - before[i];
}

static void counters_eq_at(struct site s, const struct result *res,
			   const __u64 want[TCPDROP_NR_COUNTERS])
{
	int i;

	for (i = 0; i < TCPDROP_NR_COUNTERS; i++)
		eq_at(s, counter_names[i], res->d[i], want[i]);
}

/* The frame passes untouched: no drop, no event; malformed says whether the parser gave up. */
static void expect_pass(struct site s, struct rig *r, const void *data, size_t len, bool malformed)
{
	__u64 want[TCPDROP_NR_COUNTERS] = {
		[TCPDROP_SEEN_PACKETS] = 1,
		[TCPDROP_SEEN_BYTES] = len,
		[TCPDROP_PASSED] = 1,
		[TCPDROP_MALFORMED] = malformed,
	};
	struct result res;

	run_frame(r, data, len, &res);
	if (res.err) {
		check_fail_at(s.file, s.line, "%s%stest_run: %s", s.ctx, *s.ctx ? ": " : "",
			      strerror(-res.err));
		return;
	}
	eq_at(s, "verdict (2 = XDP_PASS)", res.retval, XDP_PASS);
	counters_eq_at(s, &res, want);
	eq_at(s, "events", drain(r), 0);
}

static void event_eq_at(struct site s, const struct tcpdrop_event *e, const struct want *w,
			size_t len, __u8 action, __u16 caplen, const struct result *res)
{
	struct tcpdrop_event exp;

	if (e->timestamp_ns < res->t0 || e->timestamp_ns > res->t1)
		check_fail_at(s.file, s.line, "%s%sevent time %llu outside the run [%llu, %llu]",
			      s.ctx, *s.ctx ? ": " : "", (unsigned long long)e->timestamp_ns,
			      (unsigned long long)res->t0, (unsigned long long)res->t1);
	eq_at(s, "event family", e->family, w->family);
	bytes_eq_at(s, "event saddr", e->saddr, w->saddr, 16);
	bytes_eq_at(s, "event daddr", e->daddr, w->daddr, 16);
	eq_at(s, "event sport", e->sport, w->sport);
	eq_at(s, "event dport", e->dport, w->dport);
	eq_at(s, "event tcp_flags", e->tcp_flags, w->flags);
	eq_at(s, "event vlan", e->vlan, w->vlan);
	eq_at(s, "event len", e->len, len);
	eq_at(s, "event action", e->action, action);
	eq_at(s, "event ifindex", e->ifindex, TEST_RUN_IFINDEX);
	eq_at(s, "event rx_queue", e->rx_queue, TEST_RUN_RX_QUEUE);

	/* Then every byte at once, padding included: nothing may leak into the ring. */
	memset(&exp, 0, sizeof(exp));
	exp.timestamp_ns = e->timestamp_ns;
	memcpy(exp.saddr, w->saddr, 16);
	memcpy(exp.daddr, w->daddr, 16);
	exp.ifindex = TEST_RUN_IFINDEX;
	exp.rx_queue = TEST_RUN_RX_QUEUE;
	exp.len = len;
	exp.sport = w->sport;
	exp.dport = w->dport;
	exp.vlan = w->vlan;
	exp.family = w->family;
	exp.tcp_flags = w->flags;
	exp.action = action;
	exp.caplen = caplen;
	bytes_eq_at(s, "event bytes", (const uint8_t *)e, (const uint8_t *)&exp, sizeof(exp));
}

/* The frame matches: dropped (passed under dry run), one exact event, one more source drop. */
static void expect_drop(struct site s, struct rig *r, const void *data, size_t len,
			const struct want *w)
{
	__u64 want[TCPDROP_NR_COUNTERS] = {
		[TCPDROP_SEEN_PACKETS] = 1,
		[TCPDROP_SEEN_BYTES] = len,
		[TCPDROP_DROPPED] = 1,
		[TCPDROP_DROPPED_BYTES] = len,
	};
	struct tcpdrop_source before, after;
	struct result res;

	before = read_source(r, w->family, w->saddr);
	run_frame(r, data, len, &res);
	if (res.err) {
		check_fail_at(s.file, s.line, "%s%stest_run: %s", s.ctx, *s.ctx ? ": " : "",
			      strerror(-res.err));
		return;
	}
	eq_at(s, r->dry_run ? "verdict (2 = XDP_PASS)" : "verdict (1 = XDP_DROP)", res.retval,
	      r->dry_run ? XDP_PASS : XDP_DROP);
	counters_eq_at(s, &res, want);
	if (eq_at(s, "events", drain(r), 1))
		event_eq_at(s, &r->ev[0], w, len,
			    r->dry_run ? TCPDROP_ACTION_WOULD_DROP : TCPDROP_ACTION_DROP,
			    len < r->capture ? len : r->capture, &res);

	after = read_source(r, w->family, w->saddr);
	eq_at(s, "source drops", after.drops - before.drops, 1);
	eq_at(s, "source bytes", after.bytes - before.bytes, len);
	if (after.last_seen_ns < res.t0_coarse || after.last_seen_ns > res.t1)
		check_fail_at(s.file, s.line, "%s%ssource last_seen %llu outside the run", s.ctx,
			      *s.ctx ? ": " : "", (unsigned long long)after.last_seen_ns);
}

/* BPF_PROG_TEST_RUN itself refuses the frame: the program never runs, nothing is counted. */
static void expect_rejected(struct site s, struct rig *r, const void *data, size_t len, int err)
{
	__u64 want[TCPDROP_NR_COUNTERS] = { 0 };
	struct result res;

	run_frame(r, data, len, &res);
	if (res.err != err)
		check_fail_at(s.file, s.line, "%s%stest_run: got %d (%s), want %d (%s)", s.ctx,
			      *s.ctx ? ": " : "", res.err, strerror(-res.err), err,
			      strerror(-err));
	counters_eq_at(s, &res, want);
	eq_at(s, "events", drain(r), 0);
}

#define EXPECT_PASS(r, p, malformed) expect_pass(HERE(""), (r), (p)->buf, (p)->len, (malformed))
#define EXPECT_DROP(r, p, w) expect_drop(HERE(""), (r), (p)->buf, (p)->len, (w))

static struct want want_v4(uint32_t saddr, uint32_t daddr, uint16_t dport, uint8_t flags)
{
	struct want w = { .family = 4, .sport = SPORT, .dport = dport, .flags = flags };
	int i;

	for (i = 0; i < 4; i++) {
		w.saddr[i] = saddr >> (24 - 8 * i);
		w.daddr[i] = daddr >> (24 - 8 * i);
	}
	return w;
}

static struct want want_v6(const uint8_t saddr[16], const uint8_t daddr[16], uint16_t dport,
			   uint8_t flags)
{
	struct want w = { .family = 6, .sport = SPORT, .dport = dport, .flags = flags };

	memcpy(w.saddr, saddr, 16);
	memcpy(w.daddr, daddr, 16);
	return w;
}

/* Ethernet, IPv4 and TCP, no options: the plainest frame. Returns the IPv4 header offset. */
static size_t v4_tcp(struct pkt *p, uint16_t dport, uint8_t flags)
{
	size_t ip;

	pkt_init(p);
	pkt_eth(p, PKT_ETH_IPV4);
	ip = pkt_ipv4(p, PKT_IP_TCP, V4_SRC, V4_DST, 0);
	pkt_tcp(p, SPORT, dport, flags, 0);
	pkt_done(p);
	return ip;
}

static void v6_tcp(struct pkt *p, uint16_t dport, uint8_t flags)
{
	pkt_init(p);
	pkt_eth(p, PKT_ETH_IPV6);
	pkt_ipv6(p, PKT_IP_TCP, v6_src, v6_dst);
	pkt_tcp(p, SPORT, dport, flags, 0);
	pkt_done(p);
}

/*
 * IPv6 whose header chain is types[0..n-1] and then last. Option headers alternate between 8
 * and 16 bytes so a parser that assumes a fixed size loses its place; fragments are offset 0.
 */
static void v6_chain(struct pkt *p, const uint8_t *types, int n, uint8_t last)
{
	int i;

	pkt_init(p);
	pkt_eth(p, PKT_ETH_IPV6);
	pkt_ipv6(p, n ? types[0] : last, v6_src, v6_dst);
	for (i = 0; i < n; i++) {
		uint8_t next = i + 1 < n ? types[i + 1] : last;

		if (types[i] == PKT_IP_FRAGMENT)
			pkt_frag6(p, next, 0, true);
		else
			pkt_ext6(p, next, i % 2);
	}
}

TEST(ipv4_tcp_to_watched_port_is_dropped_with_event)
{
	struct want w = want_v4(V4_SRC, V4_DST, WATCHED, TCPDROP_TCP_SYN);
	struct pkt p;

	if (!rig_ready(&main_rig))
		return;
	v4_tcp(&p, WATCHED, TCPDROP_TCP_SYN);
	EXPECT_DROP(&main_rig, &p, &w);

	/* Payload and a different length: len is the frame length, not the header length. */
	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_IPV4);
	pkt_ipv4(&p, PKT_IP_TCP, V4_SRC, V4_DST, 0);
	pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 0);
	pkt_payload(&p, 333, 0xab);
	pkt_done(&p);
	EXPECT_DROP(&main_rig, &p, &w);

	/* A full-size 1514-byte Ethernet frame. */
	pkt_payload(&p, 1514 - p.len, 0xcd);
	pkt_done(&p);
	EXPECT_DROP(&main_rig, &p, &w);
}

TEST(ipv4_tcp_to_other_ports_passes)
{
	/* Neighbours of 4040 share its bitmap word: only the exact bit may match. */
	static const uint16_t ports[] = { WATCHED - 1, WATCHED + 1, 80, 443, 0, 65535 };
	struct pkt p;
	size_t i;

	if (!rig_ready(&main_rig))
		return;
	for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		v4_tcp(&p, ports[i], TCPDROP_TCP_SYN);
		EXPECT_PASS(&main_rig, &p, false);
	}
	/* The source port is not what is matched. */
	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_IPV4);
	pkt_ipv4(&p, PKT_IP_TCP, V4_SRC, V4_DST, 0);
	pkt_tcp(&p, WATCHED, 80, TCPDROP_TCP_SYN | TCPDROP_TCP_ACK, 0);
	pkt_done(&p);
	EXPECT_PASS(&main_rig, &p, false);
}

TEST(ipv6_tcp_to_watched_port_is_dropped_with_event)
{
	struct want w = want_v6(v6_src, v6_dst, WATCHED, TCPDROP_TCP_SYN);
	struct pkt p;

	if (!rig_ready(&main_rig))
		return;
	v6_tcp(&p, WATCHED, TCPDROP_TCP_SYN);
	EXPECT_DROP(&main_rig, &p, &w);
}

TEST(ipv6_tcp_to_other_ports_passes)
{
	static const uint16_t ports[] = { WATCHED - 1, WATCHED + 1, 80, 0, 65535 };
	struct pkt p;
	size_t i;

	if (!rig_ready(&main_rig))
		return;
	for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		v6_tcp(&p, ports[i], TCPDROP_TCP_SYN);
		EXPECT_PASS(&main_rig, &p, false);
	}
}

TEST(vlan_8021q_tcp_to_watched_port_is_dropped_with_vlan_id)
{
	struct want w4 = want_v4(V4_SRC, V4_DST, WATCHED, TCPDROP_TCP_SYN);
	struct want w6 = want_v6(v6_src, v6_dst, WATCHED, TCPDROP_TCP_SYN);
	struct pkt p;

	if (!rig_ready(&main_rig))
		return;
	/* PCP 5 and DEI set around VID 100: the event carries the VID alone. */
	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_8021Q);
	pkt_vlan(&p, 0xb000 | 100, PKT_ETH_IPV4);
	pkt_ipv4(&p, PKT_IP_TCP, V4_SRC, V4_DST, 0);
	pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 0);
	pkt_done(&p);
	w4.vlan = 100;
	EXPECT_DROP(&main_rig, &p, &w4);

	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_8021Q);
	pkt_vlan(&p, 4095, PKT_ETH_IPV6);
	pkt_ipv6(&p, PKT_IP_TCP, v6_src, v6_dst);
	pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 0);
	pkt_done(&p);
	w6.vlan = 4095;
	EXPECT_DROP(&main_rig, &p, &w6);

	/* Tagged, but to another port. */
	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_8021Q);
	pkt_vlan(&p, 100, PKT_ETH_IPV4);
	pkt_ipv4(&p, PKT_IP_TCP, V4_SRC, V4_DST, 0);
	pkt_tcp(&p, SPORT, WATCHED + 1, TCPDROP_TCP_SYN, 0);
	pkt_done(&p);
	EXPECT_PASS(&main_rig, &p, false);
}

TEST(qinq_tcp_to_watched_port_is_dropped_with_outer_vlan_id)
{
	/* 802.1ad outside 802.1Q is the standard order; the parser takes either TPID at either
	 * level. */
	static const uint16_t tpids[][2] = {
		{ PKT_ETH_8021AD, PKT_ETH_8021Q },
		{ PKT_ETH_8021Q, PKT_ETH_8021Q },
		{ PKT_ETH_8021Q, PKT_ETH_8021AD },
	};
	struct want w = want_v4(V4_SRC, V4_DST, WATCHED, TCPDROP_TCP_SYN);
	struct pkt p;
	size_t i;

	if (!rig_ready(&main_rig))
		return;
	w.vlan = 10;
	for (i = 0; i < sizeof(tpids) / sizeof(tpids[0]); i++) {
		pkt_init(&p);
		pkt_eth(&p, tpids[i][0]);
		pkt_vlan(&p, 10, tpids[i][1]);
		pkt_vlan(&p, 20, PKT_ETH_IPV4);
		pkt_ipv4(&p, PKT_IP_TCP, V4_SRC, V4_DST, 0);
		pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 0);
		pkt_done(&p);
		EXPECT_DROP(&main_rig, &p, &w);
	}
}

TEST(three_vlan_tags_pass_unparsed_and_not_malformed)
{
	struct pkt p;

	if (!rig_ready(&main_rig))
		return;
	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_8021AD);
	pkt_vlan(&p, 10, PKT_ETH_8021Q);
	pkt_vlan(&p, 20, PKT_ETH_8021Q);
	pkt_vlan(&p, 30, PKT_ETH_IPV4);
	pkt_ipv4(&p, PKT_IP_TCP, V4_SRC, V4_DST, 0);
	pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 0);
	pkt_done(&p);
	EXPECT_PASS(&main_rig, &p, false);
}

TEST(ipv4_with_options_to_watched_port_is_dropped)
{
	struct want w = want_v4(V4_SRC, V4_DST, WATCHED, TCPDROP_TCP_SYN);
	char ctx[32];
	struct pkt p;
	size_t ihl;

	if (!rig_ready(&main_rig))
		return;
	for (ihl = 6; ihl <= 15 && !check_case_failed; ihl++) {
		snprintf(ctx, sizeof(ctx), "ihl %zu", ihl);
		pkt_init(&p);
		pkt_eth(&p, PKT_ETH_IPV4);
		pkt_ipv4(&p, PKT_IP_TCP, V4_SRC, V4_DST, (ihl - 5) * 4);
		pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 0);
		pkt_done(&p);
		expect_drop(HERE(ctx), &main_rig, p.buf, p.len, &w);
	}
}

TEST(ipv6_single_extension_header_to_watched_port_is_dropped)
{
	static const uint8_t kinds[] = { PKT_IP_HOPOPTS, PKT_IP_ROUTING, PKT_IP_DSTOPTS };
	struct want w = want_v6(v6_src, v6_dst, WATCHED, TCPDROP_TCP_SYN);
	char ctx[48];
	struct pkt p;
	size_t i;
	int hdrlen;

	if (!rig_ready(&main_rig))
		return;
	/* Option headers of 8, 16 and 256 bytes (hdrlen 0, 1, 31). */
	for (i = 0; i < sizeof(kinds); i++) {
		for (hdrlen = 0; hdrlen < 32; hdrlen += hdrlen ? 30 : 1) {
			snprintf(ctx, sizeof(ctx), "next header %u, hdrlen %d", kinds[i], hdrlen);
			pkt_init(&p);
			pkt_eth(&p, PKT_ETH_IPV6);
			pkt_ipv6(&p, kinds[i], v6_src, v6_dst);
			pkt_ext6(&p, PKT_IP_TCP, (uint8_t)hdrlen);
			pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 0);
			pkt_done(&p);
			expect_drop(HERE(ctx), &main_rig, p.buf, p.len, &w);
		}
	}
	/* A first fragment (more to come) and an atomic fragment (the only one). */
	for (i = 0; i < 2; i++) {
		snprintf(ctx, sizeof(ctx), "fragment offset 0, more %zu", i);
		pkt_init(&p);
		pkt_eth(&p, PKT_ETH_IPV6);
		pkt_ipv6(&p, PKT_IP_FRAGMENT, v6_src, v6_dst);
		pkt_frag6(&p, PKT_IP_TCP, 0, i);
		pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 0);
		pkt_done(&p);
		expect_drop(HERE(ctx), &main_rig, p.buf, p.len, &w);
	}
}

TEST(ipv6_chained_extension_headers_to_watched_port_are_dropped)
{
	static const uint8_t chain[] = { PKT_IP_HOPOPTS, PKT_IP_DSTOPTS, PKT_IP_ROUTING,
					 PKT_IP_FRAGMENT, PKT_IP_DSTOPTS };
	struct want w = want_v6(v6_src, v6_dst, WATCHED, TCPDROP_TCP_ACK);
	struct pkt p;
	int n;

	if (!rig_ready(&main_rig))
		return;
	/* Every prefix of the usual order, from two headers to five. */
	for (n = 2; n <= (int)sizeof(chain); n++) {
		v6_chain(&p, chain, n, PKT_IP_TCP);
		pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_ACK, 0);
		pkt_done(&p);
		EXPECT_DROP(&main_rig, &p, &w);
	}
	/* Behind them, a watched port still needs the exact bit. */
	v6_chain(&p, chain, sizeof(chain), PKT_IP_TCP);
	pkt_tcp(&p, SPORT, WATCHED + 1, TCPDROP_TCP_ACK, 0);
	pkt_done(&p);
	EXPECT_PASS(&main_rig, &p, false);
}

static const uint8_t long_chain[] = {
	PKT_IP_HOPOPTS, PKT_IP_DSTOPTS, PKT_IP_ROUTING, PKT_IP_ROUTING, PKT_IP_FRAGMENT,
	PKT_IP_DSTOPTS, PKT_IP_DSTOPTS, PKT_IP_DSTOPTS, PKT_IP_DSTOPTS,
};

_Static_assert(sizeof(long_chain) == TCPDROP_MAX_IPV6_EXT + 1, "one header past the limit");

TEST(ipv6_eight_extension_headers_then_tcp_is_dropped)
{
	struct want w = want_v6(v6_src, v6_dst, WATCHED, TCPDROP_TCP_SYN);
	struct pkt p;

	if (!rig_ready(&main_rig))
		return;
	v6_chain(&p, long_chain, TCPDROP_MAX_IPV6_EXT, PKT_IP_TCP);
	pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 0);
	pkt_done(&p);
	EXPECT_DROP(&main_rig, &p, &w);
}

TEST(ipv6_nine_extension_headers_pass_unparsed_and_not_malformed)
{
	struct pkt p;

	if (!rig_ready(&main_rig))
		return;
	v6_chain(&p, long_chain, TCPDROP_MAX_IPV6_EXT + 1, PKT_IP_TCP);
	pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 0);
	pkt_done(&p);
	EXPECT_PASS(&main_rig, &p, false);
}

TEST(ipv4_first_fragment_to_watched_port_is_dropped)
{
	struct want w = want_v4(V4_SRC, V4_DST, WATCHED, TCPDROP_TCP_SYN);
	struct pkt p;
	size_t ip;

	if (!rig_ready(&main_rig))
		return;
	ip = v4_tcp(&p, WATCHED, TCPDROP_TCP_SYN);
	pkt_ipv4_frag(&p, ip, 0, true);
	EXPECT_DROP(&main_rig, &p, &w);
}

/*
 * A tiny first fragment (RFC 1858) carries the ports but not the whole TCP header; the rest
 * comes in a later fragment, which passes. Matching on the ports keeps the segment from
 * reaching the watched port after reassembly.
 */
TEST(ipv4_tiny_first_fragment_to_watched_port_is_dropped_on_its_ports)
{
	struct want w = want_v4(V4_SRC, V4_DST, WATCHED, 0);
	struct pkt p;
	size_t ip;

	if (!rig_ready(&main_rig))
		return;
	ip = v4_tcp(&p, WATCHED, TCPDROP_TCP_SYN);
	pkt_ipv4_frag(&p, ip, 0, true);
	p.len -= PKT_TCP_LEN - 8;	/* 8 bytes of TCP: ports and sequence number */
	EXPECT_DROP(&main_rig, &p, &w);

	ip = v4_tcp(&p, WATCHED + 1, TCPDROP_TCP_SYN);
	pkt_ipv4_frag(&p, ip, 0, true);
	p.len -= PKT_TCP_LEN - 8;
	EXPECT_PASS(&main_rig, &p, false);

	/* Not a fragment: a cut TCP header stays malformed, whatever its ports. */
	ip = v4_tcp(&p, WATCHED, TCPDROP_TCP_SYN);
	p.len -= PKT_TCP_LEN - 8;
	EXPECT_PASS(&main_rig, &p, true);
}

TEST(ipv4_later_fragment_looking_like_tcp_to_watched_port_passes_not_malformed)
{
	/* Offsets 1 (lowest) to 8191 (highest), last fragment or not. Its first bytes are payload
	 * that happens to read as a TCP header to 4040. */
	static const uint16_t offsets[] = { 1, 185, 0x1000, 0x1fff };
	char ctx[48];
	struct pkt p;
	size_t i, ip;
	int more;

	if (!rig_ready(&main_rig))
		return;
	for (i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		for (more = 0; more <= 1; more++) {
			snprintf(ctx, sizeof(ctx), "offset %u, more %d", offsets[i], more);
			ip = v4_tcp(&p, WATCHED, TCPDROP_TCP_SYN);
			pkt_ipv4_frag(&p, ip, offsets[i], more);
			expect_pass(HERE(ctx), &main_rig, p.buf, p.len, false);
		}
	}
	/* A later fragment cut inside its options is still a truncated IP header. */
	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_IPV4);
	ip = pkt_ipv4(&p, PKT_IP_TCP, V4_SRC, V4_DST, 40);
	pkt_ipv4_frag(&p, ip, 185, true);
	pkt_done(&p);
	expect_pass(HERE("cut in options"), &main_rig, p.buf, p.len - 1, true);
}

TEST(ipv6_later_fragment_looking_like_tcp_to_watched_port_passes_not_malformed)
{
	static const uint16_t offsets[] = { 1, 185, 0x1000, 0x1fff };
	char ctx[48];
	struct pkt p;
	size_t i;
	int more;

	if (!rig_ready(&main_rig))
		return;
	for (i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		for (more = 0; more <= 1; more++) {
			snprintf(ctx, sizeof(ctx), "offset %u, more %d", offsets[i], more);
			pkt_init(&p);
			pkt_eth(&p, PKT_ETH_IPV6);
			pkt_ipv6(&p, PKT_IP_FRAGMENT, v6_src, v6_dst);
			pkt_frag6(&p, PKT_IP_TCP, offsets[i], more);
			pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 0);
			pkt_done(&p);
			expect_pass(HERE(ctx), &main_rig, p.buf, p.len, false);
		}
	}
	/* Also behind a hop-by-hop header. */
	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_IPV6);
	pkt_ipv6(&p, PKT_IP_HOPOPTS, v6_src, v6_dst);
	pkt_ext6(&p, PKT_IP_FRAGMENT, 0);
	pkt_frag6(&p, PKT_IP_TCP, 185, false);
	pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 0);
	pkt_done(&p);
	EXPECT_PASS(&main_rig, &p, false);
}

TEST(non_tcp_traffic_passes_and_is_not_malformed)
{
	struct pkt p;

	if (!rig_ready(&main_rig))
		return;
	/* UDP to the watched port. */
	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_IPV4);
	pkt_ipv4(&p, PKT_IP_UDP, V4_SRC, V4_DST, 0);
	pkt_udp(&p, SPORT, WATCHED);
	pkt_done(&p);
	EXPECT_PASS(&main_rig, &p, false);

	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_IPV6);
	pkt_ipv6(&p, PKT_IP_UDP, v6_src, v6_dst);
	pkt_udp(&p, SPORT, WATCHED);
	pkt_done(&p);
	EXPECT_PASS(&main_rig, &p, false);

	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_IPV6);
	pkt_ipv6(&p, PKT_IP_HOPOPTS, v6_src, v6_dst);
	pkt_ext6(&p, PKT_IP_UDP, 0);
	pkt_udp(&p, SPORT, WATCHED);
	pkt_done(&p);
	EXPECT_PASS(&main_rig, &p, false);

	/* ICMP echo request, ICMPv6 echo request. */
	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_IPV4);
	pkt_ipv4(&p, PKT_IP_ICMP, V4_SRC, V4_DST, 0);
	pkt_icmp(&p, 8, 0);
	pkt_done(&p);
	EXPECT_PASS(&main_rig, &p, false);

	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_IPV6);
	pkt_ipv6(&p, PKT_IP_ICMPV6, v6_src, v6_dst);
	pkt_icmp(&p, 128, 0);
	pkt_done(&p);
	EXPECT_PASS(&main_rig, &p, false);

	/* IPv6 with no next header at all. */
	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_IPV6);
	pkt_ipv6(&p, PKT_IP_NONE, v6_src, v6_dst);
	pkt_done(&p);
	EXPECT_PASS(&main_rig, &p, false);

	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_ARP);
	pkt_arp(&p, 1, V4_SRC, V4_DST);
	EXPECT_PASS(&main_rig, &p, false);

	/* An unknown EtherType (local experimental), carrying what would be IPv4 TCP to 4040;
	 * untagged and behind a VLAN tag. */
	pkt_init(&p);
	pkt_eth(&p, 0x88b5);
	pkt_ipv4(&p, PKT_IP_TCP, V4_SRC, V4_DST, 0);
	pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 0);
	EXPECT_PASS(&main_rig, &p, false);

	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_8021Q);
	pkt_vlan(&p, 100, 0x88b5);
	pkt_ipv4(&p, PKT_IP_TCP, V4_SRC, V4_DST, 0);
	pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 0);
	EXPECT_PASS(&main_rig, &p, false);
}

/*
 * Cuts the frame to every length from 0 to its full size. Below hdr_end (all the headers the
 * parser needs) a cut passes as malformed; from hdr_end on only payload is missing, so the
 * frame still drops. In a first fragment (ports_end set) the TCP ports alone decide, so cuts
 * from ports_end on drop too, with no flags. BPF_PROG_TEST_RUN refuses XDP frames shorter than
 * an Ethernet header with -EINVAL before the program runs, so those cuts count nothing at all;
 * before 5.13 it runs the program on them, which must pass them as malformed (tests/runts.h).
 */
static void sweep_cuts(struct rig *r, const struct pkt *p, size_t hdr_end, size_t ports_end,
		       const struct want *w)
{
	__u64 before[TCPDROP_NR_COUNTERS], after[TCPDROP_NR_COUNTERS];
	struct want no_flags = *w;
	size_t cut, drops_from = ports_end ? ports_end : hdr_end;
	bool runts_run = test_run_runs_runts();
	char ctx[48];

	no_flags.flags = 0;
	read_counters(r, before);
	for (cut = 0; cut <= p->len && !check_case_failed; cut++) {
		snprintf(ctx, sizeof(ctx), "cut to %zu of %zu bytes", cut, p->len);
		if (cut < PKT_ETH_LEN && !runts_run)
			expect_rejected(HERE(ctx), r, p->buf, cut, -EINVAL);
		else if (cut < drops_from)
			expect_pass(HERE(ctx), r, p->buf, cut, true);
		else if (cut < hdr_end)
			expect_drop(HERE(ctx), r, p->buf, cut, &no_flags);
		else
			expect_drop(HERE(ctx), r, p->buf, cut, w);
	}
	if (check_case_failed)
		return;
	read_counters(r, after);
	eq_at(HERE(""), "malformed over the sweep", after[TCPDROP_MALFORMED] -
	      before[TCPDROP_MALFORMED], drops_from - (runts_run ? 0 : PKT_ETH_LEN));
	eq_at(HERE(""), "dropped over the sweep", after[TCPDROP_DROPPED] - before[TCPDROP_DROPPED],
	      p->len + 1 - drops_from);
}

TEST(truncated_ipv4_frame_passes_as_malformed_at_every_cut_inside_headers)
{
	struct want w = want_v4(V4_SRC, V4_DST, WATCHED, TCPDROP_TCP_SYN);
	struct pkt p;
	size_t hdr_end;

	if (!rig_ready(&main_rig))
		return;
	/* Longest options on both: ihl 15 and doff 15. */
	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_IPV4);
	pkt_ipv4(&p, PKT_IP_TCP, V4_SRC, V4_DST, 40);
	pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 40);
	hdr_end = p.len;
	pkt_payload(&p, 6, 0xee);
	pkt_done(&p);
	eq_at(HERE(""), "headers", hdr_end, 14 + 60 + 60);
	sweep_cuts(&main_rig, &p, hdr_end, 0, &w);
}

TEST(truncated_vlan_frame_passes_as_malformed_at_every_cut_inside_headers)
{
	struct want w = want_v4(V4_SRC, V4_DST, WATCHED, TCPDROP_TCP_SYN);
	struct pkt p;
	size_t hdr_end;

	if (!rig_ready(&main_rig))
		return;
	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_8021AD);
	pkt_vlan(&p, 10, PKT_ETH_8021Q);
	pkt_vlan(&p, 20, PKT_ETH_IPV4);
	pkt_ipv4(&p, PKT_IP_TCP, V4_SRC, V4_DST, 8);
	pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 4);
	hdr_end = p.len;
	pkt_payload(&p, 6, 0xee);
	pkt_done(&p);
	w.vlan = 10;
	sweep_cuts(&main_rig, &p, hdr_end, 0, &w);
}

TEST(truncated_ipv6_extension_frame_passes_as_malformed_at_every_cut_inside_headers)
{
	static const uint8_t chain[] = { PKT_IP_HOPOPTS, PKT_IP_ROUTING, PKT_IP_FRAGMENT,
					 PKT_IP_DSTOPTS };
	struct want w = want_v6(v6_src, v6_dst, WATCHED, TCPDROP_TCP_SYN);
	struct pkt p;
	size_t hdr_end;

	if (!rig_ready(&main_rig))
		return;
	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_8021Q);
	pkt_vlan(&p, 7, PKT_ETH_IPV6);
	pkt_ipv6(&p, chain[0], v6_src, v6_dst);
	pkt_ext6(&p, chain[1], 1);
	pkt_ext6(&p, chain[2], 0);
	pkt_frag6(&p, chain[3], 0, true);
	pkt_ext6(&p, PKT_IP_TCP, 2);
	pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 12);
	hdr_end = p.len;
	pkt_payload(&p, 6, 0xee);
	pkt_done(&p);
	eq_at(HERE(""), "headers", hdr_end, 14 + 4 + 40 + 16 + 8 + 8 + 24 + 32);
	w.vlan = 7;
	/* The fragment header (offset 0) makes this a first fragment: the ports decide. */
	sweep_cuts(&main_rig, &p, hdr_end, hdr_end - 32 + 4, &w);
}

TEST(ipv4_ihl_below_5_is_malformed_and_passes)
{
	char ctx[16];
	struct pkt p;
	size_t ip, tcp;
	int ihl;

	if (!rig_ready(&main_rig))
		return;
	/*
	 * The bytes at ihl * 4 form a TCP header to 4040 (doff 5, all present), so a parser that
	 * trusted the short ihl would find a watched segment there instead of giving up.
	 */
	for (ihl = 0; ihl < 5; ihl++) {
		snprintf(ctx, sizeof(ctx), "ihl %d", ihl);
		ip = v4_tcp(&p, WATCHED, TCPDROP_TCP_SYN);
		pkt_payload(&p, PKT_TCP_LEN, 0);
		tcp = ip + 4 * ihl;
		memset(p.buf + tcp, 0, PKT_TCP_LEN);
		pkt_put16(&p, tcp + 2, WATCHED);
		pkt_tcp_doff(&p, tcp, 5);
		p.buf[ip] = (uint8_t)(0x40 | ihl);
		p.buf[ip + 9] = PKT_IP_TCP;
		expect_pass(HERE(ctx), &main_rig, p.buf, p.len, true);
	}
}

TEST(ipv4_version_not_4_under_ipv4_ethertype_is_malformed_and_passes)
{
	char ctx[16];
	struct pkt p;
	size_t ip;
	int version;

	if (!rig_ready(&main_rig))
		return;
	for (version = 0; version < 16; version++) {
		if (version == 4)
			continue;
		snprintf(ctx, sizeof(ctx), "version %d", version);
		ip = v4_tcp(&p, WATCHED, TCPDROP_TCP_SYN);
		p.buf[ip] = (uint8_t)(version << 4 | 5);
		expect_pass(HERE(ctx), &main_rig, p.buf, p.len, true);
	}
}

TEST(ipv6_version_not_6_under_ipv6_ethertype_is_malformed_and_passes)
{
	char ctx[16];
	struct pkt p;
	int version;

	if (!rig_ready(&main_rig))
		return;
	for (version = 0; version < 16; version++) {
		if (version == 6)
			continue;
		snprintf(ctx, sizeof(ctx), "version %d", version);
		v6_tcp(&p, WATCHED, TCPDROP_TCP_SYN);
		p.buf[PKT_ETH_LEN] = (uint8_t)(version << 4);
		expect_pass(HERE(ctx), &main_rig, p.buf, p.len, true);
	}
}

TEST(tcp_doff_below_5_is_malformed_and_passes)
{
	char ctx[24];
	struct pkt p;
	int doff, family;

	if (!rig_ready(&main_rig))
		return;
	for (family = 4; family <= 6; family += 2) {
		for (doff = 0; doff < 5; doff++) {
			snprintf(ctx, sizeof(ctx), "IPv%d doff %d", family, doff);
			if (family == 4)
				v4_tcp(&p, WATCHED, TCPDROP_TCP_SYN);
			else
				v6_tcp(&p, WATCHED, TCPDROP_TCP_SYN);
			pkt_tcp_doff(&p, p.len - PKT_TCP_LEN, (uint8_t)doff);
			expect_pass(HERE(ctx), &main_rig, p.buf, p.len, true);
		}
	}
}

TEST(tcp_doff_beyond_packet_end_is_malformed_and_passes)
{
	struct want w = want_v4(V4_SRC, V4_DST, WATCHED, TCPDROP_TCP_SYN);
	char ctx[24];
	struct pkt p;
	size_t tcp;
	int doff;

	if (!rig_ready(&main_rig))
		return;
	/* 20 bytes of TCP header present, doff claiming 24 to 60. */
	for (doff = 6; doff <= 15; doff++) {
		snprintf(ctx, sizeof(ctx), "doff %d", doff);
		v4_tcp(&p, WATCHED, TCPDROP_TCP_SYN);
		pkt_tcp_doff(&p, p.len - PKT_TCP_LEN, (uint8_t)doff);
		expect_pass(HERE(ctx), &main_rig, p.buf, p.len, true);
	}
	/* doff 15 with 59 of its 60 bytes there is one short; with all 60 it drops. */
	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_IPV4);
	pkt_ipv4(&p, PKT_IP_TCP, V4_SRC, V4_DST, 0);
	tcp = pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 40);
	pkt_done(&p);
	eq_at(HERE(""), "doff", p.buf[tcp + 12] >> 4, 15);
	expect_pass(HERE("one byte short"), &main_rig, p.buf, p.len - 1, true);
	EXPECT_DROP(&main_rig, &p, &w);
}

TEST(dry_run_match_passes_counted_as_dropped_with_would_drop_event)
{
	struct want w4 = want_v4(V4_SRC, V4_DST, WATCHED, TCPDROP_TCP_SYN);
	struct want w6 = want_v6(v6_src, v6_dst, WATCHED, TCPDROP_TCP_SYN);
	struct pkt p;

	if (!rig_ready(&dry_rig))
		return;
	/* expect_drop knows the rig is a dry run: XDP_PASS, dropped += 1, passed += 0, action
	 * WOULD_DROP, and the source still counted. */
	v4_tcp(&p, WATCHED, TCPDROP_TCP_SYN);
	EXPECT_DROP(&dry_rig, &p, &w4);
	v6_tcp(&p, WATCHED, TCPDROP_TCP_SYN);
	EXPECT_DROP(&dry_rig, &p, &w6);
}

TEST(dry_run_non_match_and_malformed_pass_as_usual)
{
	struct pkt p;
	size_t ip;

	if (!rig_ready(&dry_rig))
		return;
	v4_tcp(&p, WATCHED + 1, TCPDROP_TCP_SYN);
	EXPECT_PASS(&dry_rig, &p, false);
	ip = v4_tcp(&p, WATCHED, TCPDROP_TCP_SYN);
	p.buf[ip] = 0x44;
	EXPECT_PASS(&dry_rig, &p, true);
}

TEST(port_set_changes_at_run_time_without_reload)
{
	struct want w8080 = want_v4(V4_SRC, V4_DST, 8080, TCPDROP_TCP_SYN);
	struct want w4040 = want_v4(V4_SRC, V4_DST, WATCHED, TCPDROP_TCP_SYN);
	struct pkt p;

	if (!rig_ready(&main_rig))
		return;
	v4_tcp(&p, 8080, TCPDROP_TCP_SYN);
	EXPECT_PASS(&main_rig, &p, false);

	CHECK(!set_port(&main_rig, 8080, true), "set 8080");
	CHECK(!set_port(&main_rig, WATCHED, false), "clear 4040");
	v4_tcp(&p, 8080, TCPDROP_TCP_SYN);
	EXPECT_DROP(&main_rig, &p, &w8080);
	v4_tcp(&p, WATCHED, TCPDROP_TCP_SYN);
	EXPECT_PASS(&main_rig, &p, false);

	/* And back, for the cases that follow. */
	CHECK(!set_port(&main_rig, WATCHED, true), "set 4040");
	CHECK(!set_port(&main_rig, 8080, false), "clear 8080");
	v4_tcp(&p, WATCHED, TCPDROP_TCP_SYN);
	EXPECT_DROP(&main_rig, &p, &w4040);
	v4_tcp(&p, 8080, TCPDROP_TCP_SYN);
	EXPECT_PASS(&main_rig, &p, false);
}

TEST(ports_0_and_65535_can_be_watched)
{
	/* The first bit of the first word and the last bit of the last word. */
	static const uint16_t edges[] = { 0, 65535 };
	static const uint16_t neighbours[] = { 1, 63, 64, 65472, 65534 };
	struct pkt p;
	struct want w;
	size_t i;

	if (!rig_ready(&main_rig))
		return;
	for (i = 0; i < 2; i++)
		CHECK(!set_port(&main_rig, edges[i], true), "set port %u", edges[i]);
	for (i = 0; i < 2; i++) {
		w = want_v4(V4_SRC, V4_DST, edges[i], TCPDROP_TCP_SYN);
		v4_tcp(&p, edges[i], TCPDROP_TCP_SYN);
		EXPECT_DROP(&main_rig, &p, &w);
		w = want_v6(v6_src, v6_dst, edges[i], TCPDROP_TCP_SYN);
		v6_tcp(&p, edges[i], TCPDROP_TCP_SYN);
		EXPECT_DROP(&main_rig, &p, &w);
	}
	for (i = 0; i < sizeof(neighbours) / sizeof(neighbours[0]); i++) {
		v4_tcp(&p, neighbours[i], TCPDROP_TCP_SYN);
		EXPECT_PASS(&main_rig, &p, false);
	}
	for (i = 0; i < 2; i++)
		CHECK(!set_port(&main_rig, edges[i], false), "clear port %u", edges[i]);
	for (i = 0; i < 2; i++) {
		v4_tcp(&p, edges[i], TCPDROP_TCP_SYN);
		EXPECT_PASS(&main_rig, &p, false);
	}
}

TEST(tcp_flags_byte_is_copied_exactly)
{
	const uint8_t synack_ece_cwr = TCPDROP_TCP_SYN | TCPDROP_TCP_ACK | TCPDROP_TCP_ECE |
				       TCPDROP_TCP_CWR;
	struct want w;
	char ctx[24];
	struct pkt p;
	int flags;

	if (!rig_ready(&main_rig))
		return;
	eq_at(HERE(""), "SYN|ACK|ECE|CWR", synack_ece_cwr, 0xd2);
	w = want_v4(V4_SRC, V4_DST, WATCHED, synack_ece_cwr);
	v4_tcp(&p, WATCHED, synack_ece_cwr);
	EXPECT_DROP(&main_rig, &p, &w);

	/* Every value of the byte, nonsense combinations included: it is copied, not decoded. */
	for (flags = 0; flags < 256 && !check_case_failed; flags++) {
		snprintf(ctx, sizeof(ctx), "flags 0x%02x", flags);
		w = want_v6(v6_src, v6_dst, WATCHED, (uint8_t)flags);
		v6_tcp(&p, WATCHED, (uint8_t)flags);
		expect_drop(HERE(ctx), &main_rig, p.buf, p.len, &w);
	}
}

TEST(per_source_table_keeps_ipv4_and_ipv6_apart)
{
	/* The same 16 key bytes under family 4 and 6, and the v4-mapped form of the address. */
	static const uint8_t v6_same_bytes[16] = { 10, 88, 0, 1 };
	static const uint8_t v6_mapped[16] = { [10] = 0xff, [11] = 0xff, 10, 88, 0, 1 };
	struct tcpdrop_source s4, s6, smapped, s4mapped;
	struct want w4 = want_v4(0x0a580001, V4_DST, WATCHED, TCPDROP_TCP_SYN);
	struct want w6 = want_v6(v6_same_bytes, v6_dst, WATCHED, TCPDROP_TCP_SYN);
	struct want wm = want_v6(v6_mapped, v6_dst, WATCHED, TCPDROP_TCP_SYN);
	size_t len4, len6;
	struct pkt p;

	if (!rig_ready(&main_rig))
		return;
	bytes_eq_at(HERE(""), "IPv4 key bytes", w4.saddr, v6_same_bytes, 16);

	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_IPV4);
	pkt_ipv4(&p, PKT_IP_TCP, 0x0a580001, V4_DST, 0);
	pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 0);
	pkt_done(&p);
	len4 = p.len;
	EXPECT_DROP(&main_rig, &p, &w4);

	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_IPV6);
	pkt_ipv6(&p, PKT_IP_TCP, v6_same_bytes, v6_dst);
	pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 0);
	pkt_done(&p);
	len6 = p.len;
	EXPECT_DROP(&main_rig, &p, &w6);

	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_IPV6);
	pkt_ipv6(&p, PKT_IP_TCP, v6_mapped, v6_dst);
	pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 0);
	pkt_done(&p);
	EXPECT_DROP(&main_rig, &p, &wm);

	s4 = read_source(&main_rig, 4, w4.saddr);
	s6 = read_source(&main_rig, 6, v6_same_bytes);
	smapped = read_source(&main_rig, 6, v6_mapped);
	s4mapped = read_source(&main_rig, 4, v6_mapped);
	eq_at(HERE(""), "IPv4 source drops", s4.drops, 1);
	eq_at(HERE(""), "IPv4 source bytes", s4.bytes, len4);
	eq_at(HERE(""), "IPv6 source drops", s6.drops, 1);
	eq_at(HERE(""), "IPv6 source bytes", s6.bytes, len6);
	eq_at(HERE(""), "v4-mapped IPv6 source drops", smapped.drops, 1);
	eq_at(HERE(""), "v4-mapped IPv6 source bytes", smapped.bytes, len6);
	eq_at(HERE(""), "v4-mapped address under family 4", s4mapped.drops, 0);
}

TEST(per_source_table_sums_drops_and_bytes_of_one_source)
{
	struct want w = want_v4(0x0a4d0001, V4_DST, WATCHED, TCPDROP_TCP_SYN);
	struct tcpdrop_source s;
	size_t len1, len2;
	struct pkt p;

	if (!rig_ready(&main_rig))
		return;
	s = read_source(&main_rig, 4, w.saddr);
	eq_at(HERE(""), "fresh source drops", s.drops, 0);

	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_IPV4);
	pkt_ipv4(&p, PKT_IP_TCP, 0x0a4d0001, V4_DST, 0);
	pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 0);
	pkt_done(&p);
	len1 = p.len;
	EXPECT_DROP(&main_rig, &p, &w);

	pkt_payload(&p, 100, 0);
	pkt_done(&p);
	len2 = p.len;
	EXPECT_DROP(&main_rig, &p, &w);

	s = read_source(&main_rig, 4, w.saddr);
	eq_at(HERE(""), "source drops", s.drops, 2);
	eq_at(HERE(""), "source bytes", s.bytes, len1 + len2);
}

TEST(full_ring_counts_lost_events_and_still_drops)
{
	/* Each record takes its 8-byte header plus the 64-byte event: 56 fit in 4096 bytes. */
	const int fits = 4096 / (BPF_RINGBUF_HDR_SZ + sizeof(struct tcpdrop_event));
	const int extra = 10;
	struct want w = want_v4(V4_SRC, V4_DST, WATCHED, TCPDROP_TCP_PSH | TCPDROP_TCP_ACK);
	__u64 drops = 0, lost = 0;
	struct result res;
	char ctx[24];
	struct pkt p;
	int i, n;

	if (!rig_ready(&tiny_rig))
		return;
	eq_at(HERE(""), "events before", drain(&tiny_rig), 0);
	v4_tcp(&p, WATCHED, w.flags);
	for (i = 0; i < fits + extra; i++) {
		run_frame(&tiny_rig, p.buf, p.len, &res);
		snprintf(ctx, sizeof(ctx), "drop %d", i + 1);
		eq_at(HERE(ctx), "test_run", (unsigned int)res.err, 0);
		eq_at(HERE(ctx), "verdict (1 = XDP_DROP)", res.retval, XDP_DROP);
		eq_at(HERE(ctx), "dropped", res.d[TCPDROP_DROPPED], 1);
		eq_at(HERE(ctx), "passed", res.d[TCPDROP_PASSED], 0);
		eq_at(HERE(ctx), "events lost", res.d[TCPDROP_EVENTS_LOST], i < fits ? 0 : 1);
		drops += res.d[TCPDROP_DROPPED];
		lost += res.d[TCPDROP_EVENTS_LOST];
		if (check_case_failed)
			return;
	}
	n = drain(&tiny_rig);
	eq_at(HERE(""), "events consumed", n, fits);
	eq_at(HERE(""), "events lost", lost, extra);
	eq_at(HERE(""), "drops == consumed + lost", drops, n + lost);
	for (i = 0; i < n && i < MAX_EVENTS; i++) {
		eq_at(HERE(""), "queued event dport", tiny_rig.ev[i].dport, WATCHED);
		eq_at(HERE(""), "queued event len", tiny_rig.ev[i].len, p.len);
	}

	/* Once drained, the next drop gets its event again. */
	EXPECT_DROP(&tiny_rig, &p, &w);
}

/* The same frame as a device without a link-layer header hands it to XDP: from the IP header. */
static void strip_ethernet(struct pkt *p)
{
	memmove(p->buf, p->buf + PKT_ETH_LEN, p->len - PKT_ETH_LEN);
	p->len -= PKT_ETH_LEN;
}

TEST(raw_ip_device_drops_ipv4_and_ipv6_to_watched_port_with_events)
{
	struct want w4 = want_v4(V4_SRC, V4_DST, WATCHED, TCPDROP_TCP_SYN);
	struct want w6 = want_v6(v6_src, v6_dst, WATCHED, TCPDROP_TCP_SYN | TCPDROP_TCP_ACK);
	struct pkt p;

	if (!rig_ready(&raw_rig))
		return;
	v4_tcp(&p, WATCHED, TCPDROP_TCP_SYN);
	strip_ethernet(&p);
	EXPECT_DROP(&raw_rig, &p, &w4);	/* vlan 0, len the IP packet's */
	v6_tcp(&p, WATCHED, TCPDROP_TCP_SYN | TCPDROP_TCP_ACK);
	strip_ethernet(&p);
	EXPECT_DROP(&raw_rig, &p, &w6);
}

TEST(raw_ip_device_passes_other_ports_and_other_versions)
{
	struct pkt p;

	if (!rig_ready(&raw_rig))
		return;
	v4_tcp(&p, WATCHED + 1, TCPDROP_TCP_SYN);
	strip_ethernet(&p);
	EXPECT_PASS(&raw_rig, &p, false);
	v6_tcp(&p, 80, TCPDROP_TCP_SYN);
	strip_ethernet(&p);
	EXPECT_PASS(&raw_rig, &p, false);
	/* Version 0 is no IP this program parses: passed, not malformed. */
	v4_tcp(&p, WATCHED, TCPDROP_TCP_SYN);
	strip_ethernet(&p);
	p.buf[0] = 0x05;
	EXPECT_PASS(&raw_rig, &p, false);
	/* A cut IPv4 header on a raw device is malformed, as on Ethernet. */
	v4_tcp(&p, WATCHED, TCPDROP_TCP_SYN);
	strip_ethernet(&p);
	p.len = PKT_IPV4_LEN - 4;
	EXPECT_PASS(&raw_rig, &p, true);
}

/* An excepted source to a watched port: passed and counted as excepted, no event, no source. */
static void expect_excepted(struct site s, struct rig *r, const struct pkt *p,
			    const struct want *w)
{
	__u64 want[TCPDROP_NR_COUNTERS] = {
		[TCPDROP_SEEN_PACKETS] = 1,
		[TCPDROP_SEEN_BYTES] = p->len,
		[TCPDROP_PASSED] = 1,
		[TCPDROP_EXCEPTED] = 1,
	};
	struct tcpdrop_source before, after;
	struct result res;

	before = read_source(r, w->family, w->saddr);
	run_frame(r, p->buf, p->len, &res);
	eq_at(s, "test_run", (unsigned int)res.err, 0);
	eq_at(s, "verdict (2 = XDP_PASS)", res.retval, XDP_PASS);
	counters_eq_at(s, &res, want);
	eq_at(s, "events", drain(r), 0);
	after = read_source(r, w->family, w->saddr);
	eq_at(s, "source drops", after.drops - before.drops, 0);
}

static void v4_from(struct pkt *p, uint32_t saddr, uint16_t dport, struct want *w)
{
	pkt_init(p);
	pkt_eth(p, PKT_ETH_IPV4);
	pkt_ipv4(p, PKT_IP_TCP, saddr, V4_DST, 0);
	pkt_tcp(p, SPORT, dport, TCPDROP_TCP_SYN, 0);
	pkt_done(p);
	*w = want_v4(saddr, V4_DST, dport, TCPDROP_TCP_SYN);
}

static void v6_from(struct pkt *p, const char *saddr, uint16_t dport, struct want *w)
{
	uint8_t src[16];

	inet_pton(AF_INET6, saddr, src);
	pkt_init(p);
	pkt_eth(p, PKT_ETH_IPV6);
	pkt_ipv6(p, PKT_IP_TCP, src, v6_dst);
	pkt_tcp(p, SPORT, dport, TCPDROP_TCP_SYN, 0);
	pkt_done(p);
	*w = want_v6(src, v6_dst, dport, TCPDROP_TCP_SYN);
}

#define V4(a, b, c, d)	((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

TEST(except_passes_ipv4_sources_in_a_prefix_by_longest_match)
{
	struct rig *r = &except_rig;
	struct want w;
	struct pkt p;

	if (!rig_ready(r))
		return;
	v4_from(&p, V4(198, 51, 100, 5), WATCHED, &w);		/* in the /24 */
	expect_excepted(HERE("198.51.100.5"), r, &p, &w);
	v4_from(&p, V4(198, 51, 100, 200), WATCHED, &w);	/* in the /25 inside it */
	expect_excepted(HERE("198.51.100.200"), r, &p, &w);
	v4_from(&p, V4(203, 0, 113, 7), WATCHED, &w);		/* a /32 */
	expect_excepted(HERE("203.0.113.7"), r, &p, &w);
	v4_from(&p, V4(203, 0, 113, 8), WATCHED, &w);		/* next to the /32 */
	EXPECT_DROP(r, &p, &w);
	v4_from(&p, V4(198, 51, 101, 5), WATCHED, &w);		/* just past the /24 */
	EXPECT_DROP(r, &p, &w);
	/* The trie is asked only after a port match: to other ports it counts nothing. */
	v4_from(&p, V4(198, 51, 100, 5), WATCHED + 1, &w);
	EXPECT_PASS(r, &p, false);
}

TEST(except_passes_ipv6_sources_in_a_prefix_and_a_host_route)
{
	struct rig *r = &except_rig;
	struct want w;
	struct pkt p;

	if (!rig_ready(r))
		return;
	v6_from(&p, "2001:db8:1::9", WATCHED, &w);		/* in the /48 */
	expect_excepted(HERE("2001:db8:1::9"), r, &p, &w);
	v6_from(&p, "2001:db8:1:ffff::1", WATCHED, &w);
	expect_excepted(HERE("2001:db8:1:ffff::1"), r, &p, &w);
	v6_from(&p, "2001:db8:2::5", WATCHED, &w);		/* the /128 */
	expect_excepted(HERE("2001:db8:2::5"), r, &p, &w);
	v6_from(&p, "2001:db8:2::6", WATCHED, &w);
	EXPECT_DROP(r, &p, &w);
	/* The IPv4 /24's bytes at the front of an IPv6 address: another family, no match. */
	v6_from(&p, "c633:6400::1", WATCHED, &w);
	EXPECT_DROP(r, &p, &w);
}

TEST(except_zero_length_prefix_passes_its_whole_family_only)
{
	struct rig *r = &except_all_v4_rig;
	struct want w;
	struct pkt p;

	if (!rig_ready(r))
		return;
	v4_from(&p, V4(192, 0, 2, 1), WATCHED, &w);
	expect_excepted(HERE("192.0.2.1"), r, &p, &w);
	v4_from(&p, V4(255, 255, 255, 255), WATCHED, &w);
	expect_excepted(HERE("255.255.255.255"), r, &p, &w);
	v6_from(&p, "2001:db8::1", WATCHED, &w);
	EXPECT_DROP(r, &p, &w);
}

/* The client ss shows as ::ffff:203.0.113.10 sends IPv4 from 203.0.113.10: that passes. */
TEST(except_ipv4_mapped_prefixes_pass_the_ipv4_sources)
{
	struct rig *r = &except_mapped_rig;
	struct want w;
	struct pkt p;

	if (!rig_ready(r))
		return;
	v4_from(&p, V4(203, 0, 113, 10), WATCHED, &w);		/* ::ffff:203.0.113.10 */
	expect_excepted(HERE("203.0.113.10"), r, &p, &w);
	v4_from(&p, V4(198, 51, 100, 77), WATCHED, &w);		/* in ::ffff:198.51.100.0/120 */
	expect_excepted(HERE("198.51.100.77"), r, &p, &w);
	v4_from(&p, V4(203, 0, 113, 11), WATCHED, &w);		/* next to the host */
	EXPECT_DROP(r, &p, &w);
	v4_from(&p, V4(198, 51, 101, 77), WATCHED, &w);		/* past the /120 */
	EXPECT_DROP(r, &p, &w);
}

/* --event-rate 0: every drop is counted and held in the table, and none has an event. */
TEST(event_rate_zero_drops_and_counts_every_packet_without_events)
{
	struct want w = want_v4(V4_SRC, V4_DST, WATCHED, TCPDROP_TCP_SYN);
	struct tcpdrop_source before, after;
	struct result res;
	struct pkt p;

	if (!rig_ready(&no_events_rig))
		return;
	v4_tcp(&p, WATCHED, TCPDROP_TCP_SYN);
	before = read_source(&no_events_rig, 4, w.saddr);
	for (int i = 0; i < 100; i++) {
		run_frame(&no_events_rig, p.buf, p.len, &res);
		eq_at(HERE(""), "verdict (1 = XDP_DROP)", res.retval, XDP_DROP);
		eq_at(HERE(""), "dropped", res.d[TCPDROP_DROPPED], 1);
		eq_at(HERE(""), "throttled", res.d[TCPDROP_EVENTS_THROTTLED], 1);
		eq_at(HERE(""), "lost", res.d[TCPDROP_EVENTS_LOST], 0);
		if (check_case_failed)
			return;
	}
	eq_at(HERE(""), "events", drain(&no_events_rig), 0);
	after = read_source(&no_events_rig, 4, w.saddr);
	eq_at(HERE(""), "source drops", after.drops - before.drops, 100);
}

/* A rate: a burst of events, then the rest held back; every drop is one or the other. */
TEST(event_rate_sends_some_events_and_counts_the_rest_as_throttled)
{
	__u64 before[TCPDROP_NR_COUNTERS], after[TCPDROP_NR_COUNTERS];
	struct pkt p;
	int n = 2000, events;

	if (!rig_ready(&rate_rig))
		return;
	v4_tcp(&p, WATCHED, TCPDROP_TCP_SYN);
	read_counters(&rate_rig, before);
	{
		LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p.buf, .data_size_in = p.len,
			    .repeat = n);

		eq_at(HERE(""), "test_run", (unsigned int)bpf_prog_test_run_opts(rate_rig.l.prog_fd,
										    &opts), 0);
	}
	read_counters(&rate_rig, after);
	events = drain(&rate_rig);
	eq_at(HERE(""), "dropped", after[TCPDROP_DROPPED] - before[TCPDROP_DROPPED], n);
	CHECK(events >= 1, "no event at all: the bucket starts with a burst's credit");
	CHECK(after[TCPDROP_EVENTS_THROTTLED] > before[TCPDROP_EVENTS_THROTTLED],
	      "nothing throttled in %d drops at 1000 a second", n);
	eq_at(HERE(""), "delivered + throttled + lost == dropped",
	      events + (after[TCPDROP_EVENTS_THROTTLED] - before[TCPDROP_EVENTS_THROTTLED]) +
	      (after[TCPDROP_EVENTS_LOST] - before[TCPDROP_EVENTS_LOST]), n);
}

/* The test runs on one CPU, so that the program does too (BPF_PROG_TEST_RUN runs it on the
 * calling CPU), and so its recent entries are one CPU's. Returns false if it cannot. */
static bool pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return !sched_setaffinity(0, sizeof(set), &set);
}

static void unpin(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Drops n copies of the frame in one run; returns the events it gave. */
static int drop_n(struct rig *r, const struct pkt *p, __u32 n)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->buf, .data_size_in = p->len,
		    .repeat = n);

	if (bpf_prog_test_run_opts(r->l.prog_fd, &opts) || opts.retval != XDP_DROP)
		check_fail_at(__FILE__, __LINE__, "test_run: %s, verdict %u", strerror(errno),
			      opts.retval);
	return drain(r);
}

/* A SYN from 2001:db8:hi::lo (hi and lo 32 bits each, the rest zero) to the watched port. */
static void v6_source(struct pkt *p, uint32_t hi, uint32_t lo, uint8_t addr[16])
{
	memset(addr, 0, 16);
	addr[0] = 0x20, addr[1] = 0x01, addr[2] = 0x0d, addr[3] = 0xb8;
	addr[4] = hi >> 24, addr[5] = hi >> 16, addr[6] = hi >> 8, addr[7] = hi;
	addr[12] = lo >> 24, addr[13] = lo >> 16, addr[14] = lo >> 8, addr[15] = lo;
	pkt_init(p);
	pkt_eth(p, PKT_ETH_IPV6);
	pkt_ipv6(p, PKT_IP_TCP, addr, v6_dst);
	pkt_tcp(p, SPORT, WATCHED, TCPDROP_TCP_SYN, 0);
	pkt_done(p);
}

/* The set of a CPU's recent entries the program gives an IPv6 source (tcpdrop.h). */
static uint32_t recent_set_of(const uint8_t addr[16])
{
	uint64_t a0, a1;

	memcpy(&a0, addr, 8);
	memcpy(&a1, addr + 8, 8);
	return tcpdrop_recent_hash(a0, a1, 6);
}

/* Drops in every source's row: the table's entries of this generation, and the recent ones. */
static uint64_t rows_total(struct rig *r)
{
	struct tcpdrop_source_key key, next;
	struct tcpdrop_source v;
	struct source_row *recent;
	uint64_t sum = 0;
	int fd = bpf_map__fd(r->l.skel->maps.sources), n;
	void *at = NULL;

	while (!bpf_map_get_next_key(fd, at, &next)) {
		if (!bpf_map_lookup_elem(fd, &next, &v) && v.generation == r->l.generation)
			sum += v.drops;
		key = next;
		at = &key;
	}
	n = loader_read_recent(&r->l, &recent);
	for (int i = 0; i < n; i++)
		sum += recent[i].drops;
	return sum;
}

static int table_entries(struct rig *r)
{
	struct tcpdrop_source_key key, next;
	int fd = bpf_map__fd(r->l.skel->maps.sources), n = 0;
	void *at = NULL;

	while (!bpf_map_get_next_key(fd, at, &next)) {
		n++;
		key = next;
		at = &key;
	}
	return n;
}

/*
 * The mixed flood of make bench, through the real program one frame at a time: a source
 * spoofed anew in nine frames of ten, one of ten heavy sources in the tenth. The heavy ones
 * are counted exactly; no source is counted more than it sent; the rows and what no row holds
 * add up to the drops.
 */
TEST(repeated_sources_keep_exact_counts_through_a_spoofed_flood)
{
	enum { FRAMES = 100000, HEAVY = 10 };
	struct rig *r = &sources_rig;
	uint8_t addr[16];
	uint64_t rows, spoofed = 0;
	struct source_row *recent;
	struct pkt p;
	int n;

	if (!rig_ready(r))
		return;
	if (!pin_to_cpu(0)) {
		check_fail_at(__FILE__, __LINE__, "cannot run on CPU 0: %s", strerror(errno));
		return;
	}
	for (uint32_t i = 0; i < FRAMES && !check_case_failed; i++) {
		if (i % 100 < HEAVY)
			v6_source(&p, 2, i % 100 + 1, addr);
		else	/* an odd multiplier: every spoofed source a new one */
			v6_source(&p, 1, (spoofed++ * 0x9e3779b1u) & 0x1ffff, addr);
		drop_n(r, &p, 1);
	}
	unpin();
	for (uint32_t k = 0; k < HEAVY; k++) {
		struct tcpdrop_source s;
		char ctx[32];

		v6_source(&p, 2, k + 1, addr);
		s = read_source(r, 6, addr);
		snprintf(ctx, sizeof(ctx), "heavy source %u", k + 1);
		eq_at(HERE(ctx), "drops", s.drops, FRAMES / 100);
		eq_at(HERE(ctx), "bytes", s.bytes, FRAMES / 100 * p.len);
	}
	n = loader_read_recent(&r->l, &recent);
	for (int i = 0; i < n; i++)
		if (recent[i].addr[7] == 1 && recent[i].drops > 1)
			check_fail_at(__FILE__, __LINE__, "a spoofed source counted %llu times",
				      (unsigned long long)recent[i].drops);
	rows = rows_total(r);
	CHECK(rows >= HEAVY * FRAMES / 100 && rows <= FRAMES,
	      "rows hold %llu drops of %d", (unsigned long long)rows, FRAMES);
	eq_at(HERE(""), "table entries: none of the one-time sources", table_entries(r), 0);
}

/*
 * Sources that keep dropping and collide in one set: the entries they lose move their counts to
 * the table, and each source's count, table and entries added up, stays exact.
 */
TEST(sources_moved_to_the_table_keep_exact_counts)
{
	enum { N = TCPDROP_RECENT_WAYS + 2 };
	struct rig *r = &sources_rig;
	uint8_t addrs[N][16];
	uint32_t want_set = 0;
	int found = 0, sent[N] = { 0 };
	struct pkt p;

	if (!rig_ready(r))
		return;
	/* Sources of one set, found by the contract's own hash. */
	for (uint32_t lo = 1; found < N && lo < 1000000; lo++) {
		v6_source(&p, 3, lo, addrs[found]);
		if (!found)
			want_set = recent_set_of(addrs[0]);
		if (recent_set_of(addrs[found]) == want_set)
			found++;
	}
	if (!eq_at(HERE(""), "sources found in one set", found, N) || !pin_to_cpu(0))
		return;
	/* More repeated sources than the set has entries, round after round, each twice in a
	 * row: every entry a source loses has dropped more than once, and so moves. */
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < N; i++) {
			pkt_init(&p);
			pkt_eth(&p, PKT_ETH_IPV6);
			pkt_ipv6(&p, PKT_IP_TCP, addrs[i], v6_dst);
			pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 0);
			pkt_done(&p);
			drop_n(r, &p, 2);
			sent[i] += 2;
		}
	unpin();
	CHECK(table_entries(r) > 0, "no source moved to the table: the test proves nothing");
	for (int i = 0; i < N; i++) {
		struct tcpdrop_source s = read_source(r, 6, addrs[i]);
		char ctx[32];

		snprintf(ctx, sizeof(ctx), "source %d", i);
		eq_at(HERE(ctx), "drops", s.drops, sent[i]);
		eq_at(HERE(ctx), "bytes", s.bytes, (uint64_t)sent[i] * p.len);
	}
	/* A clear of the view: every count starts again, in the table and in the entries. */
	loader_clear_sources(&r->l);
	for (int i = 0; i < N; i++)
		eq_at(HERE("after a clear"), "drops", read_source(r, 6, addrs[i]).drops, 0);
	eq_at(HERE("after a clear"), "rows", rows_total(r), 0);
	if (!pin_to_cpu(0))
		return;
	for (int i = 0; i < N; i++) {
		pkt_init(&p);
		pkt_eth(&p, PKT_ETH_IPV6);
		pkt_ipv6(&p, PKT_IP_TCP, addrs[i], v6_dst);
		pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 0);
		pkt_done(&p);
		drop_n(r, &p, 3);
	}
	unpin();
	for (int i = 0; i < N; i++)
		eq_at(HERE("since the clear"), "drops", read_source(r, 6, addrs[i]).drops, 3);
}

/*
 * Drops per port: each watched port its own exact count, added up over the CPUs that dropped
 * (each CPU counts in its own row); a port that passes counts nothing.
 */
TEST(drops_per_port_are_exact_on_every_cpu)
{
	static uint64_t before[TCPDROP_PORTS], after[TCPDROP_PORTS];
	static const int to_4040[2] = { 3, 1 }, to_8080[2] = { 2, 4 };	/* CPU 0, CPU 1 */
	int want_4040 = 0, want_8080 = 0;
	int cpus = libbpf_num_possible_cpus() > 1 && sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 2 : 1;
	struct rig *r = &main_rig;
	struct want w;
	struct pkt p;

	if (!rig_ready(r))
		return;
	if (set_port(r, 8080, true)) {
		check_fail_at(__FILE__, __LINE__, "watching 8080: %s", strerror(errno));
		return;
	}
	loader_read_port_drops(&r->l, before);
	for (int cpu = 0; cpu < cpus; cpu++) {
		if (!pin_to_cpu(cpu))
			break;
		v4_from(&p, V4(198, 51, 100, 20), WATCHED, &w);
		drop_n(r, &p, to_4040[cpu]);
		v4_from(&p, V4(198, 51, 100, 21), 8080, &w);
		drop_n(r, &p, to_8080[cpu]);
		v4_from(&p, V4(198, 51, 100, 22), 8081, &w);
		EXPECT_PASS(r, &p, false);
		want_4040 += to_4040[cpu];
		want_8080 += to_8080[cpu];
	}
	unpin();
	set_port(r, 8080, false);
	loader_read_port_drops(&r->l, after);
	eq_at(HERE(""), "drops to 4040", after[WATCHED] - before[WATCHED], want_4040);
	eq_at(HERE(""), "drops to 8080", after[8080] - before[8080], want_8080);
	eq_at(HERE(""), "drops to 8081, not watched", after[8081] - before[8081], 0);
	eq_at(HERE(""), "drops to 8080's neighbour", after[8079] - before[8079], 0);
}

/* CPU 0's current source, as the program keeps it (tcpdrop.h); false if it cannot be read. */
static bool read_current_words(struct rig *r, struct tcpdrop_current *cur)
{
	struct tcpdrop_counters *percpu = calloc(r->l.ncpus, sizeof(*percpu));
	__u32 zero = 0;
	bool ok = percpu && !bpf_map_lookup_elem(bpf_map__fd(r->l.skel->maps.counters), &zero,
						  percpu);

	if (ok)
		*cur = percpu[0].current;
	else
		check_fail_at(__FILE__, __LINE__, "reading the counters: %s", strerror(errno));
	free(percpu);
	return ok;
}

/* Writes CPU 0's current source, the rest of the counters as they are; false if it cannot. */
static bool write_current_words(struct rig *r, const struct tcpdrop_current *cur)
{
	struct tcpdrop_counters *percpu = calloc(r->l.ncpus, sizeof(*percpu));
	int fd = bpf_map__fd(r->l.skel->maps.counters);
	__u32 zero = 0;
	bool ok = percpu && !bpf_map_lookup_elem(fd, &zero, percpu);

	if (ok) {
		percpu[0].current = *cur;
		ok = !bpf_map_update_elem(fd, &zero, percpu, BPF_ANY);
	}
	if (!ok)
		check_fail_at(__FILE__, __LINE__, "writing the counters: %s", strerror(errno));
	free(percpu);
	return ok;
}

static bool is_current(const struct tcpdrop_current *cur, const uint8_t addr[16])
{
	return !memcmp(cur->addr, addr, 16) && (cur->tag & 0xff) == 6;
}

/*
 * Gives addr's entry on CPU 0 to another source (2001:db8:ffff::1) the way the program does,
 * under its version; false if there is no such entry or it cannot be written.
 */
static bool give_entry_away(struct rig *r, const uint8_t addr[16])
{
	static const uint8_t other[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, [15] = 1 };
	int fd = bpf_map__fd(r->l.skel->maps.recent);
	struct tcpdrop_recent_set set;
	uint32_t idx = recent_set_of(addr);

	if (bpf_map_lookup_elem(fd, &idx, &set)) {
		check_fail_at(__FILE__, __LINE__, "reading the set: %s", strerror(errno));
		return false;
	}
	for (int w = 0; w < TCPDROP_RECENT_WAYS; w++) {
		if (memcmp(&set.key[w], addr, 16) || set.meta[w].family != 6)
			continue;
		memcpy(&set.key[w], other, 16);
		set.meta[w].version += 2;
		set.meta[w].drops = 1;
		if (bpf_map_update_elem(fd, &idx, &set, BPF_ANY)) {
			check_fail_at(__FILE__, __LINE__, "writing the set: %s", strerror(errno));
			return false;
		}
		return true;
	}
	check_fail_at(__FILE__, __LINE__, "no entry of CPU 0 holds the source");
	return false;
}

/*
 * A source counted twice in a row in its entry becomes its CPU's current source, counted in the
 * CPU's own words from then on; when another becomes current, its counts go to its entry, or to
 * the table if the entry went to another source meanwhile. Through all of it each source's
 * count, as the views read it, stays exact; words a reader may see half written (an odd
 * version) are left out rather than given to the wrong source.
 */
TEST(a_source_in_a_run_is_counted_in_its_cpus_current_words_exactly)
{
	struct rig *r = &sources_rig;
	uint8_t a[16], b[16];
	struct tcpdrop_current cur;
	struct source_row row = { .family = 6 };
	struct pkt pa, pb;
	int err;

	if (!rig_ready(r))
		return;
	v6_source(&pa, 5, 1, a);
	v6_source(&pb, 5, 2, b);
	if (!pin_to_cpu(0)) {
		check_fail_at(__FILE__, __LINE__, "cannot run on CPU 0: %s", strerror(errno));
		return;
	}

	/* Its entry, twice there, then the words. */
	drop_n(r, &pa, 5);
	if (!read_current_words(r, &cur))
		goto out;
	CHECK(is_current(&cur, a), "a is not CPU 0's current source after 5 drops in a row");
	eq_at(HERE("a, 5 drops"), "drops in the words", cur.drops, 2);
	eq_at(HERE("a, 5 drops"), "drops", read_source(r, 6, a).drops, 5);

	/* b takes the words; a's go to its entry, which still holds it. */
	drop_n(r, &pb, 5);
	if (!read_current_words(r, &cur))
		goto out;
	CHECK(is_current(&cur, b), "b is not CPU 0's current source after 5 drops in a row");
	eq_at(HERE("after b"), "a's drops", read_source(r, 6, a).drops, 5);
	eq_at(HERE("after b"), "b's drops", read_source(r, 6, b).drops, 5);
	eq_at(HERE("after b"), "a's bytes", read_source(r, 6, a).bytes, 5ULL * pa.len);

	/*
	 * a again; then its entry goes to another source while its counts are in the words, as
	 * the program would give it (its counts, which would move to the table, left out here).
	 */
	drop_n(r, &pa, 4);
	if (!give_entry_away(r, a))
		goto out;
	if (!read_current_words(r, &cur))
		goto out;
	CHECK(is_current(&cur, a), "a is no longer current: the test proves nothing");
	eq_at(HERE("a's entry gone"), "a's drops: its words'", read_source(r, 6, a).drops, 2);

	/* b takes the words back; a's counts there go to the table. */
	drop_n(r, &pb, 3);
	eq_at(HERE("after b again"), "b's drops", read_source(r, 6, b).drops, 8);
	eq_at(HERE("after b again"), "a's drops", read_source(r, 6, a).drops, 2);
	memcpy(row.addr, a, 16);
	err = loader_lookup_source(&r->l, &row);
	if (err < 0)
		check_fail_at(__FILE__, __LINE__, "reading the source table: %s", strerror(-err));
	eq_at(HERE("after b again"), "a's drops in the table", row.drops, 2);
	eq_at(HERE("after b again"), "a's bytes in the table", row.bytes, 2ULL * pa.len);

	/* Words being written (an odd version) are skipped, not read as b's. */
	drop_n(r, &pb, 2);
	if (!read_current_words(r, &cur))
		goto out;
	cur.version++;
	if (!write_current_words(r, &cur))
		goto out;
	eq_at(HERE("odd version"), "b's drops, without its words", read_source(r, 6, b).drops,
	      10 - cur.drops);
	cur.version--;
	write_current_words(r, &cur);
	eq_at(HERE("even again"), "b's drops", read_source(r, 6, b).drops, 10);

	/* A clear: the words' counts are of before it, read as nothing and added nowhere. */
	loader_clear_sources(&r->l);
	eq_at(HERE("after a clear"), "b's drops", read_source(r, 6, b).drops, 0);
	drop_n(r, &pb, 1);
	eq_at(HERE("one drop since the clear"), "b's drops", read_source(r, 6, b).drops, 1);
out:
	unpin();
}

/* A current source with more drops than an entry holds: they move to the table whole. */
TEST(a_source_with_2_32_drops_in_its_cpus_words_moves_them_to_the_table_exactly)
{
	const __u64 many = (1ULL << 32) + 2;
	struct rig *r = &sources_rig;
	struct source_row row = { .family = 6 };
	struct tcpdrop_current cur;
	uint8_t c[16], d[16];
	struct pkt pc, pd;
	int err;

	if (!rig_ready(r))
		return;
	v6_source(&pc, 6, 1, c);
	v6_source(&pd, 6, 2, d);
	if (!pin_to_cpu(0)) {
		check_fail_at(__FILE__, __LINE__, "cannot run on CPU 0: %s", strerror(errno));
		return;
	}
	drop_n(r, &pc, 3);	/* its entry's 3, and now the words */
	/* Written as the program would have, after 2^32 + 2 drops of 74 bytes there. */
	if (!read_current_words(r, &cur))
		goto out;
	if (!is_current(&cur, c)) {
		check_fail_at(__FILE__, __LINE__, "c is not current after 3 drops in a row");
		goto out;
	}
	cur.drops = many;
	cur.bytes = many * pc.len;
	if (!write_current_words(r, &cur))
		goto out;
	eq_at(HERE("in the words"), "drops", read_source(r, 6, c).drops, many + 3);
	drop_n(r, &pd, 3);	/* d becomes current */
	eq_at(HERE("moved"), "drops", read_source(r, 6, c).drops, many + 3);
	eq_at(HERE("moved"), "bytes", read_source(r, 6, c).bytes, (many + 3) * pc.len);
	memcpy(row.addr, c, 16);
	err = loader_lookup_source(&r->l, &row);
	if (err < 0)
		check_fail_at(__FILE__, __LINE__, "reading the source table: %s", strerror(-err));
	eq_at(HERE("moved to the table"), "drops", row.drops, many);
out:
	unpin();
}

/* A source 2^31 drops in one entry: its counts move to the table whole, none added or lost. */
TEST(a_source_near_2_31_drops_in_its_entry_moves_to_the_table_exactly)
{
	struct rig *r = &sources_rig;
	struct tcpdrop_recent_set set;
	struct source_row row = { .family = 6 };
	struct tcpdrop_source s;
	uint8_t addr[16];
	uint64_t a0, a1;
	uint32_t idx;
	struct pkt p;
	int err;

	if (!rig_ready(r) || !pin_to_cpu(0))
		return;
	v6_source(&p, 4, 7, addr);
	drop_n(r, &p, 1);	/* its entry, on CPU 0 */
	/* Written as the program would have, after 2^31 - 1 drops of 74 bytes. */
	idx = recent_set_of(addr);
	memcpy(&a0, addr, 8);
	memcpy(&a1, addr + 8, 8);
	if (bpf_map_lookup_elem(bpf_map__fd(r->l.skel->maps.recent), &idx, &set)) {
		check_fail_at(__FILE__, __LINE__, "reading the set: %s", strerror(errno));
		unpin();
		return;
	}
	for (int w = 0; w < TCPDROP_RECENT_WAYS; w++)
		if (set.key[w].addr[0] == a0 && set.key[w].addr[1] == a1) {
			set.meta[w].drops = (1u << 31) - 1;
			set.meta[w].bytes = ((1ULL << 31) - 1) * p.len;
		}
	if (bpf_map_update_elem(bpf_map__fd(r->l.skel->maps.recent), &idx, &set, BPF_ANY))
		check_fail_at(__FILE__, __LINE__, "writing the set: %s", strerror(errno));
	drop_n(r, &p, 3);
	unpin();
	s = read_source(r, 6, addr);
	eq_at(HERE(""), "drops", s.drops, (1ULL << 31) + 2);
	eq_at(HERE(""), "bytes", s.bytes, ((1ULL << 31) + 2) * p.len);
	/* This source's own row of the table: other tests leave rows of theirs there. */
	memcpy(row.addr, addr, 16);
	err = loader_lookup_source(&r->l, &row);
	if (err < 0)
		check_fail_at(__FILE__, __LINE__, "reading the source table: %s", strerror(-err));
	eq_at(HERE("moved to the table"), "drops", row.drops, 1ULL << 31);
}

/* The default rate's bucket holds a second of it: a burst of 200 SYNs is logged whole. */
TEST(event_rate_default_logs_a_burst_of_200_whole)
{
	struct want w = want_v4(V4(198, 51, 100, 9), V4_DST, WATCHED, TCPDROP_TCP_SYN);
	struct pkt p;

	if (!rig_ready(&default_rate_rig))
		return;
	v4_from(&p, V4(198, 51, 100, 9), WATCHED, &w);
	eq_at(HERE(""), "events for 200 drops at once", drop_n(&default_rate_rig, &p, 200), 200);
}

/*
 * One bucket for all CPUs: a flow on one CPU gets the whole rate, and two CPUs together no
 * more than it. The refill is the one loader_tick() gives for a second, made here.
 */
TEST(event_rate_is_the_whole_rate_on_one_cpu_and_no_more_on_two)
{
	struct rig *r = &rate_rig;
	struct want w;
	struct pkt p;
	int events;

	if (!rig_ready(r))
		return;
	v4_from(&p, V4(198, 51, 100, 10), WATCHED, &w);
	if (!pin_to_cpu(0))
		return;
	drop_n(r, &p, 3000);	/* whatever was left in the bucket, spent */
	loader_refill_events(&r->l, 1000000000ULL);
	eq_at(HERE("one CPU, a second"), "events", drop_n(r, &p, 2000), 1000);
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2 || !pin_to_cpu(1)) {
		unpin();
		return;
	}
	loader_refill_events(&r->l, 1000000000ULL);
	events = drop_n(r, &p, 700);
	pin_to_cpu(0);
	events += drop_n(r, &p, 700);
	unpin();
	eq_at(HERE("two CPUs, a second"), "events", events, 1000);
}

/* A frame of Ethernet, IPv4, TCP with 12 option bytes and payload bytes 0, 1, 2, ... */
static void v4_tcp_payload(struct pkt *p, size_t payload)
{
	size_t off;

	pkt_init(p);
	pkt_eth(p, PKT_ETH_IPV4);
	pkt_ipv4(p, PKT_IP_TCP, V4_SRC, V4_DST, 0);
	pkt_tcp(p, SPORT, WATCHED, TCPDROP_TCP_SYN, 12);
	off = pkt_grow(p, payload);
	for (size_t i = 0; i < payload; i++)
		p->buf[off + i] = (uint8_t)i;
	pkt_done(p);
}

/* The frame dropped on rig r: one event whose caplen and bytes are the frame's first ones. */
static void expect_capture_at(struct site s, struct rig *r, const struct pkt *p,
			      const struct want *w)
{
	size_t want = p->len < r->capture ? p->len : r->capture;

	expect_drop(s, r, p->buf, p->len, w);
	if (r->nev != 1)
		return;
	eq_at(s, "caplen", r->ev[0].caplen, want);
	bytes_eq_at(s, "captured bytes", r->tail[0], p->buf, want);
	/* bytes_eq_at shows the first 64 only: say where they differ past that. */
	for (size_t i = 0; i < want; i++)
		if (r->tail[0][i] != p->buf[i]) {
			check_fail_at(s.file, s.line, "%s: captured byte %zu is %02x, want %02x",
				      s.ctx, i, r->tail[0][i], p->buf[i]);
			break;
		}
}

TEST(capture_carries_the_frames_first_snaplen_bytes_after_the_event)
{
	struct want w = want_v4(V4_SRC, V4_DST, WATCHED, TCPDROP_TCP_SYN);
	struct pkt p;

	if (!rig_ready(&capture_rig) || !rig_ready(&capture_short_rig))
		return;
	v4_tcp_payload(&p, 400);	/* 466 bytes: longer than both snaplens */
	expect_capture_at(HERE("snaplen 128"), &capture_rig, &p, &w);
	expect_capture_at(HERE("snaplen 60"), &capture_short_rig, &p, &w);
}

TEST(capture_of_a_frame_shorter_than_snaplen_is_the_whole_frame)
{
	struct want w4 = want_v4(V4_SRC, V4_DST, WATCHED, TCPDROP_TCP_SYN);
	struct want w6 = want_v6(v6_src, v6_dst, WATCHED, TCPDROP_TCP_ACK);
	struct pkt p;

	if (!rig_ready(&capture_rig) || !rig_ready(&capture_max_rig))
		return;
	v4_tcp(&p, WATCHED, TCPDROP_TCP_SYN);	/* 54 bytes */
	expect_capture_at(HERE("54 bytes, snaplen 128"), &capture_rig, &p, &w4);
	v6_tcp(&p, WATCHED, TCPDROP_TCP_ACK);	/* 74 bytes */
	expect_capture_at(HERE("IPv6, 74 bytes, snaplen 128"), &capture_rig, &p, &w6);
	v4_tcp_payload(&p, 1900);		/* 1966 bytes, all of them */
	expect_capture_at(HERE("1966 bytes, snaplen 4096"), &capture_max_rig, &p, &w4);
}

TEST(capture_keeps_vlan_tags_and_starts_at_the_ip_header_on_raw_ip_devices)
{
	struct want w = want_v4(V4_SRC, V4_DST, WATCHED, TCPDROP_TCP_SYN);
	struct pkt p;

	if (!rig_ready(&capture_rig) || !rig_ready(&capture_raw_rig))
		return;
	pkt_init(&p);
	pkt_eth(&p, PKT_ETH_8021AD);
	pkt_vlan(&p, 100, PKT_ETH_8021Q);
	pkt_vlan(&p, 200, PKT_ETH_IPV4);
	pkt_ipv4(&p, PKT_IP_TCP, V4_SRC, V4_DST, 0);
	pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 40);
	pkt_done(&p);
	w.vlan = 100;
	expect_capture_at(HERE("802.1ad + 802.1Q"), &capture_rig, &p, &w);

	pkt_init(&p);
	pkt_ipv4(&p, PKT_IP_TCP, V4_SRC, V4_DST, 0);
	pkt_tcp(&p, SPORT, WATCHED, TCPDROP_TCP_SYN, 0);
	pkt_done(&p);
	w.vlan = 0;
	expect_capture_at(HERE("raw IPv4"), &capture_raw_rig, &p, &w);
}

TEST(capture_gives_each_drop_of_a_run_its_own_record)
{
	struct rig *r = &capture_short_rig;
	__u64 before[TCPDROP_NR_COUNTERS], after[TCPDROP_NR_COUNTERS];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .repeat = 3);
	struct pkt p;

	if (!rig_ready(r))
		return;
	/* Three drops in one run: three records, each with its own copy of the frame. */
	v4_tcp_payload(&p, 10);
	opts.data_in = p.buf;
	opts.data_size_in = p.len;
	read_counters(r, before);
	CHECK(!bpf_prog_test_run_opts(r->l.prog_fd, &opts), "test_run: %s", strerror(errno));
	read_counters(r, after);
	eq_at(HERE(""), "dropped", after[TCPDROP_DROPPED] - before[TCPDROP_DROPPED], 3);
	if (!eq_at(HERE(""), "records", drain(r), 3))
		return;
	for (int i = 0; i < 3; i++) {
		eq_at(HERE(""), "caplen", r->ev[i].caplen, 60);
		bytes_eq_at(HERE(""), "captured bytes", r->tail[i], p.buf, 60);
	}
}

TEST(counters_add_up_passed_plus_dropped_to_seen)
{
	struct rig *rigs[] = { &main_rig, &dry_rig, &tiny_rig };
	__u64 c[TCPDROP_NR_COUNTERS];
	size_t i;

	for (i = 0; i < sizeof(rigs) / sizeof(rigs[0]); i++) {
		if (!rig_ready(rigs[i]))
			return;
		read_counters(rigs[i], c);
		CHECK(c[TCPDROP_SEEN_PACKETS] > 0, "%s: nothing seen", rigs[i]->name);
		eq_at(HERE(rigs[i]->name), "passed + dropped", c[TCPDROP_PASSED] +
		      c[TCPDROP_DROPPED], c[TCPDROP_SEEN_PACKETS]);
		CHECK(c[TCPDROP_DROPPED_BYTES] <= c[TCPDROP_SEEN_BYTES], "%s: dropped bytes > seen",
		      rigs[i]->name);
	}
}

int main(void)
{
	rig_open(&main_rig);
	rig_open(&dry_rig);
	rig_open(&tiny_rig);
	rig_open(&raw_rig);
	rig_open(&except_rig);
	rig_open(&except_all_v4_rig);
	rig_open(&except_mapped_rig);
	rig_open(&no_events_rig);
	rig_open(&rate_rig);
	rig_open(&default_rate_rig);
	rig_open(&sources_rig);
	rig_open(&capture_rig);
	rig_open(&capture_short_rig);
	rig_open(&capture_max_rig);
	rig_open(&capture_raw_rig);

	RUN(ipv4_tcp_to_watched_port_is_dropped_with_event);
	RUN(ipv4_tcp_to_other_ports_passes);
	RUN(ipv6_tcp_to_watched_port_is_dropped_with_event);
	RUN(ipv6_tcp_to_other_ports_passes);
	RUN(vlan_8021q_tcp_to_watched_port_is_dropped_with_vlan_id);
	RUN(qinq_tcp_to_watched_port_is_dropped_with_outer_vlan_id);
	RUN(three_vlan_tags_pass_unparsed_and_not_malformed);
	RUN(ipv4_with_options_to_watched_port_is_dropped);
	RUN(ipv6_single_extension_header_to_watched_port_is_dropped);
	RUN(ipv6_chained_extension_headers_to_watched_port_are_dropped);
	RUN(ipv6_eight_extension_headers_then_tcp_is_dropped);
	RUN(ipv6_nine_extension_headers_pass_unparsed_and_not_malformed);
	RUN(ipv4_first_fragment_to_watched_port_is_dropped);
	RUN(ipv4_tiny_first_fragment_to_watched_port_is_dropped_on_its_ports);
	RUN(ipv4_later_fragment_looking_like_tcp_to_watched_port_passes_not_malformed);
	RUN(ipv6_later_fragment_looking_like_tcp_to_watched_port_passes_not_malformed);
	RUN(non_tcp_traffic_passes_and_is_not_malformed);
	RUN(truncated_ipv4_frame_passes_as_malformed_at_every_cut_inside_headers);
	RUN(truncated_vlan_frame_passes_as_malformed_at_every_cut_inside_headers);
	RUN(truncated_ipv6_extension_frame_passes_as_malformed_at_every_cut_inside_headers);
	RUN(ipv4_ihl_below_5_is_malformed_and_passes);
	RUN(ipv4_version_not_4_under_ipv4_ethertype_is_malformed_and_passes);
	RUN(ipv6_version_not_6_under_ipv6_ethertype_is_malformed_and_passes);
	RUN(tcp_doff_below_5_is_malformed_and_passes);
	RUN(tcp_doff_beyond_packet_end_is_malformed_and_passes);
	RUN(dry_run_match_passes_counted_as_dropped_with_would_drop_event);
	RUN(dry_run_non_match_and_malformed_pass_as_usual);
	RUN(port_set_changes_at_run_time_without_reload);
	RUN(ports_0_and_65535_can_be_watched);
	RUN(tcp_flags_byte_is_copied_exactly);
	RUN(per_source_table_keeps_ipv4_and_ipv6_apart);
	RUN(per_source_table_sums_drops_and_bytes_of_one_source);
	RUN(drops_per_port_are_exact_on_every_cpu);
	RUN(full_ring_counts_lost_events_and_still_drops);
	RUN(raw_ip_device_drops_ipv4_and_ipv6_to_watched_port_with_events);
	RUN(raw_ip_device_passes_other_ports_and_other_versions);
	RUN(except_passes_ipv4_sources_in_a_prefix_by_longest_match);
	RUN(except_passes_ipv6_sources_in_a_prefix_and_a_host_route);
	RUN(except_zero_length_prefix_passes_its_whole_family_only);
	RUN(except_ipv4_mapped_prefixes_pass_the_ipv4_sources);
	RUN(event_rate_zero_drops_and_counts_every_packet_without_events);
	RUN(event_rate_sends_some_events_and_counts_the_rest_as_throttled);
	RUN(event_rate_default_logs_a_burst_of_200_whole);
	RUN(event_rate_is_the_whole_rate_on_one_cpu_and_no_more_on_two);
	RUN(repeated_sources_keep_exact_counts_through_a_spoofed_flood);
	RUN(sources_moved_to_the_table_keep_exact_counts);
	RUN(a_source_in_a_run_is_counted_in_its_cpus_current_words_exactly);
	RUN(a_source_with_2_32_drops_in_its_cpus_words_moves_them_to_the_table_exactly);
	RUN(a_source_near_2_31_drops_in_its_entry_moves_to_the_table_exactly);
	RUN(capture_carries_the_frames_first_snaplen_bytes_after_the_event);
	RUN(capture_of_a_frame_shorter_than_snaplen_is_the_whole_frame);
	RUN(capture_keeps_vlan_tags_and_starts_at_the_ip_header_on_raw_ip_devices);
	RUN(capture_gives_each_drop_of_a_run_its_own_record);
	RUN(counters_add_up_passed_plus_dropped_to_seen);

	rig_close(&main_rig);
	rig_close(&dry_rig);
	rig_close(&tiny_rig);
	rig_close(&raw_rig);
	rig_close(&except_rig);
	rig_close(&except_all_v4_rig);
	rig_close(&except_mapped_rig);
	rig_close(&no_events_rig);
	rig_close(&rate_rig);
	rig_close(&default_rate_rig);
	rig_close(&sources_rig);
	rig_close(&capture_rig);
	rig_close(&capture_short_rig);
	rig_close(&capture_max_rig);
	rig_close(&capture_raw_rig);
	return check_failures ? 1 : 0;
}
