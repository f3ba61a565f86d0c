#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""contrib.py: what tests/contrib.sh and tests/metrics.sh read in contrib/: the alert rules, their
promtool tests and the Grafana dashboard. Each command prints why it fails, one line, with
status 1, or nothing. Only the standard library: the YAML is read line by line, in the layout
the files keep (a step that cannot be read so is a failure, never a pass).

  alerts RULES TESTS      every alert of RULES fires in TESTS (exp_alerts not empty), resolves
                          in the same test (a later eval_time, exp_alerts empty) and is quiet
                          in a test of its own (checked, never expected to fire)
  queries DASHBOARD       prints "TITLE<TAB>QUERY" for every panel's targets[].expr and every
                          query variable, the variables put in as a test gives them values
  prom DASHBOARD URL      every query and every metric it names returns data from the
                          Prometheus at URL (its /api/v1/query)
  rules RULES URL         the Prometheus at URL has loaded every alert of RULES, each healthy
  quiet URL               the Prometheus at URL has no alert pending or firing
  firing URL ALERT LABEL=VALUE...
                          the Prometheus at URL has ALERT pending or firing with those labels,
                          and no other alert
"""
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

from checker import crashed


class Failed(Exception):
    pass


def alert_names(rules):
    names = re.findall(r"^\s*- alert:\s*(\S+)", open(rules).read(), re.M)
    if not names:
        raise Failed("%s defines no alert" % rules)
    return names


def seconds(duration):
    parts = re.findall(r"(\d+)(ms|s|m|h|d|w|y)", duration)
    if not parts or "".join(n + u for n, u in parts) != duration:
        raise Failed("cannot read the duration '%s'" % duration)
    unit = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
    return sum(int(n) * unit[u] for n, u in parts)


def value(line):
    """A key's value, without a trailing comment."""
    return re.sub(r"\s+#.*$", "", line.split(":", 1)[1]).strip()


def steps(tests):
    """The alert_rule_test steps: (test name, eval seconds, alert, expected to fire)."""
    out, test, step, expect_list = [], None, None, False
    lines = open(tests).read().split("\n")
    for line in lines:
        body = line.strip()
        if not body or body.startswith("#"):
            continue
        if expect_list:
            # exp_alerts: with a list under it fires; with nothing under it, it does not.
            step[3] = body.startswith("- ")
            expect_list = False
        if body.startswith("- name:"):
            test = value(body)
        elif body.startswith("- eval_time:"):
            if test is None:
                raise Failed("%s: an eval_time before any test's name" % tests)
            step = [test, seconds(value(body)), None, False]
            out.append(step)
        elif body.startswith("alertname:"):
            if step is None or step[2] is not None:
                raise Failed("%s: alertname %s is not the first of its step" % (tests, value(body)))
            step[2] = value(body)
        elif body.startswith("exp_alerts:"):
            rest = value(body)
            if rest == "[]":
                step[3] = False
            elif rest == "":
                expect_list = True
            else:
                raise Failed("%s: cannot read 'exp_alerts: %s'" % (tests, rest))
    named = sum(1 for line in lines if line.strip().startswith("alertname:"))
    if named != len(out) or any(s[2] is None for s in out):
        raise Failed("%s: %d alertname lines, %d steps read" % (tests, named, len(out)))
    return out


def check_alerts(rules, tests):
    all_steps = steps(tests)
    for alert in alert_names(rules):
        mine = [s for s in all_steps if s[2] == alert]
        fires = [s for s in mine if s[3]]
        if not fires:
            raise Failed("%s is never expected to fire in %s" % (alert, tests))
        if not any(r[0] == f[0] and r[1] > f[1] and not r[3] for f in fires for r in mine):
            raise Failed("%s is never expected to resolve: no later step of a test where it"
                         " fires has exp_alerts empty" % alert)
        quiet = {s[0] for s in mine if s[1] > 0} - {s[0] for s in fires}
        if not quiet:
            raise Failed("%s has no test where it is checked and stays quiet" % alert)


def dashboard(path):
    try:
        dash = json.load(open(path))
    except ValueError as e:
        raise Failed("%s is not JSON: %s" % (path, e))
    return dash


def panels(items):
    for p in items:
        yield p
        yield from panels(p.get("panels", []))


def variables(dash):
    """What a test puts in for each variable: every value of a query variable (the regex its
    "All" is), a textbox's or constant's own value, a window of a minute for the intervals."""
    vals = {"__rate_interval": "1m", "__interval": "1m", "__range": "1m"}
    for v in dash.get("templating", {}).get("list", []):
        if v["type"] == "query":
            vals[v["name"]] = v.get("allValue") or ".*"
        elif v["type"] in ("textbox", "constant", "custom"):
            vals[v["name"]] = str(v.get("query", "")).split(",")[0].strip()
    return vals


def put_in(expr, vals, where):
    def one(m):
        name = m.group(1) or m.group(2)
        if name not in vals:
            raise Failed("%s: no value for the variable $%s in %s" % (where, name, expr))
        return vals[name]
    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)", one, expr)


def queries(path):
    """(title, query) for every panel target and every query variable, variables put in."""
    dash = dashboard(path)
    vals = variables(dash)
    out = []
    for p in panels(dash.get("panels", [])):
        if p.get("type") == "row":
            continue
        title = "panel %s '%s'" % (p.get("id"), p.get("title"))
        targets = p.get("targets") or []
        if not targets:
            raise Failed("%s has no targets" % title)
        for t in targets:
            if "${DS_PROMETHEUS}" not in json.dumps(t.get("datasource", p.get("datasource"))):
                raise Failed("%s target %s does not use ${DS_PROMETHEUS}" % (title, t.get("refId")))
            if not t.get("expr"):
                raise Failed("%s target %s has no expr" % (title, t.get("refId")))
            out.append((title, put_in(t["expr"], vals, title)))
    for v in dash.get("templating", {}).get("list", []):
        if v["type"] != "query":
            continue
        q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
        m = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", q.strip())
        if not m:
            raise Failed("variable %s: cannot read its query %s" % (v["name"], q))
        title = "variable %s" % v["name"]
        out.append((title, put_in("count by (%s) (%s)" % (m.group(2), m.group(1)), vals, title)))
    if len(out) < 10:
        raise Failed("only %d queries in %s" % (len(out), path))
    return out


def query(url, q, title):
    data = urllib.parse.urlencode({"query": q}).encode()
    try:
        with urllib.request.urlopen(url + "/api/v1/query", data, timeout=5) as r:
            answer = json.load(r)
    except urllib.error.HTTPError as e:
        raise Failed("%s: Prometheus refused %s: %s" % (title, q, e.read()[:200].decode()))
    return answer["data"]["result"]


def check_prom(path, url):
    for title, q in queries(path):
        # A name followed by a selector's brace is a metric: each must exist on its own, or an
        # "or vector(0)" would hide a misspelt one.
        for metric in sorted(set(re.findall(r"([a-zA-Z_:][\w:]*)\{", q))):
            if not query(url, "count(%s)" % metric, title):
                raise Failed("%s: no series %s, in its query %s" % (title, metric, q))
        if not query(url, q, title):
            raise Failed("%s: no data for %s" % (title, q))


def api(url, what):
    with urllib.request.urlopen(url + what, timeout=5) as r:
        return json.load(r)["data"]


def check_rules(rules, url):
    loaded = {r["name"]: r for g in api(url, "/api/v1/rules")["groups"] for r in g["rules"]}
    for alert in alert_names(rules):
        r = loaded.get(alert)
        if r is None:
            raise Failed("Prometheus has not loaded %s; it has %s" % (alert, sorted(loaded)))
        if r["health"] != "ok" or r.get("lastError"):
            raise Failed("%s is %s: %s" % (alert, r["health"], r.get("lastError")))
    if len(loaded) != len(alert_names(rules)):
        raise Failed("Prometheus has %s, the file %s" % (sorted(loaded), alert_names(rules)))


def check_quiet(url):
    alerts = api(url, "/api/v1/alerts")["alerts"]
    if alerts:
        raise Failed("alerts pending or firing: %s" % [(a["labels"], a["state"]) for a in alerts])


def check_firing(url, alert, labels):
    want = dict(kv.split("=", 1) for kv in labels)
    alerts = api(url, "/api/v1/alerts")["alerts"]
    mine = [a for a in alerts if a["labels"].get("alertname") == alert and
            all(a["labels"].get(k) == v for k, v in want.items())]
    if not mine:
        raise Failed("no %s with %s among %s" % (alert, want, [a["labels"] for a in alerts]))
    if len(alerts) != len(mine):
        raise Failed("other alerts too: %s" % [a["labels"] for a in alerts if a not in mine])


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "alerts":
        check_alerts(*args)
    elif cmd == "queries":
        for title, q in queries(*args):
            print("%s\t%s" % (title, q))
    elif cmd == "prom":
        check_prom(*args)
    elif cmd == "rules":
        check_rules(*args)
    elif cmd == "quiet":
        check_quiet(*args)
    elif cmd == "firing":
        check_firing(args[0], args[1], args[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    try:
        main()
    except Failed as e:
        print(e)
        sys.exit(1)
    except Exception as e:  # noqa: BLE001  # any crash is the check's failure
        print(crashed(e))
        sys.exit(1)
