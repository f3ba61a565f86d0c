#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Running unattended: the config file (--config, and the interface's own in /etc/tcpdrop-top),
# --except-file, and SIGHUP, which reads them again and applies the ports, the excepted sources
# and the event rate to the running program with no gap. Only TEST-NET addresses in namespaces
# this suite creates (and always removes) carry traffic.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

S=tdt-rs-$$ C=tdt-rc-$$
SIF=tdtrs$$ CIF=tdtrc$$
TRUSTED=198.51.100.2	# V4C: the client's own address, and the flood's first source
UNTRUSTED=198.51.100.3	# another of the client's addresses
# The flood's two sources, in turn: FLOOD_TRUSTED, in 198.51.100.4/31, and .6, not in it.
FLOOD_TRUSTED=198.51.100.5
FLOOD_LIMIT=60
FLOOD_SYNS=2000000 FLOOD_PPS=200000	# 10 s
RELOADS=100
DEFAULT_CONF=/etc/tcpdrop-top/$SIF.conf

CASES=(
	config_file_sets_options_the_command_line_overrides
	interface_config_file_is_read_for_its_interface
	bad_config_files_are_refused_with_file_line_and_exit_2
	except_file_of_65536_prefixes_passes_its_sources
	except_file_errors_name_the_line_and_the_limit_is_131072
	reloads_during_a_flood_misclassify_no_packet
	reload_turns_on_excepts_and_events_and_the_next_keeps_the_excepts
	reload_of_a_bad_file_is_refused_and_keeps_the_settings
	reload_is_refused_by_the_ssh_guard
	reload_past_the_tries_room_is_refused_whole
	live_view_says_what_a_reload_changed
	quiet_run_ends_when_its_terminal_hangs_up
)

have_binary || fail_all "$TDT_BIN does not exist or is not executable (run make)"
why=$(netns_problem)
[ -n "$why" ] && skip_all "$why"
command -v trafgen >/dev/null || skip_all "no trafgen (netsniff-ng; scripts/install-deps.sh)"
make_pair "$S" "$C" "$SIF" "$CIF" || fail_all "could not set up namespaces and veth pair"
# The client sends nothing of its own (router solicitations, MLD) for the counters to meet.
ip netns exec "$C" sysctl -qw "net.ipv6.conf.$CIF.disable_ipv6=1" ||
	fail_all "could not disable IPv6 on the client veth"
ip -n "$C" addr add "$UNTRUSTED/24" dev "$CIF" || fail_all "could not add $UNTRUSTED"
MAC=$(link_mac "$S" "$SIF")
[ -n "$MAC" ] || fail_all "could not read the MAC address of $SIF"
# Packet k of the flood comes from 198.51.100.(5 + k % 2): the trusted and the untrusted source
# in turn, both to port 4040; trafgen fills in the checksums.
cat >"$TDT_TMP/syn.cfg" <<CFG
{
	eth(da=$MAC, sa=$(link_mac "$C" "$CIF"), type=0x0800),
	ipv4(saddr=$FLOOD_TRUSTED, saddr[3]=dinc(5, 6), daddr=$V4S, ttl=64, df),
	tcp(sp=40000, dp=4040, syn, win=65535),
}
CFG
tmux_server "tdt-reload-$$" "$TDT_TMP/tmux.conf"

# conf FILE LINES...: a config file of these lines.
conf() {
	local f=$1
	shift
	printf '%s\n' "$@" >"$f"
}

# run_once ARGS...: tcpdrop-top -i $SIF --json --duration 0.5 ARGS in $S; sets RC, OUT, ERR.
run_once() {
	OUT=$TDT_TMP/once.out ERR=$TDT_TMP/once.err
	ip netns exec "$S" timeout -k 2 20 "$TDT_BIN" -i "$SIF" --json --duration 0.5 "$@" \
		>"$OUT" 2>"$ERR" </dev/null
	RC=$?
}

# watching_problem WANT: why the run in RC/ERR did not exit 0 with the watching line WANT.
watching_problem() {
	local line
	line=$(grep -m1 'watching' "$ERR")
	if [ "$RC" -ne 0 ]; then
		echo "exit status $RC, want 0: $(head -c 300 "$ERR")"
	elif [ "$line" != "tcpdrop-top: watching $SIF (native XDP), $1" ]; then
		echo "the watching line is '$line', want '... $1'"
	fi
}

t_config_file_sets_options_the_command_line_overrides() {
	local name=$1 why f=$TDT_TMP/cfg.conf
	conf "$f" '# the fleet settings' 'ports = 5050,6000-6002   # two services' \
		'except = 198.51.100.0/24' '  event-rate = 0' 'dry-run = false' 'group = "24"'
	run_once --config "$f"
	why=$(watching_problem "ports 5050,6000-6002, except 198.51.100.0/24")
	if [ -z "$why" ]; then
		# The command line overrides the file: its ports replace the file's, not add.
		run_once --config "$f" -p 4040 --except 203.0.113.0/24
		why=$(watching_problem "ports 4040, except 203.0.113.0/24")
		[ -n "$why" ] && why="with -p and --except: $why"
	fi
	check "$name" "$why"
}

t_interface_config_file_is_read_for_its_interface() {
	local name=$1 why made=
	[ -d "${DEFAULT_CONF%/*}" ] || made=1
	mkdir -p "${DEFAULT_CONF%/*}"
	conf "$DEFAULT_CONF" 'ports = 7070'
	run_once
	why=$(watching_problem "ports 7070")
	rm -f "$DEFAULT_CONF"
	[ -n "$made" ] && rmdir "${DEFAULT_CONF%/*}"
	if [ -z "$why" ]; then
		run_once
		why=$(watching_problem "ports 4040")
		[ -n "$why" ] && why="without $DEFAULT_CONF: $why"
	fi
	check "$name" "$why"
}

t_bad_config_files_are_refused_with_file_line_and_exit_2() {
	local name=$1 why='' f=$TDT_TMP/bad.conf i
	local -a lines=(
		'portz = 4040'
		'ports = 4040,'
		'event-rate = fast'
		'dry-run = maybe'
		'config = /etc/other.conf'
		'just words'
		'max-sources = 10'
	)
	local -a want=(
		"$f:2: unknown option \"portz\""
		"$f:2: ports: empty item"
		"$f:2: event-rate: \"fast\" is not a number"
		"$f:2: dry-run: \"maybe\" is not true or false"
		"$f:2: config cannot be given in a config file"
		"$f:2: \"just words\": want name = value"
		"$f:2: max-sources: \"10\" is out of range"
	)
	for i in "${!lines[@]}"; do
		conf "$f" '# line one is fine' "${lines[$i]}"
		run_once --config "$f"
		why=$(refused_problem "$S" "$SIF" "tcpdrop-top: ${want[$i]}")
		[ -n "$why" ] && { why="'${lines[$i]}': $why"; break; }
	done
	if [ -z "$why" ]; then
		run_once --config "$TDT_TMP/none.conf"
		why=$(refused_problem "$S" "$SIF" "config file $TDT_TMP/none.conf: No such file")
	fi
	check "$name" "$why"
}

# dropped_and_excepted FILE: "DROPPED EXCEPTED" of the last stats line of FILE.
dropped_and_excepted() {
	nd_check "$1" 's = [o for o in objs if o.get("type") == "stats"][-1]
print(s["dropped"], s["excepted"])'
}

t_except_file_of_65536_prefixes_passes_its_sources() {
	local name=$1 why list=$TDT_TMP/trusted.txt start ms got
	# The client, then 65,535 IPv6 /64s: 65,536 prefixes, as a block list writes them.
	{
		echo "# trusted"
		echo "$TRUSTED/32"
		for ((i = 1; i < 65536; i++)); do
			printf '2001:db8:ffff:%x::/64\n' "$i"
		done
	} >"$list"
	start=$(date +%s%N)
	start_tool exfile --json -d 0.2 --except-file "$list" || {
		fail "$name" "$START_WHY"
		return
	}
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "# 65,536-line --except-file: watching after $ms ms"
	syn "$C" "$V4S" 4040 41001
	syn "$C" "$V4S" 4040 41002
	syn "$C" "$V4S" 4040 41003
	sleep 0.5
	stop_tool TERM
	got=$(dropped_and_excepted "$TOOL_OUT")
	if ! grep -q "except $TRUSTED/32,2001:db8:ffff:1::/64" "$TOOL_ERR"; then
		why="the watching line does not list the file's prefixes: $(head -c 200 "$TOOL_ERR")"
	elif [ "$got" != "0 3" ]; then
		why="dropped and excepted are '$got', want '0 3' (every SYN from $TRUSTED passes)"
	fi
	check "$name" "$why"
}

t_except_file_errors_name_the_line_and_the_limit_is_131072() {
	local name=$1 why list=$TDT_TMP/bad.txt
	printf '%s\n' '198.51.100.0/24  ; a comment' '' '203.0.113.0/25 203.0.113.128/25' >"$list"
	run_once --except-file "$list"
	why=$(refused_problem "$S" "$SIF" \
		"tcpdrop-top: --except-file: $list:3: \"203.0.113.0/25 203.0.113.128/25\": one prefix a line")
	if [ -z "$why" ]; then
		awk 'BEGIN { for (i = 0; i <= 131072; i++)
			printf "2001:db8:%x:%x::/64\n", int(i / 65536), i % 65536 }' >"$list"
		run_once --except-file "$list"
		why=$(refused_problem "$S" "$SIF" \
			"tcpdrop-top: --except-file: $list:131073: more than 131072 prefixes")
	fi
	check "$name" "$why"
}

# reload_lines FILE: how many reload lines FILE has.
reload_lines() {
	grep -c '"type":"reload"' "$1"
}

reload_seen() {
	[ "$(reload_lines "$TOOL_OUT")" -ge "$1" ]
}

# hup_and_wait N: SIGHUP to the tool, then waits (5 s at most) for its Nth reload line, which
# comes within a pass of its loop: looked for every 10 ms.
hup_and_wait() {
	local tries
	kill -HUP "$TOOL" || return 1
	for ((tries = 0; tries < 500; tries++)); do
		reload_seen "$1" && return 0
		sleep 0.01
	done
	return 1
}

t_reloads_during_a_flood_misclassify_no_packet() {
	local name=$1 why='' live=$TDT_TMP/live.conf a=$TDT_TMP/a.conf b=$TDT_TMP/b.conf
	local sent trusted untrusted got i tg log=$TDT_TMP/flood.tg
	# Both configs, and the one it starts with, trust the flood's first source and drop 4040;
	# each reload changes the ports, the excepted set and the event rate, and the prefix that
	# trusts that source (its /32, or the /31 it is in). A gap in any would drop the trusted
	# source or pass the untrusted one.
	printf '%s\n' 198.51.100.4/31 203.0.113.0/24 2001:db8:1::/48 >"$TDT_TMP/b-list.txt"
	conf "$a" 'ports = 4040,5050' "except = $FLOOD_TRUSTED" 'event-rate = 1000'
	conf "$b" 'ports = 4040,6060' "except-file = $TDT_TMP/b-list.txt" 'event-rate = 500'
	# It starts with neither: the kernel's ports at the end are the last reload's.
	printf '%s\n' "$FLOOD_TRUSTED/32" 2001:db8:2::/48 >"$TDT_TMP/start-list.txt"
	conf "$live" 'ports = 4040' "except-file = $TDT_TMP/start-list.txt" 'event-rate = 2000'
	start_tool flood --json -d 0.2 --config "$live" || {
		fail "$name" "$START_WHY"
		return
	}
	# A steady flood of FLOOD_SYNS at FLOOD_PPS, long enough for the reloads (about 20 ms
	# each): its count is trafgen's own, of the flood alone.
	timeout -k 2 "$FLOOD_LIMIT" ip netns exec "$C" trafgen -o "$CIF" -c "$TDT_TMP/syn.cfg" \
		-n "$FLOOD_SYNS" -b "${FLOOD_PPS}pps" -P 1 >"$log" 2>&1 </dev/null &
	tg=$!
	track "$tg"
	sleep 0.5
	for ((i = 1; i <= RELOADS; i++)); do
		if ((i % 2)); then cp "$a" "$live.new"; else cp "$b" "$live.new"; fi
		mv "$live.new" "$live"
		hup_and_wait "$i" || { why="no reload line $i within 5 s"; break; }
	done
	alive "$tg" || why="the flood was over before the last reload: send more (FLOOD_SYNS)"
	wait_pid "$tg" "$FLOOD_LIMIT"
	sent=$(tr '\r' '\n' <"$log" | sed -n 's/^ *\([0-9][0-9]*\) packets outgoing.*/\1/p' | tail -1)
	sent=${sent:-0}
	# The last config (b) is in the kernel: 6060 drops, 5050 passes.
	syn "$C" "$V4S" 5050 43001 "$UNTRUSTED"
	syn "$C" "$V4S" 6060 43002 "$UNTRUSTED"
	sleep 0.5
	stop_tool TERM
	# Packet k came from the trusted source when k is even: it sent the odd one out, if any;
	# and one SYN to 6060 is dropped.
	trusted=$(((sent + 1) / 2)) untrusted=$((sent / 2 + 1))
	got=$(dropped_and_excepted "$TOOL_OUT")
	echo "# $RELOADS reloads during a flood of $sent SYNs: dropped and excepted '$got'," \
		"want '$untrusted $trusted'"
	[ -z "$why" ] && why=$(nd_check "$TOOL_OUT" '
r = [o for o in objs if o.get("type") == "reload"]
want = ["4040,5050" if i % 2 == 0 else "4040,6060" for i in range(len(r))]
if len(r) != '"$RELOADS"': fail("%d reload lines, want '"$RELOADS"'" % len(r))
bad = [o for o in r if not o["ok"] or sorted(o["changed"]) != ["event-rate", "excepts", "ports"]]
if bad: fail("a reload that did not change all three: %s" % bad[0])
if [o["ports"] for o in r] != want: fail("ports in force %s" % [o["ports"] for o in r][:6])
if [o["event_rate"] for o in r][:2] != [1000, 500]: fail("event rates %s" % [o["event_rate"] for o in r][:2])
if sorted(set(o["excepts"] for o in r)) != [1, 3]: fail("excepted counts %s" % set(o["excepts"] for o in r))
s = [o for o in objs if o.get("type") == "stats"][-1]
ports = {p["port"]: p["drops"] for p in s["top_ports"]}
if ports.get(6060) != 1 or 5050 in ports: fail("after the last reload, drops by port %s" % ports)')
	if [ -z "$why" ] && [ "$sent" != "$FLOOD_SYNS" ]; then
		why="trafgen sent '$sent' SYNs, want $FLOOD_SYNS: $(tr '\r' '\n' <"$log" | grep . | tail -2)"
	elif [ -z "$why" ] && [ "$got" != "$untrusted $trusted" ]; then
		why="dropped and excepted are '$got', want '$untrusted $trusted': misclassified"
	fi
	check "$name" "$why"
}

t_reload_turns_on_excepts_and_events_and_the_next_keeps_the_excepts() {
	local name=$1 why live=$TDT_TMP/on.conf
	conf "$live" 'ports = 4040' 'event-rate = 0'
	start_tool on --json -d 0.2 --config "$live" || {
		fail "$name" "$START_WHY"
		return
	}
	syn "$C" "$V4S" 4040 44001
	conf "$live" 'ports = 4040' "except = $TRUSTED" 'event-rate = max'
	hup_and_wait 1
	syn "$C" "$V4S" 4040 44002
	syn "$C" "$V4S" 4040 44003 "$UNTRUSTED"
	# The next reload keeps the client's prefix and adds one: it must not lose the one kept.
	conf "$live" 'ports = 4040' "except = $TRUSTED,203.0.113.0/24" 'event-rate = max'
	hup_and_wait 2
	syn "$C" "$V4S" 4040 44004
	sleep 0.5
	stop_tool TERM
	why=$(nd_check "$TOOL_OUT" '
drops = [o for o in objs if o.get("type") == "drop"]
s = [o for o in objs if o.get("type") == "stats"][-1]
if [(d["src"], d["sport"]) for d in drops] != [("'"$UNTRUSTED"'", 44003)]:
    fail("drop lines %s, want the one after the first reload" % drops)
elif (s["dropped"], s["excepted"]) != (2, 2): fail("dropped %d excepted %d" % (s["dropped"], s["excepted"]))')
	check "$name" "$why"
}

t_reload_of_a_bad_file_is_refused_and_keeps_the_settings() {
	local name=$1 why live=$TDT_TMP/keep.conf
	local scraped=$TDT_TMP/keep.metrics
	conf "$live" 'ports = 4040' "except = $TRUSTED"
	start_tool keep --json -d 0.2 --config "$live" --metrics 127.0.0.1:24071 || {
		fail "$name" "$START_WHY"
		return
	}
	conf "$live" 'ports = 4041' 'except = 203.0.113.0/33'
	hup_and_wait 1
	syn "$C" "$V4S" 4040 42001
	syn "$C" "$V4S" 4040 42002 "$UNTRUSTED"
	sleep 0.5
	ip netns exec "$S" curl -sf --max-time 3 http://127.0.0.1:24071/metrics >"$scraped"
	stop_tool TERM
	if ! grep -qx "tcpdrop_top_config_last_reload_successful{ifname=\"$SIF\"} 0" "$scraped" ||
	   ! grep -qx "tcpdrop_top_config_reloads_total{ifname=\"$SIF\",result=\"refused\"} 1" \
		   "$scraped"; then
		check "$name" "the metrics do not say the reload was refused: $(grep config_ "$scraped")"
		return
	fi
	why=$(nd_check "$TOOL_OUT" '
r = [o for o in objs if o.get("type") == "reload"]
want = "'"$live"':2: except: bad prefix \"203.0.113.0/33\": the length must be 0 to 32"
if len(r) != 1 or r[0]["ok"] or r[0]["error"] != want: fail("reload lines %s" % r)
elif r[0]["ports"] != "4040" or r[0]["excepts"] != 1: fail("settings in the line %s" % r[0])
s = [o for o in objs if o.get("type") == "stats"][-1]
if (s["excepted"], s["dropped"]) != (1, 1):
    fail("excepted %d and dropped %d, want 1 and 1: the old settings" % (s["excepted"], s["dropped"]))')
	check "$name" "$why"
}

t_reload_is_refused_by_the_ssh_guard() {
	local name=$1 why live=$TDT_TMP/guard.conf
	conf "$live" 'ports = 4040'
	TOOL_OUT=$TDT_TMP/guard.out TOOL_ERR=$TDT_TMP/guard.err
	: >"$TOOL_OUT"
	: >"$TOOL_ERR"
	ip netns exec "$S" env SSH_CONNECTION="198.51.100.7 50022 $V4S 22" "$TDT_BIN" -i "$SIF" \
		--json -d 0.2 --config "$live" >"$TOOL_OUT" 2>"$TOOL_ERR" </dev/null &
	TOOL=$!
	track "$TOOL"
	if ! wait_line 10 "$TOOL" "$TOOL_ERR" watching; then
		fail "$name" "did not start: $(head -c 200 "$TOOL_ERR")"
		return
	fi
	# A dry run applies only at a restart: the guard judges the run as it is, not a dry run.
	conf "$live" 'ports = 22,4040' 'dry-run = true'
	hup_and_wait 1
	stop_tool TERM
	why=$(nd_check "$TOOL_OUT" '
r = [o for o in objs if o.get("type") == "reload"]
if len(r) != 1 or r[0]["ok"] or "would cut your SSH session" not in r[0]["error"]:
    fail("reload lines %s" % r)
elif r[0]["ports"] != "4040": fail("ports in force %s" % r[0]["ports"])')
	check "$name" "$why"
}

# list FILE FIRST N: the client's /32 and N IPv6 /64s numbered from FIRST.
list() {
	awk -v first="$2" -v n="$3" -v trusted="$TRUSTED" 'BEGIN {
		print trusted "/32"
		for (i = first; i < first + n; i++)
			printf "2001:db8:%x:%x::/64\n", int(i / 65536), i % 65536
	}' >"$1"
}

# A reload adds the new prefixes before the old ones go, so the trie must hold both: two lists of
# 70,000 cannot be swapped (a restart can), and nothing of the new one is left behind.
t_reload_past_the_tries_room_is_refused_whole() {
	local name=$1 why live=$TDT_TMP/room.conf
	list "$TDT_TMP/room-a.txt" 0 70000
	list "$TDT_TMP/room-b.txt" 100000 70000
	conf "$live" "except-file = $TDT_TMP/room-a.txt"
	start_tool room --json -d 0.2 --config "$live" || {
		fail "$name" "$START_WHY"
		return
	}
	conf "$live" "except-file = $TDT_TMP/room-b.txt"
	hup_and_wait 1
	syn "$C" "$V4S" 4040 45001
	syn "$C" "$V4S" 4040 45002 "$UNTRUSTED"
	sleep 0.5
	stop_tool TERM
	why=$(nd_check "$TOOL_OUT" '
r = [o for o in objs if o.get("type") == "reload"]
if len(r) != 1 or r[0]["ok"] or "together are more than 131072" not in r[0]["error"]:
    fail("reload lines %s" % [dict(o, time=0) for o in r])
elif r[0]["excepts"] != 70001: fail("excepts in force %d" % r[0]["excepts"])
s = [o for o in objs if o.get("type") == "stats"][-1]
if (s["excepted"], s["dropped"]) != (1, 1): fail("excepted %d dropped %d" % (s["excepted"], s["dropped"]))')
	check "$name" "$why"
}

t_live_view_says_what_a_reload_changed() {
	local name=$1 why live=$TDT_TMP/ui.conf
	conf "$live" 'ports = 4040'
	if ! start_ui ui 1 -d 0.2 --config "$live"; then
		fail "$name" "$START_WHY"
		return
	fi
	conf "$live" 'ports = 4040,8080' 'metrics = 127.0.0.1:24099'
	kill -HUP "$UI_PID"
	why=$(wait_screen 5 ui '
if not [r for r in rows if "reloaded: ports; a restart applies metrics" in r]: fail(show())
if "ports 4040,8080" not in rows[0]: fail("title: " + rows[0])')
	stop_pid "$UI_PID" INT 5
	check "$name" "$why"
}

# The SIGHUP of a terminal that went away is not a reload: a -q run started from an SSH session
# that dropped must end, and take its filter, as it did before SIGHUP reloaded.
t_quiet_run_ends_when_its_terminal_hangs_up() {
	local name=$1 why=
	if ! pane_start quiet 100 30 "$TDT_TMP/quiet" ip netns exec "$S" "$TDT_BIN" -i "$SIF" -q; then
		fail "$name" "$PANE_WHY"
		return
	fi
	if ! wait_until 10 xdp_attached "$S" "$SIF"; then
		why="-q did not attach within 10 s: $(screen_now quiet | head -3)"
	else
		"${TM[@]}" kill-session -t quiet
		if ! wait_until 5 xdp_detached "$S" "$SIF"; then
			why="an XDP program is still attached 5 s after the terminal hung up"
		elif ! wait_until 5 sh -c "! ip netns pids $S | grep -q ."; then
			why="tcpdrop-top -q still runs after its terminal hung up"
		fi
	fi
	check "$name" "$why"
}

for c in "${CASES[@]}"; do
	"t_$c" "$c"
done
finish
