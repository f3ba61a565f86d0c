#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# --metrics and -q: the Prometheus text served while the filter runs, the HTTP server that is
# not a way in (methods, paths, malformed and oversized requests, a thousand idle connections,
# a slow client), privileges, and a real Prometheus scraping two instances on two interfaces,
# with contrib/'s alert rules loaded and its Grafana dashboard's queries asked of it.
# Only TEST-NET addresses in namespaces this suite creates (and always removes) carry traffic.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

S=tdt-ms-$$ C=tdt-mc-$$ C2=tdt-mc2-$$
SIF=tdtms$$ CIF=tdtmc$$ SIF2=tdtmt$$ CIF2=tdtmu$$
V4S2=203.0.113.1 V4C2=203.0.113.2
PORT=24040 PORT2=24041
PROBE=$TDT_PY/http_probe.py

CASES=(
	metrics_text_counts_drops_and_is_promtool_clean
	quiet_writes_nothing_and_exits_0_on_sigterm
	metrics_alongside_ndjson
	every_metric_is_the_streams_count_after_known_traffic
	metrics_since_start_survive_the_tui_clear
	only_get_and_head_on_root_and_metrics
	malformed_and_oversized_requests_are_refused
	thousand_idle_connections_scrapes_and_drops_go_on
	slow_client_is_cut_at_the_age_limit
	socket_bound_before_privileges_served_after
	prometheus_sums_drops_of_two_instances_and_splits_them_by_port
	every_dashboard_query_returns_data
	alert_rules_load_healthy_and_a_stopped_instance_is_down
)

have_binary || fail_all "$TDT_BIN does not exist or is not executable (run make)"
why=$(netns_problem)
[ -n "$why" ] && skip_all "$why"
command -v promtool >/dev/null && command -v prometheus >/dev/null ||
	skip_all "no prometheus or promtool (make deps installs Debian's prometheus)"
make_pair "$S" "$C" "$SIF" "$CIF" || fail_all "could not set up namespaces and veth pair"

# http NS ADDR PORT REQUEST [SECONDS]: tests/py/http_probe.py request, from namespace NS.
http() {
	ip netns exec "$1" python3 "$PROBE" request "$2" "$3" "$4" "${5:-5}" 2>&1
}

GET='GET /metrics HTTP/1.1\r\nHost: tdt\r\n\r\n'

# scrape FILE [PORT]: the body of GET /metrics from inside the server namespace into FILE.
scrape() {
	ip netns exec "$S" curl -sf --max-time 3 "http://127.0.0.1:${2:-$PORT}/metrics" >"$1"
}

# metric FILE NAME: the value of the one sample NAME{...} in FILE.
metric() {
	sed -n "s/^$2{[^}]*} \([0-9.e+]*\)\$/\1/p" "$1"
}

metric_is() {
	local f=$TDT_TMP/metric.$RANDOM
	scrape "$f" "${4:-$PORT}" && [ "$(metric "$f" "$1")" = "$2" ]
}

# syns N SPORT0 [NS ADDR]: N single SYNs to port 4040, from source ports SPORT0, SPORT0+1...
syns() {
	local i
	for ((i = 0; i < $1; i++)); do
		syn "${3:-$C}" "${4:-$V4S}" 4040 $(($2 + i))
	done
}

REQUIRED='tcpdrop_top_passed_packets_total tcpdrop_top_dropped_packets_total
	tcpdrop_top_dropped_bytes_total tcpdrop_top_malformed_packets_total
	tcpdrop_top_events_lost_total tcpdrop_top_events_throttled_total
	tcpdrop_top_excepted_packets_total tcpdrop_top_sources tcpdrop_top_source_table_entries
	tcpdrop_top_source_table_size tcpdrop_top_dry_run tcpdrop_top_info
	tcpdrop_top_config_reloads_total tcpdrop_top_config_last_reload_successful'

# text_problem FILE: why FILE is not the exposition we promise, or nothing.
text_problem() {
	local m type out
	for m in $REQUIRED; do
		type=gauge
		[ "${m%_total}" != "$m" ] && type=counter
		grep -q "^# HELP $m " "$1" || { echo "no HELP for $m"; return; }
		grep -qx "# TYPE $m $type" "$1" || { echo "no '# TYPE $m $type'"; return; }
		grep -q "^$m{ifname=\"$SIF\"[,}]" "$1" || { echo "no $m{ifname=\"$SIF\"...}"; return; }
	done
	grep -qx "tcpdrop_top_source_table_size{ifname=\"$SIF\"} 16384" "$1" ||
		{ echo "table size: $(grep '^tcpdrop_top_source_table_size' "$1")"; return; }
	grep -qE "^tcpdrop_top_info\{ifname=\"$SIF\",mode=\"(native|generic)\",ports=\"4040\",version=\"[0-9.]+\"\} 1$" "$1" ||
		{ echo "info line: $(grep '^tcpdrop_top_info' "$1")"; return; }
	out=$(promtool check metrics <"$1" 2>&1) || { echo "promtool check metrics: $out"; return; }
	[ -z "$out" ] || echo "promtool check metrics is not silent: $out"
}

# hold_thousand: a thousand idle connections from the client while scrapes go on from the
# server's loopback, and SYNs to the filter: sets why.
hold_thousand() {
	local ready=$TDT_TMP/hold.ready holdout=$TDT_TMP/hold.out
	local t0=$SECONDS held holdpid i
	ip netns exec "$C" python3 "$PROBE" hold "$V4S" "$PORT" 1000 14 "$ready" >"$holdout" 2>&1 &
	holdpid=$!
	track "$holdpid"
	if ! wait_until 10 test -s "$ready"; then
		why="the client could not open its 1000 connections in 10 s"
	else
		for i in 1 2 3 4 5; do
			got=$(http "$S" 127.0.0.1 "$PORT" "$GET" 2 | head -1)
			[ "$got" = "status 200" ] || { why="scrape $i with 1000 idle connections: '$got'"; break; }
			sleep 0.3
		done
		# What tcpdrop-top holds, not what waits in the listen queue, which the kernel
		# completes before anyone accepts it.
		held=$(ip netns exec "$S" ss -Htnp state established \
			"( sport = :$PORT and dst $V4C )" | grep -c "pid=$TOOL,")
		syns 2 41100
		if [ -z "$why" ] && ! wait_until 3 metric_is tcpdrop_top_dropped_packets_total 5; then
			why="2 SYNs sent while the connections were held are not counted (want 5 dropped)"
		elif [ -z "$why" ] && [ "$held" -gt 64 ]; then
			why="tcpdrop-top holds $held connections from $V4C, more than 64 per address"
		elif [ -z "$why" ] && [ "$held" -lt 1 ]; then
			why="tcpdrop-top holds none of the client's connections: is ss -p looking at it?"
		fi
	fi
	# Idle ones go after 5 s of silence, any after 10 s: by 12 s none of the client's is left.
	while [ $((SECONDS - t0)) -lt 12 ]; do sleep 0.5; done
	held=$(ip netns exec "$S" ss -Htn state established "( sport = :$PORT and dst $V4C )" | wc -l)
	[ -z "$why" ] && [ "$held" -ne 0 ] && why="$held of the client's connections still open 12 s on"
	wait_pid "$holdpid" 10
	[ -z "$why" ] && ! grep -q '^opened 1000 ' "$holdout" && why="hold: $(head -c 200 "$holdout")"
}

# --- A headless instance: the text, quiet, methods, bad requests, idle and slow clients -------
run_quiet() {
	local name why f=$TDT_TMP/quiet.metrics hdr c
	if ! start_tool quiet -q --metrics "$PORT"; then
		for name in "${CASES[@]:0:2}" "${CASES[@]:4:4}"; do
			fail "$name" "$START_WHY"
		done
		return
	fi

	name=metrics_text_counts_drops_and_is_promtool_clean
	why=
	syns 3 41000
	if ! wait_until 5 metric_is tcpdrop_top_dropped_packets_total 3; then
		scrape "$f"
		why="tcpdrop_top_dropped_packets_total is '$(metric "$f" tcpdrop_top_dropped_packets_total)' after 3 SYNs, want 3"
	else
		hdr=$(http "$S" 127.0.0.1 "$PORT" "$GET")
		scrape "$f"
		if ! grep -qx 'content-type: text/plain; version=0.0.4; charset=utf-8' <<<"$hdr"; then
			why="Content-Type: $(grep content-type <<<"$hdr")"
		elif [ "$(metric "$f" tcpdrop_top_sources)" != 1 ]; then
			why="tcpdrop_top_sources is '$(metric "$f" tcpdrop_top_sources)', want 1"
		elif [ "$(metric "$f" tcpdrop_top_dropped_bytes_total)" -lt 162 ]; then
			why="tcpdrop_top_dropped_bytes_total is $(metric "$f" tcpdrop_top_dropped_bytes_total) for 3 SYNs"
		else
			why=$(text_problem "$f")
		fi
	fi
	check $name "$why"

	name=only_get_and_head_on_root_and_metrics
	why=
	local req want got
	while IFS='|' read -r want req; do
		got=$(http "$S" 127.0.0.1 "$PORT" "$req" | head -1)
		[ "$got" = "$want" ] || { why="'$req' answered '$got', want '$want'"; break; }
	done <<-EOF
		status 200|GET / HTTP/1.1\r\nHost: tdt\r\n\r\n
		status 200|HEAD /metrics HTTP/1.1\r\nHost: tdt\r\n\r\n
		status 200|GET /metrics HTTP/1.0\r\n\r\n
		status 405|POST /metrics HTTP/1.1\r\nHost: tdt\r\nContent-Length: 3\r\n\r\nabc
		status 405|PUT / HTTP/1.1\r\nHost: tdt\r\nContent-Length: 0\r\n\r\n
		status 405|DELETE /metrics HTTP/1.1\r\nHost: tdt\r\n\r\n
		status 405|OPTIONS /metrics HTTP/1.1\r\nHost: tdt\r\n\r\n
		status 404|GET /metrics/ HTTP/1.1\r\nHost: tdt\r\n\r\n
		status 404|GET /../../etc/passwd HTTP/1.1\r\nHost: tdt\r\n\r\n
		status 404|GET /debug/pprof HTTP/1.1\r\nHost: tdt\r\n\r\n
	EOF
	if [ -z "$why" ]; then
		got=$(http "$S" 127.0.0.1 "$PORT" 'HEAD /metrics HTTP/1.1\r\nHost: tdt\r\n\r\n')
		grep -qx 'body 0' <<<"$got" || why="HEAD /metrics has a body: $(tail -1 <<<"$got")"
		got=$(http "$S" 127.0.0.1 "$PORT" 'DELETE / HTTP/1.1\r\nHost: tdt\r\n\r\n')
		grep -qx 'allow: GET, HEAD' <<<"$got" || why="405 without 'Allow: GET, HEAD'"
		ip netns exec "$S" curl -sf --max-time 3 "http://127.0.0.1:$PORT/" |
			grep -q 'href="/metrics"' || why="/ does not link /metrics"
	fi
	check $name "$why"

	name=malformed_and_oversized_requests_are_refused
	why=
	while IFS='#' read -r want req; do
		got=$(http "$S" 127.0.0.1 "$PORT" "$req" | head -1)
		[[ $got =~ ^($want)$ ]] || { why="'${req:0:40}' answered '$got', want '$want'"; break; }
	done <<-EOF
		status 400#GET /metrics HTTP/1.1\r\n\r\n
		status 505#GET /metrics HTTP/9.9\r\nHost: tdt\r\n\r\n
		closed|status 400#HELLO\r\n\r\n
		closed|status 400#\x00\x01\x02\xff\xfe\r\n\r\n
		closed|status 400#GET\r\n\r\n
		closed|status 400#GET /metrics HTTP/1.1\r\nHost: tdt\r\nBad header\r\n\r\n
		status 431|status 413|closed#@big-header
		status 414|status 413|closed#@big-uri
	EOF
	if [ -z "$why" ] && ! kill -0 "$TOOL" 2>/dev/null; then
		why="tcpdrop-top died"
	elif [ -z "$why" ] && ! metric_is tcpdrop_top_dropped_packets_total 3; then
		why="/metrics no longer answers with the count after the bad requests"
	fi
	check $name "$why"

	# A thousand idle connections from the client, and a slow one from the server's loopback,
	# at once: scrapes from the server's loopback go on, and so does the filter.
	name=thousand_idle_connections_scrapes_and_drops_go_on
	why=
	local slowout=$TDT_TMP/slow.out slowpid
	ip netns exec "$S" python3 "$PROBE" slow 127.0.0.2 "$PORT" 16 >"$slowout" 2>&1 &
	slowpid=$!
	track "$slowpid"
	if emulated; then
		not_here $name "under emulation the thousand take longer to open than the 5 s" \
			"an idle one is kept: the host runs it"
	else
		hold_thousand
		check $name "$why"
	fi

	name=slow_client_is_cut_at_the_age_limit
	wait_pid "$slowpid" 20
	got=$(cat "$slowout")
	why=
	if [[ ! $got =~ ^closed\ after\ ([0-9]+)\.[0-9]$ ]]; then
		why="a client sending a byte every 0.5 s: '$got', want closed after 10 s"
	elif [ "${BASH_REMATCH[1]}" -lt 9 ] || [ "${BASH_REMATCH[1]}" -gt 11 ]; then
		why="a client sending a byte every 0.5 s was $got s, want 10 s (the age limit)"
	fi
	check $name "$why"

	name=quiet_writes_nothing_and_exits_0_on_sigterm
	stop_tool TERM
	why=
	if [ "$STOP_STATUS" != 0 ]; then
		why="exit status $STOP_STATUS after SIGTERM, want 0"
	elif [ -s "$TOOL_OUT" ]; then
		why="stdout is not empty: $(head -c 200 "$TOOL_OUT")"
	elif grep -v -e watching -e 'serving metrics on http://\[::\]:24040/metrics' "$TOOL_ERR" | grep -q .; then
		why="stderr has more than the watching and serving lines: $(head -c 300 "$TOOL_ERR")"
	else
		why=$(detached_problem "$S" "$SIF")
	fi
	check $name "$why"
}

# --- NDJSON and metrics at once --------------------------------------------------------------
run_ndjson() {
	local name=metrics_alongside_ndjson why=
	if ! start_tool ndjson --json --metrics "127.0.0.1:$PORT"; then
		fail $name "$START_WHY"
		return
	fi
	syns 2 41200
	if ! wait_until 5 metric_is tcpdrop_top_dropped_packets_total 2; then
		why="the metrics do not count the 2 SYNs"
	elif ! wait_until 3 nd_true "$TOOL_OUT" "len(drops(dport=4040)) == 2 or fail('')"; then
		why="the NDJSON stream does not have the 2 drops: $(head -c 200 "$TOOL_OUT")"
	elif ip netns exec "$S" curl -sf --max-time 2 "http://$V4S:$PORT/metrics" >/dev/null; then
		why="--metrics 127.0.0.1:$PORT also answers on $V4S"
	fi
	stop_tool INT
	[ -z "$why" ] && [ "$STOP_STATUS" != 0 ] && why="exit status $STOP_STATUS after SIGINT"
	check $name "$why"
}

# --- The live view's clear leaves the metrics alone ------------------------------------------
# The traffic of run_exact, each kind a counter of its own: 3 SYNs dropped from $V6C (with
# --event-rate 1, some without an event: throttled), 1 SYN from $V4C passed for --except, and
# 2 IPv4 frames whose header length is 3 words (malformed, passed).
exact_traffic() {
	syns 3 41400 "$C" "$V6S"
	syn "$C" "$V4S" 4040 41410
	ip netns exec "$C" python3 -c '
import socket, struct, sys
dst, src = (bytes.fromhex(m.replace(":", "")) for m in sys.argv[2:4])
bad_ip = struct.pack("!BBHHHBBH4s4s", 0x43, 0, 20, 1, 0, 64, 6, 0,
                     socket.inet_aton("198.51.100.2"), socket.inet_aton("198.51.100.1"))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
for _ in range(2):
    s.send(dst + src + b"\x08\x00" + bad_ip + bytes(26))
' "$CIF" "$(link_mac "$S" "$SIF")" "$(link_mac "$C" "$CIF")"
}

# scrape_stable FILE: two scrapes a third of a second apart read the same: traffic is over.
scrape_stable() {
	scrape "$1" && sleep 0.3 && scrape "$1.again" && cmp -s "$1" "$1.again"
}

# Every counter the metrics export is the kernel's, as the stream reads it too: after traffic
# that moves each one by a known amount, on a link with no other traffic (neighbours fixed, so
# no ARP or neighbour discovery), the last scrape and the final stats line agree to the packet.
run_exact() {
	local name=every_metric_is_the_streams_count_after_known_traffic why= m=$TDT_TMP/exact.prom
	ip -n "$C" neigh replace "$V4S" lladdr "$(link_mac "$S" "$SIF")" dev "$CIF" nud permanent
	ip -n "$C" neigh replace "$V6S" lladdr "$(link_mac "$S" "$SIF")" dev "$CIF" nud permanent
	ip -n "$S" neigh replace "$V4C" lladdr "$(link_mac "$C" "$CIF")" dev "$SIF" nud permanent
	ip -n "$S" neigh replace "$V6C" lladdr "$(link_mac "$C" "$CIF")" dev "$SIF" nud permanent
	if ! start_tool exact --json -d 0.2 --event-rate 1 --except "$V4C" \
		--metrics "127.0.0.1:$PORT"; then
		fail $name "$START_WHY"
		return
	fi
	exact_traffic
	if ! wait_until 5 metric_is tcpdrop_top_dropped_packets_total 3; then
		why="the 3 SYNs from $V6C are not counted as dropped"
	elif ! wait_until 10 scrape_stable "$m"; then
		why="the metrics never stood still: is there other traffic on $SIF?"
	fi
	stop_tool INT
	[ -z "$why" ] && why=$(nd_check "$TOOL_OUT" "
s = stats()[-1]
prom = {}
for line in open('$m'):
	if not line.startswith('#'):
		name, value = line.rsplit(' ', 1)
		prom[name.split('{')[0][len('tcpdrop_top_'):]] = int(float(value))
want = {
	'passed_packets_total': s['passed'], 'dropped_packets_total': s['dropped'],
	'malformed_packets_total': s['malformed'], 'events_lost_total': s['events_lost'],
	'events_throttled_total': s['events_throttled'], 'excepted_packets_total': s['excepted'],
	'dropped_bytes_total': sum(t['bytes'] for t in s['top']), 'sources': len(s['top']),
}
for k, v in want.items():
	prom.get(k) == v or fail('%s is %s, the stream says %s' % (k, prom.get(k), v))
(s['dropped'], s['excepted'], s['malformed']) == (3, 1, 2) or fail(
	'dropped, excepted, malformed are %r, want (3, 1, 2)' % ((s['dropped'], s['excepted'],
	s['malformed']),))
s['events_throttled'] > 0 or fail('no drop was throttled: the throttled count is untested')
s['passed'] >= 3 or fail('passed %d, want the excepted and malformed ones at least' % s['passed'])
")
	for addr in "$V4S" "$V6S"; do
		ip -n "$C" neigh del "$addr" dev "$CIF" 2>/dev/null
	done
	for addr in "$V4C" "$V6C"; do
		ip -n "$S" neigh del "$addr" dev "$SIF" 2>/dev/null
	done
	check $name "$why"
}

run_tui() {
	local name=metrics_since_start_survive_the_tui_clear f=$TDT_TMP/tui.metrics why= bytes
	tmux_server "tdt-metrics-$$" "$TDT_TMP/tmux.conf"
	# A long period: the view reads the source table once in 5 s, so a gauge the clear had
	# emptied would stay empty that long.
	if ! start_ui tui 1 -d 5 --metrics "$PORT"; then
		fail $name "$START_WHY"
		return
	fi
	syns 2 41300
	if ! wait_until 5 metric_is tcpdrop_top_dropped_packets_total 2; then
		why="the metrics do not count the first 2 SYNs"
	elif ! wait_until 12 metric_is tcpdrop_top_sources 1; then
		scrape "$f"
		why="tcpdrop_top_sources is '$(metric "$f" tcpdrop_top_sources)' after SYNs from one source, want 1"
	else
		# The bytes too: dropped packets come from the per-port series, the other counters
		# from the kernel's totals; both are read at the scrape and count since start.
		scrape "$f"
		bytes=$(metric "$f" tcpdrop_top_dropped_bytes_total)
		[ "${bytes:-0}" -gt 0 ] || why="tcpdrop_top_dropped_bytes_total is '$bytes' for 2 SYNs"
	fi
	if [ -z "$why" ]; then
		key tui c
		why=$(wait_screen 3 tui "counter('dropped') == 0 or fail('c not answered: %s' % show())")
		# At once: the table was not cleared, so neither is its size.
		if [ -z "$why" ] && ! metric_is tcpdrop_top_sources 1; then
			scrape "$f"
			why="tcpdrop_top_sources is '$(metric "$f" tcpdrop_top_sources)' just after c, want 1 since start"
		fi
	fi
	if [ -z "$why" ]; then
		sleep 0.5
		syns 1 41310
		if ! wait_until 5 metric_is tcpdrop_top_dropped_packets_total 3; then
			scrape "$f"
			why="after c and one more SYN: dropped '$(metric "$f" tcpdrop_top_dropped_packets_total)', want 3 since start"
		elif ! metric_is tcpdrop_top_dropped_bytes_total $((bytes * 3 / 2)); then
			scrape "$f"
			why="after c and one more SYN: dropped bytes '$(metric "$f" tcpdrop_top_dropped_bytes_total)', want $((bytes * 3 / 2)) since start (3 SYNs of $((bytes / 2)))"
		fi
	fi
	key tui q
	[ -z "$why" ] && why=$(stopped_problem tui)
	check $name "$why"
}

# --- Privileges: a port only root may bind, served by a process that is no longer root -------
run_privs() {
	local name=socket_bound_before_privileges_served_after why= st
	if ! SUDO_UID=65534 SUDO_GID=65534 start_tool privs -q --metrics 999; then
		fail $name "$START_WHY"
		return
	fi
	st=/proc/$TOOL/status
	# None, or CAP_BPF alone where the kernel may want it for held maps (e2e.sh checks which).
	local caps='0+'
	kernel_may_need_cap_bpf && caps='0+|0000008000000000'
	if ! grep -qE '^Uid:\s+65534\s' "$st"; then
		why="not running as uid 65534: $(grep ^Uid: "$st")"
	elif ! grep -qE "^CapEff:\s+($caps)\$" "$st" || ! grep -qE "^CapPrm:\s+($caps)\$" "$st"; then
		why="capabilities left: $(grep -E '^Cap(Eff|Prm)' "$st" | tr '\n' ' ')"
	elif ! ip netns exec "$S" curl -sf --max-time 3 http://127.0.0.1:999/metrics |
		grep -q '^tcpdrop_top_info'; then
		why="port 999 (bound as root) does not serve /metrics once privileges are dropped"
	fi
	stop_tool TERM
	check $name "$why"
}

# --- A real Prometheus, two instances, two interfaces ----------------------------------------
RULES=$TDT_ROOT/contrib/prometheus/tcpdrop-top.rules.yml
DASHBOARD=$TDT_ROOT/contrib/grafana/tcpdrop-top.json
PROM_URL=http://127.0.0.1:9090

prom_query() {
	ip netns exec "$S" curl -sf --max-time 2 --data-urlencode "query=$1" \
		"$PROM_URL/api/v1/query" |
		python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "none")'
}

prom_is() {
	[ "$(prom_query "$1" 2>/dev/null)" = "$2" ]
}

prom_ready() {
	ip netns exec "$S" curl -sf --max-time 1 "$PROM_URL/-/ready" >/dev/null
}

# contrib_why ARGS...: tests/py/contrib.py ARGS from the server namespace, where Prometheus
# listens: why it fails, or nothing.
contrib_why() {
	py_why ip netns exec "$S" python3 "$TDT_PY/contrib.py" "$@"
}

contrib_true() {
	contrib_why "$@" >/dev/null
}

# Every query of contrib/'s dashboard, its variables given every value (".*") and a minute
# for the intervals, and every metric a query names, returns data from the instances. Waits
# while the rates have fewer than two samples; a query that never returns data fails by its
# panel.
run_dashboard() {
	local name=every_dashboard_query_returns_data why=
	wait_until 10 contrib_true prom "$DASHBOARD" "$PROM_URL" ||
		why=$(contrib_why prom "$DASHBOARD" "$PROM_URL")
	check $name "$why"
}

# contrib/'s rules, loaded by the real Prometheus: every alert evaluated without an error and
# none pending while both instances run (a rule that joins on a label the real series lack
# would be); the second stopped, TcpdropTopDown pending for it alone, as their real labels
# (job, instance) and series (up, tcpdrop_top_info) make it. Its 2 minutes to firing are
# promtool's to test (tests/contrib.sh).
run_alert_rules() {
	local name=alert_rules_load_healthy_and_a_stopped_instance_is_down why=$1 t2=$2
	if [ -n "$why" ]; then
		:
	elif ! wait_until 10 contrib_true rules "$RULES" "$PROM_URL"; then
		why=$(contrib_why rules "$RULES" "$PROM_URL")
	elif ! wait_until 5 contrib_true quiet "$PROM_URL"; then
		why="both instances running: $(contrib_why quiet "$PROM_URL")"
	else
		TOOL=$t2 stop_tool TERM
		wait_until 10 contrib_true firing "$PROM_URL" TcpdropTopDown job=tcpdrop-top \
			"instance=127.0.0.1:$PORT2" ||
			why="the second instance stopped: $(contrib_why firing "$PROM_URL" TcpdropTopDown \
				job=tcpdrop-top "instance=127.0.0.1:$PORT2")"
	fi
	check $name "$why"
}

run_prometheus() {
	local name=prometheus_sums_drops_of_two_instances_and_splits_them_by_port why= t1 t2 prom
	local dir=$TDT_TMP/prometheus up_why rules_why= rule_files=[]
	local cases=("$name" every_dashboard_query_returns_data
		alert_rules_load_healthy_and_a_stopped_instance_is_down)
	if ! { netns_add "$C2" && ip link add "$SIF2" netns "$S" type veth peer name "$CIF2" netns "$C2" &&
		ip -n "$C2" link set lo up && ip -n "$S" link set "$SIF2" up &&
		ip -n "$C2" link set "$CIF2" up && addr_add "$S" "$SIF2" "$V4S2/24" &&
		addr_add "$C2" "$CIF2" "$V4C2/24"; }; then
		for name in "${cases[@]}"; do
			fail "$name" "could not set up the second veth pair"
		done
		return
	fi
	mkdir -p "$dir"
	# Rules Prometheus refuses would stop it starting: they fail their own case alone.
	if rules_why=$(promtool check rules "$RULES" 2>&1); then
		rules_why= rule_files="['$RULES']"
	else
		rules_why="promtool check rules: $(tail -c 300 <<<"$rules_why")"
	fi
	cat >"$dir/prometheus.yml" <<-EOF
		global:
		  scrape_interval: 1s
		  scrape_timeout: 1s
		  evaluation_interval: 1s
		rule_files: $rule_files
		scrape_configs:
		  - job_name: tcpdrop-top
		    static_configs:
		      - targets: ['127.0.0.1:$PORT', '127.0.0.1:$PORT2']
	EOF
	if ! start_tool prom1 -q --metrics "$PORT"; then
		for name in "${cases[@]}"; do
			fail "$name" "first: $START_WHY"
		done
		return
	fi
	t1=$TOOL
	if ! SIF=$SIF2 start_tool prom2 -q --metrics "127.0.0.1:$PORT2" -p 4040,8080-8081; then
		for name in "${cases[@]}"; do
			fail "$name" "second: $START_WHY"
		done
		return
	fi
	t2=$TOOL
	ip netns exec "$S" timeout 90 prometheus --config.file="$dir/prometheus.yml" \
		--storage.tsdb.path="$dir/data" --web.listen-address=127.0.0.1:9090 \
		>"$dir/log" 2>&1 &
	prom=$!
	track "$prom"
	syns 3 41400
	syns 2 41500 "$C2" "$V4S2"
	up_why=
	if ! wait_until 15 prom_ready; then
		up_why="prometheus not ready in 15 s: $(tail -c 300 "$dir/log")"
	elif ! wait_until 15 prom_is 'count(up{job="tcpdrop-top"} == 1)' 2; then
		up_why="both targets not up 15 s on: count(up == 1) is $(prom_query 'count(up{job="tcpdrop-top"} == 1)')"
	fi
	why=$up_why
	if [ -n "$why" ]; then
		:
	elif ! wait_until 10 prom_is 'sum(tcpdrop_top_dropped_packets_total)' 5; then
		why="sum(tcpdrop_top_dropped_packets_total) is $(prom_query 'sum(tcpdrop_top_dropped_packets_total)'), want 5 (3 SYNs to $SIF, 2 to $SIF2)"
	elif ! prom_is "sum(tcpdrop_top_dropped_packets_total{ifname=\"$SIF2\"})" 2; then
		why="$SIF2's own series add up to $(prom_query "sum(tcpdrop_top_dropped_packets_total{ifname=\"$SIF2\"})"), want 2"
	elif ! prom_is "tcpdrop_top_dropped_packets_total{ifname=\"$SIF2\",port=\"4040\"}" 2; then
		why="$SIF2's port 4040 is $(prom_query "tcpdrop_top_dropped_packets_total{ifname=\"$SIF2\",port=\"4040\"}"), want 2"
	elif ! prom_is "tcpdrop_top_dropped_packets_total{ifname=\"$SIF2\",port=\"8080-8081\"}" 0; then
		why="$SIF2's ports 8080-8081 are $(prom_query "tcpdrop_top_dropped_packets_total{ifname=\"$SIF2\",port=\"8080-8081\"}"), want 0"
	elif ! prom_is "count(tcpdrop_top_dropped_packets_total{ifname=\"$SIF2\"})" 2; then
		why="$SIF2 has $(prom_query "count(tcpdrop_top_dropped_packets_total{ifname=\"$SIF2\"})") dropped series, want 2 (4040, 8080-8081)"
	fi
	check $name "$why"
	if [ -n "$up_why" ]; then
		fail every_dashboard_query_returns_data "$up_why"
	else
		run_dashboard
	fi
	run_alert_rules "${up_why:-$rules_why}" "$t2"
	stop_pid "$prom" TERM 10
	TOOL=$t2 stop_tool TERM
	TOOL=$t1 stop_tool TERM
}

run_quiet
run_ndjson
run_exact
run_tui
run_privs
run_prometheus

finish
