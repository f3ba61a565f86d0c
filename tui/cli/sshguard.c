// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/cli/sshguard.h"
#include "tui/kernel/rtnl.h"

struct ssh_session {
	char client[INET6_ADDRSTRLEN];
	char server[INET6_ADDRSTRLEN];
	unsigned int server_port;
};

/* SSH_CONNECTION is "CLIENT_IP CLIENT_PORT SERVER_IP SERVER_PORT". */
static bool parse_session(const char *value, struct ssh_session *s)
{
	if (sscanf(value, "%45s %*u %45s %u", s->client, s->server, &s->server_port) != 3 ||
	    s->server_port > 65535)
		return false;
	s->client[strcspn(s->client, "%")] = '\0';	/* fe80::1%eth0: the scope is not ours */
	s->server[strcspn(s->server, "%")] = '\0';
	return true;
}

/* The value of SSH_CONNECTION in /proc/PID/environ, NUL-separated "NAME=value" strings. */
static bool session_of(pid_t pid, struct ssh_session *s)
{
	static const char name[] = "SSH_CONNECTION=";
	char path[64], env[65536];
	size_t n, at;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	n = fread(env, 1, sizeof(env) - 1, f);
	fclose(f);
	env[n] = '\0';
	for (at = 0; at < n; at += strlen(env + at) + 1)
		if (!strncmp(env + at, name, sizeof(name) - 1))
			return parse_session(env + at + sizeof(name) - 1, s);
	return false;
}

static pid_t parent_of(pid_t pid)
{
	char path[64], line[256];
	int ppid = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "PPid: %d", &ppid) == 1)
			break;
	fclose(f);
	return ppid;
}

static bool find_session(struct ssh_session *s)
{
	const char *own = getenv("SSH_CONNECTION");

	if (own)
		return parse_session(own, s);
	for (pid_t pid = getppid(); pid > 1; pid = parent_of(pid))
		if (session_of(pid, s))
			return true;
	return false;
}

/* The other end of a pair, not a device stacked on this one, though its link names it. */
static bool pair_kind(const char *kind)
{
	return !strcmp(kind, "veth") || !strcmp(kind, "netkit");
}

static bool listed(const int *set, size_t n, int index)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == index)
			return true;
	return false;
}

/* Adds index to the count in stack, unless it is there or the stack (of size) is full. */
static size_t push(int *stack, size_t count, size_t size, int index)
{
	if (count < size && !listed(stack, count, index))
		stack[count++] = index;
	return count;
}

/*
 * Fills stack with ifindex and every device that receives what arrives on it, however deep:
 * the bridge, bond or team it is a port of, the VLAN, macvlan or ipvlan over it, and so on up
 * (a VLAN of a bridge of a bond). Returns how many; stack holds n + 1.
 */
static size_t stack_of(const struct rtnl_link *links, size_t n, int ifindex, int *stack)
{
	size_t count = 0, done = 0;

	count = push(stack, count, n + 1, ifindex);
	while (done < count) {
		int below = stack[done++];

		for (size_t i = 0; i < n; i++) {
			const struct rtnl_link *l = &links[i];

			if (l->index == below && l->master)
				count = push(stack, count, n + 1, l->master);
			if (l->link == below && !pair_kind(l->kind))
				count = push(stack, count, n + 1, l->index);
		}
	}
	return count;
}

/*
 * Whether packets to the local address addr arrive through ifindex: the address is on it, on
 * a device stacked on it, or on a loopback device (a VIP, reached through any interface), not
 * as 127.0.0.1 or ::1 are. When the kernel cannot be asked, it may: true.
 */
static bool arrives_on(int ifindex, int family, const uint8_t *addr)
{
	struct rtnl_link *links = NULL;
	struct rtnl_addr *addrs = NULL;
	size_t nlinks, naddrs, nstack;
	bool on = true;
	int *stack;

	if (rtnl_links(&links, &nlinks) || rtnl_addrs(family, &addrs, &naddrs))
		goto out;
	stack = malloc((nlinks + 1) * sizeof(*stack));
	if (!stack)
		goto out;
	nstack = stack_of(links, nlinks, ifindex, stack);
	on = false;
	for (size_t i = 0; i < naddrs && !on; i++) {
		const struct rtnl_addr *a = &addrs[i];

		if (memcmp(a->addr, addr, family == AF_INET ? 4 : 16))
			continue;
		on = listed(stack, nstack, a->index);
		for (size_t j = 0; j < nlinks && !on; j++)
			on = links[j].index == a->index && (links[j].flags & IFF_LOOPBACK) &&
			     a->scope < RT_SCOPE_HOST;
	}
	free(stack);
out:
	free(links);
	free(addrs);
	return on;
}

/* An address from SSH_CONNECTION as bytes; an IPv4-mapped IPv6 address is the IPv4 one. */
static int address_of(const char *text, uint8_t addr[16])
{
	if (inet_pton(AF_INET, text, addr) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, text, addr) != 1)
		return 0;
	if (!IN6_IS_ADDR_V4MAPPED((struct in6_addr *)addr))
		return AF_INET6;
	memmove(addr, addr + 12, 4);
	return AF_INET;
}

int sshguard_check(enum sshguard_when when, int ifindex, const char *ifname,
		   const struct port_set *ports, const struct options *opts, struct error *e)
{
	uint8_t server[16], client[16];
	char set[64], which[96];
	struct ssh_session s;
	int family, client_family;

	if (opts->force || !find_session(&s) || !ports_contains(ports, s.server_port))
		return 0;
	family = address_of(s.server, server);
	if (!family || !arrives_on(ifindex, family, server))
		return 0;
	client_family = address_of(s.client, client);
	if (client_family) {
		if (except_contains(&opts->excepts, client_family == AF_INET ? 4 : 6, client))
			return 0;
		/* Named as --except would take it: ::ffff:198.51.100.7 as 198.51.100.7. */
		inet_ntop(client_family, client, s.client, sizeof(s.client));
	}
	/* The set as it was given; when more than the session's port, which one it is. */
	ports_format(ports, set, sizeof(set));
	if (snprintf(which, sizeof(which), "%u", s.server_port) > 0 && strcmp(set, which))
		snprintf(which, sizeof(which), "%s (which includes %u)", set, s.server_port);
	if (when == SSHGUARD_LIVE) {
		if (opts->dry_run)
			return 0;
		return error_usage(e, -EPERM, "not applied: this would cut your SSH session from "
				   "%s on %s (port %u)", s.client, ifname, s.server_port);
	}
	if (opts->dry_run) {
		say(stderr, "-p %s would cut your own SSH session from %s on %s, but a dry run "
		    "drops nothing: the SSH guard stands aside", which, s.client, ifname);
		return 0;
	}
	return error_usage(e, -EPERM, "-p %s would cut your own SSH session from %s on %s: add "
			   "--except %s or --force", which, s.client, ifname, s.client);
}
