/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one run loop: it drains the ring, reads the kernel into the model once a period, checks
 * the filter is still attached, hands input and events to the outputs (output.h) and stops on
 * a signal, on --duration or when an output asks. Outputs have no loop of their own; they see
 * the run through run_view() and change it only through the commands below.
 */
#ifndef TCPDROP_RUN_H
#define TCPDROP_RUN_H

#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdbool.h>

#include "tui/lib/error.h"
#include "tui/model/model.h"
#include "tui/output.h"
#include "tui/watch/ports.h"

struct loader;
struct options;

/* What is being watched, as the outputs name it. */
struct watch {
	char ifname[IF_NAMESIZE];
	bool native;
	bool dry_run;
	struct port_set port_set;
	char *ports;			/* port_set, formatted whole (ports_format_alloc) */
	char excepts[128];		/* --except, formatted; empty for none */
	size_t nexcepts;		/* prefixes excepted */
};

/* What an output sees of the run: read only. */
struct run_view {
	struct watch watch;
	const struct model *model;
	uint64_t start_ns;		/* CLOCK_MONOTONIC: when the run began */
	double interval_s;		/* between the model's readings */
	bool quitting;			/* run_quit() was called: the run ends after this pass */
	uint64_t max_sources;		/* the per-source table's size */
	/* Reloads (SIGHUP) so far, applied and refused, and whether the last was applied. */
	uint64_t reloads_applied, reloads_refused;
	bool last_reload_refused;
};

/* How long one pass of the loop may spend reading the source table: the rest of the pass's
 * 10 ms is for the ring, keys and drawing. */
#define RUN_SCAN_BUDGET_NS	2000000ULL
/* Outputs one run drives, at most. */
#define RUN_OUTPUTS_MAX		8

struct run;

/* A run of the outputs (copied; n at most RUN_OUTPUTS_MAX), with the loader loaded later, not
 * yet draining. NULL when out of memory. */
struct run *run_new(const struct options *opts, struct loader *loader,
		    const struct output *outputs, size_t n);
/* Releases the outputs (output.h), then frees r; NULL does nothing. */
void run_free(struct run *r);
/* The ring-buffer callback for loader_config.on_event; ctx is the struct run. */
int run_on_event(void *ctx, void *data, size_t size);

/* The steps of the start that are the outputs': see output.h. */
int run_prepare(struct run *r, const struct output_setup *s, struct error *e);
int run_attached(struct run *r, const struct output_setup *s, struct error *e);
/* The first reading, then the outputs' open. Returns 0 or -errno; call run_loop() either way:
 * it ends a run that failed to open as any other. */
int run_open(struct run *r);
/* Runs until an output asks, *stop or --duration, then closes the outputs. Returns the exit
 * status, its error said on stderr. */
int run_loop(struct run *r, volatile sig_atomic_t *stop);

const struct run_view *run_view(const struct run *r);
/* The options the run was started with. */
const struct options *run_options(const struct run *r);
/* The kernel's counters as they are now, since start: exact whatever the period. Returns 0 or
 * -errno. */
int run_read_counters(struct run *r, struct counter_values *out);
/* Every port's drops since start, as they are now. */
void run_read_port_drops(struct run *r, uint64_t drops[TCPDROP_PORTS]);
/* The outputs' status words, each after two spaces, for the live view's title. */
size_t run_status(const struct run *r, const struct counter_values *since_start, char *buf,
		  size_t len);

/* What a reload did: applied (ok), or refused with error and the old settings kept. */
struct reload_report {
	bool ok;
	char error[PATH_MAX + 256];
	char changed[64];		/* what it changed: "ports,excepts,event-rate", or "" */
	char restart[192];		/* options that changed but only apply at a restart */
};

/* SIGHUP: when *pending, reload() is called once the pass is over, and the flag cleared. */
void run_set_reloader(struct run *r, volatile sig_atomic_t *pending,
		      void (*reload)(struct run *r, void *ctx), void *ctx);
/*
 * Applies what a reload can change without reloading the program, from fresh (the command line
 * and config file read again) to live (the options the run reads): the watched ports (the SSH
 * guard applies), the excepted sources and the event rate. Anything else that differs is
 * named in rep->restart. Returns 0, or -errno with rep->error and nothing changed.
 */
int run_reload(struct run *r, struct options *live, struct options *fresh,
	       struct reload_report *rep);
/* Tells every output what the reload did. */
void run_reloaded(struct run *r, const struct reload_report *rep);

/* The commands. The run ends after the pass. */
void run_quit(struct run *r);
/* Restarts counting from the kernel's values as they are now (the live view's clear). */
int run_clear(struct run *r, uint64_t now_ns, struct error *e);
/* Who owns the sources' addresses, from now on (NULL: nobody known); the caller keeps it. */
void run_set_location(struct run *r, struct location *location);
/* The top rows by another grouping, from the next complete read of the table on. */
void run_group_by(struct run *r, enum group_by by);
/* Watches another port set from now on, without reloading; the SSH guard applies. Returns 0,
 * or -errno with e filled and the old set kept: the run goes on. */
int run_set_ports(struct run *r, const struct port_set *ports, struct error *e);
/* The next reading comes interval_s after now, and each after that as far apart. */
void run_set_interval(struct run *r, double interval_s, uint64_t now_ns);

#endif /* TCPDROP_RUN_H */
