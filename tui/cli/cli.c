// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "tui/cli/cli.h"
#include "tui/cli/conffile.h"
#include "tui/lib/error.h"

#define HELP_WIDTH	90	/* the synopsis wraps here; the options' text is wrapped by hand */
#define HELP_INDENT	25	/* the column of the options' text */

static const char about[] =
	"Drop TCP segments to the watched ports at XDP and show what is dropped, live.\n";

static const char notes[] =
	"Watches Ethernet devices and devices without a link-layer header (tun, WireGuard, ipip,\n"
	"sit, gre, ppp). Needs root, or CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON. The filter is\n"
	"gone when tcpdrop-top exits.\n";

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

enum cli_result usage_error(FILE *err, const char *fmt, ...)
{
	char why[PATH_MAX + 512];	/* a config file's path and line, and the reason */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	say(err, "%s", why);
	fprintf(err, "Try 'tcpdrop-top --help' for more information.\n");
	return CLI_USAGE_ERROR;
}

/* A short line put together piece by piece; what would not fit is cut. */
struct text {
	char s[128];
	size_t len;
};

__attribute__((format(printf, 2, 3)))
static void text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->s + t->len, sizeof(t->s) - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len = t->len + n < sizeof(t->s) ? t->len + n : sizeof(t->s) - 1;
}

/* --- The parsers of the table's rows ------------------------------------------------------ */

/* The field of a row shared by several: a bool for set_flag, a double for seconds, an unsigned
 * int for sizes. */
static void *field_of(const struct cli_arg *a)
{
	return (char *)a->opts + a->opt->field;
}

static enum cli_result set_flag(const struct cli_arg *a)
{
	*(bool *)field_of(a) = true;
	return CLI_RUN;
}

static enum cli_result parse_seconds_opt(const struct cli_arg *a)
{
	const struct cli_option *o = a->opt;

	/* %.10g: 1000000000, not 1e+09, as the README says it. */
	if (parse_seconds(a->value, o->min, o->max, field_of(a)))
		return usage_error(a->err, "%s: \"%s\" is not a number of seconds from %.10g to "
				   "%.10g", a->name, a->value, o->min, o->max);
	return CLI_RUN;
}

static enum cli_result parse_size_opt(const struct cli_arg *a)
{
	const struct cli_option *o = a->opt;
	int bad = parse_size(a->value, o->min, o->max, field_of(a));

	if (bad == -ERANGE)
		return usage_error(a->err, "%s: \"%s\" is out of range: want %s", a->name,
				   a->value, o->want);
	if (bad)
		return usage_error(a->err, "%s: \"%s\" is not a number: digits, then optionally "
				   "K, M or G (powers of 1024; no B); want %s", a->name, a->value,
				   o->want);
	return CLI_RUN;
}

/* The kernel takes a ring buffer of a power-of-two number of pages only. */
static enum cli_result parse_ring_size(const struct cli_arg *a)
{
	if (parse_size_opt(a) != CLI_RUN)
		return CLI_USAGE_ERROR;
	if (a->opts->ring_bytes & (a->opts->ring_bytes - 1))
		return usage_error(a->err, "%s: \"%s\" is not a power of two: want 4K, 8K, 16K "
				   "... 1G", a->name, a->value);
	return CLI_RUN;
}

static enum cli_result parse_event_rate(const struct cli_arg *a)
{
	a->opts->every_event = !strcmp(a->value, "max");
	return a->opts->every_event ? CLI_RUN : parse_size_opt(a);
}

static enum cli_result parse_iface(const struct cli_arg *a)
{
	/* An altname may be longer than a name (ip link property add). */
	if (!*a->value || strlen(a->value) >= RTNL_NAME_MAX || strchr(a->value, '/'))
		return usage_error(a->err, "bad interface name \"%s\"", a->value);
	strcpy(a->opts->ifname, a->value);
	return CLI_RUN;
}

/* Each list adds to the ones before it, as --except does. */
static enum cli_result parse_ports(const struct cli_arg *a)
{
	struct port_set more;
	char why[160];

	if (ports_parse(a->value, &more, why, sizeof(why)))
		return usage_error(a->err, "%s: %s", a->name, why);
	for (int w = 0; w < TCPDROP_PORT_WORDS; w++)
		a->opts->ports.bits[w] |= more.bits[w];
	return CLI_RUN;
}

static enum cli_result parse_except(const struct cli_arg *a)
{
	char why[160];

	if (except_parse(a->value, &a->opts->excepts, why, sizeof(why)))
		return usage_error(a->err, "%s: %s", a->name, why);
	return CLI_RUN;
}

static enum cli_result parse_except_file(const struct cli_arg *a)
{
	char why[PATH_MAX + 200];

	if (!*a->value)
		return usage_error(a->err, "%s: empty file name", a->name);
	if (except_parse_file(a->value, &a->opts->excepts, why, sizeof(why)))
		return usage_error(a->err, "%s: %s", a->name, why);
	return CLI_RUN;
}

/* Read once all the command line is, so that the command line overrides it. */
static enum cli_result parse_config(const struct cli_arg *a)
{
	if (!*a->value)
		return usage_error(a->err, "%s: empty file name", a->name);
	a->opts->config_path = a->value;
	return CLI_RUN;
}

static enum cli_result parse_metrics(const struct cli_arg *a)
{
	char why[160];

	if (listen_parse(a->value, &a->opts->metrics, why, sizeof(why)))
		return usage_error(a->err, "%s: %s", a->name, why);
	return CLI_RUN;
}

/* o->choices in the order of enum xdp_mode. */
static enum cli_result parse_mode(const struct cli_arg *a)
{
	const struct cli_option *o = a->opt;
	struct text list = { .len = 0 };
	int i;

	for (i = 0; o->choices[i]; i++) {
		if (!strcmp(a->value, o->choices[i])) {
			a->opts->mode = (enum xdp_mode)i;
			return CLI_RUN;
		}
	}
	for (int j = 0; j < i; j++)	/* "auto, native or skb" */
		text_add(&list, "%s%s", !j ? "" : j == i - 1 ? " or " : ", ", o->choices[j]);
	return usage_error(a->err, "%s: unknown %s \"%s\" (%s)", a->name, o->name, a->value,
			   list.s);
}

static enum cli_result parse_group(const struct cli_arg *a)
{
	if (group_parse(a->value, &a->opts->group))
		return usage_error(a->err, "%s: unknown grouping \"%s\" (address, 24, 16, asn or "
				   "country)", a->name, a->value);
	return CLI_RUN;
}

static enum cli_result parse_location_db(const struct cli_arg *a)
{
	if (!*a->value)
		return usage_error(a->err, "%s: empty file name", a->name);
	a->opts->location_db = a->value;
	return CLI_RUN;
}

static enum cli_result parse_pcap_path(const struct cli_arg *a)
{
	if (!*a->value)
		return usage_error(a->err, "%s: empty file name (- is stdout)", a->name);
	a->opts->pcap_path = a->value;
	return CLI_RUN;
}

static void cli_help(FILE *out);

static enum cli_result show_help(const struct cli_arg *a)
{
	cli_help(a->out);
	return CLI_EXIT_OK;
}

static enum cli_result show_version(const struct cli_arg *a)
{
	fprintf(a->out, "tcpdrop-top %s\n", TCPDROP_VERSION);
	return CLI_EXIT_OK;
}

/* --- The table --------------------------------------------------------------------------- */

#define FIELD(f)	.field = offsetof(struct options, f)

static const char *const xdp_modes[] = { "auto", "native", "skb", NULL };
static const char *const groupings[] = { "address", "24", "16", "asn", "country", NULL };
_Static_assert(XDP_MODE_AUTO == 0 && XDP_MODE_NATIVE == 1 && XDP_MODE_SKB == 2,
	       "xdp_modes[] is indexed by enum xdp_mode");

const struct cli_option cli_options[] = {
	{ .name = "interface", .short_opt = 'i', .metavar = "IFACE", .parse = parse_iface,
	  /* A second -i would silently win. */
	  .once = "only one interface per process", .once_hint = "run one tcpdrop-top for each",
	  .help = "interface to filter, by name or altname (default: the\n"
		  "default-route interface)" },
	{ .name = "ports", .short_opt = 'p', .metavar = "PORTS", .parse = parse_ports,
	  .help = "destination ports to drop, e.g. 4040,8080,9000-9010 (default\n"
		  "4040; repeatable: the lists add up)" },
	{ .name = "except", .metavar = "CIDRS", .parse = parse_except,
	  .help = "never drop these sources, e.g. 198.51.100.0/24,2001:db8::/32\n"
		  "(repeatable; they pass and count as excepted); ::ffff:a.b.c.d\n"
		  "is the IPv4 a.b.c.d; host bits past the length are refused" },
	{ .name = "except-file", .metavar = "FILE", .parse = parse_except_file,
	  .help = "never drop the sources listed in FILE: one CIDR a line, '#' or\n"
		  "';' comments (repeatable; with --except, up to 131072 prefixes)" },
	{ .name = "config", .metavar = "FILE", .parse = parse_config, .in_file = CLI_NOT_IN_FILE,
	  .once = "only one config file",
	  .help = "read options from FILE, one \"name = value\" a line with the\n"
		  "long options' names; the command line overrides it (default:\n"
		  "with -i IFACE, " CLI_CONFIG_DIR "/IFACE.conf if it exists);\n"
		  "SIGHUP reads it again and applies the ports, the excepted\n"
		  "sources and the event rate with no gap" },
	{ .name = "mode", .short_opt = 'm', .metavar = "MODE", .choices = xdp_modes,
	  .parse = parse_mode,
	  .help = "auto (native XDP, else generic), native or skb (default auto)" },
	{ .name = "dry-run", .parse = set_flag, FIELD(dry_run),
	  .help = "match and report, but let the packets through (the SSH guard\n"
		  "then stands aside)" },
	{ .name = "json", .parse = set_flag, FIELD(json),
	  .help = "NDJSON on stdout (the default when stdin or stdout is not a\n"
		  "terminal)" },
	{ .name = "interval", .short_opt = 'd', .metavar = "SECONDS", .parse = parse_seconds_opt,
	  FIELD(interval_s), .min = 0.1, .max = 3600,
	  .help = "stats and refresh period (default 1)" },
	{ .name = "duration", .metavar = "SECONDS", .parse = parse_seconds_opt,
	  FIELD(duration_s), .min = 0.001, .max = 1e9,
	  .help = "stop after this long (default: run until interrupted)" },
	{ .name = "group", .metavar = "BY", .choices = groupings, .parse = parse_group,
	  .help = "top sources by address, by network (24: /24 and /64; 16: /16\n"
		  "and /48) or by owner (asn, country), each with its drops, bytes,\n"
		  "rate and addresses (default address; the live view's g steps\n"
		  "through them)" },
	{ .name = "location-db", .metavar = "FILE", .parse = parse_location_db,
	  .once = "only one location database",
	  .help = "libloc's database of who owns an address, for the AS and the\n"
		  "country (default " LOCATION_DEFAULT_DB ", from\n"
		  "libloc-database; without one they stay empty)" },
	{ .name = "ring-size", .metavar = "BYTES", .parse = parse_ring_size, FIELD(ring_bytes),
	  .min = TCPDROP_MIN_RING_BYTES, .max = TCPDROP_MAX_RING_BYTES,
	  .want = "a power of two from 4K to 1G",
	  .help = "event ring buffer, a power of two from 4K to 1G (default 4M)" },
	{ .name = "max-sources", .metavar = "N", .parse = parse_size_opt, FIELD(max_sources),
	  .min = TCPDROP_MIN_SOURCES, .max = TCPDROP_MAX_SOURCES, .want = "64 to 4194304 (4M)",
	  .help = "sources the per-source table holds, 64 to 4194304 (default 16384)" },
	{ .name = "event-rate", .metavar = "N|max", .parse = parse_event_rate, FIELD(event_rate),
	  .min = 0, .max = CLI_MAX_EVENT_RATE, .want = "0 to 100000000, or max for every drop",
	  .help = "drop events a second, all CPUs together (default 10000): a\n"
		  "burst of up to a second of it is logged whole, a flood past it\n"
		  "sampled, counted as throttled; max: every drop; 0: none" },
	{ .name = "write", .short_opt = 'w', .long_unlisted = true, .metavar = "FILE",
	  .parse = parse_pcap_path, .once = "only one file",
	  .help = "also write the reported drops to FILE as pcap (for tcpdump,\n"
		  "tshark): each drop that has an event; - is stdout, which then\n"
		  "carries only the pcap (no live view, no --json); a start that\n"
		  "fails leaves FILE as it was; a write that fails (a full disk,\n"
		  "a file size limit) ends the run, exit 1" },
	{ .name = "snaplen", .metavar = "N", .parse = parse_size_opt, FIELD(snaplen),
	  .min = TCPDROP_MIN_SNAPLEN, .max = TCPDROP_MAX_SNAPLEN, .want = "1 to 4096",
	  .needs = 'w', .needs_why = "nothing to capture",
	  .help = "bytes of each dropped packet -w keeps, 1 to 4096 (default 128)" },
	{ .name = "force", .parse = set_flag, FIELD(force),
	  .help = "start even if the ports would cut the SSH session running it\n"
		  "(its server address on IFACE, on a device stacked on it, or\n"
		  "on lo)" },
	{ .name = "metrics", .metavar = "[ADDR:]PORT", .parse = parse_metrics,
	  .help = "serve Prometheus metrics at http://ADDR:PORT/metrics; a bare\n"
		  "PORT, or [::]:PORT, listens on every address, IPv6 and IPv4\n"
		  "(we suggest 24040)" },
	{ .name = "quiet", .short_opt = 'q', .parse = set_flag, FIELD(quiet),
	  .help = "no live view and no NDJSON: filter (and serve --metrics) until\n"
		  "stopped by a signal" },
	{ .name = "verbose", .short_opt = 'v', .parse = set_flag, FIELD(verbose),
	  .help = "show libbpf's messages" },
	{ .name = "help", .short_opt = 'h', .parse = show_help, .in_file = CLI_NOT_IN_FILE,
	  .help = "this help" },
	{ .name = "version", .short_opt = 'V', .parse = show_version, .in_file = CLI_NOT_IN_FILE,
	  .help = "print the version" },
};

#define CLI_OPTIONS	(sizeof(cli_options) / sizeof(cli_options[0]))
const size_t cli_option_count = CLI_OPTIONS;

/* --- --help, from the table -------------------------------------------------------------- */

/* "-w FILE", "--except CIDRS", "-m auto|native|skb": the option as the synopsis shows it. */
static void usage_form(const struct cli_option *o, struct text *t)
{
	if (o->short_opt)
		text_add(t, "-%c", o->short_opt);
	else
		text_add(t, "--%s", o->name);
	for (int i = 0; o->choices && o->choices[i]; i++)
		text_add(t, "%c%s", i ? '|' : ' ', o->choices[i]);
	if (o->metavar && !o->choices)
		text_add(t, " %s", o->metavar);
}

/* "[-w FILE [--snaplen N]]": an option, and inside its brackets those that need it. */
static void usage_item(const struct cli_option *o, struct text *t)
{
	text_add(t, "[");
	usage_form(o, t);
	for (size_t i = 0; i < CLI_OPTIONS; i++) {
		if (o->short_opt && cli_options[i].needs == o->short_opt) {
			text_add(t, " ");
			usage_item(&cli_options[i], t);
		}
	}
	text_add(t, "]");
}

/* "  -i, --interface IFACE", "      --json", "  -w FILE": the option as its help shows it. */
static void help_form(const struct cli_option *o, struct text *t)
{
	if (o->short_opt)
		text_add(t, "  -%c%s", o->short_opt, o->long_unlisted ? "" : ", ");
	else
		text_add(t, "      ");
	if (!o->long_unlisted)
		text_add(t, "--%s", o->name);
	if (o->metavar)
		text_add(t, " %s", o->metavar);
}

static void cli_help(FILE *out)
{
	static const char head[] = "Usage: tcpdrop-top";
	int col = sizeof(head) - 1;

	fputs(head, out);
	for (size_t i = 0; i < CLI_OPTIONS; i++) {
		struct text item = { .len = 0 };

		if (cli_options[i].needs)
			continue;	/* inside the brackets of the option it needs */
		usage_item(&cli_options[i], &item);
		if (col + 1 + (int)item.len > HELP_WIDTH)
			col = fprintf(out, "\n%*s", (int)sizeof(head) - 1, "") - 1;
		col += fprintf(out, " %s", item.s);
	}
	fprintf(out, "\n%s\n", about);
	for (size_t i = 0; i < CLI_OPTIONS; i++) {
		struct text left = { .len = 0 };

		help_form(&cli_options[i], &left);
		/* The text in its column, or under it when the option is too wide. */
		if (left.len < HELP_INDENT)
			fprintf(out, "%-*s", HELP_INDENT, left.s);
		else
			fprintf(out, "%s\n%*s", left.s, HELP_INDENT, "");
		for (const char *p = cli_options[i].help; *p; p++) {
			fputc(*p, out);
			if (*p == '\n')
				fprintf(out, "%*s", HELP_INDENT, "");
		}
		fputc('\n', out);
	}
	fprintf(out, "\n%s", notes);
}

/* --- Parsing ----------------------------------------------------------------------------- */

/* The option as typed: "--ports" (also for an abbreviation such as "--po") or "-p". */
static const char *option_name(int c, int longindex, char *buf, size_t len)
{
	if (longindex >= 0)
		snprintf(buf, len, "--%s", cli_options[longindex].name);
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
	for (size_t i = 0; i < CLI_OPTIONS; i++) {
		const char *name = cli_options[i].name;

		if (strncmp(name, arg + 2, len))
			continue;
		used += snprintf(candidates + used, sizeof(candidates) - used, "%s--%s",
				 n++ ? ", " : "", name);
		if (used >= sizeof(candidates))
			break;
	}
	if (n > 1)
		return usage_error(err, "option --%.*s is ambiguous: %s", (int)len, arg + 2,
				   candidates);
	return usage_error(err, "unknown option %s", arg);
}

/* What getopt_long reads, from the table: a long option returns its short name, or 256 plus
 * its row for one that has none. */
static void getopt_tables(struct option *longs, char *shorts)
{
	*shorts++ = ':';	/* a missing value is ':', not '?' */
	for (size_t i = 0; i < CLI_OPTIONS; i++) {
		const struct cli_option *o = &cli_options[i];

		longs[i] = (struct option){ o->name, o->metavar ? required_argument : no_argument,
					    NULL, o->short_opt ?: 256 + (int)i };
		if (o->short_opt) {
			*shorts++ = o->short_opt;
			if (o->metavar)
				*shorts++ = ':';
		}
	}
	longs[CLI_OPTIONS] = (struct option){ 0 };
	*shorts = '\0';
}

/* The row of what getopt_long returned, or of a short name; NULL for its errors. */
static const struct cli_option *option_of(int c)
{
	if (c >= 256)
		return &cli_options[c - 256];
	for (size_t i = 0; i < CLI_OPTIONS && c; i++)
		if (cli_options[i].short_opt == c)
			return &cli_options[i];
	return NULL;
}

/* What getopt_long refused: a value missing or extra, an option unknown or ambiguous. */
static enum cli_result getopt_error(int c, char **argv, FILE *err)
{
	const char *typed = argv[optind - 1];
	char name[8];

	snprintf(name, sizeof(name), "-%c", optopt);
	/* getopt leaves longindex alone here: the option as typed is the argument before
	 * optind, unless it was a short one in a cluster such as "-vp". */
	if (c == ':')
		return usage_error(err, "option %s needs a value",
				   !strncmp(typed, "--", 2) ? typed : name);
	/* For "--name=value" on a flag, getopt sets optopt to the flag's code; for an unknown or
	 * ambiguous long option, to 0; for an unknown short one, to its letter. */
	if (strncmp(typed, "--", 2))
		return usage_error(err, "unknown option %s", name);
	if (optopt)
		return usage_error(err, "option %s takes no value", typed);
	return unknown_long(err, typed);
}

static void set_defaults(struct options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->interval_s = 1.0;
	opts->ring_bytes = TCPDROP_DEFAULT_RING_BYTES;
	opts->max_sources = TCPDROP_DEFAULT_SOURCES;
	opts->event_rate = TCPDROP_DEFAULT_EVENT_RATE;
	opts->snaplen = TCPDROP_DEFAULT_SNAPLEN;
}

/* The checks of options together that no single row can make. */
static enum cli_result check_combinations(const struct options *opts, FILE *err)
{
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
	return CLI_RUN;
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

/* Whether the option of that short name was given. */
static bool was_given(const char *const *given, char short_opt)
{
	const struct cli_option *o = option_of(short_opt);

	return o && given[o - cli_options];
}

enum cli_result cli_apply(const struct cli_option *o, const char *name, const char *value,
			  struct cli_arg *a, const char **given)
{
	size_t i = o - cli_options;
	enum cli_result r;

	if (o->once && given[i])
		return usage_error(a->err, "%s: %s, and \"%s\" was given before \"%s\"%s%s", name,
				   o->once, given[i], value, o->once_hint ? ": " : "",
				   o->once_hint ?: "");
	a->opt = o;
	a->name = name;
	a->value = value;
	r = o->parse(a);
	if (r == CLI_RUN)
		given[i] = value ?: "";
	return r;
}

void cli_free(struct options *opts)
{
	except_free(&opts->excepts);
	free(opts->config_text);
	opts->config_text = NULL;
}

enum cli_result cli_parse(int argc, char **argv, struct options *opts, FILE *out, FILE *err)
{
	const char *given[CLI_OPTIONS] = { 0 };	/* each option's last value ("" for a flag) */
	struct option longs[CLI_OPTIONS + 1];
	char shorts[2 * CLI_OPTIONS + 2], name[32];
	struct cli_arg a = { .opts = opts, .name = name, .out = out, .err = err };
	const struct cli_option *o;
	enum cli_result r;
	int c, longindex;
	size_t i;

	set_defaults(opts);
	getopt_tables(longs, shorts);
	opterr = 0;
	optind = 0;	/* 0, not 1: glibc then also forgets a half-parsed "-hV" of an earlier call */
	for (;;) {
		longindex = -1;
		c = getopt_long(argc, argv, shorts, longs, &longindex);
		if (c == -1)
			break;
		o = option_of(c);
		if (!o)
			return getopt_error(c, argv, err);
		option_name(c, longindex, name, sizeof(name));
		r = cli_apply(o, name, o->metavar ? optarg : NULL, &a, given);
		if (r != CLI_RUN)
			return r;
	}
	if (optind < argc)
		return usage_error(err, "unexpected argument \"%s\"", argv[optind]);
	r = conffile_read(&a, given);
	if (r != CLI_RUN)
		return r;
	for (i = 0; i < CLI_OPTIONS; i++) {
		struct text needed = { .len = 0 };

		o = &cli_options[i];
		if (!o->needs || !given[i] || was_given(given, o->needs))
			continue;
		usage_form(option_of(o->needs), &needed);
		return usage_error(err, "--%s: %s without %s", o->name, o->needs_why, needed.s);
	}
	r = check_combinations(opts, err);
	if (r != CLI_RUN)
		return r;
	/* -p replaces the default; its lists add up among themselves only. */
	if (!was_given(given, 'p'))
		ports_add(&opts->ports, TCPDROP_DEFAULT_PORT);
	return CLI_RUN;
}
