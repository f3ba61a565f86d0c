// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
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
	"                   [--max-sources N] [--event-rate N|max] [-w FILE [--snaplen N]]\n"
	"                   [--force] [--metrics [ADDR:]PORT] [-q] [-v] [-h] [-V]\n"
	"Drop TCP segments to the watched ports at XDP and show what is dropped, live.\n"
	"\n"
	"  -i, --interface IFACE  interface to filter, by name or altname (default: the\n"
	"                         default-route interface)\n"
	"  -p, --ports PORTS      destination ports to drop, e.g. 4040,8080,9000-9010 (default\n"
	"                         4040; repeatable: the lists add up)\n"
	"      --except CIDRS     never drop these sources, e.g. 198.51.100.0/24,2001:db8::/32\n"
	"                         (repeatable; they pass and count as excepted); ::ffff:a.b.c.d\n"
	"                         is the IPv4 a.b.c.d; host bits past the length are refused\n"
	"  -m, --mode MODE        auto (native XDP, else generic), native or skb (default auto)\n"
	"      --dry-run          match and report, but let the packets through (the SSH guard\n"
	"                         then stands aside)\n"
	"      --json             NDJSON on stdout (the default when stdin or stdout is not a\n"
	"                         terminal)\n"
	"  -d, --interval SECONDS stats and refresh period (default 1)\n"
	"      --duration SECONDS stop after this long (default: run until interrupted)\n"
	"      --ring-size BYTES  event ring buffer, a power of two from 4K to 1G (default 4M)\n"
	"      --max-sources N    sources the per-source table holds, 64 to 4194304 (default 16384)\n"
	"      --event-rate N|max drop events a second, all CPUs together (default 10000): a\n"
	"                         burst of up to a second of it is logged whole, a flood past it\n"
	"                         sampled, counted as throttled; max: every drop; 0: none\n"
	"  -w FILE                also write the reported drops to FILE as pcap (for tcpdump,\n"
	"                         tshark): each drop that has an event; - is stdout, which then\n"
	"                         carries only the pcap (no live view, no --json); a start that\n"
	"                         fails leaves FILE as it was; a write that fails (a full disk,\n"
	"                         a file size limit) ends the run, exit 1\n"
	"      --snaplen N        bytes of each dropped packet -w keeps, 1 to 4096 (default 128)\n"
	"      --force            start even if the ports would cut the SSH session running it\n"
	"                         (its server address on IFACE, on a device stacked on it, or\n"
	"                         on lo)\n"
	"      --metrics [ADDR:]PORT\n"
	"                         serve Prometheus metrics at http://ADDR:PORT/metrics; a bare\n"
	"                         PORT, or [::]:PORT, listens on every address, IPv6 and IPv4\n"
	"                         (we suggest 24040)\n"
	"  -q, --quiet            no live view and no NDJSON: filter (and serve --metrics) until\n"
	"                         stopped by a signal\n"
	"  -v, --verbose          show libbpf's messages\n"
	"  -h, --help             this help\n"
	"  -V, --version          print the version\n"
	"\n"
	"Watches Ethernet devices and devices without a link-layer header (tun, WireGuard, ipip,\n"
	"sit, gre, ppp). Needs root, or CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON. The filter is\n"
	"gone when tcpdrop-top exits.\n";

enum {
	OPT_DRY_RUN = 256, OPT_JSON, OPT_DURATION, OPT_RING_SIZE, OPT_MAX_SOURCES, OPT_EXCEPT,
	OPT_FORCE, OPT_EVENT_RATE, OPT_SNAPLEN, OPT_METRICS,
};

static const struct option long_options[] = {
	{ "interface", required_argument, NULL, 'i' },
	{ "ports", required_argument, NULL, 'p' },
	{ "except", required_argument, NULL, OPT_EXCEPT },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "event-rate", required_argument, NULL, OPT_EVENT_RATE },
	{ "mode", required_argument, NULL, 'm' },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "interval", required_argument, NULL, 'd' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "ring-size", required_argument, NULL, OPT_RING_SIZE },
	{ "max-sources", required_argument, NULL, OPT_MAX_SOURCES },
	{ "write", required_argument, NULL, 'w' },
	{ "snaplen", required_argument, NULL, OPT_SNAPLEN },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "quiet", no_argument, NULL, 'q' },
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

/* A whole number within [min, max], with an optional K, M or G (powers of 1024) suffix.
 * Returns -EINVAL when s is not such a number, -ERANGE when it is out of bounds. */
static int parse_size(const char *s, unsigned long long min, unsigned long long max,
		      unsigned int *out)
{
	unsigned long long v = 0, unit = 1;
	bool big = false;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (*p - '0');
		if (v > max) {
			big = true;	/* read on: "99999KB" is a bad suffix first */
			v = max + 1;
		}
	}
	switch (*p) {
	case 'k': case 'K': unit = 1ULL << 10; p++; break;
	case 'm': case 'M': unit = 1ULL << 20; p++; break;
	case 'g': case 'G': unit = 1ULL << 30; p++; break;
	}
	if (*p)
		return -EINVAL;
	if (big || v > max / unit || v * unit < min)
		return -ERANGE;
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

/* The option as typed: "--ports" (also for an abbreviation such as "--po") or "-p". */
static const char *option_name(int c, int longindex, char *buf, size_t len)
{
	if (longindex >= 0)
		snprintf(buf, len, "--%s", long_options[longindex].name);
	else
		snprintf(buf, len, "-%c", c);
	return buf;
}

/* An unknown "--name[=value]": either no long option starts with name, or several do. */
static enum cli_result unknown_long(FILE *err, const char *arg)
{
	size_t len = strcspn(arg + 2, "="), used = 0;
	char candidates[256] = "";
	int n = 0;

	/* "--=x" names no option, though getopt finds every one starting with its empty name. */
	if (!len)
		return usage_error(err, "unknown option %s", arg);
	for (const struct option *o = long_options; o->name; o++) {
		if (strncmp(o->name, arg + 2, len))
			continue;
		used += snprintf(candidates + used, sizeof(candidates) - used, "%s--%s",
				 n++ ? ", " : "", o->name);
		if (used >= sizeof(candidates))
			break;
	}
	if (n > 1)
		return usage_error(err, "option --%.*s is ambiguous: %s", (int)len, arg + 2,
				   candidates);
	return usage_error(err, "unknown option %s", arg);
}

/* A size option's message: what is wrong with the value, and what would do. */
static enum cli_result size_error(FILE *err, const char *name, const char *value, int why,
				  const char *bounds)
{
	if (why == -ERANGE)
		return usage_error(err, "%s: \"%s\" is out of range: want %s", name, value,
				   bounds);
	return usage_error(err, "%s: \"%s\" is not a number: digits, then optionally K, M or G "
			   "(powers of 1024; no B); want %s", name, value, bounds);
}

/* An --except /0 is allowed (to count without dropping, say) but seldom meant: say what it
 * leaves to drop. */
void cli_warn(const struct options *opts, FILE *err)
{
	unsigned int families = except_whole_families(&opts->excepts);

	if (families == (EXCEPT_ALL_IPV4 | EXCEPT_ALL_IPV6))
		say(err, "warning: --except covers every source (0.0.0.0/0 and ::/0): nothing "
		    "will be dropped");
	else if (families == EXCEPT_ALL_IPV4)
		say(err, "warning: --except covers every IPv4 source (0.0.0.0/0): only IPv6 will "
		    "be dropped");
	else if (families == EXCEPT_ALL_IPV6)
		say(err, "warning: --except covers every IPv6 source (::/0): only IPv4 will be "
		    "dropped");
}

enum cli_result cli_parse(int argc, char **argv, struct options *opts, FILE *out, FILE *err)
{
	char why[160], name[32];
	bool ports_given = false, iface_given = false, snaplen_given = false;
	struct port_set more;
	int c, longindex, bad;

	memset(opts, 0, sizeof(*opts));
	opts->interval_s = 1.0;
	opts->ring_bytes = TCPDROP_DEFAULT_RING_BYTES;
	opts->max_sources = TCPDROP_DEFAULT_SOURCES;
	opts->event_rate = TCPDROP_DEFAULT_EVENT_RATE;
	opts->snaplen = TCPDROP_DEFAULT_SNAPLEN;
	opterr = 0;
	optind = 0;	/* 0, not 1: glibc then also forgets a half-parsed "-hV" of an earlier call */

	for (;;) {
		longindex = -1;
		c = getopt_long(argc, argv, ":i:p:m:d:w:vhVq", long_options, &longindex);
		if (c == -1)
			break;
		option_name(c, longindex, name, sizeof(name));
		switch (c) {
		case 'i':
			/* One interface per process: a second -i would silently win. */
			if (iface_given)
				return usage_error(err, "%s: only one interface per process, and "
						   "\"%s\" was given before \"%s\": run one "
						   "tcpdrop-top for each", name, opts->ifname,
						   optarg);
			/* An altname may be longer than a name (ip link property add). */
			if (!*optarg || strlen(optarg) >= RTNL_NAME_MAX || strchr(optarg, '/'))
				return usage_error(err, "bad interface name \"%s\"", optarg);
			strcpy(opts->ifname, optarg);
			iface_given = true;
			break;
		case 'p':
			/* Each list adds to the ones before it, as --except does. */
			if (ports_parse(optarg, &more, why, sizeof(why)))
				return usage_error(err, "%s: %s", name, why);
			for (int w = 0; w < TCPDROP_PORT_WORDS; w++)
				opts->ports.bits[w] |= more.bits[w];
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
				return usage_error(err, "%s: unknown mode \"%s\" (auto, native or "
						   "skb)", name, optarg);
			break;
		case OPT_EXCEPT:
			if (except_parse(optarg, &opts->excepts, why, sizeof(why)))
				return usage_error(err, "%s: %s", name, why);
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
				return usage_error(err, "%s: \"%s\" is not a number of seconds "
						   "from 0.1 to 3600", name, optarg);
			break;
		case OPT_DURATION:
			if (parse_seconds(optarg, 0.001, 1e9, &opts->duration_s))
				return usage_error(err, "%s: \"%s\" is not a number of seconds "
						   "from 0.001 to 1000000000", name, optarg);
			break;
		case OPT_RING_SIZE:
			bad = parse_size(optarg, TCPDROP_MIN_RING_BYTES, TCPDROP_MAX_RING_BYTES,
					 &opts->ring_bytes);
			if (bad)
				return size_error(err, name, optarg, bad,
						  "a power of two from 4K to 1G");
			if (opts->ring_bytes & (opts->ring_bytes - 1))
				return usage_error(err, "%s: \"%s\" is not a power of two: want "
						   "4K, 8K, 16K ... 1G", name, optarg);
			break;
		case OPT_MAX_SOURCES:
			bad = parse_size(optarg, TCPDROP_MIN_SOURCES, TCPDROP_MAX_SOURCES,
					 &opts->max_sources);
			if (bad)
				return size_error(err, name, optarg, bad, "64 to 4194304 (4M)");
			break;
		case OPT_EVENT_RATE:
			opts->every_event = !strcmp(optarg, "max");
			if (opts->every_event)
				break;
			bad = parse_size(optarg, 0, CLI_MAX_EVENT_RATE, &opts->event_rate);
			if (bad)
				return size_error(err, name, optarg, bad,
						  "0 to 100000000, or max for every drop");
			break;
		case 'w':
			if (opts->pcap_path)
				return usage_error(err, "%s: only one file, and \"%s\" was given "
						   "before \"%s\"", name, opts->pcap_path, optarg);
			if (!*optarg)
				return usage_error(err, "%s: empty file name (- is stdout)", name);
			opts->pcap_path = optarg;
			break;
		case OPT_SNAPLEN:
			bad = parse_size(optarg, TCPDROP_MIN_SNAPLEN, TCPDROP_MAX_SNAPLEN,
					 &opts->snaplen);
			if (bad)
				return size_error(err, name, optarg, bad, "1 to 4096");
			snaplen_given = true;
			break;
		case OPT_METRICS:
			if (listen_parse(optarg, &opts->metrics, why, sizeof(why)))
				return usage_error(err, "%s: %s", name, why);
			break;
		case 'q':
			opts->quiet = true;
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
			/* getopt leaves longindex alone here: the option as typed is the argument
			 * before optind, unless it was a short one in a cluster such as "-vp". */
			if (!strncmp(argv[optind - 1], "--", 2))
				return usage_error(err, "option %s needs a value",
						   argv[optind - 1]);
			snprintf(why, sizeof(why), "-%c", optopt);
			return usage_error(err, "option %s needs a value", why);
		default:
			/* For "--name=value" on a flag, getopt sets optopt to the flag's code; for
			 * an unknown or ambiguous long option, to 0; for an unknown short one, to
			 * its letter. */
			if (!strncmp(argv[optind - 1], "--", 2)) {
				if (optopt)
					return usage_error(err, "option %s takes no value",
							   argv[optind - 1]);
				return unknown_long(err, argv[optind - 1]);
			}
			snprintf(why, sizeof(why), "-%c", optopt);
			return usage_error(err, "unknown option %s", why);
		}
	}
	if (optind < argc)
		return usage_error(err, "unexpected argument \"%s\"", argv[optind]);
	if (snaplen_given && !opts->pcap_path)
		return usage_error(err, "--snaplen: nothing to capture without -w FILE");
	if (opts->pcap_path && !strcmp(opts->pcap_path, "-") && opts->json)
		return usage_error(err, "-w -: the pcap goes to stdout, so --json cannot: write "
				   "the pcap to a file instead (-w FILE)");
	/* A record is the event, the bytes and the ring's 8-byte header: one must fit. */
	if (opts->pcap_path && sizeof(struct tcpdrop_event) + opts->snaplen + 8 > opts->ring_bytes)
		return usage_error(err, "--ring-size %uK cannot hold one %u-byte capture: choose "
				   "a bigger --ring-size or a smaller --snaplen",
				   opts->ring_bytes >> 10, opts->snaplen);
	if (opts->quiet && opts->json)
		return usage_error(err, "--quiet writes no NDJSON, and --json asks for it: choose "
				   "one");
	if (!ports_given)
		ports_add(&opts->ports, TCPDROP_DEFAULT_PORT);
	return CLI_RUN;
}
