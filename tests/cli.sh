#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Command-line errors, help and version: cases that need no network. As root every run happens
# in a private, unnamed network namespace (unshare -n), so a wrongly accepted command line can
# never attach anything to this machine's interfaces; it dies with the namespace.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

if ! have_binary; then
	fail binary_is_built "$TDT_BIN does not exist or is not executable (run make)"
	exit 1
fi

if [ "$(id -u)" -eq 0 ] && unshare -n -- true 2>/dev/null; then
	TDT_WRAP=(unshare -n --)
fi

# usage_error NAME WANT ARGS...: exit 2 and one stderr line matching the extended regex WANT
# (when not empty), which is how the message names the bad part.
usage_error() {
	local name=$1 want=$2 why
	shift 2
	run_tool 5 "$@"
	if [ "$RC" -ne 2 ]; then
		fail "$name" "tcpdrop-top $* exited $RC, want 2; stderr: $(head -c 200 "$ERR")"
		return
	fi
	why=$(err_line_problem "$ERR")
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

t_help
t_version
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
