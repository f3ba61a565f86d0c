/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Least privilege: once the program is loaded and attached, everything else is done through
 * file descriptors already held (maps, ring buffer, link), so the process gives up every
 * capability, and under sudo the root identity too, before it reads a single event.
 */
#ifndef TCPDROP_PRIVS_H
#define TCPDROP_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "tui/lib/error.h"

/*
 * still_works() is called with no effective capability left; when it returns false (a kernel
 * before 6.5 with unprivileged BPF disabled wants CAP_BPF even for a held map fd), CAP_BPF alone
 * is kept. Returns 0, or -errno with e filled.
 */
int privs_drop(bool (*still_works)(void *ctx), void *ctx, bool *kept_cap_bpf, struct error *e);
/* Under sudo, as root: the user who ran it (SUDO_UID, SUDO_GID). False otherwise. */
bool privs_sudo_user(uid_t *uid, gid_t *gid);

#endif /* TCPDROP_PRIVS_H */
