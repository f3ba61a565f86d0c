#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench: the per-packet cost through BPF_PROG_TEST_RUN (bench packet), the floods at the
# kernel's speed (bench/linerate.sh), the trafgen flood through a container's veth
# (bench/flood.sh), then the table and .output/bench.json (bench/report.py). Reports, never
# fails on a missed target: tests assert, benchmarks measure. Needs root.
# Environment: BENCH_REPEAT, BENCH_ROUNDS (per packet), BENCH_LINERATE_COUNT,
# BENCH_LINERATE_RUNS, BENCH_FLOOD_COUNT, BENCH_FLOOD_RUNS.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
	echo "make bench: needs root (BPF_PROG_TEST_RUN, XDP on a veth, network namespaces):" \
		"run sudo make bench" >&2
	exit 1
fi

start=$SECONDS
rows=$(mktemp /tmp/tdt-bench-rows.XXXXXX)
trap 'rm -f "$rows"' EXIT

echo "  BENCH    per packet (BPF_PROG_TEST_RUN)"
.output/bench/bench packet --repeat "${BENCH_REPEAT:-1000000}" --rounds "${BENCH_ROUNDS:-9}" \
	--rows "$rows"
echo "  BENCH    NDJSON formatter"
.output/bench/bench ndjson --rows "$rows"
echo "  BENCH    SYN floods at the kernel's speed (live frames into a veth's native XDP)"
bench/linerate.sh "$rows"
echo "  BENCH    SYN flood from trafgen through a veth pair (the skb path)"
bench/flood.sh "$rows"
echo "  BENCH    a million-source table"
bench/bigtable.sh "$rows"
echo "  BENCH    a 65,536-line trusted list, loaded and reloaded"
bench/lists.sh "$rows"
echo
python3 bench/report.py "$rows" .output/bench.json $((SECONDS - start))
