// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>

#include "tui/kernel/iface.h"
#include "tui/kernel/rtnl.h"

#ifndef ARPHRD_IP6GRE
#define ARPHRD_IP6GRE	823	/* linux/if_arp.h has it, but clashes with net/if.h */
#endif

/* /proc/net/route: "Iface Destination Gateway Flags RefCnt Use Metric Mask ...", hex fields. */
static int default_route_v4(char name[IF_NAMESIZE])
{
	unsigned long dest, mask, flags, metric, best_metric = ~0UL;
	char line[256], ifname[IF_NAMESIZE];
	FILE *f = fopen("/proc/net/route", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%15s %lx %*x %lx %*d %*d %lu %lx", ifname, &dest, &flags, &metric,
			   &mask) != 5)
			continue;
		/* RTF_UP (0x1); a default route has a zero destination and mask. */
		if (dest || mask || !(flags & 0x1) || metric >= best_metric)
			continue;
		best_metric = metric;
		strcpy(name, ifname);
	}
	fclose(f);
	return best_metric == ~0UL ? -1 : 0;
}

/* /proc/net/ipv6_route: "dest plen src plen next-hop metric refcnt use flags iface". */
static int default_route_v6(char name[IF_NAMESIZE])
{
	char line[512], dest[33], ifname[IF_NAMESIZE];
	unsigned long metric, best_metric = ~0UL;
	unsigned int plen;
	FILE *f = fopen("/proc/net/ipv6_route", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%32s %x %*s %*x %*s %lx %*x %*x %*x %15s", dest, &plen, &metric,
			   ifname) != 4)
			continue;
		if (plen || strspn(dest, "0") != 32 || !strcmp(ifname, "lo") ||
		    metric >= best_metric)
			continue;
		best_metric = metric;
		strcpy(name, ifname);
	}
	fclose(f);
	return best_metric == ~0UL ? -1 : 0;
}

int iface_default_route(char name[IF_NAMESIZE])
{
	return default_route_v4(name) && default_route_v6(name) ? -1 : 0;
}

void iface_list(char *buf, size_t len)
{
	struct if_nameindex *all = if_nameindex(), *i;
	size_t used = 0;

	buf[0] = '\0';
	if (!all)
		return;
	for (i = all; i->if_index && used < len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", used ? " " : "", i->if_name);

		if (n < 0)
			break;
		used += n;
	}
	if_freenameindex(all);
}

int iface_resolve(const char *requested, struct iface *iface, struct error *e)
{
	char names[512], chosen[RTNL_NAME_MAX];
	struct rtnl_link link;
	int err;

	if (requested[0]) {
		snprintf(chosen, sizeof(chosen), "%s", requested);
	} else if (iface_default_route(chosen)) {
		iface_list(names, sizeof(names));
		return error_usage(e, -ENODEV, "no default route to pick an interface from: choose "
				   "one with -i (interfaces: %s)", names);
	}
	/* Over rtnetlink, in our own namespace: sysfs may be another's (nsenter --net), and
	 * the name may be an altname, which sysfs does not know. */
	err = rtnl_link_get(chosen, 0, &link);
	if (err == -ENODEV) {
		iface_list(names, sizeof(names));
		return error_usage(e, -ENODEV, "no interface \"%s\"; interfaces: %s", chosen, names);
	}
	if (err)
		return error_set(e, err, "cannot ask the kernel about interface %s over rtnetlink: "
				 "%s", chosen, strerror(-err));
	memcpy(iface->name, link.name, sizeof(iface->name));
	iface->index = link.index;
	iface->type = link.type;
	iface->mtu = link.mtu;
	return 0;
}

enum link_frames iface_frames_of_type(long type)
{
	switch (type) {
	case ARPHRD_ETHER:
	case ARPHRD_LOOPBACK:	/* XDP sees loopback frames with a zeroed Ethernet header */
		return FRAMES_ETHERNET;
	case ARPHRD_NONE:	/* tun, WireGuard */
	case ARPHRD_TUNNEL:	/* ipip */
	case ARPHRD_TUNNEL6:	/* ip6tnl */
	case ARPHRD_SIT:
	case ARPHRD_IPGRE:
	case ARPHRD_IP6GRE:
	case ARPHRD_PPP:
	case ARPHRD_RAWIP:
		return FRAMES_RAW_IP;
	default:
		return FRAMES_UNKNOWN;
	}
}

int iface_raw_ip(const struct iface *iface, bool *raw_ip, struct error *e)
{
	switch (iface_frames_of_type(iface->type)) {
	case FRAMES_ETHERNET:
		*raw_ip = false;
		return 0;
	case FRAMES_RAW_IP:
		*raw_ip = true;
		return 0;
	default:
		return error_usage(e, -EOPNOTSUPP, "%s has link type %u, which is neither Ethernet "
				   "nor raw IP: tcpdrop-top cannot parse its frames, so it will not "
				   "pretend to watch it (see /usr/include/linux/if_arp.h for the type)",
				   iface->name, iface->type);
	}
}
