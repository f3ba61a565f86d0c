/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF side as user space sees it: load the XDP program, attach it through a bpf_link,
 * read its counters and per-source table, change the watched ports, consume drop events.
 */
#ifndef TCPDROP_LOADER_H
#define TCPDROP_LOADER_H

#include <bpf/libbpf.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "sources.h"
#include "stats.h"

struct tcpdrop_bpf;

struct loader {
	struct tcpdrop_bpf *skel;
	struct ring_buffer *ring;
	int link_fd;
	int ifindex;
	char ifname[IF_NAMESIZE];
	bool native;			/* attached in driver (native) mode, else generic */
	uint64_t next_check_ns;		/* when loader_tick() next checks the link */
	int ncpus;
	struct tcpdrop_counters *percpu;	/* scratch for one counters read */
	struct tcpdrop_source_key *source_keys;	/* scratch for one table read */
	struct tcpdrop_source *source_values;
	struct source_row *source_rows;
};

/* Exit statuses the errors below map to. */
enum loader_error {
	LOADER_OK = 0,
	LOADER_RUNTIME = 1,
	LOADER_USAGE = 2,
};

/*
 * Resolves the interface, checks privileges, loads, fills the port map and attaches.
 * On failure returns LOADER_RUNTIME or LOADER_USAGE with a one-line message for people in err,
 * and leaves nothing attached.
 */
enum loader_error loader_start(struct loader *l, const struct options *opts,
			       ring_buffer_sample_fn on_event, void *ctx, char *err, size_t errlen);
int loader_set_ports(struct loader *l, const struct port_set *ports);
int loader_read_counters(struct loader *l, struct counter_values *out);
/* Reads the whole per-source table into rows owned by the loader (valid until the next call);
 * returns how many, or a negative errno. */
int loader_read_sources(struct loader *l, struct source_row **rows);
/* How often loader_tick() checks the filter is still attached: a vanished interface ends the
 * run within this, well inside the two seconds a user waits before thinking it hangs. */
#define LOADER_CHECK_INTERVAL_NS	250000000ULL

/*
 * What both front ends do between their own work: drain the ring (the kernel never wakes us),
 * and now and then check the filter is still attached. Returns 0, or a negative errno: -ENODEV
 * once the interface is gone.
 */
int loader_tick(struct loader *l, uint64_t now_ns);
/* The line for people about an error loader_tick() returned. */
void loader_explain(const struct loader *l, int err, char *buf, size_t len);
/* Detaches and frees; safe on a loader that failed to start, and to call twice. */
void loader_stop(struct loader *l);

#endif /* TCPDROP_LOADER_H */
