// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "tui/lib/outbuf.h"

int outbuf_flush(struct outbuf *o)
{
	size_t done = 0;

	while (done < o->len) {
		ssize_t n = write(o->fd, o->data + done, o->len - done);

		if (n < 0 && errno == EINTR)
			continue;	/* Ctrl-C while the reader is slow: the final stats still go out */
		if (n < 0 && errno == EAGAIN) {
			struct pollfd out = { .fd = o->fd, .events = POLLOUT };

			poll(&out, 1, -1);
			continue;
		}
		if (n < 0) {
			int err = -errno;

			o->len = 0;	/* what cannot be written is dropped, not retried forever */
			return err;
		}
		done += n;
	}
	o->len = 0;
	return 0;
}

int outbuf_put(struct outbuf *o, const char *s, size_t n)
{
	int err;

	if (o->len + n > sizeof(o->data)) {
		err = outbuf_flush(o);
		if (err)
			return err;
	}
	if (n > sizeof(o->data)) {	/* never for a line, but stay correct */
		memcpy(o->data, s, sizeof(o->data));
		o->len = sizeof(o->data);
		err = outbuf_flush(o);
		return err ? err : outbuf_put(o, s + sizeof(o->data), n - sizeof(o->data));
	}
	memcpy(o->data + o->len, s, n);
	o->len += n;
	return 0;
}

bool outbuf_reader_gone(int fd)
{
	/* No events asked for: poll still reports POLLERR for a pipe whose reader has closed
	 * it and POLLHUP for a socket whose peer has, and nothing for a file or a terminal. */
	struct pollfd out = { .fd = fd, .events = 0 };

	return poll(&out, 1, 0) == 1 && (out.revents & (POLLERR | POLLHUP | POLLNVAL));
}
