/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one door for outputs: the live view, the NDJSON stream, the pcap file and the metrics
 * endpoint are each a set of callbacks and a context, listed once in main.c and driven by the
 * one run loop (run.h). An output reads the run through run_view() only, and asks for changes
 * through the run's commands (run_quit(), run_clear(), run_set_ports(), run_set_interval()).
 *
 * Every callback may be NULL. Those that return int return 0, or -errno with e filled: the run
 * then ends on that error. They come in this order:
 *   prepare   as root, before anything else: take what needs privileges (the pcap file,
 *             the metrics socket), refuse what cannot work (a terminal the live view
 *             cannot use)
 *   attached  as root still, the filter attached: the last of the privileged work
 *   open      privileges gone, the model holding its first reading
 *   event, input, sampled, reloaded, tick   while the run goes on
 *   close     once the run that opened is over, failed or not: the last writes
 *   release   last of all, to every output whose prepare was called: free what it holds
 */
#ifndef TCPDROP_OUTPUT_H
#define TCPDROP_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/lib/error.h"
#include "tui/model/stats.h"

struct options;
struct reload_report;
struct run;
struct run_view;
struct tcpdrop_event;

/* What the outputs are told as the run is set up. */
struct output_setup {
	const struct options *opts;
	bool live;			/* the live view has the terminal: stderr stays quiet */
	bool raw_ip;			/* from attached on: frames start at the IP header */
};

/* What the run reads once more for an output after its loop, before close. */
enum output_final {
	OUTPUT_FINAL_NONE,
	OUTPUT_FINAL_COUNTERS,		/* the ring drained and the counters read: exact totals */
	OUTPUT_FINAL_STATS,		/* and the source table read whole, then sampled */
};

struct output_ops {
	int (*prepare)(void *out, const struct output_setup *s, struct error *e);
	int (*attached)(void *out, const struct output_setup *s, struct error *e);
	int (*open)(void *out, struct run *r, struct error *e);
	/* Every drop event as it is drained from the ring, the model has it already; size is
	 * the record's as the ring gave it (the frame's bytes follow the event). */
	int (*event)(void *out, struct run *r, const struct tcpdrop_event *ev, size_t size,
		     struct error *e);
	/* Input is waiting on input_fd, or the wait ended: keys, resizes. One output at most. */
	int (*input)(void *out, struct run *r, uint64_t now_ns, struct error *e);
	/* The model took a new period's reading. */
	int (*sampled)(void *out, struct run *r, uint64_t now_ns, struct error *e);
	/* A reload (SIGHUP) was applied, or refused with the old settings kept: say so. */
	int (*reloaded)(void *out, struct run *r, const struct reload_report *rep,
			struct error *e);
	/* The end of each pass of the loop, every few milliseconds: redraw, flush, serve. */
	int (*tick)(void *out, struct run *r, uint64_t now_ns, struct error *e);
	/* failed: the run ends on an error. */
	int (*close)(void *out, struct run *r, bool failed, struct error *e);
	/* ran: the run as it ended, or NULL when it never started. */
	void (*release)(void *out, const struct run_view *ran);
	/* A few words for the live view's title ("pcap: 3 written, ..."), with since_start the
	 * counters the view shows. Returns the length, as snprintf. */
	size_t (*status)(void *out, const struct counter_values *since_start, char *buf,
			 size_t len);
	int input_fd;			/* with input: the descriptor input comes on */
	enum output_final final;
};

/* One row of the outputs' table. */
struct output {
	const struct output_ops *ops;
	void *ctx;
};

#endif /* TCPDROP_OUTPUT_H */
