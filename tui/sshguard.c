// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sshguard.h"

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

/* Whether addr is one of ifname's addresses: then the session arrives on it. */
static bool address_on(const char *ifname, int family, const void *addr)
{
	struct ifaddrs *all, *i;
	bool found = false;

	if (getifaddrs(&all))
		return false;
	for (i = all; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != family || strcmp(i->ifa_name, ifname))
			continue;
		if (family == AF_INET)
			found = !memcmp(&((struct sockaddr_in *)i->ifa_addr)->sin_addr, addr, 4);
		else
			found = !memcmp(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, addr, 16);
	}
	freeifaddrs(all);
	return found;
}

int sshguard_check(const char *ifname, const struct port_set *ports,
		   const struct except_set *excepts, struct error *e)
{
	uint8_t server[16], client[16];
	struct ssh_session s;
	int family;

	if (!find_session(&s) || !ports_contains(ports, s.server_port))
		return 0;
	family = strchr(s.server, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, s.server, server) != 1 || !address_on(ifname, family, server))
		return 0;
	if (inet_pton(strchr(s.client, ':') ? AF_INET6 : AF_INET, s.client, client) == 1 &&
	    except_contains(excepts, strchr(s.client, ':') ? 6 : 4, client))
		return 0;
	return error_usage(e, -EPERM, "-p %u would cut your own SSH session from %s on %s: add "
			   "--except %s or --force", s.server_port, s.client, ifname, s.client);
}
