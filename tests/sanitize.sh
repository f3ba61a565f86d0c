#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Memory safety, three ways:
#  (a) cli.sh, e2e.sh, tui.sh and flood.sh again, against the AddressSanitizer + UBSan build
#      (make asan): any report ends the program and lands in a log file, and there must be none;
#  (b) the normal build under valgrind's memcheck, with real drops on a veth pair: no errors,
#      no definite leaks, and the drop events still come out;
#  (c) each libFuzzer target (make fuzz) for a bounded time, failing on any crash, leak or UB.
# Needs what the suites need (root, namespaces) plus valgrind and clang's sanitizer and
# libFuzzer runtime (make deps installs both); without them it says SKIP outside CI and fails
# under CI=true.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

ASAN_BIN=$TDT_ROOT/.output/asan/tcpdrop-top
FUZZ_DIR=$TDT_ROOT/.output/fuzz
FUZZ_SECONDS=${TDT_FUZZ_SECONDS:-10}
SUPP=$TDT_ROOT/tests/valgrind.supp	# known false positives, each explained there
# Checks that are off by default and cost little here.
ASAN_MORE=strict_string_checks=1:check_initialization_order=1:detect_stack_use_after_return=1

# have_clang_rt NAME: clang's runtime library NAME (asan, fuzzer) is installed.
have_clang_rt() {
	[ -f "$(clang -print-file-name="libclang_rt.$1-$(uname -m).a" 2>/dev/null)" ]
}

# indent: inner output, shifted so tests/run counts none of its result lines as ours.
indent() {
	sed 's/^/    /'
}

# reports_problem DIR: the first lines of every sanitizer report written to DIR, or nothing.
reports_problem() {
	local f n
	n=$(find "$1" -type f | wc -l)
	[ "$n" -eq 0 ] && return
	echo "$n sanitizer report(s):"
	for f in "$1"/*; do
		echo "== $(basename "$f")"
		grep -E '^(==[0-9]+==|SUMMARY|.*runtime error)|^ +#[0-9]' "$f" | head -12
	done
}

# --- (a) the suites under ASan and UBSan ----------------------------------------------------
run_asan_suite() {
	local suite=$1 name dir log status why nfail nskip nok start=$SECONDS
	name=$(basename "$suite" .sh)_under_asan_ubsan_has_no_reports
	if [ ! -x "$ASAN_BIN" ]; then
		if ! have_clang_rt asan; then
			skip "$name" "no ASan runtime for clang (libclang-rt-N-dev: make deps)"
		else
			fail "$name" "$ASAN_BIN is not built (make asan, or make test-build)"
		fi
		return
	fi
	dir=$TDT_TMP/reports-$(basename "$suite" .sh)
	log=$TDT_TMP/$(basename "$suite" .sh).log
	mkdir -p "$dir"
	echo "# $suite with TDT_BIN=$ASAN_BIN"
	# Stop at the first report (as -fno-sanitize-recover=all already does for UBSan), write it
	# to a file in dir, exit with a status of its own, and look for leaks at exit. The suite's
	# own result lines, indented, are shown but not counted.
	env TDT_BIN="$ASAN_BIN" \
		ASAN_OPTIONS="log_path=$dir/asan:exitcode=86:detect_leaks=1:$ASAN_MORE" \
		UBSAN_OPTIONS="log_path=$dir/ubsan:exitcode=86:halt_on_error=1:print_stacktrace=1" \
		timeout -k 5 150 "$suite" 2>&1 | tee "$log" | indent
	status=${PIPESTATUS[0]}
	echo "    # $(basename "$suite") under ASan and UBSan: $((SECONDS - start)) s"
	nok=$(grep -c '^ok - ' "$log")
	nfail=$(grep -c '^FAIL - ' "$log")
	nskip=$(grep -c '^SKIP - ' "$log")
	why=$(reports_problem "$dir")
	if [ -n "$why" ]; then
		echo "$why" | indent
		fail "$name" "$(echo "$why" | grep -m1 -E 'ERROR|runtime error|SUMMARY')" \
			"(full reports above; $nfail inner case(s) failed)"
	elif [ "$nfail" -gt 0 ] || [ "$status" -ne 0 ]; then
		fail "$name" "no report, but the suite failed (status $status, $nfail FAIL):" \
			"$(grep -m1 '^FAIL - ' "$log")"
	elif [ "$nok" -eq 0 ] && [ "$nskip" -gt 0 ]; then
		skip "$name" "the suite skipped: $(grep -m1 '^SKIP - ' "$log")"
	elif [ "$nok" -eq 0 ]; then
		fail "$name" "the suite ran no case"
	elif [ "$nskip" -gt 0 ]; then
		fail "$name" "$nskip case(s) skipped under ASan: $(grep -m1 '^SKIP - ' "$log")"
	else
		ok "$name"
	fi
}

# --- (b) valgrind memcheck with traffic -----------------------------------------------------
VS=tdt-vs-$$ VC=tdt-vc-$$
VSIF=tdtvs$$ VCIF=tdtvc$$	# veth names: at most 15 characters
VG_CASES=(valgrind_memcheck_finds_no_errors_or_definite_leaks drops_are_reported_under_valgrind)

# How memcheck's error reports start, for the failure line.
VG_KINDS='Invalid|Conditional|Use of|Syscall|Mismatched|Source and|[0-9,]+ bytes in'

# vg_problem STATUS LOG: why valgrind's run is not clean, or nothing. The verdict is valgrind's
# own (--error-exitcode, the ERROR SUMMARY, definite leaks), not the log being empty: it also
# warns there about bpf() commands it does not model (see the note printed after the case).
vg_problem() {
	local status=$1 log=$2
	if [ "$status" = running ]; then
		echo "still running 40 s after start"
	elif [ "$status" = 99 ] || ! grep -q 'ERROR SUMMARY: 0 errors' "$log" ||
		grep -qE 'definitely lost: [1-9]' "$log"; then
		echo "valgrind (status $status): $(grep -m1 -E 'ERROR SUMMARY' "$log");" \
			"first: $(grep -m1 -A3 -E "^==[0-9]+== ($VG_KINDS)" "$log" |
				sed 's/^==[0-9]*== *//' | tr -s '\n ' ' ')"
	elif [ "$status" != 0 ]; then
		echo "tcpdrop-top exited $status under valgrind: $(head -c 300 "$VG_ERR")"
	fi
}

run_valgrind() {
	local why c sport log=$TDT_TMP/vg.log pids=()
	VG_OUT=$TDT_TMP/vg.out VG_ERR=$TDT_TMP/vg.err
	why=$(netns_problem)
	[ -z "$why" ] && ! command -v valgrind >/dev/null && why="no valgrind (make deps)"
	[ -z "$why" ] && [ ! -x "$TDT_ROOT/tcpdrop-top" ] && why="no ./tcpdrop-top (run make)"
	if [ -n "$why" ]; then
		for c in "${VG_CASES[@]}"; do
			skip "$c" "$why"
		done
		return
	fi
	if ! make_pair "$VS" "$VC" "$VSIF" "$VCIF"; then
		for c in "${VG_CASES[@]}"; do
			fail "$c" "could not set up namespaces and veth pair"
		done
		return
	fi
	: >"$VG_OUT"
	: >"$VG_ERR"
	# The normal build, as shipped; -s lists the suppressions used, for the note below.
	ip netns exec "$VS" timeout -k 5 60 valgrind --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite --show-leak-kinds=definite --track-origins=yes \
		--suppressions="$SUPP" -s --log-file="$log" \
		"$TDT_ROOT/tcpdrop-top" -i "$VSIF" --json --duration 4 \
		>"$VG_OUT" 2>"$VG_ERR" </dev/null &
	VG=$!
	track "$VG"
	if wait_line 20 "$VG" "$VG_ERR" watching; then
		# A few connection attempts to the dropped port, each from its own source port.
		for sport in 41001 41002 41003; do
			probe "$VC" "$V4S" 4040 "$sport" &
			pids+=($!)
		done
		wait "${pids[@]}"
	fi
	wait_pid "$VG" 40
	why=$(vg_problem "$WAIT_STATUS" "$log")
	[ -n "$why" ] && grep -vE '^--[0-9]+-- (used_suppression|WARNING: unhandled eBPF)' "$log" |
		indent
	check valgrind_memcheck_finds_no_errors_or_definite_leaks "$why"
	echo "    # valgrind: $(grep -m1 -oE 'ERROR SUMMARY: .*' "$log");" \
		"$(grep -m1 -oE '(definitely lost: .*|All heap blocks were freed)' "$log");" \
		"bpf() commands it does not model:" \
		"$(grep -oE 'unhandled eBPF command [0-9]+' "$log" | awk '{print $4}' | sort -nu |
			tr '\n' ' ')"

	why=$(nd_check "$VG_OUT" "
got = sorted(e['sport'] for e in drops(dport=4040, src='$V4C', action='drop'))
for p in (41001, 41002, 41003):
	p in got or fail('no drop event from sport %d; drops seen from %s; stderr: %s' %
		(p, got, open('$VG_ERR').read()[:200]))
stats() or fail('no stats line')")
	check drops_are_reported_under_valgrind "$why"
}

# --- (c) the fuzz targets -------------------------------------------------------------------
# Starting inputs (tests/py/seed_corpus.py), so that the search begins from real command lines
# and events.
seed_corpus() {
	python3 "$TDT_PY/seed_corpus.py" "$FUZZ_DIR/corpus"
}

FUZZ_TARGETS=(ports cli ndjson)

# start_fuzzer TARGET: runs it in the background for FUZZ_SECONDS, output in its own directory.
# The targets run side by side (nothing else runs by then), so the three cost the time of one.
start_fuzzer() {
	local t=$1 dir=$TDT_TMP/fuzz-$1
	mkdir -p "$dir" "$FUZZ_DIR/corpus/$t"
	[ -x "$FUZZ_DIR/fuzz_$t" ] || return
	# The corpus in .output/ grows from run to run, so each run starts where the last one got.
	timeout -k 5 $((FUZZ_SECONDS + 30)) "$FUZZ_DIR/fuzz_$t" -max_total_time="$FUZZ_SECONDS" \
		-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$dir/" -print_final_stats=1 \
		"$FUZZ_DIR/corpus/$t" >"$dir/log" 2>&1 &
	FUZZ_PID[$t]=$!
	track "${FUZZ_PID[$t]}"
}

# judge_fuzzer TARGET: waits for it; any crash, leak, UB report, timeout or OOM is a failure,
# and the input that caused it is kept in .output/fuzz/crashes/ as the reproducer.
judge_fuzzer() {
	local t=$1 name dir=$TDT_TMP/fuzz-$1 rc crash
	name=fuzz_${t}_finds_nothing_in_${FUZZ_SECONDS}s
	if [ ! -x "$FUZZ_DIR/fuzz_$t" ]; then
		if ! have_clang_rt fuzzer; then
			skip "$name" "no libFuzzer runtime for clang (libclang-rt-N-dev: make deps)"
		else
			fail "$name" "$FUZZ_DIR/fuzz_$t is not built (make fuzz or make test-build)"
		fi
		return
	fi
	wait "${FUZZ_PID[$t]}"
	rc=$?
	crash=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o \
		-name 'timeout-*' -o -name 'oom-*' \) | head -1)
	if [ -n "$crash" ] || [ "$rc" -ne 0 ]; then
		grep -E 'check failed|^==[0-9]+==|SUMMARY|runtime error|^ +#[0-9]|Test unit' \
			"$dir/log" | head -30 | indent
		if [ -n "$crash" ]; then
			mkdir -p "$FUZZ_DIR/crashes"
			cp "$crash" "$FUZZ_DIR/crashes/"
			crash=$FUZZ_DIR/crashes/$(basename "$crash")
		fi
		fail "$name" "exit status $rc;" \
			"$(grep -m1 -E 'check failed|ERROR|runtime error' "$dir/log");" \
			"reproduce: $FUZZ_DIR/fuzz_$t ${crash:-(no input saved)}"
	else
		echo "    # $(grep -E '^Done [0-9]+ runs' "$dir/log"); corpus" \
			"$(find "$FUZZ_DIR/corpus/$t" -type f | wc -l) inputs"
		ok "$name"
	fi
}

ASAN_SUITES=(tests/cli.sh tests/e2e.sh tests/tui.sh tests/flood.sh)
for suite in "${ASAN_SUITES[@]}"; do
	CASES+=("$(basename "$suite" .sh)_under_asan_ubsan_has_no_reports")
done
CASES+=("${VG_CASES[@]}")
for t in "${FUZZ_TARGETS[@]}"; do
	CASES+=("fuzz_${t}_finds_nothing_in_${FUZZ_SECONDS}s")
done

for suite in "${ASAN_SUITES[@]}"; do
	# flood.sh is newer than this suite: run it once it is there.
	[ "$suite" = tests/flood.sh ] && [ ! -x "$TDT_ROOT/$suite" ] && continue
	run_asan_suite "$TDT_ROOT/$suite"
done
run_valgrind
seed_corpus
declare -A FUZZ_PID
for t in "${FUZZ_TARGETS[@]}"; do
	start_fuzzer "$t"
done
for t in "${FUZZ_TARGETS[@]}"; do
	judge_fuzzer "$t"
done
finish
