/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-event-wakeup build of tcpdrop-top, for make bench only. tui/loader.c is compiled a
 * second time with -iquote bench/wakeup, so its #include "tcpdrop.skel.h" finds this file, which
 * includes the real skeleton and makes every open set the read-only wakeup_every_event. Nothing
 * else differs from the shipped binary, so a flood compares exactly the two ways of waking the
 * consumer. The angle brackets skip -iquote: they find the real skeleton through -I.output.
 */
#ifndef TCPDROP_BENCH_WAKEUP_SKEL_H
#define TCPDROP_BENCH_WAKEUP_SKEL_H

#include <tcpdrop.skel.h>

static inline struct tcpdrop_bpf *bench_open_waking_every_event(void)
{
	struct tcpdrop_bpf *skel = tcpdrop_bpf__open();

	if (skel)
		skel->rodata->wakeup_every_event = true;
	return skel;
}

#define tcpdrop_bpf__open bench_open_waking_every_event

#endif /* TCPDROP_BENCH_WAKEUP_SKEL_H */
