/* SPDX-License-Identifier: GPL-2.0 */
/* Interfaces: which one carries the default route, and which exist (for error messages). */
#ifndef TCPDROP_IFACE_H
#define TCPDROP_IFACE_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* Fills name with the default-route interface (IPv4 first, then IPv6). Returns 0 or -1. */
int iface_default_route(char name[IF_NAMESIZE]);
/* Writes "lo eth0 ..." (space separated) into buf. */
void iface_list(char *buf, size_t len);
/*
 * The interface to watch: requested, or the default-route one when requested is empty. Fills
 * name and *ifindex and returns 0, or a usage error that lists the interfaces there are.
 */
int iface_resolve(const char *requested, char name[IF_NAMESIZE], int *ifindex, struct error *e);

/*
 * How frames start on the interface: with an Ethernet header, or (tun, WireGuard, ipip, sit,
 * gre, ppp) at the IP header. Decided once from the device's type; a type tcpdrop-top cannot
 * parse is refused rather than watched to no effect.
 */
int iface_raw_ip(const char *name, bool *raw_ip, struct error *e);

enum link_frames {
	FRAMES_ETHERNET,
	FRAMES_RAW_IP,
	FRAMES_UNKNOWN,
};

/* The rule behind iface_raw_ip(): an ARPHRD_* type from /sys/class/net/NAME/type. */
enum link_frames iface_frames_of_type(long type);
/* The interface's MTU, or 0 when unknown. */
unsigned int iface_mtu(const char *name);

#endif /* TCPDROP_IFACE_H */
