// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Instrumented copies of bpf/tcpdrop.bpf.c for the cost breakdown of make bench. The real source
 * is compiled again with one part of the drop path taken out, so that the difference in
 * ns/packet against the real program is what that part costs, measured inside the real code
 * rather than in a toy. Nothing here ships, and bpf/ stays untouched: the parts are removed by
 * macros defined before the real source is included. bench loads them with the default
 * --event-rate and an empty bucket: every event held back, as in a flood; and port 4040 implied,
 * as the tool sets it for its one watched port.
 *
 *   -DBENCH_NO_SOURCES	no per-source counts: the CPU's recent entries are not looked up (its
 *			current-source words, never set then, are still compared, and missed)
 *   -DBENCH_NO_EVENT	no ring-buffer reserve, fill or submit: every event is "lost"
 *   -DBENCH_GLOBAL_COUNTERS	the counters in a plain global instead of the per-CPU array
 *   -DBENCH_NO_PORT_COUNTS	no drops per port: the port's counter is not looked up
 */

#ifdef BENCH_NO_SOURCES
#define BENCH_SKIP_SOURCES 1
#else
#define BENCH_SKIP_SOURCES 0
#endif
#ifdef BENCH_GLOBAL_COUNTERS
#define BENCH_PLAIN_COUNTERS 1
#else
#define BENCH_PLAIN_COUNTERS 0
#endif

#ifdef BENCH_NO_PORT_COUNTS
#define BENCH_SKIP_PORTS 1
#else
#define BENCH_SKIP_PORTS 0
#endif

#if BENCH_SKIP_SOURCES || BENCH_PLAIN_COUNTERS || BENCH_SKIP_PORTS
#include "../common/tcpdrop.h"

/* One plain global in place of the per-CPU counters: no lookup, the same increments. */
struct tcpdrop_counters bench_counters;

/*
 * Only the calls on one map are replaced, chosen by the map's type (each BTF-defined map has its
 * own anonymous struct type) at compile time. On "recent" a lookup misses, so count_source()
 * returns at once and the compiler removes the rest of it; on "port_drops" likewise.
 */
#define BENCH_IS(map, name) __builtin_types_compatible_p(__typeof__(map), __typeof__(&name))
#define bpf_map_lookup_elem(map, key)						\
	(BENCH_SKIP_SOURCES && BENCH_IS(map, recent) ? (void *)0 :			\
	 BENCH_SKIP_PORTS && BENCH_IS(map, port_drops) ? (void *)0 :			\
	 BENCH_PLAIN_COUNTERS && BENCH_IS(map, counters) ? (void *)&bench_counters :	\
	 (bpf_map_lookup_elem)(map, key))
#endif

#ifdef BENCH_NO_EVENT
/* The reserve "fails" without being made, which takes the events_lost branch: one increment. */
#define bpf_ringbuf_reserve(map, size, flags) ((void *)0)
#endif

#include "../bpf/tcpdrop.bpf.c"
