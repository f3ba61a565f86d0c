#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Trusted lists at their size: tcpdrop-top --except-file with 65,536 lines (one IPv4 /32 and
# 65,535 IPv6 /64s, as a block list writes them), on a veth of its own:
#   - the start to its "watching" line, with the list and with none: the difference is what
#     reading the file and filling the program's trie cost; the median of RUNS;
#   - a reload (SIGHUP) that swaps the list for another of 65,536, half of them new: from the
#     signal to the reload line of the stream, the median of RUNS.
# Prints one line of figures, and appends it as a JSON row to ROWS when given.
#
# Usage: bench/lists.sh [ROWS]   (environment: TDT_BIN, the binary; BENCH_LISTS_RUNS, default 5)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

ROWS=${1:-}
BIN=${TDT_BIN:-./tcpdrop-top}
RUNS=${BENCH_LISTS_RUNS:-5}
LINES=65536
S=tdtq-srv-$$ C=tdtq-cli-$$ SIF=tdtqs$$ CIF=tdtqc$$
lib_tmp tdt-lists
TMP=$LIB_TMP

die() {
	echo "lists: $*" >&2
	exit 1
}

[ -x "$BIN" ] || die "build first: make ($BIN)"
veth_pair "$S" "$C" "$SIF" "$CIF" || die "cannot set up the namespaces"

# list FILE FIRST: LINES prefixes, the IPv6 ones numbered from FIRST.
list() {
	awk -v n="$LINES" -v first="$2" 'BEGIN {
		print "# trusted"
		print "198.51.100.2/32"
		for (i = first; i < first + n - 1; i++)
			printf "2001:db8:%x:%x::/64\n", int(i / 65536), i % 65536
	}' >"$1"
}
list "$TMP/a.txt" 0
list "$TMP/b.txt" 32768

ms_now() {
	echo $(($(date +%s%N) / 1000000))
}

# line_soon FILE REGEX: waits up to 30 s for a line, looking every 5 ms (wait_line's 100 ms
# would be the measurement's resolution).
line_soon() {
	local i
	for ((i = 0; i < 6000; i++)); do
		grep -q -- "$2" "$1" && return 0
		kill -0 "$PID" 2>/dev/null || return 1
		sleep 0.005
	done
	return 1
}

median() {
	tr ' ' '\n' | sed '/^$/d' | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# start ARGS...: the tool in $S, --json; PID, OUT, and START_MS, the ms to its watching line.
start() {
	local t0
	OUT=$TMP/out ERR=$TMP/err
	: >"$OUT"
	: >"$ERR"
	t0=$(ms_now)
	ip netns exec "$S" "$BIN" -i "$SIF" --json "$@" >"$OUT" 2>"$ERR" </dev/null &
	PID=$!
	track "$PID"
	line_soon "$ERR" watching || die "no watching line: $(head -c 300 "$ERR")"
	START_MS=$(($(ms_now) - t0))
}

stop() {
	stop_pid "$PID" TERM 10
}

with='' without='' reload=''
for ((round = 1; round <= RUNS; round++)); do
	printf '\r  lists: round %d of %d' "$round" "$RUNS" >&2
	start
	without+="$START_MS "
	stop
	cp "$TMP/a.txt" "$TMP/live.txt"
	start --except-file "$TMP/live.txt"
	with+="$START_MS "
	cp "$TMP/b.txt" "$TMP/live.txt"
	t0=$(ms_now)
	kill -HUP "$PID"
	line_soon "$OUT" '"type":"reload"' || die "no reload line: $(tail -c 300 "$OUT")"
	reload+="$(($(ms_now) - t0)) "
	grep -q '"type":"reload".*"ok":true.*"excepts":65536' "$OUT" ||
		die "reload: $(grep reload "$OUT")"
	stop
done
printf '\r%40s\r' '' >&2
w=$(median <<<"$with") wo=$(median <<<"$without") r=$(median <<<"$reload")
echo "$LINES-line --except-file: start $w ms (without $wo ms: the list $((w - wo)) ms), a reload" \
	"to another list $r ms (medians of $RUNS)"
row='{"section":"lists","lines":%d,"start_ms":%d,"start_ms_without":%d,"load_ms":%d,'
row+='"reload_ms":%d,"runs":%d}\n'
# shellcheck disable=SC2059	# the format is the row's
[ -n "$ROWS" ] && printf "$row" "$LINES" "$w" "$wo" $((w - wo)) "$r" "$RUNS" >>"$ROWS"
exit 0
