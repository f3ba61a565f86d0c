/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --metrics: GET /metrics in the Prometheus text format (version 0.0.4), through libmicrohttpd.
 *
 * It is served from the run loop's own thread, once a pass (every 10 ms), never from a thread
 * of its own: a scrape reads the kernel's counters then and there through the run
 * (run_read_counters(), on the loader's scratch buffer, the loop's), and the rest (ports,
 * sources, mode) from the run's view as it is, so nothing is shared between threads and
 * nothing needs a lock. The kernel's counters are since
 * the program was loaded, i.e. since start: the TUI's clear (c) never touches them.
 *
 * Not a way in: GET and HEAD only, on / and /metrics; bounded connections (in all and per
 * address), request size, and time (idle and in all, so a slow client cannot hold one).
 */
#ifndef TCPDROP_METRICS_H
#define TCPDROP_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/cli/listen.h"
#include "tui/out/exposition.h"
#include "tui/output.h"

struct run;
struct run_view;

#define METRICS_MAX_CONNECTIONS	1024	/* in all; more are closed at once */
#define METRICS_MAX_PER_ADDRESS	64	/* from one client address */
#define METRICS_IDLE_SECONDS	5	/* a connection silent this long is closed */
#define METRICS_MAX_SECONDS	10	/* and any connection this old */
#define METRICS_REQUEST_BYTES	8192	/* per connection, the request head included */
#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/* What one scrape shows. */

struct metrics_conn {
	int fd;				/* -1: a free slot */
	uint64_t opened_ns;
	bool cut;			/* shut down for its age; the server closes it */
};

struct metrics {
	int listen_fd;			/* -1 until metrics_listen() */
	struct MHD_Daemon *daemon;
	struct run *run;
	struct listen_addr addr;
	bool quiet;			/* the live view has the terminal: nothing on stderr */
	struct metrics_conn conns[METRICS_MAX_CONNECTIONS];
	uint64_t next_sweep_ns;
	char *text;			/* the last scrape's text */
	size_t textcap;
	uint64_t *port_drops;		/* each port's drops, read at a scrape (TCPDROP_PORTS) */
};

#define METRICS_INIT { .listen_fd = -1 }

/* Binds the socket: before privileges are dropped. Returns 0 or -errno with e filled. */
int metrics_listen(struct metrics *m, const struct listen_addr *addr, struct error *e);
/* Serves it: after. Returns 0 or -errno with e filled. */
int metrics_start(struct metrics *m, struct run *r, struct error *e);
/* Closes everything; safe to call twice, and on one never started. */
void metrics_stop(struct metrics *m);

/* --metrics as an output (output.h): its context is a struct metrics, METRICS_INIT. The socket
 * is bound in prepare, served from open on, once a pass of the loop (tick). */
extern const struct output_ops metrics_output;

#endif /* TCPDROP_METRICS_H */
