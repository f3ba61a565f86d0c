/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A buffered writer for the NDJSON stream, on a file descriptor rather than stdio: a write a
 * signal interrupts is retried, not reported as a failure, and a reader that went away is seen
 * at once, not at the next line.
 */
#ifndef TCPDROP_OUTBUF_H
#define TCPDROP_OUTBUF_H

#include <stdbool.h>
#include <stddef.h>

#define OUTBUF_SIZE	(64 * 1024)

struct outbuf {
	int fd;
	size_t len;
	char data[OUTBUF_SIZE];
};

/* Appends n bytes, writing out what is buffered when it is full. Returns 0, or -errno. */
int outbuf_put(struct outbuf *o, const char *s, size_t n);
/* Writes out everything buffered. Returns 0, or -errno (-EPIPE: the reader went away). */
int outbuf_flush(struct outbuf *o);
/* Whether the other end of fd is gone: a pipe's reader, a socket's peer. False for files. */
bool outbuf_reader_gone(int fd);

#endif /* TCPDROP_OUTBUF_H */
