// SPDX-License-Identifier: GPL-2.0
#include <bpf/bpf.h>
#include <errno.h>
#include <stdatomic.h>
#include <linux/capability.h>
#include <linux/if_link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "tui/kernel/loader.h"
#include "tui/lib/clock.h"
#include "tui/watch/except.h"
#include "tcpdrop.skel.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/*
 * CAP_PERFMON because parsing headers of variable length (IPv4 options, IPv6 extension headers)
 * moves packet pointers by a variable offset, which the verifier's Spectre v1 hardening allows
 * only with it.
 */
static const char needs_privileges[] = "needs root or CAP_BPF+CAP_NET_ADMIN+CAP_PERFMON: run "
				       "with sudo";

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
	       (has_cap(data, CAP_BPF) && has_cap(data, CAP_NET_ADMIN) &&
		has_cap(data, CAP_PERFMON));
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

/* The ip(8) command that detaches a program in that mode: "xdp off" leaves a generic one. */
static const char *detach_command(__u8 mode)
{
	switch (mode) {
	case XDP_ATTACHED_DRV:
		return "xdpdrv off";
	case XDP_ATTACHED_SKB:
		return "xdpgeneric off";
	case XDP_ATTACHED_HW:
		return "xdpoffload off";
	default:
		return "xdpdrv off, then xdpgeneric off";
	}
}

/* Says who holds the interface's XDP hook, if anyone: -EBUSY when it is taken. */
static int check_hook_free(struct loader *l, struct error *e)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info info = {};
	__u32 info_len = sizeof(info);
	__u32 id;
	int fd;

	if (bpf_xdp_query(l->ifindex, 0, &q) || q.attach_mode == XDP_ATTACHED_NONE)
		return 0;
	id = q.prog_id ? q.prog_id : q.drv_prog_id ? q.drv_prog_id :
	     q.skb_prog_id ? q.skb_prog_id : q.hw_prog_id;
	fd = bpf_prog_get_fd_by_id(id);
	if (fd >= 0) {
		bpf_obj_get_info_by_fd(fd, &info, &info_len);
		close(fd);
	}
	if (!strcmp(info.name, "tcpdrop"))
		return error_set(e, -EBUSY, "another tcpdrop-top is already watching %s (XDP program "
				 "id %u): only one can run per interface", l->ifname, id);
	return error_set(e, -EBUSY, "%s already has an XDP program attached: \"%s\" (id %u, %s); "
			 "tcpdrop-top will not replace it: detach it first (ip link set dev %s %s) or "
			 "choose another interface", l->ifname, info.name[0] ? info.name : "?", id,
			 attach_mode_name(q.attach_mode), l->ifname, detach_command(q.attach_mode));
}

/*
 * Before 5.11 the kernel charges BPF maps to RLIMIT_MEMLOCK, which libbpf raises only with
 * CAP_SYS_RESOURCE: short of it a map is refused with EPERM, every capability held. True when
 * that is the likely cause, with the limit.
 */
static bool memlock_may_refuse(struct rlimit *rl)
{
	unsigned int major = 0, minor = 0;
	struct utsname uts;

	return !getrlimit(RLIMIT_MEMLOCK, rl) && rl->rlim_cur != RLIM_INFINITY && !uname(&uts) &&
	       sscanf(uts.release, "%u.%u", &major, &minor) == 2 &&
	       (major < 5 || (major == 5 && minor < 11));
}

/* The one line for a map refused under that limit. */
static int memlock_error(const struct rlimit *rl, struct error *e)
{
	struct utsname uts;

	uname(&uts);
	return error_set(e, -EPERM, "this kernel (%s) charges BPF maps to the locked-memory limit, "
			 "%llu KiB here, before Linux 5.11: raise it (ulimit -l unlimited; "
			 "LimitMEMLOCK=infinity in a unit) or add CAP_SYS_RESOURCE", uts.release,
			 (unsigned long long)rl->rlim_cur / 1024);
}

static int check_kernel_has_ringbuf(struct error *e)
{
	struct utsname uts;
	struct rlimit rl;

	if (libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1)
		return 0;
	/* The probe creates a map too: under a small limit it fails for that. */
	if (memlock_may_refuse(&rl))
		return memlock_error(&rl, e);
	uname(&uts);
	return error_usage(e, -EOPNOTSUPP, "this kernel (%s) has no BPF ring buffer: tcpdrop-top "
			   "needs Linux 5.9 or later", uts.release);
}

/* -w copies the frame with bpf_xdp_load_bytes(), which XDP has since 5.18. */
static int check_kernel_can_capture(struct error *e)
{
	struct utsname uts;

	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP, BPF_FUNC_xdp_load_bytes, NULL) == 1)
		return 0;
	uname(&uts);
	return error_usage(e, -EOPNOTSUPP, "this kernel (%s) cannot copy packets out of XDP "
			   "(bpf_xdp_load_bytes): -w needs Linux 5.18 or later", uts.release);
}

int loader_fds_error(int err, const char *doing, struct error *e)
{
	struct rlimit rl = { 0 };

	if (err == -ENFILE)
		return error_set(e, err, "%s: the system has no file descriptors left (ENFILE): "
				 "close some programs, or raise fs.file-max", doing);
	getrlimit(RLIMIT_NOFILE, &rl);
	return error_set(e, -EMFILE, "%s: too many open files (ulimit -n is %llu): raise ulimit "
			 "-n, e.g. to 1024", doing, (unsigned long long)rl.rlim_cur);
}

/* Free descriptors, counted up to want (at most LOADER_FDS) by taking them. Returns how many,
 * or -ENFILE when the system, not the process, ran out. */
static int free_fds(int want)
{
	int fds[LOADER_FDS], n, err = 0;

	for (n = 0; n < want && n < LOADER_FDS; n++) {
		fds[n] = eventfd(0, EFD_CLOEXEC);
		if (fds[n] < 0) {
			err = -errno;
			break;
		}
	}
	for (int i = 0; i < n; i++)
		close(fds[i]);
	return err == -ENFILE ? err : n;
}

int loader_need_fds(int want, const char *doing, struct error *e)
{
	struct rlimit rl;
	int n = free_fds(want);

	if (n >= want)
		return 0;
	/* Short by want - n: the soft limit may rise that far on its own, up to the hard one;
	 * again if descriptors inherited past it were in the way. */
	while (n >= 0 && n < want && !getrlimit(RLIMIT_NOFILE, &rl) &&
	       rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max - rl.rlim_cur > (rlim_t)(want - n) ?
			      rl.rlim_cur + want - n : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			break;
		n = free_fds(want);
	}
	if (n >= want)
		return 0;
	/* libbpf's feature probes fail quietly on EMFILE and the load then fails for reasons
	 * that name the kernel, not the limit: so the limit is checked first. */
	return loader_fds_error(n == -ENFILE ? -ENFILE : -EMFILE, doing, e);
}

static int load_error(int err, const struct loader_config *cfg, struct error *e)
{
	struct rlimit rl;

	if (err == -EMFILE || err == -ENFILE)
		return loader_fds_error(err, "loading the XDP program", e);
	if (err == -EPERM && memlock_may_refuse(&rl))
		return memlock_error(&rl, e);
	/* Capabilities were checked before loading: EACCES is the verifier's refusal, below. */
	if (err == -EPERM)
		return error_set(e, err, "%s", needs_privileges);
	if (err == -ENOMEM || err == -E2BIG)
		return error_set(e, err, "not enough memory for the BPF maps (a %u KiB ring buffer, "
				 "%u sources): choose a smaller --ring-size or --max-sources",
				 cfg->ring_bytes >> 10, cfg->max_sources);
	return error_set(e, err, "the kernel refused the XDP program: %s (run with -v for the "
			 "verifier's log)", strerror(-err));
}

/* An event costs 1 / rate seconds of credit, from the one bucket all CPUs share; 0 is every
 * drop's event, and more than the bucket ever holds none at all (the program's event_allowed). */
static __s64 event_cost_ns(bool throttle, unsigned int rate)
{
	__u64 cost;

	if (!throttle)
		return 0;
	if (!rate)
		return INT64_MAX;
	cost = 1000000000ULL / rate;
	return cost ? (__s64)cost : 1;
}

/* Records of an event the ring holds: each its 8-byte header, the event, the capture. */
static __u64 ring_records(const struct loader_config *cfg)
{
	__u64 ring = cfg->ring_bytes ? cfg->ring_bytes : TCPDROP_DEFAULT_RING_BYTES;
	__u64 record = (8 + sizeof(struct tcpdrop_event) + cfg->capture_bytes + 7) / 8 * 8;

	return ring / record;
}

void loader_set_event_rate(struct loader *l, bool throttle, unsigned int rate)
{
	__s64 cost = event_cost_ns(throttle, rate);
	__u64 ring = l->ring_records * (__u64)cost;
	volatile __s64 *credit = &l->skel->bss->event_credit_ns;

	/* The bucket holds a second of the rate, or as many events as the ring holds if fewer;
	 * nothing for every event or none. */
	l->burst_ns = cost && cost < INT64_MAX ?
		      (__s64)(ring < TCPDROP_EVENT_BURST_NS ? ring : TCPDROP_EVENT_BURST_NS) : 0;
	l->skel->bss->event_cost_ns = cost;
	/* A smaller bucket is emptied of the excess; every event's is never spent, and starts at
	 * zero whatever the old rate's bucket owed. */
	if (!cost || *credit > l->burst_ns)
		*credit = l->burst_ns;
}

/* Whether a key of to is new, not in from. */
static bool added(const struct except_set *from, const struct tcpdrop_except_key *key)
{
	return !from || !except_has(from, key);
}

int loader_set_excepts(struct loader *l, const struct except_set *from, const struct except_set *to)
{
	int fd = bpf_map__fd(l->skel->maps.excepted);
	size_t i, adding = 0;
	__u8 yes = 1;
	int err;

	/* Both sets are in the trie for a moment: it must hold them. */
	for (i = 0; i < to->n; i++)
		adding += added(from, &to->keys[i]);
	if ((from ? from->n : 0) + adding > TCPDROP_MAX_EXCEPT)
		return -ENOSPC;
	/* The new prefixes first, then the old ones go: a source in both is never dropped, and
	 * one in neither never passed. The trie is looked at as soon as it holds one. */
	for (i = 0; i < to->n; i++) {
		if (added(from, &to->keys[i]) &&
		    bpf_map_update_elem(fd, &to->keys[i], &yes, BPF_ANY)) {
			err = -errno;
			/* Undone, so that the trie is from again, as the caller will say. */
			while (i--)
				if (added(from, &to->keys[i]))
					bpf_map_delete_elem(fd, &to->keys[i]);
			return err;
		}
	}
	if (to->n)
		l->skel->bss->have_excepts = 1;
	/* Deleting an entry allocates nothing: it fails only for one not there. */
	for (i = 0; from && i < from->n; i++)
		if (!except_has(to, &from->keys[i]))
			bpf_map_delete_elem(fd, &from->keys[i]);
	if (!to->n)
		l->skel->bss->have_excepts = 0;
	return 0;
}

/* The recent sources of every CPU, read in place: no copy, no system call a read. */
static int map_recent(struct loader *l, struct error *e)
{
	size_t page = sysconf(_SC_PAGESIZE);
	void *p;

	l->recent_sets = (size_t)l->ncpus * TCPDROP_RECENT_SETS;
	l->recent_bytes = (l->recent_sets * sizeof(struct tcpdrop_recent_set) + page - 1) /
			  page * page;
	p = mmap(NULL, l->recent_bytes, PROT_READ, MAP_SHARED,
		 bpf_map__fd(l->skel->maps.recent), 0);
	if (p == MAP_FAILED) {
		l->recent_bytes = 0;
		return error_set(e, -errno, "cannot map the recent sources: %s", strerror(errno));
	}
	l->recent = p;
	return 0;
}

/* The drops per port of every CPU, read in place as the recent sources are. */
static int map_port_drops(struct loader *l, struct error *e)
{
	void *p;

	l->port_drops_bytes = (size_t)l->ncpus * TCPDROP_PORTS * sizeof(__u64);
	p = mmap(NULL, l->port_drops_bytes, PROT_READ, MAP_SHARED,
		 bpf_map__fd(l->skel->maps.port_drops), 0);
	if (p == MAP_FAILED) {
		l->port_drops_bytes = 0;
		return error_set(e, -errno, "cannot map the drops per port: %s", strerror(errno));
	}
	l->port_drops = p;
	return 0;
}

/* The lowest watched port: the program's implied port (tcpdrop.h). */
static __u16 first_port(const struct port_set *ports)
{
	for (unsigned int port = 0; port < TCPDROP_PORTS; port++)
		if (ports_contains(ports, port))
			return port;
	return 0;
}

int loader_load(struct loader *l, const struct loader_config *cfg, struct error *e)
{
	int err;

	*l = (struct loader)LOADER_INIT;
	if (!privileged())
		return error_set(e, -EPERM, "%s", needs_privileges);
	err = loader_need_fds(LOADER_FDS, "loading the XDP program", e);
	if (!err)
		err = check_kernel_has_ringbuf(e);
	if (!err && cfg->capture_bytes)
		err = check_kernel_can_capture(e);
	if (err)
		return err;

	l->ncpus = libbpf_num_possible_cpus();
	if (l->ncpus <= 0)
		return error_set(e, l->ncpus ? l->ncpus : -EINVAL, "cannot count the CPUs");
	l->percpu = calloc(l->ncpus, sizeof(*l->percpu));
	l->percpu_current = calloc(l->ncpus, sizeof(*l->percpu_current));
	l->current_versions = calloc(l->ncpus, sizeof(*l->current_versions));
	l->skel = tcpdrop_bpf__open();
	if (!l->percpu || !l->percpu_current || !l->current_versions || !l->skel) {
		err = error_set(e, -errno, "cannot open the BPF object: %s", strerror(errno));
		goto fail;
	}
	l->skel->rodata->dry_run = cfg->dry_run;
	l->skel->rodata->raw_ip = cfg->raw_ip;
	l->skel->rodata->wakeup_every_event = cfg->wakeup_every_event;
	l->skel->rodata->capture_bytes = cfg->capture_bytes;
	l->skel->rodata->implied_port = first_port(cfg->ports);
	l->implied_port = l->skel->rodata->implied_port;
	if (cfg->ring_bytes)
		bpf_map__set_max_entries(l->skel->maps.events, cfg->ring_bytes);
	if (cfg->max_sources)
		bpf_map__set_max_entries(l->skel->maps.sources, cfg->max_sources);
	bpf_map__set_max_entries(l->skel->maps.recent, l->ncpus * TCPDROP_RECENT_SETS);
	bpf_map__set_max_entries(l->skel->maps.port_drops, l->ncpus * TCPDROP_PORTS);
	err = tcpdrop_bpf__load(l->skel);
	if (err) {
		load_error(err, cfg, e);
		goto fail;
	}
	err = map_recent(l, e);
	if (!err)
		err = map_port_drops(l, e);
	if (err)
		goto fail;
	/* The bucket starts full: the first burst is logged whole. */
	l->ring_records = ring_records(cfg);
	l->skel->bss->event_credit_ns = INT64_MAX;
	loader_set_event_rate(l, cfg->throttle_events, cfg->event_rate);
	l->refilled_ns = monotonic_ns();
	l->skel->bss->tick_ns = l->refilled_ns;
	l->prog_fd = bpf_program__fd(l->skel->progs.tcpdrop);
	err = loader_set_ports(l, cfg->ports);
	if (err) {
		error_set(e, err, "cannot set the watched ports: %s", strerror(-err));
		goto fail;
	}
	err = cfg->excepts ? loader_set_excepts(l, NULL, cfg->excepts) : 0;
	if (err) {
		error_set(e, err, "cannot set the excepted sources: %s", strerror(-err));
		goto fail;
	}
	if (cfg->on_event) {
		l->ring = ring_buffer__new(bpf_map__fd(l->skel->maps.events), cfg->on_event,
					   cfg->ctx, NULL);
		if (!l->ring) {
			err = -errno;
			if (err == -EMFILE || err == -ENFILE)
				loader_fds_error(err, "mapping the event ring buffer", e);
			else
				error_set(e, err, "cannot map the event ring buffer: %s",
					  strerror(-err));
			goto fail;
		}
	}
	return 0;
fail:
	loader_stop(l);
	return err;
}

static int link_create(struct loader *l, __u32 flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	int fd = bpf_link_create(l->prog_fd, l->ifindex, BPF_XDP, &opts);

	return fd < 0 ? -errno : fd;
}

int loader_attach(struct loader *l, const char *ifname, int ifindex, enum xdp_mode mode,
		  struct error *e)
{
	int fd = -EOPNOTSUPP, err;

	snprintf(l->ifname, sizeof(l->ifname), "%s", ifname);
	l->ifindex = ifindex;
	err = check_hook_free(l, e);
	if (err)
		return err;
	if (mode != XDP_MODE_SKB) {
		fd = link_create(l, XDP_FLAGS_DRV_MODE);
		l->native = fd >= 0;
	}
	/* -m auto takes generic mode on any refusal of native mode (a driver without XDP, an
	 * MTU too big for it, ...), but not when the hook is taken or privileges are missing. */
	if (fd < 0 && mode == XDP_MODE_AUTO && fd != -EBUSY && fd != -EEXIST && fd != -EPERM &&
	    fd != -EACCES) {
		l->native_refused = fd;
		fd = link_create(l, XDP_FLAGS_SKB_MODE);
	} else if (fd < 0 && mode == XDP_MODE_SKB) {
		fd = link_create(l, XDP_FLAGS_SKB_MODE);
	}
	if (fd >= 0) {
		l->link_fd = fd;
		return 0;
	}
	/* Someone took the hook between the check and the link. */
	if ((fd == -EBUSY || fd == -EEXIST) && check_hook_free(l, e))
		return e->err;
	if (fd == -EPERM || fd == -EACCES)
		return error_set(e, fd, "%s", needs_privileges);
	if (fd == -EMFILE || fd == -ENFILE)
		return loader_fds_error(fd, "attaching XDP", e);
	if (mode == XDP_MODE_NATIVE)
		return error_set(e, fd, "cannot attach native XDP to %s: %s (try -m skb)", ifname,
				 strerror(-fd));
	return error_set(e, fd, "cannot attach XDP to %s: %s", ifname, strerror(-fd));
}

int loader_set_ports(struct loader *l, const struct port_set *ports)
{
	int fd = bpf_map__fd(l->skel->maps.ports);

	for (__u32 word = 0; word < TCPDROP_PORT_WORDS; word++)
		if (bpf_map_update_elem(fd, &word, &ports->bits[word], BPF_ANY))
			return -errno;
	return 0;
}

int loader_read_counters(struct loader *l, struct counter_values *out)
{
	__u32 zero = 0;

	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.counters), &zero, l->percpu))
		return -errno;
	for (int cpu = 0; cpu < l->ncpus; cpu++) {
		const struct tcpdrop_counters *c = &l->percpu[cpu];

		for (int i = 0; i < TCPDROP_NR_COUNTERS; i++)
			out->v[i] += c->count[i];
		/* What the program leaves to us (tcpdrop.h), exact since each CPU's are. */
		out->v[TCPDROP_SEEN_PACKETS] += c->count[TCPDROP_PASSED] +
						 c->count[TCPDROP_DROPPED];
		out->v[TCPDROP_SEEN_BYTES] += c->passed_bytes + c->count[TCPDROP_DROPPED_BYTES];
	}
	return 0;
}

void loader_read_port_drops(struct loader *l, uint64_t drops[TCPDROP_PORTS])
{
	__u32 zero = 0;
	uint64_t implied = 0;

	memset(drops, 0, TCPDROP_PORTS * sizeof(*drops));
	if (!l->port_drops ||
	    bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.counters), &zero, l->percpu))
		return;
	/* The dropped counters before the rows (see the implied port in tcpdrop.h). */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	/* Each counter only grows and is one aligned word: a read in place is exact for it. */
	for (size_t cpu = 0; cpu < (size_t)l->ncpus; cpu++) {
		const volatile __u64 *row = l->port_drops + cpu * TCPDROP_PORTS;
		uint64_t dropped = l->percpu[cpu].count[TCPDROP_DROPPED], others = 0;

		for (size_t port = 0; port < TCPDROP_PORTS; port++) {
			drops[port] += row[port];
			others += row[port];
		}
		/* Drops to other ports since the dropped counter was read make this less, never
		 * more, than the implied port's: it may lag a read, and is exact at rest. */
		if (dropped > others)
			implied += dropped - others;
	}
	if (implied > l->implied_drops)
		l->implied_drops = implied;
	drops[l->implied_port] = l->implied_drops;
}

static void free_source_buffers(struct loader *l)
{
	free(l->recent_rows);
	l->recent_rows = NULL;
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
	__u32 count = LOADER_SOURCES_CHUNK;
	int err;

	if (!l->source_rows) {
		l->source_keys = calloc(count, sizeof(*l->source_keys));
		l->source_values = calloc(count, sizeof(*l->source_values));
		l->source_rows = calloc(count, sizeof(*l->source_rows));
		if (!l->source_keys || !l->source_values || !l->source_rows) {
			free_source_buffers(l);
			return -ENOMEM;
		}
	}
	if (l->source_scan == SCAN_AT_END) {
		l->source_scan = SCAN_IDLE;	/* the chunk before was the last */
		return 0;
	}
	/* A batch is read whole hash buckets at a time, so entries the kernel inserts or evicts
	 * meanwhile cannot make the walk restart or repeat itself. */
	err = bpf_map_lookup_batch(fd, l->source_scan == SCAN_READING ? &l->source_token : NULL,
				   &l->source_token, l->source_keys, l->source_values, &count,
				   &opts);
	l->source_scan = SCAN_READING;
	if ((err && errno == ENOENT) || !count) {
		l->source_scan = count ? SCAN_AT_END : SCAN_IDLE;
	} else if (err) {
		/* ENOSPC: a bucket bigger than a chunk, which a hash this size never has. */
		err = -errno;
		l->source_scan = SCAN_IDLE;
		return err;
	}
	for (__u32 i = 0; i < count; i++) {
		struct source_row *row = &l->source_rows[i];
		const struct tcpdrop_source *v = &l->source_values[i];

		row->family = l->source_keys[i].family;
		memcpy(row->addr, l->source_keys[i].addr, sizeof(row->addr));
		row->recent_only = false;
		/* Counted before the view was last cleared: nothing since, as far as it knows. */
		row->drops = v->generation == l->generation ? v->drops : 0;
		row->bytes = v->generation == l->generation ? v->bytes : 0;
		row->last_seen_ns = v->last_seen_ns;
	}
	*rows = l->source_rows;
	return count;
}

/*
 * Copies one entry of the recent sources as it stands. The program bumps the version before
 * and after it gives the entry to another source: an odd version, or a change across the
 * copy, means the key may not match the counts, and the entry is skipped (its drops then read
 * as not tracked, for this once). The fences keep the compiler and the CPU from reading the
 * fields outside the two reads of the version.
 */
static bool copy_recent(const volatile struct tcpdrop_recent_set *set, int w,
			struct tcpdrop_recent_key *key, struct tcpdrop_recent_meta *meta)
{
	__u32 v = set->meta[w].version;

	if (v & 1)
		return false;
	atomic_thread_fence(memory_order_acquire);
	memcpy(key, (const void *)&set->key[w], sizeof(*key));
	memcpy(meta, (const void *)&set->meta[w], sizeof(*meta));
	atomic_thread_fence(memory_order_acquire);
	return set->meta[w].version == v;
}

/* A source's row, from its address as the program keeps it (tcpdrop_recent_key). */
static void fill_row(struct source_row *row, __u32 family, const __u64 addr[2])
{
	row->family = family;
	row->recent_only = false;
	memset(row->addr, 0, sizeof(row->addr));
	if (family == 4) {	/* loaded as a number, so stored back as one */
		__u32 v4 = (__u32)addr[0];

		memcpy(row->addr, &v4, sizeof(v4));
	} else {
		memcpy(row->addr, addr, sizeof(row->addr));
	}
}

/*
 * Appends every CPU's current source (tcpdrop.h) with counts since the clear to rows, from
 * three reads of the counters: the words from the middle one, taken only where the version is
 * even and the same in the first and the last, so that they were not given to another source
 * across the middle read (a system call's copy keeps no order within it). The program empties
 * the words before it adds their counts to an entry or the table, and these are read after
 * those: a move meanwhile is missed once, never counted twice. Returns how many rows, or
 * -errno.
 */
static int read_current(struct loader *l, struct source_row *rows)
{
	int fd = bpf_map__fd(l->skel->maps.counters), n = 0;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(fd, &zero, l->percpu))
		return -errno;
	for (int i = 0; i < l->ncpus; i++)
		l->current_versions[i] = l->percpu[i].current.version;
	if (bpf_map_lookup_elem(fd, &zero, l->percpu_current) ||
	    bpf_map_lookup_elem(fd, &zero, l->percpu))
		return -errno;
	for (int i = 0; i < l->ncpus; i++) {
		const struct tcpdrop_current *c = &l->percpu_current[i].current;
		__u32 v = l->percpu[i].current.version;

		if (v & 1 || v != l->current_versions[i] || !c->drops ||
		    c->tag >> 32 != l->generation)
			continue;
		fill_row(&rows[n], c->tag & 0xff, c->addr);
		rows[n].drops = c->drops;
		rows[n].bytes = c->bytes;
		rows[n].last_seen_ns = c->last_seen_ns;
		n++;
	}
	return n;
}

int loader_read_recent(struct loader *l, struct source_row **rows)
{
	size_t n = 0, max = l->recent_sets * TCPDROP_RECENT_WAYS + (size_t)l->ncpus;
	struct tcpdrop_recent_meta m;
	struct tcpdrop_recent_key k;
	int current;

	if (!l->recent_rows) {
		l->recent_rows = calloc(max, sizeof(*l->recent_rows));
		if (!l->recent_rows)
			return -ENOMEM;
	}
	for (size_t set = 0; set < l->recent_sets; set++) {
		for (int w = 0; w < TCPDROP_RECENT_WAYS; w++) {
			struct source_row *row = &l->recent_rows[n];

			/* An entry counted before the view's clear is still a source the kernel
			 * holds (the metrics' gauge counts it), with nothing since. */
			if (!copy_recent(&l->recent[set], w, &k, &m) || !m.drops)
				continue;
			fill_row(row, m.family, k.addr);
			row->drops = m.generation == l->generation ? m.drops : 0;
			row->bytes = m.generation == l->generation ? m.bytes : 0;
			row->last_seen_ns = m.last_seen_ns;
			n++;
		}
	}
	current = read_current(l, l->recent_rows + n);
	if (current < 0)
		return current;
	*rows = l->recent_rows;
	return (int)n + current;
}

int loader_lookup_source(struct loader *l, struct source_row *row)
{
	struct tcpdrop_source_key key = { .family = row->family };
	struct tcpdrop_source v;

	memcpy(key.addr, row->addr, sizeof(key.addr));
	row->drops = row->bytes = row->last_seen_ns = 0;
	if (bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.sources), &key, &v))
		return errno == ENOENT ? 0 : -errno;
	if (v.generation != l->generation)
		return 0;
	row->drops = v.drops;
	row->bytes = v.bytes;
	row->last_seen_ns = v.last_seen_ns;
	return 1;
}

void loader_clear_sources(struct loader *l)
{
	l->generation++;
	l->skel->bss->generation = l->generation;
}

void loader_refill_events(struct loader *l, uint64_t elapsed_ns)
{
	volatile __s64 *credit = &l->skel->bss->event_credit_ns;
	__s64 room = l->burst_ns - *credit;
	__s64 add = elapsed_ns < (uint64_t)room ? (__s64)elapsed_ns : room;

	/* Only the program spends it meanwhile, so the sum stays at or below the burst. (A CPU
	 * that read the cost before a reload changed it may spend the old cost once more: the
	 * next refills pay that back.) */
	if (add > 0)
		__atomic_fetch_add(credit, add, __ATOMIC_RELAXED);
}

void loader_rewind_sources(struct loader *l)
{
	l->source_scan = SCAN_IDLE;
}

int loader_drain(struct loader *l)
{
	return l->ring ? ring_buffer__consume(l->ring) : 0;
}

static int check_attached(struct loader *l, struct error *e)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(l->link_fd, &info, &len))
		return error_set(e, -errno, "watching %s failed: %s", l->ifname, strerror(errno));
	/* The kernel detaches the link when its device goes away and reports ifindex 0. */
	if (!info.xdp.ifindex)
		return error_set(e, -ENODEV, "interface \"%s\" is gone, and its filter with it",
				 l->ifname);
	return 0;
}

int loader_tick(struct loader *l, uint64_t now_ns, struct error *e)
{
	int err = loader_drain(l);

	l->skel->bss->tick_ns = now_ns;
	if (now_ns > l->refilled_ns)
		loader_refill_events(l, now_ns - l->refilled_ns);
	l->refilled_ns = now_ns;

	if (err < 0)
		return error_set(e, err, "reading the event ring of %s failed: %s", l->ifname,
				 strerror(-err));
	if (now_ns < l->next_check_ns || l->link_fd < 0)
		return 0;
	l->next_check_ns = now_ns + LOADER_CHECK_INTERVAL_NS;
	return check_attached(l, e);
}

void loader_stop(struct loader *l)
{
	if (l->link_fd >= 0)
		close(l->link_fd);	/* closing the last link fd detaches the program */
	l->link_fd = -1;
	ring_buffer__free(l->ring);
	l->ring = NULL;
	if (l->recent)
		munmap((void *)l->recent, l->recent_bytes);
	l->recent = NULL;
	if (l->port_drops)
		munmap((void *)l->port_drops, l->port_drops_bytes);
	l->port_drops = NULL;
	tcpdrop_bpf__destroy(l->skel);
	l->skel = NULL;
	l->prog_fd = -1;
	free(l->percpu);
	l->percpu = NULL;
	free(l->percpu_current);
	l->percpu_current = NULL;
	free(l->current_versions);
	l->current_versions = NULL;
	free_source_buffers(l);
}
