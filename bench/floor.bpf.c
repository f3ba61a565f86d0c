// SPDX-License-Identifier: GPL-2.0
/*
 * The reference points of make bench: the cheapest possible XDP programs, and the classic tutorial
 * program tcpdrop-top grew out of.
 *
 * GPL-2.0 rather than the product's dual licence because bpf_printk() (bpf_trace_printk) is a
 * GPL-only helper. bpf_printk is allowed ONLY here, in this benchmark baseline, to show what it
 * costs; the product itself must never use it.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* The floor for every pass path: nothing but the XDP call itself. */
SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* The floor for every drop path, and the empty program of the flood. */
SEC("xdp")
int xdp_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

/*
 * The tutorial way: Ethernet + IPv4 + TCP, options and doff trusted, no VLANs, no IPv6, and a line
 * of text in the trace buffer for every TCP packet. Written plainly on purpose: it is the baseline,
 * not something to improve.
 */
SEC("xdp")
int printk_baseline(struct xdp_md *ctx)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *data = (void *)(long)ctx->data;
	struct ethhdr *eth = data;
	struct iphdr *iph;
	struct tcphdr *tcph;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	iph = (void *)(eth + 1);
	if ((void *)(iph + 1) > data_end)
		return XDP_PASS;
	if (iph->protocol != IPPROTO_TCP)
		return XDP_PASS;
	tcph = (void *)iph + iph->ihl * 4;
	if ((void *)(tcph + 1) > data_end)
		return XDP_PASS;

	bpf_printk("src port %d dst port %d", bpf_ntohs(tcph->source), bpf_ntohs(tcph->dest));
	if (tcph->dest == bpf_htons(4040))
		return XDP_DROP;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
