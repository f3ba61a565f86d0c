#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make screenshots: PNGs of tcpdrop-top during the demo (scripts/demo.sh), as a real terminal
# shows it. xterm, with DejaVu Sans Mono, runs on a private Xvfb display; inside it a private tmux
# server runs the demo, so that keys can be sent and the screen read back as text to know when it
# shows what is wanted; ImageMagick's import then takes the xterm window. Writes, into screenshots/:
#   tcpdrop-top.png        100x30, after some seconds of traffic
#   help.png               100x30, after the ? key
#   by-network.png         100x30, the sources by /24 and /64 (the g key)
#   tcpdrop-top-60x15.png  60x15, a small terminal
# Environment: SCREENSHOT_WAIT (seconds of traffic before a shot, default 15), SCREENSHOTS_DIR.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${SCREENSHOTS_DIR:-$ROOT/screenshots}
WAIT=${SCREENSHOT_WAIT:-15}
# Needed only here, so in neither list scripts/install-deps.sh reads: an X server without a
# screen, the terminal, the capture, the font and fc-list to check that the font has the TUI's
# glyphs.
PACKAGES=(xvfb xterm imagemagick fonts-dejavu-core fontconfig)
FONT='DejaVu Sans Mono'
FONT_SIZE=11
# Every non-ASCII character the TUI draws: sparkline blocks, arrows, ellipsis, sort mark.
GLYPHS='2581 2582 2583 2584 2585 2586 2587 2588 2191 2193 2026 25bc'

SOCKET=tcpdrop-shots-$$	# a private tmux server: the user's sessions are never touched
TMP=$(mktemp -d /tmp/tcpdrop-shots.XXXXXX)
TM=(tmux -L "$SOCKET" -f "$TMP/tmux.conf")
DEMO_PID='' XVFB_PID='' XTERM_PID='' WINDOW=''

die() {
	echo "screenshots: $*" >&2
	exit 1
}

# stop PID: ends a process this script started, politely first.
stop() {
	kill "$1" 2>/dev/null || return 0
	wait_gone "$1" 5 || kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

cleanup() {
	# Killing the tmux server hangs up any demo still running, whose own traps then clean up,
	# and ends the tmux client in xterm; xterm and Xvfb go after.
	"${TM[@]}" kill-server 2>/dev/null || true
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCKET"	# tmux leaves its socket behind
	if [ -n "$DEMO_PID" ]; then
		wait_gone "$DEMO_PID" 10 || echo "screenshots: demo (pid $DEMO_PID) still running" >&2
	fi
	[ -z "$XTERM_PID" ] || stop "$XTERM_PID"
	[ -z "$XVFB_PID" ] || stop "$XVFB_PID"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# wait_gone PID SECONDS: succeeds once PID has exited. A zombie counts as gone: tmux may be slow
# to reap a pane's process that it keeps on screen (remain-on-exit).
wait_gone() {
	local end=$((SECONDS + $2))
	while kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" | cut -c1)" != Z ]; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

install_missing() {
	local p missing=()
	for p in "${PACKAGES[@]}"; do
		installed "$p" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return
	command -v apt-get >/dev/null ||
		die "no apt-get here; install by hand: ${missing[*]} (Xvfb, xterm, ImageMagick," \
			"DejaVu fonts, fontconfig)"
	echo "screenshots: installing ${missing[*]}"
	# apt's chatter is shown only when it fails. Another apt may be running: wait for its lock.
	if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			-o DPkg::Lock::Timeout=300 "${missing[@]}"; } >"$TMP/apt.log" 2>&1; then
		cat "$TMP/apt.log" >&2
		die "apt-get could not install ${missing[*]} (its output is above)"
	fi
}

# A display number Xvfb finds free itself (-displayfd), so that no running X server is disturbed.
# The screen is larger than the largest xterm; only the xterm window is captured.
start_xvfb() {
	local i
	Xvfb -displayfd 3 -screen 0 1600x1000x24 -dpi 96 -nolisten tcp \
		3>"$TMP/display" 2>"$TMP/xvfb.log" &
	XVFB_PID=$!
	for i in $(seq 100); do
		[ -s "$TMP/display" ] && break
		if ! kill -0 "$XVFB_PID" 2>/dev/null; then
			cat "$TMP/xvfb.log" >&2
			die "Xvfb did not start (its messages are above)"
		fi
		[ "$i" -lt 100 ] || die "Xvfb did not report a display within 20 s"
		sleep 0.2
	done
	DISPLAY=:$(head -n1 "$TMP/display")
	export DISPLAY
}

screen_text() {
	"${TM[@]}" capture-pane -p -t shot
}

pane() {
	"${TM[@]}" display-message -p -t shot "$1"
}

# wait_screen WHAT SECONDS REGEX: waits until the screen shows a line matching REGEX; stops with
# the screen shown if the demo ends or WHAT does not appear in time.
wait_screen() {
	local end=$((SECONDS + $2))
	until grep -qE -- "$3" <<<"$(screen_text)"; do
		if [ "$(pane '#{pane_dead}')" = 1 ]; then
			# tmux may lose what a pane wrote just before it ended: then only its status is left.
			screen_text | grep -v '^$' >&2 || true
			die "the demo stopped (exit status $(pane '#{pane_dead_status}')) before $1" \
				"showed; its screen is above; if it does not say why, run: sudo make demo"
		fi
		if [ "$SECONDS" -ge "$end" ]; then
			screen_text | grep -v '^$' >&2 || true
			die "$1 did not show within $2 s (the screen is above; try: sudo make demo)"
		fi
		sleep 0.2
	done
}

# start_xterm COLS ROWS: an xterm of COLS x ROWS showing the tmux session. Colours are xterm's own
# 256, on a dark background; HOME and XENVIRONMENT point away from the user's X resources.
start_xterm() {
	local i size
	# shellcheck disable=SC2016  # $WINDOWID and $@ are for the sh that xterm starts
	env HOME="$TMP" XENVIRONMENT=/dev/null LANG=C.UTF-8 LC_ALL=C.UTF-8 \
		xterm -u8 -fa "$FONT" -fs "$FONT_SIZE" -tn xterm-256color -bg black -fg gray85 \
		-b 6 -geometry "$1x$2+0+0" -title tcpdrop-top \
		-e sh -c 'echo "$WINDOWID" >"$1" && shift && exec "$@"' sh "$TMP/windowid" \
		"${TM[@]}" -u attach-session -t shot 2>"$TMP/xterm.log" &
	XTERM_PID=$!
	for i in $(seq 100); do
		[ -n "$("${TM[@]}" list-clients -t shot 2>/dev/null)" ] && [ -s "$TMP/windowid" ] && break
		if ! kill -0 "$XTERM_PID" 2>/dev/null; then
			cat "$TMP/xterm.log" >&2
			die "xterm did not start (its messages are above)"
		fi
		[ "$i" -lt 100 ] || die "xterm did not attach to the tmux session within 20 s"
		sleep 0.2
	done
	WINDOW=$(cat "$TMP/windowid")
	size=$("${TM[@]}" list-clients -t shot -F '#{client_width}x#{client_height}')
	[ "$size" = "$1x$2" ] ||
		die "xterm came up as a ${size} terminal, not $1x$2: the $FONT_SIZE-point font does" \
			"not fit the Xvfb screen"
}

# capture NAME: the xterm window into $OUT/NAME.png, just after the TUI has redrawn (its clock
# moves every second) so that no half-drawn screen is taken.
capture() {
	local before i
	before=$(screen_text)
	for i in $(seq 25); do
		[ "$(screen_text)" != "$before" ] && break
		sleep 0.1
	done
	sleep 0.4	# for tmux to pass the redraw to xterm, and xterm to draw it
	import -silent -window "$WINDOW" "png:$OUT/$1.png" 2>"$TMP/import.log" || {
		cat "$TMP/import.log" >&2
		die "import could not capture the xterm window $WINDOW on $DISPLAY (its error is above)"
	}
	echo "screenshots: wrote ${OUT#"$ROOT"/}/$1.png"
}

# shoot COLS ROWS NAME [HELP_NAME [NET_NAME]]: one demo in a COLS x ROWS terminal; NAME.png after
# WAIT seconds, HELP_NAME.png after the ? key and NET_NAME.png after g when names are given.
shoot() {
	local cols=$1 rows=$2 name=$3 help=${4:-} net=${5:-} pid ns inodes=()
	"${TM[@]}" new-session -d -s shot -x "$cols" -y "$rows" \
		"exec env DEMO_SECONDS=$((WAIT + 60)) $(printf '%q' "$ROOT/scripts/demo.sh")"
	DEMO_PID=$(pane '#{pane_pid}')
	pid=$DEMO_PID
	start_xterm "$cols" "$rows"

	# Up once its screen shows the top sources table, at any size the TUI can draw.
	wait_screen "tcpdrop-top's screen" 30 'TOP SOURCES'
	# The namespaces' identities, to check afterwards that no process is left in them.
	for ns in "tcpdrop-demo-srv-$pid" "tcpdrop-demo-cli-$pid"; do
		if [ -e "/run/netns/$ns" ]; then
			inodes+=("$(stat -L -c %i "/run/netns/$ns")")
		fi
	done

	echo "screenshots: ${cols}x${rows}: waiting ${WAIT} s for traffic to show"
	sleep "$WAIT"
	wait_screen "a dropped connection" 10 '4040 +S '
	capture "$name"
	if [ -n "$help" ]; then
		"${TM[@]}" send-keys -t shot '?'
		wait_screen "the help (? key)" 10 'tcpdrop-top keys'
		capture "$help"
	fi
	if [ -n "$net" ]; then
		"${TM[@]}" send-keys -t shot x g	# x closes the help
		wait_screen "the sources by network (g key)" 10 '198\.51\.100\.0/24 '
		sleep 3	# a rate needs two reads of the table
		capture "$net"
	fi
	stop_demo
	stop "$XTERM_PID"
	XTERM_PID=
	check_clean "$pid" "${inodes[@]}"
}

# Quits the way a person would: q (twice, as the first may only close the help), then Ctrl-C,
# and as a last resort hangs the terminal up.
stop_demo() {
	local key
	for key in q q C-c; do
		[ "$(pane '#{pane_dead}')" = 1 ] && break
		"${TM[@]}" send-keys -t shot "$key"
		wait_gone "$DEMO_PID" 5 && break
	done
	if ! wait_gone "$DEMO_PID" 1; then
		echo "screenshots: the demo did not quit on q or Ctrl-C; hanging it up" >&2
		"${TM[@]}" kill-session -t shot
		wait_gone "$DEMO_PID" 10 || die "demo (pid $DEMO_PID) still running after SIGHUP"
	fi
	"${TM[@]}" kill-session -t shot 2>/dev/null || true
	DEMO_PID=
}

# check_clean PID INODE...: the namespaces of the demo PID are gone, and no process is left in
# them (by their inode numbers, INODE...).
check_clean() {
	local pid=$1 inode left
	shift
	left=$(ip netns list | grep -E "^tcpdrop-demo-(srv|cli)-$pid( |\$)" | cut -d' ' -f1 |
		tr '\n' ' ' || true)
	[ -z "$left" ] || die "the demo left namespaces behind: $left(remove: ip netns del NAME)"
	for inode in "$@"; do
		left=$(find /proc/[0-9]*/ns/net -maxdepth 0 -lname "net:\[$inode\]" 2>/dev/null |
			cut -d/ -f3 | tr '\n' ' ' || true)
		[ -z "$left" ] || die "processes left in a demo namespace: $left(kill them by pid)"
	done
}

[ "$(id -u)" -eq 0 ] ||
	die "needs root: the demo creates network namespaces and attaches XDP; run: sudo make screenshots"
case $WAIT in
'' | *[!0-9]*) die "SCREENSHOT_WAIT=\"$WAIT\": want a whole number of seconds, e.g. 10" ;;
esac
command -v tmux >/dev/null || die "no tmux: install it (make deps)"
install_missing
# xterm would quietly fall back to another font, or draw boxes, for what the font lacks.
[ -n "$(fc-list "$FONT:charset=$GLYPHS" family)" ] ||
	die "the font \"$FONT\" is missing or lacks a glyph the TUI draws (U+${GLYPHS// /, U+}):" \
		"reinstall fonts-dejavu-core, then check with: fc-list '$FONT:charset=$GLYPHS'"
mkdir -p "$OUT"

# The pane gets a 256-colour terminal, no status line (the whole window is the pane), and stays
# after its program ends so that a demo failing at start can still be read.
term=screen-256color
infocmp tmux-256color >/dev/null 2>&1 && term=tmux-256color
printf 'set -g default-terminal %s\nset -g status off\nset -g remain-on-exit on\n' "$term" \
	>"$TMP/tmux.conf"
# The TUI draws its lines and graphs in UTF-8 only under a UTF-8 locale.
[ "$(locale charmap 2>/dev/null)" = UTF-8 ] || export LC_ALL=C.UTF-8
unset TMUX	# run from inside tmux too
start_xvfb

shoot 100 30 tcpdrop-top help by-network
shoot 60 15 tcpdrop-top-60x15
echo "screenshots: done; the demo's namespaces and processes, xterm and Xvfb are gone"
