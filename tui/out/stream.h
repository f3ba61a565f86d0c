/* SPDX-License-Identifier: GPL-2.0 */
/* The NDJSON output: drop events and periodic stats as NDJSON on stdout. */
#ifndef TCPDROP_STREAM_H
#define TCPDROP_STREAM_H

#include "tui/lib/outbuf.h"
#include "tui/output.h"

struct stream {
	struct outbuf out;
	int write_error;		/* -errno of a failed write to stdout, 0 if none */
};

/* Its context is a struct stream; prepare points it at stdout. */
extern const struct output_ops stream_output;

#endif /* TCPDROP_STREAM_H */
