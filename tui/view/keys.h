/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The keys of the live view: one table drives what each key does, the key bar and the help
 * overlay, and a test holds the README's key table to it.
 */
#ifndef TCPDROP_KEYS_H
#define TCPDROP_KEYS_H

#include <stddef.h>

enum action {
	ACTION_NONE,
	ACTION_QUIT,
	ACTION_PAUSE,
	ACTION_CLEAR,
	ACTION_SORT,
	ACTION_GROUP,		/* g: sources by address, or by network */
	ACTION_NAMES,		/* n: the sources' reverse-DNS names, or their addresses */
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
	ACTION_PORTS,		/* w: edit the watched ports */
	ACTION_RESIZE,
};

#define KEY_CODES_MAX	8

struct key_code {
	int code;			/* a curses key code; 0 ends the list */
	enum action action;
};

/* One row of the help overlay and of the README's key table. */
struct key_binding {
	const char *keys;		/* the keys as people read them, UTF-8 */
	const char *keys_ascii;		/* the same on a terminal without UTF-8; NULL: keys */
	const char *help;		/* what they do */
	const char *bar;		/* the row's item in the key bar, NULL: none */
	const char *bar_ascii;		/* NULL: bar */
	struct key_code codes[KEY_CODES_MAX];
};

extern const struct key_binding key_bindings[];
extern const size_t key_bindings_count;

enum action keys_action(int key);
/* The refresh intervals + and - step through. */
double keys_next_interval(double current, int direction);

#endif /* TCPDROP_KEYS_H */
