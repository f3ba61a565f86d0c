/* SPDX-License-Identifier: GPL-2.0 */
/* Time: the kernel stamps events with CLOCK_MONOTONIC; people read wall-clock time. */
#ifndef TCPDROP_CLOCK_H
#define TCPDROP_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static inline uint64_t monotonic_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* What to add to a CLOCK_MONOTONIC stamp to make it wall-clock time, as of now. */
static inline uint64_t realtime_offset_ns(void)
{
	uint64_t mono = monotonic_ns();

	return clock_ns(CLOCK_REALTIME) - mono;
}

#endif /* TCPDROP_CLOCK_H */
