// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tui/cli/listen.h"

static int parse_port(const char *s, unsigned short *port)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 5)
		return -1;
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*port = v;
	return 0;
}

/* v4's address is set: the rest of it, and the text, which is the address as inet_ntop writes
 * it. */
static void set_ipv4(struct listen_addr *a, struct sockaddr_in *v4)
{
	char text[INET_ADDRSTRLEN];

	v4->sin_family = AF_INET;
	v4->sin_port = htons(a->port);
	a->len = sizeof(*v4);
	inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
	snprintf(a->text, sizeof(a->text), "%s:%u", text, a->port);
}

int listen_parse(const char *s, struct listen_addr *a, char *why, size_t whylen)
{
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&a->ss;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&a->ss;
	const char *colon = strrchr(s, ':'), *port = colon ? colon + 1 : s;
	char host[INET6_ADDRSTRLEN + 2];
	size_t hostlen = colon ? (size_t)(colon - s) : 0;

	memset(a, 0, sizeof(*a));
	if (parse_port(port, &a->port)) {
		snprintf(why, whylen, "\"%s\" has no port from 1 to 65535: want [ADDR:]PORT, e.g. "
			 "%u or 127.0.0.1:%u", s, LISTEN_SUGGESTED_PORT, LISTEN_SUGGESTED_PORT);
		return -1;
	}
	if (hostlen >= sizeof(host))
		goto bad_addr;
	memcpy(host, s, hostlen);
	host[hostlen] = '\0';
	if (hostlen == 0) {
		a->any = true;
		snprintf(a->text, sizeof(a->text), "[::]:%u", a->port);
	} else if (host[0] == '[' && host[hostlen - 1] == ']') {
		struct in6_addr in6;

		host[hostlen - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &in6) != 1)
			goto bad_addr;
		if (IN6_IS_ADDR_UNSPECIFIED(&in6)) {
			/* [::] is what a bare PORT prints: let it mean the same, both families. */
			a->any = true;
			snprintf(a->text, sizeof(a->text), "[::]:%u", a->port);
		} else if (IN6_IS_ADDR_V4MAPPED(&in6)) {
			/* An IPv6 socket cannot be bound to one (EINVAL): it is that IPv4 address. */
			memcpy(&v4->sin_addr, &in6.s6_addr[12], sizeof(v4->sin_addr));
			set_ipv4(a, v4);
		} else {
			v6->sin6_family = AF_INET6;
			v6->sin6_addr = in6;
			v6->sin6_port = htons(a->port);
			a->len = sizeof(*v6);
			snprintf(a->text, sizeof(a->text), "[%s]:%u", host + 1, a->port);
		}
	} else if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		set_ipv4(a, v4);
	} else {
		goto bad_addr;
	}
	a->set = true;
	return 0;
bad_addr:
	snprintf(why, whylen, "\"%s\": the address before the port must be a numeric IPv4 "
		 "address or an IPv6 one in brackets, e.g. 127.0.0.1:%u or [::1]:%u", s,
		 LISTEN_SUGGESTED_PORT, LISTEN_SUGGESTED_PORT);
	return -1;
}

static int open_on(int family, const struct sockaddr *sa, socklen_t len, bool dual)
{
	int one = 1, zero = 0, fd, err;

	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A restarted service binds again at once, past connections in TIME_WAIT. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, dual ? &zero : &one, sizeof(int))) ||
	    bind(fd, sa, len) || listen(fd, 128)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int listen_open(const struct listen_addr *a)
{
	struct sockaddr_in6 any6 = {
		.sin6_family = AF_INET6, .sin6_port = htons(a->port), .sin6_addr = IN6ADDR_ANY_INIT,
	};
	struct sockaddr_in any4 = {
		.sin_family = AF_INET, .sin_port = htons(a->port),
		.sin_addr.s_addr = htonl(INADDR_ANY),
	};
	int fd;

	if (!a->any)
		return open_on(a->ss.ss_family, (const struct sockaddr *)&a->ss, a->len, false);
	fd = open_on(AF_INET6, (const struct sockaddr *)&any6, sizeof(any6), true);
	if (fd == -EAFNOSUPPORT || fd == -EADDRNOTAVAIL)	/* IPv6 off in this kernel */
		fd = open_on(AF_INET, (const struct sockaddr *)&any4, sizeof(any4), false);
	return fd;
}
