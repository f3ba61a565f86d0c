/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A packet builder for the verdict tests. Each pkt_* call appends one header in network order
 * and returns its offset in the frame, so a test can corrupt a field afterwards. Checksums stay
 * zero: XDP never checks them. pkt_done() fills in the IP length fields, so a complete frame
 * looks real and a truncated one claims more bytes than it has, as on the wire.
 *
 * Independent of bpf/parse.h on purpose: the tests spell out the wire format themselves.
 */
#ifndef TCPDROP_TEST_PKT_H
#define TCPDROP_TEST_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PKT_MAX			2048

#define PKT_ETH_IPV4		0x0800
#define PKT_ETH_ARP		0x0806
#define PKT_ETH_8021Q		0x8100
#define PKT_ETH_8021AD		0x88a8
#define PKT_ETH_IPV6		0x86dd

#define PKT_IP_HOPOPTS		0
#define PKT_IP_ICMP		1
#define PKT_IP_TCP		6
#define PKT_IP_UDP		17
#define PKT_IP_ROUTING		43
#define PKT_IP_FRAGMENT		44
#define PKT_IP_ICMPV6		58
#define PKT_IP_NONE		59
#define PKT_IP_DSTOPTS		60

#define PKT_ETH_LEN		14
#define PKT_VLAN_LEN		4
#define PKT_IPV4_LEN		20
#define PKT_IPV6_LEN		40
#define PKT_FRAG6_LEN		8
#define PKT_TCP_LEN		20
#define PKT_UDP_LEN		8

struct pkt {
	uint8_t buf[PKT_MAX];
	size_t len;
	size_t l3;		/* offset of the first IP header */
	int l3_family;		/* 0 until an IP header is added */
};

static inline void pkt_init(struct pkt *p)
{
	memset(p, 0, sizeof(*p));
}

/* Appends n zero bytes and returns their offset. A test that overflows is a broken test. */
static inline size_t pkt_grow(struct pkt *p, size_t n)
{
	size_t off = p->len;

	if (n > PKT_MAX - p->len) {
		fprintf(stderr, "pkt: frame over %d bytes\n", PKT_MAX);
		abort();
	}
	memset(p->buf + off, 0, n);
	p->len += n;
	return off;
}

static inline void pkt_put16(struct pkt *p, size_t off, uint16_t v)
{
	p->buf[off] = v >> 8;
	p->buf[off + 1] = v;
}

static inline void pkt_put32(struct pkt *p, size_t off, uint32_t v)
{
	pkt_put16(p, off, v >> 16);
	pkt_put16(p, off + 2, v);
}

static inline uint16_t pkt_get16(const struct pkt *p, size_t off)
{
	return (uint16_t)(p->buf[off] << 8 | p->buf[off + 1]);
}

/* Locally administered MACs; ethertype is whatever follows (a TPID when a VLAN tag does). */
static inline size_t pkt_eth(struct pkt *p, uint16_t ethertype)
{
	static const uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	size_t off = pkt_grow(p, PKT_ETH_LEN);

	memcpy(p->buf + off, dst, 6);
	memcpy(p->buf + off + 6, src, 6);
	pkt_put16(p, off + 12, ethertype);
	return off;
}

/* The 4 bytes after a TPID: TCI (PCP, DEI, VID), then the EtherType that follows the tag. */
static inline size_t pkt_vlan(struct pkt *p, uint16_t tci, uint16_t ethertype)
{
	size_t off = pkt_grow(p, PKT_VLAN_LEN);

	pkt_put16(p, off, tci);
	pkt_put16(p, off + 2, ethertype);
	return off;
}

/* IPv4 with opt_len bytes of options (a multiple of 4, up to 40), filled with NOPs. Addresses
 * are host order: 0x0a000001 is 10.0.0.1. */
static inline size_t pkt_ipv4(struct pkt *p, uint8_t proto, uint32_t saddr, uint32_t daddr,
			      size_t opt_len)
{
	size_t off = pkt_grow(p, PKT_IPV4_LEN + opt_len);

	p->buf[off] = 0x40 | (uint8_t)((PKT_IPV4_LEN + opt_len) / 4);
	pkt_put16(p, off + 4, 0x1234);		/* id */
	pkt_put16(p, off + 6, 0x4000);		/* DF */
	p->buf[off + 8] = 64;			/* ttl */
	p->buf[off + 9] = proto;
	pkt_put32(p, off + 12, saddr);
	pkt_put32(p, off + 16, daddr);
	memset(p->buf + off + PKT_IPV4_LEN, 1, opt_len);
	if (!p->l3_family) {
		p->l3 = off;
		p->l3_family = 4;
	}
	return off;
}

/* Sets the flags and fragment offset (in 8-byte units) of the IPv4 header at off. */
static inline void pkt_ipv4_frag(struct pkt *p, size_t off, uint16_t offset8, bool more)
{
	pkt_put16(p, off + 6, (more ? 0x2000 : 0) | (offset8 & 0x1fff));
}

static inline size_t pkt_ipv6(struct pkt *p, uint8_t nexthdr, const uint8_t saddr[16],
			      const uint8_t daddr[16])
{
	size_t off = pkt_grow(p, PKT_IPV6_LEN);

	pkt_put32(p, off, 0x60000000);		/* version 6, no class, no flow label */
	p->buf[off + 6] = nexthdr;
	p->buf[off + 7] = 64;			/* hop limit */
	memcpy(p->buf + off + 8, saddr, 16);
	memcpy(p->buf + off + 24, daddr, 16);
	if (!p->l3_family) {
		p->l3 = off;
		p->l3_family = 6;
	}
	return off;
}

/*
 * A hop-by-hop, routing or destination-options header of (hdrlen + 1) * 8 bytes; the type is
 * named by the header before it. The body is zeros: Pad1 options, or a routing header with no
 * segments left.
 */
static inline size_t pkt_ext6(struct pkt *p, uint8_t nexthdr, uint8_t hdrlen)
{
	size_t off = pkt_grow(p, ((size_t)hdrlen + 1) * 8);

	p->buf[off] = nexthdr;
	p->buf[off + 1] = hdrlen;
	return off;
}

/* An IPv6 fragment header; offset8 is in 8-byte units. */
static inline size_t pkt_frag6(struct pkt *p, uint8_t nexthdr, uint16_t offset8, bool more)
{
	size_t off = pkt_grow(p, PKT_FRAG6_LEN);

	p->buf[off] = nexthdr;
	pkt_put16(p, off + 2, (uint16_t)(offset8 << 3) | (more ? 1 : 0));
	pkt_put32(p, off + 4, 0xcafe);		/* identification */
	return off;
}

/* TCP with opt_len bytes of options (a multiple of 4, up to 40), filled with NOPs. */
static inline size_t pkt_tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint8_t flags,
			     size_t opt_len)
{
	size_t off = pkt_grow(p, PKT_TCP_LEN + opt_len);

	pkt_put16(p, off, sport);
	pkt_put16(p, off + 2, dport);
	pkt_put32(p, off + 4, 1000);		/* seq */
	pkt_put32(p, off + 8, 2000);		/* ack */
	p->buf[off + 12] = (uint8_t)((PKT_TCP_LEN + opt_len) / 4) << 4;
	p->buf[off + 13] = flags;
	pkt_put16(p, off + 14, 65535);		/* window */
	memset(p->buf + off + PKT_TCP_LEN, 1, opt_len);
	return off;
}

/* Sets the 4-bit data offset of the TCP header at off. */
static inline void pkt_tcp_doff(struct pkt *p, size_t off, uint8_t doff)
{
	p->buf[off + 12] = (uint8_t)(doff << 4);
}

static inline size_t pkt_udp(struct pkt *p, uint16_t sport, uint16_t dport)
{
	size_t off = pkt_grow(p, PKT_UDP_LEN);

	pkt_put16(p, off, sport);
	pkt_put16(p, off + 2, dport);
	return off;
}

/* ICMP or ICMPv6: type, code, checksum, then 4 bytes of id and sequence. */
static inline size_t pkt_icmp(struct pkt *p, uint8_t type, uint8_t code)
{
	size_t off = pkt_grow(p, 8);

	p->buf[off] = type;
	p->buf[off + 1] = code;
	return off;
}

/* An Ethernet/IPv4 ARP request or reply (op 1 or 2); addresses host order. */
static inline size_t pkt_arp(struct pkt *p, uint16_t op, uint32_t spa, uint32_t tpa)
{
	size_t off = pkt_grow(p, 28);

	pkt_put16(p, off, 1);			/* hardware: Ethernet */
	pkt_put16(p, off + 2, PKT_ETH_IPV4);
	p->buf[off + 4] = 6;
	p->buf[off + 5] = 4;
	pkt_put16(p, off + 6, op);
	p->buf[off + 8] = 0x02;
	p->buf[off + 13] = 0x01;		/* sender MAC 02:00:00:00:00:01 */
	pkt_put32(p, off + 14, spa);
	pkt_put32(p, off + 24, tpa);
	return off;
}

static inline size_t pkt_payload(struct pkt *p, size_t n, uint8_t byte)
{
	size_t off = pkt_grow(p, n);

	memset(p->buf + off, byte, n);
	return off;
}

/* Fills in the length field of the first IP header from the bytes that follow it. */
static inline void pkt_done(struct pkt *p)
{
	if (p->l3_family == 4)
		pkt_put16(p, p->l3 + 2, (uint16_t)(p->len - p->l3));
	else if (p->l3_family == 6)
		pkt_put16(p, p->l3 + 4, (uint16_t)(p->len - p->l3 - PKT_IPV6_LEN));
}

#endif /* TCPDROP_TEST_PKT_H */
