/* SPDX-License-Identifier: GPL-2.0 */
/* Command-line options: parsed and checked before anything touches the kernel. */
#ifndef TCPDROP_CLI_H
#define TCPDROP_CLI_H

#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>

#include "tui/cli/listen.h"
#include "tui/kernel/iface.h"
#include "tui/kernel/rtnl.h"
#include "tui/model/groups.h"
#include "tui/watch/except.h"
#include "tui/watch/ports.h"

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
	enum group_by group;		/* --group: the top rows by address, network or owner */
	const char *location_db;	/* --location-db: NULL for libloc-database's */
	const char *config_path;	/* --config, or the interface's file when it exists */
	char *config_text;		/* what it held: the values above may point into it */
};

/* Where the interface's own config file is, IFACE.conf. */
#define CLI_CONFIG_DIR	"/etc/tcpdrop-top"

#define CLI_MAX_EVENT_RATE	100000000

enum cli_result {
	CLI_RUN,
	CLI_EXIT_OK,		/* -h or -V was answered */
	CLI_USAGE_ERROR,	/* a message went to err */
};

struct cli_option;

/* One option being read: what its parser needs besides its row of the table. */
struct cli_arg {
	const struct cli_option *opt;	/* its row */
	struct options *opts;
	const char *name;	/* as typed: "--ports" (for "--po" too) or "-p" */
	const char *value;	/* NULL for a flag */
	FILE *out, *err;
};

/*
 * One row per option, in --help's order (in the spirit of xdp-tools' struct prog_option):
 * getopt_long's tables, --help and the checks of single options all come from it.
 */
struct cli_option {
	const char *name;	/* the long name, without "--" */
	char short_opt;		/* 0: none */
	bool long_unlisted;	/* --help shows only the short name (--write: -w says it all) */
	const char *metavar;	/* the value's name in --help; NULL: a flag, which takes none */
	const char *const *choices; /* the values it takes, if a few words (NULL-ended) */
	const char *help;	/* --help's text; each '\n' starts a line under the first */
	/* Reads a->value into a->opts; anything but CLI_RUN ends the parse, its message said. */
	enum cli_result (*parse)(const struct cli_arg *a);
	size_t field;		/* offsetof(struct options, f), for the parsers rows share */
	double min, max;	/* the bounds of a number */
	const char *want;	/* what a number must be, for the message that refuses one */
	const char *once;	/* given twice: why it cannot be (NULL: the values add up or the
				 * last one wins) */
	const char *once_hint;	/* and what to do instead */
	char needs;		/* the short name of the option without which it means nothing */
	const char *needs_why;	/* what it would mean then */
	enum { CLI_IN_FILE, CLI_NOT_IN_FILE } in_file;	/* may a config file give it */
};

extern const struct cli_option cli_options[];
extern const size_t cli_option_count;

/*
 * The command line, then the config file (--config, or the interface's) for what the command
 * line left. CLI_RUN writes nothing; CLI_EXIT_OK the answer to out; CLI_USAGE_ERROR the reason
 * to err. Whatever it returns, cli_free() releases what opts holds.
 */
enum cli_result cli_parse(int argc, char **argv, struct options *opts, FILE *out, FILE *err);
void cli_free(struct options *opts);
/* Says why on err, then where help is: every usage error, the config file's included. */
__attribute__((format(printf, 2, 3)))
enum cli_result usage_error(FILE *err, const char *fmt, ...);
/* One option, named as given, through its row's parser: a->opts and a->out, a->err are set;
 * given[] has each row's last value ("" for a flag), and gets this one. */
enum cli_result cli_apply(const struct cli_option *o, const char *name, const char *value,
			  struct cli_arg *a, const char **given);
/* Warnings about options that parse but are seldom meant (an --except of a whole family). */
void cli_warn(const struct options *opts, FILE *err);

#endif /* TCPDROP_CLI_H */
