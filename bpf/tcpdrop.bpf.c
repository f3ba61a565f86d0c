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
/* Drops to this port are left out of port_drops (see tcpdrop.h): the usual one watched port then
 * costs no second count, its drops being the dropped counter's. */
const volatile __u16 implied_port = 0;

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

/* Sources that dropped twice or more and left their CPU's recent entries (see tcpdrop.h). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TCPDROP_DEFAULT_SOURCES);
	__type(key, struct tcpdrop_source_key);
	__type(value, struct tcpdrop_source);
} sources SEC(".maps");

/* Each CPU's recent sources: user space sizes it to ncpus * TCPDROP_RECENT_SETS and mmaps it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TCPDROP_RECENT_SETS);
	__type(key, __u32);
	__type(value, struct tcpdrop_recent_set);
	__uint(map_flags, BPF_F_MMAPABLE);
} recent SEC(".maps");

/* Drops per destination port (see tcpdrop.h): user space sizes it to ncpus * TCPDROP_PORTS. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TCPDROP_PORTS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(map_flags, BPF_F_MMAPABLE);
} port_drops SEC(".maps");

/*
 * Kept by user space, which writes them through the mmapped .bss, so that the drop path reads
 * no clock: tick_ns, CLOCK_MONOTONIC at its last pass (every 10 ms), the time a drop is "last
 * seen"; generation, bumped when the view is cleared, so that older counts are stale and
 * nothing in the kernel need be deleted; event_credit_ns, the --event-rate bucket, which it
 * refills from its own clock and the program only spends (see event_allowed()).
 */
volatile __u64 tick_ns;
volatile __u32 generation;
volatile __s64 event_credit_ns;
/*
 * Written by user space at load and at a reload (SIGHUP), so that the excepted sources and the
 * event rate change under a running program: have_excepts, whether the trie holds any (else it
 * is never looked at); event_cost_ns, what an event takes from the bucket (see
 * event_allowed()).
 */
volatile __u8 have_excepts;
volatile __s64 event_cost_ns;

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

/*
 * A source leaves the recent entries with more than one drop: its counts move to the table.
 * Atomics, since other CPUs may move theirs at the same time; rare, since a repeated source
 * mostly stays where it is. A table entry of an older generation starts again: a race there
 * can lose counts, never add any.
 */
static __always_inline void move_to_table(__u64 a0, __u64 a1, __u32 family, __u64 drops,
					  __u64 bytes, __u64 last_seen_ns, __u32 gen)
{
	struct tcpdrop_source_key key = { .family = family };
	struct tcpdrop_source *src, fresh = {
		.drops = drops, .bytes = bytes, .last_seen_ns = last_seen_ns, .generation = gen,
	};
	__u32 v4 = a0;	/* stored as loaded: its bytes as in the packet */

	if (family == 4) {
		__builtin_memcpy(key.addr, &v4, sizeof(v4));
	} else {
		__builtin_memcpy(key.addr, &a0, sizeof(a0));
		__builtin_memcpy(key.addr + 8, &a1, sizeof(a1));
	}
	src = bpf_map_lookup_elem(&sources, &key);
	if (!src) {
		/* Another CPU may insert the same source first; then add to its entry. */
		if (!bpf_map_update_elem(&sources, &key, &fresh, BPF_NOEXIST))
			return;
		src = bpf_map_lookup_elem(&sources, &key);
		if (!src)
			return;
	}
	if (src->generation != gen) {
		src->drops = 0;
		src->bytes = 0;
		src->generation = gen;
	}
	__sync_fetch_and_add(&src->drops, drops);
	__sync_fetch_and_add(&src->bytes, bytes);
	if (last_seen_ns > src->last_seen_ns)
		src->last_seen_ns = last_seen_ns;
}

/*
 * Gives entry w of the set to a new source. The version is odd while the entry changes, so
 * that a reader never takes one source's counts for another's.
 */
static __always_inline void recent_take(struct tcpdrop_recent_set *set, __u32 w, __u64 a0,
					__u64 a1, __u32 family, __u32 len, __u64 now, __u32 gen)
{
	struct tcpdrop_recent_meta *m = &set->meta[w];
	__u32 version = m->version;

	m->version = version + 1;
	barrier();
	set->key[w].addr[0] = a0;
	set->key[w].addr[1] = a1;
	m->family = family;
	m->drops = 1;
	m->bytes = len;
	m->last_seen_ns = now;
	m->generation = gen;
	barrier();
	m->version = version + 2;
}

/*
 * The source counted twice in a row in entry where becomes this CPU's current one (see
 * tcpdrop.h). The one before it leaves its counts to its entry, if that still holds it, else to
 * the table; counts from before the view was cleared are stale and go nowhere. The words are
 * emptied first, under their version, and the counts added after: a reader of the entries and
 * the table, then of the words, never counts them twice. Not inlined: it is rare, and the drop
 * path keeps its registers.
 */
static __noinline void make_current(struct tcpdrop_counters *cnt, __u32 where, __u64 a0,
				    __u64 a1, __u64 tag)
{
	struct tcpdrop_current *cur = &cnt->current;
	__u64 drops = cur->drops, bytes = cur->bytes, last_seen_ns = cur->last_seen_ns;
	__u64 old0 = cur->addr[0], old1 = cur->addr[1], old_tag = cur->tag;
	__u32 old_where = cur->where, family = old_tag & 0xff, gen = generation, idx, way;
	struct tcpdrop_recent_meta *m;
	struct tcpdrop_recent_set *set;
	__u32 version = cur->version;

	cur->version = version + 1;
	barrier();
	cur->drops = 0;
	cur->bytes = 0;
	cur->addr[0] = a0;
	cur->addr[1] = a1;
	cur->tag = tag;
	cur->where = where;
	barrier();
	cur->version = version + 2;

	if (!drops || old_tag >> 32 != gen)
		return;
	idx = bpf_get_smp_processor_id() * TCPDROP_RECENT_SETS + (old_where >> 2);
	set = bpf_map_lookup_elem(&recent, &idx);
	if (!set)
		return;
	way = old_where & (TCPDROP_RECENT_WAYS - 1);
	m = &set->meta[way];
	/* Still its entry, with room for them below the count at which an entry moves to the
	 * table (an entry holds fewer than 2^31). */
	if (set->key[way].addr[0] == old0 && set->key[way].addr[1] == old1 &&
	    m->family == family && m->generation == gen && drops < (1u << 31) - m->drops) {
		m->drops += drops;
		m->bytes += bytes;
		if (last_seen_ns > m->last_seen_ns)
			m->last_seen_ns = last_seen_ns;
		return;
	}
	move_to_table(old0, old1, family, drops, bytes, last_seen_ns, gen);
}

/*
 * Counts a drop of the source in this CPU's recent entries (see tcpdrop.h). The address is
 * read from the packet into two registers, hashed and compared there: in a spoofed flood a
 * drop reads the set's line of keys and its hand, and rewrites one entry, nothing else.
 */
static __always_inline void count_source(struct flow *f, __u32 len,
					 struct tcpdrop_counters *cnt)
{
	struct tcpdrop_recent_meta *m, old;
	struct tcpdrop_recent_set *set;
	struct tcpdrop_recent_key old_key;
	struct tcpdrop_current *cur = &cnt->current;
	__u32 gen = generation, h, idx, w, hand, multi;
	__u64 now = tick_ns, a0, a1, tag;

	if (f->family == 4) {
		a0 = f->iph->saddr;
		a1 = 0;
	} else {
		a0 = *(__u64 *)&f->ip6h->saddr;
		a1 = *((__u64 *)&f->ip6h->saddr + 1);
	}
	tag = f->family | (__u64)gen << 32;
	if (cur->addr[1] == a1 && cur->addr[0] == a0 && cur->tag == tag) {
		cur->drops++;
		cur->bytes += len;
		cur->last_seen_ns = now;
		return;
	}
	h = tcpdrop_recent_hash(a0, a1, f->family);
	idx = bpf_get_smp_processor_id() * TCPDROP_RECENT_SETS + h;
	set = bpf_map_lookup_elem(&recent, &idx);
	if (!set || h >= TCPDROP_RECENT_SETS)
		return;
#pragma unroll
	for (int i = 0; i < TCPDROP_RECENT_WAYS; i++) {
		/* The word a spoofed flood varies first. */
		if (set->key[i].addr[1] != a1 || set->key[i].addr[0] != a0)
			continue;
		m = &set->meta[i];
		if (m->family != f->family)
			continue;
		if (__builtin_expect(m->generation != gen, 0)) {	/* counted before the view was cleared */
			m->generation = gen;
			m->drops = 0;
			m->bytes = 0;
		}
		m->bytes += len;
		m->last_seen_ns = now;
		/* One test for both rare counts, 2 (minus 3 wraps) and 2^31 and up: in a flood it
		 * is one branch instead of two, measurably. */
		if (__builtin_expect(++m->drops - 3 >= (1u << 31) - 3, 0)) {
			if (m->drops == 2)
				cnt->recent_hand[h] |= 0x10 << i;
			/* Far from overflowing u32: once in 2^31 drops, the counts move to the
			 * table, the entry emptied first (a reader of both never counts them
			 * twice). The hint that the source dropped more than once stays: the
			 * entry is checked before it moves. */
			if (m->drops >= 1u << 31) {
				old = *m;
				m->drops = 0;
				m->bytes = 0;
				barrier();
				move_to_table(a0, a1, f->family, old.drops, old.bytes, now, gen);
			}
		}
		if (cnt->run == (h << 2 | i) + 1)
			make_current(cnt, h << 2 | i, a0, a1, tag);
		else
			cnt->run = (h << 2 | i) + 1;
		return;
	}

	/*
	 * A new source. The set's entries are taken in turn, but one that has dropped more than
	 * once is passed over for the next: a source that keeps coming stays while a flood's
	 * one-time sources go round the rest. No clock and no comparison of ages (which entry is
	 * oldest is random in a flood, and a branch mispredicted on it would cost more than the
	 * rest of the drop), and the hand in this CPU's counters, not in the set's lines.
	 */
	hand = cnt->recent_hand[h];
	w = hand & (TCPDROP_RECENT_WAYS - 1);
	if (hand & (0x10 << w))
		w = (w + 1) & (TCPDROP_RECENT_WAYS - 1);
	multi = hand & (0x10 << w);
	cnt->recent_hand[h] = ((w + 1) & (TCPDROP_RECENT_WAYS - 1)) | (hand & 0xf0 & ~multi);
	m = &set->meta[w];
	if (!multi || m->drops < 2 || m->generation != gen) {
		/* Seen once (or counted before a clear): "not tracked" from now on. */
		recent_take(set, w, a0, a1, f->family, len, now, gen);
		return;
	}
	/* Its counts move to the table after the entry is rewritten: a reader of the table,
	 * then of the entries, never counts them twice. */
	old = *m;
	old_key = set->key[w];
	recent_take(set, w, a0, a1, f->family, len, now, gen);
	move_to_table(old_key.addr[0], old_key.addr[1], old.family, old.drops, old.bytes,
		      old.last_seen_ns, gen);
}

/* One more drop to this port, in this CPU's row, unless it is the implied port. */
static __always_inline void count_port(__u16 port)
{
	__u32 idx;
	__u64 *drops;

	if (port == implied_port)
		return;
	idx = bpf_get_smp_processor_id() * TCPDROP_PORTS + port;
	drops = bpf_map_lookup_elem(&port_drops, &idx);
	if (drops)
		*drops += 1;
}

/*
 * Whether this drop also gets an event: one bucket for all CPUs, so that one CPU's flood gets
 * the whole rate and all of them together no more. Refilled by user space; spent here with an
 * atomic add, only for an event that is sent, so a flood that is throttled only reads it. CPUs
 * that test it at the same moment can all spend its last token: it then goes below zero, by at
 * most one event a CPU, and the refills pay that back. A cost of 0 is every drop's event
 * (--event-rate max: the bucket is never spent); one above any credit, none (--event-rate 0).
 */
static __always_inline bool event_allowed(void)
{
	__s64 cost = event_cost_ns;

	if (event_credit_ns < cost)
		return false;
	if (cost)
		__sync_fetch_and_add(&event_credit_ns, -cost);
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
	int ret;

	cnt = bpf_map_lookup_elem(&counters, &zero);
	if (!cnt)
		return XDP_PASS;

	/* Every packet is counted once, passed or dropped, with its bytes: seen is their sum. */
	ret = parse_flow(ctx, &f);
	if (ret < 0 || !port_watched(f.dport)) {
		if (ret == PARSE_MALFORMED)
			cnt->count[TCPDROP_MALFORMED]++;
		cnt->count[TCPDROP_PASSED]++;
		cnt->passed_bytes += len;
		return XDP_PASS;
	}

	if (have_excepts && source_excepted(&f)) {
		cnt->count[TCPDROP_EXCEPTED]++;
		cnt->count[TCPDROP_PASSED]++;
		cnt->passed_bytes += len;
		return XDP_PASS;
	}

	count_source(&f, len, cnt);
	if (__builtin_expect(event_allowed(), 0))
		emit_event(ctx, &f, len, cnt);
	else
		cnt->count[TCPDROP_EVENTS_THROTTLED]++;
	/* In a dry run "dropped" counts what would have been dropped, so the numbers preview the
	 * rule; passed + dropped stays equal to seen. */
	count_port(f.dport);	/* before the drop's count: see implied_port */
	cnt->count[TCPDROP_DROPPED]++;
	cnt->count[TCPDROP_DROPPED_BYTES] += len;
	return dry_run ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
