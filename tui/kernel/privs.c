// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "tui/kernel/privs.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static int caps_set(__u64 effective, __u64 permitted)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {
		{ .effective = effective, .permitted = permitted },
		{ .effective = effective >> 32, .permitted = permitted >> 32 },
	};

	return syscall(SYS_capset, &hdr, data);
}

/* Under sudo, the user who ran it; otherwise nobody to switch to. */
bool privs_sudo_user(uid_t *uid, gid_t *gid)
{
	const char *u = getenv("SUDO_UID"), *g = getenv("SUDO_GID");
	char *end;
	unsigned long v;

	if (getuid() != 0 || !u || !g || !*u || !*g)
		return false;
	v = strtoul(u, &end, 10);
	if (*end || v == 0 || v > 0xfffffffeUL)
		return false;
	*uid = v;
	v = strtoul(g, &end, 10);
	if (*end || v > 0xfffffffeUL)
		return false;
	*gid = v;
	return true;
}

static void drop_bounding_set(void)
{
	/* Needs CAP_SETPCAP, which root has; without it the set stays, and capset still empties
	 * what the process holds. */
	for (int cap = 0; cap <= 63; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno == EINVAL)
			break;	/* past the kernel's last capability */
}

int privs_drop(bool (*still_works)(void *ctx), void *ctx, bool *kept_cap_bpf, struct error *e)
{
	const __u64 cap_bpf = 1ULL << CAP_BPF;
	uid_t uid;
	gid_t gid;

	*kept_cap_bpf = false;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return error_set(e, -errno, "cannot set no_new_privs: %s", strerror(errno));
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	drop_bounding_set();
	if (privs_sudo_user(&uid, &gid)) {
		/* Keep the permitted set across setuid for the CAP_BPF fallback below. */
		prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
		if (setgroups(0, NULL) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
			return error_set(e, -errno, "cannot switch to the sudo user (uid %u): %s",
					 (unsigned int)uid, strerror(errno));
		prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	}
	/* Nothing effective, CAP_BPF at most permitted: try the fds as we will use them. */
	if (caps_set(0, cap_bpf) && caps_set(0, 0))
		return error_set(e, -errno, "cannot drop capabilities: %s", strerror(errno));
	if (still_works(ctx)) {
		if (caps_set(0, 0))
			return error_set(e, -errno, "cannot drop CAP_BPF: %s", strerror(errno));
		return 0;
	}
	if (caps_set(cap_bpf, cap_bpf) || !still_works(ctx))
		return error_set(e, -EPERM, "the BPF maps cannot be read after dropping "
				 "privileges");
	*kept_cap_bpf = true;
	return 0;
}
