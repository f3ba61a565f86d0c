/* SPDX-License-Identifier: GPL-2.0 */
/* The NDJSON view: drop events and periodic stats as NDJSON on stdout. */
#ifndef TCPDROP_STREAM_H
#define TCPDROP_STREAM_H

#include "outbuf.h"
#include "run.h"

struct stream {
	struct outbuf out;
	int write_error;		/* -errno of a failed write to stdout, 0 if none */
};

/* Prepares st to write to fd. */
void stream_init(struct stream *st, int fd);

extern const struct view_ops stream_view;

#endif /* TCPDROP_STREAM_H */
