#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Command-line errors, help and version: cases that need no network. As root every run happens
# in a private, unnamed network namespace (unshare -n), so a wrongly accepted command line can
# never attach anything to this machine's interfaces; it dies with the namespace.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

CASES=(
	help_prints_usage_on_stdout_and_exits_0
	help_says_stdin_or_stdout_not_a_terminal_chooses_ndjson
	version_prints_version_and_exits_0
	control_bytes_in_interface_names_are_escaped_on_stderr
	repeated_p_adds_up
	repeated_interface_is_usage_error
	duration_out_of_bounds_says_the_bounds
	ring_size_with_a_bad_suffix_says_which_work
	ring_size_not_a_power_of_two_says_so
	empty_port_item_says_empty_item
	missing_value_names_the_long_option_as_typed
	ambiguous_prefix_lists_the_candidates
	ambiguous_flag_prefix_lists_the_candidates
	except_host_bits_name_the_prefix_meant
	except_ipv4_mapped_shorter_than_96_is_refused
	except_of_every_source_warns_that_nothing_is_dropped
	except_ipv4_mapped_and_duplicates_are_one_ipv4_prefix
	metrics_on_ipv6_any_says_it_takes_ipv4_too
	metrics_on_an_ipv4_mapped_address_serves_that_ipv4_address
	readme_options_table_lists_what_help_lists
	unknown_interface_exits_2_and_lists_interfaces
	no_interface_and_no_default_route_is_usage_error
	port_above_65535_is_usage_error
	port_not_a_number_is_usage_error
	reversed_port_range_is_usage_error
	empty_port_list_is_usage_error
	empty_port_list_entry_is_usage_error
	unknown_option_is_usage_error
	unknown_mode_is_usage_error
	bad_stats_interval_is_usage_error
	bad_duration_is_usage_error
	unprivileged_run_exits_1_and_says_how_to_get_privileges
)

have_binary || fail_all "$TDT_BIN does not exist or is not executable (run make)"

if [ "$(id -u)" -eq 0 ] && unshare -n -- true 2>/dev/null; then
	TDT_WRAP=(unshare -n --)
fi

# usage_exit ARGS...: runs the tool (RC, OUT, ERR: run_tool) and sets WHY to why it was not a
# usage error, exit 2 with one line on stderr, or to nothing. A variable, not output: a
# subshell would lose ERR, which the callers read next.
usage_exit() {
	run_tool 5 "$@"
	if [ "$RC" -ne 2 ]; then
		WHY="tcpdrop-top $* exited $RC, want 2; stderr: $(head -c 200 "$ERR")"
	else
		WHY=$(err_line_problem "$ERR")
	fi
}

# usage_error NAME WANT ARGS...: exit 2 and one stderr line matching the extended regex WANT
# (when not empty), which is how the message names the bad part.
usage_error() {
	local name=$1 want=$2 why
	shift 2
	usage_exit "$@"
	why=$WHY
	if [ -z "$why" ] && [ -n "$want" ] && ! grep -qE -- "$want" "$ERR"; then
		why="stderr does not name '$want': $(head -c 200 "$ERR")"
	fi
	check "$name" "$why"
}

t_help() {
	local name=help_prints_usage_on_stdout_and_exits_0
	run_tool 5 -h
	if [ "$RC" -ne 0 ]; then
		fail $name "exited $RC, want 0"
	elif ! grep -qi 'usage' "$OUT" || ! grep -q -- '-i' "$OUT"; then
		fail $name "stdout has no usage naming -i: $(head -c 200 "$OUT")"
	elif ! grep -q -- '--dry-run' "$OUT" || ! grep -q -- '--json' "$OUT"; then
		fail $name "usage does not list --dry-run and --json"
	else
		ok $name
	fi
}

# Every option --help lists is a row of the README's options table, and every row an option.
t_readme_options() {
	local name=readme_options_table_lists_what_help_lists why opt help readme
	run_tool 5 -h
	help=$(grep -oE -- '(^| |\[)--?[a-zA-Z][a-z-]*' "$OUT" | tr -d ' [' | sort -u)
	readme=$(sed -n '/^| option | meaning |/,/^$/p' "$TDT_ROOT/README.md" |
		grep -oE -- '`--?[a-zA-Z][a-z-]*' | tr -d '`' | sort -u)
	for opt in $help; do
		grep -qx -- "$opt" <<<"$readme" || why+="$opt is in --help, not in the README; "
	done
	for opt in $readme; do
		grep -qx -- "$opt" <<<"$help" || why+="$opt is in the README, not in --help; "
	done
	[ -z "$help" ] && why="no options found in --help"
	check $name "$why"
}

t_version() {
	local name=version_prints_version_and_exits_0
	run_tool 5 -V
	if [ "$RC" -ne 0 ]; then
		fail $name "exited $RC, want 0"
	elif ! grep -qE '[0-9]+\.[0-9]+' "$OUT"; then
		fail $name "stdout has no version number: '$(head -c 200 "$OUT")'"
	else
		ok $name
	fi
}

t_unknown_interface() {
	local name=unknown_interface_exits_2_and_lists_interfaces iface=tdt-nope$$ why
	run_tool 5 -i "$iface"
	if [ "$RC" -ne 2 ]; then
		fail $name "exited $RC, want 2; stderr: $(head -c 200 "$ERR")"
		return
	fi
	why=$(err_line_problem "$ERR")
	if [ -z "$why" ] && ! grep -qF "no interface \"$iface\"" "$ERR"; then
		why="stderr lacks 'no interface \"$iface\"': $(head -c 200 "$ERR")"
	fi
	# Every interface that exists (here at least lo) is listed so the user can pick one.
	if [ -z "$why" ] && ! grep -qE 'interfaces:.*\blo\b' "$ERR"; then
		why="stderr does not list the interfaces (want 'interfaces: ... lo'): $(cat "$ERR")"
	fi
	check $name "$why"
}

t_unprivileged() {
	local name=unprivileged_run_exits_1_and_says_how_to_get_privileges why
	if [ "$(id -u)" -ne 0 ]; then
		skip $name "needs root to drop to an unprivileged user"
		return
	fi
	if ! command -v setpriv >/dev/null; then
		skip $name "no setpriv (util-linux)"
		return
	fi
	# setpriv must come before the binary, so this one is run by hand rather than by run_tool.
	OUT=$TDT_TMP/unpriv.out ERR=$TDT_TMP/unpriv.err
	timeout -k 2 5 "${TDT_WRAP[@]}" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all "$TDT_BIN" -i lo >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	if [ "$RC" -ne 1 ]; then
		fail $name "exited $RC, want 1; stderr: $(head -c 200 "$ERR")"
		return
	fi
	why=$(err_line_problem "$ERR")
	if [ -z "$why" ] && ! grep -qF 'needs root or CAP_BPF+CAP_NET_ADMIN+CAP_PERFMON' "$ERR"; then
		why="stderr lacks 'needs root or CAP_BPF+CAP_NET_ADMIN+CAP_PERFMON': $(head -c 200 "$ERR")"
	fi
	if [ -z "$why" ] && ! grep -qF 'sudo' "$ERR"; then
		why="stderr does not suggest sudo: $(head -c 200 "$ERR")"
	fi
	check $name "$why"
}

# Without -i the default-route interface is used; a namespace with no route must get a usage
# error that points at -i rather than a guess.
t_no_interface() {
	local name=no_interface_and_no_default_route_is_usage_error
	if [ ${#TDT_WRAP[@]} -eq 0 ]; then
		skip $name "needs root for a private network namespace without a default route"
		return
	fi
	usage_error $name '-i' -p 4040
}

t_bad_intervals() {
	local name=bad_stats_interval_is_usage_error d why=
	for d in 0 abc -1 1x; do
		run_tool 5 -i lo -d "$d"
		if [ "$RC" -ne 2 ]; then
			why="-d '$d' exited $RC, want 2"
			break
		fi
		why=$(err_line_problem "$ERR")
		[ -n "$why" ] && why="-d '$d': $why" && break
	done
	check $name "$why"
}

# usage_message NAME MESSAGE ARGS...: exit 2 and, first on stderr, exactly "tcpdrop-top: MESSAGE".
usage_message() {
	local name=$1 want="tcpdrop-top: $2" why
	shift 2
	usage_exit "$@"
	why=$WHY
	if [ -z "$why" ] && [ "$(head -1 "$ERR")" != "$want" ]; then
		why="tcpdrop-top $*: stderr is '$(head -1 "$ERR")', want '$want'"
	fi
	check "$name" "$why"
}

t_help_names_stdin() {
	local name=help_says_stdin_or_stdout_not_a_terminal_chooses_ndjson
	run_tool 5 --help
	if [ "$RC" -ne 0 ]; then
		fail $name "exited $RC, want 0"
	elif ! tr -s ' \n' ' ' <"$OUT" | grep -qF -- '--json NDJSON on stdout (the default when stdin or stdout is not a terminal)'; then
		fail $name "--help does not say stdin or stdout: $(grep -A1 -- '--json' "$OUT")"
	else
		ok $name
	fi
}

# In a private network namespace (and a mount namespace for its own /sys, where tcpdrop-top
# reads the link type), a veth pair whose names hold a control byte and a non-ASCII character.
# The interface list of the "no interface" message and the "watching" line show them escaped;
# -p given twice watches both lists.
# shellcheck disable=SC2016  # expanded by the bash inside the namespaces
NAMES_SCRIPT='
	mount -t sysfs sysfs /sys || exit 98
	ip link add name "$(printf "a\001b")" type veth peer name "$(printf "\303\2740")" || exit 99
	LC_ALL=C "$0" -i tdt-nope0 2>"$1.c"
	LC_ALL=C.UTF-8 "$0" -i tdt-nope0 2>"$1.utf8"
	exec "$0" -i "$(printf "a\001b")" -m skb -p 80 -p 443 --json --duration 0.3'
t_names_escaped() {
	local name=control_bytes_in_interface_names_are_escaped_on_stderr why=
	local name2=repeated_p_adds_up
	if [ "$(id -u)" -ne 0 ] || ! unshare -n -m -- true 2>/dev/null; then
		skip $name "needs root for a private network namespace"
		skip $name2 "needs root for a private network namespace"
		return
	fi
	OUT=$TDT_TMP/names.out ERR=$TDT_TMP/names.err
	timeout -k 2 10 unshare -n -m -- bash -c "$NAMES_SCRIPT" "$TDT_BIN" "$TDT_TMP/list" \
		>"$OUT" 2>"$ERR" </dev/null
	RC=$?
	if [ "$RC" -eq 98 ]; then
		why="could not mount a private /sys"
	elif [ "$RC" -eq 99 ]; then
		why="could not create veth interfaces named a\\x01b and ü0"
	elif LC_ALL=C grep -q $'\x01' "$TDT_TMP/list.c" "$TDT_TMP/list.utf8" "$ERR"; then
		why="a raw control byte reached stderr: $(cat -v "$TDT_TMP/list.c" "$ERR")"
	elif ! grep -qF 'interfaces: lo a\x01b \xc3\xbc0' "$TDT_TMP/list.c" &&
		! grep -qF 'interfaces: lo \xc3\xbc0 a\x01b' "$TDT_TMP/list.c"; then
		why="LC_ALL=C: the list is not 'lo a\\x01b \\xc3\\xbc0': $(cat -v "$TDT_TMP/list.c")"
	elif ! grep -qF 'interfaces: lo a\x01b ü0' "$TDT_TMP/list.utf8" &&
		! grep -qF 'interfaces: lo ü0 a\x01b' "$TDT_TMP/list.utf8"; then
		why="C.UTF-8: the list is not 'lo a\\x01b ü0': $(cat -v "$TDT_TMP/list.utf8")"
	elif [ "$RC" -ne 0 ]; then
		why="tcpdrop-top -i a\\x01b exited $RC: $(cat -v "$ERR" | head -c 300)"
	elif [ "$(head -1 "$ERR")" != 'tcpdrop-top: watching a\x01b (generic XDP), ports 80,443' ]; then
		why="the watching line is '$(head -1 "$ERR" | cat -v)', want 'tcpdrop-top: watching a\\x01b (generic XDP), ports 80,443'"
	fi
	check $name "$why"
	[ "$RC" -eq 0 ] && why=$(nd_check "$OUT" "
s = [o for o in objs if o['type'] == 'stats']
s or fail('no stats line')
s[-1]['ports'] == '80,443' or fail('ports %r, want 80,443' % s[-1]['ports'])")
	check $name2 "$why"
}

# In a private network namespace with its loopback up: the tool on lo, whose stderr tells how
# it read the command line.
# shellcheck disable=SC2016  # expanded by the bash inside the namespace
LO_SCRIPT='ip link set lo up || exit 99; exec "$@"'
on_private_lo() {
	OUT=$TDT_TMP/lo.out ERR=$TDT_TMP/lo.err
	timeout -k 2 10 unshare -n -- bash -c "$LO_SCRIPT" - "$TDT_BIN" -i lo --json \
		--duration 0.3 "$@" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
}

# run_says NAME LINE ARGS...: on a private lo, ARGS run, exit 0, and stderr has LINE.
run_says() {
	local name=$1 line=$2 why=
	shift 2
	if [ "$(id -u)" -ne 0 ] || ! unshare -n -- true 2>/dev/null; then
		skip "$name" "needs root for a private network namespace"
		return
	fi
	on_private_lo "$@"
	if [ "$RC" -ne 0 ]; then
		why="tcpdrop-top $* exited $RC, want 0: $(head -c 300 "$ERR")"
	elif ! grep -qxF -- "$line" "$ERR"; then
		why="stderr has no line '$line': $(head -c 300 "$ERR")"
	fi
	check "$name" "$why"
}

t_help
t_help_names_stdin
t_version
t_names_escaped
usage_message repeated_interface_is_usage_error \
	'-i: only one interface per process, and "lo" was given before "eth0": run one tcpdrop-top for each' \
	-i lo -p 80 -i eth0
usage_message duration_out_of_bounds_says_the_bounds \
	'--duration: "1e10" is not a number of seconds from 0.001 to 1000000000' \
	-i lo --duration 1e10
usage_message ring_size_with_a_bad_suffix_says_which_work \
	'--ring-size: "4KB" is not a number: digits, then optionally K, M or G (powers of 1024; no B); want a power of two from 4K to 1G' \
	-i lo --ring-size 4KB
usage_message ring_size_not_a_power_of_two_says_so \
	'--ring-size: "5K" is not a power of two: want 4K, 8K, 16K ... 1G' -i lo --ring-size 5K
usage_message empty_port_item_says_empty_item \
	'-p: empty item in ",": separate ports with one comma' -i lo -p ,
usage_message missing_value_names_the_long_option_as_typed 'option --ports needs a value' \
	-i lo --ports
usage_message ambiguous_prefix_lists_the_candidates \
	'option --int is ambiguous: --interface, --interval' --int lo
usage_message ambiguous_flag_prefix_lists_the_candidates \
	'option --d is ambiguous: --dry-run, --duration' -i lo --d
usage_message except_host_bits_name_the_prefix_meant \
	'--except: 203.0.113.1/8 has host bits set: did you mean 203.0.0.0/8?' \
	-i lo --except 198.51.100.0/24,203.0.113.1/8
usage_message except_ipv4_mapped_shorter_than_96_is_refused \
	'--except: bad prefix "::ffff:203.0.113.10/64": an IPv4-mapped address (::ffff:a.b.c.d) takes a length of 96 to 128, its IPv4 length plus 96; or write the IPv4 prefix' \
	-i lo --except ::ffff:203.0.113.10/64
run_says except_of_every_source_warns_that_nothing_is_dropped \
	'tcpdrop-top: warning: --except covers every source (0.0.0.0/0 and ::/0): nothing will be dropped' \
	--except 0.0.0.0/0,::/0
run_says except_ipv4_mapped_and_duplicates_are_one_ipv4_prefix \
	'tcpdrop-top: watching lo (generic XDP), ports 4040, except 203.0.113.10/32' \
	--except ::ffff:203.0.113.10,203.0.113.10 --except 203.0.113.10/32
run_says metrics_on_ipv6_any_says_it_takes_ipv4_too \
	'tcpdrop-top: serving metrics on http://[::]:24040/metrics (IPv6 and IPv4)' \
	--metrics '[::]:24040'
run_says metrics_on_an_ipv4_mapped_address_serves_that_ipv4_address \
	'tcpdrop-top: serving metrics on http://127.0.0.1:24040/metrics' \
	--metrics '[::ffff:127.0.0.1]:24040'
t_readme_options
t_unknown_interface
t_no_interface
usage_error port_above_65535_is_usage_error 70000 -i lo -p 70000
usage_error port_not_a_number_is_usage_error abc -i lo -p abc
usage_error reversed_port_range_is_usage_error 10-5 -i lo -p 10-5
usage_error empty_port_list_is_usage_error '""|empty' -i lo -p ''
usage_error empty_port_list_entry_is_usage_error '""|empty|4040,,' -i lo -p 4040,,
usage_error unknown_option_is_usage_error bogus -i lo --bogus
usage_error unknown_mode_is_usage_error turbo -i lo -m turbo
t_bad_intervals
usage_error bad_duration_is_usage_error abc -i lo --duration abc
t_unprivileged

finish
