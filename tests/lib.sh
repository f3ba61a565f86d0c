# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the shell suites (sourced, not run): result lines in the format tests/run
# counts, bounded waits, private network namespaces that are always removed, NDJSON checks.
# shellcheck shell=bash disable=SC2034  # RC, OUT, ERR, WAIT_STATUS are results for the caller

TDT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TDT_BIN=${TDT_BIN:-$TDT_ROOT/tcpdrop-top}
TDT_BPFTOOL=$("$TDT_ROOT/scripts/find-bpftool.sh")
TDT_FAILED=0
TDT_TMP=$(mktemp -d /tmp/tdt-test.XXXXXX)
TDT_PIDS=()
TDT_NETNS=()
TDT_WRAP=()	# a prefix for run_tool, e.g. (unshare -n --)

in_ci() {
	[ "${CI:-}" = true ]
}

ok() {
	echo "ok - $1"
}

# fail NAME WHY...: the reason stays on the one line tests/run reads.
fail() {
	local name=$1
	shift
	echo "FAIL - $name: $(echo "$*" | tr '\n' ' ' | sed 's/ *$//')"
	TDT_FAILED=$((TDT_FAILED + 1))
}

# A case that cannot run here. CI must run everything, so there it is a failure.
skip() {
	local name=$1
	shift
	if in_ci; then
		fail "$name" "$* (CI=true: nothing may skip)"
	else
		echo "SKIP - $name: $*"
	fi
}

# check NAME REASON: ok when REASON is empty, else FAIL with it.
check() {
	if [ -z "$2" ]; then
		ok "$1"
	else
		fail "$1" "$2"
	fi
}

finish() {
	[ "$TDT_FAILED" -eq 0 ]
}

# wait_until SECONDS CMD...: polls CMD every 0.1 s; status 1 if it never succeeded in time.
wait_until() {
	local deadline=$((SECONDS + $1))
	shift
	while ! "$@"; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.1
	done
	return 0
}

# wait_pid PID SECONDS: waits for a background child of this shell; sets WAIT_STATUS to its exit
# status, or to "running" if it was still alive at the deadline.
wait_pid() {
	local pid=$1 deadline=$((SECONDS + $2))
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			WAIT_STATUS=running
			return 1
		fi
		# A zombie still answers kill -0; ps tells it apart.
		[ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" = Z ] && break
		sleep 0.1
	done
	wait "$pid"
	WAIT_STATUS=$?
	return 0
} 2>/dev/null	# also silences bash's own "Killed" report of the job, made while polling

# Remembers a background pid so that cleanup kills it if the suite stops early.
track() {
	TDT_PIDS+=("$1")
}

kill_tracked() {
	local pid
	for pid in "${TDT_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null
	done
	for pid in "${TDT_PIDS[@]}"; do
		wait "$pid"
	done
	TDT_PIDS=()
} 2>/dev/null

cleanup() {
	local ns
	kill_tracked
	# Deleting a namespace also deletes the veth end inside it, and so its peer.
	for ns in "${TDT_NETNS[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	TDT_NETNS=()
	rm -rf "$TDT_TMP"
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

have_binary() {
	[ -x "$TDT_BIN" ]
}

# Waits (bounded by TDT_BUILD_WAIT seconds, 0 by default) for someone else to build the binary.
wait_for_binary() {
	wait_until "${TDT_BUILD_WAIT:-0}" have_binary
}

# run_tool SECONDS ARGS...: runs the binary with a hard time limit; sets RC, OUT and ERR (files).
run_tool() {
	local secs=$1
	shift
	OUT=$TDT_TMP/out.$RANDOM ERR=$TDT_TMP/err.$RANDOM
	timeout -k 2 "$secs" "${TDT_WRAP[@]}" "$TDT_BIN" "$@" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
}

# err_line_problem FILE: why FILE is not one line starting "tcpdrop-top: ", or nothing. The
# conventional "Try 'tcpdrop-top --help'" hint may follow it.
err_line_problem() {
	local n
	n=$(grep -vc "^Try .*\(-h\|--help\)" "$1")
	if [ "$n" -ne 1 ]; then
		echo "stderr has $n lines, want 1: $(head -c 300 "$1")"
	elif ! grep -q '^tcpdrop-top: ' "$1"; then
		echo "stderr does not start with 'tcpdrop-top: ': $(head -c 300 "$1")"
	fi
}

# Why network tests cannot run here, or nothing when they can.
netns_problem() {
	local ns=tdt-probe-$$
	[ "$(id -u)" -eq 0 ] || { echo "needs root"; return; }
	command -v ip >/dev/null || { echo "no ip (iproute2)"; return; }
	command -v nc >/dev/null || { echo "no nc (netcat-openbsd)"; return; }
	command -v python3 >/dev/null || { echo "no python3"; return; }
	ip netns add "$ns" 2>/dev/null || { echo "cannot create a network namespace"; return; }
	ip netns del "$ns"
	[ -d /sys/fs/bpf ] || { echo "no BPF filesystem"; return; }
}

# make_pair SERVER_NS CLIENT_NS SERVER_IF CLIENT_IF: two namespaces joined by a veth pair, with
# the TEST-NET addresses of the suites. Registered for removal before anything is created.
make_pair() {
	local s=$1 c=$2 sif=$3 cif=$4
	TDT_NETNS+=("$s" "$c")
	ip netns add "$s" && ip netns add "$c" &&
		ip link add "$sif" netns "$s" type veth peer name "$cif" netns "$c" &&
		ip -n "$s" link set lo up && ip -n "$c" link set lo up &&
		ip -n "$s" addr add 198.51.100.1/24 dev "$sif" &&
		ip -n "$c" addr add 198.51.100.2/24 dev "$cif" &&
		ip -n "$s" addr add 2001:db8:4040::1/64 dev "$sif" nodad &&
		ip -n "$c" addr add 2001:db8:4040::2/64 dev "$cif" nodad &&
		ip -n "$s" link set "$sif" up && ip -n "$c" link set "$cif" up
}

# xdp_attached NS IF: succeeds while any XDP program sits on IF, by netlink's account.
xdp_attached() {
	ip -n "$1" link show dev "$2" | grep -qE 'xdp|prog/xdp'
}

xdp_detached() {
	! xdp_attached "$@"
}

# xdp_prog_ids NS IF: ids of the XDP programs bpftool sees on IF, one a line.
xdp_prog_ids() {
	ip netns exec "$1" timeout 5 "$TDT_BPFTOOL" -j net show dev "$2" 2>/dev/null |
		python3 -c 'import json, sys
for dev in json.load(sys.stdin):
	for x in dev.get("xdp", []):
		print(x.get("id"))'
}

# nd_check FILE PYTHON: runs PYTHON with `objs` (the NDJSON objects of FILE), `lines` (its raw
# lines) and `fail(why)`; prints the first failure and returns 1, or prints nothing.
nd_check() {
	python3 - "$1" "$2" <<'EOF'
import json, re, sys

path, code = sys.argv[1], sys.argv[2]

class Failed(Exception):
	pass

def fail(why):
	raise Failed(why)

def drops(**want):
	return [o for o in objs if o.get("type") == "drop" and
		all(o.get(k) == v for k, v in want.items())]

def stats():
	return [o for o in objs if o.get("type") == "stats"]

with open(path, encoding="utf-8", errors="replace") as f:
	lines = f.read().splitlines()
objs = []
try:
	for n, line in enumerate(lines, 1):
		try:
			objs.append(json.loads(line))
		except ValueError:
			# A half-written last line is only a flush in progress.
			if n < len(lines):
				fail("line %d is not JSON: %.120s" % (n, line))
	exec(code)
except Failed as e:
	print(e)
	sys.exit(1)
EOF
}

# nd_true FILE PYTHON: nd_check without the message, for wait_until.
nd_true() {
	nd_check "$@" >/dev/null
}

# skip_all WHY / fail_all WHY: every case of the suite (its CASES array) at once, when none can
# run; then the suite ends.
skip_all() {
	local c
	for c in "${CASES[@]}"; do
		skip "$c" "$1"
	done
	finish
	exit
}

fail_all() {
	local c
	for c in "${CASES[@]}"; do
		fail "$c" "$1"
	done
	exit 1
}

# start_tool TAG ARGS...: runs tcpdrop-top on the server end ($S, $SIF), stdout and stderr to
# $TDT_TMP/TAG.out and TAG.err, and waits until stderr says it is watching. Sets TOOL, TOOL_OUT,
# TOOL_ERR; on failure returns 1 with the reason in START_WHY. SIGINT is reset to its default
# because a shell's background jobs inherit it ignored, unlike a program run from a terminal.
start_tool() {
	local tag=$1
	shift
	TOOL_OUT=$TDT_TMP/$tag.out TOOL_ERR=$TDT_TMP/$tag.err
	# Created here, before the child opens them, so that polling never meets a missing file.
	: >"$TOOL_OUT"
	: >"$TOOL_ERR"
	ip netns exec "$S" env --default-signal=INT "$TDT_BIN" -i "$SIF" "$@" \
		>"$TOOL_OUT" 2>"$TOOL_ERR" </dev/null &
	TOOL=$!
	track "$TOOL"
	if ! wait_until 10 tool_up_or_gone; then
		START_WHY="no 'watching' line on stderr within 10 s"
		return 1
	fi
	if ! kill -0 "$TOOL" 2>/dev/null; then
		wait "$TOOL"
		START_WHY="tcpdrop-top $* exited $? at start: $(head -c 200 "$TOOL_ERR")"
		return 1
	fi
	START_WHY=
}

tool_up_or_gone() {
	grep -q 'watching' "$TOOL_ERR" || ! kill -0 "$TOOL" 2>/dev/null
}

# stop_tool SIGNAL [SECONDS]: signals the tool and waits (5 s by default); STOP_STATUS is its
# exit status, or "running" (and then it is killed).
stop_tool() {
	kill -"$1" "$TOOL"
	wait_pid "$TOOL" "${2:-5}"
	STOP_STATUS=$WAIT_STATUS
	if [ "$STOP_STATUS" = running ]; then
		kill -KILL "$TOOL"
		wait "$TOOL"
	fi
} 2>/dev/null
