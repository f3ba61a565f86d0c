#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# What a scrape of --metrics says, held against what the NDJSON stream and the kernel's own
# source table say after known traffic (SYNs dropped, SYNs from an excepted source, malformed
# frames, events held back or lost), the gauges of a dry run, the warnings and errors at start,
# and the server's bounds that tests/metrics.sh does not reach: silence, the size of a request,
# the connections open in all. Only TEST-NET addresses in namespaces this suite creates (and
# always removes) carry traffic.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

S=tdt-ss-$$ C=tdt-sc-$$
SIF=tdtss$$ CIF=tdtsc$$	# veth names: at most 15 characters
V4X=198.51.100.3	# a second client address, the excepted one
PORT=24040
PROBE=$TDT_PY/http_probe.py

CASES=(
	every_metric_equals_the_stream_after_known_traffic
	lost_events_are_the_same_in_the_metrics_and_the_stream
	dry_run_and_info_gauges_say_how_it_runs
	a_watched_metrics_port_is_warned_at_start
	a_metrics_port_in_use_exits_1
	a_silent_connection_is_closed_after_5_s
	requests_are_answered_to_8_kib_and_refused_past_it
	at_most_1024_connections_are_open_at_once
)

have_binary || fail_all "$TDT_BIN does not exist or is not executable (run make)"
why=$(netns_problem)
[ -n "$why" ] && skip_all "$why"
command -v curl >/dev/null || skip_all "no curl (make deps installs it)"
command -v trafgen >/dev/null || skip_all "no trafgen (netsniff-ng; make deps installs it)"
make_pair "$S" "$C" "$SIF" "$CIF" || fail_all "could not set up namespaces and veth pair"
addr_add "$C" "$CIF" "$V4X/24" || fail_all "could not add $V4X to the client"

# scrape FILE: the body of GET /metrics from inside the server namespace into FILE.
scrape() {
	ip netns exec "$S" curl -sf --max-time 3 "http://127.0.0.1:$PORT/metrics" >"$1"
}

# http REQUEST [SECONDS]: tests/py/http_probe.py request, from the server's namespace.
http() {
	ip netns exec "$S" python3 "$PROBE" request 127.0.0.1 "$PORT" "$1" "${2:-5}" 2>&1
}

# syns N SPORT0: N single SYNs to port 4040 from the client's first address.
syns() {
	local i
	for ((i = 0; i < $1; i++)); do
		syn "$C" "$V4S" 4040 $(($2 + i))
	done
}

# excepted_syns N SPORT0: N connection attempts to port 4040 from the excepted address; each is
# one SYN, which passes and is answered by a reset.
excepted_syns() {
	local i
	for ((i = 0; i < $1; i++)); do
		ip netns exec "$C" timeout 5 nc -z -n -w 1 -s "$V4X" -p $(($2 + i)) "$V4S" 4040 \
			>/dev/null 2>&1 </dev/null
	done
}

# agree_problem FILE SCRAPE: why the metrics in SCRAPE do not equal the counters of the last
# stats line in the NDJSON of FILE, the bytes in its top sources and their number, or nothing.
agree_problem() {
	nd_check "$1" "
pairs = {'passed_packets_total': 'passed', 'dropped_packets_total': 'dropped',
	'malformed_packets_total': 'malformed', 'events_lost_total': 'events_lost',
	'events_throttled_total': 'events_throttled', 'excepted_packets_total': 'excepted'}
m = {}
for l in open('$2'):
	g = re.match(r'^(tcpdrop_top_\w+)\{ifname=\"$SIF\"[^}]*\} (\d+)$', l)
	if g:
		m[g.group(1)[len('tcpdrop_top_'):]] = int(g.group(2))
s = stats()
s or fail('no stats line')
s = s[-1]
for metric, key in sorted(pairs.items()):
	if m.get(metric) != s[key]:
		fail('%s is %s, the stream says %s %s' % (metric, m.get(metric), key, s[key]))
m.get('dropped_bytes_total') == sum(t['bytes'] for t in s['top']) or fail(
	'dropped_bytes_total is %s, the source table says %d' % (m.get('dropped_bytes_total'),
	sum(t['bytes'] for t in s['top'])))
m.get('sources') == len(s['top']) or fail('sources is %s, the table has %d' %
	(m.get('sources'), len(s['top'])))"
}

agree() {
	scrape "$TDT_TMP/agree.metrics" && [ -z "$(agree_problem "$1" "$TDT_TMP/agree.metrics")" ]
}

# --- The counters: each metric is the kernel's counter the stream prints --------------------
run_counters() {
	local name=every_metric_equals_the_stream_after_known_traffic why
	# --event-rate 1: each CPU logs its first drop, and holds the others back.
	if ! start_tool counters --json -d 0.2 --metrics "127.0.0.1:$PORT" --event-rate 1 \
		--except "$V4X"; then
		fail $name "$START_WHY"
		return
	fi
	syns 6 41000
	excepted_syns 2 41100
	ip netns exec "$C" python3 "$TDT_PY/malformed_frames.py" "$CIF" "$(link_mac "$S" "$SIF")" \
		"$(link_mac "$C" "$CIF")" 3
	# Once the traffic is over, the next stats line and a scrape read the same counters.
	if ! wait_until 5 agree "$TOOL_OUT"; then
		scrape "$TDT_TMP/agree.metrics"
		why=$(agree_problem "$TOOL_OUT" "$TDT_TMP/agree.metrics")
	else
		why=$(nd_check "$TOOL_OUT" "
s = stats()[-1]
(s['dropped'], s['excepted'], s['malformed'], s['events_lost']) == (6, 2, 3, 0) or fail(
	'dropped %d, excepted %d, malformed %d, lost %d; want 6, 2, 3 and 0 for the traffic sent' %
	(s['dropped'], s['excepted'], s['malformed'], s['events_lost']))
s['events_throttled'] > 0 or fail('nothing throttled at --event-rate 1')
len(drops()) + s['events_throttled'] == 6 or fail('%d drop lines and %d throttled, want 6' %
	(len(drops()), s['events_throttled']))
[t['src'] for t in s['top']] == ['$V4C'] or fail('top: %s' % s['top'])")
	fi
	stop_tool INT
	check $name "$why"
}

# --- Lost events: a ring of one page, every drop an event, a burst that overflows it ---------
run_lost() {
	local name=lost_events_are_the_same_in_the_metrics_and_the_stream why
	if ! start_tool lost --json -d 0.2 --metrics "127.0.0.1:$PORT" --event-rate max \
		--ring-size 4K; then
		fail $name "$START_WHY"
		return
	fi
	syn_flood_cfg "$TDT_TMP/syn.cfg" "$(link_mac "$S" "$SIF")" "$(link_mac "$C" "$CIF")" 1
	# 3,000 SYNs for a ring of 56 events: most events find it full.
	if ! ip netns exec "$C" timeout 30 trafgen -o "$CIF" -c "$TDT_TMP/syn.cfg" -n 3000 -P 1 \
		>"$TDT_TMP/trafgen.log" 2>&1 </dev/null; then
		why="trafgen: $(tail -c 200 "$TDT_TMP/trafgen.log")"
	elif ! wait_until 10 agree "$TOOL_OUT"; then
		scrape "$TDT_TMP/agree.metrics"
		why=$(agree_problem "$TOOL_OUT" "$TDT_TMP/agree.metrics")
	else
		why=$(nd_check "$TOOL_OUT" "
s = stats()[-1]
s['dropped'] == 3000 or fail('dropped %d, want the 3000 SYNs sent' % s['dropped'])
s['events_lost'] > 0 or fail('no event lost with a 4 KiB ring')
len(drops()) + s['events_lost'] == 3000 or fail('%d drop lines and %d lost, want 3000' %
	(len(drops()), s['events_lost']))")
	fi
	stop_tool INT
	check $name "$why"
}

# metric FILE NAME: the value of the one sample NAME{...} in FILE.
metric() {
	sed -n "s/^$2{[^}]*} \([0-9.e+]*\)\$/\1/p" "$1"
}

gauges_counted() {
	scrape "$1" && grep -qx "tcpdrop_top_dropped_packets_total{ifname=\"$SIF\",port=\"4040\"} 1" "$1" &&
		[ "$(metric "$1" tcpdrop_top_sources)" = 1 ]
}

# --- The gauges: a dry run in generic mode -------------------------------------------------
run_gauges() {
	local name=dry_run_and_info_gauges_say_how_it_runs why f=$TDT_TMP/gauges.metrics
	if ! start_tool gauges -q --metrics "$PORT" --dry-run -m skb -p 4040,5050; then
		fail $name "$START_WHY"
		return
	fi
	syn "$C" "$V4S" 4040 41200
	# The counters are read at the scrape, the table's size once a period (-d).
	if ! wait_until 5 gauges_counted "$f"; then
		why="the dry run's SYN is not counted, or its source: $(grep -E '^tcpdrop_top_(dropped_packets_total|sources)' "$f" | tr '\n' ' ')"
	elif [ "$(metric "$f" tcpdrop_top_dry_run)" != 1 ]; then
		why="tcpdrop_top_dry_run is '$(metric "$f" tcpdrop_top_dry_run)' under --dry-run, want 1"
	elif ! grep -qx "tcpdrop_top_info{ifname=\"$SIF\",mode=\"generic\",ports=\"4040,5050\",version=\"[0-9.]*\"} 1" "$f"; then
		why="info under -m skb -p 4040,5050: $(grep '^tcpdrop_top_info' "$f")"
	fi
	stop_tool TERM
	check $name "$why"
}

# --- Start: a watched metrics port, a port in use ----------------------------------------------
run_watched_port() {
	local name=a_watched_metrics_port_is_warned_at_start why
	local want="tcpdrop-top: warning: the --metrics port 4040 is a watched port: scrapes that come in through $SIF are dropped"
	if ! start_tool watched -q --metrics 4040; then
		fail $name "$START_WHY"
		return
	fi
	grep -qxF "$want" "$TOOL_ERR" || why="stderr does not warn: $(head -c 300 "$TOOL_ERR")"
	stop_tool TERM
	check $name "$why"
}

run_port_in_use() {
	local name=a_metrics_port_in_use_exits_1 why first
	if ! start_tool inuse -q --metrics "$PORT"; then
		fail $name "$START_WHY"
		return
	fi
	first=$TOOL
	run_tool_in_s -q --metrics "$PORT"
	if [ "$RC" -ne 1 ]; then
		why="a second --metrics $PORT: exit status $RC, want 1: $(head -c 200 "$ERR")"
	elif [ "$(cat "$ERR")" != "tcpdrop-top: --metrics [::]:$PORT: the port is in use (another tcpdrop-top?): choose another" ]
	then
		why="stderr: $(head -c 300 "$ERR")"
	elif ! kill -0 "$first" 2>/dev/null; then
		why="the first instance ended"
	fi
	TOOL=$first stop_tool TERM
	check $name "$why"
}

run_tool_in_s() {
	OUT=$TDT_TMP/second.out ERR=$TDT_TMP/second.err
	ip netns exec "$S" timeout -k 2 10 "$TDT_BIN" -i "$SIF" "$@" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
}

# --- The server's bounds -------------------------------------------------------------------------
run_bounds() {
	local name why got i pids=()
	if ! start_tool bounds -q --metrics "$PORT"; then
		for name in "${CASES[@]:5:3}"; do
			fail "$name" "$START_WHY"
		done
		return
	fi

	# 5 s of silence: the man page's figure, with a second for a loaded machine (the server
	# looks once a pass); the 10 s age limit would cut it later.
	name=a_silent_connection_is_closed_after_5_s
	got=$(ip netns exec "$S" python3 "$PROBE" idle 127.0.0.1 "$PORT" 15)
	why=
	if [[ ! $got =~ ^closed\ after\ ([0-9]+)\.([0-9])$ ]]; then
		why="a connection that sends nothing: '$got', want closed after 5 s"
	elif [ "${BASH_REMATCH[1]}${BASH_REMATCH[2]}" -lt 45 ] ||
		[ "${BASH_REMATCH[1]}${BASH_REMATCH[2]}" -gt 65 ]; then
		why="a connection that sends nothing: '$got' s, want closed after 5"
	fi
	check $name "$why"

	# MHD's 8 KiB holds the request and its own bookkeeping: 6,000 bytes pass, 8,300 not.
	name=requests_are_answered_to_8_kib_and_refused_past_it
	why=
	got=$(http "GET /metrics HTTP/1.1\r\nHost: tdt\r\nX-Pad: $(printf 'a%.0s' {1..5950})\r\n\r\n" |
		head -1)
	[ "$got" = "status 200" ] || why="a request of 6,000 bytes: '$got', want status 200"
	got=$(http "GET /metrics HTTP/1.1\r\nHost: tdt\r\nX-Pad: $(printf 'a%.0s' {1..8250})\r\n\r\n" |
		head -1)
	[ -z "$why" ] && [[ ! $got =~ ^(status\ 431|status\ 413|closed)$ ]] &&
		why="a request of 8,300 bytes: '$got', want 431 or closed"
	check $name "$why"

	# 64 connections from each of 17 addresses, 1,088, where at most 1,024 may be open; one
	# address after the other, each let in before the next (the listen backlog holds 128),
	# and each sending a byte now and then, so that none is closed for silence meanwhile. The
	# kernel completes every handshake: the connections tcpdrop-top holds are its descriptors.
	name=at_most_1024_connections_are_open_at_once
	why=
	FDS0=$(fd_count "$TOOL")
	for i in $(seq 2 18); do
		ip netns exec "$S" python3 "$PROBE" hold 127.0.0.1 "$PORT" 64 9 \
			"$TDT_TMP/hold.$i" "127.0.0.$i" 1 >"$TDT_TMP/hold.$i.out" 2>&1 &
		pids+=($!)
		track $!
		got=$((64 * (i - 1)))
		[ "$got" -gt 1024 ] && break
		if ! wait_until 5 accepted_at_least "$got"; then
			why="tcpdrop-top took $(($(fd_count "$TOOL") - FDS0)) connections, want $got"
			why+=" from the first $((i - 1)) addresses"
			break
		fi
	done
	# The last 64 wait in the backlog; had they been let in, it would be at once.
	if [ -z "$why" ] && wait_until 2 accepted_at_least 1025; then
		why="tcpdrop-top holds $(($(fd_count "$TOOL") - FDS0)) connections, more than 1,024"
	fi
	for i in "${pids[@]}"; do
		kill "$i" 2>/dev/null
		wait_pid "$i" 5
	done
	[ -z "$why" ] && ! kill -0 "$TOOL" 2>/dev/null && why="tcpdrop-top died"
	stop_tool TERM
	check $name "$why"
}

# fd_count PID: the descriptors PID holds.
fd_count() {
	find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l
}

# accepted_at_least N: tcpdrop-top holds N descriptors more than before the connections.
accepted_at_least() {
	[ $(($(fd_count "$TOOL") - FDS0)) -ge "$1" ]
}

run_counters
run_lost
run_gauges
run_watched_port
run_port_in_use
run_bounds
finish
