// SPDX-License-Identifier: GPL-2.0
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/capability.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "iface.h"
#include "loader.h"
#include "tcpdrop.skel.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif
#ifndef ENOTSUPP
#define ENOTSUPP 524	/* the kernel's internal "not supported", seen by user space */
#endif

static const char needs_privileges[] = "needs root or CAP_BPF+CAP_NET_ADMIN: run with sudo";

static bool has_cap(const struct __user_cap_data_struct data[2], int cap)
{
	return data[cap / 32].effective & (1u << (cap % 32));
}

/* CAP_SYS_ADMIN covers everything on kernels older than CAP_BPF. */
static bool privileged(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return geteuid() == 0;
	return has_cap(data, CAP_SYS_ADMIN) ||
	       (has_cap(data, CAP_BPF) && has_cap(data, CAP_NET_ADMIN));
}

static enum loader_error resolve_interface(struct loader *l, const struct options *opts,
					   char *err, size_t errlen)
{
	char names[512];

	if (opts->ifname[0]) {
		snprintf(l->ifname, sizeof(l->ifname), "%s", opts->ifname);
	} else if (iface_default_route(l->ifname)) {
		iface_list(names, sizeof(names));
		snprintf(err, errlen, "no default route to pick an interface from: choose one with -i "
			 "(interfaces: %s)", names);
		return LOADER_USAGE;
	}
	l->ifindex = if_nametoindex(l->ifname);
	if (!l->ifindex) {
		iface_list(names, sizeof(names));
		snprintf(err, errlen, "no interface \"%s\"; interfaces: %s", l->ifname, names);
		return LOADER_USAGE;
	}
	return LOADER_OK;
}

static const char *attach_mode_name(__u8 mode)
{
	switch (mode) {
	case XDP_ATTACHED_DRV:
		return "native";
	case XDP_ATTACHED_SKB:
		return "generic";
	case XDP_ATTACHED_HW:
		return "offloaded";
	default:
		return "several modes";
	}
}

/* Says who holds the interface's XDP hook, if anyone. Returns true when it is taken. */
static bool xdp_hook_taken(struct loader *l, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info info = {};
	__u32 info_len = sizeof(info);
	__u32 id;
	int fd;

	if (bpf_xdp_query(l->ifindex, 0, &q) || q.attach_mode == XDP_ATTACHED_NONE)
		return false;
	id = q.prog_id ? q.prog_id : q.drv_prog_id ? q.drv_prog_id :
	     q.skb_prog_id ? q.skb_prog_id : q.hw_prog_id;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd >= 0) {
		bpf_obj_get_info_by_fd(fd, &info, &info_len);
		close(fd);
	}
	if (!strcmp(info.name, "tcpdrop"))
		snprintf(err, errlen, "another tcpdrop-top is already watching %s (XDP program id "
			 "%u): only one can run per interface", l->ifname, id);
	else
		snprintf(err, errlen, "%s already has an XDP program attached: \"%s\" (id %u, %s); "
			 "tcpdrop-top will not replace it: detach it first (ip link set dev %s xdp "
			 "off) or choose another interface", l->ifname, info.name[0] ? info.name : "?",
			 id, attach_mode_name(q.attach_mode), l->ifname);
	return true;
}

static bool kernel_has_ringbuf(void)
{
	return libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
}

static int attach_link(struct loader *l, __u32 flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, link_opts, .flags = flags);
	int fd = bpf_link_create(bpf_program__fd(l->skel->progs.tcpdrop), l->ifindex, BPF_XDP,
				 &link_opts);

	return fd < 0 ? -errno : fd;
}

static enum loader_error attach(struct loader *l, enum xdp_mode mode, char *err, size_t errlen)
{
	int fd = -EOPNOTSUPP;

	if (mode != XDP_MODE_SKB) {
		fd = attach_link(l, XDP_FLAGS_DRV_MODE);
		l->native = fd >= 0;
	}
	if (fd < 0 && mode != XDP_MODE_NATIVE &&
	    (fd == -EOPNOTSUPP || fd == -ENOTSUPP || fd == -EINVAL))
		fd = attach_link(l, XDP_FLAGS_SKB_MODE);

	if (fd >= 0) {
		l->link_fd = fd;
		return LOADER_OK;
	}
	if ((fd == -EBUSY || fd == -EEXIST) && xdp_hook_taken(l, err, errlen))
		return LOADER_RUNTIME;
	if (fd == -EPERM || fd == -EACCES)
		snprintf(err, errlen, "%s", needs_privileges);
	else if (mode == XDP_MODE_NATIVE)
		snprintf(err, errlen, "cannot attach native XDP to %s: %s (try -m skb)", l->ifname,
			 strerror(-fd));
	else
		snprintf(err, errlen, "cannot attach XDP to %s: %s", l->ifname, strerror(-fd));
	return LOADER_RUNTIME;
}

int loader_set_ports(struct loader *l, const struct port_set *ports)
{
	int fd = bpf_map__fd(l->skel->maps.ports);

	for (__u32 word = 0; word < TCPDROP_PORT_WORDS; word++)
		if (bpf_map_update_elem(fd, &word, &ports->bits[word], BPF_ANY))
			return -errno;
	return 0;
}

enum loader_error loader_start(struct loader *l, const struct options *opts,
			       ring_buffer_sample_fn on_event, void *ctx, char *err, size_t errlen)
{
	enum loader_error ret;
	struct utsname uts;
	int e;

	memset(l, 0, sizeof(*l));
	l->link_fd = -1;

	ret = resolve_interface(l, opts, err, errlen);
	if (ret)
		return ret;
	if (!privileged()) {
		snprintf(err, errlen, "%s", needs_privileges);
		return LOADER_RUNTIME;
	}
	if (!kernel_has_ringbuf()) {
		uname(&uts);
		snprintf(err, errlen, "this kernel (%s) has no BPF ring buffer: tcpdrop-top needs "
			 "Linux 5.9 or later", uts.release);
		return LOADER_RUNTIME;
	}
	/* Ask before loading anything: a busy hook is the commonest failure, and the cheapest. */
	if (xdp_hook_taken(l, err, errlen))
		return LOADER_RUNTIME;

	l->ncpus = libbpf_num_possible_cpus();
	l->percpu = calloc(l->ncpus > 0 ? l->ncpus : 1, sizeof(*l->percpu));
	l->skel = tcpdrop_bpf__open();
	if (!l->percpu || !l->skel) {
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		goto fail;
	}
	l->skel->rodata->dry_run = opts->dry_run;
	bpf_map__set_max_entries(l->skel->maps.events, opts->ring_bytes);
	bpf_map__set_max_entries(l->skel->maps.sources, opts->max_sources);
	e = tcpdrop_bpf__load(l->skel);
	if (e) {
		if (e == -EPERM || e == -EACCES)
			snprintf(err, errlen, "%s", needs_privileges);
		else if (e == -ENOMEM || e == -E2BIG)
			snprintf(err, errlen, "not enough memory for the BPF maps (a %u KiB ring "
				 "buffer, %u sources): choose a smaller --ring-size or --max-sources",
				 opts->ring_bytes >> 10, opts->max_sources);
		else
			snprintf(err, errlen, "the kernel refused the XDP program: %s (run with -v "
				 "for the verifier's log)", strerror(-e));
		goto fail;
	}
	e = loader_set_ports(l, &opts->ports);
	if (e) {
		snprintf(err, errlen, "cannot set the watched ports: %s", strerror(-e));
		goto fail;
	}
	l->ring = ring_buffer__new(bpf_map__fd(l->skel->maps.events), on_event, ctx, NULL);
	if (!l->ring) {
		snprintf(err, errlen, "cannot map the event ring buffer: %s", strerror(errno));
		goto fail;
	}
	ret = attach(l, opts->mode, err, errlen);
	if (ret)
		goto fail_with;
	return LOADER_OK;

fail:
	ret = LOADER_RUNTIME;
fail_with:
	loader_stop(l);
	return ret;
}

int loader_read_counters(struct loader *l, struct counter_values *out)
{
	__u32 zero = 0;

	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.counters), &zero, l->percpu))
		return -errno;
	for (int cpu = 0; cpu < l->ncpus; cpu++)
		for (int i = 0; i < TCPDROP_NR_COUNTERS; i++)
			out->v[i] += l->percpu[cpu].count[i];
	return 0;
}

static void free_source_buffers(struct loader *l)
{
	free(l->source_keys);
	free(l->source_values);
	free(l->source_rows);
	l->source_keys = NULL;
	l->source_values = NULL;
	l->source_rows = NULL;
}

int loader_read_sources(struct loader *l, struct source_row **rows)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	int fd = bpf_map__fd(l->skel->maps.sources);
	__u32 cap = bpf_map__max_entries(l->skel->maps.sources);
	__u32 token, count, n = 0;
	void *in = NULL;
	int e = 0;

	if (!l->source_rows) {
		l->source_keys = calloc(cap, sizeof(*l->source_keys));
		l->source_values = calloc(cap, sizeof(*l->source_values));
		l->source_rows = calloc(cap, sizeof(*l->source_rows));
		if (!l->source_keys || !l->source_values || !l->source_rows) {
			free_source_buffers(l);
			return -ENOMEM;
		}
	}
	/* Batches read whole hash buckets at once, so entries the kernel inserts or evicts
	 * meanwhile cannot make the walk restart or repeat itself. */
	while (n < cap) {
		count = cap - n;
		e = bpf_map_lookup_batch(fd, in, &token, l->source_keys + n, l->source_values + n,
					 &count, &opts);
		n += count;
		if (e)
			break;
		in = &token;
	}
	/* ENOENT: the walk is done. ENOSPC: a full, churning table moved entries into a bucket
	 * bigger than the room left; what was read is still a fair picture, so keep it. */
	if (e && errno != ENOENT && !(errno == ENOSPC && n))
		return -errno;
	for (__u32 i = 0; i < n; i++) {
		struct source_row *row = &l->source_rows[i];

		row->family = l->source_keys[i].family;
		memcpy(row->addr, l->source_keys[i].addr, sizeof(row->addr));
		row->drops = l->source_values[i].drops;
		row->bytes = l->source_values[i].bytes;
		row->last_seen_ns = l->source_values[i].last_seen_ns;
	}
	*rows = l->source_rows;
	return n;
}

static int check_attached(struct loader *l)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	/* The kernel detaches the link when its device goes away and reports ifindex 0. */
	if (bpf_obj_get_info_by_fd(l->link_fd, &info, &len))
		return -errno;
	return info.xdp.ifindex ? 0 : -ENODEV;
}

int loader_tick(struct loader *l, uint64_t now_ns)
{
	int err = ring_buffer__consume(l->ring);

	if (err < 0)
		return err;
	if (now_ns < l->next_check_ns)
		return 0;
	l->next_check_ns = now_ns + LOADER_CHECK_INTERVAL_NS;
	return check_attached(l);
}

void loader_explain(const struct loader *l, int err, char *buf, size_t len)
{
	if (err == -ENODEV)
		snprintf(buf, len, "interface \"%s\" is gone, and its filter with it", l->ifname);
	else
		snprintf(buf, len, "watching %s failed: %s", l->ifname, strerror(-err));
}

void loader_stop(struct loader *l)
{
	if (l->link_fd >= 0)
		close(l->link_fd);	/* closing the last link fd detaches the program */
	l->link_fd = -1;
	ring_buffer__free(l->ring);
	l->ring = NULL;
	tcpdrop_bpf__destroy(l->skel);
	l->skel = NULL;
	free(l->percpu);
	l->percpu = NULL;
	free_source_buffers(l);
}
