#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The suite's own bookkeeping: tests/CLAIMS.md names only tests that exist and says of every
# claim how it is tested, and each mutant of make mutate (tests/mutate/mutants) still finds the
# one line it breaks: a stale mutant would test nothing, and make mutate is too long for every
# run. tests/py/claims_check.py does the reading.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

CASES=(
	every_test_the_claims_table_names_exists
	every_claim_names_its_test_or_why_it_has_none
	every_mutant_finds_its_one_line_and_claim
)

# claims_problem WHAT: claims_check.py WHAT's complaints, or its own failure, or nothing.
claims_problem() {
	local out
	out=$(python3 "$TDT_PY/claims_check.py" "$1" 2>&1) || { echo "claims_check.py failed: $out"; return; }
	[ -z "$out" ] || echo "$out" | head -5 | paste -sd ';'
}

check every_test_the_claims_table_names_exists "$(claims_problem tests)"
check every_claim_names_its_test_or_why_it_has_none "$(claims_problem rows)"
check every_mutant_finds_its_one_line_and_claim "$(claims_problem mutants)"
finish
