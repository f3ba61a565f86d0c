// SPDX-License-Identifier: GPL-2.0
/*
 * make bench, the measuring half (bench/run.sh drives it, bench/flood.sh floods, bench/report.py
 * prints the table):
 *
 *   bench packet [--repeat N] [--rounds R] [--rows FILE]
 *	the cost of each path through the XDP programs with BPF_PROG_TEST_RUN, in ns per packet
 *	as the kernel times it; one JSON object per row, appended to FILE
 *   bench xdp-drop IFACE
 *	the empty XDP_DROP program on IFACE (native mode) until SIGINT or SIGTERM
 *   bench variant NAME IFACE
 *	the same with an instrumented copy of the program, variant_NAME.bpf.o (port 4040)
 *   bench consume IFACE
 *	tcpdrop-top's own loader, run loop and model on IFACE with a view that draws nothing
 *	(every event copied into the drop log, counters and sources read every second, nothing
 *	formatted) until SIGINT or SIGTERM, then one JSON line with what it saw
 *
 * Every command needs root.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "floor.skel.h"
#include "tcpdrop.skel.h"
#include "tests/pkt.h"
#include "tui/cli/cli.h"
#include "tui/config.h"
#include "tui/kernel/iface.h"
#include "tui/kernel/loader.h"
#include "tui/lib/clock.h"
#include "tui/lib/format.h"
#include "tui/lib/outbuf.h"
#include "tui/model/droplog.h"
#include "tui/out/ndjson.h"
#include "tui/run.h"

#define MAX_ROUNDS		31
#define WARMUP_REPEAT		100000
/* What one event takes in the ring: the record and the ring's 8-byte header. */
#define RING_RECORD_BYTES	(sizeof(struct tcpdrop_event) + 8)

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* libbpf's warnings only: the bench's own messages say what failed. */
static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level != LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

/* Options exactly as tcpdrop-top would have them for "-i IFACE": the defaults of the tool. */
/* tcpdrop-top's options as its own parser reads them: -i IFNAME, then extra (NULL-ended). */
static int tool_options(const char *ifname, const char *const *extra, struct options *opts)
{
	char *argv[8] = { "tcpdrop-top", "-i", (char *)ifname };
	int argc = 3;

	while (extra && *extra && argc < 7)
		argv[argc++] = (char *)*extra++;
	return cli_parse(argc, argv, opts, stderr, stderr) == CLI_RUN ? 0 : -EINVAL;
}

/* The tool's own start: the interface, then the loader's two steps. */
static int attach_tool(struct loader *l, const struct options *opts,
		       ring_buffer_sample_fn on_event, void *ctx, struct error *e)
{
	struct loader_config cfg = config_loader(opts, on_event, ctx);
	struct iface iface;
	int err;

	*l = (struct loader)LOADER_INIT;
	err = iface_resolve(opts->ifname, &iface, e);
	if (!err)
		err = iface_raw_ip(&iface, &cfg.raw_ip, e);
	if (!err)
		err = loader_load(l, &cfg, e);
	if (!err)
		err = loader_attach(l, iface.name, iface.index, opts->mode, e);
	return err;
}

/* ---- The TUI-style consumer: every event is copied into a drop log, nothing is formatted. ---- */

struct consumer {
	struct droplog log;
	unsigned long long delivered;
};

static int consumer_on_event(void *ctx, void *data, size_t size)
{
	struct consumer *c = ctx;

	if (size < sizeof(struct tcpdrop_event))	/* never shorter; never trusted to be */
		return 0;
	droplog_push(&c->log, data);
	c->delivered++;
	return 0;
}

/*
 * A thread on another CPU that drains the ring every interval_ms, as the tool does, or without
 * pause when interval_ms is 0. Each case says which. drainer_set() first waits for a whole drain
 * that started after it was called, so every timed run starts with an empty ring.
 */
struct drainer {
	struct ring_buffer *ring;
	int cpu;
	atomic_int interval_ms;
	atomic_uint asked, done;	/* drain passes asked for, and completed */
	atomic_bool quit;
	pthread_t thread;
	int err;
};

static void *drainer_main(void *arg)
{
	struct drainer *d = arg;
	unsigned int asked;
	int e, ms;

	if (d->cpu >= 0)
		pin_to_cpu(d->cpu);
	while (!atomic_load(&d->quit)) {
		asked = atomic_load(&d->asked);
		ms = atomic_load(&d->interval_ms);
		if (ms > 0)
			poll(NULL, 0, ms);
		e = ring_buffer__consume(d->ring);
		if (e < 0)
			d->err = e;
		atomic_store(&d->done, asked);
	}
	return NULL;
}

static void drainer_set(struct drainer *d, int interval_ms)
{
	unsigned int ask;

	atomic_store(&d->interval_ms, 0);
	ask = atomic_fetch_add(&d->asked, 1) + 1;
	while (atomic_load(&d->done) != ask)
		poll(NULL, 0, 1);
	atomic_store(&d->interval_ms, interval_ms);
}

/* ---- bench packet ---------------------------------------------------------------------------- */

/* Built by the Makefile from bench/variant.bpf.c; see its -D flags. */
static const char *const variant_names[] = { "bare", "global_counters", "no_port_counts" };

#define NR_VARIANTS	(sizeof(variant_names) / sizeof(variant_names[0]))

#define DRAIN_NONE	(-1)	/* no events to drain, or nobody reads them */
#define DRAIN_ALWAYS	0	/* drained without pause: every reserve succeeds */

enum vs {
	VS_SELF,		/* a floor: its own reference */
	VS_PASS,		/* against the empty XDP_PASS */
	VS_DROP,		/* against the empty XDP_DROP */
	VS_OUR_DROP,		/* against our IPv4 drop at the default --event-rate */
};

struct prog_case {
	const char *name;
	const char *group;	/* floor, pass, drop, printk, variant */
	int prog_fd;
	const struct pkt *frame;
	__u32 verdict;
	int counters_fd;	/* the program's counters map, or -1 */
	int drain_ms;		/* its events drained every so many ms, or DRAIN_* */
	enum vs vs;
	double target;		/* the ratio we aim for; 0: none */
	bool at_least;		/* the target is a minimum (printk), else a maximum */
	/* Results. */
	__u32 ns[MAX_ROUNDS];
	int nruns;
	unsigned long long packets, lost;	/* over the timed runs */
	__u32 median, min, max;
};

struct packet_bench {
	__u32 repeat;
	int rounds;
	const char *rows_path;
	int bench_cpu, consumer_cpu;
	int ncpus;
	struct tcpdrop_counters *percpu;	/* scratch for one read of a counters map */
	struct pkt v4_other, v6_other, arp, v4_watched, v6_watched;
	/* --event-rate max, max, the default, max with -w (its ring drained with the tool's) */
	struct loader tool, full_ring, throttled, capture;
	bool tool_up, full_ring_up, throttled_up, capture_up;
	int netns_fd[4];
	struct floor_bpf *floor;
	struct bpf_object *variants[NR_VARIANTS];
	struct consumer consumer;
	struct drainer drainer;
	bool drainer_up;
	struct prog_case cases[20];
	int ncases;
	/* tracefs, mounted privately, to put bpf_printk's trace event back as it was */
	char tracefs[64];
	bool tracefs_mounted;
	char printk_event_was, tracing_on_was;
};

static const uint8_t v6_src[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x01 };
static const uint8_t v6_dst[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x02 };

static void build_frames(struct packet_bench *b)
{
	struct pkt *p;

	/* SYNs from 10.0.0.1:40000 and 2001:db8::1, to port 80 (passes) or 4040 (dropped). */
	p = &b->v4_other;
	pkt_init(p);
	pkt_eth(p, PKT_ETH_IPV4);
	pkt_ipv4(p, PKT_IP_TCP, 0x0a000001, 0x0a000002, 0);
	pkt_tcp(p, 40000, 80, 0x02, 0);
	pkt_done(p);
	b->v4_watched = *p;
	pkt_put16(&b->v4_watched, PKT_ETH_LEN + PKT_IPV4_LEN + 2, TCPDROP_DEFAULT_PORT);

	p = &b->v6_other;
	pkt_init(p);
	pkt_eth(p, PKT_ETH_IPV6);
	pkt_ipv6(p, PKT_IP_TCP, v6_src, v6_dst);
	pkt_tcp(p, 40000, 80, 0x02, 0);
	pkt_done(p);
	b->v6_watched = *p;
	pkt_put16(&b->v6_watched, PKT_ETH_LEN + PKT_IPV6_LEN + 2, TCPDROP_DEFAULT_PORT);

	p = &b->arp;
	pkt_init(p);
	pkt_eth(p, PKT_ETH_ARP);
	pkt_arp(p, 1, 0x0a000001, 0x0a000002);
	pkt_done(p);
}

static int read_file_char(const char *dir, const char *name, char *c)
{
	char path[256], buf[8] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	*c = buf[0];
	return 0;
}

static int write_file_char(const char *dir, const char *name, char c)
{
	char path[256];
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	if (fputc(c, f) == EOF)
		err = -EIO;
	if (fclose(f))
		err = -errno;
	return err;
}

#define PRINTK_EVENT "events/bpf_trace/bpf_trace_printk/enable"

/*
 * Loading a program that calls bpf_printk makes the kernel enable the bpf_trace_printk trace
 * event, and leaves it on. The bench mounts tracefs in a private mount namespace (nothing
 * appears on the host), notes the event and tracing_on, turns tracing on so that the printk
 * numbers include the trace-buffer writes, and puts both back at the end.
 */
static int tracefs_setup(struct packet_bench *b)
{
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -errno;
	snprintf(b->tracefs, sizeof(b->tracefs), "/tmp/tdt-bench-tracefs.XXXXXX");
	if (!mkdtemp(b->tracefs)) {
		b->tracefs[0] = 0;
		return -errno;
	}
	if (mount("tracefs", b->tracefs, "tracefs", 0, NULL))
		return -errno;
	b->tracefs_mounted = true;
	if (read_file_char(b->tracefs, PRINTK_EVENT, &b->printk_event_was) ||
	    read_file_char(b->tracefs, "tracing_on", &b->tracing_on_was))
		return -ENOENT;
	return write_file_char(b->tracefs, "tracing_on", '1');
}

static void tracefs_restore(struct packet_bench *b)
{
	if (b->tracefs_mounted) {
		if (b->printk_event_was == '0' &&
		    write_file_char(b->tracefs, PRINTK_EVENT, '0'))
			fprintf(stderr, "bench: could not turn the bpf_trace_printk event back "
				"off\n");
		if (b->tracing_on_was == '0')
			write_file_char(b->tracefs, "tracing_on", '0');
		umount2(b->tracefs, MNT_DETACH);
		b->tracefs_mounted = false;
	}
	if (b->tracefs[0])
		rmdir(b->tracefs);
	b->tracefs[0] = 0;
}

/*
 * tcpdrop-top configured by its own code: options from its CLI parser, loaded and attached by its
 * loader, on the loopback device of a private network namespace that only this process sees (the
 * namespace is kept by an fd so that a second one can hold a second instance).
 */
static int start_tool(struct loader *l, int *netns_fd, const char *const *extra,
		      ring_buffer_sample_fn on_event, void *ctx)
{
	struct options opts;
	struct error e = {};
	int err;

	if (unshare(CLONE_NEWNET))
		return -errno;
	*netns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (tool_options("lo", extra, &opts))
		return -EINVAL;
	err = attach_tool(l, &opts, on_event, ctx, &e);
	if (err)
		error_print(stderr, &e);
	return err;
}

static int ignore_event(void *ctx, void *data, size_t size)
{
	(void)ctx;
	(void)data;
	(void)size;
	return 0;
}

static int read_lost(struct packet_bench *b, int counters_fd, unsigned long long *lost)
{
	__u32 zero = 0;
	int cpu;

	*lost = 0;
	if (bpf_map_lookup_elem(counters_fd, &zero, b->percpu))
		return -errno;
	for (cpu = 0; cpu < b->ncpus; cpu++)
		*lost += b->percpu[cpu].count[TCPDROP_EVENTS_LOST];
	return 0;
}

/* The instrumented copies of the program, next to this binary; configured like the tool. */
/*
 * Opens and loads an instrumented copy of the program (variant_NAME.bpf.o, next to this
 * binary), with port 4040 watched as the tool would set it.
 */
/*
 * Sets a variable of the object's global data (".rodata", ".bss") before load, as the skeleton
 * does for the tool, found through the object's BTF: the variants then throttle events as the
 * tool does.
 */
static int set_global(struct bpf_object *obj, const char *section, const char *name,
		      const void *value, size_t len)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, section);
	struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *var;
	const struct btf_type *sec;
	const void *initial;
	char data[4096];
	size_t size;
	int id;

	if (!map || !btf)
		return -ENOENT;
	id = btf__find_by_name_kind(btf, section, BTF_KIND_DATASEC);
	initial = bpf_map__initial_value(map, &size);
	if (id < 0 || !initial || size > sizeof(data))
		return -ENOENT;
	memcpy(data, initial, size);
	sec = btf__type_by_id(btf, id);
	var = btf_var_secinfos(sec);
	for (int i = 0; i < btf_vlen(sec); i++, var++) {
		const struct btf_type *t = btf__type_by_id(btf, var->type);

		if (!strcmp(btf__name_by_offset(btf, t->name_off), name) &&
		    var->offset + len <= size) {
			memcpy(data + var->offset, value, len);
			return bpf_map__set_initial_value(map, data, size);
		}
	}
	return -ENOENT;
}

static int load_variant(const char *name, struct bpf_object **objp)
{
	__u32 word = tcpdrop_port_word(TCPDROP_DEFAULT_PORT);
	__u64 bits = tcpdrop_port_bit(TCPDROP_DEFAULT_PORT);
	char dir[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	struct bpf_object *obj;
	char *slash;
	int err;

	*objp = NULL;
	if (n < 0)
		return -errno;
	dir[n] = 0;
	slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	snprintf(path, sizeof(path), "%s/variant_%s.bpf.o", dir, name);
	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		err = -errno;
	else	/* sized as the loader sizes it: every CPU's recent sources */
		err = bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, "recent"),
					       libbpf_num_possible_cpus() * TCPDROP_RECENT_SETS);
	/* The default --event-rate, its bucket empty (.bss starts at 0): every event held back,
	 * as in a flood. */
	if (!err) {
		__s64 cost = 1000000000LL / TCPDROP_DEFAULT_EVENT_RATE;

		err = set_global(obj, ".bss", "event_cost_ns", &cost, sizeof(cost));
	}
	/* Port 4040 is the tool's one watched port, so its drops are the dropped counter's. */
	if (!err) {
		__u16 implied = TCPDROP_DEFAULT_PORT;

		err = set_global(obj, ".rodata", "implied_port", &implied, sizeof(implied));
	}
	if (!err)
		err = bpf_object__load(obj);
	if (!err && bpf_map_update_elem(bpf_object__find_map_fd_by_name(obj, "ports"), &word,
					&bits, BPF_ANY))
		err = -errno;
	if (err) {
		fprintf(stderr, "bench: %s: %s\n", path, strerror(-err));
		bpf_object__close(obj);
		return err;
	}
	*objp = obj;
	return 0;
}

static int variant_prog_fd(struct bpf_object *obj)
{
	return bpf_program__fd(bpf_object__find_program_by_name(obj, "tcpdrop"));
}

static struct prog_case *add_case(struct packet_bench *b, const char *name, const char *group,
				  int prog_fd, const struct pkt *frame, __u32 verdict,
				  int counters_fd, enum vs vs, double target)
{
	struct prog_case *c = &b->cases[b->ncases++];

	memset(c, 0, sizeof(*c));
	c->name = name;
	c->group = group;
	c->prog_fd = prog_fd;
	c->frame = frame;
	c->verdict = verdict;
	c->counters_fd = counters_fd;
	c->drain_ms = DRAIN_NONE;
	c->vs = vs;
	c->target = target;
	return c;
}

static int run_case(struct packet_bench *b, struct prog_case *c, __u32 repeat, bool timed)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = c->frame->buf,
		    .data_size_in = (__u32)c->frame->len, .repeat = repeat);
	unsigned long long lost0 = 0, lost1 = 0;
	int err;

	if (c->counters_fd >= 0 && read_lost(b, c->counters_fd, &lost0))
		return -errno;
	err = bpf_prog_test_run_opts(c->prog_fd, &opts);
	if (err) {
		fprintf(stderr, "bench: %s: BPF_PROG_TEST_RUN: %s\n", c->name, strerror(-err));
		return err;
	}
	if (opts.retval != c->verdict) {
		fprintf(stderr, "bench: %s: verdict %u, want %u: the program is not configured as "
			"expected\n", c->name, opts.retval, c->verdict);
		return -EINVAL;
	}
	if (c->counters_fd >= 0 && read_lost(b, c->counters_fd, &lost1))
		return -errno;
	if (!timed)
		return 0;
	/* The kernel's own timing: the loop alone, in whole ns per run of the program. */
	c->ns[c->nruns++] = opts.duration;
	c->packets += repeat;
	c->lost += lost1 - lost0;
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static void summarize(struct prog_case *c)
{
	__u32 ns[MAX_ROUNDS];

	memcpy(ns, c->ns, sizeof(ns));
	qsort(ns, c->nruns, sizeof(ns[0]), cmp_u32);
	c->min = ns[0];
	c->max = ns[c->nruns - 1];
	/* An odd number of rounds is enforced, so the median is one real run. */
	c->median = ns[c->nruns / 2];
}

static struct prog_case *find_case(struct packet_bench *b, const char *name)
{
	for (int i = 0; i < b->ncases; i++)
		if (!strcmp(b->cases[i].name, name))
			return &b->cases[i];
	return NULL;
}

#define EMPTY_PASS	"empty XDP_PASS"
#define EMPTY_DROP	"empty XDP_DROP"
#define V4_PASS		"IPv4 TCP, other port: pass"
#define ARP_PASS	"ARP: pass"
#define V4_DROP_10MS	"IPv4 TCP to 4040: drop + event, drained every 10 ms"
#define V6_DROP_10MS	"IPv6 TCP to 4040: drop + event, drained every 10 ms"
#define V4_DROP		"IPv4 TCP to 4040: drop + event, drained without pause"
#define V6_DROP		"IPv6 TCP to 4040: drop + event, drained without pause"
#define V4_RING_FULL	"IPv4 TCP to 4040: drop, ring full"
#define V4_CAPTURE_10MS	"IPv4 TCP to 4040: drop + event + 128-byte capture (-w), 10 ms drain"
#define V4_THROTTLED	"IPv4 TCP to 4040: drop, event held back (default --event-rate)"
#define BARE_DROP	"drop without the per-source counts (event held back)"
#define PLAIN_COUNTERS	"IPv4 pass, counters in a plain global"
#define NO_PORT_DROP	"drop without the drops per port (event held back)"

static long median_of(struct packet_bench *b, const char *name)
{
	struct prog_case *c = find_case(b, name);

	return c ? (long)c->median : 0;
}

/* One row of the breakdown: what a part costs, as the difference of two medians. */
static void write_part(struct packet_bench *b, FILE *out, const char *path, const char *part,
		       const char *with, const char *without)
{
	fprintf(out, "{\"section\":\"breakdown\",\"path\":\"%s\",\"name\":\"%s\",\"ns\":%ld,"
		"\"from\":\"%s\",\"minus\":\"%s\"}\n", path, part,
		median_of(b, with) - median_of(b, without), with, without);
}

static void write_rows(struct packet_bench *b, FILE *out)
{
	const struct prog_case *pass = find_case(b, EMPTY_PASS), *drop = find_case(b, EMPTY_DROP);
	const struct prog_case *ours = find_case(b, V4_THROTTLED), *ref;
	double ratio;
	int i;

	for (i = 0; i < b->ncases; i++) {
		struct prog_case *c = &b->cases[i];

		ref = c->vs == VS_PASS ? pass : c->vs == VS_DROP ? drop :
		      c->vs == VS_OUR_DROP ? ours : c;
		ratio = ref->median ? (double)c->median / ref->median : 0;
		fprintf(out, "{\"section\":\"packet\",\"group\":\"%s\",\"name\":\"%s\","
			"\"ns_median\":%u,\"ns_min\":%u,\"ns_max\":%u,\"runs\":%d,\"repeat\":%u,"
			"\"ratio\":%.3f,\"ratio_to\":\"%s\"",
			c->group, c->name, c->median, c->min, c->max, c->nruns, b->repeat, ratio,
			ref == c ? "" : ref->name);
		if (c->drain_ms != DRAIN_NONE)
			fprintf(out, ",\"drain_ms\":%d", c->drain_ms);
		if (c->counters_fd >= 0)
			fprintf(out, ",\"events_lost_pct\":%.2f",
				c->packets ? 100.0 * c->lost / c->packets : 0.0);
		if (c->target > 0)
			fprintf(out, ",\"target\":\"%s %.2fx\",\"met\":%s",
				c->at_least ? ">=" : "<=", c->target,
				(c->at_least ? ratio >= c->target : ratio <= c->target) ?
				"true" : "false");
		fprintf(out, "}\n");
	}

	write_part(b, out, "drop", "parse + match + counters, the event held back", BARE_DROP,
		   EMPTY_DROP);
	write_part(b, out, "drop", "per-source counts (one source: its CPU's current)", V4_THROTTLED,
		   BARE_DROP);
	write_part(b, out, "drop", "drops per port (4040, the implied port: no add)", V4_THROTTLED,
		   NO_PORT_DROP);
	write_part(b, out, "drop", "event, drained every 10 ms (some reserves fail)", V4_DROP_10MS,
		   V4_THROTTLED);
	write_part(b, out, "drop", "event, drained without pause", V4_DROP, V4_THROTTLED);
	write_part(b, out, "drop", "a 128-byte capture in the event (-w)", V4_CAPTURE_10MS,
		   V4_DROP_10MS);
	write_part(b, out, "drop", "a failed reserve (ring full)", V4_RING_FULL, V4_THROTTLED);
	write_part(b, out, "pass", "per-CPU counters, ARP (Ethernet only)", ARP_PASS, EMPTY_PASS);
	write_part(b, out, "pass", "IPv4 + TCP parse and port lookup", V4_PASS, ARP_PASS);
	write_part(b, out, "pass", "per-CPU lookup vs a plain global", V4_PASS, PLAIN_COUNTERS);

	fprintf(out, "{\"section\":\"packet-setup\",\"repeat\":%u,\"rounds\":%d,\"bench_cpu\":%d,"
		"\"consumer_cpu\":%d,\"ring_capacity_events\":%zu,\"printk_tracing_on\":true}\n",
		b->repeat, b->rounds, b->bench_cpu, b->consumer_cpu,
		(size_t)TCPDROP_DEFAULT_RING_BYTES / RING_RECORD_BYTES);
}

static void pick_cpus(struct packet_bench *b)
{
	cpu_set_t set;
	int cpu;

	b->bench_cpu = 0;
	b->consumer_cpu = -1;
	if (sched_getaffinity(0, sizeof(set), &set))
		return;
	for (cpu = CPU_SETSIZE - 1; cpu >= 0; cpu--)
		if (CPU_ISSET(cpu, &set)) {
			b->bench_cpu = cpu;
			break;
		}
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set) && cpu != b->bench_cpu) {
			b->consumer_cpu = cpu;
			break;
		}
}

static void packet_cleanup(struct packet_bench *b)
{
	int i;

	if (b->drainer_up) {
		atomic_store(&b->drainer.quit, true);
		pthread_join(b->drainer.thread, NULL);
	}
	for (i = 0; i < (int)NR_VARIANTS; i++)
		bpf_object__close(b->variants[i]);
	floor_bpf__destroy(b->floor);
	/* Only once no program calls bpf_printk can the trace event be put back. */
	tracefs_restore(b);
	if (b->tool_up)
		loader_stop(&b->tool);
	if (b->full_ring_up)
		loader_stop(&b->full_ring);
	if (b->throttled_up)
		loader_stop(&b->throttled);
	if (b->capture_up)
		loader_stop(&b->capture);
	for (i = 0; i < 4; i++)
		if (b->netns_fd[i] >= 0)
			close(b->netns_fd[i]);
	droplog_free(&b->consumer.log);
	free(b->percpu);
}

static int packet_setup(struct packet_bench *b)
{
	static const char *const every_event[] = { "--event-rate", "max", NULL };
	/* -w with the default snaplen: the program copies 128 bytes into each event. */
	static const char *const capture[] = { "--event-rate", "max", "-w", "/dev/null", NULL };
	struct tcpdrop_bpf *tool, *full;
	int tool_counters, full_counters, prog, e, i;
	unsigned long long lost;
	struct prog_case *c;
	struct floor_bpf *f;

	b->ncpus = libbpf_num_possible_cpus();
	b->percpu = calloc(b->ncpus > 0 ? b->ncpus : 1, sizeof(*b->percpu));
	if (b->ncpus <= 0 || !b->percpu)
		return -ENOMEM;
	pick_cpus(b);
	e = pin_to_cpu(b->bench_cpu);
	if (e)
		return e;
	if (droplog_init(&b->consumer.log))
		return -ENOMEM;
	e = tracefs_setup(b);
	if (e) {
		fprintf(stderr, "bench: cannot reach tracefs to restore the bpf_printk event "
			"afterwards: %s\n", strerror(-e));
		return e;
	}
	e = start_tool(&b->tool, &b->netns_fd[0], every_event, consumer_on_event, &b->consumer);
	if (e)
		return e;
	b->tool_up = true;
	e = start_tool(&b->full_ring, &b->netns_fd[1], every_event, ignore_event, NULL);
	if (e)
		return e;
	b->full_ring_up = true;
	e = start_tool(&b->throttled, &b->netns_fd[2], NULL, ignore_event, NULL);
	if (e)
		return e;
	b->throttled_up = true;
	e = start_tool(&b->capture, &b->netns_fd[3], capture, NULL, NULL);
	if (e)
		return e;
	b->capture_up = true;

	b->floor = f = floor_bpf__open_and_load();
	if (!f)
		return -errno;
	for (i = 0; i < (int)NR_VARIANTS; i++) {
		e = load_variant(variant_names[i], &b->variants[i]);
		if (e)
			return e;
	}

	build_frames(b);
	tool = b->tool.skel;
	full = b->full_ring.skel;
	tool_counters = bpf_map__fd(tool->maps.counters);
	full_counters = bpf_map__fd(full->maps.counters);

	/* Floors first: everything else is a ratio to them. */
	add_case(b, EMPTY_PASS, "floor", bpf_program__fd(f->progs.xdp_pass), &b->v4_other,
		 XDP_PASS, -1, VS_SELF, 0);
	add_case(b, EMPTY_DROP, "floor", bpf_program__fd(f->progs.xdp_drop), &b->v4_watched,
		 XDP_DROP, -1, VS_SELF, 0);

	prog = bpf_program__fd(tool->progs.tcpdrop);
	add_case(b, V4_PASS, "pass", prog, &b->v4_other, XDP_PASS, -1, VS_PASS, 1.15);
	add_case(b, "IPv6 TCP, other port: pass", "pass", prog, &b->v6_other, XDP_PASS, -1,
		 VS_PASS, 1.15);
	add_case(b, ARP_PASS, "pass", prog, &b->arp, XDP_PASS, -1, VS_PASS, 1.15);
	/*
	 * Drained as the tool drains, every 10 ms: the rows the targets are about. But
	 * BPF_PROG_TEST_RUN drops faster than the 5.8 million events a second that the ring holds
	 * between two drains, so some reserves fail, and a failed reserve is cheaper: the rows say
	 * how many. The next two, for context, drain without pause so that (nearly) every event
	 * goes through the ring, at the price of the reader pulling each record's cache lines
	 * from the writer's CPU as soon as it is written.
	 */
	c = add_case(b, V4_DROP_10MS, "drop", prog, &b->v4_watched, XDP_DROP, tool_counters,
		     VS_DROP, 3.0);
	c->drain_ms = TCPDROP_DRAIN_INTERVAL_MS;
	c = add_case(b, V6_DROP_10MS, "drop", prog, &b->v6_watched, XDP_DROP, tool_counters,
		     VS_DROP, 3.0);
	c->drain_ms = TCPDROP_DRAIN_INTERVAL_MS;
	c = add_case(b, V4_DROP, "drop", prog, &b->v4_watched, XDP_DROP, tool_counters, VS_DROP,
		     0);
	c->drain_ms = DRAIN_ALWAYS;
	c = add_case(b, V6_DROP, "drop", prog, &b->v6_watched, XDP_DROP, tool_counters, VS_DROP,
		     0);
	c->drain_ms = DRAIN_ALWAYS;
	add_case(b, V4_RING_FULL, "drop", bpf_program__fd(full->progs.tcpdrop), &b->v4_watched,
		 XDP_DROP, full_counters, VS_DROP, 0);

	/* -w: the same, with the frame's first 128 bytes copied into a bigger record. */
	c = add_case(b, V4_CAPTURE_10MS, "drop", bpf_program__fd(b->capture.skel->progs.tcpdrop),
		     &b->v4_watched, XDP_DROP, bpf_map__fd(b->capture.skel->maps.counters), VS_DROP,
		     0);
	c->drain_ms = TCPDROP_DRAIN_INTERVAL_MS;

	/* The default: nearly every drop of a test run is over the rate, its event held back. */
	add_case(b, V4_THROTTLED, "drop", bpf_program__fd(b->throttled.skel->progs.tcpdrop),
		 &b->v4_watched, XDP_DROP, -1, VS_DROP, 0);

	c = add_case(b, "printk baseline, IPv4 TCP to 4040", "printk",
		     bpf_program__fd(f->progs.printk_baseline), &b->v4_watched, XDP_DROP, -1,
		     VS_OUR_DROP, 4.0);
	c->at_least = true;

	/*
	 * The breakdown: the real program with a part taken out (bench/variant.bpf.c), its events
	 * held back as in a flood at the default rate, so that the part is measured free of the
	 * ring and its reader.
	 */
	add_case(b, BARE_DROP, "variant", variant_prog_fd(b->variants[0]), &b->v4_watched,
		 XDP_DROP, -1, VS_DROP, 0);
	add_case(b, PLAIN_COUNTERS, "variant", variant_prog_fd(b->variants[1]), &b->v4_other,
		 XDP_PASS, -1, VS_PASS, 0);
	add_case(b, NO_PORT_DROP, "variant", variant_prog_fd(b->variants[2]), &b->v4_watched,
		 XDP_DROP, -1, VS_DROP, 0);

	/* Fill the second instance's ring, which nobody reads, until reserves fail. */
	e = run_case(b, find_case(b, V4_RING_FULL),
		     2 * TCPDROP_DEFAULT_RING_BYTES / RING_RECORD_BYTES, false);
	if (e)
		return e;
	if (read_lost(b, full_counters, &lost) || !lost) {
		fprintf(stderr, "bench: the ring did not fill up\n");
		return -EIO;
	}

	b->drainer.ring = b->tool.ring;
	/* The capture instance's ring is read by the same drainer, as the tool would read it. */
	if (ring_buffer__add(b->tool.ring, bpf_map__fd(b->capture.skel->maps.events),
			     consumer_on_event, &b->consumer))
		return -errno;
	b->drainer.cpu = b->consumer_cpu;
	atomic_store(&b->drainer.interval_ms, TCPDROP_DRAIN_INTERVAL_MS);
	e = pthread_create(&b->drainer.thread, NULL, drainer_main, &b->drainer);
	if (e)
		return -e;
	b->drainer_up = true;
	return 0;
}

/* Empties the rings, then drains them as the case asks (or idles on the tool's timer). */
static void drain_for(struct packet_bench *b, const struct prog_case *c)
{
	drainer_set(&b->drainer, c->drain_ms == DRAIN_ALWAYS ? 0 : TCPDROP_DRAIN_INTERVAL_MS);
}

static int packet_run(struct packet_bench *b)
{
	struct prog_case *c;
	int i, r, e;

	/* Untimed, so that caches, the LRU entry and the branch predictors are warm. */
	for (i = 0; i < b->ncases; i++) {
		c = &b->cases[i];
		drain_for(b, c);
		e = run_case(b, c, WARMUP_REPEAT, false);
		if (e)
			return e;
	}
	/*
	 * Round-robin: each round runs every case once, so a burst of noise from elsewhere on the
	 * machine lands on all of them alike and the medians stay comparable.
	 */
	for (r = 0; r < b->rounds && !stop; r++) {
		fprintf(stderr, "\r  per packet: round %d of %d", r + 1, b->rounds);
		for (i = 0; i < b->ncases && !stop; i++) {
			c = &b->cases[i];
			drain_for(b, c);
			e = run_case(b, c, b->repeat, true);
			if (e)
				return e;
		}
	}
	fprintf(stderr, "\n");
	if (stop)
		return -EINTR;
	for (i = 0; i < b->ncases; i++)
		summarize(&b->cases[i]);
	return 0;
}

static int cmd_packet(int argc, char **argv)
{
	struct packet_bench b = { .repeat = 1000000, .rounds = 9, .netns_fd = { -1, -1, -1, -1 } };
	FILE *out = stdout;
	int i, e;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
			b.repeat = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			b.rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--rows") && i + 1 < argc)
			b.rows_path = argv[++i];
		else {
			fprintf(stderr, "bench packet: unknown option \"%s\"\n", argv[i]);
			return 2;
		}
	}
	if (b.rounds < 1 || b.rounds > MAX_ROUNDS || !(b.rounds % 2) || !b.repeat) {
		fprintf(stderr, "bench packet: --rounds must be odd, 1 to %d; --repeat above 0\n",
			MAX_ROUNDS);
		return 2;
	}
	install_signals();
	e = packet_setup(&b);
	if (!e)
		e = packet_run(&b);
	if (!e && b.drainer.err)
		fprintf(stderr, "bench: draining the ring: %s\n", strerror(-b.drainer.err));
	packet_cleanup(&b);
	if (e) {
		if (e != -EINTR)
			fprintf(stderr, "bench packet: %s\n", strerror(-e));
		return 1;
	}
	if (b.rows_path) {
		out = fopen(b.rows_path, "a");
		if (!out) {
			fprintf(stderr, "bench packet: %s: %s\n", b.rows_path, strerror(errno));
			return 1;
		}
	}
	write_rows(&b, out);
	if (out != stdout && fclose(out)) {
		fprintf(stderr, "bench packet: %s: %s\n", b.rows_path, strerror(errno));
		return 1;
	}
	return 0;
}

/* ---- bench xdp-drop IFACE -------------------------------------------------------------------- */

/* Attaches prog_fd to ifname in native mode and keeps it there until SIGINT or SIGTERM. */
static int hold_attached(const char *cmd, int prog_fd, const char *ifname)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = XDP_FLAGS_DRV_MODE);
	int ifindex = if_nametoindex(ifname), link_fd;

	if (!ifindex) {
		fprintf(stderr, "%s: no interface \"%s\"\n", cmd, ifname);
		return 2;
	}
	/* Native, like tcpdrop-top on a veth: what is compared must run in the same mode. */
	link_fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);
	if (link_fd < 0) {
		fprintf(stderr, "%s: cannot attach native XDP to %s: %s\n", cmd, ifname,
			strerror(errno));
		return 1;
	}
	printf("ready native\n");
	fflush(stdout);
	while (!stop)
		pause();
	close(link_fd);
	return 0;
}

static int cmd_xdp_drop(int argc, char **argv)
{
	struct floor_bpf *f;
	int status;

	if (argc != 1) {
		fprintf(stderr, "usage: bench xdp-drop IFACE\n");
		return 2;
	}
	install_signals();
	f = floor_bpf__open();
	/* Not the printk baseline: loading it would turn the bpf_trace_printk event on. */
	if (!f || bpf_program__set_autoload(f->progs.printk_baseline, false) ||
	    floor_bpf__load(f)) {
		fprintf(stderr, "bench xdp-drop: cannot load the empty XDP_DROP program: %s\n",
			strerror(errno));
		floor_bpf__destroy(f);
		return 1;
	}
	status = hold_attached("bench xdp-drop", bpf_program__fd(f->progs.xdp_drop), argv[0]);
	floor_bpf__destroy(f);
	return status;
}

/* For the flood: an instrumented copy on the veth, to see where the flood's time goes. */
static int cmd_variant(int argc, char **argv)
{
	struct bpf_object *obj;
	int status;

	if (argc != 2) {
		fprintf(stderr, "usage: bench variant NAME IFACE\n");
		return 2;
	}
	install_signals();
	if (load_variant(argv[0], &obj))
		return 1;
	status = hold_attached("bench variant", variant_prog_fd(obj), argv[1]);
	bpf_object__close(obj);
	return status;
}

/* ---- bench consume IFACE --------------------------------------------------------------------- */

/* The tool's run loop and model with an output that only counts: what the screen costs aside. */
static int consume_event(void *out, struct run *r, const struct tcpdrop_event *ev, size_t size,
			 struct error *e)
{
	(void)r;
	(void)ev;
	(void)size;
	(void)e;
	((struct consumer *)out)->delivered++;
	return 0;
}

/* The last line: the counters, the top sources by drops, and what no source's row holds. */
static int consume_close(void *out, struct run *r, bool failed, struct error *e)
{
	const struct model *m = run_view(r)->model;
	const struct counter_values *total = &m->stats.total;
	const struct sources *s = &m->sources;
	uint64_t dropped = total->v[TCPDROP_DROPPED];
	struct source_row top[10];
	char addr[FORMAT_ADDR_LEN];
	size_t n = sources_top(s, SORT_DROPS, top, 10);

	(void)failed;
	printf("{\"delivered\":%llu,\"dropped\":%llu,\"events_lost\":%llu,"
	       "\"events_throttled\":%llu,\"rows_drops\":%llu,\"untracked\":%llu,\"top\":[",
	       ((struct consumer *)out)->delivered, (unsigned long long)dropped,
	       (unsigned long long)total->v[TCPDROP_EVENTS_LOST],
	       (unsigned long long)total->v[TCPDROP_EVENTS_THROTTLED],
	       (unsigned long long)s->done.total_drops,
	       (unsigned long long)sources_untracked_drops(s, dropped));
	for (size_t i = 0; i < n; i++) {
		format_addr(top[i].family, top[i].addr, addr);
		printf("%s{\"src\":\"%s\",\"drops\":%llu}", i ? "," : "", addr,
		       (unsigned long long)top[i].drops);
	}
	printf("]}\n");
	if (fflush(stdout))
		return error_set(e, -errno, "writing to stdout failed: %s", strerror(errno));
	return 0;
}

static const struct output_ops consume_output = {
	.event = consume_event,
	.close = consume_close,
	.final = OUTPUT_FINAL_STATS,
};

static int cmd_consume(int argc, char **argv)
{
	struct loader l = LOADER_INIT;
	struct consumer c = {};
	struct error e = {};
	struct options opts;
	struct run *run;
	int status;

	if (argc < 1) {
		fprintf(stderr, "usage: bench consume IFACE [TCPDROP-TOP OPTIONS]\n");
		return 2;
	}
	if (tool_options(argv[0], (const char *const *)argv + 1, &opts))
		return 2;
	install_signals();
	run = run_new(&opts, &l, &(struct output){ &consume_output, &c }, 1);
	if (!run) {
		fprintf(stderr, "bench consume: out of memory\n");
		return 1;
	}
	if (attach_tool(&l, &opts, run_on_event, run, &e)) {
		error_print(stderr, &e);
		status = 1;
	} else {
		printf("ready %s\n", l.native ? "native" : "generic");
		fflush(stdout);
		run_open(run);
		status = run_loop(run, &stop);
	}
	loader_stop(&l);
	run_free(run);
	return status;
}

/* ---- bench ndjson [--rows FILE] ---------------------------------------------------------------- */

/*
 * The NDJSON formatter alone, as --event-rate max uses it: drop lines formatted one after the
 * other through the stream's writer into /dev/null, for about two seconds on one core.
 */
static int cmd_ndjson(int argc, char **argv)
{
	struct tcpdrop_event e = {
		.saddr = { 198, 51, 100, 2 }, .daddr = { 198, 51, 100, 1 }, .len = 74,
		.sport = 40000, .dport = 4040, .family = 4, .tcp_flags = TCPDROP_TCP_SYN,
		.action = TCPDROP_ACTION_DROP,
	};
	static struct outbuf out;
	const char *rows = argc == 2 && !strcmp(argv[0], "--rows") ? argv[1] : NULL;
	uint64_t start = monotonic_ns(), now = start, lines = 0, wall = 1795552238000000000ULL;
	char line[512];
	double rate;
	FILE *f;

	out.fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (out.fd < 0)
		return 1;
	while (now - start < 2000000000ULL) {
		for (int i = 0; i < 10000; i++, lines++) {
			e.sport = 40000 + lines % 20000;
			wall += 1373;	/* a drop every 1.4 us: the clock moves on as in a flood */
			if (outbuf_put(&out, line, ndjson_drop(line, sizeof(line), &e, "eth0", wall)))
				return 1;
		}
		now = monotonic_ns();
	}
	outbuf_flush(&out);
	close(out.fd);
	rate = lines / ((now - start) / 1e9);
	printf("  %.0f drop lines a second\n", rate);
	f = rows ? fopen(rows, "a") : NULL;
	if (f) {
		fprintf(f, "{\"section\":\"formatter\",\"lines_per_s\":%.0f,\"target\":\">= 3M\","
			"\"met\":%s}\n", rate, rate >= 3e6 ? "true" : "false");
		fclose(f);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench packet [--repeat N] [--rounds R] [--rows FILE] | "
			"xdp-drop IFACE | variant NAME IFACE | consume IFACE [OPTIONS] | "
			"ndjson [--rows FILE]\n");
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "bench: needs root (BPF_PROG_TEST_RUN, XDP, network namespaces): "
			"run sudo make bench\n");
		return 1;
	}
	libbpf_set_print(libbpf_log);
	if (!strcmp(argv[1], "packet"))
		return cmd_packet(argc - 2, argv + 2);
	if (!strcmp(argv[1], "xdp-drop"))
		return cmd_xdp_drop(argc - 2, argv + 2);
	if (!strcmp(argv[1], "variant"))
		return cmd_variant(argc - 2, argv + 2);
	if (!strcmp(argv[1], "consume"))
		return cmd_consume(argc - 2, argv + 2);
	if (!strcmp(argv[1], "ndjson"))
		return cmd_ndjson(argc - 2, argv + 2);
	fprintf(stderr, "bench: unknown command \"%s\"\n", argv[1]);
	return 2;
}
