// SPDX-License-Identifier: GPL-2.0
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "tui/lib/format.h"
#include "tui/view/draw.h"
#include "tui/view/keys.h"
#include "tui/view/screen.h"

/* Rows that are always there: title, two counter rows, sparkline, top ports, two headings, key
 * bar. */
#define FIXED_ROWS	8
#define SPARK_TEXT_COLS	36

struct layout layout_for(int rows, int cols)
{
	struct layout l = { .rows = rows, .cols = cols };
	int spare = rows - FIXED_ROWS;

	l.too_small = rows < TUI_MIN_ROWS || cols < TUI_MIN_COLS;
	if (l.too_small)
		return l;
	/* Two fifths of the spare rows to top sources, the rest to the drop log. */
	l.sources_rows = spare * 2 / 5;
	if (l.sources_rows > DRAW_SOURCES_MAX)
		l.sources_rows = DRAW_SOURCES_MAX;
	if (l.sources_rows < 1)
		l.sources_rows = 1;
	l.sources_top = 6;
	l.log_top = l.sources_top + l.sources_rows + 1;
	l.log_rows = rows - 1 - l.log_top;
	return l;
}

/*
 * Writes text into width columns at (y, x), cut with an ellipsis or padded, in a role. Text is
 * UTF-8 on a UTF-8 terminal, ASCII otherwise; a byte the locale cannot decode, or a character
 * it cannot print, shows as one "?", and the rest of the text stays (names from outside are
 * escaped before they get here: see format_name()).
 */
static void put(int y, int x, int width, enum role role, bool right, const char *text)
{
	wchar_t wide[512];
	int cols[512], used = 0, total = 0;
	size_t n = 0, len;
	mbstate_t st = { 0 };
	const char *p = text, *end = text + strlen(text);

	if (width <= 0)
		return;
	while (p < end && n < sizeof(wide) / sizeof(wide[0]) - 1) {
		len = mbrtowc(&wide[n], p, end - p, &st);
		if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
			memset(&st, 0, sizeof(st));
			wide[n] = L'?';
			len = 1;
		}
		cols[n] = wcwidth(wide[n]);
		if (cols[n] < 0) {
			wide[n] = L'?';
			cols[n] = 1;
		}
		total += cols[n++];
		p += len;
	}
	attrset(screen_attr(role));
	mvhline(y, x, ' ', width);
	if (total > width) {
		/* As many characters as fit in width - 1 columns, then the ellipsis. */
		for (n = 0; used + cols[n] <= width - 1; n++)
			used += cols[n];
		mvaddnwstr(y, x, wide, n);
		addwstr(screen_utf8() ? L"\u2026" : L"~");
	} else {
		mvaddnwstr(y, right ? x + width - total : x, wide, n);
	}
	attrset(A_NORMAL);
}

__attribute__((format(printf, 6, 7)))
static void putf(int y, int x, int width, enum role role, bool right, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put(y, x, width, role, right, buf);
}

/* How much of text starts a line of at most width columns: whole words, or a word cut. */
static int wrap(const char *text, int width)
{
	int len = strlen(text), end = 0;

	if (len <= width || width < 1)
		return len <= width ? len : 1;
	for (int i = 0; i <= width; i++)
		if (text[i] == ' ')
			end = i;
	return end ? end : width;
}

/* An address or endpoint too long for its column loses its middle, never its end; the
 * column's last cell stays blank, to part it from the next. */
static void put_elided(int y, int x, int width, const char *text)
{
	char shown[128];

	format_elide(text, width > 1 ? width - 1 : 0, screen_utf8(), shown, sizeof(shown));
	put(y, x, width, ROLE_NORMAL, false, shown);
}

static void fill_row(int y, int cols, enum role role)
{
	attrset(screen_attr(role));
	mvhline(y, 0, ' ', cols);
	attrset(A_NORMAL);
}

static void draw_title(const struct frame *f, int cols)
{
	const struct watch *w = f->watch;
	uint64_t up = (f->picture->taken_ns - f->start_ns) / 1000000000ULL;
	char title[512], excepts[192] = "", excepted[FORMAT_NUM_LEN], notice[32];
	char ifname[FORMAT_NAME_LEN], ports[64];
	int notice_len;

	/* A dry run stays a dry run while paused: both say so. */
	notice_len = snprintf(notice, sizeof(notice), "%s%s", w->dry_run ? " DRY RUN " : "",
			      f->paused ? " PAUSED " : "");
	if (w->excepts[0]) {	/* the trusted sources, and how many packets they sent through */
		format_count(f->picture->stats.total.v[TCPDROP_EXCEPTED], excepted);
		snprintf(excepts, sizeof(excepts), "  except %s (%s passed)", w->excepts, excepted);
	}
	format_name(w->ifname, screen_utf8(), ifname, sizeof(ifname));
	/* A long set is cut short here ("..."), so that the uptime and the rest still show. */
	ports_format(&w->port_set, ports, sizeof(ports));
	snprintf(title, sizeof(title), " tcpdrop-top  %s (%s XDP)  port%s %s%s  up %llu:%02llu:%02llu"
		 "  every %gs%s", ifname, w->native ? "native" : "generic",
		 strpbrk(ports, ",-") ? "s" : "", ports, excepts,
		 (unsigned long long)up / 3600, (unsigned long long)up / 60 % 60,
		 (unsigned long long)up % 60, f->interval_s, f->status);
	fill_row(0, cols, ROLE_TITLE);
	put(0, 0, cols - notice_len, ROLE_TITLE, false, title);
	if (notice_len)
		put(0, cols - notice_len, notice_len, ROLE_NOTICE, false, notice);
}

/* One half-width cell: "label   value   rate/s". */
static void draw_counter(int y, int x, int width, const char *label, uint64_t total, double rate,
			 enum role value_role)
{
	char value[FORMAT_NUM_LEN], per_s[FORMAT_NUM_LEN];

	format_count(total, value);
	if ((int)strlen(value) > width - 12 - 10)
		format_si(total, value);	/* 1,234,567,890 does not fit at 60 columns */
	format_si(rate, per_s);
	putf(y, x, 12, ROLE_LABEL, false, " %s", label);
	put(y, x + 12, width - 12 - 10, value_role, true, value);
	putf(y, x + width - 10, 10, ROLE_NORMAL, true, "%s/s ", per_s);
}

static void draw_counters(const struct frame *f, int cols)
{
	const struct tcpdrop_counter_name *name = tcpdrop_counter_names;
	const struct stats *s = &f->picture->stats;
	uint64_t lost = s->total.v[TCPDROP_EVENTS_LOST];
	int half = cols / 2;
	char value[FORMAT_NUM_LEN];

	draw_counter(1, 0, half, name[TCPDROP_PASSED].label, s->total.v[TCPDROP_PASSED],
		     s->rate[TCPDROP_PASSED], ROLE_PASS);
	draw_counter(1, half, cols - half, f->watch->dry_run ?
		     name[TCPDROP_DROPPED].dry_run_label : name[TCPDROP_DROPPED].label,
		     s->total.v[TCPDROP_DROPPED], s->rate[TCPDROP_DROPPED], ROLE_DROP);
	draw_counter(2, 0, half, name[TCPDROP_MALFORMED].label, s->total.v[TCPDROP_MALFORMED],
		     s->rate[TCPDROP_MALFORMED], ROLE_VALUE);
	if (lost) {
		/* Lost events mean the drop log misses some drops: the counters above stay exact. */
		format_count(lost, value);
		putf(2, half, cols - half, ROLE_WARN, false,
		     " EVENTS LOST %s: log incomplete, counts exact", value);
	} else if (s->total.v[TCPDROP_EVENTS_THROTTLED]) {
		/* Nothing is lost: --event-rate chose to log a sample, and says how much is not. */
		draw_counter(2, half, cols - half, name[TCPDROP_EVENTS_THROTTLED].label,
			     s->total.v[TCPDROP_EVENTS_THROTTLED],
			     s->rate[TCPDROP_EVENTS_THROTTLED], ROLE_NOTICE);
	} else {
		draw_counter(2, half, cols - half, name[TCPDROP_EVENTS_LOST].label, 0, 0,
			     ROLE_VALUE);
	}
}

static const char *const spark_utf8[] = { " ", "\u2581", "\u2582", "\u2583", "\u2584",
					   "\u2585", "\u2586", "\u2587", "\u2588" };
static const char *const spark_ascii[] = { " ", "_", ".", "-", "-", "=", "=", "#", "#" };

static void draw_sparkline(const struct frame *f, int cols)
{
	const struct history *h = &f->picture->history;
	const char *const *glyphs = screen_utf8() ? spark_utf8 : spark_ascii;
	const struct stats *s = &f->picture->stats;
	double seen = s->rate[TCPDROP_PASSED] + s->rate[TCPDROP_DROPPED];
	char peak_text[FORMAT_NUM_LEN], right[96];
	int n;
	uint64_t peak;

	/* One column a second, newest on the right: as many seconds as fit, at most two minutes.
	 * The text on the right needs at most SPARK_TEXT_COLS. */
	n = cols - 9 - SPARK_TEXT_COLS;
	if (n > HISTORY_SECONDS)
		n = HISTORY_SECONDS;
	peak = history_peak(h, n);
	format_si(peak, peak_text);
	snprintf(right, sizeof(right), " %ds, peak %s/s, %.1f%% dropped ", n, peak_text,
		 seen > 0 ? 100.0 * s->rate[TCPDROP_DROPPED] / seen : 0.0);

	put(3, 0, 9, ROLE_LABEL, false, " drops/s");
	attrset(screen_attr(ROLE_DROP));
	move(3, 9);
	for (int i = n - 1; i >= 0; i--) {
		uint64_t v = history_get(h, i);
		int level = v == 0 || peak == 0 ? 0 : 1 + (int)(v * 7 / peak);	/* 1..8 */

		addstr(glyphs[level]);
	}
	attrset(A_NORMAL);
	put(3, 9 + n, cols - 9 - n, ROLE_LABEL, true, right);
}

/* One row: the ports that dropped most, each with its drops and share, as many as fit. */
static void draw_ports(const struct frame *f, int cols)
{
	const struct picture *v = f->picture;
	uint64_t all = v->stats.total.v[TCPDROP_DROPPED];
	char line[512], drops[FORMAT_NUM_LEN];
	int used = 0, x = 11;

	put(4, 0, x, ROLE_LABEL, false, " TOP PORTS");
	if (!v->nports) {
		put(4, x, cols - x, ROLE_LABEL, false, " no drops yet");
		return;
	}
	line[0] = '\0';
	for (size_t i = 0; i < v->nports; i++) {
		char item[64];
		int n;

		format_count(v->ports[i].drops, drops);
		n = snprintf(item, sizeof(item), " %u %s %.1f%% ", (unsigned int)v->ports[i].port,
			     drops, all ? 100.0 * v->ports[i].drops / all : 0.0);
		if (used + n > cols - x || used + n >= (int)sizeof(line))
			break;
		memcpy(line + used, item, n + 1);
		used += n;
	}
	put(4, x, cols - x, ROLE_NORMAL, false, line);
}

/* The column a sort key lives in gets a marker. */
static const char *sort_mark(const struct frame *f, enum source_sort key)
{
	return f->sort == key ? (screen_utf8() ? "\u25bc" : "v") : " ";
}

/* The sources' columns after the label, left to right; which show depends on the width. */
enum source_col { COL_DROPS, COL_BYTES, COL_SHARE, COL_RATE, COL_AVG10, COL_AVG40, COL_ADDRS,
		  COL_LAST_SEEN, COL_OWNER, COL_NR };

struct source_cols {
	int label_w;
	int x[COL_NR];		/* where each starts; 0: not shown */
};

static const int col_width[COL_NR] = { 11, 11, 8, 10, 10, 10, 8, 11, 30 };

/*
 * Drops, bytes, share and last seen always, as at 60 columns; the rate from 76 columns, a
 * network's addresses from 68, an address's owner (with a location database) from 122, the 10 s
 * and 40 s averages after them: each only while the label keeps room for what it shows.
 */
static struct source_cols source_cols(int cols, bool grouped, bool owners)
{
	/* The averages only where the label still holds a whole IPv6 address (39 columns). */
	static const int min_label[COL_NR] = {
		[COL_RATE] = 24, [COL_AVG10] = 40, [COL_AVG40] = 40, [COL_ADDRS] = 18,
		[COL_OWNER] = 40,
	};
	bool on[COL_NR] = { [COL_DROPS] = true, [COL_BYTES] = true, [COL_SHARE] = true,
			    [COL_LAST_SEEN] = true };
	static const enum source_col optional[] = { COL_RATE, COL_ADDRS, COL_OWNER, COL_AVG10,
						     COL_AVG40 };
	struct source_cols c = { 0 };
	int used = 1 + 11 + 11 + 8 + 11, x;

	for (size_t i = 0; i < sizeof(optional) / sizeof(optional[0]); i++) {
		enum source_col k = optional[i];

		if ((k == COL_ADDRS && !grouped) || (k == COL_OWNER && !owners))
			continue;
		if (k == COL_AVG40 && !on[COL_AVG10])
			continue;
		if (cols - used - col_width[k] - (k == COL_AVG10 ? col_width[COL_AVG40] : 0) >=
		    min_label[k]) {
			on[k] = true;
			used += col_width[k];
		}
	}
	c.label_w = cols - used;
	x = 1 + c.label_w;
	for (int k = 0; k < COL_NR; k++)
		if (on[k]) {
			c.x[k] = x;
			x += col_width[k];
		}
	return c;
}

static void put_rate(int y, int x, int width, double rate)
{
	char v[FORMAT_NUM_LEN];

	if (rate < 0) {
		put(y, x, width, ROLE_NORMAL, true, "-");
		return;
	}
	format_si(rate, v);
	put(y, x, width, ROLE_NORMAL, true, v);
}

static void draw_sources(const struct frame *f, const struct layout *l)
{
	const struct picture *v = f->picture;
	bool grouped = v->by != GROUP_ADDRESS;
	bool by_owner = v->by == GROUP_ASN || v->by == GROUP_COUNTRY;
	struct source_cols c = source_cols(l->cols, grouped, v->owners && !by_owner);
	char drops[FORMAT_NUM_LEN], bytes[FORMAT_NUM_LEN], age[FORMAT_NUM_LEN];
	char count[FORMAT_NUM_LEN], label[512];	/* a name, escaped, or a row's label */
	int cols = l->cols, y = l->sources_top - 1, shown = (int)v->ntop < l->sources_rows ?
							    (int)v->ntop : l->sources_rows;
	/* Shares are of every drop since the clear, the exact counter, so drops in no source's
	 * row (sources seen once, or evicted from the table) count too, in a row of their own. */
	uint64_t all = v->stats.total.v[TCPDROP_DROPPED];

	if (v->untracked_drops && shown == l->sources_rows)
		shown--;
	fill_row(y, cols, ROLE_HEADING);
	/* Sorted by rate where the rate has no column: the heading says so. */
	putf(y, 0, 1 + c.label_w, ROLE_HEADING, false, " TOP %s%s%s%s", group_heading(v->by),
	     f->sort == SORT_RATE && !c.x[COL_RATE] ? " by rate" : "",
	     f->show_names ? ", names" : "", f->show_names && f->names_why ? ": none" : "");
	putf(y, c.x[COL_DROPS], 11, ROLE_HEADING, true, "DROPS%s", sort_mark(f, SORT_DROPS));
	putf(y, c.x[COL_BYTES], 11, ROLE_HEADING, true, "BYTES%s", sort_mark(f, SORT_BYTES));
	put(y, c.x[COL_SHARE], 8, ROLE_HEADING, true, "SHARE ");
	if (c.x[COL_RATE])
		putf(y, c.x[COL_RATE], 10, ROLE_HEADING, true, "RATE/s%s", sort_mark(f, SORT_RATE));
	if (c.x[COL_AVG10]) {
		put(y, c.x[COL_AVG10], 10, ROLE_HEADING, true, "10s ");
		put(y, c.x[COL_AVG40], 10, ROLE_HEADING, true, "40s ");
	}
	if (c.x[COL_ADDRS])
		put(y, c.x[COL_ADDRS], 8, ROLE_HEADING, true, "ADDRS ");
	putf(y, c.x[COL_LAST_SEEN], 11, ROLE_HEADING, true, "LAST SEEN%s",
	     sort_mark(f, SORT_LAST_SEEN));
	if (c.x[COL_OWNER])
		put(y, c.x[COL_OWNER] + 1, col_width[COL_OWNER] - 1, ROLE_HEADING, false, "OWNER");

	for (int i = 0; i < l->sources_rows; i++) {
		const struct source_row *r = i < shown ? &v->top[i] : NULL;

		y = l->sources_top + i;
		move(y, 0);
		clrtoeol();
		if (!r && i == shown && v->untracked_drops) {
			format_count(v->untracked_drops, drops);
			put(y, 1, c.label_w, ROLE_LABEL, false, "sources not tracked");
			put(y, c.x[COL_DROPS], 10, ROLE_DROP, true, drops);
			putf(y, c.x[COL_SHARE], 7, ROLE_NORMAL, true, "%.1f%%",
			     all ? 100.0 * v->untracked_drops / all : 0.0);
			continue;
		}
		if (!r) {
			if (i == 0)
				put(y, 1, cols - 1, ROLE_LABEL, false, "no drops yet");
			continue;
		}
		if (f->names[i] && *f->names[i])
			format_name(f->names[i], screen_utf8(), label, sizeof(label));
		else
			sources_label(r, label);
		format_count(r->drops, drops);
		format_bytes(r->bytes, bytes);
		format_age(v->taken_ns > r->last_seen_ns ? v->taken_ns - r->last_seen_ns : 0, age);
		put_elided(y, 1, c.label_w, label);
		put(y, c.x[COL_DROPS], 10, ROLE_DROP, true, drops);
		put(y, c.x[COL_BYTES], 10, ROLE_NORMAL, true, bytes);
		putf(y, c.x[COL_SHARE], 7, ROLE_NORMAL, true, "%.1f%%",
		     all ? 100.0 * r->drops / all : 0.0);
		for (int k = COL_RATE; k <= COL_AVG40; k++)
			if (c.x[k])
				put_rate(y, c.x[k], 9, r->rate[k - COL_RATE]);
		if (c.x[COL_ADDRS]) {
			format_count(r->addresses, count);
			put(y, c.x[COL_ADDRS], 7, ROLE_NORMAL, true, count);
		}
		put(y, c.x[COL_LAST_SEEN], 10, ROLE_NORMAL, true, age);
		if (c.x[COL_OWNER] && (r->asn || r->cc[0])) {
			char owner[96];

			snprintf(owner, sizeof(owner), "%-2s AS%u %s", r->cc, r->asn,
				 r->as_name ? r->as_name : "");
			put(y, c.x[COL_OWNER] + 1, col_width[COL_OWNER] - 1, ROLE_NORMAL, false,
			    owner);
		}
	}
}

static void endpoint(uint8_t family, const uint8_t addr[16], unsigned int port, char *buf,
		     size_t len)
{
	char a[FORMAT_ADDR_LEN];

	format_addr(family, addr, a);
	snprintf(buf, len, family == 6 ? "[%s]:%u" : "%s:%u", a, port);
}

static void draw_log_row(const struct frame *f, int y, int cols, const struct tcpdrop_event *e,
			 bool wide)
{
	uint64_t wall = e->timestamp_ns + f->realtime_offset_ns;
	time_t secs = wall / 1000000000ULL;
	char when[32], src[64], dst[64], flags[FORMAT_FLAGS_LEN];
	struct tm tm;
	int ep_w;

	localtime_r(&secs, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	endpoint(e->family, e->saddr, e->sport, src, sizeof(src));
	format_tcp_flags(e->tcp_flags, flags);
	move(y, 0);
	clrtoeol();
	if (wide) {
		/* time 13, two endpoints, flags 7, len 7, vlan 6 */
		ep_w = (cols - 1 - 13 - 7 - 7 - 6) / 2;
		endpoint(e->family, e->daddr, e->dport, dst, sizeof(dst));
		putf(y, 1, 13, ROLE_LABEL, false, "%s.%03llu", when,
		     (unsigned long long)(wall / 1000000ULL % 1000));
		put_elided(y, 14, ep_w, src);
		put_elided(y, 14 + ep_w, ep_w, dst);
		put(y, 14 + 2 * ep_w, 7, ROLE_DROP, false, flags);
		putf(y, 21 + 2 * ep_w, 6, ROLE_NORMAL, true, "%u", e->len);
		if (e->vlan)
			putf(y, 27 + 2 * ep_w, 6, ROLE_NORMAL, true, "%u", e->vlan);
		else
			put(y, 27 + 2 * ep_w, 6, ROLE_LABEL, true, "-");
		return;
	}
	/* Narrow: the destination address is nearly always this host; keep its port. */
	ep_w = cols - 1 - 9 - 7 - 7 - 6;
	put(y, 1, 9, ROLE_LABEL, false, when);
	put_elided(y, 10, ep_w, src);
	putf(y, 10 + ep_w, 7, ROLE_NORMAL, true, "%u ", e->dport);
	put(y, 17 + ep_w, 7, ROLE_DROP, false, flags);
	putf(y, 24 + ep_w, 6, ROLE_NORMAL, true, "%u", e->len);
}

static void draw_log(const struct frame *f, const struct layout *l)
{
	size_t count = droplog_count(f->log);
	bool wide = l->cols >= 90;
	int y = l->log_top - 1, cols = l->cols, ep_w;
	char kept[FORMAT_NUM_LEN], note[96];
	/* While --event-rate holds events back, the log is a sample of the drops: it says so. */
	const char *sample = f->picture->stats.rate[TCPDROP_EVENTS_THROTTLED] > 0 ? "a sample, " : "";

	format_count(count, kept);
	if (f->scroll)
		snprintf(note, sizeof(note), "(%s%zu-%zu of %s) ", sample, f->scroll + 1,
			 f->scroll + l->log_rows < count ? f->scroll + l->log_rows : count, kept);
	else
		snprintf(note, sizeof(note), "(%snewest first, %s kept) ", sample, kept);
	fill_row(y, cols, ROLE_HEADING);
	if (wide) {
		ep_w = (cols - 1 - 13 - 7 - 7 - 6) / 2;
		put(y, 0, 14, ROLE_HEADING, false, " LIVE DROPS");
		put(y, 14, ep_w, ROLE_HEADING, false, "SOURCE");
		put(y, 14 + ep_w, ep_w, ROLE_HEADING, false, "DESTINATION");
		put(y, 14 + 2 * ep_w, 7, ROLE_HEADING, false, "FLAGS");
		put(y, 21 + 2 * ep_w, 6, ROLE_HEADING, true, "LEN");
		put(y, 27 + 2 * ep_w, 6, ROLE_HEADING, true, "VLAN");
	} else {
		ep_w = cols - 1 - 9 - 7 - 7 - 6;
		put(y, 0, 10, ROLE_HEADING, false, " DROPS");
		put(y, 10, ep_w, ROLE_HEADING, false, "SOURCE");
		put(y, 10 + ep_w, 7, ROLE_HEADING, true, "DPORT ");
		put(y, 17 + ep_w, 7, ROLE_HEADING, false, "FLAGS");
		put(y, 24 + ep_w, 6, ROLE_HEADING, true, "LEN");
	}
	/* The note sits at the right of the SOURCE heading, where addresses leave room; when
	 * there is none, the count alone, or nothing. */
	if ((int)strlen("SOURCE ") + (int)strlen(note) > ep_w)
		snprintf(note, sizeof(note), "(%s%s) ", *sample ? "sample, " : "", kept);
	if ((int)strlen("SOURCE ") + (int)strlen(note) <= ep_w)
		put(y, (wide ? 14 : 10) + ep_w - (int)strlen(note), strlen(note), ROLE_HEADING,
		    true, note);

	for (int i = 0; i < l->log_rows; i++) {
		const struct tcpdrop_event *e = droplog_get(f->log, f->scroll + i);

		if (!e) {
			move(l->log_top + i, 0);
			clrtoeol();
			continue;
		}
		draw_log_row(f, l->log_top + i, cols, e, wide);
	}
}

/*
 * The w prompt takes the key bar's row: what is typed, then why it was refused, if it was, or
 * how to go on. A list wider than the row shows its end, where the cursor is, after an
 * ellipsis; a refusal takes up to two thirds of the row from it, to be read.
 */
static void draw_prompt(const struct frame *f, int y, int cols)
{
	static const char label[] = " ports: ", hint[] = "Enter applies, Esc cancels, ^U clears";
	const int label_w = sizeof(label) - 1;
	const char *note = f->prompt_error[0] ? f->prompt_error : hint;
	const char *more = screen_utf8() ? "\u2026" : "~";
	int room = cols - label_w - 1, text_w, shown_w, note_w = strlen(note) + 2;
	char shown[512];

	/* put() takes at most 511 characters a row. */
	if (room > (int)sizeof(shown) - 8)
		room = sizeof(shown) - 8;
	text_w = room - (f->prompt_error[0] ? (note_w < room * 2 / 3 ? note_w : room * 2 / 3) : 0);
	if ((int)f->prompt_len <= text_w) {
		snprintf(shown, sizeof(shown), "%s", f->prompt);
		shown_w = f->prompt_len;
	} else {
		shown_w = text_w > 1 ? text_w : 1;
		snprintf(shown, sizeof(shown), "%s%s", more,
			 f->prompt + f->prompt_len - (shown_w - 1));
	}
	fill_row(y, cols, ROLE_STATUS);
	put(y, 0, label_w, ROLE_STATUS, false, label);
	put(y, label_w, shown_w, ROLE_STATUS, false, shown);
	if (label_w + shown_w + 1 <= cols) {
		attrset(screen_attr(ROLE_NOTICE));
		mvaddch(y, label_w + shown_w, ' ');	/* the cursor */
		attrset(A_NORMAL);
	}
	if (label_w + shown_w + 3 < cols)
		put(y, label_w + shown_w + 2, cols - label_w - shown_w - 2,
		    f->prompt_error[0] ? ROLE_WARN : ROLE_STATUS, false, note);
}

static void draw_status(const struct frame *f, int rows, int cols)
{
	char pending[FORMAT_NUM_LEN], note[200] = "", bar[256] = "";
	enum role role = ROLE_NOTICE;
	size_t used = 0;
	int note_len;

	if (f->paused) {
		format_count(f->pending, pending);
		snprintf(note, sizeof(note), " PAUSED, %s new ", pending);
	} else if (f->reload_note && f->reload_note[0]) {
		snprintf(note, sizeof(note), " %.*s ", cols > 24 ? cols * 2 / 3 : 16, f->reload_note);
		role = f->reload_warn ? ROLE_WARN : ROLE_NOTICE;
	}
	if (f->prompting) {
		draw_prompt(f, rows - 1, cols);
		return;
	}
	for (size_t i = 0; i < key_bindings_count && used < sizeof(bar); i++) {
		const struct key_binding *k = &key_bindings[i];
		const char *item = !screen_utf8() && k->bar_ascii ? k->bar_ascii : k->bar;

		if (item)
			used += snprintf(bar + used, sizeof(bar) - used, " %s", item);
	}
	note_len = strlen(note);
	fill_row(rows - 1, cols, ROLE_STATUS);
	put(rows - 1, 0, cols - note_len, ROLE_STATUS, false, bar);
	if (note_len)
		put(rows - 1, cols - note_len, note_len, role, false, note);
}

static void draw_help(const struct layout *l)
{
	static const char *const notes[] = {
		"Counts come from the kernel and are exact; the log",
		"keeps the newest 10,000 drops. Any key closes help.",
	};
	/* Wide enough for the longest key's help where the screen allows, 60 columns else. */
	const int nnotes = sizeof(notes) / sizeof(notes[0]), w = l->cols >= 76 ? 72 : 58;
	const int keys_w = 15;
	const int n = (int)key_bindings_count + 1 + nnotes;
	int top = (l->rows - n - 2) / 2, left = (l->cols - w) / 2, y;

	if (top < 0)
		top = 0;
	put(top, left, w, ROLE_TITLE, false, "  tcpdrop-top keys");
	for (y = top + 1; y <= top + n; y++)
		put(y, left, w, ROLE_TITLE, false, "");
	for (size_t i = 0; i < key_bindings_count; i++) {
		const struct key_binding *k = &key_bindings[i];

		y = top + 1 + (int)i;
		put(y, left + 2, keys_w, ROLE_TITLE, false,
		    !screen_utf8() && k->keys_ascii ? k->keys_ascii : k->keys);
		put(y, left + 2 + keys_w, w - 4 - keys_w, ROLE_TITLE, false, k->help);
	}
	for (int i = 0; i < nnotes; i++)
		put(top + 2 + (int)key_bindings_count + i, left + 2, w - 4, ROLE_TITLE, false,
		    notes[i]);
	put(top + 1 + n, left, w, ROLE_TITLE, false, "");
}

/* The size needed comes first; the words wrap onto as many rows as the terminal has. */
static void draw_too_small(int rows, int cols)
{
	char msg[80], line[80];
	const char *p;
	int y, len, lines = 0;

	snprintf(msg, sizeof(msg), "needs %dx%d, terminal is %dx%d", TUI_MIN_COLS, TUI_MIN_ROWS,
		 cols, rows);
	for (p = msg; *p; lines++)
		p += wrap(p, cols) + strspn(p + wrap(p, cols), " ");
	y = rows > lines ? (rows - lines) / 2 : 0;
	for (p = msg; *p && y < rows; y++) {
		len = wrap(p, cols);
		snprintf(line, sizeof(line), "%.*s", len, p);
		put(y, (cols - len) / 2, len, ROLE_WARN, false, line);
		p += len + strspn(p + len, " ");
	}
}

void draw(const struct frame *f)
{
	const struct layout *l = &f->layout;

	erase();
	if (l->too_small) {
		draw_too_small(l->rows, l->cols);
		refresh();
		return;
	}
	draw_title(f, l->cols);
	draw_counters(f, l->cols);
	draw_sparkline(f, l->cols);
	draw_ports(f, l->cols);
	draw_sources(f, l);
	draw_log(f, l);
	draw_status(f, l->rows, l->cols);
	if (f->help)
		draw_help(l);
	refresh();
}
