/* SPDX-License-Identifier: GPL-2.0 */
/* Keys of the live view, and what each one does to its state. */
#ifndef TCPDROP_KEYS_H
#define TCPDROP_KEYS_H

#include "tui.h"

enum action {
	ACTION_NONE,
	ACTION_QUIT,
	ACTION_PAUSE,
	ACTION_CLEAR,
	ACTION_SORT,
	ACTION_HELP,
	ACTION_CLOSE,		/* Esc: closes help, else quits */
	ACTION_SLOWER,		/* + : a longer refresh interval */
	ACTION_FASTER,		/* - : a shorter one */
	/* The log lists the newest drop first: down is older, Home is the live head. */
	ACTION_OLDER,
	ACTION_NEWER,
	ACTION_PAGE_OLDER,
	ACTION_PAGE_NEWER,
	ACTION_NEWEST,
	ACTION_OLDEST,
	ACTION_RESIZE,
};

enum action keys_action(int key);
/* The refresh intervals + and - step through. */
double keys_next_interval(double current, int direction);

#endif /* TCPDROP_KEYS_H */
