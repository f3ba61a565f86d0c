#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# contrib/: the Prometheus alert rules pass promtool's checks and their own unit tests, which
# have every alert fire, resolve and stay quiet below its threshold; every query of the Grafana
# dashboard is PromQL that Prometheus parses. tests/metrics.sh runs both against a real
# Prometheus scraping real instances.
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/lib.sh"

RULES=$TDT_ROOT/contrib/prometheus/tcpdrop-top.rules.yml
RULES_TEST=$TDT_ROOT/contrib/prometheus/tcpdrop-top.rules.test.yml
DASHBOARD=$TDT_ROOT/contrib/grafana/tcpdrop-top.json
CHECK=$TDT_PY/contrib.py

CASES=(
	alert_rules_pass_promtool_check_rules
	alert_rules_pass_their_promtool_unit_tests
	every_alert_is_tested_firing_resolving_and_quiet
	every_dashboard_query_is_promql_prometheus_parses
)

command -v promtool >/dev/null ||
	skip_all "no promtool (make deps installs Debian's prometheus, which has it)"

# promtool_why ARGS...: what promtool says after FAILED, on one line, when it fails; or nothing.
promtool_why() {
	local out
	out=$(promtool "$@" 2>&1) && return
	out=$(tr -s ' \t\n' ' ' <<<"$out")
	echo "promtool $1 $2: ${out#*FAILED: }" | head -c 600
}

name=alert_rules_pass_promtool_check_rules
why=$(promtool_why check rules "$RULES")
# The six alerts it is documented with: one deleted fails here, whatever its tests say.
[ -z "$why" ] && ! promtool check rules "$RULES" 2>&1 | grep -qx '  SUCCESS: 6 rules found' &&
	why="promtool check rules does not find the 6 rules: $(promtool check rules "$RULES" 2>&1)"
check $name "$why"

# The test file names the rules relative to itself: beside it in contrib/prometheus.
check alert_rules_pass_their_promtool_unit_tests "$(promtool_why test rules "$RULES_TEST")"

# promtool passes a test file that never checks an alert: the steps must name each one.
check every_alert_is_tested_firing_resolving_and_quiet \
	"$(py_why python3 "$CHECK" alerts "$RULES" "$RULES_TEST")"

# Every query, the variables put in, as a recording rule: promtool parses each as Prometheus
# would, without a server.
name=every_dashboard_query_is_promql_prometheus_parses
why=
q=$TDT_TMP/queries
if ! py_why python3 "$CHECK" queries "$DASHBOARD" >"$q"; then
	why=$(head -1 "$q")
else
	{
		echo 'groups: [{name: dashboard, rules: ['
		awk -F'\t' '{ gsub(/\\/, "\\\\", $2); gsub(/"/, "\\\"", $2)
			printf "{record: \"dashboard:query_%d\", expr: \"%s\"},\n", NR, $2 }' "$q"
		echo ']}]'
	} >"$TDT_TMP/queries.rules.yml"
	why=$(promtool_why check rules "$TDT_TMP/queries.rules.yml")
	if [ -z "$why" ] && ! promtool check rules "$TDT_TMP/queries.rules.yml" 2>&1 |
		grep -qx "  SUCCESS: $(wc -l <"$q") rules found"; then
		why="promtool did not read all $(wc -l <"$q") queries"
	fi
	# Which one: promtool names the rule by its number.
	[[ $why =~ query_([0-9]+) ]] && why+=" (that is: $(sed -n "${BASH_REMATCH[1]}p" "$q"))"
fi
check $name "$why"

finish
