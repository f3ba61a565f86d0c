#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make screenshots: PNGs of the real tcpdrop-top screen during the demo (scripts/demo.sh). The
# demo runs in a detached tmux session of a fixed size on a private tmux server; tmux captures the
# screen with its colours and scripts/ansi2png.py draws it. Writes, into screenshots/:
#   tcpdrop-top.png        100x30, after some seconds of traffic
#   help.png               100x30, after the ? key
#   tcpdrop-top-60x15.png  60x15, a small terminal
# Environment: SCREENSHOT_WAIT (seconds of traffic before a shot, default 15), SCREENSHOTS_DIR.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${SCREENSHOTS_DIR:-$ROOT/screenshots}
WAIT=${SCREENSHOT_WAIT:-15}
# Needed only here, so not in scripts/install-deps.sh: the renderer's imaging library and font.
PACKAGES=(python3-pil fonts-dejavu-core)

SOCKET=tcpdrop-shots-$$	# a private tmux server: the user's sessions are never touched
TMP=$(mktemp -d /tmp/tcpdrop-shots.XXXXXX)
TM=(tmux -L "$SOCKET" -f "$TMP/tmux.conf")
DEMO_PID=

die() {
	echo "screenshots: $*" >&2
	exit 1
}

cleanup() {
	# Killing the server hangs up any demo still running, whose own traps then clean up.
	"${TM[@]}" kill-server 2>/dev/null || true
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCKET"	# tmux leaves its socket behind
	if [ -n "$DEMO_PID" ]; then
		wait_gone "$DEMO_PID" 10 || echo "screenshots: demo (pid $DEMO_PID) still running" >&2
	fi
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
		die "no apt-get here; install by hand: ${missing[*]} (Pillow and DejaVu Sans Mono)"
	echo "screenshots: installing ${missing[*]} (for scripts/ansi2png.py)"
	# apt's chatter is shown only when it fails.
	if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			"${missing[@]}"; } >"$TMP/apt.log" 2>&1; then
		cat "$TMP/apt.log" >&2
		die "apt-get could not install ${missing[*]} (its output is above)"
	fi
}

# Debian's python3-pil belongs to /usr/bin/python3, which may not be the first python3 on PATH.
find_python() {
	local py
	for py in /usr/bin/python3 python3; do
		if command -v "$py" >/dev/null && "$py" -c 'import PIL' 2>/dev/null; then
			command -v "$py"
			return
		fi
	done
	return 1
}

pane() {
	"${TM[@]}" display-message -p -t shot "$1"
}

# shoot COLS ROWS NAME [HELP_NAME]: one demo in a COLS x ROWS terminal; NAME.png after WAIT
# seconds, and HELP_NAME.png after the ? key when a name is given.
shoot() {
	local cols=$1 rows=$2 name=$3 help=${4:-} pid ns sif inodes=() i
	"${TM[@]}" new-session -d -s shot -x "$cols" -y "$rows" \
		"exec env DEMO_SECONDS=$((WAIT + 60)) $(printf '%q' "$ROOT/scripts/demo.sh")"
	DEMO_PID=$(pane '#{pane_pid}')
	pid=$DEMO_PID ns=tcpdrop-demo-srv-$DEMO_PID sif=veth-s$DEMO_PID

	# Up once the filter is attached: whatever the screen looks like, the tool is running.
	for i in $(seq 100); do
		if [ "$(pane '#{pane_dead}')" = 1 ]; then
			"${TM[@]}" capture-pane -p -t shot | grep -v '^$' >&2 || true
			die "the demo stopped at start (its screen is above)"
		fi
		ip -n "$ns" link show dev "$sif" 2>/dev/null | grep -q xdp && break
		[ "$i" -lt 100 ] || die "tcpdrop-top did not attach to $sif in $ns within 20 s"
		sleep 0.2
	done
	# The namespaces' identities, to check afterwards that no process is left in them.
	for i in "$ns" "tcpdrop-demo-cli-$DEMO_PID"; do
		inodes+=("$(stat -L -c %i "/run/netns/$i")")
	done

	echo "screenshots: ${cols}x${rows}: waiting ${WAIT} s for traffic to show"
	sleep "$WAIT"
	capture "$cols" "$rows" "$name"
	if [ -n "$help" ]; then
		if grep -q '"type":' "$TMP/$name.ansi"; then
			echo "screenshots: the screen shows NDJSON, not the TUI: no $help.png"
		else
			"${TM[@]}" send-keys -t shot '?'
			sleep 1
			capture "$cols" "$rows" "$help"
		fi
	fi
	stop_demo
	check_clean "$pid" "${inodes[@]}"
}

# capture COLS ROWS NAME: the screen now, with its attributes, drawn into $OUT/NAME.png.
capture() {
	"${TM[@]}" capture-pane -e -p -N -t shot >"$TMP/$3.ansi"
	"$PYTHON" "$ROOT/scripts/ansi2png.py" --cols "$1" --rows "$2" -o "$OUT/$3.png" \
		"$TMP/$3.ansi"
	echo "screenshots: wrote ${OUT#"$ROOT"/}/$3.png"
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
PYTHON=$(find_python) ||
	die "neither /usr/bin/python3 nor python3 can import PIL, python3-pil installed or not:" \
		"see why with: /usr/bin/python3 -c 'import PIL'"
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

shoot 100 30 tcpdrop-top help
shoot 60 15 tcpdrop-top-60x15
echo "screenshots: done; the demo's namespaces and processes are gone"
