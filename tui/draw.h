/* SPDX-License-Identifier: GPL-2.0 */
/* Rendering the live view. Its cost depends on the screen's size, never on the event rate. */
#ifndef TCPDROP_DRAW_H
#define TCPDROP_DRAW_H

#include <stdbool.h>

#include "tui.h"

struct layout {
	int rows, cols;
	bool too_small;
	int sources_top, sources_rows;	/* first data row and how many */
	int log_top, log_rows;
};

struct layout layout_for(int rows, int cols);
void draw(struct tui *t);

#endif /* TCPDROP_DRAW_H */
