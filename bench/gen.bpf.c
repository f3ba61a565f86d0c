// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The kernel-speed flood of make bench (bench gen): run by BPF_PROG_TEST_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES, it gives each copy of an IPv6 SYN a source address and redirects
 * it out of a veth, whose peer's native XDP then sees xdp_frames as from a NIC: no skb, no
 * socket, nothing between the two programs but the veth's ring. Nothing here ships.
 *
 * The sources of a run, frame by frame (i counts the frames of this CPU):
 *   nsources 1	one source, 2001:db8::2
 *   nsources N	N spoofed sources (a power of two), 2001:db8:1::/96 plus an index that visits
 *		all N once every N frames, in a scrambled order
 *   heavy H	besides, frames with i % 100 < H come from heavy source i % 100, 2001:db8:2::1
 *		on: each sends 1% of the frames, and the bench knows its count exactly
 * Each CPU's generator starts its spoofed sequence at its own offset, so two of them send
 * different spoofed sources but the same heavy ones.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define MAX_CPUS	256

const volatile __u32 out_ifindex = 0;
const volatile __u32 nsources = 1;	/* a power of two */
const volatile __u32 heavy = 0;		/* 0 to 100 */

/* Per CPU, each in its own cache line: the frames sent, and the spoofed ones among them. */
struct seq {
	__u64 frames;
	__u64 spoofed;
	__u64 pad[6];
};

struct seq seqs[MAX_CPUS];

SEC("xdp")
int gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);
	__u32 cpu = bpf_get_smp_processor_id() % MAX_CPUS;
	struct seq *s = &seqs[cpu];
	__u32 hi = 0, lo = 2, k, idx;	/* the frame comes as 2001:db8::2 */

	if ((void *)(ip6 + 1) > data_end)
		return XDP_ABORTED;
	k = s->frames++ % 100;
	if (k < heavy) {
		hi = 2;
		lo = k + 1;
	} else if (nsources > 1) {
		/* An odd multiplier and a right xorshift are both bijections modulo 2^n: every
		 * source once a cycle, neighbours far apart. */
		idx = (__u32)(s->spoofed++ + ((__u64)cpu << 19)) * 0x9e3779b1u & (nsources - 1);
		hi = 1;
		lo = idx ^ idx >> 7;
	}
	/* Written only when it changes: a frame's page comes back with the address it left
	 * with, and a line left clean is not pulled back from the receiver's cache. */
	if (ip6->saddr.in6_u.u6_addr32[3] != bpf_htonl(lo) ||
	    ip6->saddr.in6_u.u6_addr32[1] != bpf_htonl(hi)) {
		ip6->saddr.in6_u.u6_addr32[1] = bpf_htonl(hi);
		ip6->saddr.in6_u.u6_addr32[3] = bpf_htonl(lo);
	}
	return bpf_redirect(out_ifindex, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
