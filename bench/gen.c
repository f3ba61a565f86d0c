// SPDX-License-Identifier: GPL-2.0
/*
 * gen: the kernel-speed SYN flood of make bench (bench/linerate.sh drives it).
 *
 *   gen --out IFACE [--rx NETNS:IFACE] [--rx-threads PIDS] [--cpus LIST] [--count N]
 *       [--sources N] [--heavy H]
 *
 * Runs bench/gen.bpf.c through BPF_PROG_TEST_RUN with BPF_F_TEST_XDP_LIVE_FRAMES on each CPU
 * of LIST (one thread each, pinned), COUNT frames in all: IPv6 SYNs to port 4040, redirected
 * out of IFACE, a veth, into its peer. The peer's XDP program sees them as xdp_frames, in the
 * peer's NAPI (threaded and pinned elsewhere by the caller). What reached it is read from the
 * veths' own counters (ethtool -S): rx_queue_N_xdp_packets of the receiver, in network
 * namespace NETNS, and tx_queue_N_xdp_xmit and _xdp_xmit_errors of IFACE (frames the veth
 * refused because the receiver's ring was full). One JSON line: frames sent, the generator's
 * wall and CPU time (its threads' own, which counts the receiver too when the receiver's NAPI
 * runs in the generator's softirq, on its CPU), the CPU time of the receiver's NAPI threads
 * (--rx-threads, when they run apart), the frames through, refused, and received on each of
 * the receiver's queues.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>

/* The generator's per-CPU sequence (gen.bpf.c), named by its skeleton. */
struct seq {
	__u64 frames;
	__u64 spoofed;
	__u64 pad[6];
};

#include "gen.skel.h"
#include "tests/pkt.h"

#define MAX_THREADS	64
#define MAX_QUEUES	16
#define BATCH		64	/* frames the kernel runs between two flushes to the veth */

struct stats_dev {
	int sock;		/* an AF_INET socket in the device's network namespace */
	char ifname[IF_NAMESIZE];
};

/*
 * Sums the ethtool statistics of dev named prefix, a queue number, suffix ("rx_queue_",
 * "_xdp_packets"); each queue's in per_queue[] too, when it is given (MAX_QUEUES of them).
 */
static int ethtool_sum(const struct stats_dev *dev, const char *prefix, const char *suffix,
		       uint64_t *sum, uint64_t *per_queue, int *nqueues)
{
	struct {
		struct ethtool_sset_info hdr;
		__u32 len;
	} sset = { .hdr = { .cmd = ETHTOOL_GSSET_INFO, .sset_mask = 1ULL << ETH_SS_STATS } };
	struct ethtool_gstrings *names = NULL;
	struct ethtool_stats *vals = NULL;
	struct ifreq ifr = {};
	size_t plen = strlen(prefix), slen = strlen(suffix);
	int err = 0;
	__u32 n;

	*sum = 0;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev->ifname);
	ifr.ifr_data = (void *)&sset;
	if (ioctl(dev->sock, SIOCETHTOOL, &ifr))
		return -errno;
	n = sset.len;
	names = calloc(1, sizeof(*names) + (size_t)n * ETH_GSTRING_LEN);
	vals = calloc(1, sizeof(*vals) + (size_t)n * sizeof(__u64));
	if (!names || !vals) {
		err = -ENOMEM;
		goto out;
	}
	names->cmd = ETHTOOL_GSTRINGS;
	names->string_set = ETH_SS_STATS;
	names->len = n;
	ifr.ifr_data = (void *)names;
	if (ioctl(dev->sock, SIOCETHTOOL, &ifr)) {
		err = -errno;
		goto out;
	}
	vals->cmd = ETHTOOL_GSTATS;
	vals->n_stats = n;
	ifr.ifr_data = (void *)vals;
	if (ioctl(dev->sock, SIOCETHTOOL, &ifr)) {
		err = -errno;
		goto out;
	}
	for (__u32 i = 0; i < n; i++) {
		const char *name = (const char *)names->data + (size_t)i * ETH_GSTRING_LEN;
		size_t len = strnlen(name, ETH_GSTRING_LEN);

		unsigned long q;
		char *end;

		if (len <= plen + slen || strncmp(name, prefix, plen) ||
		    strcmp(name + len - slen, suffix))
			continue;
		q = strtoul(name + plen, &end, 10);
		if (end != name + len - slen)	/* "_xdp_xmit" is not "_xdp_xmit_errors" */
			continue;
		*sum += vals->data[i];
		if (per_queue && q < MAX_QUEUES) {
			per_queue[q] = vals->data[i];
			if ((int)q >= *nqueues)
				*nqueues = q + 1;
		}
	}
out:
	free(names);
	free(vals);
	return err;
}

/* A socket in network namespace ns (a name under /run/netns), for ioctls on its devices. */
static int socket_in(const char *ns)
{
	char path[256];
	int self, target, sock = -1;

	if (!ns)
		return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	target = open(path, O_RDONLY | O_CLOEXEC);
	if (self >= 0 && target >= 0 && !setns(target, CLONE_NEWNET)) {
		sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (setns(self, CLONE_NEWNET)) {
			perror("gen: back to its own network namespace");
			exit(1);
		}
	}
	if (self >= 0)
		close(self);
	if (target >= 0)
		close(target);
	return sock;
}

struct snapshot {
	uint64_t rx, xmit, xmit_errors;
	uint64_t rx_queue[MAX_QUEUES];
	int nqueues;
};

struct gen {
	struct gen_bpf *skel;
	int prog_fd;
	struct pkt frame;
	int ifindex;
	struct stats_dev out, rx;
	bool have_rx;
	int ncpus, cpus[MAX_THREADS];
	int nrx_threads, rx_threads[MAX_THREADS];	/* the receiver's NAPI threads */
	uint64_t count;
	pthread_barrier_t start;
	int err;
};

static int snapshot(struct gen *g, struct snapshot *s)
{
	int err = ethtool_sum(&g->out, "tx_queue_", "_xdp_xmit", &s->xmit, NULL, NULL);

	if (!err)
		err = ethtool_sum(&g->out, "tx_queue_", "_xdp_xmit_errors", &s->xmit_errors, NULL,
				  NULL);
	s->rx = 0;
	s->nqueues = 0;
	memset(s->rx_queue, 0, sizeof(s->rx_queue));
	if (!err && g->have_rx)
		err = ethtool_sum(&g->rx, "rx_queue_", "_xdp_packets", &s->rx, s->rx_queue,
				  &s->nqueues);
	return err;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int run_frames(struct gen *g, __u32 n)
{
	/* No context: the frames come in on this namespace's loopback, whose receive queue XDP
	 * knows; a veth's is only registered while it has a program of its own. */
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = g->frame.buf,
		    .data_size_in = (__u32)g->frame.len, .repeat = n,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = BATCH);

	return bpf_prog_test_run_opts(g->prog_fd, &opts) ? -errno : 0;
}

struct worker {
	struct gen *g;
	int cpu;
	uint64_t count;
	uint64_t cpu_ns;	/* the thread's own CPU time: the run, and softirqs it ran */
	int err;
};

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A thread's CPU time so far (the first field of /proc/PID/schedstat, in ns), or 0. */
static uint64_t task_cpu_ns(int pid)
{
	unsigned long long ns = 0;
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%llu", &ns) != 1)
			ns = 0;
		fclose(f);
	}
	return ns;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint64_t left = w->count;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(w->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		w->err = -errno;
	pthread_barrier_wait(&w->g->start);
	w->cpu_ns = thread_cpu_ns();
	while (!w->err && left) {
		__u32 n = left > (1u << 30) ? 1u << 30 : (__u32)left;

		w->err = run_frames(w->g, n);
		left -= n;
	}
	w->cpu_ns = thread_cpu_ns() - w->cpu_ns;
	return NULL;
}

/* A comma-separated list of numbers into out: how many, or 0. */
static int parse_list(const char *list, int *out)
{
	char *copy = strdup(list), *tok, *save = NULL;
	int n = 0;

	for (tok = strtok_r(copy, ",", &save); tok && n < MAX_THREADS;
	     tok = strtok_r(NULL, ",", &save))
		out[n++] = atoi(tok);
	free(copy);
	return n;
}

static void usage(void)
{
	fprintf(stderr, "usage: gen --out IFACE [--rx NETNS:IFACE] [--rx-threads PIDS] "
		"[--cpus LIST] [--count N] [--sources N] [--heavy H]\n");
}

int main(int argc, char **argv)
{
	static const uint8_t src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	static const uint8_t dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct gen g = { .count = 1000000, .ncpus = 1 };
	struct worker workers[MAX_THREADS];
	pthread_t threads[MAX_THREADS];
	const char *out = NULL, *rx = NULL;
	unsigned long sources = 1, heavy = 0;
	struct snapshot s0, s1;
	uint64_t t0, t1, gen_cpu = 0, rx_cpu = 0;
	int i, err;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v) {
			usage();
			return 2;
		}
		i++;
		if (!strcmp(a, "--out"))
			out = v;
		else if (!strcmp(a, "--rx"))
			rx = v;
		else if (!strcmp(a, "--cpus") && (g.ncpus = parse_list(v, g.cpus)))
			;
		else if (!strcmp(a, "--rx-threads"))
			g.nrx_threads = parse_list(v, g.rx_threads);
		else if (!strcmp(a, "--count"))
			g.count = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--sources"))
			sources = strtoul(v, NULL, 0);
		else if (!strcmp(a, "--heavy"))
			heavy = strtoul(v, NULL, 0);
		else {
			usage();
			return 2;
		}
	}
	if (!out || !g.count || !sources || (sources & (sources - 1)) || heavy > 100) {
		usage();
		fprintf(stderr, "gen: --sources is a power of two, --heavy 0 to 100\n");
		return 2;
	}
	g.ifindex = if_nametoindex(out);
	if (!g.ifindex) {
		fprintf(stderr, "gen: no interface \"%s\"\n", out);
		return 2;
	}
	g.out.sock = socket_in(NULL);
	snprintf(g.out.ifname, sizeof(g.out.ifname), "%s", out);
	if (rx) {
		char ns[128];
		const char *colon = strchr(rx, ':');

		if (!colon || colon - rx >= (long)sizeof(ns)) {
			usage();
			return 2;
		}
		snprintf(ns, sizeof(ns), "%.*s", (int)(colon - rx), rx);
		g.rx.sock = socket_in(ns);
		snprintf(g.rx.ifname, sizeof(g.rx.ifname), "%s", colon + 1);
		g.have_rx = true;
	}
	if (g.out.sock < 0 || (g.have_rx && g.rx.sock < 0)) {
		perror("gen: socket");
		return 1;
	}

	pkt_init(&g.frame);
	pkt_eth(&g.frame, PKT_ETH_IPV6);
	pkt_ipv6(&g.frame, PKT_IP_TCP, src, dst);
	pkt_tcp(&g.frame, 40000, 4040, 0x02, 0);
	pkt_done(&g.frame);

	g.skel = gen_bpf__open();
	if (!g.skel)
		return 1;
	g.skel->rodata->out_ifindex = g.ifindex;
	g.skel->rodata->nsources = sources;
	g.skel->rodata->heavy = heavy;
	if (gen_bpf__load(g.skel)) {
		fprintf(stderr, "gen: cannot load the generator: %s\n", strerror(errno));
		gen_bpf__destroy(g.skel);
		return 1;
	}
	g.prog_fd = bpf_program__fd(g.skel->progs.gen);

	err = snapshot(&g, &s0);
	if (err) {
		fprintf(stderr, "gen: cannot read the veth counters: %s\n", strerror(-err));
		return 1;
	}
	for (i = 0; i < g.nrx_threads; i++)
		rx_cpu -= task_cpu_ns(g.rx_threads[i]);
	t0 = now_ns();
	pthread_barrier_init(&g.start, NULL, g.ncpus);
	for (i = 0; i < g.ncpus; i++) {
		workers[i] = (struct worker){ .g = &g, .cpu = g.cpus[i],
			.count = g.count / g.ncpus + ((uint64_t)i < g.count % g.ncpus) };
		pthread_create(&threads[i], NULL, worker_main, &workers[i]);
	}
	for (i = 0; i < g.ncpus; i++) {
		pthread_join(threads[i], NULL);
		gen_cpu += workers[i].cpu_ns;
		if (workers[i].err && !err)
			err = workers[i].err;
	}
	t1 = now_ns();
	/* The last frames in the receiver's ring: the NAPI takes them within microseconds. */
	usleep(20000);
	for (i = 0; i < g.nrx_threads; i++)
		rx_cpu += task_cpu_ns(g.rx_threads[i]);
	if (!err)
		err = snapshot(&g, &s1);
	gen_bpf__destroy(g.skel);
	if (err) {
		fprintf(stderr, "gen: %s\n", strerror(-err));
		return 1;
	}
	printf("{\"frames\":%llu,\"secs\":%.6f,\"gen_cpu_secs\":%.6f,\"rx_cpu_secs\":%.6f,"
	       "\"xmit\":%llu,\"xmit_errors\":%llu,\"rx\":%llu,\"rx_queues\":[",
	       (unsigned long long)g.count, (t1 - t0) / 1e9, gen_cpu / 1e9, rx_cpu / 1e9,
	       (unsigned long long)(s1.xmit - s0.xmit),
	       (unsigned long long)(s1.xmit_errors - s0.xmit_errors),
	       (unsigned long long)(s1.rx - s0.rx));
	for (i = 0; i < s1.nqueues; i++)
		printf("%s%llu", i ? "," : "",
		       (unsigned long long)(s1.rx_queue[i] - s0.rx_queue[i]));
	printf("]}\n");
	return 0;
}
