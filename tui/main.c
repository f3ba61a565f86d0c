// SPDX-License-Identifier: GPL-2.0
/*
 * tcpdrop-top: drop TCP segments to the watched ports at XDP and show what is dropped, live.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "loader.h"
#include "privs.h"
#include "stream.h"
#include "tui.h"

static volatile sig_atomic_t stop;
static bool verbose;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
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

	/* No SA_RESTART: a signal must cut the ring-buffer wait short. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);	/* a closed stdout shows up as EPIPE from write */
}

int main(int argc, char **argv)
{
	struct stream st = {};
	struct loader loader;
	struct options opts;
	struct tui tui;
	char ports[128], err[512];
	bool interactive, kept_cap_bpf;
	int status;

	switch (cli_parse(argc, argv, &opts, stdout, stderr)) {
	case CLI_EXIT_OK:
		return 0;
	case CLI_USAGE_ERROR:
		return 2;
	case CLI_RUN:
		break;
	}
	verbose = opts.verbose;
	libbpf_set_print(libbpf_log);
	install_signals();

	/* The live view needs a terminal on both ends; anything else gets the NDJSON stream. */
	interactive = !opts.json && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
	if (interactive && tui_init(&tui, &opts, &loader)) {
		fprintf(stderr, "tcpdrop-top: out of memory\n");
		return 1;
	}
	st.loader = &loader;
	status = loader_start(&loader, &opts, interactive ? tui_on_event : stream_on_event,
			      interactive ? (void *)&tui : (void *)&st, err, sizeof(err));
	if (status) {
		fprintf(stderr, "tcpdrop-top: %s\n", err);
		goto cleanup;
	}
	if (privs_drop(maps_readable, &loader, &kept_cap_bpf, err, sizeof(err))) {
		fprintf(stderr, "tcpdrop-top: %s\n", err);
		status = 1;
		goto cleanup;
	}
	if (kept_cap_bpf && opts.verbose)
		fprintf(stderr, "tcpdrop-top: this kernel needs CAP_BPF to read held maps: kept it\n");

	if (interactive) {
		status = tui_run(&tui, &stop);
	} else {
		ports_format(&opts.ports, ports, sizeof(ports));
		fprintf(stderr, "tcpdrop-top: watching %s (%s XDP), ports %s%s\n", loader.ifname,
			loader.native ? "native" : "generic", ports, opts.dry_run ? ", dry run" : "");
		status = stream_run(&st, &opts, &stop);
	}
cleanup:
	loader_stop(&loader);
	if (interactive)
		tui_free(&tui);
	return status;
}
