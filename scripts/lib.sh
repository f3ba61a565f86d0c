# SPDX-License-Identifier: GPL-2.0
# The shell library of the tests (through tests/lib.sh), bench/flood.sh and scripts/demo.sh
# (sourced, not run): bounded waits, background processes that are always reaped, private
# network namespaces joined by a veth pair, the traffic sent through them, tmux panes, and one
# clean-up on exit that removes it all.
#
# Names are the caller's, unique by its pid ($$), so that runs side by side never meet; veth
# names have at most 15 characters. Addresses come only from 198.51.100.0/24, 203.0.113.0/24
# and 2001:db8::/32; traffic goes only to the caller's own namespaces (or loopback), with a
# bounded count and under a time limit.
# shellcheck shell=bash disable=SC2034  # WAIT_STATUS, LISTENER, TM are results for the caller

LIB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LIB_JSON_FIELD=$LIB_ROOT/scripts/json_field.py
LIB_PIDS=()	# background processes to kill on exit
LIB_NETNS=()	# namespaces to delete on exit
LIB_TMUX=()	# private tmux servers (socket names) to kill on exit
LIB_TMP=	# a temporary directory to remove on exit
LIB_NAME=${LIB_NAME:-${0##*/}}	# for messages

# --- Processes --------------------------------------------------------------------------------

# track PID: a background child that the clean-up kills if it is still there.
track() {
	LIB_PIDS+=("$1")
}

# untrack PID: once it has been waited for, so that a later kill never meets a reused pid.
untrack() {
	local i
	for i in "${!LIB_PIDS[@]}"; do
		[ "${LIB_PIDS[$i]}" = "$1" ] && unset 'LIB_PIDS[i]'
	done
	LIB_PIDS=("${LIB_PIDS[@]}")
}

kill_tracked() {
	local pid
	for pid in "${LIB_PIDS[@]}"; do
		kill -KILL "$pid"
	done
	for pid in "${LIB_PIDS[@]}"; do
		wait "$pid"
	done
	LIB_PIDS=()
} 2>/dev/null

# alive PID: PID runs (a zombie, exited but not yet waited for, does not count).
alive() {
	local stat
	stat=$(ps -o stat= -p "$1" 2>/dev/null) && [ "${stat:0:1}" != Z ]
}

# How much longer every wait may take: these waits are for readiness (a line, a file, an exit),
# never a measurement, and under emulation or a sanitizer everything starts several times
# slower. The kernel matrix's guests under TCG set it; a wait that succeeds returns at once.
LIB_WAIT_SCALE=${TDT_WAIT_SCALE:-1}

# wait_until SECONDS CMD...: polls CMD every 0.1 s; status 1 if it never succeeded in time.
wait_until() {
	local deadline=$((SECONDS + $1 * LIB_WAIT_SCALE))
	shift
	while ! "$@"; do
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.1
	done
	return 0
}

# wait_pid PID SECONDS: waits for a background child of this shell; sets WAIT_STATUS to its exit
# status, or to "running" if it was still alive at the deadline.
wait_pid() {
	local pid=$1 deadline=$((SECONDS + $2 * LIB_WAIT_SCALE))
	while alive "$pid"; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			WAIT_STATUS=running
			return 1
		fi
		sleep 0.1
	done
	wait "$pid"
	WAIT_STATUS=$?
	untrack "$pid"
	return 0
} 2>/dev/null	# also silences bash's own "Killed" report of the job, made while polling

# stop_pid PID SIGNAL SECONDS: signals a background child and waits; WAIT_STATUS is its exit
# status, or "running" when it outlived SECONDS (it is then killed).
stop_pid() {
	kill -s "$2" "$1"
	wait_pid "$1" "$3" && return
	kill -KILL "$1"
	wait "$1"
	untrack "$1"
} 2>/dev/null

# wait_line SECONDS PID FILE REGEX: waits until FILE has a line matching REGEX (grep's basic
# syntax), the sign that PID is ready; status 1 if PID ended or the time ran out first.
wait_line() {
	wait_until "$1" line_or_gone "$2" "$3" "$4" && kill -0 "$2" 2>/dev/null
}

line_or_gone() {
	grep -q -- "$3" "$2" 2>/dev/null || ! kill -0 "$1" 2>/dev/null
}

# lib_tmp PREFIX: a fresh directory /tmp/PREFIX.XXXXXX in LIB_TMP, removed on exit.
lib_tmp() {
	LIB_TMP=$(mktemp -d "/tmp/$1.XXXXXX")
}

# --- Namespaces and the veth pair -----------------------------------------------------------

# veth_pair SERVER_NS CLIENT_NS SERVER_IF CLIENT_IF: two new namespaces, loopback up in each,
# joined by a veth pair that is up. The namespaces are registered for removal before they are
# created, so that a half-done set-up goes too. Addresses: addr_add.
veth_pair() {
	local s=$1 c=$2 sif=$3 cif=$4
	if [ ${#sif} -gt 15 ] || [ ${#cif} -gt 15 ]; then
		echo "veth names longer than 15 characters: $sif $cif" >&2
		return 1
	fi
	netns_add "$s" && netns_add "$c" &&
		ip link add "$sif" netns "$s" type veth peer name "$cif" netns "$c" &&
		ip -n "$s" link set lo up && ip -n "$c" link set lo up &&
		ip -n "$s" link set "$sif" up && ip -n "$c" link set "$cif" up
}

# netns_add NS: one more namespace of the caller's, registered for removal first. Its ephemeral
# ports start at 50000, above the fixed source ports (40000-49999) that syn sends from: a
# connection's port left in TIME_WAIT would otherwise refuse a later SYN's bind, and that SYN
# would silently never be sent. Its devices send no router solicitations: unasked-for packets
# that pass the filter at moments no test chose.
netns_add() {
	LIB_NETNS+=("$1")
	ip netns add "$1" &&
		ip netns exec "$1" sysctl -qw net.ipv4.ip_local_port_range="50000 60999" \
			net.ipv6.conf.default.router_solicitations=0
}

# addr_add NS IF ADDR/LEN...: IPv6 addresses without duplicate address detection, so that they
# can be used at once.
addr_add() {
	local ns=$1 dev=$2 a
	shift 2
	for a in "$@"; do
		case $a in
		*:*) ip -n "$ns" addr add "$a" dev "$dev" nodad ;;
		*) ip -n "$ns" addr add "$a" dev "$dev" ;;
		esac || return 1
	done
}

# link_mac NS IF: the MAC address of IF.
link_mac() {
	ip -n "$1" -o link show dev "$2" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

# link_packets NS IF rx|tx: the packets IF has received or sent, by its own counters (on a
# veth, received means through its XDP program, drops included).
link_packets() {
	ip -n "$1" -s -j link show dev "$2" | python3 "$LIB_JSON_FIELD" 0 stats64 "$3" packets
}

# --- Traffic ----------------------------------------------------------------------------------

# listen NS ADDR PORT [OUT SECONDS]: a netcat server on ADDR:PORT in NS, in the background
# (LISTENER is its pid). With OUT, one connection whose data goes to OUT, for SECONDS at most;
# without, connection after connection, data discarded, until the clean-up.
listen() {
	if [ $# -ge 5 ]; then
		ip netns exec "$1" timeout "$5" nc -l -n "$2" "$3" >"$4" 2>/dev/null </dev/null &
	else
		ip netns exec "$1" nc -d -l -k "$2" "$3" </dev/null >/dev/null 2>&1 &
	fi
	LISTENER=$!
	track "$LISTENER"
}

# listening NS PORT: something in NS listens on TCP PORT.
listening() {
	[ -n "$(ip netns exec "$1" ss -Htln "sport = :$2")" ]
}

# send NS ADDR PORT TEXT: connects from NS and sends one line; netcat's exit status.
send() {
	printf '%s\n' "$4" | ip netns exec "$1" timeout 5 nc -N -n -w 2 "$2" "$3" >/dev/null 2>&1
}

# probe NS ADDR PORT SPORT: a bare connect from source port SPORT; succeeds if it connected. A
# dropped SYN times out after a second (with one retransmission at most).
probe() {
	ip netns exec "$1" timeout 5 nc -z -n -w 1 -p "$4" "$2" "$3" >/dev/null 2>&1 </dev/null
}

# syn NS ADDR PORT SPORT [FROM]: exactly one SYN (scripts/syn.py says how), from the address
# FROM if given; succeeds if it connected.
syn() {
	ip netns exec "$1" python3 "$LIB_ROOT/scripts/syn.py" "$2" "$3" "$4" ${5:+"$5"} >/dev/null
}

# syn_flood_cfg FILE DST_MAC SRC_MAC SOURCES: a trafgen config of one TCP SYN a packet to
# 198.51.100.1:4040, in frames of 54 bytes; trafgen fills in the checksums. With SOURCES 1 every
# packet comes from 198.51.100.2:40000; with more, the source address cycles through
# 198.51.100.2 and the SOURCES - 1 after it and the port through 40000-49999, both one step a
# packet, so packet k comes from .(2 + k % SOURCES), port 40000 + k % 10000.
syn_flood_cfg() {
	local saddr='saddr=198.51.100.2' sport='sp=40000'
	if [ "$4" -gt 1 ]; then
		saddr+=", saddr[3]=dinc(2, $((1 + $4)))"
		sport='sp=dinc(40000, 49999)'
	fi
	cat >"$1" <<-EOF
		{
			eth(da=$2, sa=$3, type=0x0800),
			ipv4($saddr, daddr=198.51.100.1, ttl=64, df),
			tcp($sport, dp=4040, syn, win=65535),
		}
	EOF
}

# --- tmux ---------------------------------------------------------------------------------

# tmux_server SOCKET CONF: a private tmux server (TM is the command that talks to it), so that
# no other session is touched; no status line, so a pane is its whole window, and a terminal
# type with colours. CONF is where its configuration is written.
tmux_server() {
	local term=screen
	infocmp tmux-256color >/dev/null 2>&1 && term=tmux-256color
	printf 'set -g default-terminal %s\nset -g status off\n' "$term" >"$2"
	TM=(tmux -L "$1" -f "$2")
	LIB_TMUX+=("$1")
	unset TMUX	# the caller may itself run inside tmux
}

# screen_now TAG [-e]: the screen of session TAG now (-e: with its colours).
screen_now() {
	"${TM[@]}" capture-pane -p ${2:+"$2"} -t "$1" 2>/dev/null
}

# snap TAG FILE [-e]: the screen, into FILE.
snap() {
	screen_now "$1" ${3:+"$3"} >"$2"
}

# key TAG KEY...: types each KEY as it is (tmux key names such as Up are not needed here).
key() {
	local tag=$1 k
	shift
	for k in "$@"; do
		"${TM[@]}" send-keys -t "$tag" -l -- "$k"
	done
}

# pane TAG FORMAT: a tmux format of session TAG's pane, e.g. #{alternate_on}.
pane() {
	"${TM[@]}" display-message -p -t "$1" "$2" 2>/dev/null
}

# pane_script PREFIX CMD...: writes PREFIX.sh, for a tmux pane to run. It notes the terminal
# modes (PREFIX.stty0), runs CMD (its pid in PREFIX.pid: ip netns exec, env and the like exec
# the program, keeping the pid), writes the exit status to PREFIX.status, notes the modes again
# (PREFIX.stty1) and prints a line as a shell would, then waits to be hung up. PANE_ERR, when
# set, is a file for CMD's stderr.
pane_script() {
	local d=$1 cmd err=
	shift
	cmd=$(printf '%q ' "$@")
	[ -n "${PANE_ERR:-}" ] && err="2>$(printf '%q' "$PANE_ERR")"
	cat >"$d.sh" <<-EOF
		#!/bin/bash
		export LC_ALL=C.UTF-8 LANG=C.UTF-8
		stty -g >'$d.stty0'
		bash -c 'echo \$\$ >"\$0"; exec "\$@"' '$d.pid' $cmd $err
		st=\$?
		stty -g >'$d.stty1'
		echo "\$st" >'$d.status.tmp' && mv '$d.status.tmp' '$d.status'
		echo "tdt-shell: the program exited with status \$st"
		exec sleep 300
	EOF
}

# pane_start TAG COLS ROWS PREFIX CMD...: CMD in a new COLS x ROWS session TAG, through
# pane_script; on failure returns 1 with tmux's reason in PANE_WHY.
pane_start() {
	local tag=$1 cols=$2 rows=$3 d=$4
	shift 4
	pane_script "$d" "$@"
	rm -f "$d.status" "$d.pid"
	if ! PANE_WHY=$("${TM[@]}" new-session -d -s "$tag" -x "$cols" -y "$rows" "bash $d.sh" 2>&1)
	then
		PANE_WHY="tmux new-session failed: ${PANE_WHY:0:200}"
		return 1
	fi
}

# ns_etc NS FILE TEXT: /etc/FILE as processes in namespace NS (of LIB_NETNS) see it under ip netns
# exec, which mounts /etc/netns/NS/FILE over it; removed with the namespace.
LIB_MADE_ETC_NETNS=
ns_etc() {
	[ -d /etc/netns ] || { mkdir /etc/netns && LIB_MADE_ETC_NETNS=1; } || return 1
	mkdir -p "/etc/netns/$1" && printf '%s\n' "$3" >"/etc/netns/$1/$2"
}

# --- Clean-up -----------------------------------------------------------------------------

# ns_empty: no process is left in the namespaces.
ns_empty() {
	local ns
	for ns in "${LIB_NETNS[@]}"; do
		[ -z "$(ip netns pids "$ns" 2>/dev/null)" ] || return 1
	done
}

# The tracked processes first, so that they start nothing new; then the tmux servers, whose
# hang-up lets the programs in their panes end by themselves (a tcpdrop-top detaches its
# program) for up to 5 s; then whatever is left in the namespaces, and the namespaces, which
# takes the veth end inside each and so its peer.
lib_cleanup() {
	local ns sock
	trap - EXIT INT TERM HUP
	kill_tracked
	for sock in "${LIB_TMUX[@]}"; do
		tmux -L "$sock" kill-server >/dev/null 2>&1
		rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"	# tmux leaves its socket behind
	done
	[ ${#LIB_TMUX[@]} -gt 0 ] && wait_until 5 ns_empty
	for ns in "${LIB_NETNS[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
	done
	for ns in "${LIB_NETNS[@]}"; do
		# A namespace's own /etc files (ns_etc), which ip netns exec mounts over /etc.
		[ -d "/etc/netns/$ns" ] && rm -rf "/etc/netns/$ns"
		[ -e "/run/netns/$ns" ] || continue	# registered, never created
		ip netns del "$ns" 2>/dev/null ||
			echo "$LIB_NAME: could not delete namespace $ns: ip netns del $ns" >&2
	done
	[ -n "$LIB_MADE_ETC_NETNS" ] && rmdir /etc/netns 2>/dev/null
	LIB_NETNS=() LIB_TMUX=()
	[ -n "$LIB_TMP" ] && rm -rf "$LIB_TMP"
}

trap lib_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
