/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where --metrics listens: "[ADDR:]PORT" parsed on the command line (numeric addresses only, so
 * that no name is looked up), and the listening socket, bound while tcpdrop-top still has its
 * privileges and served only after it has dropped them.
 */
#ifndef TCPDROP_LISTEN_H
#define TCPDROP_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* The port we suggest for --metrics: see README, "Metrics". */
#define LISTEN_SUGGESTED_PORT	24040

struct listen_addr {
	bool set;
	bool any;			/* a bare PORT or [::]: every address, IPv6 and IPv4 */
	struct sockaddr_storage ss;	/* the address when !any; the port either way */
	socklen_t len;
	unsigned short port;
	char text[64];			/* for messages: "[::]:24040", "127.0.0.1:24040" */
};

/* Parses "PORT", ":PORT", "IPV4:PORT" or "[IPV6]:PORT"; "[::]:PORT" is a bare PORT, and an
 * IPv4-mapped "[::ffff:a.b.c.d]:PORT" is a.b.c.d. Returns 0, or -1 with why filled. */
int listen_parse(const char *s, struct listen_addr *a, char *why, size_t whylen);
/* A listening, non-blocking TCP socket on a, or -errno. A bare PORT takes IPv6 and IPv4 on one
 * socket, or IPv4 alone where IPv6 is off. */
int listen_open(const struct listen_addr *a);

#endif /* TCPDROP_LISTEN_H */
