#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A very large source table: tcpdrop-top with --max-sources 4M and 1,000,000 live sources
# written into its table (tests/fill_sources), measured as a user feels it:
#   - the idle TUI's CPU use over 5 s and its resident memory, by address and by network (g);
#   - how long a key takes to show (p: PAUSED on the screen), the median of 5, and q to exit;
#   - with --json --event-rate max, the events lost while 20,000 SYNs arrive at ~20,000/s.
# Prints one line of figures, and appends it as a JSON row to ROWS when given.
#
# Usage: bench/bigtable.sh [ROWS]   (environment: TDT_BIN, the binary to measure;
# BIGTABLE_JSON_ARGS, the stream's options for an event a drop: --event-rate max, or none for a
# build from before that option)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib.sh
. scripts/lib.sh

ROWS=${1:-}
BIN=${TDT_BIN:-./tcpdrop-top}
FILL=.output/tests/fill_sources
S=tdtt-srv-$$ C=tdtt-cli-$$ SIF=tdtts$$ CIF=tdttc$$
lib_tmp tdt-bigtable
TMP=$LIB_TMP

die() {
	echo "bigtable: $*" >&2
	exit 1
}

[ -x "$BIN" ] && [ -x "$FILL" ] || die "build first: make test-build ($BIN, $FILL)"
veth_pair "$S" "$C" "$SIF" "$CIF" && addr_add "$S" "$SIF" 198.51.100.1/24 &&
	addr_add "$C" "$CIF" 198.51.100.2/24 || die "cannot set up the namespaces"
tmux_server "tdt-bt-$$" "$TMP/tmux.conf"

ms_now() {
	echo $(($(date +%s%N) / 1000000))
}

cpu_ticks() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'
}

# idle PID: the process's CPU use over 5 s, in percent of one CPU, into CPU; its RSS in RSS.
idle() {
	local t0
	t0=$(cpu_ticks "$1")
	sleep 5
	CPU=$(awk -v d=$(($(cpu_ticks "$1") - t0)) -v hz="$(getconf CLK_TCK)" \
		'BEGIN { printf "%.1f", 100 * d / hz / 5 }')
	RSS=$(awk '/^VmRSS/ { print $2 }' "/proc/$1/status")
}

# --- The TUI -----------------------------------------------------------------------------------
pane_start big 100 30 "$TMP/big" ip netns exec "$S" "$BIN" -i "$SIF" --max-sources 4M ||
	die "tmux: $PANE_WHY"
wait_until 10 test -s "$TMP/big.pid" || die "the TUI did not start"
wait_until 10 eval 'screen_now big | grep -q "TOP SOURCES"' || die "no TUI screen"
pid=$(cat "$TMP/big.pid")
ip netns exec "$S" "$FILL" "$SIF" 1000000 || die "could not fill the table"
# The table is full and read in the background of the loop: let a few reads go round.
wait_until 60 eval 'screen_now big | grep -q "2001:db8:: "' || die "the top row never showed"
sleep 3
idle "$pid"
cpu=$CPU rss=$RSS
# The same table by network: every source folded into its /64, every network rated (g).
key big g
wait_until 60 eval 'screen_now big | grep -q "TOP NETWORKS /24 /64"' || die "g did not group"
wait_until 60 eval 'screen_now big | grep -q "2001:db8::/64 "' || die "no /64 row showed"
sleep 3
idle "$pid"
cpu_net=$CPU rss_net=$RSS
lat=()
for i in 1 2 3 4 5; do
	t0=$(ms_now)
	key big p
	until screen_now big | grep -q PAUSED; do sleep 0.005; done
	lat+=($(($(ms_now) - t0)))
	key big p
	until ! screen_now big | grep -q PAUSED; do sleep 0.005; done
	sleep 0.3
done
key_ms=$(printf '%s\n' "${lat[@]}" | sort -n | sed -n 3p)
t0=$(ms_now)
key big q
wait_until 10 test -f "$TMP/big.status" || die "q did not end it"
quit_ms=$(($(ms_now) - t0))

# --- The stream: events lost while the table is read -------------------------------------
# shellcheck disable=SC2086  # the words are options
ip netns exec "$S" "$BIN" -i "$SIF" --max-sources 4M --json ${BIGTABLE_JSON_ARGS---event-rate max} -d 1 \
	>"$TMP/json.out" 2>"$TMP/json.err" </dev/null &
jpid=$!
track "$jpid"
wait_line 10 "$jpid" "$TMP/json.err" watching || die "the stream did not start"
ip netns exec "$S" "$FILL" "$SIF" 1000000 || die "could not fill the table"
syn_flood_cfg "$TMP/syn.cfg" "$(link_mac "$S" "$SIF")" "$(link_mac "$C" "$CIF")" 1
ip netns exec "$C" timeout 60 trafgen -o "$CIF" -c "$TMP/syn.cfg" -n 20000 -t 50us \
	>"$TMP/trafgen" 2>&1 </dev/null || die "trafgen: $(tail -c 200 "$TMP/trafgen")"
sleep 3
stop_pid "$jpid" INT 20
stats=$(grep '"type":"stats"' "$TMP/json.out" | tail -1)
lost=$(sed -n 's/.*"events_lost":\([0-9]*\).*/\1/p' <<<"$stats")
dropped=$(sed -n 's/.*"dropped":\([0-9]*\).*/\1/p' <<<"$stats")

line="1,000,000 sources: idle TUI ${cpu}% CPU, RSS $((rss / 1024)) MiB (by /24 and /64:"
line+=" ${cpu_net}% CPU, RSS $((rss_net / 1024)) MiB), a key shown in ${key_ms} ms (median of"
line+=" 5), q in ${quit_ms} ms; --json: ${lost} of ${dropped} events lost"
echo "$line"
[ -n "$ROWS" ] && printf '{"section":"bigtable","binary":"%s","cpu_pct":%s,"rss_kb":%s,%s,%s\n' \
	"$BIN" "$cpu" "$rss" "\"cpu_pct_by_network\":$cpu_net,\"rss_kb_by_network\":$rss_net" \
	"\"key_ms\":$key_ms,\"quit_ms\":$quit_ms,\"lost\":${lost:-null},\"dropped\":${dropped:-null}}" \
	>>"$ROWS"
exit 0
