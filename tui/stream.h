/* SPDX-License-Identifier: GPL-2.0 */
/* The NDJSON view: drop events and periodic stats as NDJSON on stdout. */
#ifndef TCPDROP_STREAM_H
#define TCPDROP_STREAM_H

#include "run.h"

struct stream {
	int write_error;		/* errno of a failed write to stdout, 0 if none */
};

extern const struct view_ops stream_view;

#endif /* TCPDROP_STREAM_H */
