/* SPDX-License-Identifier: GPL-2.0 */
/* The interactive front end: the live ncurses view and its state. */
#ifndef TCPDROP_TUI_H
#define TCPDROP_TUI_H

#include <signal.h>
#include <stdbool.h>

#include "cli.h"
#include "droplog.h"
#include "history.h"
#include "loader.h"
#include "sources.h"
#include "stats.h"

#define TUI_MIN_COLS	60
#define TUI_MIN_ROWS	15
#define VIEW_TOP_MAX	256	/* top-source rows a frozen picture keeps */

/* What the screen shows: refreshed from the model every period, frozen while paused. */
struct view {
	struct stats stats;
	struct history history;
	struct source_row top[VIEW_TOP_MAX];
	size_t ntop;
	uint64_t top_total_drops;
	uint64_t taken_ns;	/* CLOCK_MONOTONIC, for "last seen" ages */
};

struct tui {
	const struct options *opts;
	struct loader *loader;
	/* The model: always live, paused or not. */
	struct stats stats;
	struct history history;
	struct sources sources;
	struct droplog log;
	/* The picture. */
	struct view view;
	bool paused;
	bool help;
	bool quit;
	enum source_sort sort;
	size_t scroll;		/* drop-log rows scrolled back from the newest */
	uint64_t log_seen;	/* log entries pushed at the last draw, to keep a scrolled view put */
	double interval_s;
	uint64_t next_refresh;	/* CLOCK_MONOTONIC */
	char ports_text[64];	/* the watched ports, formatted once */
	uint64_t start_ns;
	uint64_t realtime_offset_ns;
};

/* The event callback to hand to loader_start(); ctx is a struct tui. */
int tui_on_event(void *ctx, void *data, size_t size);
int tui_init(struct tui *t, const struct options *opts, struct loader *loader);
void tui_free(struct tui *t);
/* Runs until q, *stop or --duration. Returns the exit status. */
int tui_run(struct tui *t, volatile sig_atomic_t *stop);

#endif /* TCPDROP_TUI_H */
