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
#define TCPDROP_PORTS			65536
/*
 * Exact drops per destination port: each CPU's own row of TCPDROP_PORTS counters, at
 * cpu * TCPDROP_PORTS + port of one array map (8 bytes a port, 512 KiB a CPU), that user space
 * adds up in place through mmap. A drop adds one to its CPU's counter: no atomics, no hash.
 * One port, the implied port (the first watched when the program loads, so the usual single
 * watched port), is not counted there: its drops are the dropped counter less the other ports'.
 * The program counts a drop's port before the drop, so that user space, reading the dropped
 * counters first and the rows after, never finds more for the implied port than it dropped.
 */

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

/*
 * Each CPU's recent sources: see struct tcpdrop_recent_set. 512 sets of 4, 96 KiB a CPU, near
 * the first-level cache: a source's first drop stays unless 4 new sources land in its set before
 * its second, which for a source sending 1% of a spoofed flood happens once in 20,000; 1024 sets
 * cost a spoofed drop 1.3 ns more, 256 lose such a first drop 14 times as often.
 */
#define TCPDROP_RECENT_WAYS		4
#define TCPDROP_RECENT_SETS_LOG2	9
#define TCPDROP_RECENT_SETS		(1u << TCPDROP_RECENT_SETS_LOG2)

/* In the order the outputs list them (tcpdrop_counter_names): nothing else rests on it. */
enum tcpdrop_counter {
	TCPDROP_SEEN_PACKETS,
	TCPDROP_SEEN_BYTES,
	TCPDROP_PASSED,
	TCPDROP_DROPPED,
	TCPDROP_DROPPED_BYTES,
	TCPDROP_MALFORMED,
	TCPDROP_EVENTS_LOST,
	TCPDROP_EVENTS_THROTTLED,	/* drops without an event: over --event-rate */
	TCPDROP_EXCEPTED,	/* matched a watched port, passed: the source is excepted */
	TCPDROP_NR_COUNTERS,
};

#ifndef __bpf__	/* the program counts; only user space names */
#include <stdbool.h>

/*
 * Each counter's names, the one place they are spelled: its key in the NDJSON stats line (and
 * its rate's, <json>_pps, if json_pps), its Prometheus metric, tcpdrop_top_<metric>_total, with
 * that metric's HELP, and the label of its cell on the live screen (a dry run's, if another).
 * NULL where an output does not show the counter: seen is passed + dropped, no count of its own.
 */
struct tcpdrop_counter_name {
	const char *json;
	bool json_pps;
	const char *metric;
	const char *help;
	const char *label;
	const char *dry_run_label;
};

static const struct tcpdrop_counter_name tcpdrop_counter_names[TCPDROP_NR_COUNTERS] = {
	[TCPDROP_PASSED] = {
		.json = "passed", .json_pps = true, .metric = "passed_packets",
		.help = "Packets the XDP filter let through, since start.",
		.label = "passed",
	},
	[TCPDROP_DROPPED] = {
		.json = "dropped", .json_pps = true, .metric = "dropped_packets",
		.help = "TCP segments to a watched port dropped (in a dry run: that would have "
			"been), since start.",
		.label = "dropped", .dry_run_label = "would drop",
	},
	[TCPDROP_DROPPED_BYTES] = {
		.metric = "dropped_bytes",
		.help = "Bytes of the frames dropped (in a dry run: that would have been), since "
			"start.",
	},
	[TCPDROP_MALFORMED] = {
		.json = "malformed", .metric = "malformed_packets",
		.help = "Packets too short or inconsistent to parse, passed, since start.",
		.label = "malformed",
	},
	[TCPDROP_EVENTS_LOST] = {
		.json = "events_lost", .metric = "events_lost",
		.help = "Drop events lost because the ring buffer was full; the counts stay exact.",
		.label = "events lost",
	},
	[TCPDROP_EVENTS_THROTTLED] = {
		.json = "events_throttled", .metric = "events_throttled",
		.help = "Drops whose event the event rate limit held back; the counts stay exact.",
		.label = "not logged",
	},
	/* On the screen in the title, "except CIDRS (N passed)", not in a cell. */
	[TCPDROP_EXCEPTED] = {
		.json = "excepted", .metric = "excepted_packets",
		.help = "TCP segments to a watched port passed because their source is excepted, "
			"since start.",
	},
};
#endif /* !__bpf__ */

/*
 * A CPU's current source: the one whose drops last came here in a run, counted in these words,
 * in front of its recent entry, with no hash and no lookup while it keeps coming (see
 * tcpdrop_recent_set). Its counts are its own, not yet in its entry: user space adds them to
 * the source's row.
 */
struct tcpdrop_current {
	__u64 addr[2];		/* as in struct tcpdrop_recent_key */
	__u64 tag;		/* family | generation << 32; 0 while there is none */
	__u64 drops;
	__u64 bytes;
	__u64 last_seen_ns;
	/* Odd while the CPU gives the words to another source (a reader then skips them): see
	 * loader_read_recent(). */
	__u32 version;
	__u32 where;		/* its recent entry: set << 2 | way */
};

/*
 * One slot per CPU of a single-entry per-CPU array; user space adds the CPUs up. Every packet
 * writes as few as it can: the program leaves count[TCPDROP_SEEN_PACKETS] and
 * [TCPDROP_SEEN_BYTES] at zero and counts passed_bytes instead, and user space derives seen,
 * exactly, as passed + dropped (loader_read_counters): each part only grows, so the sum does.
 */
struct tcpdrop_counters {
	struct tcpdrop_current current;
	/* The program's own: the entry of this CPU's last drop counted in a recent entry, as
	 * set << 2 | way, plus one. Its source becomes the current one on its next drop there. */
	__u32 run;
	__u32 pad;
	__u64 count[TCPDROP_NR_COUNTERS];
	__u64 passed_bytes;
	/*
	 * The program's own, kept here to save a lookup a drop: for each set of this CPU's
	 * recent sources (below), which entry a new source takes next (bits 0-1) and which
	 * entries have dropped more than once (bits 4-7, a hint the entry itself confirms).
	 */
	__u8 recent_hand[TCPDROP_RECENT_SETS];
};

/* --event-rate: the default, a rate no one reads interactively and any flood exceeds. */
#define TCPDROP_DEFAULT_EVENT_RATE	10000
/*
 * The rate limit is one bucket for all CPUs, refilled by user space: it holds at most this
 * long of the rate, so that a burst up to the rate is logged whole and only a sustained flood
 * is throttled; and never more events than the ring holds.
 */
#define TCPDROP_EVENT_BURST_NS		1000000000ULL

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

#define TCPDROP_MAX_EXCEPT		131072	/* prefixes --except and --except-file take */

/* Key of the per-source table: v4 and v6 kept apart by family, not by address mapping. */
struct tcpdrop_source_key {
	__u8 family;
	__u8 pad[3];
	__u8 addr[16];
};

struct tcpdrop_source {
	__u64 drops;
	__u64 bytes;
	__u64 last_seen_ns;	/* CLOCK_MONOTONIC, to the tick user space keeps */
	__u32 generation;	/* counted since this clear of the view; older counts are stale */
	__u32 pad;
};

/*
 * Each CPU's recent sources, in front of the table: a set-associative cache, hashed by address,
 * of TCPDROP_RECENT_WAYS sources a set, TCPDROP_RECENT_SETS sets a CPU, in one array map of
 * ncpus * TCPDROP_RECENT_SETS sets that user space reads through mmap. A drop of a source in its
 * set is counted there, by that CPU alone: no atomics, no hash table. A new source takes the
 * set's entries in turn, passing over one that has dropped more than once; the entry it takes
 * moves its counts to the table if it had dropped twice or more, and leaves them to the "not
 * tracked" total if once: a spoofed flood's sources, seen once each, never reach the table.
 * A source counted in the same entry twice in a row, with no other entry's count between,
 * becomes its CPU's current source (struct tcpdrop_current), counted there until another does;
 * its counts then go to its entry, or to the table if the entry went to another source.
 * Each drop is so counted in exactly one place, a CPU's current source, an entry of one CPU or
 * the table, and user space adds a source's up.
 */

/* A recent source's address as it sits in the packet, in two words so that it is compared and
 * hashed in registers: an IPv4 address is the first 4 bytes, the rest zero. */
struct tcpdrop_recent_key {
	__u64 addr[2];
};

struct tcpdrop_recent_meta {
	__u32 family;		/* 4 or 6; 0: the entry is empty */
	/* Odd while the entry is being given to another source: a reader that sees it odd, or
	 * changed across its read, skips the entry rather than give one source another's
	 * counts. */
	__u32 version;
	__u32 drops;		/* since it took this entry; moved to the table before 2^31 */
	__u32 generation;
	__u64 bytes;
	__u64 last_seen_ns;
};

/* The keys in one cache line, so that a new source, compared with all of them, reads one. */
struct tcpdrop_recent_set {
	struct tcpdrop_recent_key key[TCPDROP_RECENT_WAYS];
	struct tcpdrop_recent_meta meta[TCPDROP_RECENT_WAYS];
};

/* Which set of its CPU's part of the array a source's entries use: a multiplicative hash. */
static inline __u32 tcpdrop_recent_hash(__u64 addr0, __u64 addr1, __u32 family)
{
	return (addr0 ^ addr1 ^ family) * 0x9e3779b97f4a7c15ULL >> (64 - TCPDROP_RECENT_SETS_LOG2);
}

_Static_assert(sizeof(struct tcpdrop_event) == 64, "drop event layout");
_Static_assert(sizeof(struct tcpdrop_recent_meta) == 32, "two entries' counts a cache line");
_Static_assert(sizeof(struct tcpdrop_current) + 8 == 64, "the current source in one cache line");

#endif /* TCPDROP_H */
