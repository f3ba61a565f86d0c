#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The NDJSON checker of the shell suites (nd_check in tests/lib.sh): runs a short Python CHECK
against tcpdrop-top's --json output in FILE. CHECK sees `objs` (the parsed objects), `lines`
(the raw lines), `drops(**fields)` and `stats()` (the objects of that type, drops filtered by
equal fields), `fail(why)`, and the modules json and re. The first failure is printed and the
status is 1; a passing check prints nothing (unless it prints itself).

Usage: ndcheck.py FILE CHECK
"""
import json
import re  # noqa: F401  # for the checks
import sys

import checker
from checker import fail, run


def drops(**want):
    return [o for o in objs if o.get("type") == "drop" and
            all(o.get(k) == v for k, v in want.items())]


def stats():
    return [o for o in objs if o.get("type") == "stats"]


lines = []
objs = []


def parse():
    for n, line in enumerate(lines, 1):
        try:
            objs.append(json.loads(line))
        except ValueError:
            # A half-written last line is only a flush in progress.
            if n < len(lines):
                fail("line %d is not JSON: %.120s" % (n, line))


def main():
    path, code = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8", errors="replace") as f:
        lines[:] = f.read().splitlines()
    return run(globals(), code, parse)


if __name__ == "__main__":
    sys.exit(checker.main(main))
