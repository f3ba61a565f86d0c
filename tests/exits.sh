#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every exit: a source table of a million entries that must not stall the loop, shares after the
# table overflows, every signal whose default ends the process, Ctrl-Z and fg, and the ways the
# NDJSON stream ends (a slow reader and Ctrl-C, a reader gone, stdout closed, UTF-8 names).
# Only TEST-NET addresses in namespaces this suite creates (and always removes).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

S=tdt-xs-$$ C=tdt-xc-$$
SIF=tdtxs$$ CIF=tdtxc$$	# veth names: at most 15 characters
U=tdt-xu-$$ UC=tdt-xuc-$$ UIF=$'\xc3\xbc'$$ UCIF=tdtxuc$$	# "ü" and the pid
FILL=$TDT_ROOT/.output/tests/fill_sources
SIGNALS=(USR1 USR2 ALRM VTALRM PROF XCPU XFSZ)

CASES=(
	million_source_table_keeps_keys_and_shows_the_top_row
	million_source_table_is_read_a_few_milliseconds_a_pass
	million_source_table_loses_no_events_in_the_stream
	shares_are_of_all_drops_and_untracked_sources_get_a_row
)
for sig in "${SIGNALS[@]}"; do
	CASES+=("sig${sig,,}_restores_the_terminal_and_detaches")
done
CASES+=(
	ctrl_z_restores_the_terminal_and_fg_resumes
	ctrl_c_with_a_slow_reader_retries_and_ends_with_stats
	reader_gone_detaches_at_once
	reader_is_checked_every_pass
	drop_lines_reach_the_reader_within_a_pass
	stats_lines_come_every_interval
	closed_stdout_is_refused_before_attaching
	utf8_interface_name_is_written_as_utf8
	stack_of_128k_runs_and_exits_0
	eight_open_files_say_raise_ulimit_n_before_attaching
)

have_binary || fail_all "$TDT_BIN does not exist or is not executable (run make)"
[ -x "$FILL" ] || fail_all "$FILL is not built (make test-build)"
why=$(netns_problem)
[ -n "$why" ] && skip_all "$why"
make_pair "$S" "$C" "$SIF" "$CIF" || fail_all "could not set up namespaces and veth pair"
tmux_server "tdt-exit-$$" "$TDT_TMP/tmux.conf"

# --- A million sources: the table is read in bounded chunks between the ring and the keys ----
run_big_table() {
	local name=million_source_table_keeps_keys_and_shows_the_top_row why tag=big
	if ! start_ui $tag 1 --max-sources 4M -d 0.5; then
		fail $name "$START_WHY"
		fail million_source_table_is_read_a_few_milliseconds_a_pass "$START_WHY"
		fail million_source_table_loses_no_events_in_the_stream "$START_WHY"
		return
	fi
	if ! ip netns exec "$S" "$FILL" "$SIF" 1000000 >"$TDT_TMP/fill.err" 2>&1; then
		why="could not fill the table: $(head -c 200 "$TDT_TMP/fill.err")"
	else
		# 2001:db8:: has 1,000,000 drops, every other source one.
		why=$(wait_screen 20 $tag "
r = source_rows()
r and r[0].split()[0] == '2001:db8::' and r[0].split()[1] == '1,000,000' or fail(
	'the top row is not 2001:db8:: with 1,000,000 drops: %s' % show())")
	fi
	# "At most 2 ms of each 10 ms pass": a table this size is read round and round, and the
	# loop still waits for keys every pass. Counted from its poll() calls: the median pass
	# within 40 ms, for a loaded machine and strace's own cost (the man page's is 12), and no
	# more than a quarter of the 2 s in gaps over 50 ms (a loop reading the whole table at once
	# stops for hundreds of milliseconds every period).
	local cadence_why
	if emulated; then
		cadence_why=not_here
	elif [ -n "$why" ]; then
		cadence_why="the table was not filled: $why"
	elif ! syscall_cadence "$UI_PID" 2 poll 'poll([{fd=0, events=POLLIN}]'; then
		cadence_why="could not watch its syscalls: $CADENCE_WHY"
	elif [ "$CALLS" -lt 20 ] || [ "$MEDIAN_GAP_MS" -gt 40 ] || [ "$LONG_GAPS_MS" -gt 500 ]; then
		cadence_why="$CALLS waits for keys in 2 s while reading the table, $MEDIAN_GAP_MS ms apart (the median; up to $MAX_GAP_MS), $LONG_GAPS_MS ms in gaps over 50 ms; want one a pass, 10 ms and 2 ms of reading"
	fi
	if [ -z "$why" ]; then
		key $tag p
		why=$(wait_screen 5 $tag "'PAUSED' in keybar() or fail('p not answered: %r' % keybar())")
	fi
	key $tag q
	[ -z "$why" ] && why=$(stopped_problem $tag)
	check $name "$why"
	if [ "$cadence_why" = not_here ]; then
		not_here million_source_table_is_read_a_few_milliseconds_a_pass "$EMULATED_TIMING"
	else
		check million_source_table_is_read_a_few_milliseconds_a_pass "$cadence_why"
	fi

	# The same table under the stream: drops during its reading all get their events.
	name=million_source_table_loses_no_events_in_the_stream
	why=
	if ! start_tool bigjson --json -d 0.5 --max-sources 4M --event-rate max; then
		fail $name "$START_WHY"
		return
	fi
	if ! ip netns exec "$S" "$FILL" "$SIF" 1000000 >"$TDT_TMP/fill.err" 2>&1; then
		why="could not fill the table: $(head -c 200 "$TDT_TMP/fill.err")"
	elif ! flood 300 1; then
		why="trafgen could not send 300 SYNs: $(tail -c 200 "$TG_LOG")"
	elif ! wait_until 20 dropped_at_least "$TOOL_OUT" 300; then
		why="no stats line with 300 drops: $(tail -n 1 "$TOOL_OUT" | head -c 300)"
	fi
	stop_tool INT
	[ -z "$why" ] && why=$(nd_check "$TOOL_OUT" "
s = stats()[-1]
d = len(drops())
s['events_lost'] == 0 or fail('%d events lost while the table was read' % s['events_lost'])
d == s['dropped'] == 300 or fail('%d drop lines, %d dropped, want 300 each' % (d, s['dropped']))
t = {k: v for k, v in s['top'][0].items() if k not in ('asn', 'as_name', 'cc')}	# its owner
t == {'src': '2001:db8::', 'drops': 1000000, 'bytes': 74000000} or fail(
	'top source is %r' % s['top'][0])")
	check $name "$why"
}

dropped_at_least() {
	nd_true "$1" "[s for s in stats() if s.get('dropped', 0) >= $2] or fail('')"
}

# flood N SOURCES [GAP]: N SYNs with trafgen from the client to port 4040, from SOURCES
# addresses (198.51.100.2 on), one after the other, GAP apart (trafgen's -t); waits for
# trafgen to end.
flood() {
	TG_LOG=$TDT_TMP/trafgen.log
	syn_flood_cfg "$TDT_TMP/syn.cfg" "$(link_mac "$S" "$SIF")" "$(link_mac "$C" "$CIF")" "$2"
	ip netns exec "$C" timeout 30 trafgen -o "$CIF" -c "$TDT_TMP/syn.cfg" -n "$1" \
		${3:+-t "$3"} -P 1 >"$TG_LOG" 2>&1 </dev/null
}

# --- Shares when sources go untracked: of all drops, with the untracked ones in a row ------
# spoofed_cfg FILE DST_MAC SRC_MAC: a trafgen config of two IPv6 SYNs to port 4040 that trafgen
# sends in turn: one from 2001:db8::1:1 again and again, the other from 2001:db8::XX:YY with
# XX and YY counting up a packet (periods 256 and 251: 64,256 sources before one comes back).
spoofed_cfg() {
	local head dst tcp
	head="eth(da=$2, sa=$3, type=0x86dd), 0x60, 0, 0, 0, 0, 20, 6, 64,"
	head+=" 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,"
	dst="0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,"
	tcp="0x9c, 0x40, 0x0f, 0xc8, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0"
	cat >"$1" <<-EOF
		{ $head 0, 1, 0, 1, $dst $tcp }
		{ $head 0, 0, dinc(0, 255), dinc(0, 250), $dst $tcp }
	EOF
}

run_shares() {
	local name=shares_are_of_all_drops_and_untracked_sources_get_a_row why tag=shares sum
	if ! start_ui $tag 1 --max-sources 64 -d 0.2; then
		fail $name "$START_WHY"
		return
	fi
	# 10,000 drops from one source, and one each from 10,000 others: more than every CPU's
	# recent entries hold (4,096 each), so most of those go untracked.
	TG_LOG=$TDT_TMP/trafgen.log
	spoofed_cfg "$TDT_TMP/spoofed.cfg" "$(link_mac "$S" "$SIF")" "$(link_mac "$C" "$CIF")"
	if ! ip netns exec "$C" timeout 30 trafgen -o "$CIF" -c "$TDT_TMP/spoofed.cfg" -n 20000 \
		-P 1 >"$TG_LOG" 2>&1 </dev/null; then
		why="trafgen: $(tail -c 200 "$TG_LOG")"
	else
		why=$(wait_screen 10 $tag \
			"counter('dropped') == 20000 or fail('dropped: %s' % show())")
	fi
	if [ -z "$why" ]; then
		sleep 0.5	# one more refresh after the last drop
		sum=$(ip netns exec "$S" "$FILL" "$SIF" sum)
		why=$(wait_screen 5 $tag "
ev = [r for r in rows if 'sources not tracked' in r]
ev or fail('no row for the drops of untracked sources: %s' % show())
f = ev[0].split()
drops, share = int(f[-2].replace(',', '')), float(f[-1].rstrip('%'))
drops == 20000 - $sum or fail('untracked drops %d, want 20000 - %d in rows' % (drops, $sum))
drops > 0 or fail('nothing untracked: %s' % show())
abs(share - 100.0 * drops / 20000) < 0.06 or fail('untracked share %s%% of %d' % (share, drops))
top = source_rows()[0].split()
top[0] == '2001:db8::1:1' and top[1] == '10,000' or fail('top row: %s' % show())
share = [x for x in top if x.endswith('%')][0]
abs(float(share.rstrip('%')) - 50.0) < 0.06 or fail(
	'top share %s is not of all 20,000 drops' % share)")
	fi
	key $tag q
	[ -z "$why" ] && why=$(stopped_problem $tag)
	check $name "$why"
}

# --- Signals: each whose default ends the process restores the terminal, then ends it ------
run_signals() {
	local sig name why tag num
	for sig in "${SIGNALS[@]}"; do
		name="sig${sig,,}_restores_the_terminal_and_detaches"
		tag=sig${sig,,}
		if ! start_ui "$tag" 1; then
			fail "$name" "$START_WHY"
			continue
		fi
		num=$(kill -l "$sig")
		kill "-$sig" "$UI_PID"
		why=$(ended_by_problem "$tag" $((128 + num)))
		check "$name" "$why"
	done
}

# ended_by_problem TAG STATUS: like stopped_problem, for a live view ended by a signal: the
# exit status the shell reports for it, and the terminal and the interface left as they were.
ended_by_problem() {
	local d=$TDT_TMP/$1
	if ! wait_until 5 test -f "$d.status"; then
		echo "still running 5 s later: $(scr_check "$1" 'print(show())')"
	elif [ "$(cat "$d.status")" != "$2" ]; then
		echo "exit status $(cat "$d.status"), want $2"
	elif [ "$(pane "$1" '#{alternate_on}')" != 0 ]; then
		echo "the terminal is still in the alternate screen"
	elif [ "$(pane "$1" '#{cursor_flag}')" != 1 ]; then
		echo "the cursor is still hidden"
	elif ! cmp -s "$d.stty0" "$d.stty1"; then
		echo "terminal modes not restored: stty -g was $(cat "$d.stty0"), is $(cat "$d.stty1")"
	else
		detached_problem "$S" "$SIF"
	fi
}

# --- Ctrl-Z and fg: curses leaves the terminal as it found it while stopped -----------------
# main_screen TAG: the pane shows the main screen, not curses' alternate one (asked anew each
# time wait_until polls).
main_screen() {
	[ "$(pane "$1" '#{alternate_on}')" = 0 ]
}

# Job control needs an interactive shell: the pane's own shell would make an orphaned process
# group, whose Ctrl-Z the kernel discards.
run_ctrl_z() {
	local name=ctrl_z_restores_the_terminal_and_fg_resumes why tag=ctrlz pid
	"${TM[@]}" new-session -d -s $tag -x 100 -y 30 "env -i PATH=$PATH TERM=screen \
		LANG=C.UTF-8 NO_COLOR=1 PS1='tdt\$ ' bash --norc --noprofile -i"
	key $tag "ip netns exec $S $TDT_BIN -i $SIF" $'\r'
	if ! wait_until 10 ui_up_or_gone $tag; then
		fail $name "no title row within 10 s: $(scr_check $tag 'print(show())')"
		return
	fi
	pid=$(pgrep -n -f "^$TDT_BIN -i $SIF\$")
	key $tag $'\x1a'	# Ctrl-Z
	if ! wait_until 5 process_stopped "$pid"; then
		why="not stopped by Ctrl-Z: state $(ps -o stat= -p "$pid")"
	elif ! wait_until 3 main_screen $tag; then
		why="the alternate screen stays while stopped"
	elif ! xdp_attached "$S" "$SIF"; then
		why="the filter went away while stopped"
	else
		key $tag fg $'\r'
		why=$(wait_screen 5 $tag "title().startswith(' tcpdrop-top  $SIF') or fail(show())")
		[ -z "$why" ] && key $tag p && why=$(wait_screen 3 $tag "
'PAUSED' in keybar() or fail('p not answered after fg: %r' % keybar())")
	fi
	key $tag q
	if [ -z "$why" ] && ! wait_pid_gone "$pid"; then
		why="q did not end it after fg"
	fi
	[ -z "$why" ] && why=$(detached_problem "$S" "$SIF")
	check $name "$why"
}

wait_pid_gone() {
	wait_until 5 eval "! kill -0 $1 2>/dev/null"
}

process_stopped() {
	[ "$(ps -o stat= -p "$1" | cut -c1)" = T ]
}

# --- The stream's ends --------------------------------------------------------------------------
# stream_to_fifo TAG ARGS...: tcpdrop-top --json ARGS writing into the fifo $TDT_TMP/TAG.fifo
# (TOOL, TOOL_ERR); the reader is the caller's.
stream_to_fifo() {
	local tag=$1
	shift
	FIFO=$TDT_TMP/$tag.fifo TOOL_ERR=$TDT_TMP/$tag.err
	mkfifo "$FIFO"
	: >"$TOOL_ERR"
	ip netns exec "$S" env --default-signal=INT "$TDT_BIN" -i "$SIF" --json "$@" \
		>"$FIFO" 2>"$TOOL_ERR" </dev/null &
	TOOL=$!
	track "$TOOL"
}

run_slow_reader() {
	local name=ctrl_c_with_a_slow_reader_retries_and_ends_with_stats why out=$TDT_TMP/slow.out
	# The reader sleeps while 5,000 drop lines fill the pipe and block the writer; Ctrl-C
	# then lands in a blocked write.
	stream_to_fifo slow -d 0.2 --event-rate max
	(sleep 6; cat) <"$FIFO" >"$out" &
	track $!
	if ! wait_line 10 "$TOOL" "$TOOL_ERR" watching; then
		why="did not start: $(head -c 200 "$TOOL_ERR")"
	elif ! flood 5000 1; then
		why="trafgen: $(tail -c 200 "$TG_LOG")"
	else
		sleep 1
		kill -INT "$TOOL"
		wait_pid "$TOOL" 20
		if [ "$WAIT_STATUS" != 0 ]; then
			why="exit status $WAIT_STATUS, want 0: $(head -c 300 "$TOOL_ERR")"
		elif grep -q 'failed' "$TOOL_ERR"; then
			why="stderr: $(head -c 300 "$TOOL_ERR")"
		else
			why=$(nd_check "$out" "
s = stats()
s or fail('no stats line')
lines[-1].startswith('{\"type\":\"stats\"') or fail('the last line is not stats: %.100s' % lines[-1])
s[-1]['dropped'] == 5000 or fail('final dropped %r, want 5000' % s[-1]['dropped'])
len(drops()) + s[-1]['events_lost'] == 5000 or fail('%d drop lines + %d lost != 5000' %
	(len(drops()), s[-1]['events_lost']))")
		fi
	fi
	check $name "$why"
}

run_reader_gone() {
	local name=reader_gone_detaches_at_once why
	# -d 20: no stats line for 20 s, so only noticing the reader can end it early.
	stream_to_fifo gone -d 20
	head -n 1 <"$FIFO" >"$TDT_TMP/gone.out" &
	track $!
	if ! wait_line 10 "$TOOL" "$TOOL_ERR" watching; then
		why="did not start: $(head -c 200 "$TOOL_ERR")"
	elif probe "$C" "$V4S" 4040 40600; then
		why="TCP to 4040 connected"
	elif ! wait_until 3 grep -q '"type":"drop"' "$TDT_TMP/gone.out"; then
		why="head read no drop line"
	elif ! wait_pid "$TOOL" 3; then
		why="still running 3 s after its reader went away"
	elif [ "$WAIT_STATUS" != 0 ]; then
		why="exit status $WAIT_STATUS, want 0: $(head -c 300 "$TOOL_ERR")"
	else
		why=$(detached_problem "$S" "$SIF")
	fi
	check $name "$why"
}

# The man page's "noticed within one pass of the loop, 10 ms, even with nothing to write": the case
# above bounds the exit; this one counts the checks (a poll of stdout for no events), one a pass:
# the median gap within 30 ms, for a loaded machine and strace's own cost.
run_reader_cadence() {
	local name=reader_is_checked_every_pass why
	stream_to_fifo cadence -d 20
	cat <"$FIFO" >/dev/null &
	track $!
	if ! wait_line 10 "$TOOL" "$TOOL_ERR" watching; then
		why="did not start: $(head -c 200 "$TOOL_ERR")"
	elif ! syscall_cadence "$TOOL" 1 poll 'poll([{fd=1, events=0}]'; then
		why="could not watch its syscalls: $CADENCE_WHY"
	elif [ "$CALLS" -lt 10 ] || [ "$MEDIAN_GAP_MS" -gt 30 ]; then
		why="$CALLS checks of stdout in 1 s, $MEDIAN_GAP_MS ms apart (the median; up to $MAX_GAP_MS); want one every 10 ms"
	fi
	kill -INT "$TOOL" 2>/dev/null
	wait_pid "$TOOL" 5
	check $name "$why"
}

# "Flushed at least every 10 ms while there is something to say": 20 drops 50 ms apart, each
# line stamped as the reader gets it and held against the time of its packet. Half of them
# within 100 ms: a tenth of that is the man page's figure, the rest is for a loaded machine; a
# stream flushed only now and then is hundreds of milliseconds late.
run_latency() {
	local name=drop_lines_reach_the_reader_within_a_pass why out=$TDT_TMP/stamped.out reader
	stream_to_fifo latency -d 1 --event-rate max
	python3 "$TDT_PY/stamp_lines.py" "$out" <"$FIFO" &
	reader=$!
	track $reader
	if ! wait_line 10 "$TOOL" "$TOOL_ERR" watching; then
		why="did not start: $(head -c 200 "$TOOL_ERR")"
	elif ! flood 20 1 50ms; then
		why="trafgen: $(tail -c 200 "$TG_LOG")"
	elif ! wait_until 5 drop_lines_are 20 "$out"; then
		why="$(grep -c '"type":"drop"' "$out") drop lines of 20 within 5 s"
	fi
	kill -INT "$TOOL" 2>/dev/null
	wait_pid "$TOOL" 5
	wait_pid $reader 5
	[ -z "$why" ] && why=$(py_why python3 "$TDT_PY/stamp_lines.py" late "$out" 20 100)
	check $name "$why"
}

drop_lines_are() {
	[ "$(grep -c '"type":"drop"' "$2")" -eq "$1" ]
}

# -d 0.2 for 3 s: the stats lines' times 0.2 s apart (the middle of their gaps, so a stall of a
# loaded machine does not count), and one more at the end.
run_interval() {
	local name=stats_lines_come_every_interval why
	if ! start_tool interval --json -d 0.2 --duration 3; then
		fail $name "$START_WHY"
		return
	fi
	wait_pid "$TOOL" 10
	if [ "$WAIT_STATUS" != 0 ]; then
		why="--duration 3: status $WAIT_STATUS, want 0"
	else
		why=$(nd_check "$TOOL_OUT" "
import datetime
t = [datetime.datetime.strptime(s['time'], '%Y-%m-%dT%H:%M:%S.%fZ').timestamp() for s in stats()]
len(t) >= 10 or fail('%d stats lines in 3 s at -d 0.2' % len(t))
gaps = sorted(b - a for a, b in zip(t[:-2], t[1:-1]))
m = gaps[len(gaps) // 2]
0.15 <= m <= 0.3 or fail('stats lines %.3f s apart (the median of %d), want 0.2' % (m, len(gaps)))")
	fi
	check $name "$why"
}

run_closed_stdout() {
	local name=closed_stdout_is_refused_before_attaching
	ERR=$TDT_TMP/closed.err
	ip netns exec "$S" timeout -k 2 10 "$TDT_BIN" -i "$SIF" --json >&- 2>"$ERR" </dev/null
	RC=$?
	check $name "$(refused_problem "$S" "$SIF" '^tcpdrop-top: stdout is closed')"
}

run_utf8_name() {
	local name=utf8_interface_name_is_written_as_utf8 why
	if ! veth_pair "$U" "$UC" "$UIF" "$UCIF" || ! addr_add "$U" "$UIF" "$V4S/24" ||
		! addr_add "$UC" "$UCIF" "$V4C/24"; then
		fail $name "could not make a veth named $UIF"
		return
	fi
	if ! S=$U SIF=$UIF start_tool utf8 --json -d 0.2; then
		fail $name "$START_WHY"
		return
	fi
	probe "$UC" "$V4S" 4040 40700
	if ! wait_until 3 grep -q '"sport":40700' "$TOOL_OUT"; then
		why="no drop line for the SYN"
	elif ! grep -q "\"ifname\":\"$UIF\"" "$TOOL_OUT"; then
		why="ifname is not written as UTF-8: $(grep -o '"ifname":"[^"]*"' "$TOOL_OUT" | head -1)"
	fi
	stop_tool INT
	check $name "$why"
}

# --- Tight limits: the tool runs, or says which limit to raise ---------------------------------
# shellcheck disable=SC2016  # expanded by the bash inside the namespace
LIMITED='ulimit -"$1" "$2" || exit 99; shift 2; exec "$@"'

run_small_stack() {
	local name=stack_of_128k_runs_and_exits_0 why=
	ip netns exec "$S" timeout -k 2 10 bash -c "$LIMITED" - s 128 \
		"$TDT_BIN" --dry-run -i "$SIF" --duration 0.5 --json \
		>"$TDT_TMP/stack.out" 2>"$TDT_TMP/stack.err" </dev/null
	RC=$?
	if [ "$RC" -eq 99 ]; then
		why="ulimit -s 128 refused"
	elif [ "$RC" -ne 0 ]; then
		why="exit status $RC, want 0 (139 is SIGSEGV): $(head -c 200 "$TDT_TMP/stack.err")"
	else
		why=$(nd_check "$TDT_TMP/stack.out" "stats() or fail('no stats line')")
	fi
	[ -z "$why" ] && why=$(detached_problem "$S" "$SIF")
	check $name "$why"
}

run_few_files() {
	local name=eight_open_files_say_raise_ulimit_n_before_attaching why=
	ERR=$TDT_TMP/files.err
	ip netns exec "$S" timeout -k 2 10 bash -c "$LIMITED" - n 8 \
		"$TDT_BIN" -i "$SIF" --duration 0.5 --json >/dev/null 2>"$ERR" </dev/null
	RC=$?
	if [ "$RC" -ne 1 ]; then
		why="exit status $RC, want 1: $(head -c 200 "$ERR")"
	elif ! grep -q '^tcpdrop-top: .*too many open files (ulimit -n is 8): raise ulimit -n' "$ERR"; then
		why="stderr does not say too many open files, raise ulimit -n: $(head -c 300 "$ERR")"
	else
		why=$(err_line_problem "$ERR")
	fi
	[ -z "$why" ] && xdp_attached "$S" "$SIF" && why="an XDP program is attached to $SIF"
	check $name "$why"
}

run_big_table
run_shares
run_signals
run_ctrl_z
run_slow_reader
run_reader_gone
run_reader_cadence
run_latency
run_interval
run_closed_stdout
run_utf8_name
run_small_stack
run_few_files
finish
