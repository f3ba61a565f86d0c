/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The contract between the XDP program and user space: the drop event, the counter indexes and
 * the limits. Fixed-width types only, so both sides agree on every byte.
 */
#ifndef TCPDROP_H
#define TCPDROP_H

#include <linux/types.h>

#define TCPDROP_DEFAULT_PORT		4040
#define TCPDROP_PORT_WORDS		(65536 / 64)	/* watched ports: one bit per port */

/* Where a port's bit sits in the ports map: the one rule both sides use to set and test it. */
static inline __u32 tcpdrop_port_word(__u16 port)
{
	return port / 64;
}

static inline __u64 tcpdrop_port_bit(__u16 port)
{
	return 1ULL << (port % 64);
}

/* IPv6 extension headers walked before giving up and passing the packet. */
#define TCPDROP_MAX_IPV6_EXT		8
/* VLAN tags parsed (802.1Q and 802.1ad, in any order). A third tag passes unparsed. */
#define TCPDROP_MAX_VLAN		2

/* Ring buffer: a power of two, at least a page. --ring-size chooses within these. */
#define TCPDROP_DEFAULT_RING_BYTES	(4u << 20)
#define TCPDROP_MIN_RING_BYTES		(4u << 10)
#define TCPDROP_MAX_RING_BYTES		(1u << 30)
/* Per-source table entries. --max-sources chooses within these. */
#define TCPDROP_DEFAULT_SOURCES		16384
#define TCPDROP_MIN_SOURCES		64
#define TCPDROP_MAX_SOURCES		(1u << 22)
/* The program never wakes the consumer, which drains the ring this often instead. At the
 * default ring size that holds 58,000 events: 5.8 million drops a second. */
#define TCPDROP_DRAIN_INTERVAL_MS	10
/* -w: bytes of each dropped frame carried after its event (--snaplen chooses within these). */
#define TCPDROP_DEFAULT_SNAPLEN		128
#define TCPDROP_MIN_SNAPLEN		1
#define TCPDROP_MAX_SNAPLEN		4096

enum tcpdrop_counter {
	TCPDROP_SEEN_PACKETS,
	TCPDROP_SEEN_BYTES,
	TCPDROP_PASSED,
	TCPDROP_DROPPED,
	TCPDROP_DROPPED_BYTES,
	TCPDROP_MALFORMED,
	TCPDROP_EVENTS_LOST,
	TCPDROP_EXCEPTED,	/* matched a watched port, passed: the source is excepted */
	TCPDROP_EVENTS_THROTTLED,	/* drops without an event: over --event-rate */
	TCPDROP_NR_COUNTERS,
};

/* One slot per CPU of a single-entry per-CPU array; user space adds the CPUs up. */
struct tcpdrop_counters {
	__u64 count[TCPDROP_NR_COUNTERS];
	/* The program's own: this CPU's share of --event-rate, a token bucket whose tokens are
	 * nanoseconds of credit, refilled from the clock. Kept here to save a lookup a drop. */
	__u64 event_credit_ns;
	__u64 event_refilled_ns;
};

/* --event-rate: the default, a rate no one reads interactively and any flood exceeds. */
#define TCPDROP_DEFAULT_EVENT_RATE	10000
/* The bucket holds at most this much credit: bursts are bounded to 10 ms worth of events. */
#define TCPDROP_EVENT_BURST_NS		10000000ULL

enum tcpdrop_action {
	TCPDROP_ACTION_DROP = 1,
	TCPDROP_ACTION_WOULD_DROP = 2,	/* --dry-run: matched, but passed */
};

/* TCP flag bits as they sit in byte 13 of the TCP header. */
#define TCPDROP_TCP_FIN		0x01
#define TCPDROP_TCP_SYN		0x02
#define TCPDROP_TCP_RST		0x04
#define TCPDROP_TCP_PSH		0x08
#define TCPDROP_TCP_ACK		0x10
#define TCPDROP_TCP_URG		0x20
#define TCPDROP_TCP_ECE		0x40
#define TCPDROP_TCP_CWR		0x80

/*
 * A drop, as pushed through the ring buffer. IPv4 addresses sit in the first 4 bytes of the
 * 16-byte fields, the rest zero. Addresses are in network order, everything else host order.
 *
 * With -w (capture_bytes > 0 in the program) every record is this event followed by
 * capture_bytes bytes, always that many (the ring needs a constant size): the first caplen of
 * them are the frame's first bytes as received, from its link-layer header (its IP header on
 * raw-IP devices); the rest are undefined. Without -w a record is the event alone, caplen 0.
 */
struct tcpdrop_event {
	__u64 timestamp_ns;	/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u8 saddr[16];
	__u8 daddr[16];
	__u32 ifindex;
	__u32 rx_queue;
	__u32 len;		/* bytes of the frame as received */
	__u16 sport;
	__u16 dport;
	__u16 vlan;		/* outermost VLAN id, 0 if untagged */
	__u8 family;		/* 4 or 6 */
	__u8 tcp_flags;
	__u8 action;		/* enum tcpdrop_action */
	__u8 pad;
	__u16 caplen;		/* frame bytes after the event: min(len, capture_bytes) */
};

/*
 * Key of the trie of excepted sources (--except): the family byte, then the address, so one
 * longest-prefix-match trie holds both families. prefixlen counts the family's 8 bits too.
 */
struct tcpdrop_except_key {
	__u32 prefixlen;
	__u8 family;
	__u8 addr[16];
} __attribute__((packed));

#define TCPDROP_MAX_EXCEPT		1024	/* prefixes --except takes */

/* Key of the per-source table: v4 and v6 kept apart by family, not by address mapping. */
struct tcpdrop_source_key {
	__u8 family;
	__u8 pad[3];
	__u8 addr[16];
};

struct tcpdrop_source {
	__u64 drops;
	__u64 bytes;
	__u64 last_seen_ns;	/* CLOCK_MONOTONIC */
};

_Static_assert(sizeof(struct tcpdrop_event) == 64, "drop event layout");

#endif /* TCPDROP_H */
