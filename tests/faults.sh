#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Faults and least privilege: the interface vanishing under a running tcpdrop-top, hang-ups,
# map memory running out, the kernel refusing the program, and the capabilities the process
# keeps while it runs (none). Traffic only inside namespaces this suite creates and removes.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

S=tdt-fs-$$ C=tdt-fc-$$
SIF=tdtfs$$ CIF=tdtfc$$
REFUSE_BPF=$TDT_ROOT/.output/tests/refuse_bpf

CASES=(
	vanished_interface_ends_the_stream_within_2s_with_status_1
	attachment_is_checked_every_quarter_second
	vanished_interface_ends_the_tui_and_restores_the_terminal
	sighup_reloads_and_the_run_goes_on
	closed_terminal_ends_the_tui_and_leaves_no_xdp_program
	no_capability_is_left_while_running
	sudo_user_is_taken_on_after_attach
	map_memory_exhaustion_is_a_clear_error_with_nothing_attached
	kernel_refusing_the_program_is_a_clear_error_with_nothing_attached
	verbose_shows_libbpf_messages_when_the_kernel_refuses
)
CASES+=(smallest_and_largest_settings_load_and_drop)
all_cases() {
	local c
	for c in "${CASES[@]}"; do
		"$1" "$c" "$2"
	done
	[ "$1" = fail ] && exit 1
	finish
	exit
}

have_binary || all_cases fail "$TDT_BIN does not exist or is not executable (run make)"
why=$(netns_problem)
[ -n "$why" ] && all_cases skip "$why"
command -v tmux >/dev/null || all_cases skip "no tmux"
make_pair "$S" "$C" "$SIF" "$CIF" || all_cases fail "could not set up namespaces and veth pair"
tmux_server "tdt-faults-$$" "$TDT_TMP/tmux.conf"

# syn_to_4040 SPORT: one connection attempt that the filter drops.
syn_to_4040() {
	probe "$C" "$V4S" 4040 "$1"
}

# vanishing_veth NS IF PEER: a namespace of its own with a veth pair in it, for a case that
# deletes IF under a running tcpdrop-top.
vanishing_veth() {
	netns_add "$1" &&
		ip -n "$1" link add "$2" type veth peer name "$3" &&
		ip -n "$1" link set "$2" up && ip -n "$1" link set "$3" up
}

drop_seen() {
	grep -q "\"sport\":$1," "$TOOL_OUT"
}

# A vanished interface must end the run, not leave it watching nothing.
t_vanished_stream() {
	local name=$1 ns=tdt-fv-$$ pid t0 t1
	vanishing_veth "$ns" tdtgone0 tdtgone1
	OUT=$TDT_TMP/vanish.out ERR=$TDT_TMP/vanish.err
	: >"$ERR"
	ip netns exec "$ns" "$TDT_BIN" -i tdtgone0 --json >"$OUT" 2>"$ERR" </dev/null &
	pid=$!
	track "$pid"
	if ! wait_line 10 "$pid" "$ERR" watching; then
		fail "$name" "did not start: $(head -c 200 "$ERR")"
		return
	fi
	t0=$(date +%s%N)
	ip -n "$ns" link del tdtgone0
	wait_pid "$pid" 5
	t1=$(date +%s%N)
	if [ "$WAIT_STATUS" = running ]; then
		fail "$name" "still running 5 s after its interface was deleted"
	elif [ "$WAIT_STATUS" -ne 1 ]; then
		fail "$name" "exit status $WAIT_STATUS, want 1"
	elif [ $(((t1 - t0) / 1000000)) -gt 2000 ]; then
		fail "$name" "took $(((t1 - t0) / 1000000)) ms to notice, want under 2000"
	elif ! grep -q 'interface "tdtgone0" is gone' "$ERR"; then
		fail "$name" "message does not name the interface: $(tail -n 1 "$ERR")"
	else
		ok "$name"
	fi
}

# The man page's "notices within a quarter of a second": the end-to-end case above bounds the
# whole exit under load; this one counts the checks themselves (bpf(BPF_OBJ_GET_INFO_BY_FD) on
# the link), 250 ms apart: the median gap within 400 ms, for a loaded machine and strace's own
# cost.
t_check_cadence() {
	local name=$1
	start_tool faults --json || { fail "$name" "$START_WHY"; return; }
	if ! syscall_cadence "$TOOL" 2 bpf BPF_OBJ_GET_INFO_BY_FD; then
		fail "$name" "could not watch its syscalls: $CADENCE_WHY"
	elif [ "$CALLS" -lt 5 ] || [ "$MEDIAN_GAP_MS" -gt 400 ]; then
		fail "$name" "$CALLS checks in 2 s, $MEDIAN_GAP_MS ms apart (the median; up to $MAX_GAP_MS); want one every 250 ms"
	else
		ok "$name"
	fi
	stop_tool INT
}

# tui_start SESSION CMD...: CMD (a TUI) in a new session of the suite's tmux server, its exit
# status in $TDT_TMP/SESSION.status (STATUS_FILE); succeeds once its screen is up.
tui_start() {
	local session=$1
	shift
	STATUS_FILE=$TDT_TMP/$session.status
	pane_start "$session" 100 30 "$TDT_TMP/$session" "$@" &&
		wait_until 10 tui_shows "$session" 'TOP SOURCES'
}

tui_shows() {
	screen_now "$1" | grep -qF "$2"
}

t_vanished_tui() {
	local name=$1 ns=tdt-fw-$$ status
	vanishing_veth "$ns" tdtgone2 tdtgone3
	if ! PANE_ERR=$TDT_TMP/vanish-tui.err tui_start vanish \
		ip netns exec "$ns" "$TDT_BIN" -i tdtgone2; then
		fail "$name" "the TUI did not come up"
		return
	fi
	ip -n "$ns" link del tdtgone2
	if ! wait_until 3 test -s "$STATUS_FILE"; then
		fail "$name" "still running 3 s after its interface was deleted"
		return
	fi
	status=$(cat "$STATUS_FILE")
	if [ "$status" -ne 1 ]; then
		fail "$name" "exit status $status, want 1"
	elif ! grep -q 'interface "tdtgone2" is gone' "$TDT_TMP/vanish-tui.err"; then
		fail "$name" "no message naming the interface: $(head -c 200 "$TDT_TMP/vanish-tui.err")"
	elif ! wait_until 3 test -s "$TDT_TMP/vanish.stty1" ||
	     ! cmp -s "$TDT_TMP/vanish.stty0" "$TDT_TMP/vanish.stty1"; then
		fail "$name" "terminal settings not restored"
	elif ! wait_until 3 tui_shows vanish 'tdt-shell: the program exited' ||
	     tui_shows vanish 'TOP SOURCES'; then
		fail "$name" "the screen was not handed back: $(screen_now vanish | head -3)"
	else
		ok "$name"
	fi
}

t_sighup() {
	local name=$1
	start_tool faults --json -d 0.2 || { fail "$name" "$START_WHY"; return; }
	kill -HUP "$TOOL"
	if ! wait_until 5 grep -q '"type":"reload","time":"[^"]*","ok":true' "$TOOL_OUT"; then
		fail "$name" "no reload line 5 s after SIGHUP: $(tail -c 300 "$TOOL_OUT")"
		stop_tool TERM
		return
	fi
	sleep 0.3
	if ! alive "$TOOL" || ! xdp_attached "$S" "$SIF"; then
		fail "$name" "the run did not go on after the reload"
		stop_tool TERM
		return
	fi
	stop_tool TERM
	if [ "$STOP_STATUS" != 0 ]; then
		fail "$name" "exit status $STOP_STATUS after SIGTERM, want 0"
	elif xdp_attached "$S" "$SIF"; then
		fail "$name" "an XDP program is still attached"
	else
		ok "$name"
	fi
}

# Closing the terminal (tmux kill-session) hangs up the TUI: it must go, and take its filter.
t_closed_terminal() {
	local name=$1
	if ! tui_start closing ip netns exec "$S" "$TDT_BIN" -i "$SIF"; then
		fail "$name" "the TUI did not come up"
		return
	fi
	"${TM[@]}" kill-session -t closing
	if ! wait_until 5 xdp_detached "$S" "$SIF"; then
		fail "$name" "an XDP program is still attached 5 s after the terminal closed"
	elif ! wait_until 5 sh -c "! ip netns pids $S | grep -q ."; then
		fail "$name" "tcpdrop-top still runs after its terminal closed"
	else
		ok "$name"
	fi
}

t_no_capabilities() {
	local name=$1 eff prm bnd amb nnp want=0000000000000000
	start_tool faults --json || { fail "$name" "$START_WHY"; return; }
	eff=$(status_field "$TOOL" CapEff) prm=$(status_field "$TOOL" CapPrm)
	[ "$eff" = 0000008000000000 ] && kernel_may_need_cap_bpf && want=0000008000000000
	bnd=$(status_field "$TOOL" CapBnd) amb=$(status_field "$TOOL" CapAmb)
	nnp=$(status_field "$TOOL" NoNewPrivs)
	syn_to_4040 41001
	wait_until 3 drop_seen 41001
	if [ "$eff" != "$want" ] || [ "$prm" != "$want" ]; then
		fail "$name" "CapEff $eff, CapPrm $prm while running; want both $want"
	elif [ "$bnd" != 0000000000000000 ] || [ "$amb" != 0000000000000000 ]; then
		fail "$name" "CapBnd $bnd, CapAmb $amb while running; want both empty"
	elif [ "$nnp" != 1 ]; then
		fail "$name" "NoNewPrivs is $nnp, want 1"
	elif ! drop_seen 41001; then
		fail "$name" "no drop event once the capabilities were gone"
	else
		ok "$name"
	fi
	stop_tool INT
}

t_sudo_user() {
	local name=$1 uid
	SUDO_UID=65534 SUDO_GID=65534 start_tool faults --json ||
		{ fail "$name" "$START_WHY"; return; }
	uid=$(status_field "$TOOL" Uid)
	syn_to_4040 41002
	wait_until 3 drop_seen 41002
	if [ "$uid" != "65534 65534 65534 65534" ]; then
		fail "$name" "uids are '$uid', want the sudo user's (65534) everywhere"
	elif ! drop_seen 41002; then
		fail "$name" "no drop event after switching user"
	else
		ok "$name"
	fi
	stop_tool INT
}

# memory_cgroup: a fresh memory cgroup (v2 or v1) limited to 32 MiB; prints its directory.
memory_cgroup() {
	local base dir
	if grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
		base=/sys/fs/cgroup
		dir=$base/tdt-oom-$$
		mkdir "$dir" 2>/dev/null && echo $((32 << 20)) >"$dir/memory.max" && echo "$dir"
		return
	fi
	base=/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)
	[ -d "$base" ] || base=/sys/fs/cgroup/memory
	dir=${base%/}/tdt-oom-$$
	mkdir "$dir" 2>/dev/null && echo $((32 << 20)) >"$dir/memory.limit_in_bytes" && echo "$dir"
}

t_out_of_memory() {
	local name=$1 cg
	cg=$(memory_cgroup)
	if [ -z "$cg" ]; then
		skip "$name" "no memory cgroup to limit"
		return
	fi
	OUT=$TDT_TMP/oom.out ERR=$TDT_TMP/oom.err
	timeout 20 sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' _ "$cg" \
		ip netns exec "$S" "$TDT_BIN" -i "$SIF" --json --ring-size 1G >"$OUT" 2>"$ERR"
	RC=$?
	rmdir "$cg" 2>/dev/null
	if [ "$RC" -ne 1 ]; then
		fail "$name" "exit status $RC with a 1 GiB ring in 32 MiB, want 1"
	elif ! grep -q 'not enough memory for the BPF maps.*--ring-size' "$ERR"; then
		fail "$name" "unclear message: $(head -c 200 "$ERR")"
	elif [ "$(wc -l <"$ERR")" -ne 1 ]; then
		fail "$name" "more than one line on stderr: $(head -c 300 "$ERR")"
	elif xdp_attached "$S" "$SIF"; then
		fail "$name" "an XDP program was left attached"
	else
		ok "$name"
	fi
}

t_refused() {
	local name=$1
	if [ ! -x "$REFUSE_BPF" ]; then
		fail "$name" "$REFUSE_BPF is not built (make test-build)"
		return
	fi
	OUT=$TDT_TMP/refused.out ERR=$TDT_TMP/refused.err
	timeout 20 ip netns exec "$S" "$REFUSE_BPF" "$TDT_BIN" -i "$SIF" --json >"$OUT" 2>"$ERR"
	RC=$?
	if [ "$RC" -ne 1 ]; then
		fail "$name" "exit status $RC, want 1"
	elif ! grep -q '^tcpdrop-top: the kernel refused the XDP program: .*-v' "$ERR"; then
		fail "$name" "unclear message: $(head -c 200 "$ERR")"
	elif xdp_attached "$S" "$SIF"; then
		fail "$name" "an XDP program was left attached"
	else
		ok "$name"
	fi
}

# -v: libbpf's own lines, which say what the kernel refused, before our one-line message.
t_verbose() {
	local name=$1
	if [ ! -x "$REFUSE_BPF" ]; then
		fail "$name" "$REFUSE_BPF is not built (make test-build)"
		return
	fi
	OUT=$TDT_TMP/verbose.out ERR=$TDT_TMP/verbose.err
	timeout 20 ip netns exec "$S" "$REFUSE_BPF" "$TDT_BIN" -i "$SIF" --json -v >"$OUT" 2>"$ERR"
	RC=$?
	if [ "$RC" -ne 1 ]; then
		fail "$name" "exit status $RC, want 1"
	elif ! grep -q '^libbpf: .*tcpdrop' "$ERR"; then
		fail "$name" "-v shows no libbpf message: $(head -c 200 "$ERR")"
	elif [ "$(grep -c '^tcpdrop-top: the kernel refused the XDP program' "$ERR")" -ne 1 ]; then
		fail "$name" "no message of our own after libbpf's: $(tail -c 200 "$ERR")"
	else
		ok "$name"
	fi
}

t_settings_bounds() {
	local name=$1 sport=41010 args problem=
	for args in "--ring-size 4K --max-sources 64" "--ring-size 1G --max-sources 4M" \
		    "--ring-size 4K --max-sources 64 --dry-run"; do
		# shellcheck disable=SC2086
		if ! start_tool faults --json $args; then
			problem="$args: $START_WHY"
			break
		fi
		sport=$((sport + 1))
		syn_to_4040 "$sport"
		wait_until 3 drop_seen "$sport" || problem="$args: no drop event for port $sport"
		stop_tool INT
		[ -n "$problem" ] && break
	done
	check "$name" "$problem"
}

t_vanished_stream vanished_interface_ends_the_stream_within_2s_with_status_1
t_check_cadence attachment_is_checked_every_quarter_second
t_vanished_tui vanished_interface_ends_the_tui_and_restores_the_terminal
t_sighup sighup_reloads_and_the_run_goes_on
t_closed_terminal closed_terminal_ends_the_tui_and_leaves_no_xdp_program
t_no_capabilities no_capability_is_left_while_running
t_sudo_user sudo_user_is_taken_on_after_attach
t_out_of_memory map_memory_exhaustion_is_a_clear_error_with_nothing_attached
t_refused kernel_refusing_the_program_is_a_clear_error_with_nothing_attached
t_verbose verbose_shows_libbpf_messages_when_the_kernel_refuses
# The largest settings want a 1 GiB ring and a 4M-source table: more than the kernel matrix's
# 2 GiB guests hold.
if [ "${TDT_MATRIX:-}" = 1 ]; then
	not_here smallest_and_largest_settings_load_and_drop "a 1 GiB ring and a 4M-source" \
		"table do not fit a 2 GiB guest: the host runs it"
else
	t_settings_bounds smallest_and_largest_settings_load_and_drop
fi
finish
