/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reverse-DNS names of the sources on the screen, looked up with c-ares without ever blocking:
 * a name that is not known yet is asked for and shown when it comes, at most NAMES_IN_FLIGHT
 * questions at a time; answers, and the lack of one, are kept for a while.
 */
#ifndef TCPDROP_NAMES_H
#define TCPDROP_NAMES_H

#include <stdbool.h>
#include <stdint.h>

#define NAMES_CACHE		4096	/* addresses remembered */
#define NAMES_IN_FLIGHT		32	/* questions waiting for their answer, at most */
#define NAMES_TTL_NS		(600 * 1000000000ULL)	/* a name is asked again after this */
#define NAMES_NONE_TTL_NS	(60 * 1000000000ULL)	/* and no name, or no answer, after this */
#define NAMES_TIMEOUT_MS	2000	/* a question's wait for its answer, each of 2 tries */

struct names;

/* A resolver from the system's configuration (/etc/resolv.conf); NULL with why filled. */
struct names *names_new(char *why, size_t whylen);
/*
 * addr's name: NULL while it is not known (it is then asked for, unless NAMES_IN_FLIGHT are
 * waiting already), "" when it has none. Valid until the next call.
 */
const char *names_get(struct names *n, uint8_t family, const uint8_t addr[16], uint64_t now_ns);
/* Takes in the answers that have come, without waiting; true when a name arrived. */
bool names_process(struct names *n);
void names_free(struct names *n);

#endif /* TCPDROP_NAMES_H */
