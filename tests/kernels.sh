#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The kernels users run: boots each of $KERNELS in QEMU with this machine's root and build
# (tests/kernels/boot.sh), runs tests/kernels/guest.sh there, relays its result lines tagged with
# the release ("ok - [6.1.0-57-amd64] ..."), and prints one line per kernel:
#
#   kernel RELEASE: N passed, N failed, N skipped
#
# KERNELS holds names of tests/kernels/kernels.list (default: all of them, 5.10 to 7.2, each the
# release verified there), NAME@latest, exact releases, or "latest" for every name's newest.
# Debian's packages are fetched once into /var/cache/tcpdrop-top/kernels and never installed.
# The guests boot side by side, as many at a time as the machine has CPUs (TDT_KERNEL_JOBS).
# Without QEMU or the kernel packages the cases say SKIP, and fail under CI=true; a kernel that
# does not boot or does not finish always fails. Run directories (console, output) of failed
# kernels are kept.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

KDIR=$TDT_ROOT/tests/kernels
NAMES=$(awk '!/^#/ && NF { printf "%s ", $1 }' "$KDIR/kernels.list")
read -r -a WANT <<<"${*:-${KERNELS:-$NAMES}}"
[ "${WANT[*]}" = latest ] && read -r -a WANT <<<"${NAMES// /@latest }"
LIMIT=${TDT_KERNEL_TIMEOUT:-1500}	# seconds a kernel may take, boot to power-off
JOBS=${TDT_KERNEL_JOBS:-$(nproc)}
LINES=()	# the kernel lines, printed together at the end
BOOTS=()

kernels_cleanup() {
	local pid
	# Each boot runs in a subshell of the pool; boot.sh kills its own QEMU when it is stopped.
	for pid in "${BOOTS[@]}"; do
		pkill -P "$pid" 2>/dev/null
		kill "$pid" 2>/dev/null
	done
	lib_cleanup
}
trap kernels_cleanup EXIT

# the_kernel_line RELEASE PASSED FAILED SKIPPED: the line test-kernels promises, exactly.
the_kernel_line() {
	echo "kernel $1: $2 passed, $3 failed, $4 skipped"
}

# The matrix states its plan last: how many cases a guest runs is each of its suites' to state,
# and guest.sh fails a suite that reports fewer than it stated. RELAYED counts the guests' lines.
RELAYED=0
say_plan() {
	echo "plan $((RELAYED + $(cat "$TDT_TMP/reported" 2>/dev/null | wc -l)))"
}

# cannot KERNEL WHY: the kernel cannot be tried here; SKIP, or FAIL under CI.
cannot() {
	skip "[$1] suites_run_in_kernel_$1" "$2"
	if in_ci; then
		LINES+=("$(the_kernel_line "$1" 0 1 0)")
	else
		LINES+=("$(the_kernel_line "$1" 0 0 1)")
	fi
}

# What the whole matrix lacks, or nothing.
missing_tools() {
	[ "$(id -u)" -eq 0 ] || { echo "needs root (sudo make test-kernels)"; return; }
	command -v qemu-system-x86_64 >/dev/null ||
		{ echo "no qemu-system-x86_64 (make deps installs qemu-system-x86)"; return; }
	local bb
	bb=$(command -v busybox) && ! ldd "$bb" >/dev/null 2>&1 ||
		{ echo "no static busybox (make deps installs busybox-static)"; return; }
	command -v cpio >/dev/null || { echo "no cpio (make deps)"; return; }
	command -v depmod >/dev/null || { echo "no depmod (make deps installs kmod)"; return; }
	[ -x "$TDT_BIN" ] || echo "$TDT_BIN is not built (make test-build)"
}

why=$(missing_tools)
if [ -n "$why" ]; then
	for k in "${WANT[@]}"; do
		cannot "$k" "$why"
	done
	printf '%s\n' "${LINES[@]}"
	say_plan
	finish
	exit
fi

# Every kernel fetched first (once per release, into the cache), so the boots below never wait
# on the network, and a kernel that cannot be had is told before any boots.
RELEASES=()
for k in "${WANT[@]}"; do
	start=$SECONDS
	if line=$("$KDIR/fetch.sh" "$k" 2>"$TDT_TMP/fetch.err"); then
		RELEASES+=("$(cut -f1 <<<"$line")")
		! grep -q '^fetch.sh: fetching' "$TDT_TMP/fetch.err" ||
			echo "# fetched ${RELEASES[-1]} in $((SECONDS - start)) s, once: it is cached now"
	else
		cannot "$k" "cannot have the kernel: $(tail -n 1 "$TDT_TMP/fetch.err")"
	fi
done
if [ ${#RELEASES[@]} -eq 0 ]; then
	printf '%s\n' "${LINES[@]}"
	say_plan
	finish
	exit
fi

# Plain run directory names: they travel on the guest's kernel command line.
RUNS=$(mktemp -d /tmp/tdt-kernels.XXXXXX)
KEEP=0

# report RELEASE STATUS: the guest's result lines tagged with the release, its other lines
# indented, and the kernel's line for the end. STATUS is boot.sh's. Counted from output.log,
# what the guest's command wrote, not from the console.
report() {
	local r=$1 status=$2 run=$RUNS/$1 p f s secs
	secs=$(cat "$run/seconds" 2>/dev/null || echo "?")
	echo "== kernel $r: $(grep -m1 -o 'under [a-z]*' "$run.boot"), $secs s"
	touch "$run/output.log"
	sed -E "s/^(ok|FAIL|SKIP) - /\\1 - [$r] /; t; s/^/    /" "$run/output.log"
	p=$(grep -c '^ok - ' "$run/output.log")
	f=$(grep -c '^FAIL - ' "$run/output.log")
	s=$(grep -c '^SKIP - ' "$run/output.log")
	RELAYED=$((RELAYED + p + f + s))
	TDT_FAILED=$((TDT_FAILED + f))
	if [ "$status" = 124 ] || [ "$status" = 125 ] || [ "$p" -eq 0 ]; then
		sed 's/^/    /' "$run.boot"
		fail "[$r] boots_and_runs_the_suites" "boot.sh exited $status after $secs s;" \
			"console: $run/console.log"
		f=$((f + 1))
	fi
	LINES+=("$(the_kernel_line "$r" "$p" "$f" "$s")")
	[ "$f" -eq 0 ] || KEEP=1
}

# What each guest runs (guest.sh): the oldest and the newest kernel all the suites, the others
# those whose outcome is the kernel's (TDT_KERNEL_ALL=1: all suites everywhere); the
# AddressSanitizer re-runs on one kernel, the first between the two ends (else the newest), so
# that the work spreads over both CPUs.
declare -A SUITES_OF ASAN_OF
mapfile -t BY_VERSION < <(printf '%s\n' "${RELEASES[@]}" | sort -V)
for r in "${RELEASES[@]}"; do
	SUITES_OF[$r]=kernel
	[ "${TDT_KERNEL_ALL:-}" = 1 ] && SUITES_OF[$r]=all
done
SUITES_OF[${BY_VERSION[0]}]=all
SUITES_OF[${BY_VERSION[-1]}]=all
ASAN_OF[${BY_VERSION[-1]}]=1
[ ${#BY_VERSION[@]} -gt 2 ] && ASAN_OF=([${BY_VERSION[1]}]=1)
# make mutate builds no ASan binaries: TDT_KERNEL_ASAN=0 leaves the re-runs out.
[ "${TDT_KERNEL_ASAN:-1}" = 0 ] && ASAN_OF=()
# Side by side: each guest gets one CPU under emulation (boot.sh says why), JOBS at a time, the
# ones with all the suites first, so that the matrix takes about the sum of its kernels' times
# over the CPUs. Each status goes to a file, since the pool reaps the boots as they end.
mapfile -t ORDER < <(for r in "${RELEASES[@]}"; do
	[ "${SUITES_OF[$r]}" = all ] && echo "$r"
done; for r in "${RELEASES[@]}"; do
	[ "${SUITES_OF[$r]}" = all ] || echo "$r"
done)
echo "# booting ${ORDER[*]}, $JOBS at a time; results when each has finished (minutes under emulation)"
for r in "${ORDER[@]}"; do
	echo "# $r: ${SUITES_OF[$r]} suites${ASAN_OF[$r]:+, and the AddressSanitizer re-runs}"
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
		wait -n
	done
	(
		"$KDIR/boot.sh" -q ${TDT_KERNEL_CPUS:+-s "$TDT_KERNEL_CPUS"} -t "$LIMIT" -o "$RUNS/$r" \
			-e "CI=${CI:-}" -e "TDT_GUEST_SUITES=${SUITES_OF[$r]}" \
			-e "TDT_GUEST_ASAN=${ASAN_OF[$r]:-}" "$r" tests/kernels/guest.sh \
			>"$RUNS/$r.boot" 2>&1
		echo $? >"$RUNS/$r.status"
	) &
	BOOTS+=($!)
done
wait
for r in "${RELEASES[@]}"; do
	report "$r" "$(cat "$RUNS/$r.status" 2>/dev/null || echo 125)"
done
BOOTS=()
if [ "$KEEP" = 1 ]; then
	echo "# run directories (console.log, output.log) kept in $RUNS"
else
	rm -rf "$RUNS"
fi
printf '%s\n' "${LINES[@]}"
say_plan
finish
