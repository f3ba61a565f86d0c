/* SPDX-License-Identifier: GPL-2.0 */
/* Command-line options: parsed and checked before anything touches the kernel. */
#ifndef TCPDROP_CLI_H
#define TCPDROP_CLI_H

#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>

#include "except.h"
#include "iface.h"
#include "listen.h"
#include "ports.h"
#include "rtnl.h"

#define TCPDROP_VERSION "0.1.0"

struct options {
	char ifname[RTNL_NAME_MAX];	/* a name or an altname; empty: the default-route one */
	struct port_set ports;
	enum xdp_mode mode;
	struct except_set excepts;	/* --except: sources never dropped */
	bool force;			/* --force: even if it cuts our own SSH session */
	bool dry_run;
	bool json;
	double interval_s;		/* -d: stats and redraw period */
	double duration_s;		/* --duration: 0 runs until stopped */
	bool verbose;
	unsigned int ring_bytes;	/* --ring-size */
	unsigned int max_sources;	/* --max-sources */
	unsigned int event_rate;	/* --event-rate: events a second, all CPUs together */
	bool every_event;		/* --event-rate max */
	const char *pcap_path;		/* -w: the dropped packets as pcap; "-" is stdout */
	unsigned int snaplen;		/* --snaplen: bytes of each packet in it */
	struct listen_addr metrics;	/* --metrics: where to serve them; .set false: nowhere */
	bool quiet;			/* -q: no live view, no NDJSON */
};

#define CLI_MAX_EVENT_RATE	100000000

enum cli_result {
	CLI_RUN,
	CLI_EXIT_OK,		/* -h or -V was answered */
	CLI_USAGE_ERROR,	/* a message went to err */
};

/* CLI_RUN writes nothing; CLI_EXIT_OK the answer to out; CLI_USAGE_ERROR the reason to err. */
enum cli_result cli_parse(int argc, char **argv, struct options *opts, FILE *out, FILE *err);
/* Warnings about options that parse but are seldom meant (an --except of a whole family). */
void cli_warn(const struct options *opts, FILE *err);

#endif /* TCPDROP_CLI_H */
