// SPDX-License-Identifier: GPL-2.0
/*
 * fill_sources IFACE N [DROPS]: writes N sources into the per-source table of the tcpdrop-top
 * watching IFACE (in this network namespace), as if N addresses of 2001:db8::/32 had each been
 * dropped once; the first gets DROPS drops (default 1,000,000) so a view has a known top row.
 * For the tests of very large tables: sending a million packets would take a minute here.
 * fill_sources IFACE sum: prints the drops in every source's row, all sources together: the
 * table, every CPU's recent entries and its current source (common/tcpdrop.h), once the
 * traffic has stopped.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/tcpdrop.h"

/* The map of the tcpdrop-top watching ifindex that is called name, or -errno. */
static int map_of(int ifindex, const char *name)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info prog = {};
	__u32 len = sizeof(prog), ids[16], nids = 16;
	int fd;

	if (bpf_xdp_query(ifindex, 0, &q) || !q.prog_id)
		return -ENOENT;
	fd = bpf_prog_get_fd_by_id(q.prog_id);
	if (fd < 0)
		return -errno;
	prog.nr_map_ids = nids;
	prog.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(fd, &prog, &len))
		return -errno;
	close(fd);
	for (__u32 i = 0; i < prog.nr_map_ids && i < nids; i++) {
		struct bpf_map_info map = {};
		__u32 mlen = sizeof(map);

		fd = bpf_map_get_fd_by_id(ids[i]);
		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &map, &mlen) &&
		    !strcmp(map.name, name))
			return fd;
		if (fd >= 0)
			close(fd);
	}
	return -ENOENT;
}

/* The drops in every source's row: its table entry, and its recent entries and current-source
 * counts on every CPU. */
static int print_sum(const char *ifname)
{
	struct tcpdrop_source_key key, next;
	struct tcpdrop_recent_set set;
	struct tcpdrop_source value;
	struct tcpdrop_counters *percpu;
	unsigned long long sum = 0;
	void *at = NULL;
	int fd = map_of(if_nametoindex(ifname), "sources");
	int recent = map_of(if_nametoindex(ifname), "recent");
	int counters = map_of(if_nametoindex(ifname), "counters");
	int ncpus = libbpf_num_possible_cpus();
	__u32 zero = 0;

	if (fd < 0 || recent < 0 || counters < 0) {
		fprintf(stderr, "fill_sources: no tcpdrop-top table on %s: %s\n", ifname,
			strerror(-(fd < 0 ? fd : recent < 0 ? recent : counters)));
		return 1;
	}
	percpu = ncpus > 0 ? calloc(ncpus, sizeof(*percpu)) : NULL;
	if (!percpu || bpf_map_lookup_elem(counters, &zero, percpu)) {
		fprintf(stderr, "fill_sources: cannot read the counters on %s: %s\n", ifname,
			strerror(errno));
		return 1;
	}
	for (int cpu = 0; cpu < ncpus; cpu++)
		if (!(percpu[cpu].current.tag >> 32))
			sum += percpu[cpu].current.drops;
	free(percpu);
	/* Generation 0: the view was not cleared. */
	while (!bpf_map_get_next_key(fd, at, &next)) {
		if (!bpf_map_lookup_elem(fd, &next, &value) && !value.generation)
			sum += value.drops;
		key = next;
		at = &key;
	}
	for (__u32 i = 0; !bpf_map_lookup_elem(recent, &i, &set); i++)
		for (int w = 0; w < TCPDROP_RECENT_WAYS; w++)
			if (!set.meta[w].generation)
				sum += set.meta[w].drops;
	printf("%llu\n", sum);
	return 0;
}

int main(int argc, char **argv)
{
	enum { BATCH = 8192 };
	static struct tcpdrop_source_key keys[BATCH];
	static struct tcpdrop_source values[BATCH];
	unsigned long n, top_drops = 1000000, done = 0;
	struct timespec ts;
	int fd;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: fill_sources IFACE N [DROPS]\n");
		return 2;
	}
	if (!strcmp(argv[2], "sum"))
		return print_sum(argv[1]);
	n = strtoul(argv[2], NULL, 0);
	if (argc == 4)
		top_drops = strtoul(argv[3], NULL, 0);
	fd = map_of(if_nametoindex(argv[1]), "sources");
	if (fd < 0) {
		fprintf(stderr, "fill_sources: no tcpdrop-top table on %s: %s\n", argv[1],
			strerror(-fd));
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	while (done < n) {
		__u32 count = n - done < BATCH ? n - done : BATCH;

		for (__u32 i = 0; i < count; i++) {
			unsigned long k = done + i;

			memset(&keys[i], 0, sizeof(keys[i]));
			keys[i].family = 6;
			keys[i].addr[0] = 0x20, keys[i].addr[1] = 0x01;
			keys[i].addr[2] = 0x0d, keys[i].addr[3] = 0xb8;
			keys[i].addr[12] = k >> 24, keys[i].addr[13] = k >> 16;
			keys[i].addr[14] = k >> 8, keys[i].addr[15] = k;
			values[i].drops = k ? 1 : top_drops;
			values[i].bytes = k ? 74 : 74 * top_drops;
			values[i].last_seen_ns = (__u64)ts.tv_sec * 1000000000ull + ts.tv_nsec;
		}
		if (bpf_map_update_batch(fd, keys, values, &count, NULL)) {
			fprintf(stderr, "fill_sources: after %lu: %s\n", done, strerror(errno));
			return 1;
		}
		done += count;
	}
	return 0;
}
