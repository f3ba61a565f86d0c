/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live view: the TUI as an output of the run. It owns the UI state (pause, sort, scroll,
 * help) and the picture the screen shows; the facts live in the model. Each frame it gathers
 * what draw.c shows, layout included.
 */
#ifndef TCPDROP_TUI_H
#define TCPDROP_TUI_H

#include <limits.h>

#include <stdbool.h>

#include "tui/lookup/names.h"
#include "tui/output.h"
#include "tui/view/draw.h"

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
	/* n: the sources' names, looked up as they show; why there are none, if none can be. */
	bool show_names;
	struct names *names;
	char names_why[160];
	/* What the last reload did, on the key bar until reload_until_ns. */
	char reload_note[PATH_MAX + 300];
	bool reload_warn;
	uint64_t reload_until_ns;
};

/* The live view as an output (output.h): its context is a struct tui, zeroed; it reads keys. */
extern const struct output_ops tui_output;

#endif /* TCPDROP_TUI_H */
