/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reference classifier of the differential test: README "What is parsed, and what passes",
 * written as plain byte offsets into the frame. It shares no code with bpf/parse.h on purpose:
 * a mistake copied into both would never show.
 *
 * Where the README leaves a case open, this follows the program's stated contract, and says so:
 *
 * - A third VLAN tag passes, not malformed, without being read: even a truncated one.
 * - An IPv4 header is checked (length, version, ihl, options present) before its fragment
 *   offset, so a later fragment with ihl < 5 is malformed. Total length is never looked at.
 * - An IPv6 extension header must be there whole (8 bytes for a fragment header, its declared
 *   length for the others), else the packet is malformed, whatever its next header says; a
 *   later fragment is recognised from the first 4 bytes before that.
 * - Payload length of IPv6 is never looked at either.
 * - In a first fragment (IPv4 with MF set, or past an IPv6 fragment header at offset 0) whose
 *   TCP header is cut short, or has doff < 5, the ports (its first 4 bytes) alone decide, and
 *   such a packet is not malformed: RFC 1858's tiny-fragment attack must not pass.
 */
#ifndef TCPDROP_TEST_REFCLASS_H
#define TCPDROP_TEST_REFCLASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum ref_verdict {
	REF_REJECTED,	/* BPF_PROG_TEST_RUN refuses a frame shorter than Ethernet: -EINVAL (5.13+) */
	REF_PASS,
	REF_DROP,
};

/* Every way out of the classifier, so the test can show the generator reached each one. */
enum ref_why {
	WHY_SHORT_FRAME,
	WHY_VLAN_TRUNCATED,
	WHY_THIRD_VLAN,
	WHY_OTHER_ETHERTYPE,
	WHY_IPV4_TRUNCATED,
	WHY_IPV4_VERSION,
	WHY_IPV4_IHL,
	WHY_IPV4_OPTIONS_TRUNCATED,
	WHY_IPV4_LATER_FRAGMENT,
	WHY_IPV6_TRUNCATED,
	WHY_IPV6_VERSION,
	WHY_IPV6_EXT_TRUNCATED,
	WHY_IPV6_LATER_FRAGMENT,
	WHY_IPV6_TOO_MANY_EXT,
	WHY_NOT_TCP,
	WHY_TCP_TRUNCATED,
	WHY_TCP_DOFF,
	WHY_TCP_OPTIONS_TRUNCATED,
	WHY_PORT_NOT_WATCHED,
	WHY_MATCH,
	WHY_FIRST_FRAGMENT_PORTS_NOT_WATCHED,
	WHY_FIRST_FRAGMENT_PORTS_MATCH,
	WHY_COUNT,
};

static const char *const ref_why_names[WHY_COUNT] = {
	[WHY_SHORT_FRAME] = "frame under 14 bytes",
	[WHY_VLAN_TRUNCATED] = "VLAN tag truncated",
	[WHY_THIRD_VLAN] = "third VLAN tag",
	[WHY_OTHER_ETHERTYPE] = "other EtherType",
	[WHY_IPV4_TRUNCATED] = "IPv4 header truncated",
	[WHY_IPV4_VERSION] = "IPv4 version not 4",
	[WHY_IPV4_IHL] = "IPv4 ihl below 5",
	[WHY_IPV4_OPTIONS_TRUNCATED] = "IPv4 options truncated",
	[WHY_IPV4_LATER_FRAGMENT] = "IPv4 later fragment",
	[WHY_IPV6_TRUNCATED] = "IPv6 header truncated",
	[WHY_IPV6_VERSION] = "IPv6 version not 6",
	[WHY_IPV6_EXT_TRUNCATED] = "IPv6 extension header truncated",
	[WHY_IPV6_LATER_FRAGMENT] = "IPv6 later fragment",
	[WHY_IPV6_TOO_MANY_EXT] = "more than 8 IPv6 extension headers",
	[WHY_NOT_TCP] = "not TCP",
	[WHY_TCP_TRUNCATED] = "TCP header truncated",
	[WHY_TCP_DOFF] = "TCP doff below 5",
	[WHY_TCP_OPTIONS_TRUNCATED] = "TCP options truncated",
	[WHY_PORT_NOT_WATCHED] = "TCP to an unwatched port",
	[WHY_FIRST_FRAGMENT_PORTS_NOT_WATCHED] = "first fragment, TCP header cut, port unwatched",
	[WHY_FIRST_FRAGMENT_PORTS_MATCH] = "first fragment, TCP header cut, port watched",
	[WHY_MATCH] = "TCP to a watched port",
};

struct ref_result {
	enum ref_verdict verdict;
	bool malformed;
	enum ref_why why;
	/* What the drop event must carry; meaningful for REF_DROP only. */
	uint8_t family;
	uint8_t saddr[16];
	uint8_t daddr[16];
	uint16_t sport;
	uint16_t dport;
	uint16_t vlan;
	uint8_t flags;
};

#define REF_ETH_LEN		14
#define REF_TAG_LEN		4
#define REF_IPV4_MIN		20
#define REF_IPV6_LEN		40
#define REF_EXT_READ		4	/* next header, length, fragment offset */
#define REF_FRAG_LEN		8
#define REF_TCP_MIN		20
#define REF_MAX_TAGS		2
#define REF_MAX_EXT		8

static inline uint16_t ref_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* True when n bytes starting at off are inside the frame; off may already be past its end. */
static inline bool ref_have(size_t len, size_t off, size_t n)
{
	return off <= len && len - off >= n;
}

static inline struct ref_result ref_out(struct ref_result r, enum ref_verdict v, bool malformed,
					enum ref_why why)
{
	r.verdict = v;
	r.malformed = malformed;
	r.why = why;
	return r;
}

/* Set when the kernel runs the program on frames shorter than Ethernet (tests/runts.h). */
static bool ref_runts_run;

/* watched[port] says whether TCP to that destination port is dropped. */
static inline struct ref_result ref_classify(const uint8_t *f, size_t len, const bool *watched)
{
	struct ref_result r;
	size_t off, l4;
	unsigned int tags = 0, exts = 0, ihl;
	bool first_fragment = false;
	enum ref_why why;
	uint16_t type;
	uint8_t proto;

	memset(&r, 0, sizeof(r));
	if (len < REF_ETH_LEN)
		return ref_runts_run ? ref_out(r, REF_PASS, true, WHY_SHORT_FRAME) :
				       ref_out(r, REF_REJECTED, false, WHY_SHORT_FRAME);

	type = ref_be16(f + 12);
	off = REF_ETH_LEN;
	while (type == 0x8100 || type == 0x88a8) {
		if (tags == REF_MAX_TAGS)
			return ref_out(r, REF_PASS, false, WHY_THIRD_VLAN);
		if (!ref_have(len, off, REF_TAG_LEN))
			return ref_out(r, REF_PASS, true, WHY_VLAN_TRUNCATED);
		if (tags == 0)
			r.vlan = ref_be16(f + off) & 0x0fff;
		type = ref_be16(f + off + 2);
		off += REF_TAG_LEN;
		tags++;
	}

	if (type == 0x0800) {
		if (!ref_have(len, off, REF_IPV4_MIN))
			return ref_out(r, REF_PASS, true, WHY_IPV4_TRUNCATED);
		if (f[off] >> 4 != 4)
			return ref_out(r, REF_PASS, true, WHY_IPV4_VERSION);
		ihl = f[off] & 0x0f;
		if (ihl < 5)
			return ref_out(r, REF_PASS, true, WHY_IPV4_IHL);
		if (!ref_have(len, off, ihl * 4))
			return ref_out(r, REF_PASS, true, WHY_IPV4_OPTIONS_TRUNCATED);
		/* The low 13 bits of bytes 6-7 are the offset; DF and MF do not matter. */
		if (ref_be16(f + off + 6) & 0x1fff)
			return ref_out(r, REF_PASS, false, WHY_IPV4_LATER_FRAGMENT);
		first_fragment = ref_be16(f + off + 6) & 0x2000;	/* MF: more follow */
		r.family = 4;
		memcpy(r.saddr, f + off + 12, 4);
		memcpy(r.daddr, f + off + 16, 4);
		proto = f[off + 9];
		l4 = off + ihl * 4;
	} else if (type == 0x86dd) {
		if (!ref_have(len, off, REF_IPV6_LEN))
			return ref_out(r, REF_PASS, true, WHY_IPV6_TRUNCATED);
		if (f[off] >> 4 != 6)
			return ref_out(r, REF_PASS, true, WHY_IPV6_VERSION);
		r.family = 6;
		memcpy(r.saddr, f + off + 8, 16);
		memcpy(r.daddr, f + off + 24, 16);
		proto = f[off + 6];
		l4 = off + REF_IPV6_LEN;
		while (proto == 0 || proto == 43 || proto == 60 || proto == 44) {
			size_t size;

			if (exts == REF_MAX_EXT)
				return ref_out(r, REF_PASS, false, WHY_IPV6_TOO_MANY_EXT);
			if (!ref_have(len, l4, REF_EXT_READ))
				return ref_out(r, REF_PASS, true, WHY_IPV6_EXT_TRUNCATED);
			if (proto == 44) {
				/* Offset: the top 13 bits of bytes 2-3; the low 3 are flags. */
				if (ref_be16(f + l4 + 2) >> 3)
					return ref_out(r, REF_PASS, false,
						       WHY_IPV6_LATER_FRAGMENT);
				first_fragment = true;
				size = REF_FRAG_LEN;
			} else {
				size = ((size_t)f[l4 + 1] + 1) * 8;
			}
			if (!ref_have(len, l4, size))
				return ref_out(r, REF_PASS, true, WHY_IPV6_EXT_TRUNCATED);
			proto = f[l4];
			l4 += size;
			exts++;
		}
	} else {
		return ref_out(r, REF_PASS, false, WHY_OTHER_ETHERTYPE);
	}

	if (proto != 6)
		return ref_out(r, REF_PASS, false, WHY_NOT_TCP);
	why = WHY_MATCH;
	if (!ref_have(len, l4, REF_TCP_MIN))
		why = WHY_TCP_TRUNCATED;
	else if (f[l4 + 12] >> 4 < 5)
		why = WHY_TCP_DOFF;
	else if (!ref_have(len, l4, (f[l4 + 12] >> 4) * 4))
		why = WHY_TCP_OPTIONS_TRUNCATED;
	if (why != WHY_MATCH) {
		/* RFC 1858's tiny fragment: in a first fragment the ports alone decide. */
		if (!first_fragment || !ref_have(len, l4, 4))
			return ref_out(r, REF_PASS, true, why);
		r.sport = ref_be16(f + l4);
		r.dport = ref_be16(f + l4 + 2);
		if (!watched[r.dport])
			return ref_out(r, REF_PASS, false, WHY_FIRST_FRAGMENT_PORTS_NOT_WATCHED);
		return ref_out(r, REF_DROP, false, WHY_FIRST_FRAGMENT_PORTS_MATCH);
	}
	r.sport = ref_be16(f + l4);
	r.dport = ref_be16(f + l4 + 2);
	r.flags = f[l4 + 13];
	if (!watched[r.dport])
		return ref_out(r, REF_PASS, false, WHY_PORT_NOT_WATCHED);
	return ref_out(r, REF_DROP, false, WHY_MATCH);
}

#endif /* TCPDROP_TEST_REFCLASS_H */
