// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: cli_parse() on any command line. The input is the arguments after argv[0],
 * separated by NUL bytes. Whatever they are, cli_parse must not crash, must say something on
 * exactly the right stream for its verdict, and must only ever hand back options main() can
 * trust without checking them again.
 */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/cli/cli.h"
#include "tests/fuzz.h"

#define MAX_ARGS	32

static int any_port(const struct port_set *set)
{
	for (int i = 0; i < TCPDROP_PORT_WORDS; i++)
		if (set->bits[i])
			return 1;
	return 0;
}

static void check_options(const struct options *o)
{
	size_t n = strnlen(o->ifname, sizeof(o->ifname));

	/* The loader copies ifname as a C string and hands it to if_nametoindex(). */
	check(n < sizeof(o->ifname) && !strchr(o->ifname, '/'));
	check(any_port(&o->ports));
	check(o->mode == XDP_MODE_AUTO || o->mode == XDP_MODE_NATIVE || o->mode == XDP_MODE_SKB);
	check(isfinite(o->interval_s) && o->interval_s >= 0.1 && o->interval_s <= 3600);
	check(isfinite(o->duration_s) && o->duration_s >= 0 && o->duration_s <= 1e9);
	check(o->duration_s == 0 || o->duration_s >= 0.001);
	/* The kernel refuses a ring buffer that is not a power-of-two number of pages. */
	check(o->ring_bytes >= TCPDROP_MIN_RING_BYTES && o->ring_bytes <= TCPDROP_MAX_RING_BYTES);
	check(!(o->ring_bytes & (o->ring_bytes - 1)));
	check(o->max_sources >= TCPDROP_MIN_SOURCES && o->max_sources <= TCPDROP_MAX_SOURCES);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 2], *copy, *p, *outbuf = NULL, *errbuf = NULL;
	size_t outlen = 0, errlen = 0;
	static char *reset_argv[] = { "reset", NULL };
	struct options opts;
	enum cli_result r;
	FILE *out, *err;
	int argc = 1;

	if (size > 4096)
		return -1;
	copy = malloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[0] = "tcpdrop-top";
	/* Each NUL ends an argument; so does the end of the input, which may hold none. */
	for (p = copy; p < copy + size && argc <= MAX_ARGS; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;

	/*
	 * glibc's getopt keeps a pointer into the previous argv (the rest of a "-hV" group) that
	 * only optind = 0 clears; cli_parse sets optind = 1, fine for the one parse of a process.
	 * Each run here must start like a fresh process, so the state is cleared first.
	 */
	optind = 0;
	getopt(1, reset_argv, "");

	out = open_memstream(&outbuf, &outlen);
	err = open_memstream(&errbuf, &errlen);
	memset(&opts, 0xa5, sizeof(opts));	/* garbage, as main()'s stack may hold */
	r = cli_parse(argc, argv, &opts, out, err);
	fclose(out);
	fclose(err);

	switch (r) {
	case CLI_RUN:
		check(!outlen && !errlen);
		check_options(&opts);
		break;
	case CLI_EXIT_OK:
		/* -h or -V: the answer on stdout, nothing on stderr. */
		check(outlen && !errlen && outbuf[outlen - 1] == '\n');
		break;
	case CLI_USAGE_ERROR:
		/* Starts like every error, ends with the --help hint, and holds no NUL. */
		check(!outlen && errlen && !strncmp(errbuf, "tcpdrop-top: ", 13));
		check(strlen(errbuf) == errlen && errbuf[errlen - 1] == '\n');
		check(strstr(errbuf, "\nTry 'tcpdrop-top --help'") != NULL);
		break;
	default:
		check(0);
	}
	cli_free(&opts);
	free(outbuf);
	free(errbuf);
	free(copy);
	return 0;
}
