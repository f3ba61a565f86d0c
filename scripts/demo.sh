#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make demo: tcpdrop-top watching one end of a veth pair between two private network namespaces,
# while clients on the other end knock on port 4040 (dropped) and talk to ports 8080 and 9090
# (passed). Traffic stays between the two namespaces, on documentation addresses (RFC 5737,
# RFC 3849); every loop stops by itself after DEMO_SECONDS, and everything is removed on exit.
#
# Usage: scripts/demo.sh [tcpdrop-top options...]   e.g. scripts/demo.sh --dry-run
# Environment: DEMO_SECONDS (default 600), TDT_BIN (default ./tcpdrop-top).
# shellcheck disable=SC2317  # functions run from traps and inside the client namespace
set -uo pipefail	# no -e: the cleanup must run and the tool's exit status must come through

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LIB_NAME=demo
# shellcheck source=scripts/lib.sh
. "$ROOT/scripts/lib.sh"	# removes the loops, the listeners and the namespaces on exit
BIN=${TDT_BIN:-$ROOT/tcpdrop-top}
DEMO_SECONDS=${DEMO_SECONDS:-600}

S=tcpdrop-demo-srv-$$ C=tcpdrop-demo-cli-$$
SIF=veth-s$$ CIF=veth-c$$	# at most 15 characters
V4S=198.51.100.1 V6S=2001:db8:4040::1
V4C=(198.51.100.10 198.51.100.11 198.51.100.12 198.51.100.13 198.51.100.14)
V6C=(2001:db8:4040::10 2001:db8:4040::11 2001:db8:4040::12)

TOOL=

die() {
	echo "demo: $*" >&2
	exit 1
}

# on_signal SIGNAL STATUS: once the tool runs, the demo ends as the tool does: passed the signal
# (a terminal's Ctrl-C has reached it already), it stops cleanly, prints its last stats, detaches
# and exits 0 like any Ctrl-C'd tcpdrop-top. Before that, the demo exits with STATUS.
on_signal() {
	local status=$2
	if [ -n "$TOOL" ]; then
		stop_pid "$TOOL" "$1" 5	# killed only if it ignored the signal for 5 s
		status=$WAIT_STATUS
		[ "$status" = running ] && status=137
	fi
	exit "$status"
}

trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP

# source_loop SRC DST PORT MEAN_MS SECONDS PARENT PHASE: one client address, run inside the
# client namespace. Port 4040 gets a bare connection attempt that the filter drops (nc gives up
# after 1 s); other ports get a short real exchange. Every attempt runs in the background so that
# a dropped one does not hold the pace back. The loop ends after SECONDS, or when PARENT (the
# demo) is gone, even if it was killed with no chance to clean up.
source_loop() {
	local src=$1 dst=$2 port=$3 mean=$4 end=$((SECONDS + $5)) parent=$6 phase=$7 ms
	while [ "$SECONDS" -lt "$end" ] && kill -0 "$parent" 2>/dev/null; do
		if [ "$port" = 4040 ]; then
			nc -z -w 1 -s "$src" "$dst" "$port" &
		else
			printf 'hello from %s\n' "$src" | nc -N -w 1 -s "$src" "$dst" "$port" &
		fi
		# Jitter of -50% to +50%, and 10 s in every 30 three times busier, each source at its
		# own phase: rates, the top sources and any history graph then have something to show.
		ms=$((mean * (50 + RANDOM % 101) / 100))
		if [ $(((SECONDS / 10 + phase) % 3)) -eq 0 ]; then
			ms=$((ms / 3))
		fi
		sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	done >/dev/null 2>&1
	wait
}

export -f source_loop	# for the bash that runs it in the client namespace

# client SRC PORT MEAN_MS PHASE: starts one source_loop in the client namespace.
client() {
	local dst=$V4S
	case $1 in *:*) dst=$V6S ;; esac
	ip netns exec "$C" bash -c 'source_loop "$@"' demo-client \
		"$1" "$dst" "$2" "$3" "$DEMO_SECONDS" "$$" "$4" </dev/null &
	track $!
}

setup() {
	veth_pair "$S" "$C" "$SIF" "$CIF" &&
		addr_add "$S" "$SIF" "$V4S/24" "$V6S/64" &&
		addr_add "$C" "$CIF" "${V4C[@]/%//24}" "${V6C[@]/%//64}"
}

[ "$(id -u)" -eq 0 ] ||
	die "needs root: it creates network namespaces and attaches an XDP program; run: sudo make demo"
case $DEMO_SECONDS in
'' | *[!0-9]*) die "DEMO_SECONDS=\"$DEMO_SECONDS\": want a whole number of seconds, e.g. 600" ;;
esac
[ "$DEMO_SECONDS" -ge 1 ] || die "DEMO_SECONDS=$DEMO_SECONDS: want at least 1"
[ -x "$BIN" ] || die "$BIN is missing: build it first (make), or run the demo with: sudo make demo"
command -v ip >/dev/null || die "no ip command: install iproute2 (make deps)"
command -v nc >/dev/null || die "no nc command: install netcat-openbsd (make deps)"
nc -h 2>&1 | grep -q OpenBSD || die "nc is not OpenBSD netcat: install netcat-openbsd (make deps)"

setup || die "could not set up namespaces $S and $C joined by veth $SIF-$CIF" \
	"(the ip error is above)"

# Servers that accept connection after connection and discard the data.
listen "$S" "$V4S" 8080
listen "$S" "$V4S" 9090
listen "$S" "$V6S" 8080
listen "$S" "$V6S" 9090
# Busiest first: about 10, 5, 4, 2, 1 and fewer attempts a second on 4040, plus a few real
# connections a second to 8080 and 9090.
client 198.51.100.10 4040 100 0
client 2001:db8:4040::10 4040 200 1
client 198.51.100.11 4040 250 2
client 198.51.100.12 4040 600 1
client 2001:db8:4040::11 4040 900 0
client 198.51.100.13 4040 1500 2
client 2001:db8:4040::12 4040 3000 1
client 198.51.100.14 4040 4000 0
client 198.51.100.10 8080 500 1
client 198.51.100.12 8080 1000 2
client 2001:db8:4040::10 8080 700 0
client 198.51.100.11 9090 800 0
client 198.51.100.13 9090 1500 1
client 2001:db8:4040::11 9090 1200 2

cat >&2 <<EOF
demo: tcpdrop-top watches $SIF in namespace $S ($V4S, $V6S)
demo: clients ${V4C[0]}-${V4C[-1]##*.} and ${V6C[0]}-${V6C[-1]##*:} connect to port 4040 (dropped)
demo: and to 8080 and 9090 (passed), for ${DEMO_SECONDS} s; quit with q or Ctrl-C: removes it all
EOF

# In the background so that the signal traps run at once, yet reading the terminal: explicit
# stdin, and SIGINT back to its default (a script's background jobs start with it ignored).
# A terminal that goes away ends it too, even when no SIGHUP comes here (under make, make alone
# gets it): its end is the demo's, and the clean-up on exit removes everything.
ip netns exec "$S" env --default-signal=INT,QUIT "$BIN" -i "$SIF" "$@" <&0 &
TOOL=$!
wait "$TOOL"
status=$?
TOOL=
exit "$status"
