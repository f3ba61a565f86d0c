// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "error.h"

static const char usage[] =
	"Usage: tcpdrop-top [-i IFACE] [-p PORTS] [--except CIDRS] [-m auto|native|skb] [--dry-run]\n"
	"                   [--json] [-d SECONDS] [--duration SECONDS] [--ring-size BYTES]\n"
	"                   [--max-sources N] [--force] [-v] [-h] [-V]\n"
	"Drop TCP segments to the watched ports at XDP and show what is dropped, live.\n"
	"\n"
	"  -i, --interface IFACE  interface to filter (default: the default-route interface)\n"
	"  -p, --ports PORTS      destination ports to drop, e.g. 4040,8080,9000-9010 (default 4040)\n"
	"      --except CIDRS     never drop these sources, e.g. 198.51.100.0/24,2001:db8::/32\n"
	"                         (repeatable; they pass and count as excepted)\n"
	"  -m, --mode MODE        auto (native XDP, else generic), native or skb (default auto)\n"
	"      --dry-run          match and report, but let the packets through\n"
	"      --json             NDJSON on stdout (the default when stdout is not a terminal)\n"
	"  -d, --interval SECONDS stats and refresh period (default 1)\n"
	"      --duration SECONDS stop after this long (default: run until interrupted)\n"
	"      --ring-size BYTES  event ring buffer, a power of two from 4K to 1G (default 4M)\n"
	"      --max-sources N    sources the per-source table holds, 64 to 4194304 (default 16384)\n"
	"      --force            start even if the ports would cut the SSH session running it\n"
	"  -v, --verbose          show libbpf's messages\n"
	"  -h, --help             this help\n"
	"  -V, --version          print the version\n"
	"\n"
	"Watches Ethernet devices and devices without a link-layer header (tun, WireGuard, ipip,\n"
	"sit, gre, ppp). Needs root, or CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON. The filter is\n"
	"gone when tcpdrop-top exits.\n";

enum {
	OPT_DRY_RUN = 256, OPT_JSON, OPT_DURATION, OPT_RING_SIZE, OPT_MAX_SOURCES, OPT_EXCEPT,
	OPT_FORCE,
};

static const struct option long_options[] = {
	{ "interface", required_argument, NULL, 'i' },
	{ "ports", required_argument, NULL, 'p' },
	{ "except", required_argument, NULL, OPT_EXCEPT },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "mode", required_argument, NULL, 'm' },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "interval", required_argument, NULL, 'd' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "ring-size", required_argument, NULL, OPT_RING_SIZE },
	{ "max-sources", required_argument, NULL, OPT_MAX_SOURCES },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ 0 },
};

/* Accepts a plain decimal number of seconds within [min, max]. */
static int parse_seconds(const char *s, double min, double max, double *out)
{
	char *end;
	double v;

	if (!*s || strchr(s, 'x') || strchr(s, 'X'))
		return -1;	/* no hex floats, no empty string */
	v = strtod(s, &end);
	if (*end || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* A whole number within [min, max], with an optional K, M or G (powers of 1024) suffix. */
static int parse_size(const char *s, unsigned long long min, unsigned long long max,
		      unsigned int *out)
{
	unsigned long long v = 0, unit = 1;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (*p - '0');
		if (v > max)
			return -1;
	}
	switch (*p) {
	case 'k': case 'K': unit = 1ULL << 10; p++; break;
	case 'm': case 'M': unit = 1ULL << 20; p++; break;
	case 'g': case 'G': unit = 1ULL << 30; p++; break;
	}
	if (*p || v > max / unit || v * unit < min)
		return -1;
	*out = v * unit;
	return 0;
}

__attribute__((format(printf, 2, 3)))
static enum cli_result usage_error(FILE *err, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	say(err, "%s", why);
	fprintf(err, "Try 'tcpdrop-top --help' for more information.\n");
	return CLI_USAGE_ERROR;
}

enum cli_result cli_parse(int argc, char **argv, struct options *opts, FILE *out, FILE *err)
{
	char why[160];
	bool ports_given = false;
	int c;

	memset(opts, 0, sizeof(*opts));
	opts->interval_s = 1.0;
	opts->ring_bytes = TCPDROP_DEFAULT_RING_BYTES;
	opts->max_sources = TCPDROP_DEFAULT_SOURCES;
	opterr = 0;
	optind = 0;	/* 0, not 1: glibc then also forgets a half-parsed "-hV" of an earlier call */

	while ((c = getopt_long(argc, argv, ":i:p:m:d:vhV", long_options, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (!*optarg || strlen(optarg) >= IF_NAMESIZE || strchr(optarg, '/'))
				return usage_error(err, "bad interface name \"%s\"", optarg);
			strcpy(opts->ifname, optarg);
			break;
		case 'p':
			if (ports_parse(optarg, &opts->ports, why, sizeof(why)))
				return usage_error(err, "-p: %s", why);
			ports_given = true;
			break;
		case 'm':
			if (!strcmp(optarg, "auto"))
				opts->mode = XDP_MODE_AUTO;
			else if (!strcmp(optarg, "native"))
				opts->mode = XDP_MODE_NATIVE;
			else if (!strcmp(optarg, "skb"))
				opts->mode = XDP_MODE_SKB;
			else
				return usage_error(err, "-m: unknown mode \"%s\" (auto, native or skb)",
						   optarg);
			break;
		case OPT_EXCEPT:
			if (except_parse(optarg, &opts->excepts, why, sizeof(why)))
				return usage_error(err, "--except: %s", why);
			break;
		case OPT_FORCE:
			opts->force = true;
			break;
		case OPT_DRY_RUN:
			opts->dry_run = true;
			break;
		case OPT_JSON:
			opts->json = true;
			break;
		case 'd':
			if (parse_seconds(optarg, 0.1, 3600, &opts->interval_s))
				return usage_error(err, "-d: \"%s\" is not a number of seconds from 0.1 "
						   "to 3600", optarg);
			break;
		case OPT_DURATION:
			if (parse_seconds(optarg, 0.001, 1e9, &opts->duration_s))
				return usage_error(err, "--duration: \"%s\" is not a positive number "
						   "of seconds", optarg);
			break;
		case OPT_RING_SIZE:
			if (parse_size(optarg, TCPDROP_MIN_RING_BYTES, TCPDROP_MAX_RING_BYTES,
				       &opts->ring_bytes) ||
			    (opts->ring_bytes & (opts->ring_bytes - 1)))
				return usage_error(err, "--ring-size: \"%s\" is not a power of two "
						   "from 4K to 1G", optarg);
			break;
		case OPT_MAX_SOURCES:
			if (parse_size(optarg, TCPDROP_MIN_SOURCES, TCPDROP_MAX_SOURCES,
				       &opts->max_sources))
				return usage_error(err, "--max-sources: \"%s\" is not a number from "
						   "64 to 4194304", optarg);
			break;
		case 'v':
			opts->verbose = true;
			break;
		case 'h':
			fputs(usage, out);
			return CLI_EXIT_OK;
		case 'V':
			fprintf(out, "tcpdrop-top %s\n", TCPDROP_VERSION);
			return CLI_EXIT_OK;
		case ':':
			if (optopt > 0 && optopt < 128) {
				snprintf(why, sizeof(why), "-%c", optopt);
				return usage_error(err, "option %s needs a value", why);
			}
			return usage_error(err, "option %s needs a value", argv[optind - 1]);
		default:
			/* For "--name=value" on a flag, getopt sets optopt to the flag's code; for
			 * an unknown long option, to 0; for an unknown short one, to its letter. */
			if (!strncmp(argv[optind - 1], "--", 2))
				return usage_error(err, optopt ? "option %s takes no value" :
						   "unknown option %s", argv[optind - 1]);
			snprintf(why, sizeof(why), "-%c", optopt);
			return usage_error(err, "unknown option %s", why);
		}
	}
	if (optind < argc)
		return usage_error(err, "unexpected argument \"%s\"", argv[optind]);
	if (!ports_given)
		ports_add(&opts->ports, TCPDROP_DEFAULT_PORT);
	return CLI_RUN;
}
