/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one way to bring up the XDP program, for the tool, the tests and the bench, in two steps:
 * loader_load() opens, configures and loads it and writes the watched ports (the tests and the
 * bench run it from there through BPF_PROG_TEST_RUN); loader_attach() puts it on an interface
 * through a bpf_link. Then: read its counters and per-source table, change the ports, drain
 * its events. Every function returns 0 or -errno, with a line for people in struct error.
 */
#ifndef TCPDROP_LOADER_H
#define TCPDROP_LOADER_H

#include <bpf/libbpf.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "tui/kernel/iface.h"
#include "tui/lib/error.h"
#include "tui/model/sources.h"
#include "tui/model/stats.h"
#include "tui/watch/except.h"
#include "tui/watch/ports.h"

struct tcpdrop_bpf;

/* What is chosen between open and load; variants of the program are options here. */
struct loader_config {
	const struct port_set *ports;
	const struct except_set *excepts;	/* NULL: none */
	bool raw_ip;			/* frames start at the IP header (iface_raw_ip()) */
	/* Events for a sample of the drops only, event_rate a second in all; else every drop. */
	bool throttle_events;
	unsigned int event_rate;
	bool dry_run;
	/* Only make bench sets it, to measure what the ring's wakeup per event would cost. */
	bool wakeup_every_event;
	unsigned int ring_bytes;	/* 0: the program's default */
	unsigned int max_sources;	/* 0: the program's default */
	/* -w: frame bytes each event carries after it (--snaplen); 0: none, the program as
	 * without -w. Needs bpf_xdp_load_bytes (5.18). */
	unsigned int capture_bytes;
	ring_buffer_sample_fn on_event;	/* NULL: nobody reads the events */
	void *ctx;
};

struct loader {
	struct tcpdrop_bpf *skel;
	struct ring_buffer *ring;
	int prog_fd;
	int link_fd;
	int ifindex;
	char ifname[IF_NAMESIZE];
	bool native;			/* attached in driver (native) mode, else generic */
	int native_refused;		/* -m auto: why native mode was refused, 0 if it was not */
	uint64_t next_check_ns;		/* when loader_tick() next checks the link */
	int ncpus;
	struct tcpdrop_counters *percpu;	/* scratch for one counters read */
	/* Scratch for reading every CPU's current source (loader_read_recent). */
	struct tcpdrop_counters *percpu_current;
	__u32 *current_versions;
	/* The per-source table, read a chunk at a time (loader_read_sources). */
	struct tcpdrop_source_key *source_keys;
	struct tcpdrop_source *source_values;
	struct source_row *source_rows;
	__u32 source_token;		/* where the next chunk starts */
	enum { SCAN_IDLE, SCAN_READING, SCAN_AT_END } source_scan;
	/* Every CPU's recent sources, mapped read-only (tcpdrop.h), and the rows read from them. */
	const volatile struct tcpdrop_recent_set *recent;
	size_t recent_sets, recent_bytes;
	struct source_row *recent_rows;
	/* Every CPU's drops per port, mapped read-only (tcpdrop.h). */
	const volatile __u64 *port_drops;
	size_t port_drops_bytes;
	__u16 implied_port;		/* counted by the dropped counter (tcpdrop.h) */
	uint64_t implied_drops;		/* its drops, as last read: never read lower */
	__u32 generation;		/* of the per-source counts: bumped by a clear */
	__s64 burst_ns;			/* the most the --event-rate bucket holds */
	__u64 ring_records;		/* events the ring holds */
	uint64_t refilled_ns;		/* when loader_tick() last refilled it */
};

/* Entries one chunk of the per-source table holds: a few milliseconds of reading. */
#define LOADER_SOURCES_CHUNK	4096

/* A loader not yet loaded: loader_stop() on it does nothing. */
#define LOADER_INIT { .prog_fd = -1, .link_fd = -1 }

/* Free file descriptors loader_load() asks for: 11 measured at the peak of a load (libbpf's
 * probes, the BTF, the maps, the program, the ring's epoll, the link), and room to spare. */
#define LOADER_FDS	16

/*
 * Makes sure want file descriptors are free, raising the soft RLIMIT_NOFILE (never past the
 * hard one) when they are not. Returns 0, or -EMFILE or -ENFILE with e saying so, what was
 * being done and what to do.
 */
int loader_need_fds(int want, const char *doing, struct error *e);
/* The message for a step that failed with EMFILE or ENFILE; returns err. */
int loader_fds_error(int err, const char *doing, struct error *e);

/* Step one. On failure nothing is left loaded. */
int loader_load(struct loader *l, const struct loader_config *cfg, struct error *e);
/* Step two: attaches to the interface (resolved by iface_resolve()). */
int loader_attach(struct loader *l, const char *ifname, int ifindex, enum xdp_mode mode,
		  struct error *e);
int loader_set_ports(struct loader *l, const struct port_set *ports);
/* The excepted sources go from one set to the other (from NULL: none) with no moment in which
 * a source in both is dropped. Returns 0 or -errno. */
int loader_set_excepts(struct loader *l, const struct except_set *from, const struct except_set *to);
/* Events from now on: every drop's unless throttle, else rate a second in all (0: none). */
void loader_set_event_rate(struct loader *l, bool throttle, unsigned int rate);
/* Adds up the per-CPU counters. */
int loader_read_counters(struct loader *l, struct counter_values *out);
/*
 * Reads the next chunk of the per-source table into rows owned by the loader (valid until the
 * next call); returns how many, 0 once the table has been read through (the next call starts
 * over), or a negative errno.
 */
int loader_read_sources(struct loader *l, struct source_row **rows);
/* The next loader_read_sources() starts from the beginning of the table. */
void loader_rewind_sources(struct loader *l);
/*
 * Reads every CPU's recent sources and current source (tcpdrop.h) into rows owned by the loader
 * (valid until the next call): one row an entry and one a current source, so a source that
 * drops on several CPUs, or is current, has several. Returns how many, or a negative errno.
 * Read after the table, and the current sources after the entries: a source's counts that move
 * from one to the other meanwhile are then missed once rather than counted twice.
 */
int loader_read_recent(struct loader *l, struct source_row **rows);
/* Adds up every CPU's drops per destination port, since the load, into drops. */
void loader_read_port_drops(struct loader *l, uint64_t drops[TCPDROP_PORTS]);
/* Fills row with the table's counts of row's source (zero if it has none): 1 if it has, 0 if
 * not, or -errno. */
int loader_lookup_source(struct loader *l, struct source_row *row);
/* Per-source counts start again from zero, in the kernel too: older ones become stale. */
void loader_clear_sources(struct loader *l);
/* Gives the --event-rate bucket elapsed_ns more credit, up to the burst (loader_tick does). */
void loader_refill_events(struct loader *l, uint64_t elapsed_ns);
/* Hands every event waiting in the ring to on_event. Returns how many, or a negative errno. */
int loader_drain(struct loader *l);
/* How often loader_tick() checks the filter is still attached: a vanished interface ends the
 * run within this, well inside the two seconds a user waits before thinking it hangs. */
#define LOADER_CHECK_INTERVAL_NS	250000000ULL

/*
 * What the run loop does between its own work: drain the ring (the kernel never wakes us), and
 * now and then check the filter is still attached. Returns 0, or a negative errno with e filled:
 * -ENODEV once the interface is gone.
 */
int loader_tick(struct loader *l, uint64_t now_ns, struct error *e);
/* Detaches and frees; safe on a loader that failed to load, and to call twice. */
void loader_stop(struct loader *l);

#endif /* TCPDROP_LOADER_H */
