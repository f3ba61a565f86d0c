/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interfaces: the one to watch, which one carries the default route, and which exist (for
 * error messages).
 */
#ifndef TCPDROP_IFACE_H
#define TCPDROP_IFACE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "tui/lib/error.h"

/* Fills name with the default-route interface (IPv4 first, then IPv6). Returns 0 or -1. */
int iface_default_route(char name[IF_NAMESIZE]);
/* Writes "lo eth0 ..." (space separated) into buf. */
void iface_list(char *buf, size_t len);
/* An interface as the kernel of our network namespace tells it, read once at start. */
struct iface {
	char name[IF_NAMESIZE];		/* the kernel's name, also when asked by an altname */
	int index;
	unsigned int type;		/* ARPHRD_* */
	unsigned int mtu;
};

/*
 * The interface to watch: requested (a name or an altname), or the default-route one when
 * requested is empty. Fills iface and returns 0, or a usage error that lists the interfaces
 * there are.
 */
int iface_resolve(const char *requested, struct iface *iface, struct error *e);

/*
 * How frames start on the interface: with an Ethernet header, or (tun, WireGuard, ipip, sit,
 * gre, ppp) at the IP header. Decided once from the device's type; a type tcpdrop-top cannot
 * parse is refused rather than watched to no effect.
 */
int iface_raw_ip(const struct iface *iface, bool *raw_ip, struct error *e);

/* How XDP is attached to it (-m). */
enum xdp_mode {
	XDP_MODE_AUTO,		/* native, falling back to generic */
	XDP_MODE_NATIVE,
	XDP_MODE_SKB,
};

enum link_frames {
	FRAMES_ETHERNET,
	FRAMES_RAW_IP,
	FRAMES_UNKNOWN,
};

/* The rule behind iface_raw_ip(): an ARPHRD_* type, as in /sys/class/net/NAME/type. */
enum link_frames iface_frames_of_type(long type);

#endif /* TCPDROP_IFACE_H */
