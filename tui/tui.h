/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live view: the TUI as a view of the run loop. It owns the UI state (pause, sort, scroll,
 * help) and the picture the screen shows; the facts live in the model.
 */
#ifndef TCPDROP_TUI_H
#define TCPDROP_TUI_H

#include <stdbool.h>

#include "run.h"

#define TUI_MIN_COLS	60
#define TUI_MIN_ROWS	15
#define PICTURE_TOP_MAX	256	/* top-source rows a frozen picture keeps, to re-sort them */

/* What the screen shows: taken from the model every period, frozen while paused. */
struct picture {
	struct stats stats;
	struct history history;
	struct source_row top[PICTURE_TOP_MAX];
	size_t ntop;
	uint64_t untracked_drops;	/* drops in no source's row: sources_untracked_drops() */
	uint64_t taken_ns;	/* CLOCK_MONOTONIC, for "last seen" ages */
};

struct tui {
	struct run *run;
	struct picture picture;
	struct droplog frozen_log;	/* the drop log as it was when paused */
	bool paused;
	bool help;
	bool dirty;		/* the screen needs drawing */
	enum source_sort sort;
	size_t scroll;		/* drop-log rows scrolled back from the newest */
	/* The w prompt: a new port set being typed, and why the last one was refused. It holds
	 * any set's whole text (PORTS_TEXT_MAX); typing past that marks it cut, and a cut list is
	 * refused, never applied. */
	bool prompting;
	bool prompt_cut;
	char *prompt;		/* PORTS_TEXT_MAX + 1 bytes */
	size_t prompt_len;
	char prompt_error[512];
	uint64_t log_seen;	/* log entries pushed at the last draw, to keep a scrolled view put */
};

int tui_init(struct tui *t);
/* Whether this terminal can show the live view; checked before anything is loaded. */
int tui_usable(struct error *e);
void tui_free(struct tui *t);
/* The drop log the screen shows: live, or frozen while paused. */
const struct droplog *tui_log(const struct tui *t);
/* Drops that came in since the pause. */
uint64_t tui_pending(const struct tui *t);

extern const struct view_ops tui_view;

#endif /* TCPDROP_TUI_H */
