#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# End to end: a server namespace and a client namespace joined by a veth pair; tcpdrop-top
# watches the server's end while netcat connects from the client. Only TEST-NET addresses in
# namespaces this suite creates (and always removes) carry any traffic.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

S=tdt-s-$$ C=tdt-c-$$
SIF=tdts$$ CIF=tdtc$$	# veth names: at most 15 characters

CASES=(
	attach_line_names_interface_mode_and_port
	auto_mode_attaches_native_xdp_on_veth
	tcp_to_4040_is_dropped_and_reported
	drop_event_fields_follow_spec_order_and_format
	tcp_to_other_port_delivers_payload
	ipv6_tcp_to_4040_is_dropped_and_reported
	stats_count_drops_and_name_top_source
	sigint_exits_0_with_final_stats_and_detaches
	stdout_not_a_terminal_gets_ndjson_without_json_flag
	kill_9_leaves_no_xdp_program
	dry_run_passes_4040_and_reports_would_drop
	port_list_drops_5050_and_passes_4040
	sigterm_exits_0_and_detaches
	skb_mode_attaches_generic_xdp
	duration_ends_run_with_exit_0_and_final_stats
	foreign_xdp_program_is_refused_and_kept
	second_instance_is_refused_and_first_keeps_working
	no_interface_watches_the_default_route_interface
	native_mode_refused_is_an_error_not_a_fallback
	stdin_not_a_terminal_gets_ndjson
	pcap_to_stdout_on_a_terminal_is_refused_before_attaching
	capabilities_once_attached_are_none_or_cap_bpf_alone
	stats_top_lists_up_to_10_sources_by_drops
	stats_top_ports_count_each_port_exactly
	group_24_stats_top_rows_are_networks_with_their_addresses
	group_asn_stats_top_rows_name_each_owner
	missing_location_db_is_one_line_not_an_error
)

have_binary || fail_all "$TDT_BIN does not exist or is not executable (run make)"
why=$(netns_problem)
[ -n "$why" ] && skip_all "$why"
make_pair "$S" "$C" "$SIF" "$CIF" || fail_all "could not set up namespaces and veth pair"

# server_listen PORT ADDR FILE: a one-shot netcat listener on the server writing what it gets
# to FILE; succeeds once it listens.
server_listen() {
	listen "$S" "$2" "$1" "$3" 15
	wait_until 5 listening "$S" "$1"
}

stop_listener() {
	stop_pid "$LISTENER" TERM 5
}

# wait_event FILE PYTHON-FILTER: waits up to 3 s for a drop event matching drops(FILTER).
wait_event() {
	wait_until 3 nd_true "$1" "drops($2) or fail('none')"
}

# The server end's link as ip shows it, on one line.
link_line() {
	ip -n "$S" link show dev "$SIF" | tr -s ' \n' ' '
}

last_line_stats_problem() {
	nd_check "$1" '
last = lines[-1] if lines else "(no output)"
try:
	ok = json.loads(last).get("type") == "stats"
except ValueError:
	ok = False
ok or fail("last line is not a stats object: %.150s" % last)'
}

DROP_KEYS='["type", "time", "ifname", "family", "src", "sport", "dst", "dport", "flags", "len",
	"vlan", "action"]'
STATS_KEYS='["type", "time", "ports", "passed", "dropped", "malformed", "events_lost",
	"events_throttled", "excepted", "passed_pps", "dropped_pps", "top",
	"top_ports"]'
TIME_RE='^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$'

# --- Run 1: the defaults (port 4040, auto mode), as the README shows it ---------------------
run_main() {
	local name why out payload=tdt-5050-$$
	if ! start_tool main --json -d 1; then
		for name in "${CASES[@]:0:8}"; do
			fail "$name" "$START_WHY"
		done
		return
	fi
	out=$TOOL_OUT

	name=attach_line_names_interface_mode_and_port
	why=
	if ! grep -q "watching $SIF\b" "$TOOL_ERR"; then
		why="stderr does not say 'watching $SIF': $(head -c 200 "$TOOL_ERR")"
	elif ! grep 'watching' "$TOOL_ERR" | grep -qE 'XDP' ||
		! grep 'watching' "$TOOL_ERR" | grep -qE '(native|skb|generic)'; then
		why="attach line does not name the XDP mode: $(grep watching "$TOOL_ERR")"
	elif ! grep 'watching' "$TOOL_ERR" | grep -q '4040'; then
		why="attach line does not name port 4040: $(grep watching "$TOOL_ERR")"
	elif ! xdp_attached "$S" "$SIF"; then
		why="says it is watching but ip link shows no XDP program on $SIF"
	fi
	check $name "$why"

	name=auto_mode_attaches_native_xdp_on_veth
	why=
	if ! grep 'watching' "$TOOL_ERR" | grep -q 'native'; then
		why="attach line does not say native: $(grep watching "$TOOL_ERR")"
	elif ! ip -n "$S" link show dev "$SIF" | grep -qE ' xdp '; then
		why="ip link shows no native (driver) XDP program: $(link_line)"
	fi
	check $name "$why"

	# (a) A listener on 4040 makes sure a failed connect comes from the drop, not a reset.
	name=tcp_to_4040_is_dropped_and_reported
	why=
	server_listen 4040 "$V4S" "$TDT_TMP/main-4040.recv" || why="netcat listener on 4040 did not start"
	if [ -z "$why" ] && probe "$C" "$V4S" 4040 40001; then
		why="TCP connect to $V4S:4040 succeeded"
	elif [ -z "$why" ] && ! wait_event "$out" "sport=40001"; then
		why="no drop event with sport 40001 within 3 s; stdout: $(head -c 300 "$out")"
	elif [ -z "$why" ]; then
		why=$(nd_check "$out" "
e = drops(sport=40001)[0]
want = dict(family=4, src='$V4C', sport=40001, dst='$V4S', dport=4040, flags='S', action='drop')
for k, v in want.items():
	if e.get(k) != v:
		fail('%s is %r, want %r: %s' % (k, e.get(k), v, json.dumps(e)))")
	fi
	stop_listener
	check $name "$why"

	name=drop_event_fields_follow_spec_order_and_format
	why=$(nd_check "$out" "
es = drops(sport=40001)
es or fail('no drop event to look at')
e = es[0]
if list(e) != $DROP_KEYS:
	fail('keys are %s' % list(e))
if not isinstance(e['time'], str) or not re.match(r'$TIME_RE', e['time']):
	fail('time %r is not like 2026-11-24T20:30:38.123456Z' % e['time'])
if e['ifname'] != '$SIF':
	fail('ifname %r, want $SIF' % e['ifname'])
if type(e['len']) is not int or not 54 <= e['len'] <= 1514:
	fail('len %r is not a frame length' % e['len'])
if e['vlan'] != 0:
	fail('vlan %r, want 0' % e['vlan'])")
	check $name "$why"

	# (b)
	name=tcp_to_other_port_delivers_payload
	why=
	if ! server_listen 5050 "$V4S" "$TDT_TMP/main-5050.recv"; then
		why="netcat listener on 5050 did not start"
	elif ! send "$C" "$V4S" 5050 "$payload"; then
		why="netcat could not send to $V4S:5050"
	elif ! wait_until 3 grep -qx "$payload" "$TDT_TMP/main-5050.recv"; then
		why="listener on 5050 got '$(cat "$TDT_TMP/main-5050.recv")', want '$payload'"
	else
		why=$(nd_check "$out" "drops(dport=5050) and fail('5050 was reported as dropped')")
	fi
	stop_listener
	check $name "$why"

	# (c)
	name=ipv6_tcp_to_4040_is_dropped_and_reported
	why=
	server_listen 4040 "$V6S" "$TDT_TMP/main-4040-6.recv" || why="IPv6 netcat listener did not start"
	if [ -z "$why" ] && probe "$C" "$V6S" 4040 40002; then
		why="TCP connect to [$V6S]:4040 succeeded"
	elif [ -z "$why" ] && ! wait_event "$out" "sport=40002"; then
		why="no drop event with sport 40002 within 3 s"
	elif [ -z "$why" ]; then
		why=$(nd_check "$out" "
e = drops(sport=40002)[0]
want = dict(family=6, src='$V6C', sport=40002, dst='$V6S', dport=4040, flags='S', action='drop')
for k, v in want.items():
	if e.get(k) != v:
		fail('%s is %r, want %r: %s' % (k, e.get(k), v, json.dumps(e)))")
	fi
	stop_listener
	check $name "$why"

	# (d) Every drop event is one dropped packet, so a later stats line counts at least as many.
	name=stats_count_drops_and_name_top_source
	local enough="
d = drops()
v4 = [e for e in d if e.get('src') == '$V4C']
ok = [s for s in stats() if isinstance(s.get('dropped'), int) and s['dropped'] >= max(len(d), 2)]
ok or fail('no stats line with dropped >= %d (the drop events seen): %s' %
	(max(len(d), 2), json.dumps(stats()[-1:])))
s = ok[-1]
"
	wait_until 3 nd_true "$out" "$enough"
	why=$(nd_check "$out" "$enough
if list(s) != $STATS_KEYS:
	fail('keys are %s' % list(s))
if not re.match(r'$TIME_RE', str(s['time'])):
	fail('time %r is not like 2026-11-24T20:30:38.123456Z' % s['time'])
if not isinstance(s['passed'], int) or s['passed'] < 1:
	fail('passed is %r after the port 5050 connection' % s['passed'])
if s['events_lost'] != 0 or s['malformed'] != 0:
	fail('events_lost %r, malformed %r, want 0' % (s['events_lost'], s['malformed']))
for k in ('passed_pps', 'dropped_pps'):
	if not isinstance(s[k], (int, float)) or s[k] < 0:
		fail('%s is %r' % (k, s[k]))
for t in s['top']:	# and the owner's, where the installed location database knows it
	[k for k in t if k not in ('asn', 'as_name', 'cc')] == ['src', 'drops', 'bytes'] or fail(
		'top entry keys are %s' % list(t))
top = {t.get('src'): t for t in s['top']}
t = top.get('$V4C')
t or fail('top does not name $V4C: %s' % json.dumps(s['top']))
if t['drops'] < len(v4):
	fail('top says %r drops from $V4C, events say %d' % (t['drops'], len(v4)))
if t['bytes'] < sum(e['len'] for e in v4):
	fail('top says %r bytes from $V4C, less than its events' % t['bytes'])
'$V6C' in top or fail('top does not name $V6C: %s' % json.dumps(s['top']))")
	check $name "$why"

	# (e)
	name=sigint_exits_0_with_final_stats_and_detaches
	local before
	before=$(grep -c '"type":"stats"' "$out")
	stop_tool INT
	if [ "$STOP_STATUS" != 0 ]; then
		why="after SIGINT: status $STOP_STATUS, want 0; stderr: $(tail -c 99 "$TOOL_ERR")"
	else
		why=$(last_line_stats_problem "$out")
		if [ -z "$why" ] && [ "$(grep -c '"type":"stats"' "$out")" -le "$before" ]; then
			why="no new stats line was printed at exit"
		fi
		[ -z "$why" ] && why=$(detached_problem "$S" "$SIF")
	fi
	check $name "$why"
}

# --- Run 2: stdout to a file without --json, ended by kill -9 --------------------------------
run_kill9() {
	local name why
	if ! start_tool kill9 -d 1; then
		fail stdout_not_a_terminal_gets_ndjson_without_json_flag "$START_WHY"
		fail kill_9_leaves_no_xdp_program "$START_WHY"
		return
	fi
	name=stdout_not_a_terminal_gets_ndjson_without_json_flag
	wait_until 3 nd_true "$TOOL_OUT" "stats() or fail('')"
	why=$(nd_check "$TOOL_OUT" "stats() or fail('no stats line in 3 s: %.200s' % lines)")
	check $name "$why"

	name=kill_9_leaves_no_xdp_program
	if ! xdp_attached "$S" "$SIF"; then
		why="no XDP program attached while it runs"
	else
		stop_tool KILL
		why=$(detached_problem "$S" "$SIF")
	fi
	check $name "$why"
}

# --- Run 3: --dry-run lets the connection through but reports it -----------------------------
run_dry() {
	local name=dry_run_passes_4040_and_reports_would_drop why payload=tdt-dry-$$
	if ! start_tool dry --json --dry-run -d 1; then
		fail $name "$START_WHY"
		return
	fi
	if ! server_listen 4040 "$V4S" "$TDT_TMP/dry.recv"; then
		why="netcat listener on 4040 did not start"
	elif ! send "$C" "$V4S" 4040 "$payload"; then
		why="connection to $V4S:4040 failed under --dry-run"
	elif ! wait_until 3 grep -qx "$payload" "$TDT_TMP/dry.recv"; then
		why="listener on 4040 got '$(head -c 100 "$TDT_TMP/dry.recv")', want '$payload'"
	elif ! wait_event "$TOOL_OUT" "dport=4040, flags='S'"; then
		why="no event for the SYN to 4040 within 3 s"
	else
		why=$(nd_check "$TOOL_OUT" "
acts = set(e.get('action') for e in drops(dport=4040))
acts == {'would-drop'} or fail('actions are %s, want only would-drop' % sorted(map(str, acts)))")
	fi
	stop_listener
	stop_tool INT
	check $name "$why"
}

# --- Run 4: -p picks the ports; ended by SIGTERM ---------------------------------------------
run_ports() {
	local name=port_list_drops_5050_and_passes_4040 why payload=tdt-ports-$$
	if ! start_tool ports --json -p 5050,6000-6010; then
		fail $name "$START_WHY"
		fail sigterm_exits_0_and_detaches "$START_WHY"
		return
	fi
	if ! server_listen 4040 "$V4S" "$TDT_TMP/ports.recv"; then
		why="netcat listener on 4040 did not start"
	elif ! send "$C" "$V4S" 4040 "$payload"; then
		why="connection to $V4S:4040 failed though only 5050,6000-6010 are watched"
	elif ! wait_until 3 grep -qx "$payload" "$TDT_TMP/ports.recv"; then
		why="listener on 4040 got '$(head -c 100 "$TDT_TMP/ports.recv")', want '$payload'"
	fi
	stop_listener
	if [ -z "$why" ] && ! server_listen 5050 "$V4S" "$TDT_TMP/ports-5050.recv"; then
		why="netcat listener on 5050 did not start"
	elif [ -z "$why" ] && probe "$C" "$V4S" 5050 40003; then
		why="TCP connect to $V4S:5050 succeeded under -p 5050,6000-6010"
	elif [ -z "$why" ] && ! wait_event "$TOOL_OUT" "sport=40003, dport=5050, action='drop'"
	then
		why="no drop event for sport 40003 to 5050 within 3 s"
	elif [ -z "$why" ]; then
		why=$(nd_check "$TOOL_OUT" "drops(dport=4040) and fail('unwatched 4040 reported')")
	fi
	stop_listener
	check $name "$why"

	name=sigterm_exits_0_and_detaches
	stop_tool TERM
	if [ "$STOP_STATUS" != 0 ]; then
		why="after SIGTERM: status $STOP_STATUS, want 0; stderr: $(tail -c 99 "$TOOL_ERR")"
	else
		why=$(last_line_stats_problem "$TOOL_OUT")
		[ -z "$why" ] && why=$(detached_problem "$S" "$SIF")
	fi
	check $name "$why"
}

# --- Run 5: -m skb, ended by --duration ------------------------------------------------------
run_skb_duration() {
	local name=skb_mode_attaches_generic_xdp why
	if ! start_tool skb --json -m skb --duration 2; then
		fail $name "$START_WHY"
		fail duration_ends_run_with_exit_0_and_final_stats "$START_WHY"
		return
	fi
	why=
	if ! ip -n "$S" link show dev "$SIF" | grep -q 'xdpgeneric'; then
		why="ip link shows no generic XDP program: $(link_line)"
	elif ! grep 'watching' "$TOOL_ERR" | grep -qE 'skb|generic'; then
		why="attach line does not say skb/generic: $(grep watching "$TOOL_ERR")"
	fi
	check $name "$why"

	name=duration_ends_run_with_exit_0_and_final_stats
	wait_pid "$TOOL" 6
	if [ "$WAIT_STATUS" != 0 ]; then
		why="--duration 2: exit status $WAIT_STATUS 6 s after start, want 0"
		stop_tool KILL
	else
		why=$(last_line_stats_problem "$TOOL_OUT")
		[ -z "$why" ] && why=$(detached_problem "$S" "$SIF")
	fi
	check $name "$why"
}

# --- Run 6: somebody else's XDP program is on the interface ----------------------------------
run_foreign() {
	local name=foreign_xdp_program_is_refused_and_kept why dir id ids
	dir=$TDT_TMP/foreign
	if ! foreign_xdp_obj "$dir"; then
		fail $name "$FOREIGN_WHY"
		return
	fi
	if ! ip -n "$S" link set dev "$SIF" xdpgeneric obj "$dir/foreign.o" sec xdp 2>"$dir/ip.err"
	then
		fail $name "could not attach the foreign XDP program: $(head -c 200 "$dir/ip.err")"
		return
	fi
	id=$(xdp_prog_ids "$S" "$SIF")
	OUT=$dir/tool.out ERR=$dir/tool.err
	ip netns exec "$S" timeout -k 2 10 "$TDT_BIN" -i "$SIF" --json >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	ids=$(xdp_prog_ids "$S" "$SIF")
	if [ "$RC" -ne 1 ]; then
		why="exit status $RC, want 1; stderr: $(head -c 200 "$ERR")"
	elif [ -n "$(err_line_problem "$ERR")" ]; then
		why=$(err_line_problem "$ERR")
	elif ! grep -q 'tdt_foreign' "$ERR" && ! grep -qw "$id" "$ERR"; then
		why="message names neither program tdt_foreign nor id $id: $(cat "$ERR")"
	elif [ "$ids" != "$id" ]; then
		why="the foreign program (id $id) is no longer the one attached: ids now '$ids'"
	fi
	ip -n "$S" link set dev "$SIF" xdpgeneric off 2>/dev/null
	check $name "$why"
}

# --- Run 7: a second tcpdrop-top on the same interface ---------------------------------------
run_second() {
	local name=second_instance_is_refused_and_first_keeps_working why
	if ! start_tool first --json -d 1; then
		fail $name "$START_WHY"
		return
	fi
	OUT=$TDT_TMP/second.out ERR=$TDT_TMP/second.err
	ip netns exec "$S" timeout -k 2 10 "$TDT_BIN" -i "$SIF" --json >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	if [ "$RC" -ne 1 ]; then
		why="second instance: exit status $RC, want 1; stderr: $(head -c 200 "$ERR")"
	elif [ -n "$(err_line_problem "$ERR")" ]; then
		why="second instance: $(err_line_problem "$ERR")"
	elif ! grep -q "^tcpdrop-top: another tcpdrop-top is already watching $SIF (XDP program id [0-9]*): only one can run per interface$" "$ERR"; then
		why="second instance: the message is not the man page's: $(head -c 200 "$ERR")"
	elif ! kill -0 "$TOOL" 2>/dev/null; then
		why="the first instance died when the second started"
	elif ! xdp_attached "$S" "$SIF"; then
		why="no XDP program left on $SIF after the refused second instance"
	elif probe "$C" "$V4S" 4040 40004; then
		why="after the refused second instance, a connect to 4040 succeeds"
	elif ! wait_event "$TOOL_OUT" "sport=40004, dport=4040, action='drop'"; then
		why="the first instance did not report the drop from sport 40004"
	fi
	stop_tool INT
	if [ -z "$why" ] && [ "$STOP_STATUS" != 0 ]; then
		why="first instance: exit status $STOP_STATUS after SIGINT, want 0"
	fi
	check $name "$why"
}

# --- Run 8: no -i: the interface that carries the default route ------------------------------
run_default_route() {
	local name=no_interface_watches_the_default_route_interface why
	if ! ip -n "$S" route add default via "$V4C" dev "$SIF"; then
		fail $name "could not add a default route via $V4C"
		return
	fi
	OUT=$TDT_TMP/route.out ERR=$TDT_TMP/route.err
	ip netns exec "$S" timeout -k 2 10 "$TDT_BIN" --json --duration 0.5 >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	ip -n "$S" route del default
	if [ "$RC" -ne 0 ]; then
		why="without -i: exit status $RC, want 0: $(head -c 200 "$ERR")"
	elif ! grep -q "^tcpdrop-top: watching $SIF (" "$ERR"; then
		why="without -i it does not watch $SIF, which has the default route: $(head -c 200 "$ERR")"
	fi
	check $name "$why"
}

# --- Run 9: -m native where native XDP is refused: an error, not generic mode -----------------
# veth refuses native XDP when its peer's MTU is bigger than a page holds.
run_native_refused() {
	local name=native_mode_refused_is_an_error_not_a_fallback why
	if ! ip -n "$S" link set dev "$SIF" mtu 9000 || ! ip -n "$C" link set dev "$CIF" mtu 9000
	then
		fail $name "could not set an MTU of 9000 on the veth pair"
		return
	fi
	OUT=$TDT_TMP/native.out ERR=$TDT_TMP/native.err
	ip netns exec "$S" timeout -k 2 10 "$TDT_BIN" -i "$SIF" -m native --json --duration 0.5 \
		>"$OUT" 2>"$ERR" </dev/null
	RC=$?
	if [ "$RC" -ne 1 ]; then
		why="-m native at MTU 9000: exit status $RC, want 1: $(head -c 200 "$ERR")"
	elif ! grep -q "^tcpdrop-top: cannot attach native XDP to $SIF: .* (try -m skb)$" "$ERR"; then
		why="the message does not say native XDP was refused: $(head -c 200 "$ERR")"
	else
		why=$(detached_problem "$S" "$SIF")
	fi
	ip -n "$C" link set dev "$CIF" mtu 1500
	ip -n "$S" link set dev "$SIF" mtu 1500
	check $name "$why"
}

# on_terminal OUT COMMAND: COMMAND (a shell line) in the server namespace with a terminal for
# its stdout, through script(1); what the terminal showed goes to OUT, and RC is its status.
on_terminal() {
	ip netns exec "$S" env TERM=xterm timeout -k 2 15 script -qec "$2" /dev/null >"$1" 2>&1 \
		</dev/null
	RC=$?
}

# --- Run 10: a terminal for stdout, but not for stdin: still the stream -----------------------
run_stdin_not_a_terminal() {
	local name=stdin_not_a_terminal_gets_ndjson why out=$TDT_TMP/tty-stdin.out
	on_terminal "$out" "$TDT_BIN -i $SIF -d 0.2 --duration 1 </dev/null"
	if [ "$RC" -ne 0 ]; then
		why="exit status $RC, want 0: $(tr -d '\r' <"$out" | head -c 300)"
	elif ! tr -d '\r' <"$out" | grep -q '^{"type":"stats",'; then
		why="no NDJSON stats line on the terminal: $(tr -d '\r' <"$out" | head -c 300)"
	fi
	check $name "$why"
}

# --- Run 11: -w - to a terminal: a pcap is binary, so it is refused before anything loads ------
run_pcap_to_terminal() {
	local name=pcap_to_stdout_on_a_terminal_is_refused_before_attaching why out=$TDT_TMP/tty-w.out
	on_terminal "$out" "$TDT_BIN -i $SIF -w - --duration 1"
	if [ "$RC" -ne 2 ]; then
		why="-w - to a terminal: exit status $RC, want 2: $(tr -d '\r' <"$out" | head -c 300)"
	elif ! tr -d '\r' <"$out" | grep -q '^tcpdrop-top: -w -: stdout is a terminal'; then
		why="the message does not say why: $(tr -d '\r' <"$out" | head -c 300)"
	elif xdp_attached "$S" "$SIF"; then
		why="an XDP program is attached after the refusal"
	fi
	check $name "$why"
}

# --- Run 13: what the process holds once attached, on this kernel -----------------------------
run_capabilities() {
	local name=capabilities_once_attached_are_none_or_cap_bpf_alone why want eff prm bnd amb
	local kept_line="tcpdrop-top: this kernel needs CAP_BPF to read held maps: kept it"
	if ! start_tool caps --json -v; then
		fail $name "$START_WHY"
		return
	fi
	eff=$(status_field "$TOOL" CapEff) prm=$(status_field "$TOOL" CapPrm)
	bnd=$(status_field "$TOOL" CapBnd) amb=$(status_field "$TOOL" CapAmb)
	want=0000000000000000
	grep -qxF "$kept_line" "$TOOL_ERR" && want=0000008000000000
	if [ "$want" != 0000000000000000 ] && ! kernel_may_need_cap_bpf; then
		why="-v says CAP_BPF was kept, on $(uname -r), which never needs it"
	elif [ "$eff" != "$want" ] || [ "$prm" != "$want" ]; then
		why="CapEff $eff, CapPrm $prm on $(uname -r); want both $want (-v said:" \
			"$(grep -v libbpf "$TOOL_ERR" | tail -n 1 | head -c 120))"
	elif [ "$bnd" != 0000000000000000 ] || [ "$amb" != 0000000000000000 ]; then
		why="CapBnd $bnd, CapAmb $amb; want both empty"
	elif probe "$C" "$V4S" 4040 40800; then
		why="TCP to 4040 connected"
	elif ! wait_event "$TOOL_OUT" "sport=40800"; then
		why="no drop event once the capabilities were given up"
	fi
	stop_tool INT
	check $name "$why"
}

# spoofed_syns SADDR DPORT N: N SYNs from SADDR (any address: trafgen writes the frames) to
# $V4S:DPORT; fails, saying why on stdout, when trafgen does.
spoofed_syns() {
	local cfg=$TDT_TMP/spoofed.cfg
	cat >"$cfg" <<-EOF
		{
			eth(da=$(link_mac "$S" "$SIF"), sa=$(link_mac "$C" "$CIF"), type=0x0800),
			ipv4(saddr=$1, daddr=$V4S, ttl=64, df),
			tcp(sp=40000, dp=$2, syn, win=65535),
		}
	EOF
	ip netns exec "$C" timeout 10 trafgen -o "$CIF" -c "$cfg" -n "$3" -P 1 \
		>"$TDT_TMP/spoofed.tg" 2>&1 </dev/null || echo "trafgen: $(tail -c 200 "$TDT_TMP/spoofed.tg")"
}

# --- Run 14: twelve sources, 1 to 12 drops each: the stats' top is the ten busiest ------------
run_top() {
	local name=stats_top_lists_up_to_10_sources_by_drops why='' i
	if ! command -v trafgen >/dev/null; then
		fail $name "no trafgen (netsniff-ng; make deps installs it)"
		return
	fi
	if ! start_tool top --json -d 0.2; then
		fail $name "$START_WHY"
		return
	fi
	for i in $(seq 1 12); do
		[ -z "$why" ] && why=$(spoofed_syns "198.51.100.$((20 + i))" 4040 "$i")
	done
	[ -z "$why" ] && ! wait_until 5 nd_true "$TOOL_OUT" \
		"[s for s in stats() if s['dropped'] == 78 and len(s['top']) > 1] or fail('')" &&
		why="no stats line counts the 78 SYNs: $(tail -n 1 "$TOOL_OUT" | head -c 200)"
	stop_tool INT
	[ -z "$why" ] && why=$(nd_check "$TOOL_OUT" "
t = stats()[-1]['top']
got = [(x['src'], x['drops']) for x in t]
want = [('198.51.100.%d' % (20 + n), n) for n in range(12, 2, -1)]
got == want or fail('top is %s, want the ten busiest, busiest first: %s' % (got, want))")
	check $name "$why"
}

# Each watched port its own exact count, busiest first; a port next to a range passes.
run_top_ports() {
	local name=stats_top_ports_count_each_port_exactly why='' p
	if ! command -v trafgen >/dev/null; then
		fail $name "no trafgen (netsniff-ng; make deps installs it)"
		return
	fi
	if ! start_tool ports --json -d 0.2 -p 4040,8080,9000-9002; then
		fail $name "$START_WHY"
		return
	fi
	for p in 4040:5 8080:3 9001:2 9003:4; do
		[ -z "$why" ] && why=$(spoofed_syns 198.51.100.40 "${p%:*}" "${p#*:}")
	done
	[ -z "$why" ] && ! wait_until 5 nd_true "$TOOL_OUT" \
		"[s for s in stats() if s['dropped'] == 10] or fail('')" &&
		why="no stats line counts the 10 SYNs to watched ports: $(tail -n 1 "$TOOL_OUT" | head -c 300)"
	stop_tool INT
	[ -z "$why" ] && why=$(nd_check "$TOOL_OUT" "
got = [(x['port'], x['drops']) for x in stats()[-1]['top_ports']]
got == [(4040, 5), (8080, 3), (9001, 2)] or fail('top_ports is %s, want 4040 5, 8080 3, 9001 2' % got)")
	check $name "$why"
}

# group_syns TOOL_ARGS...: starts the tool with --json -d 0.2 and the arguments, and sends
# 3, 2 and 4 SYNs from 198.51.100.50, 198.51.100.51 and 203.0.113.7; WHY says what failed.
group_syns() {
	local src
	why=
	if ! command -v trafgen >/dev/null; then
		why="no trafgen (netsniff-ng; make deps installs it)"
		return 1
	fi
	if ! start_tool group --json -d 0.2 "$@"; then
		why=$START_WHY
		return 1
	fi
	for src in 198.51.100.50:3 198.51.100.51:2 203.0.113.7:4; do
		[ -z "$why" ] && why=$(spoofed_syns "${src%:*}" 4040 "${src#*:}")
	done
	[ -z "$why" ] && ! wait_until 5 nd_true "$TOOL_OUT" \
		"[s for s in stats() if s['dropped'] == 9 and len(s['top']) == 2] or fail('')" &&
		why="no stats line counts the 9 SYNs in two rows: $(tail -n 1 "$TOOL_OUT" | head -c 300)"
	stop_tool INT
	[ -z "$why" ]
}

# --group 24: the stats line's top rows are /24 networks, each with its sources added up; by AS
# (the test's location database), each owner; and a database that is not there is one line.
run_group() {
	local name=group_24_stats_top_rows_are_networks_with_their_addresses why lines
	local db=$TDT_TMP/loc.db
	group_syns --group 24 && why=$(nd_check "$TOOL_OUT" "
t = stats()[-1]['top']
got = [(x['net'], x['drops'], x['addresses']) for x in t]
got == [('198.51.100.0/24', 5, 2), ('203.0.113.0/24', 4, 1)] or fail('top is %s' % t)
[k for k in t[1] if k not in ('asn', 'as_name', 'cc')] == ['net', 'drops', 'bytes', 'addresses',
	'pps'] or fail('keys: %s' % t)")
	check $name "$why"

	name=group_asn_stats_top_rows_name_each_owner
	if ! "$TDT_ROOT/.output/tests/locdb" "$db"; then
		fail $name "could not write the test's location database"
	else
		group_syns --group asn --location-db "$db" && why=$(nd_check "$TOOL_OUT" "
t = stats()[-1]['top']
got = [(x['asn'], x['as_name'], x['drops'], x['addresses']) for x in t]
got == [(64496, 'Documentation Net One', 5, 2), (64497, 'Documentation Net Two', 4, 1)] or fail('top is %s' % t)")
		check $name "$why"
	fi

	name=missing_location_db_is_one_line_not_an_error
	group_syns --group 24 --location-db "$TDT_TMP/none.db" && why=$(nd_check "$TOOL_OUT" "
[x['net'] for x in stats()[-1]['top']] == ['198.51.100.0/24', '203.0.113.0/24'] or fail('top: %s' % stats()[-1]['top'])")
	if [ -z "$why" ]; then
		[ "$STOP_STATUS" = 0 ] || why="exit status $STOP_STATUS, want 0"
		lines=$(grep -c 'location' "$TOOL_ERR")
		grep -qx "tcpdrop-top: no AS or country for the sources: $TDT_TMP/none.db: No such file or directory (install libloc-database, or give --location-db FILE)" "$TOOL_ERR" ||
			why="stderr: $(head -c 300 "$TOOL_ERR")"
		[ -z "$why" ] && [ "$lines" != 1 ] && why="$lines lines about it, want one: $(head -c 300 "$TOOL_ERR")"
	fi
	check $name "$why"
}

run_main
run_top_ports
run_group
run_kill9
run_dry
run_ports
run_skb_duration
run_foreign
run_second
run_default_route
run_native_refused
run_stdin_not_a_terminal
run_pcap_to_terminal
run_capabilities
run_top

finish
