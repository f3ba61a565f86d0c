/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one run loop: it drains the ring, reads the kernel into the model once a period, checks
 * the filter is still attached, hands input to the view and stops on a signal, on --duration
 * or when the view asks. A front end is a view: a few callbacks, no loop of its own.
 */
#ifndef TCPDROP_RUN_H
#define TCPDROP_RUN_H

#include <signal.h>
#include <stdbool.h>

#include "cli.h"
#include "error.h"
#include "loader.h"
#include "model.h"

/* What is being watched, as the views name it. */
struct watch {
	char ifname[IF_NAMESIZE];
	bool native;
	bool dry_run;
	struct port_set port_set;
	char *ports;			/* port_set, formatted whole (ports_format_alloc) */
	char excepts[128];		/* --except, formatted; empty for none */
};

/* How long one pass of the loop may spend reading the source table: the rest of the pass's
 * 10 ms is for the ring, keys and drawing. */
#define RUN_SCAN_BUDGET_NS	2000000ULL

struct run;
struct capture;

/* Each callback returns 0, or -errno with run->error filled; a view that is done sets quit. */
struct view_ops {
	/* Before the first period: the model holds its first reading. */
	int (*open)(void *view, struct run *r);
	/* Every drop event, as it is drained from the ring (the model has it already). */
	int (*event)(void *view, struct run *r, const struct tcpdrop_event *e);
	/* Input is waiting on input_fd, or the wait ended: keys, resizes. */
	int (*input)(void *view, struct run *r, uint64_t now_ns);
	/* The model took a new period's reading. */
	int (*sampled)(void *view, struct run *r, uint64_t now_ns);
	/* The end of each pass of the loop: redraw, flush. */
	int (*idle)(void *view, struct run *r, uint64_t now_ns);
	/* The last call, after the final drain; failed says the run ends on an error. */
	int (*close)(void *view, struct run *r, bool failed);
	int input_fd;			/* -1: the loop only waits for its timer */
	bool final_reading;		/* take one more reading before close (final stats) */
};

/* Something served from the loop besides the view (--metrics): once a pass, after the view. */
struct run_sink {
	int (*tick)(void *sink, struct run *r, uint64_t now_ns);
	void *ctx;
};

struct run {
	const struct options *opts;
	struct loader *loader;
	struct model model;
	struct watch watch;
	const struct view_ops *ops;
	void *view;
	double interval_s;		/* a view may change it: the next period takes it */
	uint64_t start_ns;
	uint64_t next_sample_ns;
	bool quit;
	struct error error;
	/* -w: every event also goes to this pcap, beside the view; NULL without -w. */
	struct capture *capture;
	struct run_sink sink;		/* none: tick is NULL */
	/* The top rows found only in the recent entries, their table parts looked up. */
	struct source_row parts[SORT_NR * SOURCES_TOP];
};

/* Sets up r; the loader is loaded but not yet draining. Returns 0 or -ENOMEM; run_free() undoes
 * it either way. */
int run_init(struct run *r, const struct options *opts, struct loader *loader);
void run_free(struct run *r);
/* The ring-buffer callback for loader_config.on_event; ctx is the struct run. */
int run_on_event(void *ctx, void *data, size_t size);
/* Restarts counting from the kernel's values as they are now (the TUI's clear). */
int run_clear(struct run *r, uint64_t now_ns);
/* Watches another port set from now on, without reloading; the SSH guard applies. Returns 0,
 * or -errno with r->error filled and the old set kept. */
int run_set_ports(struct run *r, const struct port_set *ports);
/* Runs the view until quit, *stop or --duration. Returns the exit status. */
int run_loop(struct run *r, const struct view_ops *ops, void *view,
	     volatile sig_atomic_t *stop);

#endif /* TCPDROP_RUN_H */
