#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The screen checker of the TUI suites (tests/tui.sh, tests/flood.sh): runs a short Python
CHECK against a screen captured with `tmux capture-pane -p` into FILE. CHECK sees `rows` (the
screen's lines), `fail(why)` and helpers that find the parts of tcpdrop-top's screen: title(),
keybar(), counter(name), uptime(), sources_heading(), log_heading(), source_rows(), log_rows(),
show(). The first failure is printed and the status is 1; a passing check prints nothing (unless
it prints itself).

Usage: screen.py FILE CHECK
"""
import re
import sys

import checker
from checker import fail, run


rows = []


def show(lines=None):
    """The non-blank rows on one line, for a failure message."""
    lines = rows if lines is None else lines
    return " | ".join(r.rstrip() for r in lines if r.strip())[:900]


def counter_or_none(name):
    """The total of counter NAME on the counters rows (2-3), or None."""
    for r in rows[1:3]:
        m = re.search(r"(?<![A-Za-z])" + name + r"\s+([\d,]+)\s+\S+/s", r)
        if m:
            return int(m.group(1).replace(",", ""))
    return None


def counter(name):
    n = counter_or_none(name)
    if n is None:
        fail("no %r counter on rows 2-3: %s" % (name, show(rows[1:3])))
    return n


def uptime():
    """The title's "up H:MM:SS" in seconds, or None."""
    m = re.search(r"\bup (\d+):(\d\d):(\d\d)\b", rows[0]) if rows else None
    return m and int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3))


def index(pattern):
    for i, r in enumerate(rows):
        if re.search(pattern, r):
            return i
    fail("no row matches %r: %s" % (pattern, show()))


def sources_heading():
    return index(r"^ TOP (SOURCES|NETWORKS|AS|COUNTRIES)\b")


def log_heading():
    return index(r"^ (LIVE )?DROPS ")


def source_rows():
    return [r for r in rows[sources_heading() + 1:log_heading()]
            if r.strip() and "no drops yet" not in r]


def log_rows():
    return [r for r in rows[log_heading() + 1:len(rows) - 1] if r.strip()]


def title():
    return rows[0].rstrip() if rows else ""


def keybar():
    return rows[-1].rstrip() if rows else ""


def main():
    path, code = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8", errors="replace") as f:
        rows[:] = f.read().split("\n")
    if rows and rows[-1] == "":
        rows.pop()  # capture-pane ends its last row with a newline
    return run(globals(), code)


if __name__ == "__main__":
    sys.exit(checker.main(main))
