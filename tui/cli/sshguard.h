/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SSH guard: a user who runs tcpdrop-top over SSH and watches the port that session came in
 * on would cut the session, and could never type q. Refuse unless --force or the client is
 * excepted.
 */
#ifndef TCPDROP_SSHGUARD_H
#define TCPDROP_SSHGUARD_H

#include "tui/cli/cli.h"
#include "tui/lib/error.h"
#include "tui/watch/ports.h"

/* At start the way out is an option; in the live view the new set is just not applied. */
enum sshguard_when {
	SSHGUARD_START,
	SSHGUARD_LIVE,
};

/*
 * Looks for SSH_CONNECTION in our environment, then in our ancestors' (sudo resets the
 * environment). The session is cut when its port is watched and its packets arrive through
 * the interface (ifindex, named ifname): its server address is on it, on a device stacked on
 * it (bridge, bond, VLAN, macvlan), or on lo. Returns 0 when the ports leave that session
 * alone, under --force, or in a dry run, which drops nothing (at start it says so on stderr);
 * else a usage error that names the session and, at start, the ways out.
 */
int sshguard_check(enum sshguard_when when, int ifindex, const char *ifname,
		   const struct port_set *ports, const struct options *opts, struct error *e);

#endif /* TCPDROP_SSHGUARD_H */
