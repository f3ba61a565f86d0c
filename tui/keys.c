// SPDX-License-Identifier: GPL-2.0
#include <curses.h>

#include "keys.h"

#define KEY_ESC		27

enum action keys_action(int key)
{
	switch (key) {
	case 'q':
	case 'Q':
		return ACTION_QUIT;	/* Ctrl-C arrives as SIGINT: cbreak() keeps signals */
	case KEY_ESC:
		return ACTION_CLOSE;
	case 'p':
	case 'P':
	case ' ':
		return ACTION_PAUSE;
	case 'c':
	case 'C':
		return ACTION_CLEAR;
	case 's':
	case 'S':
		return ACTION_SORT;
	case '?':
	case 'h':
	case 'H':
	case KEY_F(1):
		return ACTION_HELP;
	case '+':
	case '=':
		return ACTION_SLOWER;
	case '-':
		return ACTION_FASTER;
	case KEY_DOWN:
	case 'j':
		return ACTION_OLDER;
	case KEY_UP:
	case 'k':
		return ACTION_NEWER;
	case KEY_NPAGE:
		return ACTION_PAGE_OLDER;
	case KEY_PPAGE:
		return ACTION_PAGE_NEWER;
	case KEY_HOME:
	case 'g':
		return ACTION_NEWEST;
	case KEY_END:
	case 'G':
		return ACTION_OLDEST;
	case KEY_RESIZE:
		return ACTION_RESIZE;
	default:
		return ACTION_NONE;
	}
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
