// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * tcpdrop: drop TCP segments to the watched ports at XDP, count everything exactly, and tell
 * user space about every drop through a ring buffer.
 */
#include <linux/bpf.h>
#include <stdbool.h>

#include "parse.h"

/* Set by user space between open and load. */
const volatile bool dry_run = false;
/* The device has no link-layer header: frames start at the IP header. */
const volatile bool raw_ip = false;
/* Sources are excepted only when --except gave any: otherwise the trie is never looked at. */
const volatile bool have_excepts = false;
/*
 * --event-rate: with throttle_events, each CPU sends an event only when it has event_cost_ns of
 * credit, earned one nanosecond a nanosecond up to TCPDROP_EVENT_BURST_NS; a cost of 0 means no
 * events at all. Racy across nothing: the bucket is per CPU, with no atomics.
 */
const volatile bool throttle_events = false;
const volatile __u64 event_cost_ns = 0;
/* bpf_ktime_get_coarse_ns() (5.11) for what needs no precision; the verifier drops the branch
 * not taken, so the program still loads where the helper does not exist. */
const volatile bool have_coarse_clock = false;
/*
 * The consumer drains the ring on its own short timer, so submits never wake it: a wakeup is an
 * irq_work (an IPI in a VM) costing more than the whole drop. Only a benchmark sets this, to
 * measure that cost; the verifier removes the branch when it is false.
 */
const volatile bool wakeup_every_event = false;
/*
 * -w: each event carries the frame's first capture_bytes bytes after it, in the same record.
 * Read-only and frozen, so the verifier knows it as a constant: the reserve's size is one, and
 * with 0 (no -w) the copy is dead code it removes, bpf_xdp_load_bytes (5.18) included.
 */
const volatile __u32 capture_bytes = 0;

/* Watched destination ports, one bit each; user space may flip bits at run time. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TCPDROP_PORT_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, TCPDROP_MAX_EXCEPT);
	__type(key, struct tcpdrop_except_key);
	__type(value, __u8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} excepted SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct tcpdrop_counters);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TCPDROP_DEFAULT_SOURCES);
	__type(key, struct tcpdrop_source_key);
	__type(value, struct tcpdrop_source);
} sources SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, TCPDROP_DEFAULT_RING_BYTES);
} events SEC(".maps");

/* Everything the match and the event need, gathered while parsing. */
struct flow {
	__u8 family;
	__u8 tcp_flags;		/* 0 when a tiny first fragment cut them off */
	__u16 vlan;
	__u16 sport;
	__u16 dport;
	struct iphdr *iph;
	struct ipv6hdr *ip6h;
};

static __always_inline bool port_watched(__u16 port)
{
	__u32 word = tcpdrop_port_word(port);
	__u64 *bits = bpf_map_lookup_elem(&ports, &word);

	return bits && (*bits & tcpdrop_port_bit(port));
}

/* Returns 0 with *f filled for a TCP segment, or a PARSE_* code. */
static __always_inline int parse_flow(struct xdp_md *ctx, struct flow *f)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct cursor c = { .pos = (void *)(long)ctx->data };
	bool first_fragment = false;
	struct tcp_ports *ports;
	struct tcphdr *tcph;
	int proto;

	if (raw_ip) {
		f->vlan = 0;
		proto = parse_raw_ip(&c, data_end);
	} else {
		proto = parse_ethhdr(&c, data_end, &f->vlan);
	}
	if (proto < 0)
		return proto;

	if (proto == bpf_htons(ETH_P_IP)) {
		f->family = 4;
		proto = parse_iphdr(&c, data_end, &f->iph, &first_fragment);
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		f->family = 6;
		proto = parse_ipv6hdr(&c, data_end, &f->ip6h, &first_fragment);
	} else {
		return PARSE_UNPARSED;
	}
	if (proto < 0)
		return proto;
	if (proto != IPPROTO_TCP)
		return PARSE_UNPARSED;
	if (!parse_tcphdr(&c, data_end, &tcph)) {
		f->sport = bpf_ntohs(tcph->source);
		f->dport = bpf_ntohs(tcph->dest);
		f->tcp_flags = ((__u8 *)tcph)[13];
		return 0;
	}
	if (!first_fragment || parse_tcp_ports(&c, data_end, &ports))
		return PARSE_MALFORMED;
	f->sport = bpf_ntohs(ports->source);
	f->dport = bpf_ntohs(ports->dest);
	f->tcp_flags = 0;
	return 0;
}

/* The source address, and the destination too unless daddr is NULL (inlined away). */
static __always_inline void copy_addrs(struct flow *f, __u8 *saddr, __u8 *daddr)
{
	if (f->family == 4) {
		__builtin_memcpy(saddr, &f->iph->saddr, 4);
		if (daddr)
			__builtin_memcpy(daddr, &f->iph->daddr, 4);
	} else {
		__builtin_memcpy(saddr, &f->ip6h->saddr, 16);
		if (daddr)
			__builtin_memcpy(daddr, &f->ip6h->daddr, 16);
	}
}

static __always_inline bool source_excepted(struct flow *f)
{
	struct tcpdrop_except_key key = {
		.prefixlen = 8 + (f->family == 4 ? 32 : 128),
		.family = f->family,
	};

	copy_addrs(f, key.addr, NULL);
	return bpf_map_lookup_elem(&excepted, &key) != NULL;
}

static __always_inline void count_source(struct flow *f, __u32 len, __u64 now)
{
	struct tcpdrop_source_key key = { .family = f->family };
	struct tcpdrop_source *src, fresh = { .drops = 1, .bytes = len, .last_seen_ns = now };

	copy_addrs(f, key.addr, NULL);
	src = bpf_map_lookup_elem(&sources, &key);
	if (!src) {
		/* Another CPU may insert the same source first; then add to its entry. */
		if (!bpf_map_update_elem(&sources, &key, &fresh, BPF_NOEXIST))
			return;
		src = bpf_map_lookup_elem(&sources, &key);
		if (!src)
			return;
	}
	__sync_fetch_and_add(&src->drops, 1);
	__sync_fetch_and_add(&src->bytes, len);
	src->last_seen_ns = now;
}

/* A clock for last-seen times and the bucket: a jiffy coarse, a fraction of the precise cost. */
static __always_inline __u64 coarse_now(void)
{
	return have_coarse_clock ? bpf_ktime_get_coarse_ns() : bpf_ktime_get_ns();
}

/* Whether this drop also gets an event: a token bucket per CPU, as Cilium's monitor does. */
static __always_inline bool event_allowed(struct tcpdrop_counters *cnt, __u64 now)
{
	__u64 credit;

	if (!throttle_events)
		return true;
	if (!event_cost_ns)
		return false;
	credit = cnt->event_credit_ns + (now - cnt->event_refilled_ns);
	cnt->event_refilled_ns = now;
	if (credit > TCPDROP_EVENT_BURST_NS + event_cost_ns)
		credit = TCPDROP_EVENT_BURST_NS + event_cost_ns;
	if (credit < event_cost_ns) {
		cnt->event_credit_ns = credit;
		return false;
	}
	cnt->event_credit_ns = credit - event_cost_ns;
	return true;
}

static __always_inline void emit_event(struct xdp_md *ctx, struct flow *f, __u32 len,
				       struct tcpdrop_counters *cnt)
{
	struct tcpdrop_event *e;
	__u64 caplen;	/* 64 bits: compared and passed in one zero-extended register */

	e = bpf_ringbuf_reserve(&events, sizeof(*e) + capture_bytes, 0);
	if (!e) {
		cnt->count[TCPDROP_EVENTS_LOST]++;
		return;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->timestamp_ns = bpf_ktime_get_ns();	/* precise: only for an event that is sent */
	copy_addrs(f, e->saddr, e->daddr);
	e->ifindex = ctx->ingress_ifindex;
	e->rx_queue = ctx->rx_queue_index;
	e->len = len;
	e->sport = f->sport;
	e->dport = f->dport;
	e->vlan = f->vlan;
	e->family = f->family;
	e->tcp_flags = f->tcp_flags;
	e->action = dry_run ? TCPDROP_ACTION_WOULD_DROP : TCPDROP_ACTION_DROP;
	if (capture_bytes && len) {
		/*
		 * The size is the last byte's offset, bounded, plus one: the verifier then knows it
		 * from 1 to capture_bytes. Older ones (6.1) do not learn "not 0" from a test, and
		 * refuse a size that may be 0. One register for the bound and the copy, or the
		 * compiler would compare one copy of len and pass another.
		 */
		caplen = len - 1;
		barrier_var(caplen);
		if (caplen > capture_bytes - 1)
			caplen = capture_bytes - 1;
		barrier_var(caplen);
		caplen += 1;
		/* On failure (never for bytes inside the frame) the record says nothing copied. */
		if (bpf_xdp_load_bytes(ctx, 0, e + 1, caplen))
			caplen = 0;
		e->caplen = caplen;
	}

	bpf_ringbuf_submit(e, wakeup_every_event ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

SEC("xdp")
int tcpdrop(struct xdp_md *ctx)
{
	struct tcpdrop_counters *cnt;
	struct flow f = {};
	__u32 zero = 0;
	__u32 len = ctx->data_end - ctx->data;
	__u64 now;
	int ret;

	cnt = bpf_map_lookup_elem(&counters, &zero);
	if (!cnt)
		return XDP_PASS;
	cnt->count[TCPDROP_SEEN_PACKETS]++;
	cnt->count[TCPDROP_SEEN_BYTES] += len;

	ret = parse_flow(ctx, &f);
	if (ret < 0 || !port_watched(f.dport)) {
		if (ret == PARSE_MALFORMED)
			cnt->count[TCPDROP_MALFORMED]++;
		cnt->count[TCPDROP_PASSED]++;
		return XDP_PASS;
	}

	if (have_excepts && source_excepted(&f)) {
		cnt->count[TCPDROP_EXCEPTED]++;
		cnt->count[TCPDROP_PASSED]++;
		return XDP_PASS;
	}

	now = coarse_now();
	count_source(&f, len, now);
	if (event_allowed(cnt, now))
		emit_event(ctx, &f, len, cnt);
	else
		cnt->count[TCPDROP_EVENTS_THROTTLED]++;
	/* In a dry run "dropped" counts what would have been dropped, so the numbers preview the
	 * rule; passed + dropped stays equal to seen. */
	cnt->count[TCPDROP_DROPPED]++;
	cnt->count[TCPDROP_DROPPED_BYTES] += len;
	return dry_run ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
