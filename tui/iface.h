/* SPDX-License-Identifier: GPL-2.0 */
/* Interfaces: which one carries the default route, and which exist (for error messages). */
#ifndef TCPDROP_IFACE_H
#define TCPDROP_IFACE_H

#include <net/if.h>
#include <stddef.h>

/* Fills name with the default-route interface (IPv4 first, then IPv6). Returns 0 or -1. */
int iface_default_route(char name[IF_NAMESIZE]);
/* Writes "lo eth0 ..." (space separated) into buf. */
void iface_list(char *buf, size_t len);

#endif /* TCPDROP_IFACE_H */
