/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The terminal while curses owns it: set up, colour roles, and restored on every way out,
 * fatal signals included. Whatever is written to stderr meanwhile is kept aside and replayed
 * once the screen is closed, so nothing scribbles over it.
 */
#ifndef TCPDROP_SCREEN_H
#define TCPDROP_SCREEN_H

#include <curses.h>
#include <stdbool.h>

#include "tui/lib/error.h"

enum role {
	ROLE_NORMAL,
	ROLE_TITLE,		/* the top bar */
	ROLE_LABEL,		/* "passed", column headings' neighbours */
	ROLE_VALUE,		/* numbers */
	ROLE_PASS,		/* passed traffic */
	ROLE_DROP,		/* dropped traffic, drop rows */
	ROLE_WARN,		/* events lost, too-small terminal */
	ROLE_NOTICE,		/* PAUSED, DRY RUN */
	ROLE_HEADING,		/* section and column headings */
	ROLE_STATUS,		/* the key bar */
	ROLE_NR,
};

/* 0 when $TERM can show the live view (terminfo knows it, and it has cursor addressing and
 * clear); else a usage error that suggests --json. Touches neither the screen nor curses. */
int screen_usable(struct error *e);
/* Returns 0, or -1 when the terminal cannot be set up. */
int screen_open(void);
void screen_close(void);
/* The curses attributes for a role: colours, or bold/reverse on a monochrome terminal. */
attr_t screen_attr(enum role role);
/* True when the terminal can show UTF-8 block characters. */
bool screen_utf8(void);

#endif /* TCPDROP_SCREEN_H */
