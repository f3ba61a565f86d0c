#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Under a SYN flood: trafgen (netsniff-ng) sends a fixed number of SYNs to port 4040 from the
# client end of a veth pair into the server end, where tcpdrop-top watches with native XDP. The
# counts must come out exact: every SYN dropped, every packet the client sent counted, and every
# drop either delivered as an event or counted as a lost event, also when the consumer is frozen
# and the ring buffer overflows. The live view must stay responsive and small meanwhile.
#
# Only TEST-NET addresses in namespaces this suite creates (and always removes) carry any
# traffic: the SYNs go to 198.51.100.1 only, from forged sources 198.51.100.2-11 (ports
# 40000-49999); every flood has a fixed packet count and runs under `timeout`.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

S=tdt-fs-$$ C=tdt-fc-$$
SIF=tdtfs$$ CIF=tdtfc$$	# veth names: at most 15 characters
V4S=198.51.100.1
TM=(tmux -L "tdt-fl-$$" -f "$TDT_TMP/tmux.conf")	# a private server: no other session is touched
FLOOD_LIMIT=20	# seconds any one flood may take (about 2-3 s here)

N1=1000000	# case 1: SYNs in the flood (a multiple of 10: ten sources share it evenly)
N2=1500000	# case 2: long enough to run on for a second after the consumer is stopped
N3=2000000	# case 3: a flood of about 3 s at the ~600k packets/s trafgen manages here
RSS_LIMIT_KB=65536	# case 3: measured VmHWM 11.4 MiB before and 12.0-12.2 MiB during a 2,000,000-SYN flood

CASES=(
	syn_flood_counts_every_packet_exactly
	frozen_consumer_loses_events_but_counts_stay_exact
	tui_stays_responsive_and_bounded_during_flood
)

# The tmux server first (it hangs up a TUI still running, which then detaches by itself), then
# lib.sh's cleanup: tracked processes, both namespaces (and whatever still runs in them), and
# $TDT_TMP with the NDJSON files.
flood_cleanup() {
	"${TM[@]}" kill-server >/dev/null 2>&1
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/tdt-fl-$$"	# tmux leaves its socket behind
	cleanup
}
trap flood_cleanup EXIT

# note TEXT: a figure worth seeing in the log; tests/run counts only ok/FAIL/SKIP lines.
note() {
	echo "# $*"
}

have_binary || fail_all "$TDT_BIN does not exist or is not executable (run make)"
why=$(netns_problem)
[ -n "$why" ] && skip_all "$why"
command -v trafgen >/dev/null || skip_all "no trafgen (netsniff-ng; scripts/install-deps.sh)"
make_pair "$S" "$C" "$SIF" "$CIF" || fail_all "could not set up namespaces and veth pair"
# The client's stack must send nothing of its own (IPv6 router solicitations, MLD reports), so
# that its transmit counter counts the flood and nothing else for the accounting checks.
ip netns exec "$C" sysctl -qw "net.ipv6.conf.$CIF.disable_ipv6=1" ||
	fail_all "could not disable IPv6 on the client veth"
MAC=$(ip -n "$S" -j link show dev "$SIF" |
	python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["address"])')
[ -n "$MAC" ] || fail_all "could not read the MAC address of $SIF"

# One SYN a packet: the source address cycles through 198.51.100.2-11 and the source port
# through 40000-49999, both one step per packet, so packet k comes from .(2 + k % 10), port
# 40000 + k % 10000 (so (port - 40000) % 10 == address - 2), and each source sends exactly
# N / 10 frames of 54 bytes. trafgen recomputes the checksums of fields it changes.
cat >"$TDT_TMP/syn.cfg" <<EOF
{
	eth(da=$MAC, type=0x0800),
	ipv4(saddr=198.51.100.2, saddr[3]=dinc(2, 11), daddr=$V4S, proto=6, ttl=64),
	tcp(sp=dinc(40000, 49999), dp=4040, syn),
}
EOF

# The client veth's transmit counter: every packet that left towards the server.
tx_packets() {
	ip -n "$C" -s -j link show dev "$CIF" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["stats64"]["tx"]["packets"])'
}

# flood_start N TAG: trafgen sends N SYNs in the background (TG is the pid); its output, with
# carriage returns and the warnings about /proc/sys it cannot set in a namespace, is TAG.tg.
flood_start() {
	TG_LOG=$TDT_TMP/$2.tg
	timeout -k 2 "$FLOOD_LIMIT" ip netns exec "$C" \
		trafgen -o "$CIF" -c "$TDT_TMP/syn.cfg" -n "$1" -P 1 >"$TG_LOG" 2>&1 </dev/null &
	TG=$!
	track "$TG"
}

# flood_end N: waits for trafgen; sets FLOOD_WHY to why it did not send exactly N packets, or
# to nothing, and TG_RATE to its packets per second (by trafgen's own clock).
flood_end() {
	local sent usec
	wait_pid "$TG" $((FLOOD_LIMIT + 5))
	sent=$(tr '\r' '\n' <"$TG_LOG" | sed -n 's/^ *\([0-9][0-9]*\) packets outgoing.*/\1/p' | tail -1)
	usec=$(tr '\r' '\n' <"$TG_LOG" |
		sed -n 's/^ *\([0-9][0-9]*\) sec, \([0-9][0-9]*\) usec on CPU.*/\1 \2/p' |
		awk '{ t += $1 * 1000000 + $2 } END { print t + 0 }')
	TG_RATE=0
	[ "${usec:-0}" -gt 0 ] && [ -n "$sent" ] && TG_RATE=$((sent * 1000000 / usec))
	FLOOD_WHY=
	if [ "$WAIT_STATUS" != 0 ]; then
		FLOOD_WHY="trafgen exited with status $WAIT_STATUS (124: still sending after"
		FLOOD_WHY+=" $FLOOD_LIMIT s): $(tr '\r' '\n' <"$TG_LOG" | grep -v '/proc/sys' | grep . | tail -3)"
	elif [ "$sent" != "$1" ]; then
		FLOOD_WHY="trafgen says it sent '${sent}' packets, want $1"
	fi
}

# flood_abort: ends a flood still running (timeout passes the TERM on to trafgen).
flood_abort() {
	kill -TERM "$TG" 2>/dev/null
	wait_pid "$TG" 5
}

# start_native_tool TAG ARGS...: start_tool (lib.sh); the flood's figures need native XDP.
start_native_tool() {
	start_tool "$@" || return 1
	if ! grep 'watching' "$TOOL_ERR" | grep -q native; then
		START_WHY="not in native XDP mode: $(head -c 200 "$TOOL_ERR")"
		return 1
	fi
}

# The newest stats line, cheaply, from an NDJSON file of a few hundred megabytes.
last_stats() {
	tail -n 400 "$1" | grep '^{"type":"stats"' | tail -n 1
}

# stats_dropped_is FILE N: the newest stats line says dropped N.
stats_dropped_is() {
	last_stats "$1" | grep -q "\"dropped\":$2,"
}

now_utc() {
	date -u +%Y-%m-%dT%H:%M:%S.%6NZ
}

# The NDJSON checker: `python3 flood.py OUT STATS N TXDELTA DROPLINES BADLINES [RESUMED]`
# checks the run's output OUT (its stats lines already extracted into STATS); prints the first
# failure and exits 1, or prints the figures (events lost, ...) as one line and exits 0.
cat >"$TDT_TMP/flood.py" <<'EOF'
import json, os, random, re, sys

out, stats_path, n, txdelta, droplines, badlines = sys.argv[1:7]
n, txdelta, droplines, badlines = int(n), int(txdelta), int(droplines), int(badlines)
resumed = sys.argv[7] if len(sys.argv) > 7 else None
DROP_KEYS = ["type", "time", "ifname", "family", "src", "sport", "dst", "dport", "flags", "len",
	"vlan", "action"]
TIME_RE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"
SIF = os.environ["SIF"]
SOURCES = ["198.51.100.%d" % i for i in range(2, 12)]

class Failed(Exception):
	pass

def fail(why):
	raise Failed(why)

def check_drop(line, where):
	try:
		e = json.loads(line)
	except ValueError:
		fail("%s is not JSON: %.150s" % (where, line))
	if list(e) != DROP_KEYS:
		fail("%s has keys %s" % (where, list(e)))
	want = dict(type="drop", ifname=SIF, family=4, dst="198.51.100.1", dport=4040, flags="S",
		len=54, vlan=0, action="drop")
	for k, v in want.items():
		if e[k] != v:
			fail("%s: %s is %r, want %r: %.200s" % (where, k, e[k], v, line))
	if not re.match(TIME_RE, str(e["time"])):
		fail("%s: time %r" % (where, e["time"]))
	if e["src"] not in SOURCES or not 40000 <= e["sport"] <= 49999:
		fail("%s: not one of the flood's sources: %.200s" % (where, line))
	# The address and the port come from the same packet: see syn.cfg.
	if SOURCES.index(e["src"]) != (e["sport"] - 40000) % 10:
		fail("%s: source %s with port %d: no packet of the flood had both" %
			(where, e["src"], e["sport"]))

def sample_drops(count):
	"""The first and last drop lines and COUNT from random places, read by seeking."""
	size = os.path.getsize(out)
	got = []
	with open(out, "rb") as f:
		offsets = [0, max(0, size - 65536)] + [random.randrange(size) for _ in range(count)]
		for i, off in enumerate(offsets):
			f.seek(off)
			if off:
				f.readline()	# the rest of a line begun before the offset
			lines = f.readlines(65536) if i == 1 else [f.readline()]
			lines = [l for l in lines if l.startswith(b'{"type":"drop"')]
			if i == 1:
				lines = lines[-1:]
			got += [(off, l.decode("utf-8", "replace").rstrip("\n")) for l in lines]
	return got

try:
	with open(stats_path, encoding="utf-8") as f:
		stats = [json.loads(l) for l in f if l.strip()]
	stats or fail("no stats line at all")
	with open(out, "rb") as f:
		f.seek(max(0, os.path.getsize(out) - 4096))
		last = f.read().decode("utf-8", "replace").splitlines()[-1]
	if json.loads(last) != stats[-1]:
		fail("the last line is not the final stats line: %.200s" % last)
	s = stats[-1]
	figures = "passed %d, dropped %d, malformed %d, events_lost %d, drop lines %d" % (
		s["passed"], s["dropped"], s["malformed"], s["events_lost"], droplines)
	if badlines:
		fail("%d lines are neither a drop nor a stats object" % badlines)
	if s["dropped"] != n:
		fail("final stats say dropped %d, want the %d SYNs sent (%s)" % (s["dropped"], n, figures))
	if s["passed"] + s["dropped"] != txdelta:
		fail("the client sent %d packets, final stats count passed + dropped = %d (%s)" %
			(txdelta, s["passed"] + s["dropped"], figures))
	if s["malformed"] != 0:
		fail("malformed is %d, want 0" % s["malformed"])
	if droplines + s["events_lost"] != s["dropped"]:
		fail("drop lines + events_lost = %d + %d = %d, want dropped = %d" % (droplines,
			s["events_lost"], droplines + s["events_lost"], s["dropped"]))
	# The in-kernel source table is exact too: ten sources, n / 10 frames of 54 bytes each.
	top = sorted((t["src"], t["drops"], t["bytes"]) for t in s["top"])
	want = sorted((a, n // 10, n // 10 * 54) for a in SOURCES)
	if top != want:
		fail("top is %s, want each of %s-%s with %d drops and %d bytes" % (json.dumps(s["top"]),
			SOURCES[0], SOURCES[-1], n // 10, n // 10 * 54))
	times = [x["time"] for x in stats]
	for a, b in zip(stats, stats[1:]):
		if not a["time"] < b["time"]:
			fail("stats times do not increase: %s then %s" % (a["time"], b["time"]))
		for k in ("passed", "dropped", "events_lost"):
			if b[k] < a[k]:
				fail("%s went down from %d to %d at %s" % (k, a[k], b[k], b["time"]))
	if resumed is not None:
		after = [x for x in stats if x["time"] > resumed]
		if len(after) < 3:
			fail("%d stats lines after the resume at %s (2 periodic and the final one wanted): %s"
				% (len(after), resumed, times[-5:]))
		figures += ", stats lines after the resume %d" % len(after)
	samples = sample_drops(40)
	if droplines and len(samples) < 10:
		fail("found only %d drop lines to spot-check" % len(samples))
	for off, line in samples:
		check_drop(line, "the drop line after byte %d" % off)
	print(figures + ", spot-checked %d drop lines" % len(samples))
except Failed as e:
	print(e)
	sys.exit(1)
except (ValueError, KeyError, TypeError, IndexError) as e:
	print("cannot read the output: %r" % e)
	sys.exit(1)
EOF
export SIF

# flood_json_run NAME TAG N FREEZE: case 1 (FREEZE 0) or 2 (FREEZE 1). tcpdrop-top --json runs
# with stdout to a file; trafgen sends N SYNs; FREEZE stops the tool for 1.5 s 0.3 s into the
# flood. Once the stats say every SYN was dropped, SIGINT ends the run; its output is checked.
flood_json_run() {
	local name=$1 tag=$2 n=$3 freeze=$4 why tx0 tx1 droplines badlines resumed='' figures ran
	if ! start_native_tool "$tag" --json -d 0.5; then
		fail "$name" "$START_WHY"
		return
	fi
	tx0=$(tx_packets)
	flood_start "$n" "$tag"
	why=
	if [ "$freeze" = 1 ]; then
		# The flood has reached the tool once a drop is written; 0.3 s later it is stopped.
		if ! wait_until 5 grep -q -m 1 '^{"type":"drop"' "$TOOL_OUT"; then
			why="no drop line within 5 s of the flood's start: $(head -c 200 "$TOOL_OUT")"
		elif [ "$(cat "/proc/$TOOL/comm" 2>/dev/null)" != tcpdrop-top ]; then
			why="pid $TOOL is '$(cat "/proc/$TOOL/comm" 2>/dev/null)', not tcpdrop-top"
		else
			sleep 0.3
			kill -STOP "$TOOL"
			ran=$(kill -0 "$TG" 2>/dev/null && echo yes)
			sleep 1.5
			resumed=$(now_utc)
			kill -CONT "$TOOL"
			[ "$ran" = yes ] || why="the flood was over before the tool was stopped (too short)"
		fi
	fi
	if [ -z "$why" ]; then
		flood_end "$n"
		why=$FLOOD_WHY
	fi
	[ -n "$why" ] && flood_abort
	# Every SYN has reached XDP once a stats line counts them all; with a resume, two periodic
	# stats lines after it show that the stream goes on.
	if [ -z "$why" ]; then
		wait_until 10 stats_dropped_is "$TOOL_OUT" "$n"
		[ -n "$resumed" ] && wait_until 5 stats_after "$TOOL_OUT" "$resumed" 2
	fi
	stop_tool INT 10
	tx1=$(tx_packets)
	if [ -z "$why" ] && [ "$STOP_STATUS" != 0 ]; then
		why="after SIGINT: status $STOP_STATUS, want 0; stderr: $(tail -c 200 "$TOOL_ERR")"
	fi
	if [ -z "$why" ]; then
		grep '^{"type":"stats"' "$TOOL_OUT" >"$TDT_TMP/$tag.stats"
		droplines=$(LC_ALL=C grep -c '^{"type":"drop",' "$TOOL_OUT")
		badlines=$(LC_ALL=C grep -cvE '^\{"type":"(drop|stats)",.*\}$' "$TOOL_OUT")
		if figures=$(python3 "$TDT_TMP/flood.py" "$TOOL_OUT" "$TDT_TMP/$tag.stats" "$n" \
			$((tx1 - tx0)) "$droplines" "$badlines" ${resumed:+"$resumed"}); then
			note "$name: $n SYNs at $TG_RATE/s (trafgen), client sent $((tx1 - tx0)):" \
				"$figures; output $(($(stat -c %s "$TOOL_OUT") / 1048576)) MiB"
		else
			why=$figures
		fi
	fi
	rm -f "$TOOL_OUT"	# a few hundred megabytes
	check "$name" "$why"
}

# stats_after FILE TIME COUNT: at least COUNT stats lines are stamped after TIME (same format).
stats_after() {
	[ "$(LC_ALL=C grep '^{"type":"stats"' "$1" | sed 's/^{"type":"stats","time":"\([^"]*\)".*/\1/' |
		awk -v t="$2" '$0 > t' | wc -l)" -ge "$3" ]
}

# --- Case 3: the live view under a flood ---------------------------------------------------
# The pane runs this: tcpdrop-top in the server namespace (its pid in TAG.pid: ip netns exec
# execs the program, keeping the pid), then its exit status into TAG.status.
write_runner() {
	local d=$TDT_TMP/$1
	cat >"$d.sh" <<-EOF
		#!/bin/bash
		export LC_ALL=C.UTF-8 LANG=C.UTF-8
		unset NO_COLOR
		bash -c 'echo \$\$ >"\$0"; exec "\$@"' '$d.pid' \\
			ip netns exec '$S' '$TDT_BIN' -i '$SIF' -d 0.5
		st=\$?
		echo "\$st" >'$d.status.tmp' && mv '$d.status.tmp' '$d.status'
		echo "tdt-shell: tcpdrop-top exited with status \$st"
		exec sleep 60
	EOF
}

snap() {
	"${TM[@]}" capture-pane -p -t "$1" 2>/dev/null
}

ui_up_or_gone() {
	[ -f "$TDT_TMP/$1.status" ] && return 0
	xdp_attached "$S" "$SIF" && snap "$1" | head -1 | grep -q "^ tcpdrop-top  $SIF ("
}

# screen_value TAG WHAT: from the screen now, "uptime" (the title's up H:MM:SS in seconds),
# "dropped" or "events lost" (the counters rows' totals, thousands separators removed), or
# nothing when the screen does not show it.
screen_value() {
	snap "$1" | python3 -c '
import re, sys
rows = sys.stdin.read().split("\n")
what = sys.argv[1]
if what == "uptime":
	m = re.search(r"\bup (\d+):(\d\d):(\d\d)\b", rows[0]) if rows else None
	m and print(int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3)))
else:
	for r in rows[1:3]:
		m = re.search(r"(?<![A-Za-z])" + what + r"\s+([\d,]+)\s+\S+/s", r)
		if m:
			print(int(m.group(1).replace(",", "")))
			break' "$2"
}

help_shown() {
	snap "$1" | grep -q 'tcpdrop-top keys'
}

help_gone() {
	! help_shown "$1"
}

dropped_moved() {
	local v
	v=$(screen_value "$1" dropped)
	[ -n "$v" ] && [ "$v" -gt 0 ]
}

screen_show() {
	snap "$1" | grep . | tr -s ' ' | head -c 700 | tr '\n' '|'
}

ms_now() {
	echo $(($(date +%s%N) / 1000000))
}

# rss_sample PID: VmRSS and VmHWM in kB, "RSS HWM"; records the largest in RSS_MAX and HWM_MAX.
rss_sample() {
	local rss hwm
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	[ -n "$rss" ] && [ "$rss" -gt "$RSS_MAX" ] && RSS_MAX=$rss
	[ -n "$hwm" ] && [ "$hwm" -gt "$HWM_MAX" ] && HWM_MAX=$hwm
	[ -n "$rss" ] && [ -n "$hwm" ]
}

dropped_is() {
	[ "$(screen_value "$1" dropped)" = "$2" ]
}

run_tui() {
	local name=tui_stays_responsive_and_bounded_during_flood tag=flood why t0 ms up0 up1 pid
	local term=screen lost
	if ! command -v tmux >/dev/null; then
		skip $name "no tmux"
		return
	fi
	if ! locale -a 2>/dev/null | grep -qix 'C.utf-\?8'; then
		skip $name "no C.UTF-8 locale"
		return
	fi
	infocmp tmux-256color >/dev/null 2>&1 && term=tmux-256color
	printf 'set -g default-terminal %s\nset -g status off\n' "$term" >"$TDT_TMP/tmux.conf"
	unset TMUX	# the suite may itself run inside tmux
	write_runner $tag
	if ! "${TM[@]}" new-session -d -s $tag -x 100 -y 30 "bash $TDT_TMP/$tag.sh" \
		2>"$TDT_TMP/tmux.err"; then
		fail $name "tmux new-session failed: $(head -c 200 "$TDT_TMP/tmux.err")"
		return
	fi
	if ! wait_until 10 ui_up_or_gone $tag || [ -f "$TDT_TMP/$tag.status" ]; then
		fail $name "the TUI did not come up within 10 s: $(screen_show $tag)"
		return
	fi
	pid=$(cat "$TDT_TMP/$tag.pid")
	if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != tcpdrop-top ]; then
		fail $name "pid $pid is '$(cat "/proc/$pid/comm" 2>/dev/null)', not tcpdrop-top"
		return
	fi
	RSS_MAX=0 HWM_MAX=0
	rss_sample "$pid"
	note "$name: before the flood VmRSS $RSS_MAX kB, VmHWM $HWM_MAX kB"

	flood_start $N3 $tag
	why=
	# The flood is on once the dropped counter moves.
	if ! wait_until 5 dropped_moved $tag; then
		why="the dropped counter did not move within 5 s of the flood's start: $(screen_show $tag)"
	fi
	rss_sample "$pid"
	if [ -z "$why" ]; then
		kill -0 "$TG" 2>/dev/null || why="the flood was over before the checks began (too short)"
	fi
	# Help within a second, while the kernel drops ~600k SYNs a second and the log fills.
	if [ -z "$why" ]; then
		t0=$(ms_now)
		"${TM[@]}" send-keys -t $tag -l '?'
		while ! help_shown $tag && [ $(($(ms_now) - t0)) -lt 1000 ]; do
			sleep 0.02
		done
		ms=$(($(ms_now) - t0))
		if ! help_shown $tag; then
			why="no help overlay within 1 s of '?' during the flood: $(screen_show $tag)"
		else
			note "$name: help overlay shown ${ms} ms after '?' during the flood"
			"${TM[@]}" send-keys -t $tag -l x
			wait_until 3 help_gone $tag
			help_shown $tag && why="help still open 3 s after x: $(screen_show $tag)"
		fi
	fi
	rss_sample "$pid"
	# The title's clock advances between two looks a second apart: the screen is redrawn.
	if [ -z "$why" ]; then
		up0=$(screen_value $tag uptime)
		sleep 1
		up1=$(screen_value $tag uptime)
		if [ -z "$up0" ] || [ -z "$up1" ]; then
			why="no 'up H:MM:SS' in the title: $(snap $tag | head -1)"
		elif [ "$up1" -le "$up0" ]; then
			why="the title's uptime stayed at ${up0}s over a second of flood: $(snap $tag | head -1)"
		elif ! kill -0 "$TG" 2>/dev/null; then
			note "$name: the flood ended before the clock check finished"
		fi
	fi
	rss_sample "$pid"
	flood_end $N3
	[ -z "$why" ] && why=$FLOOD_WHY
	[ -n "$FLOOD_WHY" ] && flood_abort
	# Every SYN counted: the counter settles at N3 exactly.
	if [ -z "$why" ] && ! wait_until 10 dropped_is $tag $N3; then
		why="dropped shows $(screen_value $tag dropped) 10 s after the flood, want $N3: $(screen_show $tag)"
	fi
	lost=$(screen_value $tag 'events lost')
	rss_sample "$pid"
	if [ -z "$why" ] && ! rss_sample "$pid"; then
		why="cannot read /proc/$pid/status: $(screen_show $tag)"
	fi
	note "$name: $N3 SYNs at $TG_RATE/s (trafgen); events lost shown: ${lost:-?};" \
		"largest VmRSS $RSS_MAX kB, VmHWM $HWM_MAX kB"
	if [ -z "$why" ] && [ "$HWM_MAX" -ge "$RSS_LIMIT_KB" ]; then
		why="VmHWM reached $HWM_MAX kB (VmRSS up to $RSS_MAX kB), bound $RSS_LIMIT_KB kB"
	elif [ -z "$why" ] && [ "$RSS_MAX" -ge "$RSS_LIMIT_KB" ]; then
		why="VmRSS reached $RSS_MAX kB, bound $RSS_LIMIT_KB kB"
	fi
	# q: exit status 0 and nothing left on the interface.
	if [ -z "$why" ] && [ -f "$TDT_TMP/$tag.status" ]; then
		why="the TUI exited with status $(cat "$TDT_TMP/$tag.status") before q: $(screen_show $tag)"
	fi
	"${TM[@]}" send-keys -t $tag -l q
	if [ -n "$why" ]; then
		:
	elif ! wait_until 5 test -f "$TDT_TMP/$tag.status"; then
		why="still running 5 s after q: $(screen_show $tag)"
	elif [ "$(cat "$TDT_TMP/$tag.status")" != 0 ]; then
		why="exit status $(cat "$TDT_TMP/$tag.status") after q, want 0: $(screen_show $tag)"
	elif ! wait_until 3 xdp_detached "$S" "$SIF"; then
		why="an XDP program is still attached after q: $(ip -n "$S" link show dev "$SIF" | tr -s ' \n' ' ')"
	elif [ -n "$(xdp_prog_ids "$S" "$SIF")" ]; then
		why="bpftool still lists XDP program(s) $(xdp_prog_ids "$S" "$SIF" | tr '\n' ' ') after q"
	fi
	check $name "$why"
}

flood_json_run syn_flood_counts_every_packet_exactly exact $N1 0
flood_json_run frozen_consumer_loses_events_but_counts_stay_exact frozen $N2 1
run_tui

finish
