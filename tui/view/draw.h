/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rendering the live view: one frame, as the view (tui.c) gathers it, drawn on the screen. It
 * knows nothing of the view or the run, only what a frame holds. Its cost depends on the
 * screen's size, never on the event rate.
 */
#ifndef TCPDROP_DRAW_H
#define TCPDROP_DRAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/model/droplog.h"
#include "tui/model/history.h"
#include "tui/model/portdrops.h"
#include "tui/model/sources.h"
#include "tui/model/stats.h"
#include "tui/run.h"

#define TUI_MIN_COLS	60
#define TUI_MIN_ROWS	15
#define PICTURE_TOP_MAX	256	/* top-source rows a frozen picture keeps, to re-sort them */
#define DRAW_SOURCES_MAX	10	/* source rows on the screen, at most */

/* What the screen shows: taken from the model every period, frozen while paused. */
struct picture {
	struct stats stats;
	struct history history;
	enum group_by by;	/* what its rows are: addresses, networks or owners */
	bool owners;		/* a location database names the owners of addresses */
	struct source_row top[PICTURE_TOP_MAX];
	size_t ntop;
	uint64_t untracked_drops;	/* drops in no source's row: sources_untracked_drops() */
	struct port_row ports[PORT_DROPS_TOP];	/* the ports that dropped most since the clear */
	size_t nports;
	uint64_t taken_ns;	/* CLOCK_MONOTONIC, for "last seen" ages */
};

struct layout {
	int rows, cols;
	bool too_small;
	int sources_top, sources_rows;	/* first data row and how many */
	int log_top, log_rows;
};

/* One frame: everything draw() shows. */
struct frame {
	struct layout layout;
	const struct picture *picture;
	const struct watch *watch;
	const struct droplog *log;	/* live, or frozen while paused */
	uint64_t pending;		/* drops that came in since the pause */
	uint64_t start_ns;		/* when the run began, for the uptime */
	uint64_t realtime_offset_ns;	/* turns event stamps into wall-clock time */
	double interval_s;
	const char *status;		/* the outputs' words for the title: run_status() */
	enum source_sort sort;
	size_t scroll;			/* drop-log rows scrolled back from the newest */
	bool paused;
	bool help;
	/* The w prompt: what is typed, and why the last set was refused ("" if it was not). */
	bool prompting;
	const char *prompt;
	size_t prompt_len;
	const char *prompt_error;
	/* What the last reload (SIGHUP) did, for a few seconds; warn: it was refused. */
	const char *reload_note;
	bool reload_warn;
	/* n: each source row's name (NULL: its address), and why there are none, if so. */
	const char *names[DRAW_SOURCES_MAX];
	const char *names_why;
	bool show_names;
};

struct layout layout_for(int rows, int cols);
void draw(const struct frame *f);

#endif /* TCPDROP_DRAW_H */
