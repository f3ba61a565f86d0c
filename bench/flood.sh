#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The trafgen half of make bench: a bounded SYN flood from trafgen through a veth pair between two
# private network namespaces, into the server side's XDP program. trafgen sends through a packet
# socket and the veth builds an skb for each frame: this is the skb path of a container's veth,
# and trafgen's own rate (0.4 to 1 million a second) is the limit, not XDP's; bench/linerate.sh
# measures the kernel's speed. For each of
#   empty    the empty XDP_DROP program (bench xdp-drop), the reference rate;
#   bare     an instrumented copy of the program (bench variant, see bench/variant.bpf.c)
#            without its per-source counts;
#   tui      tcpdrop-top's own loader, loop and model with a view that draws nothing (bench
#            consume), at the default --event-rate: the cost of the loop without a screen;
#   tui_draw the real ./tcpdrop-top -i IF in a 120x40 terminal (a private tmux server), drawing
#            the live view under the flood, at the default --event-rate;
#   ndjson   the real ./tcpdrop-top -i IF --json, stdout to a file, at the default --event-rate;
#   ndjson_max  the same with --event-rate max: an event for every drop, formatted and written;
#   zero     the same with --event-rate 0: counters and sources only;
#   wakeup   --event-rate max, built with a wakeup for every event (tcpdrop-top-wakeup).
# RUNS rounds, the configurations interleaved so that noise from the rest of the machine lands on
# all of them alike; one JSON row per configuration with the medians goes to ROWS.
#
# The flood runs on CPU 0 (trafgen's one process, and with it the veth's XDP, which runs in the
# sender's softirq), the consumer on the last CPU, so the two do not compete.
#
# Usage: bench/flood.sh ROWS   (environment: BENCH_FLOOD_COUNT, BENCH_FLOOD_RUNS)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib.sh
. scripts/lib.sh	# removes the namespaces, the receiver and TMP on exit

ROWS=${1:?usage: bench/flood.sh ROWS}
COUNT=${BENCH_FLOOD_COUNT:-1000000}
RUNS=${BENCH_FLOOD_RUNS:-3}
BENCH=.output/bench/bench
TOOL=./tcpdrop-top
TOOL_WAKEUP=.output/bench/tcpdrop-top-wakeup
CONFIGS=(empty bare tui tui_draw ndjson ndjson_max zero wakeup)

declare -A LABEL=(
	[empty]="empty XDP_DROP"
	[bare]="variant: no per-source counts"
	[tui]="tcpdrop-top's loop and model, drawing nothing"
	[tui_draw]="tcpdrop-top's TUI, drawing in a 120x40 terminal"
	[ndjson]="tcpdrop-top --json to a file, default --event-rate"
	[ndjson_max]="tcpdrop-top --json to a file, --event-rate max"
	[zero]="tcpdrop-top --json, --event-rate 0"
	[wakeup]="tcpdrop-top --json --event-rate max, wakeup every event"
)

# Unique names, so that a concurrent test suite's namespaces are never touched; IFNAMSIZ is 16.
S=tdtb-srv-$$
C=tdtb-cli-$$
SIF=tdtbs$$
CIF=tdtbc$$
lib_tmp tdt-bench
TMP=$LIB_TMP
RX_PID=
tmux_server "tdtb-$$" "$TMP/tmux.conf"

die() {
	echo "bench/flood.sh: $*" >&2
	exit 1
}

for tool in ip trafgen taskset timeout tmux; do
	command -v "$tool" >/dev/null || die "needs $tool (make deps installs it)"
done
for bin in "$BENCH" "$TOOL" "$TOOL_WAKEUP"; do
	[ -x "$bin" ] || die "no $bin: run make bench-build first"
done

NCPU=$(nproc)
FLOOD_CPU=0
CONSUMER_CPU=$((NCPU - 1))
CLK_TCK=$(getconf CLK_TCK)

if ! { veth_pair "$S" "$C" "$SIF" "$CIF" &&
	addr_add "$S" "$SIF" 198.51.100.1/24 && addr_add "$C" "$CIF" 198.51.100.2/24; }; then
	die "cannot create the namespaces and the veth pair"
fi

# One SYN, 198.51.100.2:40000 to 198.51.100.1:4040, again and again.
syn_flood_cfg "$TMP/syn.cfg" "$(link_mac "$S" "$SIF")" "$(link_mac "$C" "$CIF")" 1

# Packets that went through the server veth's XDP program (veth counts them as received).
rx_packets() {
	link_packets "$S" "$SIF" rx
}

# utime + stime of a process, in clock ticks.
cpu_ticks() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'
}

stop_receiver() {
	stop_pid "$RX_PID" INT 10
	RX_PID=
}

# start_tui_draw: the real TUI in a pane, its pid in RX_PID once the filter is attached and the
# first screen drawn. Its events are drawn, not counted: the row has its rate and CPU only.
start_tui_draw() {
	"${TM[@]}" kill-session -t draw 2>/dev/null
	pane_start draw 120 40 "$TMP/pane" ip netns exec "$S" taskset -c "$CONSUMER_CPU" \
		"$TOOL" -i "$SIF" || die "the TUI did not start: $PANE_WHY"
	wait_until 10 test -s "$TMP/pane.pid" || die "the TUI did not start: no pid"
	RX_PID=$(cat "$TMP/pane.pid")
	wait_until 10 tui_drawn || die "the TUI did not draw in 10 s: $(screen_now draw | head -5)"
}

tui_drawn() {
	ip -n "$S" link show dev "$SIF" | grep -q 'prog/xdp' && screen_now draw | grep -q dropped
}

stop_tui_draw() {
	key draw q
	wait_until 10 test -e "$TMP/pane.status" || die "the TUI did not quit on q"
	"${TM[@]}" kill-session -t draw 2>/dev/null
	RX_PID=
}

# json_field NAME: the first integer "NAME":N on stdin.
json_field() {
	sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" | head -1
}

declare -A PPS CPU DROPPED DELIVERED LOST THROTTLED RETRIES

# The configurations that run tcpdrop-top's consumer, and so report events and CPU time (the
# drawing TUI reports CPU time only: its events go to the screen).
has_consumer() {
	case $1 in
	ndjson | ndjson_max | zero | tui | wakeup) return 0 ;;
	esac
	return 1
}

# run_one CONFIG: one flood into CONFIG; appends its figures to the arrays above.
run_one() {
	local cfg=$1 cmd ready_file ready_re secs usecs rx0 rx1 cpu0 cpu1 loop_s attempt
	local dropped delivered lost throttled stats=
	case $cfg in
	empty) cmd=("$BENCH" xdp-drop "$SIF") ready_file=out ready_re='^ready' ;;
	bare) cmd=("$BENCH" variant "$cfg" "$SIF") ready_file=out ready_re='^ready' ;;
	ndjson) cmd=("$TOOL" -i "$SIF" --json) ready_file=err ready_re='watching' ;;
	ndjson_max) cmd=("$TOOL" -i "$SIF" --json --event-rate max) ready_file=err \
		ready_re='watching' ;;
	zero) cmd=("$TOOL" -i "$SIF" --json --event-rate 0) ready_file=err ready_re='watching' ;;
	tui) cmd=("$BENCH" consume "$SIF") ready_file=out ready_re='^ready' ;;
	wakeup) cmd=("$TOOL_WAKEUP" -i "$SIF" --json --event-rate max) ready_file=err \
		ready_re='watching' ;;
	esac
	rm -f "$TMP/out" "$TMP/err"
	if [ "$cfg" = tui_draw ]; then
		start_tui_draw
	else
		# ip netns exec and taskset both exec, so $! is the receiver itself.
		ip netns exec "$S" taskset -c "$CONSUMER_CPU" "${cmd[@]}" >"$TMP/out" \
			2>"$TMP/err" </dev/null &
		RX_PID=$!
		track "$RX_PID"
		wait_line 10 "$RX_PID" "$TMP/$ready_file" "$ready_re" ||
			die "${LABEL[$cfg]} did not start: $(head -c 300 "$TMP/err")"
	fi
	if grep -qs generic "$TMP/err" "$TMP/out" ||
		ip -n "$S" link show dev "$SIF" | grep -q 'xdpgeneric'; then
		die "${LABEL[$cfg]} attached in generic mode; the flood compares native XDP"
	fi

	# trafgen runs at high priority (-H, nice -20): the flood's CPU is shared with whatever else
	# runs on the machine, and without it the rates measure that load more than XDP. It gives
	# up when its socket's send buffer is full, when the receiving side falls behind, as the
	# per-event-wakeup build can: such a run is thrown away and run again.
	for ((attempt = 1; ; attempt++)); do
		rx0=$(rx_packets)
		cpu0=$(cpu_ticks "$RX_PID")
		ip netns exec "$C" timeout 120 taskset -c "$FLOOD_CPU" trafgen -o "$CIF" \
			-i "$TMP/syn.cfg" -n "$COUNT" -P 1 -H --no-sock-mem -Q \
			>"$TMP/trafgen" 2>&1 && break
		if ! grep -q 'TX_RING failed' "$TMP/trafgen" || [ "$attempt" -ge 3 ]; then
			die "trafgen failed: $(tail -c 300 "$TMP/trafgen")"
		fi
		RETRIES[$cfg]=$((${RETRIES[$cfg]:-0} + 1))
	done
	cpu1=$(cpu_ticks "$RX_PID")
	rx1=$(rx_packets)
	if [ "$cfg" = tui_draw ]; then
		stop_tui_draw
	else
		stop_receiver
	fi

	# trafgen times its own send loop: the flood without its start-up.
	read -r secs usecs < <(tr '\r' '\n' <"$TMP/trafgen" |
		sed -n 's/.* \([0-9]*\) sec, \([0-9]*\) usec on CPU.*/\1 \2/p' | head -1)
	[ -n "${secs:-}" ] || die "no timing in trafgen's output: $(tail -c 300 "$TMP/trafgen")"
	loop_s=$(awk -v s="$secs" -v u="$usecs" 'BEGIN { printf "%.6f", s + u / 1e6 }')
	PPS[$cfg]+="$(awk -v n=$((rx1 - rx0)) -v t="$loop_s" 'BEGIN { printf "%.0f", n / t }') "

	case $cfg in
	ndjson | ndjson_max | zero | wakeup)
		stats=$(grep '"type":"stats"' "$TMP/out" | tail -1)
		delivered=$(grep -c '"type":"drop"' "$TMP/out")
		;;
	tui)
		stats=$(grep '"delivered"' "$TMP/out" | tail -1)
		delivered=$(json_field delivered <<<"$stats")
		;;
	esac
	dropped=$(json_field dropped <<<"$stats")
	lost=$(json_field events_lost <<<"$stats")
	throttled=$(json_field events_throttled <<<"$stats")
	rm -f "$TMP/out"
	if [ "$cfg" = tui_draw ]; then
		CPU[$cfg]+="$(awk -v d=$((cpu1 - cpu0)) -v hz="$CLK_TCK" -v t="$loop_s" \
			'BEGIN { printf "%.1f", 100 * d / hz / t }') "
	fi
	if has_consumer "$cfg"; then
		if [ -z "$dropped" ] || [ -z "$lost" ]; then
			die "${LABEL[$cfg]}: no final stats line"
		fi
		DROPPED[$cfg]+="$dropped "
		DELIVERED[$cfg]+="$delivered "
		LOST[$cfg]+="$lost "
		THROTTLED[$cfg]+="$throttled "
		CPU[$cfg]+="$(awk -v d=$((cpu1 - cpu0)) -v hz="$CLK_TCK" -v t="$loop_s" \
			'BEGIN { printf "%.1f", 100 * d / hz / t }') "
	fi
}

# median, max: of the numbers on stdin, separated by spaces.
median() {
	tr ' ' '\n' | sed '/^$/d' | sort -g |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

max() {
	tr ' ' '\n' | sed '/^$/d' | sort -g | tail -1
}

# accounted DELIVERED THROTTLED LOST DROPPED: true when delivered + throttled + lost == dropped
# in every round.
accounted() {
	awk -v d="$1" -v h="$2" -v l="$3" -v t="$4" 'BEGIN {
		n = split(d, x, " "); split(h, w, " "); split(l, y, " "); split(t, z, " ")
		ok = "true"
		for (i = 1; i <= n; i++)
			if (x[i] + w[i] + y[i] != z[i])
				ok = "false"
		print ok
	}'
}

# is EXPR: true or false, for JSON; EXPR is awk, so it compares decimals.
is() {
	awk "BEGIN { print ($1) ? \"true\" : \"false\" }"
}

json_list() {
	echo "$1" | sed 's/^ *//; s/ *$//; s/  */,/g; s/^/[/; s/$/]/'
}

for ((round = 1; round <= RUNS; round++)); do
	for cfg in "${CONFIGS[@]}"; do
		printf '\r  flood: round %d of %d, %-40s' "$round" "$RUNS" "${LABEL[$cfg]}" >&2
		run_one "$cfg"
	done
done
printf '\r  flood: %d rounds of %d SYNs each%40s\n' "$RUNS" "$COUNT" "" >&2

# ratios A B: A's rate over B's, round by round (the two ran back to back, under the same load).
ratios() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		n = split(a, x, " "); split(b, y, " ")
		for (i = 1; i <= n; i++)
			printf "%.3f ", y[i] ? x[i] / y[i] : 0
	}'
}

for cfg in "${CONFIGS[@]}"; do
	pps=$(median <<<"${PPS[$cfg]}")
	round_ratios=$(ratios "${PPS[$cfg]}" "${PPS[empty]}")
	ratio=$(median <<<"$round_ratios")
	row="{\"section\":\"flood\",\"config\":\"$cfg\",\"name\":\"${LABEL[$cfg]}\""
	row+=",\"count\":$COUNT,\"runs\":$RUNS,\"pps_median\":$pps"
	row+=",\"pps_runs\":$(json_list "${PPS[$cfg]}"),\"ratio\":$ratio"
	row+=",\"ratio_runs\":$(json_list "$round_ratios")"
	row+=",\"ratio_to\":\"${LABEL[empty]}\""
	row+=",\"trafgen_retries\":${RETRIES[$cfg]:-0}"
	if [ "$cfg" = tui_draw ]; then
		row+=",\"cpu_pct_median\":$(median <<<"${CPU[$cfg]}")"
		row+=",\"cpu_pct_runs\":$(json_list "${CPU[$cfg]}")"
	fi
	if has_consumer "$cfg"; then
		lost_max=$(max <<<"${LOST[$cfg]}")
		cpu=$(median <<<"${CPU[$cfg]}")
		row+=",\"dropped_runs\":$(json_list "${DROPPED[$cfg]}")"
		row+=",\"delivered_runs\":$(json_list "${DELIVERED[$cfg]}")"
		row+=",\"lost_runs\":$(json_list "${LOST[$cfg]}"),\"lost_max\":$lost_max"
		row+=",\"throttled_runs\":$(json_list "${THROTTLED[$cfg]}")"
		# Every drop is delivered, throttled or counted lost, in every round.
		row+=",\"accounted\":$(accounted "${DELIVERED[$cfg]}" "${THROTTLED[$cfg]}" \
			"${LOST[$cfg]}" "${DROPPED[$cfg]}")"
		row+=",\"cpu_pct_median\":$cpu,\"cpu_pct_runs\":$(json_list "${CPU[$cfg]}")"
		# No targets: trafgen's rate is the limit here (bench/linerate.sh has them).
		if [ "$cfg" = zero ]; then
			bare=$(median <<<"$(ratios "${PPS[zero]}" "${PPS[bare]}")")
			row+=",\"ratio_to_bare\":$bare"
		fi
	fi
	echo "$row}" >>"$ROWS"
done
printf '{"section":"flood-setup","count":%d,"runs":%d,"flood_cpu":%d,"consumer_cpu":%d,%s}\n' \
	"$COUNT" "$RUNS" "$FLOOD_CPU" "$CONSUMER_CPU" '"frame_bytes":54,"mode":"native"' >>"$ROWS"
