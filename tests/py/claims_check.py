#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""claims_check.py tests|mutants|rows: what is wrong with tests/CLAIMS.md or
tests/mutate/mutants, one line each, or nothing.

tests:   every test a claim names exists in the suite it names (a name built from a
         variable, as sig${sig,,}_..., matches any word there);
mutants: every mutant's line is in its file exactly once, so that none has gone stale and
         tests nothing, and its claim is a row of the table;
rows:    every row of the table names at least one test or says why it is not tested.
"""
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
C_SUITES = {"test_verdict", "test_units", "test_metrics", "test_differential"}


def rows():
    for line in open(os.path.join(ROOT, "tests", "CLAIMS.md")):
        if line.startswith("| `"):
            cols = [c.strip() for c in line.strip().strip("|").split("|")]
            yield cols[0].strip("`"), cols[-1]


def suite_path(suite):
    if suite in C_SUITES:
        return os.path.join(ROOT, "tests", suite + ".c")
    return os.path.join(ROOT, "tests", suite)


def names_in(text):
    """The literal case names of a suite, and patterns for those built from variables."""
    literal = set(re.findall(r"[a-z0-9_]+", text))
    patterns = [re.compile("^" + re.sub(r"\\\$\\\{[^}]*\\\}", "[a-z0-9_]+", re.escape(m)) + "$")
                for m in re.findall(r"[a-z0-9_]*\$\{[^}]*\}[a-z0-9_]*", text)]
    return literal, patterns


def check_tests():
    for claim, tests in rows():
        for suite, name in re.findall(r"`([\w.]+)`\s+(?:\[[^]]*\]\s+)?([a-z0-9_]+)", tests):
            path = suite_path(suite)
            if suite == "kernels.sh":   # a case of a suite run again inside a kernel
                path = os.path.join(ROOT, "tests")
            if not os.path.exists(path):
                print("%s: no suite %s" % (claim, suite))
                continue
            if os.path.isdir(path):
                text = "".join(open(os.path.join(path, f)).read()
                               for f in sorted(os.listdir(path)) if f.endswith(".sh"))
            else:
                text = open(path).read()
            literal, patterns = names_in(text)
            if name not in literal and not any(p.match(name) for p in patterns):
                print("%s: %s has no case %s" % (claim, suite, name))


def check_rows():
    for claim, tests in rows():
        if not re.search(r"`[\w.]+`\s+(\[[^]]*\]\s+)?[a-z0-9_]+", tests) and \
                not tests.startswith("not tested:"):
            print("%s: names no test and does not say why it is not tested" % claim)


def check_mutants():
    claims = {c for c, _ in rows()}
    text = open(os.path.join(ROOT, "tests", "mutate", "mutants")).read()
    for block in text.split("\n\n"):
        m = {}
        for line in block.split("\n"):
            if line and not line.startswith("#"):
                key, _, value = line.partition(" ")
                m[key] = value
        if "mutant" not in m:
            continue
        if m.get("claim") not in claims:
            print("mutant %s: claim %s is not a row of tests/CLAIMS.md" % (m["mutant"],
                                                                        m.get("claim")))
        path = os.path.join(ROOT, m.get("file", ""))
        if not os.path.isfile(path):
            print("mutant %s: no file %s" % (m["mutant"], m.get("file")))
            continue
        n = sum(1 for line in open(path).read().split("\n") if m.get("from", "\0") in line)
        if n != 1:
            print("mutant %s: its line is on %d lines of %s, want 1: %s" %
                  (m["mutant"], n, m["file"], m.get("from")))


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in ("tests", "mutants", "rows"):
        sys.exit(__doc__)
    {"tests": check_tests, "mutants": check_mutants, "rows": check_rows}[sys.argv[1]]()


if __name__ == "__main__":
    main()
