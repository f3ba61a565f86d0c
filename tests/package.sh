#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# What is shipped: make install and uninstall, the man page (lint, and every option --help
# lists), the systemd unit (verify, its hardening, its identity running the tool), contrib/'s
# alert rules and dashboard in share/tcpdrop-top, and the Debian package (built, lintian,
# installed in a fresh Debian 12 root with apt, and built again in a fresh Debian 12 root that
# has nothing but its Build-Depends).
#
# The fresh root is made once with debootstrap from the mirror this machine's apt uses and
# kept in /var/cache/tcpdrop-top/bookworm (about 2 minutes the first time); each run installs
# into a throwaway overlay on top of it, so every run starts from the same fresh system. The
# Build-Depends, as apt-get build-dep installs them there, are a layer of their own kept in
# /var/cache/tcpdrop-top/bookworm-build, made again whenever they change (about 2 minutes).
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

CASES=(
	make_install_and_uninstall_honour_prefix_and_destdir
	man_page_is_mandoc_lint_clean
	every_help_option_is_in_the_man_page_and_readme
	unit_verifies_clean
	unit_hardening_exposure_at_most_the_documented_1_8
	unit_for_a_dashed_interface_as_readme_says_runs_it_on_its_device
	unit_does_not_restart_after_a_usage_error
	unit_identity_runs_the_tool_and_serves_metrics
	deb_builds_and_lintian_reports_no_errors
	deb_installs_on_fresh_bookworm_and_runs
	deb_builds_in_a_fresh_bookworm_root_with_only_its_build_depends
	make_deps_installs_what_debian_control_and_tests_deps_ask_for
	make_deps_with_everything_there_does_nothing
	every_package_make_deps_installs_is_in_the_readme
)

CACHE=/var/cache/tcpdrop-top/bookworm
BUILD_CACHE=/var/cache/tcpdrop-top/bookworm-build
S=tdt-ps-$$ C=tdt-pc-$$ SIF=tdtps$$ CIF=tdtpc$$
MOUNTS=()

have_binary || fail_all "$TDT_BIN does not exist or is not executable (run make)"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (make install into a root, chroot, namespaces)"

pkg_cleanup() {
	local i
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		umount -l "${MOUNTS[$i]}" 2>/dev/null
	done
	MOUNTS=()
	lib_cleanup
}
trap pkg_cleanup EXIT

# in_root ARGS: runs make from the source tree quietly; its output in $TDT_TMP/make.log.
mk() {
	make -C "$TDT_ROOT" --no-print-directory "$@" >"$TDT_TMP/make.log" 2>&1
}

# --- make install / uninstall -----------------------------------------------------------------
# contrib/'s files, where make install puts them under share/tcpdrop-top.
CONTRIB_RULES=prometheus/tcpdrop-top.rules.yml
CONTRIB_DASHBOARD=grafana/tcpdrop-top.json

# contrib_problem DIR [PREFIX]: why DIR (an installed share/tcpdrop-top) does not hold contrib/'s
# alert rules and dashboard byte for byte, readable by all, or nothing (status 0).
contrib_problem() {
	local f
	for f in "$CONTRIB_RULES" "$CONTRIB_DASHBOARD"; do
		if ! cmp -s "$TDT_ROOT/contrib/$f" "$1/$f"; then
			echo "${2:-}$1/$f is not contrib/$f: $(cmp "$TDT_ROOT/contrib/$f" "$1/$f" 2>&1)"
			return 1
		elif [ "$(stat -c %a "$1/$f")" != 644 ]; then
			echo "${2:-}$1/$f is mode $(stat -c %a "$1/$f"), want 644"
			return 1
		fi
	done
}

run_install() {
	local name=make_install_and_uninstall_honour_prefix_and_destdir why= d=$TDT_TMP/dest f
	local want=(usr/local/sbin/tcpdrop-top usr/local/share/man/man8/tcpdrop-top.8
		usr/local/lib/systemd/system/tcpdrop-top@.service
		"usr/local/share/tcpdrop-top/$CONTRIB_RULES" "usr/local/share/tcpdrop-top/$CONTRIB_DASHBOARD")
	if ! mk install DESTDIR="$d"; then
		why="make install DESTDIR=$d failed: $(tail -c 300 "$TDT_TMP/make.log")"
	fi
	for f in "${want[@]}"; do
		[ -z "$why" ] && [ ! -f "$d/$f" ] && why="make install DESTDIR: no $f"
	done
	if [ -z "$why" ] && [ "$(stat -c %a "$d/${want[0]}")" != 755 ]; then
		why="the binary is mode $(stat -c %a "$d/${want[0]}"), want 755"
	elif [ -z "$why" ] && ! grep -q '^ExecStart=/usr/local/sbin/tcpdrop-top -i %I --quiet --metrics ' "$d/${want[2]}"; then
		why="unit: $(grep ExecStart "$d/${want[2]}")"
	elif [ -z "$why" ] && ! "$d/${want[0]}" -V | grep -qx 'tcpdrop-top [0-9.]*'; then
		why="the installed binary does not answer -V"
	elif [ -z "$why" ] && ! why=$(contrib_problem "$d/usr/local/share/tcpdrop-top"); then
		:
	elif [ -z "$why" ] && ! mk uninstall DESTDIR="$d"; then
		why="make uninstall failed: $(tail -c 300 "$TDT_TMP/make.log")"
	elif [ -z "$why" ] && [ -n "$(find "$d" -type f)" ]; then
		why="make uninstall left $(find "$d" -type f | tr '\n' ' ')"
	elif [ -z "$why" ] && [ -e "$d/usr/local/share/tcpdrop-top" ]; then
		why="make uninstall left the directory usr/local/share/tcpdrop-top"
	elif [ -z "$why" ] && ! mk install DESTDIR="$d" PREFIX=/opt/tdt; then
		why="make install PREFIX=/opt/tdt failed"
	elif [ -z "$why" ] && [ ! -x "$d/opt/tdt/sbin/tcpdrop-top" ]; then
		why="PREFIX=/opt/tdt: no $d/opt/tdt/sbin/tcpdrop-top"
	elif [ -z "$why" ] && ! grep -q '^ExecStart=/opt/tdt/sbin/tcpdrop-top ' "$d/opt/tdt/lib/systemd/system/tcpdrop-top@.service"; then
		why="PREFIX=/opt/tdt: the unit does not start /opt/tdt/sbin/tcpdrop-top"
	elif [ -z "$why" ]; then
		why=$(contrib_problem "$d/opt/tdt/share/tcpdrop-top" "PREFIX=/opt/tdt: ")
	fi
	check $name "$why"
}

# --- make deps: the lists it reads, and the README's table of them -------------------------------
# deps_tree DIR: the installer and the two lists it reads, in DIR, with an apt-get in DIR/bin
# that only writes down what it is asked (DIR/apt.log).
deps_tree() {
	mkdir -p "$1/scripts" "$1/debian" "$1/tests" "$1/bin"
	cp "$TDT_ROOT/scripts/install-deps.sh" "$1/scripts/"
	cp "$TDT_ROOT/debian/control" "$1/debian/"
	cp "$TDT_ROOT/tests/deps" "$1/tests/"
	printf '#!/bin/sh\necho "$*" >>"%s/apt.log"\n' "$1" >"$1/bin/apt-get"
	chmod +x "$1/bin/apt-get"
}

run_deps() {
	local name=make_deps_installs_what_debian_control_and_tests_deps_ask_for why=
	local d=$TDT_TMP/deps-missing out st=0 rel names p
	if ! perl -MDpkg::Deps -e 1 2>/dev/null; then
		skip $name "no dpkg-dev, whose parser make deps uses (make deps installs it)"
		skip make_deps_with_everything_there_does_nothing "no dpkg-dev"
		skip every_package_make_deps_installs_is_in_the_readme "no dpkg-dev"
		return
	fi
	# A package no machine has, in each list: the installer must find both, say so, and ask
	# apt-get for both.
	deps_tree "$d"
	sed -i 's/^Build-Depends: /&tdt-absent-build, /' "$d/debian/control"
	echo "tdt-absent-tests	# not a package" >>"$d/tests/deps"
	out=$(PATH=$d/bin:$PATH "$d/scripts/install-deps.sh" 2>&1) || st=$?
	if [ $st -ne 0 ]; then
		why="exit status $st: $out"
	elif [[ $out != *"missing: "*tdt-absent-build* || $out != *tdt-absent-tests* ]]; then
		why="it does not say that tdt-absent-build and tdt-absent-tests are missing: '$out'"
	elif ! grep -qs '^satisfy .*tdt-absent-build.*tdt-absent-tests' "$d/apt.log"; then
		why="apt-get was not asked for both: $(cat "$d/apt.log" 2>/dev/null)"
	fi
	check $name "$why"

	# This machine has all the tests need: nothing to say, nothing asked of apt-get.
	name=make_deps_with_everything_there_does_nothing why= st=0 d=$TDT_TMP/deps-all
	deps_tree "$d"
	out=$(PATH=$d/bin:$PATH "$d/scripts/install-deps.sh" 2>&1) || st=$?
	if [ $st -ne 0 ] || [ -n "$out" ]; then
		why="exit status $st, output '$out'"
	elif [ -s "$d/apt.log" ]; then
		why="apt-get was run: $(cat "$d/apt.log")"
	fi
	check $name "$why"

	# Every package of both lists (each alternative) in the first column of the README's table.
	name=every_package_make_deps_installs_is_in_the_readme why=
	names=$(sed -n '/^| package | what for |$/,/^$/p' "$TDT_ROOT/README.md" | cut -d'|' -f2)
	if ! rel=$("$TDT_ROOT/scripts/install-deps.sh" --list 2>&1); then
		why="install-deps.sh --list: $rel"
	elif [ "$(wc -l <<<"$rel")" -lt 30 ]; then
		why="only $(wc -l <<<"$rel") packages listed: $rel"
	elif [ -z "$names" ]; then
		why="no table \"| package | what for |\" in README.md"
	fi
	# The names alone: no versions, architectures, profiles or qualifiers; each alternative.
	for p in $(sed -e 's/([^)]*)//g; s/\[[^]]*\]//g; s/<[^>]*>//g; s/:[a-z]*//g; s/|/ /g' \
		<<<"$rel"); do
		[ -n "$why" ] && break
		grep -qE "(^|[^a-z0-9.+-])${p//+/\\+}([^a-z0-9.+-]|\$)" <<<"$names" ||
			why="$p is installed by make deps but not in README.md's table of packages"
	done
	check $name "$why"
}

# --- The man page -----------------------------------------------------------------------------
run_man() {
	local name=man_page_is_mandoc_lint_clean why= out page=$TDT_ROOT/man/tcpdrop-top.8
	if ! command -v mandoc >/dev/null; then
		skip $name "no mandoc (make deps installs it)"
	else
		out=$(mandoc -Tlint "$page" 2>&1)
		[ -n "$out" ] && why="mandoc -Tlint: $(head -c 400 <<<"$out")"
		check $name "$why"
	fi

	name=every_help_option_is_in_the_man_page_and_readme
	why=
	local opts o rendered=$TDT_TMP/man.txt
	opts=$("$TDT_BIN" --help | grep -oE '(^|[ [,])--?[a-zA-Z][a-z-]*' | sed 's/^[ [,]//' | sort -u)
	if ! command -v mandoc >/dev/null; then
		skip $name "no mandoc"
		return
	fi
	mandoc -Tascii "$page" | col -b >"$rendered"
	[ "$(wc -w <<<"$opts")" -ge 20 ] || why="only $(wc -w <<<"$opts") options found in --help: $opts"
	for o in $opts; do
		[ -n "$why" ] && break
		# In OPTIONS, at the start of an item: "-i, --interface IFACE" or "--json".
		sed -n '/^OPTIONS/,/^KEYS/p' "$rendered" | grep -qE -- "^ {7}(.*[ ,])?$o([ ,=]|$)" ||
			why="$o is in --help but not an item of the man page's OPTIONS"
	done
	# The README's synopsis (the block after "## Usage") names what --help's does.
	local syn readme_syn
	syn=$("$TDT_BIN" --help | sed -n '1,/^[^ U]/p' | grep -oE '\[--?[a-zA-Z][a-z-]*' | tr -d '[' | sort -u)
	readme_syn=$(awk '/^## Usage/ { u = 1 } u && /^```/ { if (f++) exit; next } f' \
		"$TDT_ROOT/README.md")
	for o in $syn; do
		[ -n "$why" ] && break
		grep -qF -- "[$o" <<<"$readme_syn" || why="$o is in --help's synopsis but not README's"
	done
	check $name "$why"
}

# --- The unit ---------------------------------------------------------------------------------
run_unit() {
	local name=unit_verifies_clean why= p=$TDT_TMP/prefix out unit
	unit=$p/lib/systemd/system/tcpdrop-top@.service
	# A real PREFIX, not DESTDIR: verify checks that ExecStart's binary and the man page exist.
	if ! command -v systemd-analyze >/dev/null; then
		skip $name "no systemd-analyze"
		skip unit_hardening_exposure_at_most_the_documented_1_8 "no systemd-analyze"
		return
	fi
	if ! mk install PREFIX="$p"; then
		why="make install PREFIX=$p failed"
	else
		out=$(MANPATH=$p/share/man systemd-analyze verify "$unit" 2>&1) ||
			why="systemd-analyze verify failed: $out"
		[ -z "$why" ] && [ -n "$out" ] && why="systemd-analyze verify is not silent: $out"
	fi
	check $name "$why"

	name=unit_hardening_exposure_at_most_the_documented_1_8
	why=
	out=$(systemd-analyze security --offline=true "$unit" 2>&1 | tail -1)
	if [[ ! $out =~ exposure\ level\ for\ .*:\ ([0-9]+)\.([0-9]) ]]; then
		why="no exposure level from systemd-analyze security: $out"
	elif [ "${BASH_REMATCH[1]}${BASH_REMATCH[2]}" -gt 18 ]; then
		why="exposure $out, want at most 1.8, the figure the documentation gives"
	elif ! grep -qx 'CapabilityBoundingSet=CAP_BPF CAP_NET_ADMIN CAP_PERFMON' "$unit" ||
		! grep -qx 'NoNewPrivileges=yes' "$unit" || ! grep -qx 'ProtectSystem=strict' "$unit" ||
		! grep -qx 'PrivateTmp=yes' "$unit"; then
		why="the unit lacks one of CapabilityBoundingSet, NoNewPrivileges, ProtectSystem, PrivateTmp"
	else
		echo "# unit: $out"
	fi
	check $name "$why"
}

# unit_dump UNIT: systemd's own account of UNIT, loaded from the unit just installed with its
# specifiers expanded: the manager in test mode (it loads the units and dumps the start
# transaction, runs nothing, and refuses to run as root). The host's units are on the path
# for the default dependencies (sysinit.target and the rest) only.
unit_dump() {
	local sd dir=$TDT_TMP/prefix/lib/systemd/system
	for sd in /usr/lib/systemd/systemd /lib/systemd/systemd; do
		[ -x "$sd" ] && break
	done
	chmod 711 "$TDT_TMP"
	chmod -R a+rX "$TDT_TMP/prefix"
	SYSTEMD_UNIT_PATH=$dir:/usr/lib/systemd/system:/lib/systemd/system HOME=/ \
		timeout 30 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$sd" --test --system --no-pager --unit="$1" 2>"$TDT_TMP/unit-dump.err" |
		U="-> Unit $1:" awk '/^\t-> Unit / { p = substr($0, 2) == ENVIRON["U"] } p'
}

# The instance for an interface with a dash, made by the command README and the man page give:
# systemd must run tcpdrop-top on that very name, bind it to the device unit that systemd
# names after the interface, and read the defaults file named after it.
run_unit_instance() {
	local name=unit_for_a_dashed_interface_as_readme_says_runs_it_on_its_device why= cmd words
	local unit dump iface dev bin=$TDT_TMP/prefix/sbin/tcpdrop-top
	if ! command -v systemd-analyze >/dev/null || ! command -v systemd-escape >/dev/null; then
		skip $name "no systemd-analyze, systemd-escape (make deps installs systemd)"
		skip unit_does_not_restart_after_a_usage_error "no systemd-analyze"
		return
	fi
	cmd=$(grep -o '"\$(systemd-escape [^)]*)"' "$TDT_ROOT/README.md" | head -1)
	cmd=${cmd#\"\$(}
	cmd=${cmd%)\"}
	read -ra words <<<"$cmd"
	iface=${words[-1]:-}
	if [ -z "$cmd" ]; then
		why="README gives no \"\$(systemd-escape ...)\" command for an interface"
	elif [[ $iface != *-* ]]; then
		why="README's systemd-escape example, '$cmd', is not for a name with a dash"
	elif ! sed 's/\\-/-/g' "$TDT_ROOT/man/tcpdrop-top.8" | grep -qF -- "$cmd"; then
		why="the man page does not give README's command: $cmd"
	elif ! unit=$("${words[@]}") || [ -z "$unit" ]; then
		why="'$cmd' failed"
	else
		dump=$(unit_dump "$unit")
		dev=$(systemd-escape --path --suffix=device "/sys/subsystem/net/devices/$iface")
		if [ -z "$dump" ]; then
			why="systemd --test did not load $unit:"
			why+=" $(tail -c 300 "$TDT_TMP/unit-dump.err")"
		elif ! grep -qF "Command Line: $bin -i $iface --quiet " <<<"$dump"; then
			why="$unit runs '$(grep -m1 'Command Line:' <<<"$dump")', want -i $iface"
		elif ! grep -qxF "		BindsTo: $dev (origin-file)" <<<"$dump" ||
			! grep -qxF "		After: $dev (origin-file)" <<<"$dump"; then
			why="$unit is bound to '$(grep 'BindsTo:' <<<"$dump")', want $dev, the unit"
			why+=" systemd makes for /sys/subsystem/net/devices/$iface"
		elif ! grep -qxF "		EnvironmentFile: -/etc/default/tcpdrop-top@$iface" \
			<<<"$dump"; then
			why="$unit reads '$(grep 'EnvironmentFile:' <<<"$dump" | tr -d '\t')',"
			why+=" want /etc/default/tcpdrop-top@$iface"
		fi
		# What README says of the plain name: the interface "br/lan".
		dump=$(unit_dump "tcpdrop-top@$iface.service")
		if [ -z "$why" ] && ! grep -qF "Command Line: $bin -i ${iface//-//} " <<<"$dump"
		then
			why="README says tcpdrop-top@$iface means ${iface//-//}; systemd runs"
			why+=" '$(grep -m1 'Command Line:' <<<"$dump")'"
		fi
	fi
	check $name "$why"

	# No manager runs units here, and the test mode's dump leaves this setting out: the unit as
	# written, which unit_verifies_clean had systemd parse.
	name=unit_does_not_restart_after_a_usage_error
	why=
	unit=$TDT_TMP/prefix/lib/systemd/system/tcpdrop-top@.service
	if ! grep -qx 'Restart=on-failure' "$unit" ||
		! grep -qx 'RestartPreventExitStatus=2' "$unit"; then
		why="the unit restarts after any failure, a usage error (exit 2) too, every 5 s"
	fi
	check $name "$why"
}

# The unit's identity, without systemd: a user that is not root, the unit's three ambient
# capabilities and nothing else in the bounding set, no_new_privs; the unit's own command line,
# -q --metrics 24040 by default.
run_identity() {
	local name=unit_identity_runs_the_tool_and_serves_metrics why= st out
	why=$(netns_problem)
	if [ -n "$why" ]; then
		skip $name "$why"
		return
	fi
	if ! make_pair "$S" "$C" "$SIF" "$CIF"; then
		fail $name "could not set up namespaces"
		return
	fi
	out=$TDT_TMP/unit.err
	# What the installed unit runs: its ExecStart, %I and its own Environment= defaults put in.
	local args=()
	mapfile -t args < <(python3 "$TDT_PY/unit_exec.py" \
		"$TDT_TMP/prefix/lib/systemd/system/tcpdrop-top@.service" "$SIF")
	if [ ${#args[@]} -lt 2 ]; then
		fail $name "no ExecStart read from the installed unit"
		return
	fi
	ip netns exec "$S" setpriv --reuid=61234 --regid=61234 --clear-groups --no-new-privs \
		--bounding-set=-all,+bpf,+net_admin,+perfmon --inh-caps=-all,+bpf,+net_admin,+perfmon \
		--ambient-caps=-all,+bpf,+net_admin,+perfmon \
		"$TDT_BIN" "${args[@]:1}" >/dev/null 2>"$out" </dev/null &
	TOOL=$!
	track "$TOOL"
	if [ "${args[*]:1}" != "-i $SIF --quiet --metrics 24040" ]; then
		why="the unit runs '${args[*]:1}', want '-i $SIF --quiet --metrics 24040'"
	elif ! grep -qx 'LimitMEMLOCK=infinity' \
		"$TDT_TMP/prefix/lib/systemd/system/tcpdrop-top@.service"; then
		why="the unit does not set LimitMEMLOCK=infinity, which kernels before 5.11 need"
	elif ! wait_line 10 "$TOOL" "$out" watching; then
		why="did not start: $(head -c 300 "$out")"
	else
		syn "$C" "$V4S" 4040 42000
		st=/proc/$TOOL/status
		if ! grep -qE '^CapEff:\s+0+$' "$st" || ! grep -qE '^CapPrm:\s+0+$' "$st"; then
			why="capabilities left: $(grep -E '^Cap(Eff|Prm)' "$st" | tr '\n' ' ')"
		elif ! wait_until 5 sh -c "ip netns exec $S curl -sf --max-time 2 http://127.0.0.1:24040/metrics | grep -q '^tcpdrop_top_dropped_packets_total{ifname=\"$SIF\",port=\"4040\"} 1\$'"; then
			why="/metrics does not count the SYN"
		fi
	fi
	stop_tool TERM
	[ -z "$why" ] && [ "$STOP_STATUS" != 0 ] && why="exit status $STOP_STATUS after SIGTERM"
	check $name "$why"
}

# --- The Debian package -----------------------------------------------------------------------
DEB=

run_deb() {
	local name=deb_builds_and_lintian_reports_no_errors why= b=$TDT_TMP/deb out
	if ! command -v dpkg-buildpackage >/dev/null || ! command -v lintian >/dev/null ||
		! dpkg-checkbuilddeps -d 'debhelper-compat (= 13)' /dev/null 2>/dev/null; then
		skip $name "no dpkg-buildpackage, debhelper or lintian (make deps installs them)"
		return
	fi
	# A copy of the tree: the build writes its .deb next to the source, and its debris in it.
	mkdir -p "$b/src"
	(cd "$TDT_ROOT" && git ls-files -co --exclude-standard -z | tar --null -cf - -T -) |
		tar -xf - -C "$b/src"
	rm -rf "$b/src/.output" "$b/src/tcpdrop-top"
	if ! (cd "$b/src" && dpkg-buildpackage -us -uc -b >"$b/build.log" 2>&1); then
		why="dpkg-buildpackage -us -uc -b failed: $(tail -c 400 "$b/build.log")"
	else
		DEB=$(ls "$b"/tcpdrop-top_*_*.deb 2>/dev/null | head -1)
		[ -n "$DEB" ] && dpkg-deb -c "$DEB" >"$b/contents"
		if [ -z "$DEB" ]; then
			why="no tcpdrop-top_*.deb built"
		elif ! grep -q '\./usr/sbin/tcpdrop-top$' "$b/contents"; then
			why="the .deb has no /usr/sbin/tcpdrop-top"
		elif ! grep -q '\./lib/systemd/system/tcpdrop-top@\.service$' "$b/contents"; then
			why="the .deb has no /lib/systemd/system/tcpdrop-top@.service"
		elif ! grep -q "^-rw-r--r-- .* \./usr/share/tcpdrop-top/$CONTRIB_RULES\$" "$b/contents"; then
			why="the .deb has no /usr/share/tcpdrop-top/$CONTRIB_RULES, mode 644"
		elif ! grep -q "^-rw-r--r-- .* \./usr/share/tcpdrop-top/$CONTRIB_DASHBOARD\$" "$b/contents"; then
			why="the .deb has no /usr/share/tcpdrop-top/$CONTRIB_DASHBOARD, mode 644"
		elif ! out=$(lintian --fail-on error "$b"/tcpdrop-top_*.changes 2>&1); then
			why="lintian: $(grep '^E:' <<<"$out" | head -5)"
		elif grep -q '^E:' <<<"$out"; then
			why="lintian: $(grep '^E:' <<<"$out" | head -5)"
		fi
	fi
	check $name "$why"
}

debian_mirror() {
	local m
	m=$(sed -n 's/^URIs: *\([^ ]*debian\/\?\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
	[ -z "$m" ] && m=$(sed -n 's/^deb \(http[^ ]*\) bookworm .*/\1/p' /etc/apt/sources.list 2>/dev/null | head -1)
	echo "${m:-http://deb.debian.org/debian}"
}

# make_cache: the fresh Debian 12 root, made once.
make_cache() {
	[ -x "$CACHE/usr/bin/apt-get" ] && return 0
	command -v debootstrap >/dev/null || { CACHE_WHY="no debootstrap (make deps installs it)"; return 1; }
	rm_root "$CACHE.tmp"
	if ! timeout 600 debootstrap --variant=minbase bookworm "$CACHE.tmp" "$(debian_mirror)" \
		>"$TDT_TMP/debootstrap.log" 2>&1; then
		CACHE_WHY="debootstrap bookworm from $(debian_mirror) failed: $(tail -c 300 "$TDT_TMP/debootstrap.log")"
		return 1
	fi
	mv "$CACHE.tmp" "$CACHE"
}

# root_mount DIR LAYERS: a throwaway root in DIR/merged to chroot into, an overlay of LAYERS
# (lowerdir's colon-separated list, top first) whose changes go to DIR/upper, with /proc, /dev
# and the host's resolv.conf for apt; unmounted on exit or by root_umount.
root_mount() {
	local d=$1
	mkdir -p "$d/upper" "$d/work" "$d/merged" || return 1
	mount -t overlay overlay -o "lowerdir=$2,upperdir=$d/upper,workdir=$d/work" "$d/merged" ||
		return 1
	MOUNTS+=("$d/merged")
	mount -t proc proc "$d/merged/proc" && MOUNTS+=("$d/merged/proc")
	mount --bind /dev "$d/merged/dev" && MOUNTS+=("$d/merged/dev")
	cp /etc/resolv.conf "$d/merged/etc/resolv.conf"
}

# root_umount DIR: what root_mount DIR mounted, before its upper directory is kept; what will
# not go stays for the clean-up on exit.
root_umount() {
	local i m keep=() st=0
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		m=${MOUNTS[$i]}
		if [[ $m == "$1/merged" || $m == "$1/merged/"* ]] && umount "$m"; then
			continue
		fi
		[[ $m == "$1/merged" || $m == "$1/merged/"* ]] && st=1
		keep=("$m" "${keep[@]}")
	done
	MOUNTS=("${keep[@]}")
	return $st
}

# rm_root DIR: DIR removed with whatever a killed run left mounted in it, never crossing into
# another file system: a /dev bound there is the host's.
rm_root() {
	local m
	for m in $(awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' \
		/proc/self/mountinfo | sort -r); do
		umount -l "$m"
	done
	rm -rf --one-file-system "$1"
}

# prepare_roots: the cached roots made or brought up to date by one run at a time, which holds
# the lock alone meanwhile; then shared, while this run mounts them. Why not in CACHE_WHY and
# BUILD_WHY.
CACHE_OK=false BUILD_OK=false
prepare_roots() {
	local lock
	mkdir -p "$(dirname "$CACHE")"
	exec {lock}>>"$(dirname "$CACHE")/lock"
	if ! flock -x -w 600 "$lock"; then
		CACHE_WHY="another run has held $(dirname "$CACHE")/lock for 10 minutes"
		BUILD_WHY=$CACHE_WHY
		return
	fi
	if make_cache; then
		CACHE_OK=true
		make_build_cache && BUILD_OK=true
	else
		BUILD_WHY=$CACHE_WHY
	fi
	flock -s "$lock"
}

# build_deps_key: what the build root holds: the package's build relations as dpkg reads them,
# and the fresh root they were installed on.
build_deps_key() {
	{
		perl -MDpkg::Control::Info -e '
			my $src = Dpkg::Control::Info->new($ARGV[0])->get_source;
			print "$_: $src->{$_}\n"
				for sort grep { /^Build-(Depends|Conflicts)/ } keys %$src;
		' "$TDT_ROOT/debian/control" &&
			stat -c '%i %Y' "$CACHE/var/lib/dpkg/status"
	} | sha256sum | cut -d' ' -f1
}

# make_build_cache: the layer of Build-Depends over the fresh root, made when they change:
# what apt-get build-dep installs from debian/control, recommends left out as on Debian's
# build daemons. Why not in BUILD_WHY.
make_build_cache() {
	local key b=$BUILD_CACHE.tmp out=$TDT_TMP/build-dep.log
	key=$(build_deps_key)
	[ -f "$BUILD_CACHE/key" ] && [ "$(cat "$BUILD_CACHE/key")" = "$key" ] && return 0
	rm_root "$b"
	if ! root_mount "$b" "$CACHE"; then
		BUILD_WHY="cannot mount an overlay on $CACHE"
		return 1
	fi
	mkdir -p "$b/merged/tmp/src/debian"
	cp "$TDT_ROOT/debian/control" "$b/merged/tmp/src/debian/"
	if ! DEBIAN_FRONTEND=noninteractive timeout 400 chroot "$b/merged" sh -c \
		"apt-get update -qq && apt-get build-dep -y -qq --no-install-recommends /tmp/src &&
		 apt-get clean && rm -r /tmp/src" >"$out" 2>&1; then
		BUILD_WHY="apt-get build-dep in a fresh bookworm root failed: $(tail -c 400 "$out")"
		root_umount "$b" && rm_root "$b"
		return 1
	fi
	root_umount "$b" || { BUILD_WHY="cannot unmount $b/merged"; return 1; }
	rm -rf --one-file-system "$b/work" "$b/merged"
	echo "$key" >"$b/key"
	rm_root "$BUILD_CACHE"
	mv "$b" "$BUILD_CACHE"
}

# The package from a copy of the tree, in a fresh Debian 12 with only its Build-Depends (and
# build-essential, which apt-get build-dep adds as Debian policy says) and no network: what a
# missing Build-Depends breaks, which the host, that has everything, never shows.
run_clean_build() {
	local name=deb_builds_in_a_fresh_bookworm_root_with_only_its_build_depends why=
	local r=$TDT_TMP/build out=$TDT_TMP/clean-build.log
	if ! $CACHE_OK; then
		skip $name "$CACHE_WHY"
		return
	fi
	if ! $BUILD_OK; then
		fail $name "$BUILD_WHY"
		return
	fi
	if ! root_mount "$r" "$BUILD_CACHE/upper:$CACHE"; then
		fail $name "cannot mount an overlay on $BUILD_CACHE/upper and $CACHE"
		return
	fi
	mkdir -p "$r/merged/build/src"
	(cd "$TDT_ROOT" && git ls-files -co --exclude-standard -z | tar --null -cf - -T -) |
		tar -xf - -C "$r/merged/build/src"
	rm -rf "$r/merged/build/src/.output" "$r/merged/build/src/tcpdrop-top"
	if ! timeout 300 unshare -n chroot "$r/merged" sh -c \
		'cd /build/src && dpkg-buildpackage -us -uc -b' >"$out" 2>&1; then
		# What is missing: the first error of the compiler, linker or dpkg-checkbuilddeps.
		why="dpkg-buildpackage -us -uc -b with only the Build-Depends failed: $(grep -m1 \
			-E ': (fatal )?error: |undefined reference|Unmet build dep' "$out" ||
			tail -c 300 "$out")"
	elif ! compgen -G "$r/merged/build/tcpdrop-top_*_*.deb" >/dev/null; then
		why="no tcpdrop-top_*.deb built: $(tail -c 300 "$out")"
	fi
	check $name "$why"
}

run_chroot() {
	local name=deb_installs_on_fresh_bookworm_and_runs why= r=$TDT_TMP/root out
	if [ -z "$DEB" ]; then
		fail $name "no package was built to install"
		return
	fi
	if ! $CACHE_OK; then
		skip $name "$CACHE_WHY"
		return
	fi
	if ! root_mount "$r" "$CACHE"; then
		fail $name "cannot mount an overlay on $CACHE"
		return
	fi
	cp "$DEB" "$r/merged/tmp/"
	out=$TDT_TMP/chroot.log
	if ! DEBIAN_FRONTEND=noninteractive timeout 300 chroot "$r/merged" sh -c \
		"apt-get update -qq && apt-get install -y -qq --no-install-recommends /tmp/${DEB##*/}" \
		>"$out" 2>&1; then
		why="apt-get install ./${DEB##*/} in a fresh bookworm root failed: $(tail -c 400 "$out")"
	elif ! chroot "$r/merged" dpkg-query -W -f='${Status}' tcpdrop-top | grep -q 'install ok installed'; then
		why="dpkg does not list tcpdrop-top as installed"
	elif ! out=$(chroot "$r/merged" tcpdrop-top -V 2>&1) || [[ ! $out =~ ^tcpdrop-top\ [0-9.]+$ ]]; then
		why="tcpdrop-top -V in the fresh root: '$out'"
	elif [ ! -f "$r/merged/usr/share/man/man8/tcpdrop-top.8.gz" ]; then
		why="no man page installed"
	elif [ ! -f "$r/merged/lib/systemd/system/tcpdrop-top@.service" ]; then
		why="no unit installed"
	else
		why=$(contrib_problem "$r/merged/usr/share/tcpdrop-top")
	fi
	check $name "$why"
}

t0=$SECONDS
run_deps
run_install
run_man
run_unit
run_unit_instance
run_identity
run_deb
prepare_roots
run_chroot
run_clean_build
echo "# package.sh took $((SECONDS - t0)) s"
finish
