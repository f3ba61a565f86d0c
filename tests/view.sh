#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The live view in the states tests/tui.sh does not bring about: a dry run's "would drop", events
# lost to a full ring (the red banner) and events held back by --event-rate ("not logged", the
# log a sample), and a log scrolled back while drops keep coming. In a tmux pane, on the server
# end of a veth pair, with SYNs from netcat and trafgen on the client end. Only TEST-NET
# addresses in namespaces this suite creates (and always removes) carry any traffic.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

S=tdt-vs-$$ C=tdt-vc-$$
SIF=tdtvs$$ CIF=tdtvc$$	# veth names: at most 15 characters

CASES=(
	dry_run_counter_says_would_drop
	scrolled_back_rows_stay_put_as_drops_arrive
	esc_closes_the_help_and_then_quits
	lost_events_turn_into_the_events_lost_banner_and_counts_stay_exact
	throttled_drops_show_as_not_logged_and_the_log_as_a_sample
)

have_binary || fail_all "$TDT_BIN does not exist or is not executable (run make)"
why=$(netns_problem)
[ -n "$why" ] && skip_all "$why"
command -v tmux >/dev/null || skip_all "no tmux"
command -v trafgen >/dev/null || skip_all "no trafgen (netsniff-ng; make deps installs it)"
make_pair "$S" "$C" "$SIF" "$CIF" || fail_all "could not set up namespaces and veth pair"
tmux_server "tdt-view-$$" "$TDT_TMP/tmux.conf"
syn_flood_cfg "$TDT_TMP/syn.cfg" "$(link_mac "$S" "$SIF")" "$(link_mac "$C" "$CIF")" 1

# flood N [GAP]: N SYNs from trafgen to port 4040, GAP apart (trafgen's -t), to its end.
flood() {
	TG_LOG=$TDT_TMP/trafgen.log
	ip netns exec "$C" timeout 30 trafgen -o "$CIF" -c "$TDT_TMP/syn.cfg" -n "$1" \
		${2:+-t "$2"} -P 1 >"$TG_LOG" 2>&1 </dev/null
}

# --- A dry run: the counter's name, then a log scrolled back ----------------------------------
run_dry() {
	local tag=dry name=dry_run_counter_says_would_drop why p before
	if ! start_ui $tag 1 --dry-run -d 0.25; then
		fail $name "$START_WHY"
		fail scrolled_back_rows_stay_put_as_drops_arrive "$START_WHY"
		return
	fi
	# A dry run lets each SYN through to a closed port: one SYN, one event each; 20 of them,
	# more than the 14 rows of the log at 100x30.
	for p in $(seq 44001 44020); do
		probe "$C" "$V4S" 4040 "$p"
	done
	why=$(wait_screen 5 $tag "
counter('would drop') == 20 or fail('would drop is %d after 20 SYNs: %s' % (counter('would drop'), show()))
counter_or_none('dropped') is None or fail('a dry run shows a dropped counter: ' + show(rows[1:3]))")
	check $name "$why"

	# Scrolled back a line, the rows stay on the drops they show while two more arrive.
	name=scrolled_back_rows_stay_put_as_drops_arrive
	key $tag j
	why=$(wait_screen 3 $tag "
log = log_rows()
log and ':44019 ' in log[0] or fail('after j the top row is not the second newest: ' + show())")
	if [ -z "$why" ]; then
		before=$(scr_check $tag "print(repr(log_rows()))")
		probe "$C" "$V4S" 4040 44021
		probe "$C" "$V4S" 4040 44022
		why=$(wait_screen 5 $tag "
counter('would drop') == 22 or fail('would drop is %d after 22 SYNs' % counter('would drop'))
log_rows() == $before or fail('the rows moved: %s, were %s' % (log_rows(), $before))")
	fi
	if [ -z "$why" ]; then
		"${TM[@]}" send-keys -t $tag Home
		why=$(wait_screen 3 $tag "
':44022 ' in log_rows()[0] or fail('after Home the newest is not on top: ' + show())")
	fi
	check $name "$why"

	# Esc: first the help closes, and the view goes on; then it quits.
	name=esc_closes_the_help_and_then_quits
	key $tag '?'
	why=$(wait_screen 3 $tag "[r for r in rows if 'tcpdrop-top keys' in r] or fail('no help: ' + show())")
	if [ -z "$why" ]; then
		key $tag $'\e'
		why=$(wait_screen 3 $tag "
[r for r in rows if 'tcpdrop-top keys' in r] and fail('Esc left the help open: ' + show())
log_heading()")
		[ -z "$why" ] && why=$(gone_problem $tag)
	fi
	[ -n "$why" ] || key $tag $'\e'
	[ -n "$why" ] && key $tag q
	[ -z "$why" ] && why=$(stopped_problem $tag)
	check $name "$why"
}

# --- A ring of one page, every drop an event: most find it full -----------------------------
run_lost() {
	local tag=lost name=lost_events_turn_into_the_events_lost_banner_and_counts_stay_exact why
	if ! start_ui $tag 1 --ring-size 4K --event-rate max -d 0.25; then
		fail $name "$START_WHY"
		return
	fi
	if ! flood 3000; then
		why="trafgen: $(tail -c 200 "$TG_LOG")"
	else
		why=$(wait_screen 5 $tag "
counter('dropped') == 3000 or fail('dropped is %d after 3000 SYNs: %s' % (counter('dropped'), show()))
m = re.search(r'EVENTS LOST ([\d,]+): log incomplete, counts exact', rows[2])
m or fail('no EVENTS LOST banner: ' + show(rows[1:3]))
int(m.group(1).replace(',', '')) > 0 or fail('the banner says none lost: ' + rows[2])")
	fi
	key $tag q
	[ -z "$why" ] && why=$(stopped_problem $tag)
	check $name "$why"
}

# --- --event-rate 1: each CPU logs a drop a second or two; the rest are counted, not logged ---
run_throttled() {
	local tag=thr name=throttled_drops_show_as_not_logged_and_the_log_as_a_sample why tg
	if ! start_ui $tag 1 --event-rate 1 -d 0.25; then
		fail $name "$START_WHY"
		return
	fi
	# 150 SYNs over 3 s: the heading says "sample" while drops are held back.
	flood 150 20ms &
	tg=$!
	track $tg
	why=$(wait_screen 5 $tag "
counter('not logged') > 0 or fail('no not-logged drops: ' + show(rows[1:3]))
'sample' in rows[log_heading()] or fail('the log heading does not say sample: ' + rows[log_heading()])")
	wait_pid $tg 30
	[ -z "$why" ] && [ "$WAIT_STATUS" != 0 ] && why="trafgen: $(tail -c 200 "$TG_LOG")"
	# Logged and not logged make every drop.
	[ -z "$why" ] && why=$(wait_screen 5 $tag "
counter('dropped') == 150 or fail('dropped is %d after 150 SYNs' % counter('dropped'))
kept = re.search(r'([\d,]+) kept|\((?:a )?sample, ([\d,]+)\)', rows[log_heading()])
kept or fail('the heading gives no count: ' + rows[log_heading()])
kept = int((kept.group(1) or kept.group(2)).replace(',', ''))
kept + counter('not logged') == 150 or fail('%d logged and %d not, want 150' % (kept, counter('not logged')))")
	key $tag q
	[ -z "$why" ] && why=$(stopped_problem $tag)
	check $name "$why"
}

run_dry
run_lost
run_throttled
finish
