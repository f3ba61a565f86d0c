/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Header parsers for XDP. Each takes a cursor and data_end, checks bounds before every read,
 * advances the cursor past the header and returns what comes next. A negative return means
 * the packet is truncated or malformed.
 */
#ifndef TCPDROP_PARSE_H
#define TCPDROP_PARSE_H

#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <stdbool.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "../common/tcpdrop.h"

#define PARSE_MALFORMED		(-1)
#define PARSE_LATER_FRAGMENT	(-2)	/* not TCP's header: pass, and not malformed */
#define PARSE_UNPARSED		(-3)	/* too deep a header chain: pass, and not malformed */

#define IP_OFFSET_MASK		0x1fff
#define IP_MORE_FRAGMENTS	0x2000
#define IPV6_FRAG_OFFSET_MASK	0xfff8

struct cursor {
	void *pos;
};

struct vlan_tag {
	__be16 tci;
	__be16 encapsulated_proto;
};

static __always_inline int proto_is_vlan(__u16 h_proto)
{
	return h_proto == bpf_htons(ETH_P_8021Q) || h_proto == bpf_htons(ETH_P_8021AD);
}

/* Returns the EtherType after up to TCPDROP_MAX_VLAN tags (network order); *vlan_id gets the
 * outermost tag's id. A frame with more tags returns the next tag's EtherType, which nobody
 * matches, so it passes. */
static __always_inline int parse_ethhdr(struct cursor *c, void *data_end, __u16 *vlan_id)
{
	struct ethhdr *eth = c->pos;
	struct vlan_tag *tag;
	__u16 h_proto;
	int i;

	if ((void *)(eth + 1) > data_end)
		return PARSE_MALFORMED;
	c->pos = eth + 1;
	/* One load: the header is packed, so its field would be read a byte at a time. */
	h_proto = *(__u16 *)((void *)eth + offsetof(struct ethhdr, h_proto));
	*vlan_id = 0;

#pragma unroll
	for (i = 0; i < TCPDROP_MAX_VLAN; i++) {
		if (!proto_is_vlan(h_proto))
			break;
		tag = c->pos;
		if ((void *)(tag + 1) > data_end)
			return PARSE_MALFORMED;
		if (i == 0)
			*vlan_id = bpf_ntohs(tag->tci) & 0x0fff;
		h_proto = tag->encapsulated_proto;
		c->pos = tag + 1;
	}
	return h_proto;
}

/* On a device without a link-layer header (tun, WireGuard, ipip, sit, ppp) the frame starts
 * at the IP header: its version nibble says which. Returns the EtherType it stands for. */
static __always_inline int parse_raw_ip(struct cursor *c, void *data_end)
{
	__u8 *version = c->pos;

	if ((void *)(version + 1) > data_end)
		return PARSE_MALFORMED;
	switch (*version >> 4) {
	case 4:
		return bpf_htons(ETH_P_IP);
	case 6:
		return bpf_htons(ETH_P_IPV6);
	default:
		return PARSE_UNPARSED;
	}
}

/* Returns the IP protocol of a first fragment or unfragmented packet; *first_fragment says
 * whether more fragments follow, so the transport header may be cut short. */
static __always_inline int parse_iphdr(struct cursor *c, void *data_end, struct iphdr **iph_out,
				       bool *first_fragment)
{
	struct iphdr *iph = c->pos;
	int hdrsize;

	if ((void *)(iph + 1) > data_end)
		return PARSE_MALFORMED;
	if (iph->version != 4 || iph->ihl < 5)
		return PARSE_MALFORMED;
	hdrsize = iph->ihl * 4;
	if (c->pos + hdrsize > data_end)
		return PARSE_MALFORMED;
	if (iph->frag_off & bpf_htons(IP_OFFSET_MASK))
		return PARSE_LATER_FRAGMENT;
	*first_fragment = iph->frag_off & bpf_htons(IP_MORE_FRAGMENTS);
	c->pos += hdrsize;
	*iph_out = iph;
	return iph->protocol;
}

struct ipv6_ext {
	__u8 nexthdr;
	__u8 hdrlen;
	__be16 frag_off;	/* only meaningful in a fragment header */
};

static __always_inline int ipv6_is_ext(__u8 nexthdr)
{
	return nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING ||
	       nexthdr == IPPROTO_DSTOPTS || nexthdr == IPPROTO_FRAGMENT;
}

/* Walks hop-by-hop, routing, destination-options and fragment headers; returns the upper-layer
 * protocol. *first_fragment is set when a fragment header with offset 0 was crossed. */
static __always_inline int parse_ipv6hdr(struct cursor *c, void *data_end,
					 struct ipv6hdr **ip6h_out, bool *first_fragment)
{
	struct ipv6hdr *ip6h = c->pos;
	struct ipv6_ext *ext;
	__u8 nexthdr;
	int i, size;

	if ((void *)(ip6h + 1) > data_end)
		return PARSE_MALFORMED;
	if (ip6h->version != 6)
		return PARSE_MALFORMED;
	c->pos = ip6h + 1;
	*ip6h_out = ip6h;
	nexthdr = ip6h->nexthdr;
	/* The usual case, TCP at once, with one test rather than the walk's four. */
	if (nexthdr == IPPROTO_TCP)
		return nexthdr;

#pragma unroll
	for (i = 0; i < TCPDROP_MAX_IPV6_EXT; i++) {
		if (!ipv6_is_ext(nexthdr))
			return nexthdr;
		ext = c->pos;
		if ((void *)(ext + 1) > data_end)
			return PARSE_MALFORMED;
		if (nexthdr == IPPROTO_FRAGMENT) {
			if (ext->frag_off & bpf_htons(IPV6_FRAG_OFFSET_MASK))
				return PARSE_LATER_FRAGMENT;
			*first_fragment = true;
			size = 8;
		} else {
			size = (ext->hdrlen + 1) * 8;
		}
		/* A header cut short is malformed whatever follows it, TCP or not. */
		if (c->pos + size > data_end)
			return PARSE_MALFORMED;
		nexthdr = ext->nexthdr;
		c->pos += size;
	}
	return ipv6_is_ext(nexthdr) ? PARSE_UNPARSED : nexthdr;
}

static __always_inline int parse_tcphdr(struct cursor *c, void *data_end, struct tcphdr **tcph_out)
{
	struct tcphdr *tcph = c->pos;

	if ((void *)(tcph + 1) > data_end)
		return PARSE_MALFORMED;
	if (tcph->doff < 5)
		return PARSE_MALFORMED;
	if (c->pos + tcph->doff * 4 > data_end)
		return PARSE_MALFORMED;
	c->pos += tcph->doff * 4;
	*tcph_out = tcph;
	return 0;
}

struct tcp_ports {
	__be16 source;
	__be16 dest;
};

/*
 * A first fragment may carry less than a whole TCP header: a "tiny fragment" (RFC 1858) whose
 * ports are there and whose rest follows in later fragments that pass. Its ports alone decide,
 * else the segment would reach the watched port after reassembly.
 */
static __always_inline int parse_tcp_ports(struct cursor *c, void *data_end,
					   struct tcp_ports **ports_out)
{
	struct tcp_ports *ports = c->pos;

	if ((void *)(ports + 1) > data_end)
		return PARSE_MALFORMED;
	*ports_out = ports;
	return 0;
}

#endif /* TCPDROP_PARSE_H */
