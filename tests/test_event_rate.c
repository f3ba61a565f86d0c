// SPDX-License-Identifier: GPL-2.0
/*
 * --event-rate on the real program, as the command line configures it: drops on every CPU at
 * once for a few seconds, as fast as BPF_PROG_TEST_RUN sends them, and the events that come out
 * counted against the README's figure, N a second for all CPUs together.
 *
 * The token bucket holds at most 10 ms of credit (the README's "up to 10 ms worth"), so a CPU
 * whose thread the scheduler sets aside for longer earns nothing for the rest of that time. Each
 * thread therefore times its own calls, and the bounds are taken from what it saw: at least the
 * time its CPU was never idle for more than 10 ms, at most all of its time plus one burst (each
 * give or take a tick of the program's coarse clock). On an idle machine the two are within a
 * few percent of each other; on a loaded one they still hold.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

#include "check.h"
#include "pkt.h"
#include "tui/clock.h"
#include "tui/cli.h"
#include "tui/loader.h"

#define BURST_NS	10000000ULL	/* the README: credit up to 10 ms worth */
#define MAX_CPUS	64
#define RUN_NS		2000000000ULL	/* "a few seconds of steady traffic" */
/* One packet a BPF_PROG_TEST_RUN call, each timed: a call with a repeat count was seen to give
 * the CPU away between its packets, which is no steady traffic. */
#define CALL_MAX_NS	1000000ULL	/* the most a call takes when nothing interrupts it */
#define CALL_START_NS	100000ULL	/* and the most before its packet */

struct rig {
	struct options opts;
	struct loader l;
	atomic_ullong events;
	int bad_size;
};

/* What one CPU's thread did: its calls, their time, and the time its CPU may have lost. */
struct share {
	struct rig *r;
	int cpu;
	uint64_t deadline_ns, packets, max_packets;
	/* The start of its first call, the start and the end of its last; the most and the least
	 * time that went by without earning credit. */
	uint64_t first_ns, last_start_ns, last_ns, idle_lost_ns, unearned_ns, jiffy_ns;
	uint64_t cost_ns;		/* an event's cost in credit on this CPU */
	int err;
	atomic_bool done;
};

static struct pkt syn;	/* Ethernet, IPv4, TCP SYN to 4040 */

static int on_event(void *ctx, void *data, size_t size)
{
	struct rig *r = ctx;

	(void)data;
	if (size != sizeof(struct tcpdrop_event))
		r->bad_size++;
	atomic_fetch_add(&r->events, 1);
	return 0;
}

/* Loads the program as tcpdrop-top ARGS would; false (and a SKIP or FAIL said) if it cannot. */
static bool rig_open(struct rig *r, const char *const *args, int n)
{
	char *argv[8] = { "tcpdrop-top" };
	FILE *null = fopen("/dev/null", "w");
	struct loader_config cfg;
	struct error e = {};
	int err;

	memset(r, 0, sizeof(*r));
	for (int i = 0; i < n; i++)
		argv[i + 1] = (char *)args[i];
	if (cli_parse(n + 1, argv, &r->opts, null, null) != CLI_RUN) {
		fclose(null);
		check_fail_at(__FILE__, __LINE__, "the command line was refused");
		return false;
	}
	fclose(null);
	cfg = loader_config_from(&r->opts, on_event, r);
	err = loader_load(&r->l, &cfg, &e);
	if (err == -EPERM) {
		check_skip("needs root and BPF: %s", e.msg);
		return false;
	}
	if (err) {
		check_fail_at(__FILE__, __LINE__, "the program did not load: %s", e.msg);
		return false;
	}
	return true;
}

/* The tick of the program's clock for the bucket (CLOCK_MONOTONIC_COARSE): how far off a time
 * it measures may be from the one measured here. */
static uint64_t jiffy_ns(void)
{
	struct timespec res;

	clock_getres(CLOCK_MONOTONIC_COARSE, &res);
	return (uint64_t)res.tv_sec * 1000000000ULL + res.tv_nsec;
}

static void *drive(void *arg)
{
	struct share *s = arg;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = syn.buf, .data_size_in = syn.len,
		    .repeat = 1);
	uint64_t t0, t1 = 0, prev_t0 = 0, jiffy = jiffy_ns(), cap = BURST_NS + s->cost_ns;
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(s->cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one)) {
		s->err = -errno;
		atomic_store(&s->done, true);
		return NULL;
	}
	while (t1 < s->deadline_ns && s->packets < s->max_packets) {
		t0 = monotonic_ns();
		if (bpf_prog_test_run_opts(s->r->l.prog_fd, &opts)) {
			s->err = -errno;
			atomic_store(&s->done, true);
			return NULL;
		}
		if (!s->packets)
			s->first_ns = prev_t0 = t1 = t0;
		/*
		 * Between this packet and the one before, the program saw at least the time
		 * between the two calls pass without a packet, or a stall inside this call (which
		 * runs in well under a millisecond when nothing interrupts it), and at most the
		 * time from the start of the call before to the start of this one and the little
		 * a call does before its packet (the kernel gives the CPU away only after it, as
		 * the call returns); its clock may see a tick more or less. Past 10 ms the bucket
		 * is full and credit goes unearned: at least what is past its cap, at most what is
		 * past 10 ms.
		 */
		if (t0 - t1 > cap + jiffy)
			s->unearned_ns += t0 - t1 - cap - jiffy;
		if (t0 - prev_t0 + CALL_START_NS + jiffy > BURST_NS)
			s->idle_lost_ns += t0 - prev_t0 + CALL_START_NS + jiffy - BURST_NS;
		t1 = monotonic_ns();
		if (t1 - t0 > CALL_MAX_NS + cap + jiffy)
			s->unearned_ns += t1 - t0 - CALL_MAX_NS - cap - jiffy;
		prev_t0 = t0;
		s->packets++;
	}
	s->last_ns = t1;
	s->last_start_ns = prev_t0;
	s->jiffy_ns = jiffy;
	atomic_store(&s->done, true);
	return NULL;
}

struct outcome {
	uint64_t packets, events, dropped, throttled, lost;
	double low, high;	/* the events N a second allows, from the time each CPU ran */
};

/* Drops on every CPU for run_ns (or max_packets a CPU), draining the ring meanwhile as
 * tcpdrop-top does. */
static bool flood(struct rig *r, uint64_t run_ns, uint64_t max_packets, unsigned int rate,
		  struct outcome *o)
{
	int ncpus = sysconf(_SC_NPROCESSORS_ONLN), n = ncpus < MAX_CPUS ? ncpus : MAX_CPUS;
	struct counter_values before, after;
	struct share shares[MAX_CPUS] = {};
	pthread_t threads[MAX_CPUS];
	uint64_t deadline;
	double cost_ns;
	bool running = true;
	int started = 0;

	memset(o, 0, sizeof(*o));
	loader_drain(&r->l);
	o->events = atomic_load(&r->events);	/* from here on */
	if (loader_read_counters(&r->l, &before)) {
		check_fail_at(__FILE__, __LINE__, "reading the counters: %s", strerror(errno));
		return false;
	}
	/* Each CPU's share of N, with traffic on every CPU there is: together, N a second. */
	cost_ns = rate ? 1e9 * n / rate : 0;
	deadline = monotonic_ns() + run_ns;
	for (int i = 0; i < n; i++) {
		shares[i] = (struct share){ .r = r, .cpu = i, .deadline_ns = deadline,
					    .max_packets = max_packets, .cost_ns = cost_ns };
		if (pthread_create(&threads[i], NULL, drive, &shares[i])) {
			check_fail_at(__FILE__, __LINE__, "cannot start a thread for CPU %d", i);
			break;
		}
		started++;
	}
	while (running) {
		usleep(TCPDROP_DRAIN_INTERVAL_MS * 1000);
		loader_drain(&r->l);
		running = false;
		for (int i = 0; i < started; i++)
			running |= !atomic_load(&shares[i].done);
	}
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	if (started < n)
		return false;
	loader_drain(&r->l);
	loader_read_counters(&r->l, &after);
	for (int i = 0; i < n; i++) {
		struct share *s = &shares[i];
		/* From the first packet to the last: at least, at most. */
		uint64_t ran = s->last_start_ns > s->first_ns + CALL_START_NS ?
			       s->last_start_ns - s->first_ns - CALL_START_NS : 0;
		uint64_t ran_max = s->last_ns - s->first_ns;

		if (s->err) {
			check_fail_at(__FILE__, __LINE__, "CPU %d: BPF_PROG_TEST_RUN: %s", s->cpu,
				      strerror(-s->err));
			return false;
		}
		o->packets += s->packets;
		if (cost_ns) {
			uint64_t lost = s->idle_lost_ns + s->jiffy_ns;

			/* A fresh bucket starts full: one burst more, at most. */
			o->low += (ran > lost ? ran - lost : 0) / cost_ns;
			o->high += (ran_max + s->jiffy_ns + BURST_NS + cost_ns - s->unearned_ns) /
				   cost_ns;
		}
	}
	o->events = atomic_load(&r->events) - o->events;
	o->dropped = after.v[TCPDROP_DROPPED] - before.v[TCPDROP_DROPPED];
	o->throttled = after.v[TCPDROP_EVENTS_THROTTLED] - before.v[TCPDROP_EVENTS_THROTTLED];
	o->lost = after.v[TCPDROP_EVENTS_LOST] - before.v[TCPDROP_EVENTS_LOST];
	printf("# %d CPUs, %llu drops: %llu events, %llu throttled, %llu lost", n,
	       (unsigned long long)o->dropped, (unsigned long long)o->events,
	       (unsigned long long)o->throttled, (unsigned long long)o->lost);
	if (rate)
		printf("; %u a second over %.1f s allows %.0f to %.0f", rate, run_ns / 1e9, o->low,
		       o->high);
	printf("\n");
	CHECK(!r->bad_size, "%d events of the wrong size", r->bad_size);
	/* Every packet sent on every CPU is counted: the per-CPU counters add up exactly. */
	CHECK_EQ_U64(o->dropped, o->packets, "dropped, against the packets sent on every CPU");
	CHECK_EQ_U64(o->events + o->throttled + o->lost, o->dropped,
		     "delivered + throttled + lost, against dropped");
	return true;
}

/*
 * N a second, all CPUs together, within 10% of what the time the CPUs ran allows. A machine busy
 * elsewhere sets the threads aside and widens the bounds; the run is taken again, up to 8 times,
 * until they are close enough that twice or half the rate would fall outside them.
 */
static void expect_rate(const char *const *args, int n, unsigned int rate)
{
	struct outcome o;
	struct rig r;
	bool ran;

	if (!rig_open(&r, args, n))
		return;
	CHECK_EQ_U64(r.opts.event_rate, rate, "--event-rate taken as");
	for (int tries = 1; (ran = flood(&r, RUN_NS, UINT64_MAX, rate, &o)) && tries < 8; tries++)
		if (1.1 * o.high < 2 * 0.9 * o.low)
			break;
	if (ran) {
		CHECK(1.1 * o.high < 2 * 0.9 * o.low, "the CPUs were too busy elsewhere to measure, "
		      "8 times: N a second allows %.0f to %.0f", o.low, o.high);
		CHECK(o.events >= 0.9 * o.low && o.events <= 1.1 * o.high,
		      "%llu events in %.1f s; %u a second allows %.0f to %.0f, and 10%% more or less",
		      (unsigned long long)o.events, RUN_NS / 1e9, rate, o.low, o.high);
		CHECK_EQ_U64(o.lost, 0, "events lost with the ring drained every 10 ms");
	}
	loader_stop(&r.l);
}

TEST(event_rate_default_is_10000_events_a_second_on_all_cpus_together)
{
	expect_rate(NULL, 0, 10000);
}

TEST(event_rate_n_gives_n_events_a_second_on_all_cpus_together)
{
	const char *const args[] = { "--event-rate", "1000" };

	expect_rate(args, 2, 1000);
}

TEST(event_rate_max_gives_every_drop_an_event)
{
	const char *const args[] = { "--event-rate", "max" };
	struct outcome o;
	struct rig r;

	if (!rig_open(&r, args, 2))
		return;
	/* 10,000 drops a CPU: their events fit the default ring (58,000) even undrained. */
	if (flood(&r, RUN_NS, 10000, 0, &o)) {
		CHECK_EQ_U64(o.events, o.dropped, "events, against the drops");
		CHECK_EQ_U64(o.throttled, 0, "throttled");
	}
	loader_stop(&r.l);
}

TEST(event_rate_0_gives_no_event_and_counts_every_drop)
{
	const char *const args[] = { "--event-rate", "0" };
	struct outcome o;
	struct rig r;

	if (!rig_open(&r, args, 2))
		return;
	if (flood(&r, RUN_NS, 10000, 0, &o)) {
		CHECK_EQ_U64(o.events, 0, "events");
		CHECK_EQ_U64(o.throttled, o.dropped, "throttled, against the drops");
	}
	loader_stop(&r.l);
}

int main(void)
{
	pkt_init(&syn);
	pkt_eth(&syn, PKT_ETH_IPV4);
	pkt_ipv4(&syn, PKT_IP_TCP, 0xc6336402 /* 198.51.100.2 */, 0xc6336401, 0);
	pkt_tcp(&syn, 40000, TCPDROP_DEFAULT_PORT, TCPDROP_TCP_SYN, 0);
	pkt_done(&syn);

	RUN(event_rate_default_is_10000_events_a_second_on_all_cpus_together);
	RUN(event_rate_n_gives_n_events_a_second_on_all_cpus_together);
	RUN(event_rate_max_gives_every_drop_an_event);
	RUN(event_rate_0_gives_no_event_and_counts_every_drop);
	return check_failures ? 1 : 0;
}
