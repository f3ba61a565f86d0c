# SPDX-License-Identifier: GPL-2.0
# Helpers for the shell suites (sourced, not run): result lines in the format tests/run counts,
# the suites' namespaces and addresses, tcpdrop-top started and stopped, NDJSON and screen
# checks. Waits, processes, namespaces, traffic, tmux and the clean-up on exit come from
# scripts/lib.sh.
# shellcheck shell=bash disable=SC2034  # RC, OUT, ERR, STOP_STATUS are results for the caller

TDT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$TDT_ROOT/scripts/lib.sh"
TDT_BIN=${TDT_BIN:-$TDT_ROOT/tcpdrop-top}
TDT_BPFTOOL=$("$TDT_ROOT/scripts/find-bpftool.sh")
TDT_PY=$TDT_ROOT/tests/py	# the Python checkers
export PYTHONDONTWRITEBYTECODE=1	# they import checker.py: no __pycache__ in the source tree
TDT_FAILED=0
lib_tmp tdt-test
TDT_TMP=$LIB_TMP
TDT_WRAP=()	# a prefix for run_tool, e.g. (unshare -n --)
UI_ENV=()	# more environment for start_ui

in_ci() {
	[ "${CI:-}" = true ]
}

# Every suite names its cases in CASES, before the first result: tests/run is told how many to
# expect ("plan N", printed with the first result) and fails a suite that reports fewer, and
# finish() names each case that reported nothing. A lost case shows.
CASES=()

# result NAME LINE: LINE for tests/run, NAME noted as reported (from subshells too).
result() {
	if [ ! -e "$TDT_TMP/planned" ] && [ ${#CASES[@]} -gt 0 ]; then
		echo "plan ${#CASES[@]}"
		: >"$TDT_TMP/planned"
	fi
	echo "$2"
	printf '%s\n' "$1" >>"$TDT_TMP/reported"
}

ok() {
	result "$1" "ok - $1"
}

# fail NAME WHY...: the reason stays on the one line tests/run reads.
fail() {
	local name=$1
	shift
	result "$name" "FAIL - $name: $(echo "$*" | tr '\n' ' ' | sed 's/ *$//')"
	TDT_FAILED=$((TDT_FAILED + 1))
}

# A case that cannot run here. CI must run everything, so there it is a failure.
skip() {
	local name=$1
	shift
	if in_ci; then
		fail "$name" "$* (CI=true: nothing may skip)"
	else
		result "$name" "SKIP - $name: $*"
	fi
}

# not_here NAME WHY: a case this place cannot run by its nature, and WHY says where it is
# covered: a flood under emulation (the host runs it), a feature the kernel under test does not
# have (the refusal is tested instead). Declared in the count as SKIP, under CI too: nothing is
# missing from the machine, so nothing is hidden.
not_here() {
	local name=$1
	shift
	result "$name" "SKIP - $name: $*"
}

# emulated: inside the kernel matrix's guests under TCG, which forward 20-40k packets/s.
emulated() {
	[ "${TDT_MATRIX:-}" = 1 ] && [ "${TDT_VM_ACCEL:-tcg}" = tcg ]
}

# The reason a timing claim is not checked under emulation.
EMULATED_TIMING="a timing claim about the loop's own work, which emulation runs tens of times"
EMULATED_TIMING+=" slower: the host measures it"

# kernel_at_least MAJOR MINOR: the running kernel's version, from uname, is MAJOR.MINOR or later.
# Tests decide what a kernel should do from its version, not from the tool's own probes.
kernel_at_least() {
	local v
	v=$(uname -r)
	v=${v%%[-+]*}
	[ "$(printf '%s\n' "$1.$2" "$v" | sort -V | head -n 1)" = "$1.$2" ]
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
	local c
	for c in "${CASES[@]}"; do
		grep -qxF -- "$c" "$TDT_TMP/reported" 2>/dev/null ||
			fail "$c" "reported no result: the suite lost this case on its way"
	done
	[ "$TDT_FAILED" -eq 0 ]
}

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

# py_why COMMAND...: runs a checker whose stdout is a "why" (empty: passed); returns its status.
# A checker that dies without a word (killed, no interpreter) still says why here, since an empty
# why would read as a pass.
py_why() {
	local out status err=$TDT_TMP/py_why.$BASHPID.err
	out=$("$@" 2>"$err")
	status=$?
	if [ "$status" -ne 0 ] && [ -z "$out" ]; then
		out="$1 $(basename -- "${2:-}") exited with status $status: $(head -c 300 "$err")"
	fi
	rm -f "$err"
	[ -z "$out" ] || printf '%s\n' "$out"
	return "$status"
}

# syscall_cadence PID SECONDS CLASS PATTERN: how often PID makes the syscalls of strace's CLASS
# (bpf, poll, ...) whose line holds PATTERN, watched for SECONDS: sets CALLS, MAX_GAP_MS (the
# longest time between two of them, or from the start of the watch to the first),
# MEDIAN_GAP_MS and LONG_GAPS_MS (the time in gaps over 50 ms, all together). Counting the calls
# themselves tells a period apart from a slower one on any machine; the median, unlike the
# longest gap, holds however loaded it is; the time in long gaps tells a loop that stops now
# and then for a long task from one that a loaded machine delays once or twice.
syscall_cadence() {
	local log=$TDT_TMP/cadence.$1
	CALLS=0 MAX_GAP_MS='' MEDIAN_GAP_MS='' LONG_GAPS_MS=''
	command -v strace >/dev/null || { CADENCE_WHY="no strace"; return 1; }
	timeout -s INT "$2" strace -qq -p "$1" -ttt -e trace="$3" -o "$log" 2>"$log.err"
	read -r CALLS MAX_GAP_MS MEDIAN_GAP_MS LONG_GAPS_MS < <(grep -F -- "$4" "$log" |
		awk -v t0="$(head -n 1 "$log" | cut -d' ' -f1)" '{ if (NR == 1) prev = t0
		print ($1 - prev) * 1000; prev = $1 }' | sort -n |
		awk '{ g[NR] = $1; if ($1 > 50) long += $1 }
		END { printf "%d %d %d %d\n", NR, g[NR], NR ? g[int((NR + 1) / 2)] : 0, long }')
	CADENCE_WHY="strace: $(head -c 200 "$log.err")"
	[ -s "$log" ]
}

# status_field PID FIELD: the value of FIELD in /proc/PID/status.
status_field() {
	awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"
}

# kernel_may_need_cap_bpf: a kernel before 6.5 may refuse a held map descriptor without CAP_BPF
# while unprivileged BPF is off (kernel.unprivileged_bpf_disabled); tcpdrop-top tries, and where
# it is refused keeps CAP_BPF (39) alone, saying so with -v. Debian 12's 6.1 does not refuse.
kernel_may_need_cap_bpf() {
	local major minor
	IFS=. read -r major minor _ <<<"$(uname -r)"
	{ [ "$major" -lt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -lt 5 ]; }; } &&
		[ "$(cat /proc/sys/kernel/unprivileged_bpf_disabled)" != 0 ]
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
# the TEST-NET addresses of the suites (V4S, V4C, V6S, V6C), removed on exit.
V4S=198.51.100.1 V4C=198.51.100.2 V6S=2001:db8:4040::1 V6C=2001:db8:4040::2
make_pair() {
	veth_pair "$@" &&
		addr_add "$1" "$3" "$V4S/24" "$V6S/64" &&
		addr_add "$2" "$4" "$V4C/24" "$V6C/64"
}

# refused_problem NS IF PATTERN: why the run in RC and ERR is not a refusal before attaching,
# exit 2 with a stderr line matching the grep pattern PATTERN and no XDP program on IF in NS, or
# nothing.
refused_problem() {
	if [ "$RC" -ne 2 ]; then
		echo "exit status $RC, want 2: $(head -c 300 "$ERR")"
	elif ! grep -q -- "$3" "$ERR"; then
		echo "stderr does not say '$3': $(head -c 300 "$ERR")"
	elif xdp_attached "$1" "$2"; then
		echo "an XDP program is attached to $2"
	fi
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
		python3 "$LIB_JSON_FIELD" '*' xdp '*' id
}

# detached_problem NS IF: why an XDP program is still on IF 3 s on, or nothing.
detached_problem() {
	if ! wait_until 3 xdp_detached "$1" "$2"; then
		echo "an XDP program is still attached: $(ip -n "$1" link show dev "$2" | tr -s ' \n' ' ')"
	elif [ -n "$(xdp_prog_ids "$1" "$2")" ]; then
		echo "bpftool still lists XDP program(s) $(xdp_prog_ids "$1" "$2" | tr '\n' ' ')"
	fi
}

# nd_check FILE PYTHON: runs PYTHON with `objs` (the NDJSON objects of FILE), `lines` (its raw
# lines) and `fail(why)` (see tests/py/ndcheck.py); prints the first failure and returns 1, or
# prints nothing.
nd_check() {
	py_why python3 "$TDT_PY/ndcheck.py" "$1" "$2"
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
	if ! wait_line 10 "$TOOL" "$TOOL_ERR" watching; then
		if wait_pid "$TOOL" 0; then
			START_WHY="tcpdrop-top $* exited $WAIT_STATUS at start: $(head -c 200 "$TOOL_ERR")"
		else
			START_WHY="no 'watching' line on stderr within 10 s"
		fi
		return 1
	fi
	START_WHY=
}

# stop_tool SIGNAL [SECONDS]: signals the tool and waits (5 s by default); STOP_STATUS is its
# exit status, or "running" (and then it is killed).
stop_tool() {
	stop_pid "$TOOL" "$1" "${2:-5}"
	STOP_STATUS=$WAIT_STATUS
}

# foreign_xdp_obj DIR: compiles a program that is not ours (XDP_PASS, named tdt_foreign) into
# DIR/foreign.o; sets FOREIGN_OBJ, or returns 1 with the reason in FOREIGN_WHY.
foreign_xdp_obj() {
	mkdir -p "$1"
	FOREIGN_OBJ=$1/foreign.o
	cat >"$1/foreign.c" <<-'EOF'
		#include <linux/bpf.h>
		#include <bpf/bpf_helpers.h>

		SEC("xdp")
		int tdt_foreign(struct xdp_md *ctx)
		{
			return XDP_PASS;
		}

		char LICENSE[] SEC("license") = "GPL";
	EOF
	command -v clang >/dev/null || { FOREIGN_WHY="no clang to build a foreign program"; return 1; }
	clang -O2 -g -target bpf -idirafter "/usr/include/$(cc -print-multiarch)" \
		-c "$1/foreign.c" -o "$FOREIGN_OBJ" 2>"$1/cc.err" && return 0
	FOREIGN_WHY="could not compile the foreign XDP program: $(head -c 200 "$1/cc.err")"
	return 1
}

# --- The live view in a tmux pane (tui.sh, flood.sh, faults.sh) -----------------------------

# scr_check TAG PYTHON: the screen of session TAG now, checked by tests/py/screen.py; prints
# why not and returns 1, or nothing.
scr_check() {
	local f=$TDT_TMP/$1.screen
	snap "$1" "$f"
	py_why python3 "$TDT_PY/screen.py" "$f" "$2"
}

scr_true() {
	scr_check "$@" >/dev/null
}

# wait_screen SECONDS TAG PYTHON: waits for the screen to pass PYTHON; prints why it never did.
wait_screen() {
	wait_until "$1" scr_true "$2" "$3" || scr_check "$2" "$3"
}

# A live view that has ended, or nothing; for failure messages.
gone_problem() {
	[ -f "$TDT_TMP/$1.status" ] &&
		echo "tcpdrop-top exited with status $(cat "$TDT_TMP/$1.status"); screen:" \
			"$(scr_check "$1" 'print(show())')"
}

ui_up_or_gone() {
	[ -f "$TDT_TMP/$1.status" ] && return 0
	xdp_attached "$S" "$SIF" &&
		screen_now "$1" | head -1 | grep -q "^ tcpdrop-top  $SIF ("
}

# start_ui TAG NOCOLOR ARGS...: tcpdrop-top -i $SIF ARGS in namespace $S, in a new 100x30
# session TAG of the suite's tmux server (tmux_server), with NO_COLOR=1 or without NO_COLOR;
# waits for its title row and its XDP program. UI_ENV: more VAR=VALUE for its environment.
# Sets UI_PID; on failure returns 1 with the
# reason in START_WHY.
start_ui() {
	local tag=$1 colour=(env -u NO_COLOR "${UI_ENV[@]}")
	[ "$2" = 1 ] && colour=(env NO_COLOR=1 "${UI_ENV[@]}")
	shift 2
	START_WHY=
	if ! pane_start "$tag" 100 30 "$TDT_TMP/$tag" \
		"${colour[@]}" ip netns exec "$S" "$TDT_BIN" -i "$SIF" "$@"; then
		START_WHY=$PANE_WHY
		return 1
	fi
	if ! wait_until 10 ui_up_or_gone "$tag"; then
		START_WHY="no title row ' tcpdrop-top  $SIF (...' and XDP program within 10 s; screen:"
		START_WHY+=" $(scr_check "$tag" 'print(show())')"
		return 1
	fi
	START_WHY=$(gone_problem "$tag")
	[ -n "$START_WHY" ] && return 1
	UI_PID=$(cat "$TDT_TMP/$tag.pid")
	if [ "$(cat "/proc/$UI_PID/comm" 2>/dev/null)" != tcpdrop-top ]; then
		START_WHY="pid $UI_PID is not tcpdrop-top but '$(cat "/proc/$UI_PID/comm" 2>/dev/null)'"
		return 1
	fi
}

# stopped_problem TAG: why the ended live view did not leave things as they were, or nothing:
# exit status 0, the shell's line after it on the screen, the normal screen and a visible cursor
# again, the terminal modes it found, and no XDP program.
stopped_problem() {
	local tag=$1 d=$TDT_TMP/$1
	if ! wait_until 5 test -f "$d.status"; then
		echo "still running 5 s later; screen: $(scr_check "$tag" 'print(show())')"
	elif [ "$(cat "$d.status")" != 0 ]; then
		echo "exit status $(cat "$d.status"), want 0; screen: $(scr_check "$tag" 'print(show())')"
	elif ! wait_screen 3 "$tag" \
		'[r for r in rows if r.startswith("tdt-shell: the program exited")] or fail("")' \
		>/dev/null; then
		scr_check "$tag" 'print("the line printed after it is not on the screen: " + show())'
	elif [ "$(pane "$tag" '#{alternate_on}')" != 0 ]; then
		echo "the terminal is still in the alternate screen"
	elif [ "$(pane "$tag" '#{cursor_flag}')" != 1 ]; then
		echo "the cursor is still hidden"
	elif ! cmp -s "$d.stty0" "$d.stty1"; then
		echo "terminal modes not restored: stty -g was $(cat "$d.stty0"), is $(cat "$d.stty1")"
	else
		detached_problem "$S" "$SIF"
	fi
}
