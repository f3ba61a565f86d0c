/* SPDX-License-Identifier: GPL-2.0 */
/* What the libFuzzer targets share. */
#ifndef TCPDROP_TEST_FUZZ_H
#define TCPDROP_TEST_FUZZ_H

#include <stdio.h>
#include <stdlib.h>

/* A broken promise: say which, then abort, which libFuzzer saves as a crash. */
#define check(cond)                                                                     \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                 \
			abort();                                                        \
		}                                                                       \
	} while (0)

#endif /* TCPDROP_TEST_FUZZ_H */
