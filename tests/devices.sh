#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every kind of interface and host: devices without a link-layer header (tun, WireGuard), a
# jumbo MTU that native XDP refuses, the least privileges docs/privileges.md names, trusted sources
# (--except), the SSH guard, live port changes from the TUI, and the remedy printed for a
# foreign program. Only TEST-NET addresses in namespaces this suite creates (and removes).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

S=tdt-ds-$$ C=tdt-dc-$$
SIF=tdtds$$ CIF=tdtdc$$	# veth names: at most 15 characters
T=tdt-dt-$$ TUN=tdtun$$
WA=tdt-wa-$$ WB=tdt-wb-$$
J=tdt-dj-$$ JC=tdt-djc-$$ JIF=tdtdj$$ JCIF=tdtdjc$$

CASES=(
	tun_device_drops_raw_ipv4_and_ipv6_to_the_watched_port
	jumbo_mtu_falls_back_to_generic_and_says_why
	altname_given_to_i_watches_its_interface
	nsenter_net_watches_the_namespace_own_interface
	capabilities_named_in_the_message_are_enough
	except_passes_a_trusted_source_and_counts_it
	ssh_guard_refuses_to_cut_the_running_session
	ssh_guard_finds_the_session_in_an_ancestor
	ssh_guard_steps_aside_for_except_force_and_other_ports
	ssh_guard_stands_aside_for_a_dry_run
	ssh_guard_sees_the_session_on_a_device_stacked_on_the_interface
	ssh_guard_lets_a_session_on_an_unrelated_interface_through
	ssh_guard_refuses_an_ipv6_session
	w_changes_the_watched_ports_live
	w_keeps_the_old_set_when_the_new_one_is_refused
	w_guarded_set_is_not_applied_and_says_why
	foreign_generic_program_remedy_detaches_it
)

# Cases that need a kernel feature are declared where the kernel has it, and said so where it
# has not. Inside the kernel matrix (TDT_MATRIX=1, tests/kernels/guest.sh) they are declared
# always: Debian's kernels have every one, so a guest that lacks one fails its case.
# feature_case NAME KIND...: NAME is declared when a link of one of the KINDs can be made.
feature_case() {
	local name=$1 ns=tdt-dp-$$ kind
	shift
	if [ "${TDT_MATRIX:-}" = 1 ]; then
		CASES+=("$name")
		return
	fi
	ip netns add "$ns" 2>/dev/null || return
	ip -n "$ns" link add "tdtpp$$" type veth peer name "tdtpq$$" 2>/dev/null
	for kind in "$@"; do
		case $kind in
		vlan) ip -n "$ns" link add link "tdtpp$$" name "tdtpv$$" type vlan id 9 ;;
		*) ip -n "$ns" link add "tdtpk$$" type "$kind" ;;
		esac 2>/dev/null && { CASES+=("$name"); break; }
	done
	ip netns del "$ns"
	declared "$name" || echo "# $name: not run here: this kernel ($(uname -r)) has no" \
		"$* device; the kernel matrix runs it"
}

# declared NAME: NAME is one of this run's cases.
declared() {
	local c
	for c in "${CASES[@]}"; do
		[ "$c" = "$1" ] && return 0
	done
	return 1
}

feature_case wireguard_device_drops_tcp_to_the_watched_port wireguard
feature_case device_of_another_type_is_refused_before_attaching nlmon vcan
feature_case ssh_guard_sees_the_session_on_a_vlan_above_the_interface vlan
# Bonding only where it is loaded already: loading it makes a bond0 in the host's namespace
# (guest.sh loads it in the kernel matrix, where that harms nothing).
if [ "${TDT_MATRIX:-}" = 1 ] || [ -d /sys/module/bonding ]; then
	CASES+=(ssh_guard_sees_the_session_on_a_bond_above_the_interface)
else
	echo "# ssh_guard_sees_the_session_on_a_bond_above_the_interface: not run here: bonding" \
		"is not loaded, and loading it would add a bond0 to this machine; the kernel matrix runs it"
fi

have_binary || fail_all "$TDT_BIN does not exist or is not executable (run make)"
why=$(netns_problem)
[ -n "$why" ] && skip_all "$why"
make_pair "$S" "$C" "$SIF" "$CIF" || fail_all "could not set up namespaces and veth pair"
tmux_server "tdt-dev-$$" "$TDT_TMP/tmux.conf"

# last_stats FILE FIELD: FIELD of the last stats line of FILE.
last_stats() {
	nd_check "$1" "s = stats(); s or fail('no stats line'); print(s[-1].get('$2'))"
}

# dropped_at_least FILE N: a stats line of FILE counts N drops or more.
dropped_at_least() {
	nd_true "$1" "[s for s in stats() if s.get('dropped', 0) >= $2] or fail('')"
}

# --- tun: frames written through /dev/net/tun start at the IP header ------------------------
run_tun() {
	local name=tun_device_drops_raw_ipv4_and_ipv6_to_the_watched_port why out
	# Where tun is a module, /dev/net/tun appears once it is loaded (no udev in a test VM).
	[ -e /dev/net/tun ] || modprobe tun 2>/dev/null
	if ! netns_add "$T" || ! ip -n "$T" tuntap add dev "$TUN" mode tun ||
		! ip -n "$T" link set "$TUN" up; then
		fail $name "could not make tun device $TUN in a namespace"
		return
	fi
	if ! S=$T SIF=$TUN start_tool tun --json -d 0.2; then
		fail $name "$START_WHY"
		return
	fi
	out=$TOOL_OUT
	inject() {
		ip netns exec "$T" python3 "$TDT_PY/tun_inject.py" "$TUN" "$@"
	}
	if ! inject 4 4040 5 40000 || ! inject 6 4040 3 41000 || ! inject 4 5050 2 42000; then
		why="could not write frames into $TUN"
	elif ! wait_until 5 dropped_at_least "$out" 8; then
		why="no stats line with 8 drops within 5 s: $(tail -n 1 "$out")"
	fi
	stop_tool INT
	[ -z "$why" ] && why=$(nd_check "$out" "
d = drops()
v4 = [e for e in d if e['family'] == 4 and e['src'] == '198.51.100.2' and e['dst'] == '198.51.100.1']
v6 = [e for e in d if e['family'] == 6 and e['src'] == '2001:db8:4040::2']
len(v4) == 5 and len(v6) == 3 or fail('events: %d IPv4, %d IPv6 of %d, want 5 and 3' %
	(len(v4), len(v6), len(d)))
bad = [e for e in d if e['vlan'] != 0 or e['dport'] != 4040 or e['flags'] != 'S' or
	e['len'] != (40 if e['family'] == 4 else 60) or e['ifname'] != '$TUN']
bad and fail('event not as written: %s' % json.dumps(bad[0]))
s = stats()[-1]
s['dropped'] == 8 and s['passed'] >= 2 and s['malformed'] == 0 or fail(
	'final stats: dropped %r passed %r malformed %r, want 8, >= 2, 0' %
	(s['dropped'], s['passed'], s['malformed']))")
	check $name "$why"
}

# --- WireGuard: two peers across a veth pair; what the tunnel delivers starts at IP ---------
run_wireguard() {
	local name=wireguard_device_drops_tcp_to_the_watched_port why kA kB
	declared $name || return
	if ! command -v wg >/dev/null; then
		skip $name "no wg (wireguard-tools): make deps installs it"
		return
	fi
	# Keys in files: process substitution needs /dev/fd, which a bare devtmpfs lacks.
	kA=$TDT_TMP/wgA.key kB=$TDT_TMP/wgB.key
	(umask 077 && wg genkey >"$kA" && wg genkey >"$kB") || {
		fail $name "wg genkey failed"
		return
	}
	if ! veth_pair "$WA" "$WB" "tdtwa$$" "tdtwb$$" ||
		! addr_add "$WA" "tdtwa$$" 203.0.113.1/24 || ! addr_add "$WB" "tdtwb$$" 203.0.113.2/24 ||
		! ip -n "$WA" link add wgA type wireguard || ! ip -n "$WB" link add wgB type wireguard ||
		! ip netns exec "$WA" wg set wgA private-key "$kA" listen-port 51820 \
			peer "$(wg pubkey <"$kB")" allowed-ips 198.51.100.128/25 \
			endpoint 203.0.113.2:51820 ||
		! ip netns exec "$WB" wg set wgB private-key "$kB" listen-port 51820 \
			peer "$(wg pubkey <"$kA")" allowed-ips 198.51.100.128/25 \
			endpoint 203.0.113.1:51820 ||
		! addr_add "$WA" wgA 198.51.100.129/25 || ! addr_add "$WB" wgB 198.51.100.130/25 ||
		! ip -n "$WA" link set wgA up || ! ip -n "$WB" link set wgB up; then
		fail $name "could not set up two WireGuard peers"
		return
	fi
	if ! S=$WB SIF=wgB start_tool wg --json -d 0.2; then
		fail $name "$START_WHY"
		return
	fi
	listen "$WB" 198.51.100.130 5050
	if ! wait_until 5 listening "$WB" 5050; then
		why="no listener on 5050"
	elif ! wait_until 10 send "$WA" 198.51.100.130 5050 hello; then
		why="nothing reaches port 5050 through the tunnel: it is not up"
	elif probe "$WA" 198.51.100.130 4040 40100; then
		why="TCP to port 4040 through the tunnel connected"
	elif ! wait_until 3 nd_true "$TOOL_OUT" "drops(sport=40100) or fail('')"; then
		why="no drop event for the SYN from port 40100: $(tail -n 2 "$TOOL_OUT")"
	else
		why=$(nd_check "$TOOL_OUT" "
e = drops(sport=40100)[0]
want = dict(family=4, src='198.51.100.129', dst='198.51.100.130', dport=4040, vlan=0, ifname='wgB')
for k, v in want.items():
	e.get(k) == v or fail('%s is %r, want %r: %s' % (k, e.get(k), v, json.dumps(e)))
drops(dport=5050) and fail('port 5050 was dropped')")
	fi
	stop_tool INT
	check $name "$why"
}

# The device type decides, once: unit-tested on every type in test_units (the decision), and
# watched here on tun (raw IP) and veth (Ethernet) by every other case; here the refusal of a
# type that is neither, where the kernel can make one (nlmon, vcan).
run_odd_device() {
	local name=device_of_another_type_is_refused_before_attaching why= kind
	declared $name || return
	for kind in nlmon vcan; do
		ip -n "$S" link add "tdtodd$$" type $kind 2>/dev/null && break
	done
	if ! ip -n "$S" link set "tdtodd$$" up 2>"$TDT_TMP/odd.err"; then
		why="could not make an nlmon or vcan device: $(head -c 200 "$TDT_TMP/odd.err")"
	else
		OUT=$TDT_TMP/odd.out ERR=$TDT_TMP/odd.err
		ip netns exec "$S" timeout -k 2 10 "$TDT_BIN" -i "tdtodd$$" --json >"$OUT" 2>"$ERR"
		RC=$?
		why=$(refused_problem "$S" "tdtodd$$" 'neither Ethernet nor raw IP')
		[ -n "$why" ] && why="$kind device: $why"
	fi
	ip -n "$S" link del "tdtodd$$" 2>/dev/null
	check $name "$why"
}

# --- -i by altname: the kernel's name is watched and named ---------------------------------
# systemd gives interfaces altnames by itself; one may be longer than a name can be (15).
run_altname() {
	local name=altname_given_to_i_watches_its_interface why='' alt sport=40700
	for alt in "tdtal$$" "tdt-altname-longer-than-a-name-$$"; do
		if ! ip -n "$S" link property add dev "$SIF" altname "$alt"; then
			why="could not give $SIF the altname $alt"
			break
		fi
		if ! SIF=$alt start_tool alt --json -d 0.2; then
			why="-i $alt: $START_WHY"
		elif ! grep -q "watching $SIF (" "$TOOL_ERR"; then
			why="-i $alt: the watching line does not name $SIF: $(cat "$TOOL_ERR")"
		elif probe "$C" "$V4S" 4040 $sport; then
			why="-i $alt: TCP to 4040 connected"
		elif ! wait_until 3 nd_true "$TOOL_OUT" "drops(sport=$sport) or fail('')"; then
			why="-i $alt: no drop event: $(tail -n 2 "$TOOL_OUT")"
		else
			why=$(nd_check "$TOOL_OUT" "
e = drops(sport=$sport)[0]
e['ifname'] == '$SIF' or fail('the event names %r, want $SIF' % e['ifname'])")
			[ -n "$why" ] && why="-i $alt: $why"
		fi
		stop_tool INT
		ip -n "$S" link property del dev "$SIF" altname "$alt"
		[ -n "$why" ] && break
		sport=$((sport + 1))
	done
	check $name "$why"
}

# --- nsenter --net: the interface of the namespace entered, whatever /sys shows ---------------
# nsenter --net does not remount /sys, so sysfs stays the namespace's it came from: here H,
# whose tun device has the same name as the veth end in N, another type and another MTU.
N=tdt-dn-$$ NC=tdt-dnc-$$ H=tdt-dh-$$ NIF=tdtdn$$ NCIF=tdtdnc$$
run_nsenter() {
	local name=nsenter_net_watches_the_namespace_own_interface why pid out err
	if ! command -v nsenter >/dev/null; then
		skip $name "no nsenter (util-linux)"
		return
	fi
	[ -e /dev/net/tun ] || modprobe tun 2>/dev/null
	if ! veth_pair "$N" "$NC" "$NIF" "$NCIF" || ! addr_add "$N" "$NIF" "$V4S/24" ||
		! addr_add "$NC" "$NCIF" "$V4C/24" || ! ip -n "$N" link set "$NIF" mtu 9000 ||
		! ip -n "$NC" link set "$NCIF" mtu 9000 || ! netns_add "$H" ||
		! ip -n "$H" tuntap add dev "$NIF" mode tun; then
		fail $name "could not set up a veth pair in $N and a tun device of the same name in $H"
		return
	fi
	out=$TDT_TMP/nsenter.out err=$TDT_TMP/nsenter.err
	: >"$out"
	: >"$err"
	# ip netns exec mounts H's /sys; nsenter then enters N's network alone.
	ip netns exec "$H" nsenter --net="/run/netns/$N" env --default-signal=INT "$TDT_BIN" \
		-i "$NIF" --json -d 0.2 >"$out" 2>"$err" </dev/null &
	pid=$!
	track $pid
	if ! wait_line 10 $pid "$err" watching; then
		why="did not start under nsenter: $(head -c 300 "$err")"
	elif ! grep -q "^tcpdrop-top: native XDP refused on $NIF (.*), likely its MTU of 9000" \
		"$err"; then
		why="no line naming the veth's MTU of 9000 (the tun in /sys has 1500): $(cat "$err")"
	elif probe "$NC" "$V4S" 4040 40800; then
		why="TCP to 4040 connected"
	elif ! wait_until 3 nd_true "$out" "drops(sport=40800) or fail('')"; then
		why="no drop event: the frames were not parsed as the veth's, Ethernet: $(tail -n 2 "$out")"
	fi
	stop_pid $pid INT 5
	ip -n "$H" tuntap del dev "$NIF" mode tun
	check $name "$why"
}

# --- Jumbo MTU: native XDP on veth refuses it; -m auto falls back and says so ---------------
run_jumbo() {
	local name=jumbo_mtu_falls_back_to_generic_and_says_why why
	if ! veth_pair "$J" "$JC" "$JIF" "$JCIF" || ! addr_add "$J" "$JIF" "$V4S/24" ||
		! addr_add "$JC" "$JCIF" "$V4C/24" || ! ip -n "$J" link set "$JIF" mtu 9000 ||
		! ip -n "$JC" link set "$JCIF" mtu 9000; then
		fail $name "could not set up a veth pair at MTU 9000"
		return
	fi
	if ! S=$J SIF=$JIF start_tool jumbo --json -d 0.2; then
		fail $name "$START_WHY"
		return
	fi
	if ! grep -q "watching $JIF (generic XDP)" "$TOOL_ERR"; then
		why="not watching in generic mode: $(cat "$TOOL_ERR")"
	elif ! grep -q "^tcpdrop-top: native XDP refused on $JIF (.*), likely its MTU of 9000: using" \
		"$TOOL_ERR"; then
		why="no line saying why native mode was refused: $(cat "$TOOL_ERR")"
	elif ! ip -n "$J" link show dev "$JIF" | grep -q xdpgeneric; then
		why="ip link shows no generic XDP program on $JIF"
	elif probe "$JC" "$V4S" 4040 40200; then
		why="TCP to 4040 connected"
	elif ! wait_until 3 nd_true "$TOOL_OUT" "drops(sport=40200) or fail('')"; then
		why="no drop event at MTU 9000"
	fi
	stop_tool INT
	check $name "$why"
}

# --- Least privilege: an unprivileged uid holding exactly the capabilities the message names ---
CAPS=+bpf,+net_admin,+perfmon

# Before 5.11 the kernel charges BPF maps to RLIMIT_MEMLOCK: the recipe then includes a lifted
# limit, as the unit's LimitMEMLOCK=infinity does (MEMLOCK is what prlimit sets before setpriv).
MEMLOCK=
kernel_at_least 5 11 || MEMLOCK=unlimited

# as_nobody CAPS ARGS...: tcpdrop-top -i $SIF ARGS in $S as uid 65534 holding exactly CAPS, and
# the locked-memory limit MEMLOCK when set, in the background (PRIV_PID), stdout and stderr to
# PRIV_OUT, PRIV_ERR.
as_nobody() {
	local caps=$1 limit=()
	shift
	[ -n "$MEMLOCK" ] && limit=(prlimit --memlock="$MEMLOCK:$MEMLOCK")
	PRIV_OUT=$TDT_TMP/caps.$RANDOM.out PRIV_ERR=$TDT_TMP/caps.$RANDOM.err
	: >"$PRIV_OUT"
	: >"$PRIV_ERR"
	ip netns exec "$S" "${limit[@]}" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all,"$caps" --ambient-caps=-all,"$caps" --bounding-set=-all,"$caps" \
		"$TDT_BIN" -i "$SIF" "$@" >"$PRIV_OUT" 2>"$PRIV_ERR" </dev/null &
	PRIV_PID=$!
	track "$PRIV_PID"
}

run_least_privilege() {
	local name=capabilities_named_in_the_message_are_enough why want
	if ! command -v setpriv >/dev/null; then
		skip $name "no setpriv (util-linux)"
		return
	fi
	as_nobody "$CAPS" --json -d 0.2
	if ! wait_line 10 "$PRIV_PID" "$PRIV_ERR" watching; then
		why="did not start as uid 65534 with $CAPS: $(head -c 300 "$PRIV_ERR")"
	elif probe "$C" "$V4S" 4040 40300; then
		why="TCP to 4040 connected"
	elif ! wait_until 3 nd_true "$PRIV_OUT" "drops(sport=40300) or fail('')"; then
		why="no drop event: $(tail -n 2 "$PRIV_OUT")"
	fi
	stop_pid "$PRIV_PID" INT 5
	[ -z "$why" ] && [ "$WAIT_STATUS" != 0 ] && why="exit status $WAIT_STATUS after SIGINT"
	[ -z "$why" ] && why=$(detached_problem "$S" "$SIF")
	# One fewer is refused before anything loads, with the message naming the set.
	want="tcpdrop-top: needs root or CAP_BPF+CAP_NET_ADMIN+CAP_PERFMON: run with sudo"
	if [ -z "$why" ]; then
		as_nobody +bpf,+net_admin --json
		wait_pid "$PRIV_PID" 10
		if [ "$WAIT_STATUS" != 1 ] || [ "$(cat "$PRIV_ERR")" != "$want" ]; then
			why="without CAP_PERFMON: exit $WAIT_STATUS, stderr '$(cat "$PRIV_ERR")'"
			why+=", want 1 and '$want'"
		fi
	fi
	# Before 5.11, the capabilities under a limit too small for the first map (4 KiB: the
	# probe for the ring buffer is refused) or for the maps (1 MiB: the load is): one line
	# saying what to raise, and nothing attached.
	local kib
	for kib in 4 1024; do
		[ -z "$why" ] && [ -n "$MEMLOCK" ] || break
		MEMLOCK=$((kib * 1024)) as_nobody "$CAPS" --json
		wait_pid "$PRIV_PID" 10
		want="tcpdrop-top: this kernel ($(uname -r)) charges BPF maps to the locked-memory"
		want+=" limit, $kib KiB here, before Linux 5.11: raise it (ulimit -l unlimited;"
		want+=" LimitMEMLOCK=infinity in a unit) or add CAP_SYS_RESOURCE"
		if [ "$WAIT_STATUS" != 1 ] || [ "$(cat "$PRIV_ERR")" != "$want" ]; then
			why="under a $kib KiB memlock limit: exit $WAIT_STATUS, stderr"
			why+=" '$(cat "$PRIV_ERR")', want 1 and '$want'"
		else
			why=$(detached_problem "$S" "$SIF")
		fi
	done
	check $name "$why"
}

# --- --except: the client passes, is counted, and the title says so --------------------------
run_except() {
	local name=except_passes_a_trusted_source_and_counts_it why
	if ! start_tool except --json -d 0.2 --except "$V4C/32,2001:db8:ffff::/48"; then
		fail $name "$START_WHY"
		return
	fi
	listen "$S" "$V4S" 4040
	if ! grep -q "watching $SIF (.*), ports 4040, except $V4C/32,2001:db8:ffff::/48" \
		"$TOOL_ERR"; then
		why="the watching line does not name the exceptions: $(cat "$TOOL_ERR")"
	elif ! wait_until 5 listening "$S" 4040; then
		why="no listener on 4040"
	elif ! probe "$C" "$V4S" 4040 40400; then
		why="TCP from the excepted $V4C to 4040 did not connect"
	elif probe "$C" "$V6S" 4040 40401; then
		why="TCP from $V6C (not excepted) to 4040 connected"
	elif ! wait_until 3 nd_true "$TOOL_OUT" \
		"[s for s in stats() if s['excepted'] >= 1] or fail('')"; then
		why="no stats line counts an excepted packet: $(tail -n 1 "$TOOL_OUT")"
	else
		why=$(nd_check "$TOOL_OUT" "
drops(sport=40400) and fail('the excepted source was reported as dropped')
drops(sport=40401) or fail('the IPv6 source was not dropped')")
	fi
	stop_pid "$LISTENER" TERM 5
	stop_tool INT
	check $name "$why"
}

# --- The SSH guard -----------------------------------------------------------------------------
SESSION="198.51.100.7 50022 $V4S 22"
GUARD_LINE="tcpdrop-top: -p 22 would cut your own SSH session from 198.51.100.7 on $SIF: add --except 198.51.100.7 or --force"

# guard_refusal_problem [LINE]: why the run in RC, OUT, ERR is not the guard's refusal with
# LINE (GUARD_LINE by default) and nothing attached to $GIFACE in $GNS, or nothing.
guard_refusal_problem() {
	local want=${1:-$GUARD_LINE}
	if [ "$RC" -ne 2 ]; then
		echo "exit status $RC, want 2: $(head -c 300 "$ERR")"
	elif [ "$(cat "$ERR")" != "$want" ]; then
		echo "stderr is '$(cat "$ERR")', want '$want'"
	elif xdp_attached "$GNS" "$GIFACE"; then
		echo "an XDP program is attached after the refusal"
	fi
}

# guarded ARGS...: tcpdrop-top -i $GIFACE --json --duration 1 ARGS in $GNS ($SIF in $S unless
# set), its environment as given by GUARD_ENV (env arguments); sets RC, OUT, ERR.
GNS=$S GIFACE=$SIF
guarded() {
	OUT=$TDT_TMP/guard.out ERR=$TDT_TMP/guard.err
	ip netns exec "$GNS" env "${GUARD_ENV[@]}" timeout -k 2 10 "$TDT_BIN" -i "$GIFACE" --json \
		--duration 1 "$@" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
}

# guard_started_problem ARGS...: why tcpdrop-top ARGS (through guarded) did not start, exit 0
# with a watching line, or nothing.
guard_started_problem() {
	guarded "$@"
	if [ "$RC" -ne 0 ] || ! grep -q "watching $GIFACE " "$ERR"; then
		echo "$*: exit status $RC, want 0 and a watching line: $(head -c 300 "$ERR")"
	fi
}

run_ssh_guard() {
	local name why
	name=ssh_guard_refuses_to_cut_the_running_session
	GUARD_ENV=(SSH_CONNECTION="$SESSION")
	guarded -p 22
	why=$(guard_refusal_problem)
	if [ -z "$why" ]; then
		# The set as given, not just the session's port: the user typed no "22".
		guarded -p 1-65535
		why=$(guard_refusal_problem "${GUARD_LINE/-p 22 /-p 1-65535 (which includes 22) }")
		[ -n "$why" ] && why="-p 1-65535: $why"
	fi
	check $name "$why"

	# sudo resets the environment: the session is still in an ancestor's.
	name=ssh_guard_finds_the_session_in_an_ancestor
	OUT=$TDT_TMP/guard.out ERR=$TDT_TMP/guard.err
	# "; exit": the shell stays, holding the variable, instead of becoming its command.
	SSH_CONNECTION=$SESSION bash -c '"$@"; exit $?' _ ip netns exec "$S" \
		env -u SSH_CONNECTION timeout -k 2 10 "$TDT_BIN" -i "$SIF" -p 22 --json \
		--duration 1 >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	check $name "$(guard_refusal_problem)"

	name=ssh_guard_steps_aside_for_except_force_and_other_ports
	why=
	for args in "-p 22 --except 198.51.100.7" "-p 22 --except 198.51.100.0/24" \
		"-p 22 --force" "-p 4040"; do
		# shellcheck disable=SC2086  # the words of args are meant apart
		why=$(guard_started_problem $args)
		[ -n "$why" ] && break
	done
	check $name "$why"

	# A dry run drops nothing, so it cannot cut the session: it starts, and says why.
	name=ssh_guard_stands_aside_for_a_dry_run
	why=$(guard_started_problem -p 22 --dry-run)
	local aside="tcpdrop-top: -p 22 would cut your own SSH session from 198.51.100.7 on $SIF, but"
	aside+=" a dry run drops nothing: the SSH guard stands aside"
	if [ -z "$why" ] && [ "$(head -n 1 "$ERR")" != "$aside" ]; then
		why="the first line on stderr is '$(head -n 1 "$ERR")', want '$aside'"
	elif [ -z "$why" ] && [ "$(wc -l <"$ERR")" -ne 2 ]; then
		why="stderr has $(wc -l <"$ERR") lines, want that one and the watching line: $(cat "$ERR")"
	fi
	# In the live view of a dry run, w applies the session's port.
	UI_ENV=(SSH_CONNECTION="$SESSION")
	if [ -z "$why" ] && ! PANE_ERR=$TDT_TMP/dry.err start_ui dry 1 -d 0.2 --dry-run; then
		why="the live view did not start in a dry run: $START_WHY"
	elif [ -z "$why" ]; then
		prompt_enter dry 22
		why=$(title_problem dry "port 22")
		[ -n "$why" ] && why="w 22 in a dry run: $why"
		stop_pid "$UI_PID" INT 5
	fi
	UI_ENV=()
	check $name "$why"
	GUARD_ENV=()
}

# --- The SSH guard on stacked devices: the session arrives through the chosen interface -------
# The veth end G_IF in G, its peer in GC. Devices are stacked on G_IF one set-up at a time
# (up_KIND, down_KIND), with the session's server address G_ADDR on the top one.
G=tdt-dg-$$ GC=tdt-dgc-$$ G_IF=tdtdg$$ GC_IF=tdtdgc$$
BR=tdtgbr$$ MV=tdtgmv$$ VL=tdtgvl$$ BD=tdtgbd$$
G_ADDR=203.0.113.1/24
G_LINE="tcpdrop-top: -p 22 would cut your own SSH session from 203.0.113.2 on $G_IF: add"
G_LINE+=" --except 203.0.113.2 or --force"

gip() {
	ip -n "$G" "$@"
}

up_bridge() {
	gip link add "$BR" type bridge && gip link set "$G_IF" master "$BR" &&
		addr_add "$G" "$BR" "$G_ADDR"
}
down_bridge() {
	gip link del "$BR"
}
up_macvlan() {
	gip link add link "$G_IF" name "$MV" type macvlan mode bridge && addr_add "$G" "$MV" "$G_ADDR"
}
down_macvlan() {
	gip link del "$MV"
}
up_macvlan_on_bridge() {
	gip link add "$BR" type bridge && gip link set "$G_IF" master "$BR" &&
		gip link add link "$BR" name "$MV" type macvlan mode bridge &&
		addr_add "$G" "$MV" "$G_ADDR"
}
down_macvlan_on_bridge() {
	gip link del "$MV"
	gip link del "$BR"
}
up_lo_vip() {
	gip addr add 203.0.113.1/32 dev lo
}
down_lo_vip() {
	gip addr del 203.0.113.1/32 dev lo
}
up_vlan() {
	gip link add link "$G_IF" name "$VL" type vlan id 100 && addr_add "$G" "$VL" "$G_ADDR"
}
down_vlan() {
	gip link del "$VL"
}
up_bond() {
	gip link add "$BD" type bond && gip link set "$G_IF" down &&
		gip link set "$G_IF" master "$BD" && addr_add "$G" "$BD" "$G_ADDR"
}
down_bond() {
	gip link del "$BD"
	gip link set "$G_IF" up
}

# stack_refusal_problem KIND: up_KIND, then -i $G_IF -p 22 under GUARD_ENV's session; why that
# was not the guard's refusal (G_LINE), or nothing. Then down_KIND.
stack_refusal_problem() {
	local problem
	if ! "up_$1" >"$TDT_TMP/stack.err" 2>&1; then
		echo "$1: could not set up: $(head -c 200 "$TDT_TMP/stack.err")"
		"down_$1" >/dev/null 2>&1
		return
	fi
	guarded -p 22
	problem=$(guard_refusal_problem "$G_LINE")
	"down_$1" >/dev/null 2>&1
	[ -n "$problem" ] && echo "$1: $problem"
}

run_ssh_guard_stacks() {
	local name=ssh_guard_sees_the_session_on_a_device_stacked_on_the_interface why='' kind
	local name2=ssh_guard_lets_a_session_on_an_unrelated_interface_through
	# What a bridge port, a macvlan's lower device, a VLAN parent and a bond slave share: the
	# address is on another device, which the frames reach through this one. lo holds VIPs.
	local kinds=(bridge macvlan macvlan_on_bridge lo_vip)
	if ! veth_pair "$G" "$GC" "$G_IF" "$GC_IF"; then
		fail $name "could not set up namespaces and a veth pair"
		fail $name2 "could not set up namespaces and a veth pair"
		return
	fi
	GNS=$G GIFACE=$G_IF GUARD_ENV=(SSH_CONNECTION="203.0.113.2 50022 203.0.113.1 22")
	for kind in "${kinds[@]}"; do
		why=$(stack_refusal_problem "$kind")
		[ -n "$why" ] && break
	done
	check $name "$why"
	# 802.1Q and bonding where the kernel has them (feature_case, bond_case).
	for kind in vlan bond; do
		declared "ssh_guard_sees_the_session_on_a_${kind}_above_the_interface" &&
			check "ssh_guard_sees_the_session_on_a_${kind}_above_the_interface" \
				"$(stack_refusal_problem $kind)"
	done

	# The other way: an address on a device not stacked on G_IF is not refused. The veth peer
	# in the same namespace names G_IF as its link, but is a pair's other end, not above it.
	why=
	if ! gip link add "$BR" type bridge || ! addr_add "$G" "$BR" "$G_ADDR"; then
		why="could not make a bridge $BR in $G"
	else
		why=$(guard_started_problem -p 22)
		[ -n "$why" ] && why="address on an unrelated bridge: $why"
	fi
	gip link del "$BR" 2>/dev/null
	if [ -z "$why" ] && { ! gip link add "tdtgp$$" type veth peer name "tdtgq$$" ||
		! addr_add "$G" "tdtgq$$" "$G_ADDR"; }; then
		why="could not make a veth pair tdtgp$$, tdtgq$$ in $G"
	elif [ -z "$why" ]; then
		why=$(GIFACE=tdtgp$$ guard_started_problem -p 22)
		[ -n "$why" ] && why="address on the veth peer in the same namespace: $why"
	fi
	gip link del "tdtgp$$" 2>/dev/null
	# ssh to 127.0.0.1 (a tunnel, ssh localhost) arrives on lo alone.
	if [ -z "$why" ]; then
		GUARD_ENV=(SSH_CONNECTION="127.0.0.1 50022 127.0.0.1 22")
		why=$(guard_started_problem -p 22)
		[ -n "$why" ] && why="a session to 127.0.0.1: $why"
	fi
	check $name2 "$why"
	GNS=$S GIFACE=$SIF GUARD_ENV=()
}

# IPv6 sessions: the server address on the interface, and on a bridge above it. An IPv4 session
# seen through an IPv6 socket (::ffff:198.51.100.1) is the IPv4 one, and named so for --except.
run_ssh_guard_ipv6() {
	local name=ssh_guard_refuses_an_ipv6_session why
	GUARD_ENV=(SSH_CONNECTION="2001:db8:4040::7 50022 $V6S 22")
	guarded -p 22
	why=$(guard_refusal_problem "${GUARD_LINE//198.51.100.7/2001:db8:4040::7}")
	if [ -z "$why" ]; then
		GUARD_ENV=(SSH_CONNECTION="::ffff:198.51.100.7 50022 ::ffff:$V4S 22")
		guarded -p 22
		why=$(guard_refusal_problem)
		[ -n "$why" ] && why="IPv4-mapped: $why"
	fi
	if [ -z "$why" ]; then
		GNS=$G GIFACE=$G_IF G_ADDR=2001:db8:dd::1/64
		GUARD_ENV=(SSH_CONNECTION="2001:db8:dd::2 50022 2001:db8:dd::1 22")
		why=$(G_LINE=${G_LINE//203.0.113.2/2001:db8:dd::2} stack_refusal_problem bridge)
		GNS=$S GIFACE=$SIF G_ADDR=203.0.113.1/24
	fi
	GUARD_ENV=()
	check $name "$why"
}

# --- w: the watched ports change live, from the TUI -----------------------------------------
# prompt_enter TAG TEXT: w, Ctrl-U, TEXT, Enter.
prompt_enter() {
	key "$1" w $'\x15' "$2" $'\r'
}

title_problem() {
	wait_screen 3 "$1" "'$2' in title() or fail('title is %r, want it to show $2' % title())"
}

run_live_ports() {
	local name=w_changes_the_watched_ports_live why tag=live
	if ! PANE_ERR=$TDT_TMP/live.err start_ui $tag 1 -d 0.2; then
		fail $name "$START_WHY"
		fail w_keeps_the_old_set_when_the_new_one_is_refused "$START_WHY"
		return
	fi
	listen "$S" "$V4S" 4040
	wait_until 5 listening "$S" 4040
	prompt_enter $tag 5050,6000-6001
	why=$(title_problem $tag "ports 5050,6000-6001")
	if [ -z "$why" ] && ! probe "$C" "$V4S" 4040 40500; then
		why="TCP to 4040 (no longer watched) did not connect"
	elif [ -z "$why" ] && probe "$C" "$V4S" 5050 40501; then
		why="TCP to 5050 (now watched) connected"
	elif [ -z "$why" ]; then
		why=$(wait_screen 3 $tag "
[r for r in log_rows() if ':40501' in r] or fail('no drop from port 40501 in the log: %s' % show())")
	fi
	stop_pid "$LISTENER" TERM 5
	check $name "$why"

	name=w_keeps_the_old_set_when_the_new_one_is_refused
	prompt_enter $tag 70000
	why=$(wait_screen 3 $tag "
'ports: 70000' in keybar() and 'bad port' in keybar() or fail('prompt row is %r' % keybar())")
	if [ -z "$why" ]; then
		key $tag $'\e'
		why=$(title_problem $tag "ports 5050,6000-6001")
	fi
	stop_pid "$UI_PID" INT 5
	check $name "$why"
}

# The SSH guard applies to live changes too; there no option can be added, so it says the set
# was not applied, and why.
run_live_guard() {
	local name=w_guarded_set_is_not_applied_and_says_why why want
	want="not applied: this would cut your SSH session from 198.51.100.7 on $SIF (port 22)"
	UI_ENV=(SSH_CONNECTION="$SESSION")
	if ! PANE_ERR=$TDT_TMP/live2.err start_ui live2 1 -d 0.2; then
		why="started with SSH_CONNECTION: $START_WHY"
	else
		prompt_enter live2 22
		why=$(wait_screen 3 live2 "
k = keybar()
'$want' in k or fail('prompt row is %r, want it to say %r' % (k, '$want'))
('--force' in k or '--except' in k) and fail('prompt row names start-time options: %r' % k)")
		[ -z "$why" ] && key live2 $'\e' && why=$(title_problem live2 "port 4040")
		stop_pid "$UI_PID" INT 5
	fi
	UI_ENV=()
	check $name "$why"
}

# --- The remedy for a foreign program in generic mode is the command that removes it ---------
run_foreign_generic() {
	local name=foreign_generic_program_remedy_detaches_it why cmd
	if ! foreign_xdp_obj "$TDT_TMP/foreign"; then
		fail $name "$FOREIGN_WHY"
		return
	fi
	if ! ip -n "$S" link set dev "$SIF" xdpgeneric obj "$FOREIGN_OBJ" sec xdp; then
		fail $name "could not attach a foreign program in generic mode"
		return
	fi
	run_tool 10 -i "$SIF" --json
	cmd=$(grep -o "ip link set dev $SIF [a-z]* off" "$ERR")
	if [ "$RC" -ne 1 ]; then
		why="exit status $RC, want 1: $(head -c 300 "$ERR")"
	elif [ "$cmd" != "ip link set dev $SIF xdpgeneric off" ]; then
		why="the remedy is '$cmd', want 'ip link set dev $SIF xdpgeneric off': $(cat "$ERR")"
	elif ! ip -n "$S" ${cmd#ip } || ! wait_until 2 xdp_detached "$S" "$SIF"; then
		why="the printed remedy did not remove the program"
	fi
	ip -n "$S" link set dev "$SIF" xdpgeneric off 2>/dev/null
	check $name "$why"
}

run_tun
run_wireguard
run_odd_device
run_jumbo
run_altname
run_nsenter
run_least_privilege
run_except
run_ssh_guard
run_ssh_guard_stacks
run_ssh_guard_ipv6
run_live_ports
run_live_guard
TDT_WRAP=(ip netns exec "$S")
run_foreign_generic
finish
