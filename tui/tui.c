// SPDX-License-Identifier: GPL-2.0
#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "draw.h"
#include "keys.h"
#include "screen.h"
#include "tui.h"

int tui_on_event(void *ctx, void *data, size_t size)
{
	struct tui *t = ctx;

	if (size >= sizeof(struct tcpdrop_event))	/* never shorter; never trusted to be */
		droplog_push(&t->log, data);
	return 0;
}

int tui_init(struct tui *t, const struct options *opts, struct loader *loader)
{
	memset(t, 0, sizeof(*t));
	t->opts = opts;
	t->loader = loader;
	t->interval_s = opts->interval_s;
	ports_format(&opts->ports, t->ports_text, sizeof(t->ports_text));
	return droplog_init(&t->log);
}

void tui_free(struct tui *t)
{
	droplog_free(&t->log);
	sources_free(&t->sources);
}

/* Reads the kernel's counters and source table into the model. */
static int model_sample(struct tui *t, uint64_t now)
{
	struct counter_values raw;
	struct source_row *table;
	int n;

	if (loader_read_counters(t->loader, &raw))
		return -errno;
	stats_sample(&t->stats, &raw, now);
	history_update(&t->history, now, t->stats.total.v[TCPDROP_DROPPED]);
	n = loader_read_sources(t->loader, &table);
	if (n < 0)
		return n;
	return sources_update(&t->sources, table, n) ? -ENOMEM : 0;
}

/* Counting starts again from the kernel's values as they are now. */
static int model_clear(struct tui *t, uint64_t now)
{
	struct counter_values raw;
	struct source_row *table;
	int n;

	if (loader_read_counters(t->loader, &raw))
		return -errno;
	stats_reset(&t->stats, &raw, now);
	history_reset(&t->history, now, 0);
	droplog_clear(&t->log);
	n = loader_read_sources(t->loader, &table);
	if (n < 0)
		return n;
	return sources_clear(&t->sources, table, n) ? -ENOMEM : 0;
}

static void view_update(struct tui *t, uint64_t now)
{
	struct view *v = &t->view;

	v->stats = t->stats;
	v->history = t->history;
	v->ntop = t->sources.nrows < VIEW_TOP_MAX ? t->sources.nrows : VIEW_TOP_MAX;
	if (v->ntop)	/* rows is NULL before the first read: memcpy wants a real pointer */
		memcpy(v->top, t->sources.rows, v->ntop * sizeof(v->top[0]));
	v->top_total_drops = t->sources.total_drops;
	v->taken_ns = now;
}

static size_t max_scroll(const struct tui *t)
{
	size_t count = droplog_count(&t->log);

	return count ? count - 1 : 0;
}

static void scroll_by(struct tui *t, long delta)
{
	long target = (long)t->scroll + delta;

	if (target < 0)
		target = 0;
	t->scroll = (size_t)target > max_scroll(t) ? max_scroll(t) : (size_t)target;
}

static int page_rows(void)
{
	struct layout l = layout_for(LINES, COLS);

	return l.log_rows > 1 ? l.log_rows - 1 : 1;
}

/* Applies a key. Returns a negative errno when the model could not be read. */
static int apply(struct tui *t, enum action a, uint64_t now)
{
	if (t->help && a != ACTION_QUIT && a != ACTION_RESIZE) {
		t->help = false;	/* any key closes help, and does nothing else */
		return 0;
	}
	switch (a) {
	case ACTION_QUIT:
		t->quit = true;
		break;
	case ACTION_CLOSE:
		t->quit = true;
		break;
	case ACTION_HELP:
		t->help = true;
		break;
	case ACTION_PAUSE:
		t->paused = !t->paused;
		if (t->paused) {
			droplog_pause(&t->log);
		} else {
			droplog_resume(&t->log);
			view_update(t, now);	/* catch up at once */
		}
		break;
	case ACTION_CLEAR: {
		int err = model_clear(t, now);

		if (err)
			return err;
		t->scroll = 0;
		view_update(t, now);
		break;
	}
	case ACTION_SORT:
		t->sort = (t->sort + 1) % SORT_NR;
		sources_set_sort(&t->sources, t->sort);
		/* A live picture takes the new top rows from the whole table; a frozen one can
		 * only re-sort the rows it holds. */
		if (t->paused)
			sources_sort(t->view.top, t->view.ntop, t->sort);
		else
			view_update(t, now);
		break;
	case ACTION_SLOWER:
	case ACTION_FASTER:
		t->interval_s = keys_next_interval(t->interval_s, a == ACTION_SLOWER ? +1 : -1);
		t->next_refresh = now + t->interval_s * 1e9;	/* not after the old, longer wait */
		break;
	case ACTION_OLDER:
		scroll_by(t, 1);
		break;
	case ACTION_NEWER:
		scroll_by(t, -1);
		break;
	case ACTION_PAGE_OLDER:
		scroll_by(t, page_rows());
		break;
	case ACTION_PAGE_NEWER:
		scroll_by(t, -page_rows());
		break;
	case ACTION_NEWEST:
		t->scroll = 0;
		break;
	case ACTION_OLDEST:
		t->scroll = max_scroll(t);
		break;
	case ACTION_RESIZE:
	case ACTION_NONE:
		break;
	}
	return 0;
}

/* A reader scrolled back keeps looking at the same drops while new ones arrive on top. */
static void keep_scrolled_view(struct tui *t)
{
	uint64_t pushed = t->log.log.pushed;

	if (t->scroll && pushed > t->log_seen)
		scroll_by(t, pushed - t->log_seen);
	t->log_seen = pushed;
}

int tui_run(struct tui *t, volatile sig_atomic_t *stop)
{
	uint64_t now = monotonic_ns(), end = now + t->opts->duration_s * 1e9;
	bool redraw = true, watching_failed = false;
	char why[128];
	int err = 0, key;

	t->start_ns = now;
	t->realtime_offset_ns = realtime_offset_ns();
	err = model_clear(t, now);
	if (err) {
		fprintf(stderr, "tcpdrop-top: cannot read the BPF maps: %s\n", strerror(-err));
		return 1;
	}
	view_update(t, now);
	if (screen_open())
		return 1;
	t->next_refresh = now + t->interval_s * 1e9;
	/* getch() waits at most one drain interval, so keys stay responsive between refreshes. */
	timeout(TCPDROP_DRAIN_INTERVAL_MS);

	while (!*stop && !t->quit) {
		if (redraw) {
			keep_scrolled_view(t);
			draw(t);
			redraw = false;
		}
		key = getch();
		now = monotonic_ns();
		err = loader_tick(t->loader, now);
		if (err) {
			watching_failed = true;
			break;
		}
		if (key != ERR) {
			err = apply(t, keys_action(key), now);
			if (err)
				break;
			redraw = true;
		}
		if (now >= t->next_refresh) {
			t->realtime_offset_ns = realtime_offset_ns();
			err = model_sample(t, now);
			if (err)
				break;
			if (!t->paused)
				view_update(t, now);
			t->next_refresh = now + t->interval_s * 1e9;
			redraw = true;
		}
		if (t->opts->duration_s > 0 && now >= end)
			break;
	}
	screen_close();
	if (watching_failed) {
		loader_explain(t->loader, err, why, sizeof(why));
		fprintf(stderr, "tcpdrop-top: %s\n", why);
		return 1;
	}
	if (err) {
		fprintf(stderr, "tcpdrop-top: reading the BPF maps failed: %s\n", strerror(-err));
		return 1;
	}
	return 0;
}
