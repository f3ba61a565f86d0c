// SPDX-License-Identifier: GPL-2.0
#include <curses.h>

#include "tui/view/keys.h"

#define KEY_ESC		27

/* In the order the help overlay and the README list them. */
const struct key_binding key_bindings[] = {
	{ "p, space", NULL, "freeze the picture; counting goes on", "p:pause", NULL,
	  { { 'p', ACTION_PAUSE }, { 'P', ACTION_PAUSE }, { ' ', ACTION_PAUSE } } },
	{ "c", NULL, "clear counters, sources and the log", "c:clear", NULL,
	  { { 'c', ACTION_CLEAR }, { 'C', ACTION_CLEAR } } },
	{ "s", NULL, "sort sources: drops, bytes, rate, last seen", "s:sort", NULL,
	  { { 's', ACTION_SORT }, { 'S', ACTION_SORT } } },
	{ "g", NULL, "group sources: address, /24 /64, /16 /48, AS, country", "g:group", NULL,
	  { { 'g', ACTION_GROUP }, { 'G', ACTION_GROUP } } },
	{ "n", NULL, "names of the sources (reverse DNS), or addresses", "n:names", NULL,
	  { { 'n', ACTION_NAMES }, { 'N', ACTION_NAMES } } },
	{ "\u2191 \u2193 (k j)", "Up Down (k j)", "scroll the drop log a line",
	  "\u2191\u2193:scroll", "arrows:scroll",
	  { { KEY_UP, ACTION_NEWER }, { 'k', ACTION_NEWER }, { KEY_DOWN, ACTION_OLDER },
	    { 'j', ACTION_OLDER } } },
	{ "PgUp PgDn", NULL, "scroll it a page", NULL, NULL,
	  { { KEY_PPAGE, ACTION_PAGE_NEWER }, { KEY_NPAGE, ACTION_PAGE_OLDER } } },
	{ "Home End", NULL, "its newest drop (live), its oldest", NULL, NULL,
	  { { KEY_HOME, ACTION_NEWEST }, { KEY_END, ACTION_OLDEST } } },
	{ "w", NULL, "change the watched ports, live", "w:ports", NULL,
	  { { 'w', ACTION_PORTS }, { 'W', ACTION_PORTS } } },
	{ "+ -", NULL, "refresh interval: longer, shorter", NULL, NULL,
	  { { '+', ACTION_SLOWER }, { '=', ACTION_SLOWER }, { '-', ACTION_FASTER } } },
	{ "? h", NULL, "this help; any key closes it", "?:help", NULL,
	  { { '?', ACTION_HELP }, { 'h', ACTION_HELP }, { 'H', ACTION_HELP },
	    { KEY_F(1), ACTION_HELP } } },
	/* Ctrl-C arrives as SIGINT, not as a key: cbreak() keeps signals. */
	{ "q Esc ^C", NULL, "quit (Esc first closes help)", "q:quit", NULL,
	  { { 'q', ACTION_QUIT }, { 'Q', ACTION_QUIT }, { KEY_ESC, ACTION_CLOSE } } },
};

const size_t key_bindings_count = sizeof(key_bindings) / sizeof(key_bindings[0]);

enum action keys_action(int key)
{
	if (key == KEY_RESIZE)
		return ACTION_RESIZE;
	for (size_t i = 0; i < key_bindings_count; i++)
		for (const struct key_code *c = key_bindings[i].codes;
		     c < key_bindings[i].codes + KEY_CODES_MAX && c->code; c++)
			if (c->code == key)
				return c->action;
	return ACTION_NONE;
}

double keys_next_interval(double current, int direction)
{
	static const double steps[] = { 0.1, 0.25, 0.5, 1, 2, 5, 10 };
	const int n = sizeof(steps) / sizeof(steps[0]);

	if (direction > 0) {
		for (int i = 0; i < n; i++)
			if (steps[i] > current + 1e-9)
				return steps[i];
		return current > steps[n - 1] ? current : steps[n - 1];
	}
	for (int i = n - 1; i >= 0; i--)
		if (steps[i] < current - 1e-9)
			return steps[i];
	return current < steps[0] ? current : steps[0];
}
