/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SSH guard: a user who runs tcpdrop-top over SSH and watches the port that session came in
 * on would cut the session, and could never type q. Refuse unless --force or the client is
 * excepted.
 */
#ifndef TCPDROP_SSHGUARD_H
#define TCPDROP_SSHGUARD_H

#include "error.h"
#include "except.h"
#include "ports.h"

/*
 * Looks for SSH_CONNECTION in our environment, then in our ancestors' (sudo resets the
 * environment). The session is cut when its port is watched and its packets arrive through
 * the interface (ifindex, named ifname): its server address is on it, on a device stacked on
 * it (bridge, bond, VLAN, macvlan), or on lo. Returns 0 when the watched ports leave that
 * session alone, or a usage error that names the session and the ways out.
 */
int sshguard_check(int ifindex, const char *ifname, const struct port_set *ports,
		   const struct except_set *excepts, struct error *e);

#endif /* TCPDROP_SSHGUARD_H */
