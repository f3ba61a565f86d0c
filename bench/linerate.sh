#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kernel-speed floods of make bench: bench/gen.c runs an XDP program through BPF_PROG_TEST_RUN
# with live frames that redirects IPv6 SYNs out of a veth, so that the peer's native XDP sees
# xdp_frames with no skb and no socket on the way, as from a NIC, at the rate the kernel drops
# them. Each receiver has a veth pair of its own (private namespaces, unique names, removed on
# exit), all attached at once, and the rounds go through them in turn, so that the rest of the
# machine's work lands on all of them alike.
#
#   patterns   one: one source; 16k: 16,384 spoofed sources; 1m: 2^20 spoofed sources;
#              mixed: 2^20 spoofed sources and 10 heavy ones sending 1% each
#   receivers  empty: the empty XDP_DROP (bench xdp-drop), the reference;
#              bare: tcpdrop-top without its per-source counts (bench variant bare), the rest of
#              its drop path; zero: ./tcpdrop-top --json --event-rate 0, all but the events;
#              tool: ./tcpdrop-top --json with the default options
#
# One CPU: the generator on CPU 0, and the receiver's XDP with it, in the softirq that the
# generator's flush to the veth raises: every frame is made and dropped on the same CPU, and the
# rate is the frames over the generator's thread CPU time (which counts its softirqs, and not
# the time other work took the CPU, so the machine's load moves it little). The ratio is each
# round's rate over the empty program's rate in the same round; the median of RUNS rounds.
#
# Two CPUs: the generator on CPU 0, the receiver's NAPI in a thread of its own pinned to CPU 1
# at SCHED_FIFO 50: frames the receiver has not taken when its ring is full are refused (the
# veth's tx_queue_N_xdp_xmit_errors). Rates: the frames that reached the receiver over the
# generator's wall time, and over the receiver thread's CPU time (what a frame costs it).
#
# Two queues: a veth with two receive queues and a generator on each CPU, each CPU dropping its
# own queue's frames in its softirq, as two RSS queues would spread a flood: the frames each
# queue received, and the rate over the wall time.
#
# Exact counts: the mixed flood into tcpdrop-top's own run loop and model (bench consume): its
# top 10 must be the 10 heavy sources with exactly the frames each sent, and the drops in no
# source's row (sources not tracked) exactly the rest.
#
# Usage: bench/linerate.sh ROWS   (environment: BENCH_LINERATE_COUNT, BENCH_LINERATE_RUNS, and
# BENCH_LINERATE_TOOL and BENCH_LINERATE_BENCH for another build's binaries)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=scripts/lib.sh
. scripts/lib.sh	# removes the namespaces, the receivers and TMP on exit

ROWS=${1:?usage: bench/linerate.sh ROWS}
COUNT=${BENCH_LINERATE_COUNT:-10000000}
RUNS=${BENCH_LINERATE_RUNS:-5}
# Another build's tcpdrop-top and bench (an older one, to compare) may stand in for these.
BENCH=${BENCH_LINERATE_BENCH:-.output/bench/bench}
GEN=.output/bench/gen
TOOL=${BENCH_LINERATE_TOOL:-./tcpdrop-top}
PATTERNS=(one 16k 1m mixed)
RECEIVERS=(empty bare zero tool)
declare -A SOURCES=([one]=1 [16k]=16384 [1m]=1048576 [mixed]=1048576)
declare -A HEAVY=([one]=0 [16k]=0 [1m]=0 [mixed]=10)
declare -A PLABEL=([one]="one source" [16k]="16,384 sources" [1m]="2^20 sources"
	[mixed]="2^20 + 10 at 1% each")
declare -A RLABEL=(
	[empty]="empty XDP_DROP"
	[bare]="variant: no per-source counts"
	[zero]="tcpdrop-top --event-rate 0"
	[tool]="tcpdrop-top, defaults"
	[consume]="tcpdrop-top's run loop and model"
)
GEN_CPU=0
RX_CPU=1
lib_tmp tdt-linerate
TMP=$LIB_TMP

die() {
	echo "bench/linerate.sh: $*" >&2
	exit 1
}

for tool in ip taskset chrt nice timeout python3; do
	command -v "$tool" >/dev/null || die "needs $tool"
done
for bin in "$BENCH" "$GEN" "$TOOL"; do
	[ -x "$bin" ] || die "no $bin: run make bench-build first"
done
[ "$(nproc)" -ge 2 ] || die "needs two CPUs"

# pair ID [QUEUES]: namespaces tdtl-sID-$$ and tdtl-cID-$$ joined by a veth pair, its ends
# tlsID$$ and tlcID$$ (15 characters at most), with QUEUES queues each way (default 1), and
# IPv6 off on both ends, so that the stack sends nothing of its own through them.
pair() {
	local s=tdtl-s$1-$$ c=tdtl-c$1-$$ sif=tls$1$$ cif=tlc$1$$ q=${2:-1}
	LIB_NETNS+=("$s" "$c")
	ip netns add "$s" && ip netns add "$c" &&
		ip link add "$sif" numtxqueues "$q" numrxqueues "$q" netns "$s" type veth \
			peer name "$cif" numtxqueues "$q" numrxqueues "$q" netns "$c" &&
		ip -n "$s" link set lo up && ip -n "$c" link set lo up &&
		ip netns exec "$s" sysctl -qw "net.ipv6.conf.$sif.disable_ipv6=1" &&
		ip netns exec "$c" sysctl -qw "net.ipv6.conf.$cif.disable_ipv6=1" &&
		ip -n "$s" link set "$sif" up && ip -n "$c" link set "$cif" up ||
		die "cannot create the veth pair $sif"
}

# start_receiver ID RECEIVER: RECEIVER on pair ID's server end, its own process on RX_CPU;
# waits until it has attached. Its pid in RX_PID[ID], its output in TMP/ID.out and .err.
declare -A RX_PID
start_receiver() {
	local id=$1 dev=tls$1$$ ready_file=out ready_re='^ready' cmd
	case $2 in
	empty) cmd=("$BENCH" xdp-drop "$dev") ;;
	tool) cmd=("$TOOL" -i "$dev" --json) ready_file=err ready_re=watching ;;
	zero) cmd=("$TOOL" -i "$dev" --json --event-rate 0) ready_file=err ready_re=watching ;;
	consume) cmd=("$BENCH" consume "$dev") ;;
	*) cmd=("$BENCH" variant "$2" "$dev") ;;
	esac
	ip netns exec "tdtl-s$id-$$" taskset -c "$RX_CPU" "${cmd[@]}" >"$TMP/$id.out" \
		2>"$TMP/$id.err" </dev/null &
	RX_PID[$id]=$!
	track "${RX_PID[$id]}"
	wait_line 10 "${RX_PID[$id]}" "$TMP/$id.$ready_file" "$ready_re" ||
		die "$2 did not start: $(head -c 300 "$TMP/$id.err")"
	! grep -q generic "$TMP/$id.err" "$TMP/$id.out" || die "$2 attached in generic mode"
}

stop_receiver() {
	stop_pid "${RX_PID[$1]}" INT 10
}

# gen ID ARGS...: one flood out of pair ID's client end; its JSON line in GEN_OUT.
gen() {
	local id=$1
	shift
	GEN_OUT=$(ip netns exec "tdtl-c$id-$$" nice -n -20 timeout 300 "$GEN" --out "tlc$id$$" \
		--rx "tdtl-s$id-$$:tls$id$$" "$@") || die "the generator failed: $GEN_OUT"
}

# napi_thread ID: pair ID's server end polled by a NAPI thread of its own, on RX_CPU at FIFO
# 50; its pid in NAPI. Threads are named napi/DEV-N, cut to 15 characters.
napi_thread() {
	local dev=tls$1$$ name
	ip netns exec "tdtl-s$1-$$" sh -c "echo 1 > /sys/class/net/$dev/threaded" ||
		die "cannot give $dev a NAPI thread"
	name=napi/$dev-
	NAPI=
	wait_until 5 find_napi "${name:0:15}" || die "no NAPI thread for $dev"
	taskset -pc "$RX_CPU" "$NAPI" >/dev/null && chrt -f -p 50 "$NAPI" ||
		die "cannot pin $dev's NAPI thread"
}

find_napi() {
	NAPI=$(ps -eo pid=,comm= | awk -v n="$1" 'index($2, n) == 1 { print $1; exit }')
	[ -n "$NAPI" ]
}

field() {
	python3 scripts/json_field.py "$@"
}

# per_frame_ns: from GEN_OUT, the CPU time a frame took the generator and its softirqs, in ns.
per_frame_ns() {
	python3 -c 'import json, sys; g = json.load(sys.stdin)
if g["xmit_errors"] or g["xmit"] != g["frames"]:
	sys.exit("frames refused on one CPU: %s" % g)
print("%.3f" % (g["gen_cpu_secs"] * 1e9 / g["frames"]))' <<<"$GEN_OUT"
}

# --- One CPU ----------------------------------------------------------------------------------
# Every round loads every receiver anew: where the kernel puts a program's code moves its rate by
# about a percent from one load to the next, and with one load a run all the rounds would share
# that one draw. The median over fresh loads is the typical load's.
declare -A NS RX ID TID TNAPI QID EXACT
id=0
for r in "${RECEIVERS[@]}"; do
	id=$((id + 1))
	pair $id
	ID[$r]=$id
done
for ((round = 1; round <= RUNS; round++)); do
	for r in "${RECEIVERS[@]}"; do
		start_receiver "${ID[$r]}" "$r"
		RX[$r]=0
	done
	for p in "${PATTERNS[@]}"; do
		for r in "${RECEIVERS[@]}"; do
			printf '\r  line rate, one CPU: round %d of %d, %-22s %-30s' "$round" \
				"$RUNS" "${PLABEL[$p]}" "${RLABEL[$r]}" >&2
			gen "${ID[$r]}" --cpus "$GEN_CPU" --count "$COUNT" \
				--sources "${SOURCES[$p]}" --heavy "${HEAVY[$p]}"
			ns=$(per_frame_ns) || die "$ns"
			NS[$p.$r]+="$ns "
			RX[$r]=$((RX[$r] + $(field xmit <<<"$GEN_OUT")))
		done
	done
	# Totals exact: each tool dropped exactly the frames the generator sent it this round.
	for r in "${RECEIVERS[@]}"; do
		stop_receiver "${ID[$r]}"
		case $r in zero | tool) ;; *) continue ;; esac
		dropped=$(grep '"type":"stats"' "$TMP/${ID[$r]}.out" | tail -1 | field dropped)
		if [ "$dropped" != "${RX[$r]}" ]; then
			EXACT[$r]=false
			echo "bench/linerate.sh: round $round: ${RLABEL[$r]} dropped $dropped," \
				"the generator sent it ${RX[$r]}" >&2
		elif [ -z "${EXACT[$r]:-}" ]; then
			EXACT[$r]=true
		fi
	done
done
printf '\r%110s\r' '' >&2

median() {
	tr ' ' '\n' | sed '/^$/d' | sort -g |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# ratios A B: B's ns over A's, round by round: a rate's ratio to B's rate.
ratios() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		n = split(a, x, " "); split(b, y, " ")
		for (i = 1; i <= n; i++)
			printf "%.3f ", x[i] ? y[i] / x[i] : 0
	}'
}

json_list() {
	echo "$1" | sed 's/^ *//; s/ *$//; s/  */,/g; s/^/[/; s/$/]/'
}

is() {
	awk "BEGIN { print ($1) ? \"true\" : \"false\" }"
}

for p in "${PATTERNS[@]}"; do
	for r in "${RECEIVERS[@]}"; do
		ns=$(median <<<"${NS[$p.$r]}")
		rr=$(ratios "${NS[$p.$r]}" "${NS[$p.empty]}")
		ratio=$(median <<<"$rr")
		row="{\"section\":\"linerate\",\"cpus\":1,\"pattern\":\"$p\""
		row+=",\"pattern_name\":\"${PLABEL[$p]}\",\"receiver\":\"$r\""
		row+=",\"name\":\"${RLABEL[$r]}\",\"ns_per_frame\":$ns"
		row+=",\"pps\":$(awk -v n="$ns" 'BEGIN { printf "%.0f", 1e9 / n }')"
		row+=",\"ns_runs\":$(json_list "${NS[$p.$r]}"),\"ratio\":$ratio"
		row+=",\"ratio_runs\":$(json_list "$rr")"
		[ -n "${EXACT[$r]:-}" ] && row+=",\"totals_exact\":${EXACT[$r]}"
		if [ "$r" = tool ]; then
			case $p in
			one) row+=",\"target\":\">= 0.85x\",\"met\":$(is "$ratio >= 0.85")" ;;
			1m) row+=",\"target\":\">= 0.80x\",\"met\":$(is "$ratio >= 0.80")" ;;
			esac
		fi
		echo "$row}" >>"$ROWS"
	done
done

# --- Exact counts: the mixed flood into the TUI's own loop and model ---------------------
printf '  line rate: exact counts under the mixed flood\n' >&2
id=$((id + 1))
pair $id
start_receiver $id consume
gen $id --cpus "$GEN_CPU" --count "$COUNT" --sources 1048576 --heavy 10
stop_receiver $id
python3 - "$COUNT" "$GEN_OUT" "$(grep '"delivered"' "$TMP/$id.out" | tail -1)" >>"$ROWS" <<'EOF'
import json, sys
count, gen, got = int(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3] or "{}")
# One generator: frame i comes from heavy source i % 100 + 1 when i % 100 < 10.
want = {"2001:db8:0:2::%x" % (k + 1): count // 100 + (count % 100 > k) for k in range(10)}
top = {t["src"]: t["drops"] for t in got.get("top", [])}
refused = gen["xmit_errors"]
row = {
    "section": "linerate-exact", "frames": count, "refused": refused,
    "dropped": got.get("dropped"), "rows_drops": got.get("rows_drops"),
    "untracked": got.get("untracked"), "heavy_want": want, "top": got.get("top"),
    "top10_are_the_heavy_ones_exactly": refused == 0 and top == want,
    "dropped_exact": got.get("dropped") == gen["xmit"],
    "untracked_is_the_rest": None not in (got.get("dropped"), got.get("rows_drops")) and
        got.get("untracked") == got["dropped"] - got["rows_drops"],
}
print(json.dumps(row))
EOF

# --- Two CPUs: the receiver's NAPI in a thread of its own ------------------------------------
TWO_RECEIVERS=(empty bare tool)
TWO_PATTERNS=(one 1m)
declare -A WALL CPUNS REFUSED
for r in "${TWO_RECEIVERS[@]}"; do
	id=$((id + 1))
	pair $id
	start_receiver $id "$r"
	napi_thread $id
	TID[$r]=$id
	TNAPI[$r]=$NAPI
done
for ((round = 1; round <= RUNS; round++)); do
	for p in "${TWO_PATTERNS[@]}"; do
		for r in "${TWO_RECEIVERS[@]}"; do
			printf '\r  line rate, two CPUs: round %d of %d, %-22s %-30s' "$round" \
				"$RUNS" "${PLABEL[$p]}" "${RLABEL[$r]}" >&2
			gen "${TID[$r]}" --cpus "$GEN_CPU" --count "$COUNT" \
				--sources "${SOURCES[$p]}" --rx-threads "${TNAPI[$r]}"
			read -r w c f <<<"$(python3 -c 'import json, sys; g = json.load(sys.stdin)
print("%.0f %.3f %d" % (g["rx"] / g["secs"], g["rx_cpu_secs"] * 1e9 / max(g["rx"], 1),
	g["xmit_errors"]))' <<<"$GEN_OUT")"
			WALL[$p.$r]+="$w " CPUNS[$p.$r]+="$c " REFUSED[$p.$r]+="$f "
		done
	done
done
printf '\r%110s\r' '' >&2
for r in "${TWO_RECEIVERS[@]}"; do
	stop_receiver "${TID[$r]}"
done
for p in "${TWO_PATTERNS[@]}"; do
	for r in "${TWO_RECEIVERS[@]}"; do
		ns=$(median <<<"${CPUNS[$p.$r]}")
		row="{\"section\":\"linerate\",\"cpus\":2,\"pattern\":\"$p\""
		row+=",\"pattern_name\":\"${PLABEL[$p]}\",\"receiver\":\"$r\""
		row+=",\"name\":\"${RLABEL[$r]}\",\"pps_wall\":$(median <<<"${WALL[$p.$r]}")"
		row+=",\"pps_wall_runs\":$(json_list "${WALL[$p.$r]}")"
		row+=",\"ns_per_frame\":$ns,\"ns_runs\":$(json_list "${CPUNS[$p.$r]}")"
		row+=",\"ratio\":$(median <<<"$(ratios "${CPUNS[$p.$r]}" "${CPUNS[$p.empty]}")")"
		row+=",\"refused_runs\":$(json_list "${REFUSED[$p.$r]}")}"
		echo "$row" >>"$ROWS"
	done
done

# --- Two queues, a generator on each CPU ----------------------------------------------------
Q_RECEIVERS=(empty tool)
declare -A QPPS QSPLIT
for r in "${Q_RECEIVERS[@]}"; do
	id=$((id + 1))
	pair $id 2
	start_receiver $id "$r"
	QID[$r]=$id
done
for ((round = 1; round <= RUNS; round++)); do
	for r in "${Q_RECEIVERS[@]}"; do
		printf '\r  line rate, two queues: round %d of %d, %-30s' "$round" "$RUNS" \
			"${RLABEL[$r]}" >&2
		gen "${QID[$r]}" --cpus 0,1 --count "$COUNT" --sources 1048576
		read -r w split <<<"$(python3 -c 'import json, sys; g = json.load(sys.stdin)
print("%.0f %s" % (g["rx"] / g["secs"], "/".join(str(q) for q in g["rx_queues"])))' <<<"$GEN_OUT")"
		QPPS[$r]+="$w " QSPLIT[$r]=$split
	done
done
printf '\r%110s\r' '' >&2
for r in "${Q_RECEIVERS[@]}"; do
	stop_receiver "${QID[$r]}"
	row="{\"section\":\"linerate-queues\",\"pattern\":\"1m\",\"receiver\":\"$r\""
	row+=",\"name\":\"${RLABEL[$r]}\",\"pps_wall\":$(median <<<"${QPPS[$r]}")"
	row+=",\"pps_wall_runs\":$(json_list "${QPPS[$r]}")"
	row+=",\"ratio\":$(median <<<"$(ratios "${QPPS[empty]}" "${QPPS[$r]}")")"
	row+=",\"per_queue_last_run\":\"${QSPLIT[$r]}\"}"
	echo "$row" >>"$ROWS"
done
printf '{"section":"linerate-setup","count":%d,"runs":%d,"gen_cpu":%d,"rx_cpu":%d}\n' \
	"$COUNT" "$RUNS" "$GEN_CPU" "$RX_CPU" >>"$ROWS"
