/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel says about links and addresses, over rtnetlink (libmnl). Always of the
 * network namespace we run in: sysfs may be another's (nsenter --net does not remount it).
 */
#ifndef TCPDROP_RTNL_H
#define TCPDROP_RTNL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ALTIFNAMSIZ: an alternative name (ip link property add ... altname) may be this long. */
#define RTNL_NAME_MAX	128

struct rtnl_link {
	int index;
	char name[IF_NAMESIZE];		/* the kernel's name, never an altname */
	unsigned int type;		/* ARPHRD_* */
	unsigned int flags;		/* IFF_* */
	unsigned int mtu;
	int master;			/* the bridge, bond, team or VRF it is a port of; 0: none */
	int link;			/* the device under it in this namespace; 0: none */
	char kind[16];			/* "bridge", "vlan", "macvlan", "veth", ...; "": none */
};

struct rtnl_addr {
	int index;			/* the link it is on */
	int family;			/* AF_INET or AF_INET6 */
	unsigned char scope;		/* RT_SCOPE_*: RT_SCOPE_HOST for 127.0.0.1 and ::1 */
	uint8_t addr[16];
};

/*
 * The link called name (its name or any altname) or, when name is NULL, the one with index.
 * Returns 0, -ENODEV when there is none, or another -errno.
 */
int rtnl_link_get(const char *name, int index, struct rtnl_link *link);
/* Every link, in *links (free() it), *n of them. Returns 0 or -errno. */
int rtnl_links(struct rtnl_link **links, size_t *n);
/* Every address of family (AF_INET, AF_INET6), in *addrs (free() it). Returns 0 or -errno. */
int rtnl_addrs(int family, struct rtnl_addr **addrs, size_t *n);

#endif /* TCPDROP_RTNL_H */
