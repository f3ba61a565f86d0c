#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The live view in a real terminal: tcpdrop-top runs in a detached tmux pane of a fixed size on
# a private tmux server, watching the server end of a veth pair between two namespaces while
# netcat sends real TCP from the client end. The suite presses keys with `tmux send-keys` and
# reads the screen with `tmux capture-pane`. Only TEST-NET addresses in namespaces this suite
# creates (and always removes) carry any traffic.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

S=tdt-ts-$$ C=tdt-tc-$$
SIF=tdtts$$ CIF=tdttc$$	# veth names: at most 15 characters
INTERVAL=0.5	# -d: the screen is redrawn at least this often

CASES=(
	client_address_appears_after_a_drop
	clear_key_resets_counters_sources_and_log
	pause_freezes_the_log_while_traffic_continues_and_resume_catches_up
	sort_key_cycles_the_sort_marker
	g_key_groups_sources_by_network_and_back
	help_overlay_opens_and_any_key_closes_it
	refresh_interval_keys_change_the_title
	resize_to_60x15_and_back_keeps_a_sane_screen
	q_exits_0_and_leaves_no_xdp_program
	sigterm_restores_terminal_and_exits_0
	no_color_env_is_respected
	dry_run_and_paused_show_both
	long_ipv6_sources_lose_their_middle_not_their_end
	end_key_shows_the_last_page
	too_small_message_says_the_needed_size_first
	c_locale_shows_a_non_ascii_name_escaped_and_ascii_glyphs
	utf8_locale_shows_control_bytes_in_a_name_escaped
	dumb_and_unknown_terminals_are_refused_before_attaching
	json_ports_carry_a_long_set_exactly
	w_prompt_takes_a_pasted_100_port_list_whole
	w_prompt_is_prefilled_with_the_exact_long_set
	w_prompt_refuses_a_list_too_long_visibly
	q_quits_when_the_terminal_is_too_small_for_the_w_prompt
	n_key_never_waits_for_a_resolver_that_never_answers
	n_key_shows_the_names_a_resolver_answers
	terminal_hangup_under_make_exits_0_and_detaches
	demo_under_make_ends_and_removes_its_namespaces_when_the_terminal_goes
)

have_binary || fail_all "$TDT_BIN does not exist or is not executable (run make)"
why=$(netns_problem)
[ -n "$why" ] && skip_all "$why"
command -v tmux >/dev/null || skip_all "no tmux"
locale -a 2>/dev/null | grep -qix 'C.utf-\?8' || skip_all "no C.UTF-8 locale"
make_pair "$S" "$C" "$SIF" "$CIF" || fail_all "could not set up namespaces and veth pair"
# Killing the tmux server on exit hangs up any tcpdrop-top still running, which then detaches.
tmux_server "tdt-$$" "$TDT_TMP/tmux.conf"

# tcp_mib NAME: a counter of the client namespace's TCP MIB (/proc/net/snmp is per namespace).
tcp_mib() {
	# shellcheck disable=SC2016  # awk's own fields
	ip netns exec "$C" awk -v k="$1" '/^Tcp:/ { if (!n) { for (i = 1; i <= NF; i++) h[i] = $i; n = 1 }
		else for (i = 1; i <= NF; i++) if (h[i] == k) print $i }' /proc/net/snmp
}

LOG_ROW='r"^ \d\d:\d\d:\d\d\.\d{3} +%s +%s +S +\d+ +- *$"'	# wide log row: source, destination

# --- Run 1: the TUI in colour, driven through its keys and ended with q -----------------------
run_main() {
	local tag=main name why c sent ao0 ao1 rt0 rt1 p pids logged ports=(42001 42002 42003 42004 42005)
	"$TDT_ROOT/.output/tests/locdb" "$TDT_TMP/loc.db" || echo "could not write the test's location database"
	if ! start_ui $tag 0 -d $INTERVAL --location-db "$TDT_TMP/loc.db"; then
		for name in "${CASES[@]:0:8}"; do
			fail "$name" "$START_WHY"
		done
		NO_COLOR_WHY="the TUI did not start in colour: $START_WHY"
		return
	fi

	# Another port first: it is passed, and it settles ARP so the SYN to 4040 leaves at once.
	name=client_address_appears_after_a_drop
	why=
	listen "$S" "$V4S" 5050 "$TDT_TMP/5050.recv" 10
	if ! wait_until 5 listening "$S" 5050; then
		why="netcat listener on 5050 did not start"
	elif ! send "$C" "$V4S" 5050 "tdt-$$"; then
		why="TCP to $V4S:5050 failed while only 4040 is watched"
	elif ! wait_until 3 grep -qx "tdt-$$" "$TDT_TMP/5050.recv"; then
		why="the listener on 5050 got '$(head -c 100 "$TDT_TMP/5050.recv")', want 'tdt-$$'"
	elif syn "$C" "$V4S" 4040 41001; then
		why="TCP connect to $V4S:4040 succeeded"
	else
		why=$(wait_screen 5 $tag "
s = [r for r in source_rows() if r.split()[0] == '$V4C']
s or fail('TOP SOURCES has no row for $V4C: ' + show())
log = [r for r in log_rows() if re.match($LOG_ROW % (re.escape('$V4C:41001'), re.escape('$V4S:4040')), r)]
log or fail('no log row \"HH:MM:SS.mmm  $V4C:41001  $V4S:4040  S  LEN  -\": ' + show())
counter('dropped') >= 1 or fail('dropped counter is %d: %s' % (counter('dropped'), show()))
[r for r in log_rows() if ':5050 ' in r] and fail('the passed port 5050 is in the log: ' + show())")
	fi
	[ -z "$why" ] && why=$(gone_problem $tag)
	check $name "$why"
	stop_pid "$LISTENER" TERM 5
	snap $tag "$TDT_TMP/colour.ansi" -e	# for no_color_env_is_respected

	name=clear_key_resets_counters_sources_and_log
	key $tag c
	why=$(wait_screen 3 $tag "
counter('dropped') == 0 or fail('dropped is %d after c: %s' % (counter('dropped'), show()))
source_rows() and fail('source rows left after c: %s' % source_rows())
log_rows() and fail('log rows left after c: %s' % log_rows())
'newest first, 0 kept' in rows[log_heading()] or fail('log heading: ' + rows[log_heading()])")
	[ -z "$why" ] && why=$(gone_problem $tag)
	check $name "$why"

	# Exact counting: since the clear, the client sends nothing but these SYNs. Its TCP MIB
	# counts every connection attempt (ActiveOpens) and every retransmission (RetransSegs), so
	# their sum is exactly the number of SYNs on the wire (one per attempt, see syn in
	# scripts/lib.sh), which is
	# what the dropped counter, the log and "N new" must all show.
	name=pause_freezes_the_log_while_traffic_continues_and_resume_catches_up
	key $tag p
	why=$(wait_screen 3 $tag "
title().endswith('PAUSED') or fail('title does not end with PAUSED: ' + title())
re.search(r'PAUSED, 0 new\$', keybar()) or fail('key bar: ' + keybar())")
	if [ -z "$why" ]; then
		snap $tag "$TDT_TMP/paused0"
		ao0=$(tcp_mib ActiveOpens) rt0=$(tcp_mib RetransSegs)
		pids=()
		for p in "${ports[@]}"; do
			syn "$C" "$V4S" 4040 "$p" &
			pids+=($!)
		done
		wait "${pids[@]}"
		ao1=$(tcp_mib ActiveOpens) rt1=$(tcp_mib RetransSegs)
		sent=$((ao1 - ao0 + rt1 - rt0))
		if [ "$((ao1 - ao0))" -ne ${#ports[@]} ]; then
			why="the client made $((ao1 - ao0)) connection attempts, want ${#ports[@]}"
		fi
	fi
	if [ -z "$why" ]; then
		why=$(wait_screen 5 $tag "
re.search(r'PAUSED, $sent new\$', keybar()) or fail('after $sent SYNs the key bar is: ' + keybar())")
		sleep $INTERVAL	# and one more refresh, which must change nothing either
	fi
	if [ -z "$why" ]; then
		snap $tag "$TDT_TMP/paused1"
		why=$(python3 "$TDT_PY/screen.py" "$TDT_TMP/paused1" "
before = open('$TDT_TMP/paused0', encoding='utf-8', errors='replace').read().split('\n')
for i in range(1, len(rows) - 1):
	if i >= len(before) or before[i] != rows[i]:
		fail('row %d changed while paused: %r became %r' % (i + 1,
			before[i].rstrip() if i < len(before) else None, rows[i].rstrip()))
title().endswith('PAUSED') or fail('title does not end with PAUSED: ' + title())")
	fi
	if [ -z "$why" ]; then
		key $tag p
		why=$(wait_screen 3 $tag "
'PAUSED' in title() and fail('title still says PAUSED: ' + title())
'PAUSED' in keybar() and fail('key bar still says PAUSED: ' + keybar())
log = log_rows()
for p in [${ports[*]/%/,}]:
	pat = $LOG_ROW % (re.escape('$V4C:%d' % p), re.escape('$V4S:4040'))
	[r for r in log if re.match(pat, r)] or fail('no log row from port %d after resume: %s' % (p, show()))
len(log) == $sent or fail('%d log rows, want the $sent SYNs sent since the clear: %s' % (len(log), show()))
counter('dropped') == $sent or fail('dropped is %d, want the $sent SYNs sent since the clear' % counter('dropped'))
times = [r.split()[0] for r in log]
times == sorted(times, reverse=True) or fail('log is not newest first: %s' % times)
s = [r.split() for r in source_rows()]
[x for x in s if x[0] == '$V4C' and x[1] == '$sent'] or fail('TOP SOURCES does not show $sent drops from $V4C: %s' % source_rows())
strip = rows[index(r'^ TOP PORTS')]
re.match(r'^ TOP PORTS +4040 $sent 100\.0% *$', strip) or fail('TOP PORTS does not show $sent drops to 4040 alone: %r' % strip)
'newest first, $sent kept' in rows[log_heading()] or fail('log heading: ' + rows[log_heading()])")
	fi
	[ -z "$why" ] && why=$(gone_problem $tag)
	check $name "$why"
	# Whatever went wrong above, the cases below want a running picture.
	scr_true $tag "'PAUSED' in title() and fail('')" || key $tag p

	# The marker starts on DROPS; each s moves it on, and the fourth brings it back.
	name=sort_key_cycles_the_sort_marker
	why=
	for c in '' 'BYTES▼' 'RATE/s▼' 'LAST SEEN▼' 'DROPS▼'; do
		if [ -z "$c" ]; then
			c='DROPS▼'
		else
			key $tag s
		fi
		why=$(wait_screen 3 $tag "
h = rows[sources_heading()]
h.count('▼') == 1 or fail('heading has %d ▼ markers: %s' % (h.count('▼'), h.rstrip()))
'$c' in h or fail('want $c in the heading: ' + h.rstrip())")
		[ -n "$why" ] && break
	done
	[ -z "$why" ] && why=$(gone_problem $tag)
	check $name "$why"

	# g: the sources by /24 and /64, by /16 and /48, by AS and by country (the test's location
	# database), then by address again. One client here.
	name=g_key_groups_sources_by_network_and_back
	why=
	for want in 'NETWORKS /24 /64:198.51.100.0/24' 'NETWORKS /16 /48:198.51.0.0/16' \
		'AS:AS64496 Documentation Net One' 'COUNTRIES:DE' "SOURCES:$V4C"; do
		key $tag g
		why=$(wait_screen 3 $tag "
h = rows[sources_heading()]
h.startswith(' TOP ${want%%:*} ') or fail('want TOP ${want%%:*} in the heading: ' + h.rstrip())
d = counter('dropped')
row = [r for r in source_rows() if re.match(r'^ %s +%d ' % (re.escape('${want#*:}'), d), r)]
row or fail('no row ${want#*:} with the %d drops: %s' % (d, source_rows()))
'${want%%:*}' == 'SOURCES' or 'ADDRS' in h or fail('a grouped heading without ADDRS: ' + h.rstrip())
'${want%%:*}' == 'SOURCES' or row[0].split()[-2] == '1' or fail('${want#*:} does not hold 1 address: %s' % row)")
		[ -n "$why" ] && break
	done
	[ -z "$why" ] && why=$(gone_problem $tag)
	check $name "$why"

	name=help_overlay_opens_and_any_key_closes_it
	why=
	for c in '?' h; do
		key $tag "$c"
		why=$(wait_screen 3 $tag "
[r for r in rows if 'tcpdrop-top keys' in r] or fail('no help after $c: ' + show())")
		[ -n "$why" ] && break
		key $tag x
		why=$(wait_screen 3 $tag "
[r for r in rows if 'tcpdrop-top keys' in r] and fail('help still open after x: ' + show())
sources_heading(); log_heading()
'PAUSED' in title() + keybar() and fail('closing help with x paused: ' + show())")
		[ -n "$why" ] && break
	done
	[ -z "$why" ] && why=$(gone_problem $tag)
	check $name "$why"
	scr_true $tag "[r for r in rows if 'tcpdrop-top keys' in r] and fail('')" || key $tag x

	name=refresh_interval_keys_change_the_title
	why=$(scr_check $tag "title().endswith('every ${INTERVAL}s') or fail('title: ' + title())")
	for c in '+ 1' '- 0.5' '- 0.25' '+ 0.5'; do
		[ -n "$why" ] && break
		key $tag "${c% *}"
		why=$(wait_screen 3 $tag "
title().endswith('every ${c#* }s') or fail('after ${c% *} the title is: ' + title())")
	done
	[ -z "$why" ] && why=$(gone_problem $tag)
	check $name "$why"

	# The drops logged above show in the narrow log too (if the cases above got any logged).
	name=resize_to_60x15_and_back_keeps_a_sane_screen
	logged=True
	scr_true $tag "[r for r in log_rows() if ':4200' in r] or fail('')" || logged=False
	"${TM[@]}" resize-window -t $tag -x 60 -y 15
	why=$(wait_screen 3 $tag "
len(rows) == 15 or fail('%d rows at 60x15' % len(rows))
long = [r for r in rows if len(r.rstrip()) > 60]
long and fail('rows longer than 60 columns: %s' % long)
title().startswith(' tcpdrop-top  $SIF') or fail('title: ' + title())
counter('passed'); counter('dropped'); counter('malformed'); counter('events lost')
sources_heading()
h = rows[log_heading()]
re.match(r'^ DROPS +SOURCE .*DPORT +FLAGS +LEN', h) or fail('narrow log heading: ' + h)
$logged and not [r for r in log_rows() if re.match(r'^ \d\d:\d\d:\d\d +$V4C:4200\d +4040 +S +\d+ *$', r)] and fail('no narrow log row: ' + show())
keybar().startswith(' p:pause c:clear s:sort') or fail('key bar: ' + keybar())")
	if [ -z "$why" ]; then
		"${TM[@]}" resize-window -t $tag -x 50 -y 12
		why=$(wait_screen 3 $tag "
len(rows) == 12 or fail('%d rows at 50x12' % len(rows))
msg = [r.strip() for r in rows if r.strip()]
msg == ['needs 60x15, terminal is 50x12'] or fail('at 50x12 the screen is: ' + show())")
	fi
	if [ -z "$why" ]; then
		"${TM[@]}" resize-window -t $tag -x 100 -y 30
		why=$(wait_screen 3 $tag "
len(rows) == 30 or fail('%d rows at 100x30' % len(rows))
title().endswith('every ${INTERVAL}s') or fail('title: ' + title())
counter('dropped')
re.match(r'^ LIVE DROPS +SOURCE .*DESTINATION +FLAGS +LEN +VLAN', rows[log_heading()]) or fail('wide log heading: ' + rows[log_heading()])
'DROPS▼' in rows[sources_heading()] or fail('sources heading: ' + rows[sources_heading()])
$logged and not [r for r in log_rows() if re.match($LOG_ROW % (re.escape('$V4C:42001'), re.escape('$V4S:4040')), r)] and fail('no wide log row: ' + show())
keybar().startswith(' p:pause c:clear s:sort') or fail('key bar: ' + keybar())")
	fi
	[ -z "$why" ] && why=$(gone_problem $tag)
	check $name "$why"

	name=q_exits_0_and_leaves_no_xdp_program
	why=$(gone_problem $tag)
	if [ -z "$why" ]; then
		key $tag q
		why=$(stopped_problem $tag)
	fi
	check $name "$why"
}

# --- Run 2: NO_COLOR=1, ended by SIGTERM ------------------------------------------------------
# "COLOURS ATTRIBUTES SEQUENCES..." of a screen captured with its colours.
sgr_colours() {
	python3 "$TDT_PY/sgr_colours.py" "$1"
}

run_nocolor() {
	local tag=mono name why r n
	if ! start_ui $tag 1 -d $INTERVAL; then
		fail sigterm_restores_terminal_and_exits_0 "$START_WHY"
		fail no_color_env_is_respected "NO_COLOR=1: $START_WHY"
		return
	fi
	# The colour check first, printed in its turn below.
	snap $tag "$TDT_TMP/mono.ansi" -e
	if [ -n "${NO_COLOR_WHY:-}" ]; then
		:
	elif ! [ -s "$TDT_TMP/mono.ansi" ] || ! [ -s "$TDT_TMP/colour.ansi" ]; then
		NO_COLOR_WHY="could not capture the screens"
	else
		read -r n r _ <<<"$(sgr_colours "$TDT_TMP/mono.ansi")"
		if [ "$n" != 0 ]; then
			NO_COLOR_WHY="with NO_COLOR=1 the screen has $n colour SGR sequences: $(sgr_colours "$TDT_TMP/mono.ansi" | cut -d' ' -f3-)"
		elif [ "$r" = 0 ]; then
			NO_COLOR_WHY="with NO_COLOR=1 the screen has no bold/underline/reverse either"
		else
			read -r n _ <<<"$(sgr_colours "$TDT_TMP/colour.ansi")"
			[ "$n" = 0 ] && NO_COLOR_WHY="without NO_COLOR the screen has no colours"
		fi
	fi

	name=sigterm_restores_terminal_and_exits_0
	why=$(gone_problem $tag)
	if [ -z "$why" ]; then
		kill -TERM "$UI_PID"
		why=$(stopped_problem $tag)
	fi
	check $name "$why"

	check no_color_env_is_respected "${NO_COLOR_WHY:-}"
}

# --- Run 3: a dry run at 60x15 with long IPv6 sources, the End key, a tiny terminal ----------
LONG6=2001:db8:4040:7777:8888:9999:aaaa:bbbb	# 38 characters: more than 60 columns leave
run_dry() {
	local tag=dry name why p ok=1 logged=[]
	if ! start_ui $tag 0 --dry-run -d $INTERVAL; then
		for name in "${CASES[@]:10:4}"; do
			fail "$name" "--dry-run: $START_WHY"
		done
		return
	fi
	name=dry_run_and_paused_show_both
	why=$(wait_screen 3 $tag "title().endswith(' DRY RUN') or fail('title: ' + title())")
	if [ -z "$why" ]; then
		key $tag p
		why=$(wait_screen 3 $tag "
title().endswith(' DRY RUN  PAUSED') or fail('paused dry run, title: ' + title())
re.search(r'PAUSED, 0 new\$', keybar()) or fail('key bar: ' + keybar())")
		key $tag p
	fi
	[ -z "$why" ] && why=$(wait_screen 3 $tag "
title().endswith(' DRY RUN') or fail('resumed dry run, title: ' + title())")
	[ -z "$why" ] && why=$(gone_problem $tag)
	check $name "$why"

	# A dry run lets each SYN through to a closed port, whose RST ends the attempt at once:
	# one SYN, one drop event each, oldest 43001, newest the long IPv6 source.
	for p in 43001 43002 43003 43004 43005 43006 43007 43008; do
		probe "$C" "$V4S" 4040 $p
	done
	addr_add "$C" "$CIF" "$LONG6/64" || ok=0
	ip netns exec "$C" timeout 5 nc -z -n -w 1 -s "$LONG6" -p 43100 "$V6S" 4040 \
		>/dev/null 2>&1 </dev/null
	why=$(wait_screen 5 $tag "
len(log_rows()) >= 9 or fail('want 9 log rows after 9 SYNs: ' + show())
':43100' in log_rows()[0] or fail('the IPv6 SYN is not the newest drop: ' + show())")
	# Every SYN, newest first (a lost RST can make netcat send one twice): for the End key.
	[ -z "$why" ] && logged=$(scr_check $tag "print(repr([r.split()[1] for r in log_rows()]))")
	name=long_ipv6_sources_lose_their_middle_not_their_end
	if [ $ok = 0 ]; then
		why="could not add $LONG6 to the client"
	elif [ -z "$why" ]; then
		# 100 columns: the source column holds it whole; the log's endpoint column does not.
		why=$(wait_screen 3 $tag "
[r for r in source_rows() if r.split()[0] == '$LONG6'] or fail('no whole $LONG6 in the sources: %s' % source_rows())
row = log_rows()[0].split()
(row[1].startswith('[2001:db8:') and row[1].endswith(':bbbb]:43100') and '…' in row[1]) or fail('wide log source %r: want the middle elided, the port kept' % row[1])
row[2] == '[$V6S]:4040' or fail('wide log destination %r' % row[2])")
	fi
	if [ -z "$why" ]; then
		"${TM[@]}" resize-window -t $tag -x 60 -y 15
		why=$(wait_screen 3 $tag "
len(rows) == 15 or fail('%d rows at 60x15' % len(rows))
s = [r.split()[0] for r in source_rows() if r.split()[0].startswith('2001:db8')]
len(s) == 1 or fail('want one 2001:db8 row in the sources: %s' % source_rows())
(s[0].endswith('aaa:bbbb') and '…' in s[0] and len(s[0]) <= 18) or fail('source %r: want the middle elided, the end kept' % s[0])
src = log_rows()[0].split()[1]
(src.startswith('[2001:db8:') and src.endswith(']:43100') and '…' in src) or fail('narrow log source %r: want the middle elided, the port kept' % src)")
	fi
	[ -z "$why" ] && why=$(gone_problem $tag)
	check $name "$why"

	# 60x15 leaves 5 log rows: End shows the oldest 5, the oldest (43001) on the last row.
	name=end_key_shows_the_last_page
	"${TM[@]}" send-keys -t $tag End
	why=$(wait_screen 3 $tag "
logged = $logged
n = len(logged)
n >= 9 or fail('the log held %d drops at 100 columns, want 9 or more' % n)
log = [r.split()[1] for r in log_rows()]
len(log) == 5 or fail('after End, %d log rows, want a full page of 5: %s' % (len(log), show()))
logged[-1].endswith(':43001') or fail('the oldest drop logged is %s, want 43001' % logged[-1])
log == logged[-5:] or fail('after End the rows are %s, want the oldest five %s' % (log, logged[-5:]))
# A drop may still arrive after logged was read: the view then holds more, all newer.
m = re.search(r'\((\d+)-(\d+) of (\d+)\)', rows[log_heading()])
m and int(m.group(3)) >= n and (int(m.group(1)), int(m.group(2))) == (
	int(m.group(3)) - 4, int(m.group(3))) or fail('log heading: ' + rows[log_heading()])")
	"${TM[@]}" send-keys -t $tag Home
	[ -z "$why" ] && why=$(wait_screen 3 $tag "
':43100' in log_rows()[0] or fail('after Home the newest is not on top: ' + show())")
	[ -z "$why" ] && why=$(gone_problem $tag)
	check $name "$why"

	name=too_small_message_says_the_needed_size_first
	"${TM[@]}" resize-window -t $tag -x 20 -y 5
	why=$(wait_screen 3 $tag "
len(rows) == 5 or fail('%d rows at 20x5' % len(rows))
msg = [r.strip() for r in rows if r.strip()]
msg == ['needs 60x15,', 'terminal is 20x5'] or fail('at 20x5 the screen is: ' + show())")
	if [ -z "$why" ]; then
		"${TM[@]}" resize-window -t $tag -x 12 -y 1
		why=$(wait_screen 3 $tag "
rows[0].strip() == 'needs 60x15,' or fail('at 12x1 the screen is: ' + show())")
	fi
	"${TM[@]}" resize-window -t $tag -x 100 -y 30	# room for the shell's line after it
	[ -z "$why" ] && why=$(gone_problem $tag)
	if [ -z "$why" ]; then
		key $tag q
		why=$(stopped_problem $tag)
	fi
	check $name "$why"
}

# --- Run 4: interface names from outside: a non-ASCII one in the C locale, a control byte ---
NAME_U=$'\xc3\xbc0' NAME_CTL=$'a\x01b'	# ü0, a^Ab: a veth pair in the server's namespace
# name_ui TAG IF LOCALE WANT CHECK: the live view on IF under LC_ALL=LOCALE; its title must
# start with " tcpdrop-top  WANT (", the screen pass CHECK, and q end it cleanly.
name_ui() {
	local tag=$1 dev=$2 loc=$3 want=$4 check=$5 why
	if ! pane_start "$tag" 100 30 "$TDT_TMP/$tag" env LC_ALL="$loc" LANG="$loc" \
		ip netns exec "$S" "$TDT_BIN" -i "$dev" -d $INTERVAL; then
		echo "$PANE_WHY"
		return
	fi
	why=$(wait_screen 10 "$tag" "
title().startswith(r' tcpdrop-top  $want (') or fail('title: ' + title())
$check")
	[ -z "$why" ] && why=$(gone_problem "$tag")
	if [ -z "$why" ]; then
		key "$tag" q
		why=$(stopped_problem "$tag")
		[ -z "$why" ] && why=$(detached_problem "$S" "$dev")
	fi
	echo "$why"
}

run_names() {
	local why
	if ! ip -n "$S" link add name "$NAME_U" type veth peer name "$NAME_CTL"; then
		fail c_locale_shows_a_non_ascii_name_escaped_and_ascii_glyphs "could not create ü0"
		fail utf8_locale_shows_control_bytes_in_a_name_escaped "could not create a^Ab"
		return
	fi
	why=$(name_ui cloc "$NAME_U" C '\xc3\xbc0' "
'?' in title() and fail('a ? in the title: ' + title())
odd = [r for r in rows if any(ord(ch) > 126 for ch in r)]
odd and fail('non-ASCII on the screen: %s' % odd)
'DROPSv' in rows[sources_heading()] or fail('sort marker: ' + rows[sources_heading()])
'arrows:scroll' in keybar() or fail('key bar: ' + keybar())")
	check c_locale_shows_a_non_ascii_name_escaped_and_ascii_glyphs "$why"
	why=$(name_ui ctl "$NAME_CTL" C.UTF-8 'a\x01b' "
'DROPS▼' in rows[sources_heading()] or fail('sort marker: ' + rows[sources_heading()])")
	check utf8_locale_shows_control_bytes_in_a_name_escaped "$why"
}

# --- Run 5: terminals that cannot show the live view are refused before anything loads ------
# term_refused TAG TERM ARGS...: why tcpdrop-top under TERM did not exit 2 with the one line
# for it, or nothing.
term_refused() {
	local tag=$1 term=$2 want
	shift 2
	want="tcpdrop-top: cannot use this terminal (TERM=$term, which "
	PANE_ERR=$TDT_TMP/$tag.err pane_start "$tag" 100 30 "$TDT_TMP/$tag" env TERM="$term" \
		ip netns exec "$S" "$TDT_BIN" "$@" || { echo "$PANE_WHY"; return; }
	if ! wait_until 20 test -f "$TDT_TMP/$tag.status"; then
		echo "TERM=$term: still running 20 s later: $(scr_check "$tag" 'print(show())')"
	elif [ "$(cat "$TDT_TMP/$tag.status")" != 2 ]; then
		echo "TERM=$term: exit status $(cat "$TDT_TMP/$tag.status"), want 2"
	elif [ "$(wc -l <"$TDT_TMP/$tag.err")" != 1 ] ||
		[ "$(head -c ${#want} "$TDT_TMP/$tag.err")" != "$want" ] ||
		! grep -q '): try --json$' "$TDT_TMP/$tag.err"; then
		echo "TERM=$term: stderr is '$(cat "$TDT_TMP/$tag.err")', want '$want...): try --json'"
	fi
}

run_term() {
	local name=dumb_and_unknown_terminals_are_refused_before_attaching why
	why=$(term_refused dumb dumb -i "$SIF")
	[ -z "$why" ] && why=$(detached_problem "$S" "$SIF")
	[ -z "$why" ] && why=$(term_refused unknown tdt-no-such-term -i "$SIF")
	[ -z "$why" ] && why=$(detached_problem "$S" "$SIF")
	# Before the interface is even looked up: a missing one is not what it complains about.
	[ -z "$why" ] && why=$(term_refused order dumb -i tdt-nope0)
	check $name "$why"
}

# --- Run 6: the NDJSON stream's "ports" for a long set ----------------------------------------
# 1,000 ports with gaps, 5,999 characters: a stats line longer than the stream's 4 KiB buffer.
LIST1000=$(seq -s, 10000 2 11998)
run_json() {
	local name=json_ports_carry_a_long_set_exactly why
	if ! start_tool json --json -d 0.2 -p "$LIST1000"; then
		fail $name "$START_WHY"
		return
	fi
	wait_until 5 nd_true "$TOOL_OUT" "stats() or fail('')"
	stop_tool TERM
	why=$(nd_check "$TOOL_OUT" "
stats() or fail('no stats line')
for o in stats():
	o['ports'] == '$LIST1000' or fail('ports is %.100r..., want the 1,000 ports whole' % o['ports'])")
	[ -z "$why" ] && [ "$STOP_STATUS" != 0 ] && why="exit status $STOP_STATUS after SIGTERM, want 0"
	[ -z "$why" ] && why=$(detached_problem "$S" "$SIF")
	check $name "$why"
}

# --- Run 7: the w prompt with long port lists, and at a size too small to show it ----------
LIST100=$(seq -s, 1000 1099)		# 499 characters, pasted
LIST50=$(seq -s, 1000 2 1098)		# 249 characters, 50 ports with gaps: its own compact form

# ui_end TAG: ends a live view a case left running (SIGTERM), so that the next can attach.
ui_end() {
	[ -f "$TDT_TMP/$1.status" ] && return
	kill -TERM "$UI_PID" 2>/dev/null
	wait_until 5 test -f "$TDT_TMP/$1.status"
}

run_prompt() {
	local tag=paste name=w_prompt_takes_a_pasted_100_port_list_whole why
	if ! start_ui $tag 0 -d $INTERVAL; then
		fail $name "$START_WHY"
	else
		listen "$S" "$V4S" 101	# 101 is what a cut paste used to watch: it must pass
		key $tag w
		why=$(wait_screen 3 $tag "keybar().startswith(' ports: 4040 ') or fail('after w: ' + keybar())")
		if [ -z "$why" ]; then
			key $tag $'\x15' "$LIST100"	# ^U, then the paste
			# Wider than the row: its end shows, where the cursor is.
			why=$(wait_screen 5 $tag "
re.match(r'^ ports: …[0-9,]+,1097,1098,1099 ', keybar() + ' ') or fail('after the paste: ' + keybar())")
		fi
		if [ -z "$why" ]; then
			key $tag $'\r'
			why=$(wait_screen 3 $tag "
' ports 1000-1099 ' in title() or fail('want ports 1000-1099 watched; title: ' + title())
keybar().startswith(' p:pause') or fail('the prompt is still open: ' + keybar())")
		fi
		if [ -z "$why" ] && ! wait_until 5 syn "$C" "$V4S" 101 44101; then
			why="TCP to port 101 did not connect: a cut paste watches it"
		fi
		if [ -z "$why" ]; then
			syn "$C" "$V4S" 1099 44102 && why="TCP to port 1099 connected"
			[ -z "$why" ] && why=$(wait_screen 5 $tag "
[r for r in log_rows() if ':44102 ' in r and ':1099 ' in r] or fail('no drop of the SYN to 1099: ' + show())
[r for r in log_rows() if ':44101 ' in r] and fail('the SYN to 101 was dropped: ' + show())")
		fi
		stop_pid "$LISTENER" TERM 5
		[ -z "$why" ] && why=$(gone_problem $tag)
		if [ -z "$why" ]; then
			key $tag q
			why=$(stopped_problem $tag)
		fi
		check $name "$why"
		ui_end $tag
	fi

	# A long set is shown cut in the title; w gives it whole, to edit. 300 columns show it all.
	tag=prefill name=w_prompt_is_prefilled_with_the_exact_long_set
	if ! start_ui $tag 0 -d $INTERVAL -p "$LIST50"; then
		fail $name "$START_WHY"
	else
		listen "$S" "$V4S" 1001	# in the gaps: passed
		"${TM[@]}" resize-window -t $tag -x 300 -y 30
		key $tag w
		why=$(wait_screen 3 $tag "
keybar().startswith(' ports: $LIST50  Enter applies') or fail('after w: ' + keybar())")
		if [ -z "$why" ]; then
			key $tag ,2000 $'\r'
			why=$(wait_screen 3 $tag "
keybar().startswith(' p:pause') or fail('the edited set was refused: ' + keybar())")
		fi
		if [ -z "$why" ] && ! wait_until 5 syn "$C" "$V4S" 1001 44201; then
			why="TCP to port 1001, not in the set, did not connect"
		fi
		if [ -z "$why" ]; then
			syn "$C" "$V4S" 1098 44202
			syn "$C" "$V4S" 2000 44203
			why=$(wait_screen 5 $tag "
for sport, dport in ((44202, 1098), (44203, 2000)):
	[r for r in log_rows() if ':%d ' % sport in r and ':%d ' % dport in r] or fail('no drop of the SYN to %d: %s' % (dport, show()))")
		fi
		stop_pid "$LISTENER" TERM 5
		[ -z "$why" ] && why=$(gone_problem $tag)
		if [ -z "$why" ]; then
			key $tag q
			why=$(stopped_problem $tag)
		fi
		check $name "$why"
		ui_end $tag
	fi

	# Past any set's longest text (PORTS_TEXT_MAX, 393,216) the prompt says so, and Enter never
	# applies what it kept. 80,80,... is a list the command line takes, just a long one.
	tag=toolong name=w_prompt_refuses_a_list_too_long_visibly
	if ! start_ui $tag 0 -d $INTERVAL; then
		fail $name "$START_WHY"
	else
		python3 -c "print('80,' * 131073 + '81', end='')" >"$TDT_TMP/toolong.txt"
		key $tag w $'\x15'
		"${TM[@]}" load-buffer -b tdt "$TDT_TMP/toolong.txt"
		"${TM[@]}" paste-buffer -d -b tdt -t $tag
		# It keeps 393,216 characters, "80," 131,072 times: its end shows, then why not.
		why=$(wait_screen 60 $tag "
re.match(r'^ ports: …[80,]*80, +too long: more than 393216 characters; \^U clears\$', keybar()) or fail('after the paste: ' + keybar())")
		if [ -z "$why" ]; then
			# Enter, then a Backspace that shows once both are read.
			key $tag $'\r' $'\x7f'
			why=$(wait_screen 3 $tag "
re.match(r'^ ports: …[80,]*,80 +too long: more than 393216 characters; \^U clears\$', keybar()) or fail('after Enter and Backspace: ' + keybar())
' port 4040 ' in title() or fail('the watched set changed: ' + title())")
		fi
		if [ -z "$why" ]; then
			key $tag $'\x15' 8080 $'\r'
			why=$(wait_screen 3 $tag "
' port 8080 ' in title() or fail('after ^U 8080 Enter: ' + title() + ' / ' + keybar())")
		fi
		[ -z "$why" ] && why=$(gone_problem $tag)
		if [ -z "$why" ]; then
			key $tag q
			why=$(stopped_problem $tag)
		fi
		check $name "$why"
		ui_end $tag
	fi

	# The prompt cannot show at 50x12: a key there is not typed into it unseen, and q quits.
	tag=tiny name=q_quits_when_the_terminal_is_too_small_for_the_w_prompt
	if ! start_ui $tag 0 -d $INTERVAL; then
		fail $name "$START_WHY"
		return
	fi
	key $tag w 12
	why=$(wait_screen 3 $tag "keybar().startswith(' ports: 404012 ') or fail('after w 12: ' + keybar())")
	if [ -z "$why" ]; then
		"${TM[@]}" resize-window -t $tag -x 50 -y 12
		why=$(wait_screen 3 $tag "
[r.strip() for r in rows if r.strip()] == ['needs 60x15, terminal is 50x12'] or fail('at 50x12: ' + show())")
	fi
	if [ -z "$why" ]; then
		key $tag q
		why=$(stopped_problem $tag)
	fi
	"${TM[@]}" resize-window -t $tag -x 100 -y 30
	check $name "$why"
	ui_end $tag
}

# --- Run 8: the terminal goes away while make runs the view, as `sudo make run` does ---------
# The kernel hangs up the session leader only, here make, which waits for its child: the view
# must see the hung-up terminal itself, detach and exit 0, and the demo must then end and remove
# what it made.

# make_pane TAG PREFIX CMD...: make runs CMD, in a new 100x30 session TAG whose pane runs make
# itself, so that make is the session leader. PREFIX.pid is CMD's pid (bash and env exec it),
# PREFIX.status its exit status once it ends. On failure returns 1 with tmux's reason in
# PANE_WHY. The words of CMD must hold no single quote.
make_pane() {
	local tag=$1 d=$2 w cmd=
	shift 2
	for w in "$@"; do
		cmd+=" '${w//\$/\$\$}'"
	done
	rm -f "$d.pid" "$d.status"
	# shellcheck disable=SC2016  # make's $$ and the recipe shell's own $0, $@ and $?
	printf 'run:\n\t@bash -c '\''echo $$$$ >"$$0"; exec "$$@"'\'' %s env LC_ALL=C.UTF-8 LANG=C.UTF-8%s; echo $$? >%s.tmp && mv %s.tmp %s\n' \
		"$d.pid" "$cmd" "$d.status" "$d.status" "$d.status" >"$d.mk"
	PANE_WHY=$("${TM[@]}" new-session -d -s "$tag" -x 100 -y 30 "make -s -f $d.mk" 2>&1) && return
	PANE_WHY="tmux new-session failed: ${PANE_WHY:0:200}"
	return 1
}

# pid_gone PID: PID has ended (it is not this shell's child: its parent reaps it).
pid_gone() {
	! kill -0 "$1" 2>/dev/null
}

run_hangup() {
	local tag=hup d=$TDT_TMP/hup name=terminal_hangup_under_make_exits_0_and_detaches why='' pid mk
	if ! make_pane $tag "$d" ip netns exec "$S" "$TDT_BIN" -i "$SIF" -d $INTERVAL; then
		why=$PANE_WHY
	elif ! wait_until 10 ui_up_or_gone $tag; then
		why="no title row and XDP program within 10 s; screen: $(scr_check $tag 'print(show())')"
	else
		why=$(gone_problem $tag)
	fi
	if [ -z "$why" ]; then
		pid=$(cat "$d.pid") mk=$(pane $tag '#{pane_pid}')
		if [ "$(cat "/proc/$mk/comm" 2>/dev/null)" != make ]; then
			why="the pane runs '$(cat "/proc/$mk/comm" 2>/dev/null)', not make"
		fi
	fi
	if [ -z "$why" ]; then
		"${TM[@]}" kill-session -t $tag
		if ! wait_until 20 pid_gone "$pid"; then
			why="tcpdrop-top still runs 20 s after its terminal went away, at"
			why+=" $(ps -o pcpu= -p "$pid")% CPU; XDP attached: $(xdp_attached "$S" "$SIF" && echo yes || echo no)"
			kill -TERM "$pid"
			wait_until 5 pid_gone "$pid"
		elif ! wait_until 5 test -f "$d.status"; then
			why="no exit status from make's shell"
		elif [ "$(cat "$d.status")" != 0 ]; then
			why="exit status $(cat "$d.status") when its terminal went away, want 0"
		else
			why=$(detached_problem "$S" "$SIF")
		fi
		[ -z "$why" ] && ! wait_until 5 pid_gone "$mk" && why="make still runs after tcpdrop-top ended"
	fi
	check $name "$why"
}

# demo_left PID: what the demo of pid PID left behind, or nothing.
demo_left() {
	local ns
	pid_gone "$1" || { echo "the demo still runs"; return; }
	for ns in tcpdrop-demo-srv-$1 tcpdrop-demo-cli-$1; do
		[ -e "/run/netns/$ns" ] && { echo "namespace $ns is left"; return; }
	done
	pgrep -f "demo-client .* $1 " >/dev/null && echo "client loops are left: $(pgrep -f "demo-client .* $1 " | tr '\n' ' ')"
}

demo_clean() {
	[ -z "$(demo_left "$1")" ]
}

run_demo() {
	local tag=demo d=$TDT_TMP/demo name=demo_under_make_ends_and_removes_its_namespaces_when_the_terminal_goes
	local why='' pid
	if ! make_pane $tag "$d" env DEMO_SECONDS=120 TDT_BIN="$TDT_BIN" "$TDT_ROOT/scripts/demo.sh" \
		-d $INTERVAL; then
		check $name "$PANE_WHY"
		return
	fi
	if ! wait_until 30 test -s "$d.pid"; then
		check $name "the demo did not start: $(scr_check $tag 'print(show())')"
		return
	fi
	pid=$(cat "$d.pid")
	# Whatever happens below, the clean-up removes what the demo leaves.
	LIB_NETNS+=("tcpdrop-demo-srv-$pid" "tcpdrop-demo-cli-$pid")
	why=$(wait_screen 30 $tag "
title().startswith(' tcpdrop-top  veth-s$pid (') or fail('no live view of the demo: ' + show())")
	if [ -z "$why" ]; then
		"${TM[@]}" kill-session -t $tag
		if ! wait_until 30 demo_clean "$pid"; then
			why="30 s after its terminal went away: $(demo_left "$pid")"
		elif [ "$(cat "$d.status" 2>/dev/null)" != 0 ]; then
			why="the demo's exit status is '$(cat "$d.status" 2>/dev/null)', want 0"
		fi
	fi
	# Left running: end it as Ctrl-C would, which stops its tcpdrop-top and removes the rest.
	if ! pid_gone "$pid"; then
		kill -TERM "$pid"
		wait_until 10 pid_gone "$pid"
	fi
	check $name "$why"
}

NO_COLOR_WHY=
# --- Run: names (n), from a resolver in the server's namespace ---------------------------------
# ms_until TAG present|absent TEXT: milliseconds until TEXT is on (or off) the screen of TAG,
# read as fast as tmux gives it (a few ms a read); fails after 5 s.
ms_until() {
	local t0 end=$((SECONDS + 5)) on
	t0=$(date +%s%N)
	while :; do
		on=absent
		screen_now "$1" | grep -qF -- "$3" && on=present
		[ "$on" = "$2" ] && break
		[ "$SECONDS" -ge "$end" ] && return 1
	done
	echo $((($(date +%s%N) - t0) / 1000000))
}

# The tool's /etc/resolv.conf names a server on its own side that reads every question and never
# answers; 1,000 sources in the table. n must show (and hide) the names at once, whatever the
# resolver does: the key-to-screen time of 40 presses, p99 (the worst of 40) under 50 ms. Then a
# server that answers: the rows show its name.
run_dns() {
	local tag=dns name=n_key_never_waits_for_a_resolver_that_never_answers why='' ms=() t i stub
	local mark='TOP SOURCES, names'
	if emulated; then
		not_here $name "$EMULATED_TIMING (tmux alone takes 250 ms to read a screen here)"
		run_dns_answered
		return
	fi
	if ! ns_etc "$S" resolv.conf "nameserver $V4S"; then
		fail $name "cannot write /etc/netns/$S/resolv.conf"
		run_dns_answered
		return
	fi
	ip netns exec "$S" python3 "$TDT_PY/dns_stub.py" "$V4S" silent >"$TDT_TMP/dns.out" 2>&1 &
	stub=$!
	track "$stub"
	if ! wait_until 5 grep -qx ready "$TDT_TMP/dns.out"; then
		why="the silent DNS server did not start: $(head -c 200 "$TDT_TMP/dns.out")"
	elif ! start_ui $tag 0 -d $INTERVAL --max-sources 4096; then
		why=$START_WHY
	elif ! ip netns exec "$S" "$TDT_ROOT/.output/tests/fill_sources" "$SIF" 1000 10; then
		why="could not put 1,000 sources in the table"
	elif ! wait_until 10 scr_true $tag "len(source_rows()) >= 5 or fail('')"; then
		why="the sources never filled the screen: $(scr_check $tag 'print(show())')"
	fi
	for ((i = 0; i < 40 && !${#why}; i++)); do
		key $tag n
		if ((i % 2 == 0)); then
			t=$(ms_until $tag present "$mark") || why="n did not show names: $(scr_check $tag 'print(show())')"
		else
			t=$(ms_until $tag absent "$mark") || why="n did not hide names: $(scr_check $tag 'print(show())')"
		fi
		ms+=("$t")
	done
	if [ -z "$why" ]; then
		t=$(printf '%s\n' "${ms[@]}" | sort -n | tail -1)
		echo "    # n, key to screen with a resolver that never answers, 40 presses: median" \
			"$(printf '%s\n' "${ms[@]}" | sort -n | sed -n 20p) ms, worst $t ms"
		[ "$t" -lt 50 ] || why="key to screen took up to $t ms (${ms[*]} ms), want under 50"
		# The questions went out, and no row claims a name it was never given.
		[ -z "$why" ] && ! grep -q question "$TDT_TMP/dns.out" && why="no question reached the resolver"
	fi
	[ -z "$why" ] && why=$(gone_problem $tag)
	check $name "$why"
	key $tag q
	wait_until 10 test -f "$TDT_TMP/$tag.status"
	stop_pid "$stub" TERM 5
	run_dns_answered
}

# A resolver that answers: the rows show its name.
run_dns_answered() {
	local tag=dns2 name=n_key_shows_the_names_a_resolver_answers why='' stub
	local named="'TOP SOURCES, names' in rows[sources_heading()]"
	if ! ns_etc "$S" resolv.conf "nameserver $V4S"; then
		fail $name "cannot write /etc/netns/$S/resolv.conf"
		return
	fi
	ip netns exec "$S" python3 "$TDT_PY/dns_stub.py" "$V4S" answer host.tdt.example \
		>"$TDT_TMP/dns2.out" 2>&1 &
	stub=$!
	track "$stub"
	if ! wait_until 5 grep -qx ready "$TDT_TMP/dns2.out"; then
		why="the answering DNS server did not start: $(head -c 200 "$TDT_TMP/dns2.out")"
	elif ! start_ui $tag 0 -d $INTERVAL; then
		why=$START_WHY
	elif syn "$C" "$V4S" 4040 43900; [ $? -ne 1 ]; then
		why="the SYN to 4040 was not sent, or not dropped"
	else
		key $tag n
		why=$(wait_screen 5 $tag "
$named or fail('no names heading: ' + rows[sources_heading()])
[r for r in source_rows() if r.split()[0] == 'host.tdt.example'] or fail('no row named host.tdt.example: %s' % source_rows())")
	fi
	[ -z "$why" ] && why=$(gone_problem $tag)
	check $name "$why"
	key $tag q
	stop_pid "$stub" TERM 5
}

run_main
run_dns
run_nocolor
run_dry
run_names
run_term
run_json
run_prompt
run_hangup
run_demo

finish
