// SPDX-License-Identifier: GPL-2.0
#include <ares.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tui/lib/clock.h"
#include "tui/lookup/names.h"

enum name_state { NAME_EMPTY, NAME_ASKED, NAME_KNOWN };

struct names;

struct name_entry {
	struct names *owner;	/* for the answer's callback */
	enum name_state state;
	uint8_t family;
	uint8_t addr[16];
	uint64_t expires_ns;
	char name[256];
};

struct names {
	ares_channel channel;
	unsigned int in_flight;
	bool arrived;
	struct name_entry cache[NAMES_CACHE];	/* never moved: a question holds its entry */
};

struct names *names_new(char *why, size_t whylen)
{
	struct ares_options opts = { .timeout = NAMES_TIMEOUT_MS, .tries = 2 };
	struct names *n = calloc(1, sizeof(*n));
	int err;

	if (!n) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	err = ares_library_init(ARES_LIB_INIT_ALL);
	if (!err)
		err = ares_init_options(&n->channel, &opts, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
	if (err) {
		snprintf(why, whylen, "cannot set up a resolver: %s", ares_strerror(err));
		free(n);
		return NULL;
	}
	for (size_t i = 0; i < NAMES_CACHE; i++)
		n->cache[i].owner = n;
	return n;
}

static void answered(void *arg, int status, int timeouts, struct hostent *host)
{
	struct name_entry *e = arg;

	(void)timeouts;
	e->owner->in_flight--;
	if (status == ARES_EDESTRUCTION)
		return;
	e->state = NAME_KNOWN;
	e->name[0] = '\0';
	if (status == ARES_SUCCESS && host && host->h_name)
		snprintf(e->name, sizeof(e->name), "%s", host->h_name);
	e->expires_ns = monotonic_ns() + (e->name[0] ? NAMES_TTL_NS : NAMES_NONE_TTL_NS);
	e->owner->arrived = true;
}

static size_t home_of(uint8_t family, const uint8_t addr[16])
{
	uint64_t h = 1469598103934665603ULL ^ family;

	for (int i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 1099511628211ULL;
	return h % NAMES_CACHE;
}

/* addr's entry, or the one to give it: a free or expired one near its home, else its home. */
static struct name_entry *entry_of(struct names *n, uint8_t family, const uint8_t addr[16],
				   uint64_t now_ns)
{
	size_t home = home_of(family, addr);
	struct name_entry *spare = NULL;

	for (size_t k = 0; k < 8; k++) {
		struct name_entry *e = &n->cache[(home + k) % NAMES_CACHE];

		if (e->state != NAME_EMPTY && e->family == family && !memcmp(e->addr, addr, 16))
			return e;
		if (!spare && (e->state == NAME_EMPTY ||
			       (e->state == NAME_KNOWN && now_ns >= e->expires_ns)))
			spare = e;
	}
	if (!spare && n->cache[home].state == NAME_KNOWN)
		spare = &n->cache[home];
	if (spare) {
		spare->state = NAME_EMPTY;
		spare->family = family;
		memcpy(spare->addr, addr, 16);
	}
	return spare;	/* NULL: every entry near its home waits for an answer */
}

const char *names_get(struct names *n, uint8_t family, const uint8_t addr[16], uint64_t now_ns)
{
	struct name_entry *e = n ? entry_of(n, family, addr, now_ns) : NULL;

	if (!e)
		return NULL;
	if (e->state == NAME_KNOWN && now_ns < e->expires_ns)
		return e->name;
	if (e->state == NAME_ASKED || n->in_flight >= NAMES_IN_FLIGHT)
		return e->state == NAME_KNOWN ? e->name : NULL;
	/* c-ares sends the question now, on a non-blocking socket, and returns. */
	e->state = NAME_ASKED;
	n->in_flight++;
	ares_gethostbyaddr(n->channel, addr, family == 4 ? 4 : 16,
			   family == 4 ? AF_INET : AF_INET6, answered, e);
	return NULL;
}

bool names_process(struct names *n)
{
	ares_socket_t socks[ARES_GETSOCK_MAXNUM];
	struct pollfd fds[ARES_GETSOCK_MAXNUM];
	unsigned int bits;
	int nfds = 0;
	bool arrived;

	if (!n)
		return false;
	/* ares.h's own bit macros shift a signed 1 into the sign bit: the same bits, unsigned. */
	bits = (unsigned int)ares_getsock(n->channel, socks, ARES_GETSOCK_MAXNUM);
	for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
		short events = (bits & 1u << i ? POLLIN : 0) |
			       (bits & 1u << (i + ARES_GETSOCK_MAXNUM) ? POLLOUT : 0);

		if (events)
			fds[nfds++] = (struct pollfd){ .fd = socks[i], .events = events };
	}
	if (nfds && poll(fds, nfds, 0) > 0)
		for (int i = 0; i < nfds; i++)
			ares_process_fd(n->channel,
					fds[i].revents & (POLLIN | POLLERR | POLLHUP) ? fds[i].fd :
					ARES_SOCKET_BAD,
					fds[i].revents & POLLOUT ? fds[i].fd : ARES_SOCKET_BAD);
	/* And the questions whose time is up. */
	ares_process_fd(n->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	arrived = n->arrived;
	n->arrived = false;
	return arrived;
}

void names_free(struct names *n)
{
	if (!n)
		return;
	ares_destroy(n->channel);
	ares_library_cleanup();
	free(n);
}
