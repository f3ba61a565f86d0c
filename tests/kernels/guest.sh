#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The tests that run inside each kernel of tests/kernels.sh (boot.sh runs this in the guest, in
# the checkout): the suites whose outcome depends on the kernel, then the same shell suites
# against the AddressSanitizer + UBSan build, as tests/sanitize.sh does on the host. Result
# lines are the suites' own (ok/FAIL/SKIP); everything else is indented.
#
# Not here, and why: test_units and the fuzz targets (no kernel involved); valgrind (minutes under
# emulation, and ASan covers the same code). The floods (flood.sh) and faults.sh's 1 GiB ring
# declare themselves: SKIP, with the host as where they run.
set -u
cd "$(dirname "$0")/../.."

ASAN_BIN=$PWD/.output/asan/tcpdrop-top
# Every kernel: the suites whose outcome is the kernel's (the verdicts and counters, loading,
# attaching and detaching, devices, least privilege, -w, faults). The oldest and the newest of a
# run (TDT_GUEST_SUITES=all, from tests/kernels.sh) also run the suites whose subject is user
# space (arguments, the live view, exits and signals, the metrics server): they reach the kernel
# through the same calls as the others, and five kernels of all of them would not fit make
# test's 30 minutes under emulation.
SUITES=(.output/tests/test_verdict .output/tests/test_differential tests/e2e.sh tests/devices.sh
	tests/pcap.sh tests/faults.sh tests/flood.sh)
[ "${TDT_GUEST_SUITES:-all}" = all ] &&
	SUITES+=(tests/cli.sh tests/tui.sh tests/exits.sh tests/metrics.sh)
# The AddressSanitizer re-runs where tests/kernels.sh asks for them (TDT_GUEST_ASAN=1: one
# kernel of the matrix), since the time under emulation is what bounds the matrix; the host runs
# them all (sanitize.sh).
ASAN_SUITES=()
[ "${TDT_GUEST_ASAN:-}" = 1 ] && ASAN_SUITES=(tests/cli.sh tests/e2e.sh)
# The cases that need a kernel feature (WireGuard, 802.1Q, bonding, nlmon or vcan) are declared
# here whatever the kernel says: Debian's kernels have them all, so a missing one fails.
export TDT_MATRIX=1
# Emulation starts everything several times slower: the suites' waits for readiness get longer
# (a wait that succeeds still returns at once; scripts/lib.sh).
[ "${TDT_VM_ACCEL:-tcg}" = kvm ] || export TDT_WAIT_SCALE=4
modprobe bonding 2>/dev/null	# a bond0 in a throwaway guest harms nothing
LOG=$(mktemp)
FAILED=0
trap 'rm -rf "$LOG" "$LOG.d" "$LOG.dmesg"' EXIT

indent() {
	sed 's/^/    /'
}

# run SUITE [ENV...]: the suite with a time limit, its result lines as they are; a suite that
# dies without a FAIL line gets one. Sets STATUS.
run() {
	local suite=$1 start=$SECONDS plan reported
	shift
	echo "== $suite $*"
	timeout -k 5 900 env "$@" "$suite" >"$LOG" 2>&1
	STATUS=$?
	grep -E '^(ok|FAIL|SKIP) - ' "$LOG"
	grep -vE '^(ok|FAIL|SKIP) - ' "$LOG" | indent
	FAILED=$((FAILED + $(grep -c '^FAIL - ' "$LOG")))
	# As tests/run does on the host: a suite that states no plan, or reports fewer cases than
	# it stated, lost some on the way.
	plan=$(grep -m1 -x 'plan [0-9]*' "$LOG" | cut -d' ' -f2)
	reported=$(grep -cE '^(ok|FAIL|SKIP) - ' "$LOG")
	if [ -z "$plan" ] || [ "$reported" -lt "$plan" ]; then
		echo "FAIL - $(basename "$suite")_reports_every_case_it_states:" \
			"stated ${plan:-no plan}, reported $reported"
		FAILED=$((FAILED + 1))
	fi
	if [ "$STATUS" -ne 0 ] && ! grep -q '^FAIL - ' "$LOG"; then
		echo "FAIL - $(basename "$suite"): exited with status $STATUS"
		FAILED=$((FAILED + 1))
	fi
	echo "    # $suite: $((SECONDS - start)) s"
}

# run_asan SUITE: the suite against the ASan build, its lines indented (they are its own cases,
# already counted above); one result line: no sanitizer report, and every case passed.
run_asan() {
	local suite=$1 name reports=$LOG.d first start=$SECONDS
	name=$(basename "$suite" .sh)_under_asan_ubsan_has_no_reports
	if [ ! -x "$ASAN_BIN" ]; then
		echo "FAIL - $name: $ASAN_BIN is not built (make test-build)"
		FAILED=$((FAILED + 1))
		return
	fi
	rm -rf "$reports"
	mkdir -p "$reports"
	echo "== $suite under ASan and UBSan"
	TDT_BIN=$ASAN_BIN ASAN_OPTIONS="log_path=$reports/asan:exitcode=86:detect_leaks=1" \
		UBSAN_OPTIONS="log_path=$reports/ubsan:exitcode=86:halt_on_error=1:print_stacktrace=1" \
		timeout -k 5 400 "$suite" >"$LOG" 2>&1
	STATUS=$?
	indent <"$LOG"
	first=$(cat "$reports"/* 2>/dev/null | grep -m1 -E 'ERROR|runtime error|SUMMARY')
	if [ -n "$first" ]; then
		cat "$reports"/* | grep -E '^(==[0-9]+==|SUMMARY|.*runtime error)|^ +#[0-9]' | head -20 |
			indent
		echo "FAIL - $name: $first"
		FAILED=$((FAILED + 1))
	elif [ "$STATUS" -ne 0 ] || grep -q '^FAIL - ' "$LOG"; then
		echo "FAIL - $name: no report, but the suite failed (status $STATUS):" \
			"$(grep -m1 '^FAIL - ' "$LOG")"
		FAILED=$((FAILED + 1))
	elif ! grep -q '^ok - ' "$LOG"; then
		echo "FAIL - $name: the suite ran no case: $(grep -m1 '^SKIP - ' "$LOG")"
		FAILED=$((FAILED + 1))
	else
		echo "ok - $name"
	fi
	echo "    # $suite under ASan and UBSan: $((SECONDS - start)) s"
}

echo "# $(uname -r) under ${TDT_VM_ACCEL:-tcg}, $(nproc) CPU(s)"
for s in "${SUITES[@]}"; do
	run "$s"
done
for s in "${ASAN_SUITES[@]}"; do
	run_asan "$s"
done

# Whatever the suites did, the kernel must not have complained: a WARN, BUG or oops that the
# suites themselves did not notice is still a bug (of the kernel, or of how it is used).
# A log that cannot be read is no clean log.
if ! dmesg >"$LOG.dmesg" 2>&1; then
	echo "FAIL - kernel_log_has_no_warning_bug_or_oops: dmesg failed:" \
		"$(head -c 200 "$LOG.dmesg")"
	FAILED=$((FAILED + 1))
elif splat=$(grep -m1 -E 'WARNING: |BUG: |Oops|Call Trace|general protection|UBSAN|KASAN' \
		"$LOG.dmesg"); then
	grep -B5 -A30 -m1 -F "$splat" "$LOG.dmesg" | indent
	echo "FAIL - kernel_log_has_no_warning_bug_or_oops: $splat"
	FAILED=$((FAILED + 1))
else
	echo "ok - kernel_log_has_no_warning_bug_or_oops"
fi
[ "$FAILED" -eq 0 ]
