// SPDX-License-Identifier: GPL-2.0
/*
 * tcpdrop-top: drop TCP segments to the watched ports at XDP and show what is dropped, live.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/cli/cli.h"
#include "tui/cli/sshguard.h"
#include "tui/config.h"
#include "tui/kernel/iface.h"
#include "tui/kernel/loader.h"
#include "tui/kernel/privs.h"
#include "tui/lookup/location.h"
#include "tui/out/metrics.h"
#include "tui/out/pcap.h"
#include "tui/out/stream.h"
#include "tui/run.h"
#include "tui/view/tui.h"

/* Only make bench builds the program with this on, to measure a wakeup per event. */
#ifndef TCPDROP_WAKEUP_EVERY_EVENT
#define TCPDROP_WAKEUP_EVERY_EVENT false
#endif

static volatile sig_atomic_t stop;	/* the signal that ends the run, 0 while it goes on */
static volatile sig_atomic_t reload_pending;	/* SIGHUP: read the options again */
static bool verbose;

/* What a reload reads again: the command line as given, and the options the run reads. */
struct reloader {
	int argc;
	char **argv;
	struct options *live;
	bool say;		/* no live view and no stream to tell: stderr is told */
};

/*
 * Signals whose default action ends the process end the run cleanly instead: the terminal is
 * restored, the filter detached and, for the first two, the final stats written and 0
 * returned, as for q. The others are not asked for by people, so once clean, the process ends
 * by them after all, for whoever sent them to see. (Those that dump core are screen.c's.)
 */
static const int stop_signals[] = {
	SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF, SIGIO, SIGPWR,
	SIGSTKFLT,
};

static void on_signal(int sig)
{
	stop = sig;
}

static void on_sighup(int sig)
{
	(void)sig;
	reload_pending = 1;
}

/* Which of stdin, stdout and stderr were terminals at the start. */
static bool tty_at_start[3];

/*
 * Whether a terminal the run started on has hung up (the SSH session of a -q or --json run
 * dropped): its SIGHUP then ends the run, as a hang-up always did, rather than reloading.
 */
static bool terminal_hung_up(void)
{
	for (int fd = 0; fd < 3; fd++) {
		struct pollfd p = { .fd = fd };

		if (tty_at_start[fd] && poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLERR)))
			return true;
	}
	return false;
}

/* The first line a failed parse said, without the program's name. */
static void first_line(const char *said, char *buf, size_t len)
{
	static const char prefix[] = "tcpdrop-top: ";

	if (!strncmp(said, prefix, sizeof(prefix) - 1))
		said += sizeof(prefix) - 1;
	snprintf(buf, len, "%.*s", (int)strcspn(said, "\n"), said);
}

/*
 * SIGHUP: the command line and its config file read again, as at the start, and what can change
 * without reloading the program applied; a bad file is refused in one line, the old settings
 * kept.
 */
static void reload(struct run *run, void *ctx)
{
	struct reloader *rl = ctx;
	struct options *fresh;
	struct reload_report rep = {};
	char *said = NULL;
	size_t said_len = 0;
	FILE *err;

	if (terminal_hung_up()) {
		run_quit(run);
		return;
	}
	fresh = calloc(1, sizeof(*fresh));
	err = open_memstream(&said, &said_len);
	if (!fresh || !err) {
		snprintf(rep.error, sizeof(rep.error), "out of memory to read the options again");
	} else if (cli_parse(rl->argc, rl->argv, fresh, err, err) != CLI_RUN) {
		fflush(err);
		first_line(said ? said : "", rep.error, sizeof(rep.error));
	} else {
		run_reload(run, rl->live, fresh, &rep);
	}
	if (err)
		fclose(err);
	free(said);
	if (fresh)
		cli_free(fresh);
	free(fresh);
	if (rl->say && rep.ok)
		say(stderr, "reloaded: %s%s%s", rep.changed[0] ? rep.changed : "nothing changed",
		    rep.restart[0] ? "; a restart applies " : "", rep.restart);
	else if (rl->say)
		say(stderr, "reload refused, the old settings kept: %s", rep.error);
	run_reloaded(run, &rep);
}

static bool maps_readable(void *ctx)
{
	struct counter_values unused;

	return loader_read_counters(ctx, &unused) == 0;
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	/* Quiet unless -v, warnings included: every failure gets our own one-line message. */
	if (!verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* No SA_RESTART: a signal must cut the loop's wait short. */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigaction(stop_signals[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);	/* a closed stdout shows up as EPIPE from write */
}

/*
 * First of all, before the options are read: a reload asked for as soon as a unit has started
 * (systemctl reload) must not end the process by SIGHUP's default action. SA_RESTART, so that
 * it never fails a read in the middle of the start; the loop's poll() still returns early.
 */
static void install_sighup(void)
{
	struct sigaction sa = { .sa_handler = on_sighup, .sa_flags = SA_RESTART };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	for (int fd = 0; fd < 3; fd++)
		tty_at_start[fd] = isatty(fd);
}

static void end_by_signal(int sig)
{
	if (sig == 0 || sig == SIGINT || sig == SIGTERM)
		return;
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * A closed stdout would be taken by the first file libbpf opens, and the stream written into
 * it. stdin and stderr closed are given /dev/null for the same reason.
 */
static bool stdio_open(void)
{
	int fd;

	for (fd = STDIN_FILENO; fd <= STDERR_FILENO; fd += 2)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) < 0)
			return false;
	return fcntl(STDOUT_FILENO, F_GETFD) >= 0;
}

/* -m auto fell back: say why native mode was refused and what generic mode costs. */
static void explain_generic(const char *ifname, unsigned int mtu, int refused)
{
	static const char cost[] = "using generic XDP, which runs after the kernel has built an "
				   "skb, so a flood costs more CPU";

	if (refused == -EOPNOTSUPP)
		say(stderr, "%s's driver has no native XDP: %s", ifname, cost);
	else if ((refused == -ERANGE || refused == -E2BIG || refused == -EINVAL) && mtu > 1500)
		say(stderr, "native XDP refused on %s (%s), likely its MTU of %u: %s", ifname,
		    strerror(-refused), mtu, cost);
	else
		say(stderr, "native XDP refused on %s (%s): %s", ifname, strerror(-refused), cost);
}

/* The outputs' preparations, interface, program, link, then least privilege: each step says
 * why when it fails. */
static int start(struct loader *loader, const struct options *opts, struct run *run, bool live,
		 struct error *e)
{
	struct loader_config cfg = config_loader(opts, run_on_event, run);
	struct output_setup setup = { .opts = opts, .live = live };
	struct iface iface;
	bool kept_cap_bpf;
	int err;

	cfg.wakeup_every_event = TCPDROP_WAKEUP_EVERY_EVENT;

	/* As root, before anything else: the pcap file opened, the metrics socket bound, the
	 * terminal checked, so that what cannot work is said before the interface is looked at. */
	err = run_prepare(run, &setup, e);
	if (!err)
		err = iface_resolve(opts->ifname, &iface, e);
	if (!err)
		err = iface_raw_ip(&iface, &cfg.raw_ip, e);
	if (!err)
		err = sshguard_check(SSHGUARD_START, iface.index, iface.name, &opts->ports, opts, e);
	if (!err)
		err = loader_load(loader, &cfg, e);
	if (!err)
		err = loader_attach(loader, iface.name, iface.index, opts->mode, e);
	setup.raw_ip = cfg.raw_ip;
	if (!err)
		err = run_attached(run, &setup, e);
	if (!err && loader->native_refused)
		explain_generic(iface.name, iface.mtu, loader->native_refused);
	if (!err)
		err = privs_drop(maps_readable, loader, &kept_cap_bpf, e);
	if (!err && kept_cap_bpf && opts->verbose)
		say(stderr, "this kernel needs CAP_BPF to read held maps: kept it");
	return err;
}

/* The location database, or NULL and one line that says why: not an error, there are then no
 * AS and country to show. */
static struct location *open_location(const struct options *opts)
{
	const char *path = opts->location_db ? opts->location_db : LOCATION_DEFAULT_DB;
	struct location *l;
	char why[PATH_MAX + 128];

	l = location_open(path, why, sizeof(why));
	if (!l)
		say(stderr, "no AS or country for the sources: %s (install libloc-database, or give "
		    "--location-db FILE)", why);
	return l;
}

/* The line that says the filter is on, on stderr, when no live view shows it. */
static void say_watching(const struct options *opts, const struct run_view *v)
{
	say(stderr, "watching %s (%s XDP), ports %s%s%s%s%s", v->watch.ifname,
	    v->watch.native ? "native" : "generic", v->watch.ports,
	    opts->excepts.n ? ", except " : "", v->watch.excepts,
	    opts->dry_run ? ", dry run" : "",
	    opts->pcap_path && !strcmp(opts->pcap_path, "-") ? ", pcap to stdout" : "");
}

int main(int argc, char **argv)
{
	struct loader loader = LOADER_INIT;
	struct error e = {};
	/* Static, as are the outputs below: on the stack they took over 128 KiB, and a process
	 * under ulimit -s 128 died of SIGSEGV before it could say anything. */
	static struct options opts;
	static struct capture capture;
	static struct metrics metrics = METRICS_INIT;
	static struct tui tui;
	static struct stream stream;
	struct location *location;
	struct reloader reloader;
	bool live, pcap_stdout;
	struct run *run;
	int status;

	install_sighup();
	switch (cli_parse(argc, argv, &opts, stdout, stderr)) {
	case CLI_EXIT_OK:
		return 0;
	case CLI_USAGE_ERROR:
		return 2;
	case CLI_RUN:
		break;
	}
	cli_warn(&opts, stderr);
	verbose = opts.verbose;
	if (!stdio_open()) {
		say(stderr, "stdout is closed, so the stream has nowhere to go: give it a file, a "
		    "pipe or /dev/null (> FILE, | COMMAND, > /dev/null)");
		return 2;
	}
	libbpf_set_print(libbpf_log);
	install_signals();

	/* -w -: stdout is the pcap's, so neither the live view nor the stream can have it. */
	pcap_stdout = opts.pcap_path && !strcmp(opts.pcap_path, "-");
	/* The live view needs a terminal on both ends; anything else gets the NDJSON stream. */
	live = !opts.json && !opts.quiet && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO) &&
	       !pcap_stdout;

	/* The outputs, in the order each callback reaches them: the pcap gets an event before a
	 * view that could fail on it. -q is neither the live view nor the stream. */
	struct {
		struct output output;
		bool chosen;
	} outputs[] = {
		{ { &pcap_output, &capture }, opts.pcap_path },
		{ { &metrics_output, &metrics }, opts.metrics.set },
		{ { &tui_output, &tui }, live },
		{ { &stream_output, &stream }, !live && !opts.quiet && !pcap_stdout },
	};
	struct output chosen[sizeof(outputs) / sizeof(outputs[0])];
	size_t nchosen = 0;

	for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++)
		if (outputs[i].chosen)
			chosen[nchosen++] = outputs[i].output;
	run = run_new(&opts, &loader, chosen, nchosen);
	if (!run) {
		say(stderr, "out of memory");
		return 1;
	}
	location = open_location(&opts);
	run_set_location(run, location);
	reloader = (struct reloader){ argc, argv, &opts, opts.quiet || pcap_stdout };
	run_set_reloader(run, &reload_pending, reload, &reloader);
	/* Descriptors are counted first: short of them, every step fails for a wrong reason. */
	if (loader_need_fds(LOADER_FDS, "starting", &e) ||
	    start(&loader, &opts, run, live, &e)) {
		error_print(stderr, &e);
		status = e.exit_status;
		goto cleanup;
	}
	if (!run_open(run) && !live)
		say_watching(&opts, run_view(run));
	status = run_loop(run, &stop);
cleanup:
	loader_stop(&loader);
	run_free(run);
	location_close(location);
	cli_free(&opts);
	end_by_signal(stop);
	return status;
}
