// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tui/kernel/rtnl.h"

/* A dump answers in messages of up to 32 KiB: a smaller buffer truncates them. */
#define RTNL_RECV_SIZE	32768
/* A request: one link, by name or index (MNL_SOCKET_BUFFER_SIZE at its largest). */
#define RTNL_SEND_SIZE	8192

/* Sends req on a socket of its own and hands each answer to cb until the kernel is done. */
static int rtnl_talk(struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	static char buf[RTNL_RECV_SIZE];
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	unsigned int portid;
	int ret;

	if (!nl)
		return -errno;
	req->nlmsg_seq = 1;	/* the socket is ours alone */
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(nl, req, req->nlmsg_len) < 0) {
		ret = -errno;
		goto cleanup;
	}
	portid = mnl_socket_get_portid(nl);
	/* A dump ends with NLMSG_DONE, a request (sent with NLM_F_ACK) with its ack. */
	do {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret > 0)
			ret = mnl_cb_run(buf, ret, req->nlmsg_seq, portid, cb, data);
	} while (ret > 0);
	ret = ret < 0 ? -(errno ? errno : EIO) : 0;
cleanup:
	mnl_socket_close(nl);
	return ret;
}

struct attrs {
	const struct nlattr **tb;
	unsigned int max;
};

/* Keeps each attribute the headers know of; newer ones are skipped. */
static int keep_attr(const struct nlattr *a, void *data)
{
	struct attrs *t = data;

	if (mnl_attr_get_type(a) <= t->max)
		t->tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static unsigned int attr_u32(const struct nlattr *a)
{
	return a && !mnl_attr_validate(a, MNL_TYPE_U32) ? mnl_attr_get_u32(a) : 0;
}

static void attr_str(const struct nlattr *a, char *buf, size_t len)
{
	buf[0] = '\0';
	if (a && !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
		snprintf(buf, len, "%s", mnl_attr_get_str(a));
}

/* Returns false for a message that is not a link. */
static bool parse_link(const struct nlmsghdr *nlh, struct rtnl_link *l)
{
	const struct nlattr *tb[IFLA_MAX + 1] = {}, *info[IFLA_INFO_MAX + 1] = {};
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi) ||
	    mnl_attr_parse(nlh, sizeof(*ifi), keep_attr, &(struct attrs){ tb, IFLA_MAX }) < 0)
		return false;
	memset(l, 0, sizeof(*l));
	l->index = ifi->ifi_index;
	l->type = ifi->ifi_type;
	l->flags = ifi->ifi_flags;
	attr_str(tb[IFLA_IFNAME], l->name, sizeof(l->name));
	l->mtu = attr_u32(tb[IFLA_MTU]);
	l->master = attr_u32(tb[IFLA_MASTER]);
	/* With a namespace id, the index is of another namespace: nothing of ours. */
	if (!tb[IFLA_LINK_NETNSID])
		l->link = attr_u32(tb[IFLA_LINK]);
	if (tb[IFLA_LINKINFO] && !mnl_attr_validate(tb[IFLA_LINKINFO], MNL_TYPE_NESTED) &&
	    mnl_attr_parse_nested(tb[IFLA_LINKINFO], keep_attr,
				  &(struct attrs){ info, IFLA_INFO_MAX }) >= 0)
		attr_str(info[IFLA_INFO_KIND], l->kind, sizeof(l->kind));
	return l->index > 0;
}

struct found_link {
	struct rtnl_link *link;
	bool found;
};

static int one_link(const struct nlmsghdr *nlh, void *data)
{
	struct found_link *f = data;

	if (!f->found)
		f->found = parse_link(nlh, f->link);
	return MNL_CB_OK;
}

int rtnl_link_get(const char *name, int index, struct rtnl_link *link)
{
	char buf[RTNL_SEND_SIZE] = {};	/* attributes leave their padding as it was */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct found_link f = { .link = link };
	struct ifinfomsg *ifi;
	int err;

	if (name && (!name[0] || strlen(name) >= RTNL_NAME_MAX))
		return -ENODEV;
	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	if (name)	/* the kernel looks either attribute up among names and altnames */
		mnl_attr_put_strz(nlh, strlen(name) < IF_NAMESIZE ? IFLA_IFNAME : IFLA_ALT_IFNAME,
				  name);
	else
		ifi->ifi_index = index;
	err = rtnl_talk(nlh, one_link, &f);
	if (!err && !f.found)
		err = -ENODEV;
	return err;
}

/* A growing array of items of one size. */
struct list {
	void *items;
	size_t n, cap, size;
};

static void *list_add(struct list *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		void *items = realloc(l->items, cap * l->size);

		if (!items)
			return NULL;
		l->items = items;
		l->cap = cap;
	}
	return (char *)l->items + l->n++ * l->size;
}

static int each_link(const struct nlmsghdr *nlh, void *data)
{
	struct rtnl_link link, *slot;

	if (!parse_link(nlh, &link))
		return MNL_CB_OK;
	slot = list_add(data);
	if (!slot) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	*slot = link;
	return MNL_CB_OK;
}

static int each_addr(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = {}, *a;
	struct rtnl_addr *slot;
	size_t len;

	if (nlh->nlmsg_type != RTM_NEWADDR || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa) ||
	    mnl_attr_parse(nlh, sizeof(*ifa), keep_attr, &(struct attrs){ tb, IFA_MAX }) < 0)
		return MNL_CB_OK;
	/* IFA_LOCAL is ours; IFA_ADDRESS is the peer's on a point-to-point link that has one. */
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	len = ifa->ifa_family == AF_INET ? 4 : 16;
	if (!a || (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6) ||
	    mnl_attr_get_payload_len(a) != len)
		return MNL_CB_OK;
	slot = list_add(data);
	if (!slot) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	memset(slot, 0, sizeof(*slot));
	slot->index = ifa->ifa_index;
	slot->family = ifa->ifa_family;
	slot->scope = ifa->ifa_scope;
	memcpy(slot->addr, mnl_attr_get_payload(a), len);
	return MNL_CB_OK;
}

static int dump(int type, int family, size_t header, mnl_cb_t cb, struct list *l)
{
	char buf[RTNL_SEND_SIZE] = {};	/* attributes leave their padding as it was */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *gen;
	int err;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	gen = mnl_nlmsg_put_extra_header(nlh, header);	/* zeroed */
	gen->rtgen_family = family;	/* the first byte of ifinfomsg and ifaddrmsg alike */
	err = rtnl_talk(nlh, cb, l);
	if (err) {
		free(l->items);
		l->items = NULL;
		l->n = 0;
	}
	return err;
}

int rtnl_links(struct rtnl_link **links, size_t *n)
{
	struct list l = { .size = sizeof(**links) };
	int err = dump(RTM_GETLINK, AF_UNSPEC, sizeof(struct ifinfomsg), each_link, &l);

	*links = l.items;
	*n = l.n;
	return err;
}

int rtnl_addrs(int family, struct rtnl_addr **addrs, size_t *n)
{
	struct list l = { .size = sizeof(**addrs) };
	int err;

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	err = dump(RTM_GETADDR, family, sizeof(struct ifaddrmsg), each_addr, &l);
	*addrs = l.items;
	*n = l.n;
	return err;
}
