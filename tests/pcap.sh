#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# -w FILE: the dropped packets as pcap. A server and a client namespace joined by a veth pair
# (and a tun device for raw IP); tcpdrop-top watches the server's end and writes the pcap; the
# file is read by tcpdump, tshark and tests/py/pcapcheck.py, and compared with the frames sent
# and with a capture on the client's side. Only TEST-NET addresses in namespaces this suite
# creates (and always removes) carry any traffic.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

S=tdt-ps-$$ C=tdt-pc-$$ T=tdt-pt-$$
SIF=tdtps$$ CIF=tdtpc$$ TUN=tdtpt$$	# interface names: at most 15 characters

CASES=(
	pcap_is_read_by_tcpdump_and_tshark_with_one_packet_per_drop_line
	captured_syn_equals_the_client_side_capture
	snaplen_cuts_packets_and_keeps_their_length
	vlan_tagged_ipv4_and_ipv6_frames_are_captured_whole
	raw_ip_device_writes_a_raw_ip_pcap
	file_belongs_to_the_sudo_user_and_is_readable_while_running
	pcap_to_stdout_feeds_tcpdump
	throttled_drops_are_not_in_the_file_and_the_summary_says_so
	full_disk_exits_1_detached_with_a_file_valid_to_its_last_packet
	file_size_limit_exits_1_with_the_reason_and_a_file_whole_to_its_last_packet
	file_size_limit_in_the_live_view_exits_1_with_the_reason
	failed_start_leaves_an_existing_file_as_it_was_and_creates_none
	summary_after_clear_in_the_live_view_counts_from_the_start
	snaplen_and_stdout_misuse_are_usage_errors
)
# Before 5.18 XDP cannot copy a frame out (bpf_xdp_load_bytes): -w must be refused, and the
# cases that capture are not this kernel's.
NO_CAPTURE=
if ! kernel_at_least 5 18; then
	NO_CAPTURE="this kernel ($(uname -r)) has no bpf_xdp_load_bytes (5.18): -w is refused here"
	NO_CAPTURE+=", as w_is_refused_before_5_18_in_one_line_with_status_2 checks"
	CASES+=(w_is_refused_before_5_18_in_one_line_with_status_2)
fi

have_binary || fail_all "$TDT_BIN does not exist or is not executable (run make)"
why=$(netns_problem)
[ -n "$why" ] && skip_all "$why"
for tool in tcpdump tshark trafgen; do
	command -v $tool >/dev/null || skip_all "no $tool (make deps installs it)"
done
make_pair "$S" "$C" "$SIF" "$CIF" || fail_all "could not set up namespaces and veth pair"
# The live view's cases run in a tmux pane; without tmux they skip.
HAVE_TMUX=
command -v tmux >/dev/null && tmux_server "tdt-pcap-$$" "$TDT_TMP/tmux.conf" && HAVE_TMUX=1

# pcap_check FILE PYTHON: see tests/py/pcapcheck.py; prints why not, or nothing.
pcap_check() {
	python3 "$TDT_PY/pcapcheck.py" "$1" "$2"
}

# drop_lines FILE: the drop lines of an NDJSON file.
drop_lines() {
	grep -c '"type":"drop"' "$1"
}

# readers_problem FILE N: why tcpdump and tshark do not both read N packets from FILE, each
# exiting 0 with nothing on stderr about a cut or an error, or nothing.
readers_problem() {
	local n st
	tcpdump -nn -r "$1" >"$TDT_TMP/tcpdump.out" 2>"$TDT_TMP/tcpdump.err"
	st=$?
	n=$(wc -l <"$TDT_TMP/tcpdump.out")
	if [ "$st" -ne 0 ] || [ "$n" -ne "$2" ]; then
		echo "tcpdump -r exited $st and read $n packets, want 0 and $2:" \
			"$(head -c 200 "$TDT_TMP/tcpdump.err")"
		return
	fi
	if grep -qi 'truncated\|error' "$TDT_TMP/tcpdump.err"; then
		echo "tcpdump -r: $(head -c 200 "$TDT_TMP/tcpdump.err")"
		return
	fi
	tshark -r "$1" >"$TDT_TMP/tshark.out" 2>"$TDT_TMP/tshark.err"
	st=$?
	n=$(wc -l <"$TDT_TMP/tshark.out")
	if [ "$st" -ne 0 ] || [ "$n" -ne "$2" ]; then
		echo "tshark -r exited $st and read $n packets, want 0 and $2:" \
			"$(grep -v 'Running as' "$TDT_TMP/tshark.err" | head -c 200)"
	elif grep -qi 'cut short\|truncated\|error' "$TDT_TMP/tshark.err"; then
		echo "tshark -r: $(grep -v 'Running as' "$TDT_TMP/tshark.err" | head -c 200)"
	fi
}

# --- One run: IPv4 and IPv6 SYNs, a client-side capture, VLAN frames ------------------------
run_main() {
	local pcap=$TDT_TMP/main.pcap client=$TDT_TMP/client.pcap frames=$TDT_TMP/frames.hex
	local why n cap name caperr=$TDT_TMP/client.err
	: >"$caperr"
	ip netns exec "$C" tcpdump -i "$CIF" -nn -s 0 -U -w "$client" \
		'tcp dst port 4040' >/dev/null 2>"$caperr" </dev/null &
	cap=$!
	track $cap
	# tcpdump says so on stderr once its capture and filter are in place.
	why=
	wait_line 10 $cap "$caperr" 'listening on' ||
		why="tcpdump on the client is not listening: $(head -c 200 "$caperr")"
	if [ -z "$why" ] && ! start_tool main --json -w "$pcap"; then
		why=$START_WHY
	fi
	if [ -n "$why" ]; then
		for name in "${CASES[@]:0:4}"; do
			fail "$name" "$why"
		done
		stop_pid $cap TERM 5
		return
	fi
	syn "$C" "$V4S" 4040 41000
	syn "$C" "$V6S" 4040 41001
	ip netns exec "$C" python3 "$TDT_PY/raw_frames.py" "$CIF" "$(link_mac "$S" "$SIF")" \
		"$(link_mac "$C" "$CIF")" 42000 4040 "$frames"
	wait_until 5 pcap_check "$pcap" 'len(pkts) >= 4 or fail("")' >/dev/null
	stop_tool INT
	stop_pid $cap INT 5

	name=pcap_is_read_by_tcpdump_and_tshark_with_one_packet_per_drop_line
	n=$(drop_lines "$TOOL_OUT")
	why=
	[ "$STOP_STATUS" != 0 ] && why="exit status $STOP_STATUS: $(tail -c 200 "$TOOL_ERR")"
	[ -z "$why" ] && [ "$n" -ne 4 ] && why="$n drop lines, want 4 (2 SYNs, 2 VLAN frames)"
	[ -z "$why" ] && why=$(readers_problem "$pcap" "$n")
	[ -z "$why" ] && why=$(pcap_check "$pcap" "
linktype == 1 or fail('link type %d, want 1 (Ethernet)' % linktype)
snaplen == 128 or fail('snaplen %d, want 128' % snaplen)
nano or fail('microsecond stamps, want nanosecond ones')
tail == b'' or fail('%d bytes after the last whole record' % len(tail))
lens = [p['len'] for p in pkts]
want = [json.loads(l)['len'] for l in open('$TOOL_OUT') if '\"drop\"' in l]
lens == want or fail('lengths %s, drop lines say %s' % (lens, want))")
	[ -z "$why" ] && ! grep -q "pcap: 4 packets in $pcap; 0 drops not in it" "$TOOL_ERR" &&
		why="no summary line: $(tail -c 200 "$TOOL_ERR")"
	check $name "$why"

	name=captured_syn_equals_the_client_side_capture
	why=$(pcap_check "$pcap" "
_, theirs, _ = read('$client')
len(theirs) == 2 or fail('the client captured %d SYNs, want 2' % len(theirs))
len(pkts) == 4 or fail('our pcap has %d packets, want 4 (2 SYNs, 2 VLAN frames)' % len(pkts))
for i, (ours, sent) in enumerate(zip(pkts[:2], theirs)):
	n = min(128, len(sent['data']))
	ours['len'] == sent['len'] or fail('SYN %d: len %d, the client sent %d' % (i, ours['len'], sent['len']))
	ours['data'] == sent['data'][:n] or fail('SYN %d: %s, the client sent %s' % (i, hexs(ours['data']), hexs(sent['data'][:n])))
	abs(ours['ts'] - sent['ts']) < 1 or fail('SYN %d: time %.6f, sent at %.6f' % (i, ours['ts'], sent['ts']))")
	check $name "$why"

	name=vlan_tagged_ipv4_and_ipv6_frames_are_captured_whole
	why=$(pcap_check "$pcap" "
sent = [bytes.fromhex(l) for l in open('$frames').read().split()]
len(sent) == 2 or fail('%d VLAN frames sent, want 2' % len(sent))
got = [p['data'] for p in pkts[2:]]
got == sent or fail('captured %s, sent %s' % ([hexs(g) for g in got], [hexs(s) for s in sent]))")
	[ -z "$why" ] && [ "$(tcpdump -nn -e -r "$pcap" 2>/dev/null | grep -c 'vlan 10[01]')" -ne 2 ] &&
		why="tcpdump -e does not show both VLAN tags: $(tcpdump -nn -e -r "$pcap" 2>&1 | tail -2)"
	[ -z "$why" ] && [ "$(tshark -r "$pcap" -Y 'vlan.id == 101 && ipv6' 2>/dev/null | wc -l)" -ne 1 ] &&
		why="tshark does not see the IPv6 frame in VLAN 101"
	check $name "$why"
}

# --- --snaplen 40: the SYN cut, its length kept ---------------------------------------------
run_snaplen() {
	local name=snaplen_cuts_packets_and_keeps_their_length pcap=$TDT_TMP/snap.pcap why
	if ! start_tool snap --json --snaplen 40 -w "$pcap"; then
		fail $name "$START_WHY"
		return
	fi
	syn "$C" "$V4S" 4040 43000
	wait_until 5 pcap_check "$pcap" 'len(pkts) >= 1 or fail("")' >/dev/null
	stop_tool INT
	why=$(pcap_check "$pcap" "
snaplen == 40 or fail('snaplen %d in the header, want 40' % snaplen)
len(pkts) == 1 or fail('%d packets, want 1' % len(pkts))
p = pkts[0]
(p['caplen'], p['len']) == (40, 74) or fail('caplen %d, len %d; want 40 and 74' % (p['caplen'], p['len']))")
	[ -z "$why" ] && ! tshark -r "$pcap" -T fields -e frame.len -e frame.cap_len 2>/dev/null |
		grep -q '^74.40$' && why="tshark does not read frame.len 74, cap_len 40"
	check $name "$why"
}

# --- A tun device: frames start at the IP header, so the pcap is raw IP ---------------------
run_raw_ip() {
	local name=raw_ip_device_writes_a_raw_ip_pcap pcap=$TDT_TMP/tun.pcap why
	[ -e /dev/net/tun ] || modprobe tun 2>/dev/null
	if ! netns_add "$T" || ! ip -n "$T" tuntap add dev "$TUN" mode tun ||
		! ip -n "$T" link set "$TUN" up; then
		fail $name "could not make tun device $TUN in a namespace"
		return
	fi
	if ! S=$T SIF=$TUN start_tool tun --json -w "$pcap"; then
		fail $name "$START_WHY"
		return
	fi
	ip netns exec "$T" python3 "$TDT_PY/tun_inject.py" "$TUN" 4 4040 2 44000
	ip netns exec "$T" python3 "$TDT_PY/tun_inject.py" "$TUN" 6 4040 1 45000
	wait_until 5 pcap_check "$pcap" 'len(pkts) >= 3 or fail("")' >/dev/null
	stop_tool INT
	why=$(cd "$TDT_PY" && pcap_check "$pcap" "
from tun_inject import syn
linktype == 101 or fail('link type %d, want 101 (raw IP)' % linktype)
want = [syn(4, 44000, 4040), syn(4, 44001, 4040), syn(6, 45000, 4040)]
[p['data'] for p in pkts] == want or fail('captured %s' % [hexs(p['data']) for p in pkts])")
	[ -z "$why" ] && why=$(readers_problem "$pcap" 3)
	[ -z "$why" ] && ! tcpdump -nn -r "$pcap" 2>/dev/null | grep -q '2001:db8:4040::2.45000 > 2001:db8:4040::1.4040' &&
		why="tcpdump does not decode the IPv6 SYN: $(tcpdump -nn -r "$pcap" 2>&1 | tail -1)"
	check $name "$why"
}

# --- Under sudo: the user's file; flushed within a second, readable while running -----------
run_owner() {
	local name=file_belongs_to_the_sudo_user_and_is_readable_while_running why owner
	local pcap=$TDT_TMP/owned.pcap
	chmod 1777 "$TDT_TMP"
	if ! SUDO_UID=65534 SUDO_GID=65534 start_tool owner --json -w "$pcap"; then
		fail $name "$START_WHY"
		return
	fi
	owner=$(stat -c %u:%g "$pcap")
	syn "$C" "$V4S" 4040 46000
	# Within the second's flush, while it runs, a reader sees the whole packet.
	if ! wait_until 3 pcap_check "$pcap" 'len(pkts) == 1 or fail("")' >/dev/null; then
		why="after 3 s the running tool's file has: $(pcap_check "$pcap" 'fail(len(pkts))')"
	elif [ "$(tcpdump -nn -r "$pcap" 2>/dev/null | wc -l)" -ne 1 ]; then
		why="tcpdump -r reads no packet from the running tool's file"
	fi
	alive "$TOOL" || why="the tool ended: $(tail -c 200 "$TOOL_ERR")"
	stop_tool INT
	[ -z "$why" ] && [ "$owner" != 65534:65534 ] && why="owned by $owner, want 65534:65534"
	check $name "$why"
}

# --- -w -: stdout is the pcap, and nothing else -----------------------------------------------
run_stdout() {
	local name=pcap_to_stdout_feeds_tcpdump why out=$TDT_TMP/stdout.txt fifo=$TDT_TMP/pcap.fifo
	local reader
	mkfifo "$fifo"
	tcpdump -nn -r - <"$fifo" >"$out" 2>/dev/null &
	reader=$!
	track $reader
	: >"$TDT_TMP/stdout.err"
	ip netns exec "$S" env --default-signal=INT "$TDT_BIN" -i "$SIF" -w - \
		>"$fifo" 2>"$TDT_TMP/stdout.err" </dev/null &
	TOOL=$!
	track $TOOL
	if ! wait_line 10 $TOOL "$TDT_TMP/stdout.err" watching; then
		fail $name "no watching line: $(head -c 200 "$TDT_TMP/stdout.err")"
		stop_tool INT
		return
	fi
	syn "$C" "$V4S" 4040 47000
	sleep 1.5	# the second's flush
	stop_tool INT
	wait_pid $reader 5
	why=
	[ "$STOP_STATUS" = 0 ] || why="exit status $STOP_STATUS: $(head -c 200 "$TDT_TMP/stdout.err")"
	[ -z "$why" ] && [ "$(grep -c '198.51.100.2.47000 > 198.51.100.1.4040' "$out")" -ne 1 ] &&
		why="tcpdump read: $(head -c 200 "$out")"
	[ -z "$why" ] && ! grep -q 'watching .* pcap to stdout' "$TDT_TMP/stdout.err" &&
		why="stderr: $(head -c 200 "$TDT_TMP/stdout.err")"
	check $name "$why"
}

# --- --event-rate 0: every drop counted, none in the file, the summary says why --------------
run_throttled() {
	local name=throttled_drops_are_not_in_the_file_and_the_summary_says_so pcap=$TDT_TMP/thr.pcap
	local why
	if ! start_tool thr --json --event-rate 0 -w "$pcap"; then
		fail $name "$START_WHY"
		return
	fi
	syn "$C" "$V4S" 4040 48000
	syn "$C" "$V4S" 4040 48001
	sleep 0.5
	stop_tool INT
	why=$(pcap_check "$pcap" "len(pkts) == 0 or fail('%d packets, want 0' % len(pkts))")
	[ -z "$why" ] && ! grep -q "pcap: 0 packets in $pcap; 2 drops not in it: 2 throttled by --event-rate, 0 lost" "$TOOL_ERR" &&
		why="summary: $(tail -n 1 "$TOOL_ERR")"
	[ -z "$why" ] && why=$(readers_problem "$pcap" 0)
	check $name "$why"
}

# syn_flood: 20,000 SYNs of 54 bytes from the client, 1.4 MB of pcap records: more than the
# 64 KiB that the full-disk and file-size cases leave the file.
syn_flood() {
	syn_flood_cfg "$TDT_TMP/syn.cfg" "$(link_mac "$S" "$SIF")" "$(link_mac "$C" "$CIF")" 1
	ip netns exec "$C" timeout 30 trafgen -o "$CIF" -c "$TDT_TMP/syn.cfg" -n 20000 -P 1 \
		>"$TDT_TMP/trafgen.log" 2>&1 </dev/null
}

# write_failed_problem PCAP ERR ERRNO_TEXT: why the run that ended on a failed write did not say
# "writing the pcap to PCAP failed: ERRNO_TEXT" on stderr (the file ERR) with how many packets
# the file holds, leave the filter detached and a file that holds exactly that many whole
# packets, read by tcpdump and tshark without a complaint; or nothing.
write_failed_problem() {
	local pcap=$1 n
	if ! grep -q "writing the pcap to $pcap failed: $3.*; it holds the [0-9]* packets" "$2"
	then
		echo "message: $(head -c 300 "$2")"
		return
	fi
	detached_problem "$S" "$SIF"
	n=$(sed -n 's/.*it holds the \([0-9]*\) packets.*/\1/p' "$2" | head -1)
	pcap_check "$pcap" "
tail == b'' or fail('%d bytes after the last whole record' % len(tail))
len(pkts) == ${n:-0} > 0 or fail('%d packets, the message says ${n:-none}' % len(pkts))
all(p['caplen'] == 54 for p in pkts) or fail('a packet is cut')" || return
	readers_problem "$pcap" "$n"
}

# exit1_problem: why the tool ($TOOL), flooded, did not exit 1 within 10 s, or nothing. (Not in
# $(...): the tool is this shell's child.)
exit1_problem() {
	wait_pid "$TOOL" 10
	EXIT1_WHY=
	[ "$WAIT_STATUS" = 1 ] && return
	EXIT1_WHY="exit status $WAIT_STATUS, want 1: $(head -c 300 "$TOOL_ERR")"
	[ "$WAIT_STATUS" = running ] && stop_tool INT
}

# --- A full disk: a 64 KiB tmpfs and a flood ---------------------------------------------------
run_full_disk() {
	local name=full_disk_exits_1_detached_with_a_file_valid_to_its_last_packet
	local dir=$TDT_TMP/full why
	mkdir -p "$dir"
	if ! mount -t tmpfs -o size=64k tdt-full "$dir"; then
		fail $name "cannot mount a tmpfs"
		return
	fi
	if ! start_tool full --json --event-rate max -w "$dir/x.pcap" >/dev/null; then
		fail $name "$START_WHY"
		umount "$dir"
		return
	fi
	syn_flood
	exit1_problem
	why=$EXIT1_WHY
	[ -z "$why" ] && why=$(write_failed_problem "$dir/x.pcap" "$TOOL_ERR" \
		"No space left on device")
	umount "$dir"
	check $name "$why"
}

# --- A file size limit (ulimit -f, systemd's LimitFSIZE=): a failed write, not SIGXFSZ --------
# limit_problem PCAP ERR: the message names the limit and the remedy, and the file is within it.
limit_problem() {
	local size
	write_failed_problem "$1" "$2" "File too large"
	grep -q "the file size limit (ulimit -f, LimitFSIZE=) is reached.*: raise the limit" "$2" ||
		echo "the message does not name the limit and the remedy: $(head -c 300 "$2")"
	size=$(stat -c %s "$1")
	[ "$size" -le 65536 ] || echo "the file has $size bytes, past the limit"
}

# LIMITED: tcpdrop-top, limited to 64 KiB for every file it writes (bash counts ulimit -f in
# KiB), from its start as under systemd's LimitFSIZE=.
LIMITED=$TDT_TMP/limited.sh
printf '#!/bin/bash\nulimit -f 64 || exit 99\nexec %q "$@"\n' "$TDT_BIN" >"$LIMITED"
chmod +x "$LIMITED"

run_fsize() {
	local name=file_size_limit_exits_1_with_the_reason_and_a_file_whole_to_its_last_packet
	local pcap=$TDT_TMP/fsize.pcap why
	# -q writes no stream, so the pcap is the one file that grows.
	if ! TDT_BIN=$LIMITED start_tool fsize -q --event-rate max -w "$pcap"; then
		fail $name "$START_WHY"
		return
	fi
	syn_flood
	exit1_problem
	why=$EXIT1_WHY
	[ -z "$why" ] && why=$(limit_problem "$pcap" "$TOOL_ERR" | head -1)
	check $name "$why"
}

# --- The same in the live view, whose crash handler must leave SIGXFSZ ignored ---------------
run_fsize_live() {
	local name=file_size_limit_in_the_live_view_exits_1_with_the_reason tag=lim
	local pcap=$TDT_TMP/lim.pcap err=$TDT_TMP/lim.err d=$TDT_TMP/lim why=
	if [ -z "$HAVE_TMUX" ]; then
		skip $name "no tmux"
		return
	fi
	if ! TDT_BIN=$LIMITED PANE_ERR=$err start_ui $tag 1 --event-rate max -w "$pcap"; then
		fail $name "$START_WHY"
		return
	fi
	syn_flood
	if ! wait_until 10 test -f "$d.status"; then
		why="still running 10 s after the flood; screen: $(scr_check $tag 'print(show())')"
		key $tag q
	elif [ "$(cat "$d.status")" != 1 ]; then
		why="exit status $(cat "$d.status"), want 1: $(head -c 300 "$err")"
	elif [ "$(pane $tag '#{alternate_on}')" != 0 ] || ! cmp -s "$d.stty0" "$d.stty1"; then
		why="the terminal is not restored"
	fi
	[ -z "$why" ] && why=$(limit_problem "$pcap" "$err" | head -1)
	check $name "$why"
}

# --- A start that fails after -w FILE was given: the file is as it was ------------------------
run_failed_start() {
	local name=failed_start_leaves_an_existing_file_as_it_was_and_creates_none
	local dir=$TDT_TMP/keep ref=$TDT_TMP/keep.ref f left why=
	mkdir -p "$dir"
	# A capture of an earlier run: the bytes it had must be the bytes it keeps.
	if [ -s "$TDT_TMP/main.pcap" ]; then
		cp "$TDT_TMP/main.pcap" "$ref"
	else
		printf 'an earlier capture, %s\n' "$$" >"$ref"
	fi
	cp "$ref" "$dir/old.pcap"
	# A second tcpdrop-top on the interface is refused only once it asks who holds the hook,
	# after the point where -w opens its file.
	if ! start_tool first --json; then
		fail $name "$START_WHY"
		return
	fi
	TDT_WRAP=(ip netns exec "$S")
	for f in old.pcap new.pcap; do
		run_tool 10 -i "$SIF" --json -w "$dir/$f"
		if [ "$RC" != 1 ] || ! grep -q 'already watching' "$ERR"; then
			why="-w $f: exit status $RC, want 1 and 'already watching': $(head -c 200 "$ERR")"
			break
		fi
	done
	TDT_WRAP=()
	stop_tool INT
	left=$(find "$dir" -mindepth 1 -printf '%f ')
	[ -z "$why" ] && ! cmp -s "$ref" "$dir/old.pcap" &&
		why="old.pcap changed: $(stat -c %s "$ref") bytes became $(stat -c %s "$dir/old.pcap")"
	[ -z "$why" ] && [ "$left" != "old.pcap " ] &&
		why="the folder holds '$left', want only 'old.pcap '"
	check $name "$why"
}

# --- The live view's c clears its counters, not the file: the summary counts from the start ---
run_clear() {
	local name=summary_after_clear_in_the_live_view_counts_from_the_start tag=clr
	local pcap=$TDT_TMP/clr.pcap err=$TDT_TMP/clr.err want why=
	if [ -z "$HAVE_TMUX" ]; then
		skip $name "no tmux"
		return
	fi
	# --event-rate 0: every drop counted and none in the file, so each one is in the summary.
	# (The default -d 1 leaves room in the 100 columns for the title's pcap part.)
	if ! PANE_ERR=$err start_ui $tag 1 --event-rate 0 -w "$pcap"; then
		fail $name "$START_WHY"
		return
	fi
	syn "$C" "$V4S" 4040 49000
	syn "$C" "$V4S" 4040 49001
	why=$(wait_screen 5 $tag "counter('dropped') == 2 or fail('dropped is %d, want 2: %s' % (
	counter('dropped'), show()))")
	if [ -z "$why" ]; then
		key $tag c
		why=$(wait_screen 3 $tag "counter('dropped') == 0 or fail('dropped is %d after c' % (
	counter('dropped')))")
	fi
	if [ -z "$why" ]; then
		syn "$C" "$V4S" 4040 49002
		why=$(wait_screen 5 $tag "
counter('dropped') == 1 or fail('dropped is %d, want 1 since c: %s' % (counter('dropped'), show()))
'pcap: 0 written, 3 not' in title() or fail('title: ' + title())")
	fi
	key $tag q
	[ -z "$why" ] && why=$(stopped_problem $tag)
	want="pcap: 0 packets in $pcap; 3 drops not in it: 3 throttled by --event-rate, 0 lost"
	[ -z "$why" ] && ! grep -qF "$want" "$err" && why="summary: $(tail -c 300 "$err"), want '$want'"
	check $name "$why"
}

# --- Usage errors --------------------------------------------------------------------------
run_usage() {
	local name=snaplen_and_stdout_misuse_are_usage_errors why=
	run_tool 5 --snaplen 64
	[ "$RC" = 2 ] && grep -q -- '--snaplen: nothing to capture without -w FILE' "$ERR" ||
		why="--snaplen alone: exit $RC, $(head -c 200 "$ERR")"
	run_tool 5 -w x.pcap --snaplen 4097
	[ -z "$why" ] && { [ "$RC" = 2 ] && grep -q '"4097" is out of range: want 1 to 4096' "$ERR" ||
		why="--snaplen 4097: exit $RC, $(head -c 200 "$ERR")"; }
	run_tool 5 -w x.pcap --snaplen 0
	[ -z "$why" ] && { [ "$RC" = 2 ] || why="--snaplen 0: exit $RC"; }
	run_tool 5 -w - --json
	[ -z "$why" ] && { [ "$RC" = 2 ] && grep -q -- '-w -: the pcap goes to stdout, so --json cannot' "$ERR" ||
		why="-w - --json: exit $RC, $(head -c 200 "$ERR")"; }
	run_tool 5 -w x.pcap --snaplen 4096 --ring-size 4K
	[ -z "$why" ] && { [ "$RC" = 2 ] && grep -q 'cannot hold one 4096-byte capture' "$ERR" ||
		why="--snaplen 4096 --ring-size 4K: exit $RC, $(head -c 200 "$ERR")"; }
	check $name "$why"
}

# --- Before 5.18: refused in one line, exit 2, nothing attached, no file made or changed ---
run_refused() {
	local name=w_is_refused_before_5_18_in_one_line_with_status_2 why= want
	want="tcpdrop-top: this kernel ($(uname -r)) cannot copy packets out of XDP"
	want+=" (bpf_xdp_load_bytes): -w needs Linux 5.18 or later"
	printf 'an earlier capture, %s\n' "$$" >"$TDT_TMP/old.pcap"
	cp "$TDT_TMP/old.pcap" "$TDT_TMP/old.ref"
	TDT_WRAP=(ip netns exec "$S")
	for f in old.pcap new.pcap; do
		run_tool 10 -i "$SIF" --json -w "$TDT_TMP/$f"
		if [ "$RC" != 2 ] || [ "$(cat "$ERR")" != "$want" ]; then
			why="-w $f: exit $RC, stderr '$(head -c 300 "$ERR")'; want 2 and '$want'"
			break
		fi
	done
	TDT_WRAP=()
	[ -z "$why" ] && ! cmp -s "$TDT_TMP/old.ref" "$TDT_TMP/old.pcap" && why="old.pcap changed"
	[ -z "$why" ] && [ -e "$TDT_TMP/new.pcap" ] && why="new.pcap was created"
	[ -z "$why" ] && why=$(detached_problem "$S" "$SIF")
	check $name "$why"
}

if [ -n "$NO_CAPTURE" ]; then
	run_refused
	for c in "${CASES[@]}"; do
		case $c in
		w_is_refused_* | snaplen_and_stdout_misuse_are_usage_errors) ;;
		*) not_here "$c" "$NO_CAPTURE" ;;
		esac
	done
	run_usage
	finish
	exit
fi
run_main
run_snaplen
run_raw_ip
run_owner
run_stdout
run_throttled
run_full_disk
run_fsize
run_fsize_live
run_failed_start
run_clear
run_usage
finish
