// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: ports_parse() on any -p argument, and ports_format() back. A parsed set,
 * formatted where it fits, must parse again to the very same set; formatted into a buffer too
 * small, it must end in "..." inside the buffer (ASan sees any byte written past it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/watch/ports.h"
#include "tests/fuzz.h"

#define FULL_LEN	(PORTS_TEXT_MAX + 1)	/* any set, whole */

static char full[FULL_LEN];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct port_set set, again;
	char err[128], *spec, *small;
	size_t len;

	if (!size || size > 4096)
		return -1;	/* a longer -p says nothing new and slows the search */
	/* The first byte picks a short output buffer, like the attach line's 128 bytes; the
	 * rest is the -p argument. */
	len = 4 + data[0] % 125;
	spec = malloc(size);
	memcpy(spec, data + 1, size - 1);
	spec[size - 1] = '\0';	/* argv strings end at the first NUL: so does this one */
	memset(err, 'x', sizeof(err));

	if (ports_parse(spec, &set, err, sizeof(err))) {
		/* A refusal says why, terminated within err (quoting the input, bytes and all). */
		check(memchr(err, '\0', sizeof(err)) && (!strncmp(err, "bad port", 8) ||
							 !strncmp(err, "empty item", 10) ||
							 !strcmp(err, "empty port list")));
		free(spec);
		return 0;
	}

	ports_format(&set, full, sizeof(full));
	check(full[0] && strlen(full) < sizeof(full) - 1);
	check(!ports_parse(full, &again, err, sizeof(err)));
	check(!memcmp(&set, &again, sizeof(set)));

	/* Exactly len bytes on the heap, so that a write past the end is an ASan report. */
	small = malloc(len);
	ports_format(&set, small, len);
	check(strlen(small) < len);
	if (strlen(full) < len) {
		check(!strcmp(small, full));
	} else {
		/* Cut: the kept part is the full text's start, and the cut is marked. */
		check(strlen(small) == len - 1 && !strcmp(small + len - 4, "..."));
		check(!strncmp(small, full, len - 4));
	}
	free(small);
	free(spec);
	return 0;
}
