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
V4S=198.51.100.1 V4C=198.51.100.2
TM=(tmux -L "tdt-$$" -f "$TDT_TMP/tmux.conf")	# a private server: no other session is touched
INTERVAL=0.5	# -d: the screen is redrawn at least this often

CASES=(
	client_address_appears_after_a_drop
	clear_key_resets_counters_sources_and_log
	pause_freezes_the_log_while_traffic_continues_and_resume_catches_up
	sort_key_cycles_the_sort_marker
	help_overlay_opens_and_any_key_closes_it
	refresh_interval_keys_change_the_title
	resize_to_60x15_and_back_keeps_a_sane_screen
	q_exits_0_and_leaves_no_xdp_program
	sigterm_restores_terminal_and_exits_0
	no_color_env_is_respected
)

# Killing the tmux server hangs up any tcpdrop-top still running; it then detaches by itself,
# and lib.sh's cleanup removes the namespaces (and kills whatever is left in them).
tui_cleanup() {
	local f pid deadline=$((SECONDS + 5))
	"${TM[@]}" kill-server >/dev/null 2>&1
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/tdt-$$"	# tmux leaves its socket behind
	for f in "$TDT_TMP"/*.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
			sleep 0.1
		done
	done
	cleanup
}
trap tui_cleanup EXIT

have_binary || fail_all "$TDT_BIN does not exist or is not executable (run make)"
why=$(netns_problem)
[ -n "$why" ] && skip_all "$why"
command -v tmux >/dev/null || skip_all "no tmux"
locale -a 2>/dev/null | grep -qix 'C.utf-\?8' || skip_all "no C.UTF-8 locale"
make_pair "$S" "$C" "$SIF" "$CIF" || fail_all "could not set up namespaces and veth pair"

# No status line, so the pane is the whole window; a terminal type with colours.
term=screen
infocmp tmux-256color >/dev/null 2>&1 && term=tmux-256color
printf 'set -g default-terminal %s\nset -g status off\n' "$term" >"$TDT_TMP/tmux.conf"
unset TMUX	# the suite may itself run inside tmux

# The screen checker: runs PYTHON with `rows` (the captured lines of FILE), `fail(why)` and
# helpers that find the parts of the screen; prints the first failure and returns 1.
cat >"$TDT_TMP/screen.py" <<'EOF'
import re, sys

path, code = sys.argv[1], sys.argv[2]
with open(path, encoding="utf-8", errors="replace") as f:
	rows = f.read().split("\n")
if rows and rows[-1] == "":
	rows.pop()	# capture-pane ends its last row with a newline

class Failed(Exception):
	pass

def fail(why):
	raise Failed(why)

def show(lines=None):
	"""The non-blank rows on one line, for a failure message."""
	lines = rows if lines is None else lines
	return " | ".join(r.rstrip() for r in lines if r.strip())[:900]

def counter(name):
	for r in rows[1:3]:
		m = re.search(r"(?<![A-Za-z])" + name + r"\s+([\d,]+)\s+\S+/s", r)
		if m:
			return int(m.group(1).replace(",", ""))
	fail("no %r counter on rows 2-3: %s" % (name, show(rows[1:3])))

def index(pattern):
	for i, r in enumerate(rows):
		if re.search(pattern, r):
			return i
	fail("no row matches %r: %s" % (pattern, show()))

def sources_heading():
	return index(r"^ TOP SOURCES")

def log_heading():
	return index(r"^ (LIVE )?DROPS ")

def source_rows():
	return [r for r in rows[sources_heading() + 1:log_heading()]
		if r.strip() and "no drops yet" not in r]

def log_rows():
	return [r for r in rows[log_heading() + 1:len(rows) - 1] if r.strip()]

def title():
	return rows[0].rstrip() if rows else ""

def keybar():
	return rows[-1].rstrip() if rows else ""

try:
	exec(code)
except Failed as e:
	print(e)
	sys.exit(1)
EOF

# snap TAG FILE [-e]: the screen of session TAG now, into FILE.
snap() {
	"${TM[@]}" capture-pane -p ${3:+"$3"} -t "$1" >"$2" 2>/dev/null
}

# scr_check TAG PYTHON: the screen now, checked; prints why not and returns 1, or nothing.
scr_check() {
	local f=$TDT_TMP/$1.screen
	snap "$1" "$f"
	python3 "$TDT_TMP/screen.py" "$f" "$2"
}

scr_true() {
	scr_check "$@" >/dev/null
}

# wait_screen SECONDS TAG PYTHON: waits for the screen to pass PYTHON; prints why it never did.
wait_screen() {
	wait_until "$1" scr_true "$2" "$3" || scr_check "$2" "$3"
}

# key TAG KEY...: types each KEY as it is (tmux key names such as Up are not needed here).
key() {
	local tag=$1 k
	shift
	for k in "$@"; do
		"${TM[@]}" send-keys -t "$tag" -l -- "$k"
	done
}

pane() {
	"${TM[@]}" display-message -p -t "$1" "$2" 2>/dev/null
}

# The pane runs this script: it notes the terminal modes, runs tcpdrop-top in the server
# namespace (its pid in TAG.pid: ip netns exec execs the program, keeping the pid), then writes
# the exit status to TAG.status, notes the modes again and prints a line as a shell would.
write_runner() {
	local tag=$1 nocolor=$2 d=$TDT_TMP/$1 colour
	colour='unset NO_COLOR'
	[ "$nocolor" = 1 ] && colour='export NO_COLOR=1'
	cat >"$d.sh" <<-EOF
		#!/bin/bash
		export LC_ALL=C.UTF-8 LANG=C.UTF-8
		$colour
		stty -g >'$d.stty0'
		bash -c 'echo \$\$ >"\$0"; exec "\$@"' '$d.pid' \\
			ip netns exec '$S' '$TDT_BIN' -i '$SIF' -d $INTERVAL
		st=\$?
		stty -g >'$d.stty1'
		echo "\$st" >'$d.status.tmp' && mv '$d.status.tmp' '$d.status'
		echo "tdt-shell: tcpdrop-top exited with status \$st"
		exec sleep 300
	EOF
}

# A TUI that has ended, or nothing; for failure messages.
gone_problem() {
	local tag=$1
	[ -f "$TDT_TMP/$tag.status" ] &&
		echo "tcpdrop-top exited with status $(cat "$TDT_TMP/$tag.status"); screen:" \
			"$(snap "$tag" "$TDT_TMP/$tag.gone" && python3 "$TDT_TMP/screen.py" \
				"$TDT_TMP/$tag.gone" 'print(show())')"
}

ui_up_or_gone() {
	[ -f "$TDT_TMP/$1.status" ] && return 0
	xdp_attached "$S" "$SIF" &&
		"${TM[@]}" capture-pane -p -t "$1" 2>/dev/null | head -1 | grep -q "^ tcpdrop-top  $SIF ("
}

# start_ui TAG NOCOLOR: tcpdrop-top in a new 100x30 session TAG; waits for its title row and
# its XDP program. Sets UI_PID; on failure returns 1 with the reason in START_WHY.
start_ui() {
	local tag=$1
	write_runner "$tag" "$2"
	START_WHY=
	if ! "${TM[@]}" new-session -d -s "$tag" -x 100 -y 30 "bash $TDT_TMP/$tag.sh" 2>"$TDT_TMP/tmux.err"
	then
		START_WHY="tmux new-session failed: $(head -c 200 "$TDT_TMP/tmux.err")"
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
}

# stopped_problem TAG: why the ended TUI did not leave things as they were, or nothing: exit
# status 0, the shell's line after it on the screen, the normal screen and a visible cursor
# again, the terminal modes it found, and no XDP program.
stopped_problem() {
	local tag=$1 d=$TDT_TMP/$1
	if ! wait_until 5 test -f "$d.status"; then
		echo "still running 5 s later; screen: $(scr_check "$tag" 'print(show())')"
	elif [ "$(cat "$d.status")" != 0 ]; then
		echo "exit status $(cat "$d.status"), want 0; screen: $(scr_check "$tag" 'print(show())')"
	elif ! wait_screen 3 "$tag" \
		'[r for r in rows if r.startswith("tdt-shell: tcpdrop-top exited")] or fail("")' \
		>/dev/null; then
		scr_check "$tag" 'print("the line printed after it is not on the screen: " + show())'
	elif [ "$(pane "$tag" '#{alternate_on}')" != 0 ]; then
		echo "the terminal is still in the alternate screen"
	elif [ "$(pane "$tag" '#{cursor_flag}')" != 1 ]; then
		echo "the cursor is still hidden"
	elif ! cmp -s "$d.stty0" "$d.stty1"; then
		echo "terminal modes not restored: stty -g was $(cat "$d.stty0"), is $(cat "$d.stty1")"
	elif ! wait_until 3 xdp_detached "$S" "$SIF"; then
		echo "an XDP program is still attached: $(ip -n "$S" link show dev "$SIF" | tr -s ' \n' ' ')"
	elif [ -n "$(xdp_prog_ids "$S" "$SIF")" ]; then
		echo "bpftool still lists XDP program(s) $(xdp_prog_ids "$S" "$SIF" | tr '\n' ' ')"
	fi
}

listening() {
	[ -n "$(ip netns exec "$S" ss -Htln "sport = :$1")" ]
}

# syn SPORT: one connection attempt to the dropped port 4040 from source port SPORT. netcat is
# stopped 0.8 s after `timeout` starts: the SYN leaves within connect(), after that start, and
# Linux retransmits an unanswered SYN only after the initial RTO of 1 s, and closing a socket in
# SYN-SENT sends nothing. So each attempt puts exactly one SYN on the wire.
syn() {
	ip netns exec "$C" timeout 0.8 nc -n -p "$1" "$V4S" 4040 </dev/null >/dev/null 2>&1
}

# tcp_mib NAME: a counter of the client namespace's TCP MIB (/proc/net/snmp is per namespace).
tcp_mib() {
	# shellcheck disable=SC2016  # awk's own fields
	ip netns exec "$C" awk -v k="$1" '/^Tcp:/ { if (!n) { for (i = 1; i <= NF; i++) h[i] = $i; n = 1 }
		else for (i = 1; i <= NF; i++) if (h[i] == k) print $i }' /proc/net/snmp
}

LOG_ROW='r"^ \d\d:\d\d:\d\d\.\d{3} +%s +%s +S +\d+ +- *$"'	# wide log row: source, destination

# --- Run 1: the TUI in colour, driven through its keys and ended with q -----------------------
run_main() {
	local tag=main name why c sent ao0 ao1 rt0 rt1 p pids listener logged ports=(42001 42002 42003 42004 42005)
	if ! start_ui $tag 0; then
		for name in "${CASES[@]:0:8}"; do
			fail "$name" "$START_WHY"
		done
		NO_COLOR_WHY="the TUI did not start in colour: $START_WHY"
		return
	fi

	# Another port first: it is passed, and it settles ARP so the SYN to 4040 leaves at once.
	name=client_address_appears_after_a_drop
	why=
	ip netns exec "$S" timeout 10 nc -l -n "$V4S" 5050 >"$TDT_TMP/5050.recv" 2>/dev/null </dev/null &
	listener=$!
	track $listener
	if ! wait_until 5 listening 5050; then
		why="netcat listener on 5050 did not start"
	elif ! echo "tdt-$$" | ip netns exec "$C" timeout 5 nc -N -n -w 2 "$V4S" 5050 >/dev/null 2>&1
	then
		why="TCP to $V4S:5050 failed while only 4040 is watched"
	elif ! wait_until 3 grep -qx "tdt-$$" "$TDT_TMP/5050.recv"; then
		why="the listener on 5050 got '$(head -c 100 "$TDT_TMP/5050.recv")', want 'tdt-$$'"
	elif syn 41001; then
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
	kill "$listener" 2>/dev/null
	wait "$listener" 2>/dev/null
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
	# their sum is exactly the number of SYNs on the wire (one per attempt, see syn()), which is
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
			syn "$p" &
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
		why=$(python3 "$TDT_TMP/screen.py" "$TDT_TMP/paused1" "
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
'newest first, $sent kept' in rows[log_heading()] or fail('log heading: ' + rows[log_heading()])")
	fi
	[ -z "$why" ] && why=$(gone_problem $tag)
	check $name "$why"
	# Whatever went wrong above, the cases below want a running picture.
	scr_true $tag "'PAUSED' in title() and fail('')" || key $tag p

	# The marker starts on DROPS; each s moves it on, and the fourth brings it back.
	name=sort_key_cycles_the_sort_marker
	why=
	for c in '' 'BYTES▼' 'LAST SEEN▼' 'DROPS▼'; do
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
msg == ['terminal 50x12: tcpdrop-top needs 60x15'] or fail('at 50x12 the screen is: ' + show())")
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
# SGR parameters that set a colour (39 and 49, the default colours, are not colours).
sgr_colours() {
	python3 - "$1" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
colours, attrs = [], []
for params in re.findall(r"\x1b\[([0-9;:]*)m", text):
	for p in re.split(r"[;:]", params):
		if p.isdigit():
			n = int(p)
			if 30 <= n <= 38 or 40 <= n <= 48 or 90 <= n <= 97 or 100 <= n <= 107:
				colours.append(params)
			elif n in (1, 4, 7):
				attrs.append(n)
print("%d %d %s" % (len(colours), len(attrs), " ".join(sorted(set(colours))[:8])))
EOF
}

run_nocolor() {
	local tag=mono name why r n
	if ! start_ui $tag 1; then
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
	if [ -z "$why" ] && [ "$(cat "/proc/$UI_PID/comm" 2>/dev/null)" != tcpdrop-top ]; then
		why="pid $UI_PID is not tcpdrop-top but '$(cat "/proc/$UI_PID/comm" 2>/dev/null)'"
	elif [ -z "$why" ]; then
		kill -TERM "$UI_PID"
		why=$(stopped_problem $tag)
	fi
	check $name "$why"

	check no_color_env_is_respected "${NO_COLOR_WHY:-}"
}

NO_COLOR_WHY=
run_main
run_nocolor

finish
