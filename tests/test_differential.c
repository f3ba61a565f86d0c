// SPDX-License-Identifier: GPL-2.0
/*
 * Differential test: well over 100,000 seeded random frames (valid, odd, broken, truncated)
 * through the real XDP program with BPF_PROG_TEST_RUN, each compared with the reference
 * classifier in refclass.h: verdict, every counter delta and, for a drop, the event.
 *
 * The seed is fixed unless TCPDROP_TEST_SEED=N says otherwise; each packet is generated from
 * (seed, case, index) alone, so a mismatch line is enough to rebuild its packet. Needs root;
 * without it every case skips (fails under CI=true).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
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
#include "tui/kernel/loader.h"

#include "check.h"
#include "refclass.h"
#include "runts.h"

#define DEFAULT_SEED		20250601ull
/* Past a full Ethernet frame, yet well inside the one page BPF_PROG_TEST_RUN copies in. */
#define FRAME_MAX		1600
#define MAX_MISMATCHES		10
/* BPF_PROG_TEST_RUN hands XDP the rx queue 0 of the netns loopback device, ifindex 1. */
#define TEST_RUN_IFINDEX	1
#define TEST_RUN_RX_QUEUE	0

#define N_RANDOM		200000
#define N_TRUNCATED		30000
#define N_IPV6_CHAINS		20000
#define N_RANDOM_BYTES		10000

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* Both ends of the port range, and a run of neighbours inside one bitmap word (8064..8127). */
static const uint16_t watched_ports[] = {
	4040, 0, 65535, 8080, 8081, 8082, 8083, 8084, 8085, 8086, 8087, 8088, 8089, 8090,
};
static bool watched[65536];

static uint64_t seed;

/* The loaded program, its ring reader and the last counter sums. */
static struct {
	struct loader l;
	int err;			/* why it did not load; 0 once loaded */
	__u64 last[TCPDROP_NR_COUNTERS];
	struct tcpdrop_event ev;	/* the first event of the last drain */
	int nev;
	int bad_size;
} rig;

/* What the whole run did, for the last two cases. */
static struct {
	unsigned long packets, rejected, dropped, malformed;
	unsigned long long bytes;
	unsigned long why[WHY_COUNT];
} total;

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* --- random numbers: splitmix64 to seed, xorshift64* to draw --- */

struct rng {
	uint64_t s;
};

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* One stream per packet: a mismatch needs only (seed, case, index) to be rebuilt. */
static void rng_for(struct rng *r, uint32_t stream, uint32_t index)
{
	r->s = splitmix64(splitmix64(seed) ^ ((uint64_t)stream << 32 | index)) | 1;
}

static uint64_t rnd(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

static uint32_t below(struct rng *r, uint32_t n)
{
	return (uint32_t)((rnd(r) >> 32) % n);
}

static bool chance(struct rng *r, uint32_t percent)
{
	return below(r, 100) < percent;
}

static uint32_t between(struct rng *r, uint32_t lo, uint32_t hi)
{
	return lo + below(r, hi - lo + 1);
}

/* --- frames --- */

struct frame {
	uint8_t b[FRAME_MAX];
	size_t len;
	size_t hdr_end;		/* end of the last header the program may read: cuts up to here */
	size_t ip;		/* IP header offset, to fill its length field in last */
	int family;		/* 4, 6 or 0 */
};

/* Bytes past FRAME_MAX are silently cut: one more truncation the reference must follow. */
static void put8(struct frame *f, uint8_t v)
{
	if (f->len < FRAME_MAX)
		f->b[f->len++] = v;
}

static void put16(struct frame *f, uint16_t v)
{
	put8(f, v >> 8);
	put8(f, v & 0xff);
}

static void put_random(struct frame *f, struct rng *r, size_t n)
{
	while (n--)
		put8(f, (uint8_t)rnd(r));
}

static uint16_t pick_ethertype(struct rng *r)
{
	static const uint16_t others[] = { 0x0806, 0x88cc, 0x8847, 0x8035, 0x88e5, 0x0000, 0x05dc,
					   0x0801, 0x86de, 0x0008, 0xdd86 };
	uint32_t p = below(r, 100);

	if (p < 45)
		return 0x0800;
	if (p < 88)
		return 0x86dd;
	if (p < 96)
		return others[below(r, ARRAY_SIZE(others))];
	return (uint16_t)rnd(r);
}

/* Weighted towards TCP, so most frames get as far as the port match. */
static uint8_t pick_proto(struct rng *r, int family)
{
	uint32_t p = below(r, 100);

	if (p < 72)
		return 6;
	if (p < 82)
		return 17;
	if (p < 88)
		return family == 6 ? 58 : 1;
	if (p < 91)
		return family == 6 ? 59 : 47;
	return (uint8_t)rnd(r);
}

/* Half hit the watched set, some land next to it (same bitmap word), the rest anywhere. */
static uint16_t pick_dport(struct rng *r)
{
	uint16_t w = watched_ports[below(r, ARRAY_SIZE(watched_ports))];
	uint32_t p = below(r, 100);

	if (p < 48)
		return w;
	if (p < 56)
		return (uint16_t)(w + (chance(r, 50) ? 1 : -1));
	if (p < 64)
		return (uint16_t)((w & ~63u) | below(r, 64));
	return (uint16_t)rnd(r);
}

static void put_eth(struct frame *f, struct rng *r, unsigned int tags, uint16_t type)
{
	unsigned int i;

	put_random(f, r, 12);
	for (i = 0; i < tags; i++) {
		put16(f, chance(r, 50) ? 0x8100 : 0x88a8);
		put16(f, (uint16_t)rnd(r));	/* PCP, DEI and VID all random */
	}
	put16(f, type);
}

static unsigned int pick_tags(struct rng *r)
{
	uint32_t p = below(r, 100);

	return p < 46 ? 0 : p < 68 ? 1 : p < 91 ? 2 : p < 97 ? 3 : 4;
}

/* Returns the protocol field written. */
static uint8_t put_ipv4(struct frame *f, struct rng *r)
{
	uint8_t version = chance(r, 92) ? 4 : (uint8_t)below(r, 16);
	uint32_t p = below(r, 100);
	uint8_t ihl = p < 62 ? 5 : p < 90 ? (uint8_t)between(r, 6, 15) : (uint8_t)below(r, 5);
	uint8_t proto = pick_proto(r, 4);
	uint16_t frag;

	p = below(r, 100);
	if (p < 60)
		frag = chance(r, 50) ? 0x4000 : 0;	/* DF or nothing */
	else if (p < 72)
		frag = 0x2000;				/* first fragment: MF, offset 0 */
	else if (p < 84)
		frag = (uint16_t)(between(r, 1, 0x1fff) | (chance(r, 50) ? 0x2000 : 0));
	else
		frag = (uint16_t)rnd(r);		/* reserved bit too */

	f->ip = f->len;
	put8(f, (uint8_t)(version << 4 | ihl));
	put8(f, (uint8_t)rnd(r));		/* DSCP, ECN */
	put16(f, 0);				/* total length: filled in last */
	put16(f, (uint16_t)rnd(r));		/* id */
	put16(f, frag);
	put8(f, (uint8_t)rnd(r));		/* TTL */
	put8(f, proto);
	put_random(f, r, 2 + 4 + 4);		/* checksum, addresses */
	if (ihl > 5)
		put_random(f, r, (ihl - 5) * 4u);
	return proto;
}

static uint8_t pick_ext(struct rng *r)
{
	static const uint8_t ext[] = { 0, 43, 60, 44 };

	return ext[below(r, ARRAY_SIZE(ext))];
}

static unsigned int pick_ext_count(struct rng *r, bool chains)
{
	if (!chains)
		return chance(r, 60) ? 0 : between(r, 1, 10);
	/* Around the limit of 8 most of all. */
	return chance(r, 50) ? between(r, 6, 10) : below(r, 11);
}

/* The IPv6 header and its extension chain; returns the protocol after the chain. */
static uint8_t put_ipv6(struct frame *f, struct rng *r, bool chains)
{
	uint8_t version = chance(r, 93) ? 6 : (uint8_t)below(r, 16);
	unsigned int n = pick_ext_count(r, chains), i;
	uint8_t proto = pick_proto(r, 6);
	uint8_t next = n ? pick_ext(r) : proto;

	f->ip = f->len;
	put8(f, (uint8_t)(version << 4 | below(r, 16)));
	put_random(f, r, 3);			/* traffic class, flow label */
	put16(f, 0);				/* payload length: filled in last */
	put8(f, next);
	put8(f, (uint8_t)rnd(r));		/* hop limit */
	put_random(f, r, 32);

	for (i = 0; i < n; i++) {
		uint8_t cur = next;
		uint32_t p = below(r, 100);

		next = i + 1 < n ? pick_ext(r) : proto;
		put8(f, next);
		if (cur == 44) {
			uint16_t off;

			if (p < 70)
				off = (uint16_t)below(r, 8);	/* offset 0, M and reserved bits */
			else
				off = (uint16_t)rnd(r);
			put8(f, (uint8_t)rnd(r));	/* reserved */
			put16(f, off);
			put_random(f, r, 4);		/* identification */
		} else {
			uint8_t hdrlen;

			if (p < 80)
				hdrlen = (uint8_t)below(r, 4);
			else if (p < 95)
				hdrlen = (uint8_t)between(r, 4, 24);
			else
				hdrlen = (uint8_t)rnd(r);	/* often past the frame end */
			put8(f, hdrlen);
			put_random(f, r, (hdrlen + 1u) * 8 - 2);
		}
	}
	return proto;
}

static void put_tcp(struct frame *f, struct rng *r)
{
	uint32_t p = below(r, 100);
	uint8_t doff = p < 70 ? 5 : p < 92 ? (uint8_t)between(r, 6, 15) : (uint8_t)below(r, 5);

	put16(f, (uint16_t)rnd(r));
	put16(f, pick_dport(r));
	put_random(f, r, 8);			/* sequence, acknowledgement */
	put8(f, (uint8_t)(doff << 4 | below(r, 16)));
	put8(f, (uint8_t)rnd(r));		/* flags: any byte */
	put_random(f, r, 6);			/* window, checksum, urgent pointer */
	if (doff > 5)
		put_random(f, r, (doff - 5) * 4u);
}

/* Real-looking lengths most of the time; the program must not care either way. */
static void fill_ip_length(struct frame *f, struct rng *r)
{
	size_t at = f->family == 4 ? f->ip + 2 : f->ip + 4;
	size_t v = f->family == 4 ? f->len - f->ip : f->len - f->ip - 40;
	uint16_t n = chance(r, 90) ? (uint16_t)v : (uint16_t)rnd(r);

	if (f->family && at + 2 <= f->len) {
		f->b[at] = n >> 8;
		f->b[at + 1] = n & 0xff;
	}
}

/* A frame as on the wire, valid or not; chains asks for IPv6 with long extension chains. */
static void gen_structured(struct frame *f, struct rng *r, bool chains)
{
	uint16_t type = chains ? 0x86dd : pick_ethertype(r);
	uint8_t proto = 0;

	memset(f, 0, sizeof(*f));
	put_eth(f, r, pick_tags(r), type);
	if (type == 0x0800) {
		f->family = 4;
		proto = put_ipv4(f, r);
	} else if (type == 0x86dd) {
		f->family = 6;
		proto = put_ipv6(f, r, chains);
	}
	if (f->family && proto == 6)
		put_tcp(f, r);
	f->hdr_end = f->len;
	if (chance(r, 50))
		put_random(f, r, below(r, 80));
	fill_ip_length(f, r);

	/* Odd ones: a header byte flipped or replaced. */
	if (chance(r, 8) && f->hdr_end) {
		size_t at = below(r, (uint32_t)f->hdr_end);

		if (chance(r, 50))
			f->b[at] ^= (uint8_t)(1u << below(r, 8));
		else
			f->b[at] = (uint8_t)rnd(r);
	}
}

/* Random bytes, sometimes behind a plausible EtherType and IP version nibble. */
static void gen_random_bytes(struct frame *f, struct rng *r)
{
	static const uint16_t types[] = { 0x0800, 0x86dd, 0x8100, 0x88a8 };
	size_t n = below(r, 100) < 15 ? below(r, 14) : between(r, 14, 200);

	memset(f, 0, sizeof(*f));
	put_random(f, r, n);
	if (n >= 16 && chance(r, 60)) {
		uint16_t type = types[below(r, ARRAY_SIZE(types))];
		size_t at = 14;

		f->b[12] = type >> 8;
		f->b[13] = type & 0xff;
		if (type == 0x8100 || type == 0x88a8) {
			f->b[16] = chance(r, 50) ? 0x08 : 0x86;
			f->b[17] = f->b[16] == 0x08 ? 0x00 : 0xdd;
			type = f->b[16] == 0x08 ? 0x0800 : 0x86dd;
			at = 18;
		}
		if (at < n && chance(r, 70))
			f->b[at] = (uint8_t)((type == 0x0800 ? 0x40 : 0x60) | (f->b[at] & 0x0f));
	}
	f->hdr_end = f->len;
}

/* --- the program --- */

static int on_event(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size != sizeof(struct tcpdrop_event))
		rig.bad_size++;
	else if (rig.nev == 0)
		memcpy(&rig.ev, data, sizeof(rig.ev));
	rig.nev++;
	return 0;
}

static int read_counters(__u64 sum[TCPDROP_NR_COUNTERS])
{
	struct counter_values vals;
	int err = loader_read_counters(&rig.l, &vals);

	if (!err)
		memcpy(sum, vals.v, sizeof(vals.v));
	return err;
}

static void rig_close(void)
{
	loader_stop(&rig.l);
}

/* Loads the program with the watched set, as the tool does. */
static void rig_open(void)
{
	static struct port_set ports;
	struct loader_config cfg = { .ports = &ports, .on_event = on_event };
	struct error e = {};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(watched_ports); i++) {
		watched[watched_ports[i]] = true;
		ports_add(&ports, watched_ports[i]);
	}
	rig.err = loader_load(&rig.l, &cfg, &e);
	if (!rig.err)
		rig.err = read_counters(rig.last);
	ref_runts_run = test_run_runs_runts();
	if (rig.err && rig.err != -EPERM)
		fprintf(stderr, "# %s\n", e.msg);
}

static bool rig_ready(void)
{
	if (rig.l.skel)
		return true;
	/* Only EPERM means no privilege; a verifier rejection (EACCES, EINVAL) is a failure. */
	if (rig.err == -EPERM)
		check_skip("needs root and BPF: %s", strerror(-rig.err));
	else
		check_fail_at(__FILE__, __LINE__, "skeleton did not load: %s (libbpf says why)",
			      strerror(-rig.err));
	return false;
}

/* --- one packet, both ways --- */

/* One case's progress. */
struct run {
	const char *name;
	unsigned long packets, rejected, dropped, malformed;
	int mismatches;
	__u64 t0;
};

static const char *verdict_name(enum ref_verdict v)
{
	return v == REF_DROP ? "XDP_DROP" : v == REF_PASS ? "XDP_PASS" : "-EINVAL";
}

static void print_hex(const uint8_t *b, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char line[2 * FRAME_MAX + 1];
	size_t i;

	for (i = 0; i < len; i++) {
		line[2 * i] = digits[b[i] >> 4];
		line[2 * i + 1] = digits[b[i] & 15];
	}
	line[2 * len] = '\0';
	printf("#   packet (%zu bytes): %s\n", len, line);
}

/* Appends one difference to the mismatch description. */
__attribute__((format(printf, 3, 4)))
static void diff(char *buf, size_t size, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 3 >= size)
		return;
	if (used) {
		strcpy(buf + used, "; ");
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(buf + used, size - used, fmt, ap);
	va_end(ap);
}

static void diff_u64(char *buf, size_t size, const char *what, unsigned long long got,
		     unsigned long long want)
{
	if (got != want)
		diff(buf, size, "%s %llu, want %llu", what, got, want);
}

static void diff_addr(char *buf, size_t size, const char *what, const uint8_t *got,
		      const uint8_t *want)
{
	char g[33], w[33];
	int i;

	if (!memcmp(got, want, 16))
		return;
	for (i = 0; i < 16; i++) {
		sprintf(g + 2 * i, "%02x", got[i]);
		sprintf(w + 2 * i, "%02x", want[i]);
	}
	diff(buf, size, "%s %s, want %s", what, g, w);
}

static void diff_event(char *buf, size_t size, const struct tcpdrop_event *e,
		       const struct ref_result *ref, size_t len, __u64 t0, __u64 t1)
{
	struct tcpdrop_event want;

	if (e->timestamp_ns < t0 || e->timestamp_ns > t1)
		diff(buf, size, "event time %llu outside the run [%llu, %llu]",
		     (unsigned long long)e->timestamp_ns, (unsigned long long)t0,
		     (unsigned long long)t1);
	diff_u64(buf, size, "event family", e->family, ref->family);
	diff_addr(buf, size, "event saddr", e->saddr, ref->saddr);
	diff_addr(buf, size, "event daddr", e->daddr, ref->daddr);
	diff_u64(buf, size, "event sport", e->sport, ref->sport);
	diff_u64(buf, size, "event dport", e->dport, ref->dport);
	diff_u64(buf, size, "event tcp_flags", e->tcp_flags, ref->flags);
	diff_u64(buf, size, "event vlan", e->vlan, ref->vlan);
	diff_u64(buf, size, "event len", e->len, len);
	diff_u64(buf, size, "event action", e->action, TCPDROP_ACTION_DROP);
	diff_u64(buf, size, "event ifindex", e->ifindex, TEST_RUN_IFINDEX);
	diff_u64(buf, size, "event rx_queue", e->rx_queue, TEST_RUN_RX_QUEUE);

	/* Then every byte at once: nothing else, padding included, may leak into the ring. */
	memset(&want, 0, sizeof(want));
	want.timestamp_ns = e->timestamp_ns;
	memcpy(want.saddr, ref->saddr, 16);
	memcpy(want.daddr, ref->daddr, 16);
	want.ifindex = TEST_RUN_IFINDEX;
	want.rx_queue = TEST_RUN_RX_QUEUE;
	want.len = (__u32)len;
	want.sport = ref->sport;
	want.dport = ref->dport;
	want.vlan = ref->vlan;
	want.family = ref->family;
	want.tcp_flags = ref->flags;
	want.action = TCPDROP_ACTION_DROP;
	if (memcmp(e, &want, sizeof(want)))
		diff(buf, size, "event bytes differ");
}

/*
 * Runs one frame through the program and the reference and compares everything: verdict,
 * every counter delta, the event. Returns false once the case should stop.
 */
static bool check_frame(struct run *run, uint32_t index, const char *where, const uint8_t *pkt,
			size_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = (__u32)len,
		    .repeat = 1);
	struct ref_result ref = ref_classify(pkt, len, watched);
	__u64 now[TCPDROP_NR_COUNTERS], d[TCPDROP_NR_COUNTERS], t0, t1;
	bool drop = ref.verdict == REF_DROP, ran = ref.verdict != REF_REJECTED;
	enum ref_verdict got;
	char diffs[1024] = "";
	int err, i;

	t0 = now_ns();
	err = bpf_prog_test_run_opts(rig.l.prog_fd, &opts);
	t1 = now_ns();
	if (read_counters(now)) {
		check_fail_at(__FILE__, __LINE__, "counters lookup failed");
		return false;
	}
	for (i = 0; i < TCPDROP_NR_COUNTERS; i++)
		d[i] = now[i] - rig.last[i];
	memcpy(rig.last, now, sizeof(now));
	/* Reading the ring is plain memory, no system call: cheap enough for every packet. */
	rig.nev = 0;
	rig.bad_size = 0;
	if (loader_drain(&rig.l) < 0)
		diff(diffs, sizeof(diffs), "draining the ring failed");

	run->packets++;
	total.packets++;
	total.why[ref.why]++;
	if (ref.verdict == REF_REJECTED)
		run->rejected++, total.rejected++;
	if (drop)
		run->dropped++, total.dropped++;
	if (ref.malformed)
		run->malformed++, total.malformed++;
	if (ran)
		total.bytes += len;

	if (err == -EINVAL && !ran)
		got = REF_REJECTED;
	else if (err)
		got = REF_REJECTED, diff(diffs, sizeof(diffs), "test_run: %s", strerror(-err));
	else if (opts.retval == XDP_DROP)
		got = REF_DROP;
	else if (opts.retval == XDP_PASS)
		got = REF_PASS;
	else
		got = REF_PASS, diff(diffs, sizeof(diffs), "retval %u", opts.retval);
	if (got != ref.verdict)
		diff(diffs, sizeof(diffs), "verdict %s, want %s", verdict_name(got),
		     verdict_name(ref.verdict));
	diff_u64(diffs, sizeof(diffs), "malformed", d[TCPDROP_MALFORMED], ref.malformed);
	diff_u64(diffs, sizeof(diffs), "seen", d[TCPDROP_SEEN_PACKETS], ran);
	diff_u64(diffs, sizeof(diffs), "seen bytes", d[TCPDROP_SEEN_BYTES], ran ? len : 0);
	diff_u64(diffs, sizeof(diffs), "passed", d[TCPDROP_PASSED], ref.verdict == REF_PASS);
	diff_u64(diffs, sizeof(diffs), "dropped", d[TCPDROP_DROPPED], drop);
	diff_u64(diffs, sizeof(diffs), "dropped bytes", d[TCPDROP_DROPPED_BYTES], drop ? len : 0);
	diff_u64(diffs, sizeof(diffs), "events lost", d[TCPDROP_EVENTS_LOST], 0);
	diff_u64(diffs, sizeof(diffs), "events", rig.nev, drop);
	if (rig.bad_size)
		diff(diffs, sizeof(diffs), "%d events of the wrong size", rig.bad_size);
	if (drop && rig.nev >= 1 && !rig.bad_size)
		diff_event(diffs, sizeof(diffs), &rig.ev, &ref, len, t0, t1);
	if (!diffs[0])
		return true;

	check_fail_at(__FILE__, __LINE__,
		      "seed %" PRIu64 " %s packet %u%s: want %s%s (%s), got %s%s: %s", seed,
		      run->name, index, where, verdict_name(ref.verdict),
		      ref.malformed ? " malformed" : "", ref_why_names[ref.why], verdict_name(got),
		      d[TCPDROP_MALFORMED] ? " malformed" : "", diffs);
	print_hex(pkt, len);
	if (++run->mismatches < MAX_MISMATCHES)
		return true;
	printf("#   stopping %s after %d mismatches\n", run->name, run->mismatches);
	return false;
}

static void run_begin(struct run *run, const char *name)
{
	memset(run, 0, sizeof(*run));
	run->name = name;
	run->t0 = now_ns();
}

static void run_end(const struct run *run)
{
	printf("# %s: %lu packets (%lu dropped, %lu malformed, %lu rejected) in %.2f s\n",
	       run->name, run->packets, run->dropped, run->malformed, run->rejected,
	       (double)(now_ns() - run->t0) / 1e9);
}

/* --- the cases --- */

TEST(random_frames_match_reference_verdicts)
{
	struct frame f;
	struct run run;
	struct rng r;
	uint32_t i, p;

	if (!rig_ready())
		return;
	run_begin(&run, "random");
	for (i = 0; i < N_RANDOM; i++) {
		rng_for(&r, 1, i);
		p = below(&r, 100);
		if (p < 8) {
			gen_random_bytes(&f, &r);
		} else {
			gen_structured(&f, &r, false);
			/* Some cut short anywhere, most of all inside the headers. */
			if (chance(&r, 12)) {
				size_t upto = chance(&r, 70) ? f.hdr_end : f.len;

				f.len = below(&r, (uint32_t)upto + 1);
			}
		}
		if (!check_frame(&run, i, "", f.b, f.len))
			break;
	}
	run_end(&run);
}

TEST(truncations_match_reference)
{
	struct frame f;
	struct run run;
	struct rng r;
	uint32_t base = 0, n = 0;
	size_t cut, last;
	char where[40];

	if (!rig_ready())
		return;
	run_begin(&run, "truncated");
	/* Every cut of each frame, from nothing to two bytes past its last header. */
	while (n < N_TRUNCATED) {
		rng_for(&r, 2, base);
		gen_structured(&f, &r, false);
		last = f.hdr_end + 2 < f.len ? f.hdr_end + 2 : f.len;
		for (cut = 0; cut <= last && n < N_TRUNCATED; cut++, n++) {
			snprintf(where, sizeof(where), " (frame %u cut at %zu)", base, cut);
			if (!check_frame(&run, n, where, f.b, cut))
				goto out;
		}
		base++;
	}
out:
	run_end(&run);
}

TEST(ipv6_extension_chains_match_reference)
{
	struct frame f;
	struct run run;
	struct rng r;
	uint32_t i;

	if (!rig_ready())
		return;
	run_begin(&run, "ipv6-chains");
	for (i = 0; i < N_IPV6_CHAINS; i++) {
		rng_for(&r, 3, i);
		gen_structured(&f, &r, true);
		if (chance(&r, 25))
			f.len = between(&r, 54, (uint32_t)(f.hdr_end > 54 ? f.hdr_end : 54));
		if (f.len > FRAME_MAX)
			f.len = FRAME_MAX;
		if (!check_frame(&run, i, "", f.b, f.len))
			break;
	}
	run_end(&run);
}

TEST(random_bytes_match_reference)
{
	struct frame f;
	struct run run;
	struct rng r;
	uint32_t i;

	if (!rig_ready())
		return;
	run_begin(&run, "random-bytes");
	for (i = 0; i < N_RANDOM_BYTES; i++) {
		rng_for(&r, 4, i);
		gen_random_bytes(&f, &r);
		if (!check_frame(&run, i, "", f.b, f.len))
			break;
	}
	run_end(&run);
}

/* A generator that never reaches an outcome would let that path go untested, silently. */
TEST(every_reference_outcome_was_exercised)
{
	const unsigned long min = 20;
	int w;

	if (!rig_ready())
		return;
	for (w = 0; w < WHY_COUNT; w++) {
		printf("#   %7lu  %s\n", total.why[w], ref_why_names[w]);
		CHECK(total.why[w] >= min, "only %lu packets of \"%s\", want %lu or more",
		      total.why[w], ref_why_names[w], min);
	}
}

/* The per-packet deltas already matched; the totals must agree with them too. */
TEST(counters_add_up_over_the_run)
{
	__u64 c[TCPDROP_NR_COUNTERS];

	if (!rig_ready())
		return;
	if (read_counters(c)) {
		check_fail_at(__FILE__, __LINE__, "counters lookup failed");
		return;
	}
	CHECK_EQ_U64(c[TCPDROP_SEEN_PACKETS], total.packets - total.rejected, "seen");
	CHECK_EQ_U64(c[TCPDROP_SEEN_BYTES], total.bytes, "seen bytes");
	CHECK_EQ_U64(c[TCPDROP_PASSED] + c[TCPDROP_DROPPED], c[TCPDROP_SEEN_PACKETS],
		     "passed + dropped");
	CHECK_EQ_U64(c[TCPDROP_DROPPED], total.dropped, "dropped");
	CHECK_EQ_U64(c[TCPDROP_MALFORMED], total.malformed, "malformed");
	CHECK_EQ_U64(c[TCPDROP_EVENTS_LOST], 0, "events lost");
}

int main(void)
{
	const char *env = getenv("TCPDROP_TEST_SEED");
	char *end;
	__u64 t0 = now_ns();

	seed = DEFAULT_SEED;
	if (env && *env) {
		errno = 0;
		seed = strtoull(env, &end, 0);
		if (errno || *end) {
			fprintf(stderr, "TCPDROP_TEST_SEED=%s: not a number\n", env);
			return 2;
		}
	}
	printf("# seed %" PRIu64 " (TCPDROP_TEST_SEED=%" PRIu64 " repeats this run)\n", seed,
	       seed);
	fflush(stdout);
	rig_open();

	RUN(random_frames_match_reference_verdicts);
	RUN(truncations_match_reference);
	RUN(ipv6_extension_chains_match_reference);
	RUN(random_bytes_match_reference);
	RUN(every_reference_outcome_was_exercised);
	RUN(counters_add_up_over_the_run);

	printf("# %lu packets in %.2f s\n", total.packets, (double)(now_ns() - t0) / 1e9);
	rig_close();
	return check_failures ? 1 : 0;
}
