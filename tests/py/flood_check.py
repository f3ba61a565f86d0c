#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The NDJSON checker of tests/flood.sh: after a SYN flood of N packets from trafgen, checks
tcpdrop-top --json's output OUT (its stats lines already extracted into STATS, so that a file
of a few hundred megabytes is not read whole): every SYN dropped, every packet the client sent
counted as passed or dropped, every drop either written as a line or counted as a lost event,
the in-kernel source table exact, counters that never go down, and drop lines, sampled at
random places, that are well formed and come from the flood (see syn_flood_cfg in
scripts/lib.sh). With RESUMED (a stats time), the stream must have gone on after it.

Prints the first failure and exits 1, or prints the figures (events lost, ...) on one line.

Usage: flood_check.py IFNAME OUT STATS N TXDELTA DROPLINES BADLINES [RESUMED]
"""
import json
import os
import random
import re
import sys

DROP_KEYS = ["type", "time", "ifname", "family", "src", "sport", "dst", "dport", "flags", "len",
             "vlan", "action"]
TIME_RE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$"
SOURCES = ["198.51.100.%d" % i for i in range(2, 12)]


class Failed(Exception):
    pass


def fail(why):
    raise Failed(why)


def check_drop(ifname, line, where):
    try:
        e = json.loads(line)
    except ValueError:
        fail("%s is not JSON: %.150s" % (where, line))
    if list(e) != DROP_KEYS:
        fail("%s has keys %s" % (where, list(e)))
    want = dict(type="drop", ifname=ifname, family=4, dst="198.51.100.1", dport=4040,
                flags="S", len=54, vlan=0, action="drop")
    for k, v in want.items():
        if e[k] != v:
            fail("%s: %s is %r, want %r: %.200s" % (where, k, e[k], v, line))
    if not re.match(TIME_RE, str(e["time"])):
        fail("%s: time %r" % (where, e["time"]))
    if e["src"] not in SOURCES or not 40000 <= e["sport"] <= 49999:
        fail("%s: not one of the flood's sources: %.200s" % (where, line))
    # The address and the port come from the same packet: see syn_flood_cfg.
    if SOURCES.index(e["src"]) != (e["sport"] - 40000) % 10:
        fail("%s: source %s with port %d: no packet of the flood had both" %
             (where, e["src"], e["sport"]))


def sample_drops(out, count):
    """The first and last drop lines and COUNT from random places, read by seeking."""
    size = os.path.getsize(out)
    got = []
    with open(out, "rb") as f:
        offsets = [0, max(0, size - 65536)] + [random.randrange(size) for _ in range(count)]
        for i, off in enumerate(offsets):
            f.seek(off)
            if off:
                f.readline()  # the rest of a line begun before the offset
            lines = f.readlines(65536) if i == 1 else [f.readline()]
            lines = [ln for ln in lines if ln.startswith(b'{"type":"drop"')]
            if i == 1:
                lines = lines[-1:]
            got += [(off, ln.decode("utf-8", "replace").rstrip("\n")) for ln in lines]
    return got


def check(ifname, out, stats_path, n, txdelta, droplines, badlines, resumed):
    with open(stats_path, encoding="utf-8") as f:
        stats = [json.loads(ln) for ln in f if ln.strip()]
    stats or fail("no stats line at all")
    with open(out, "rb") as f:
        f.seek(max(0, os.path.getsize(out) - 4096))
        last = f.read().decode("utf-8", "replace").splitlines()[-1]
    if json.loads(last) != stats[-1]:
        fail("the last line is not the final stats line: %.200s" % last)
    s = stats[-1]
    figures = ("passed %d, dropped %d, malformed %d, events_lost %d, events_throttled %d, "
               "drop lines %d" % (s["passed"], s["dropped"], s["malformed"], s["events_lost"],
                                  s["events_throttled"], droplines))
    if badlines:
        fail("%d lines are neither a drop nor a stats object" % badlines)
    if s["dropped"] != n:
        fail("final stats say dropped %d, want the %d SYNs sent (%s)" % (s["dropped"], n, figures))
    if s["passed"] + s["dropped"] != txdelta:
        fail("the client sent %d packets, final stats count passed + dropped = %d (%s)" %
             (txdelta, s["passed"] + s["dropped"], figures))
    if s["malformed"] != 0:
        fail("malformed is %d, want 0" % s["malformed"])
    accounted = droplines + s["events_lost"] + s["events_throttled"]
    if accounted != s["dropped"]:
        fail("drop lines + events_lost + events_throttled = %d + %d + %d = %d, want dropped = %d"
             % (droplines, s["events_lost"], s["events_throttled"], accounted, s["dropped"]))
    # The in-kernel source table is exact too: ten sources, n / 10 frames of 54 bytes each.
    top = sorted((t["src"], t["drops"], t["bytes"]) for t in s["top"])
    want = sorted((a, n // 10, n // 10 * 54) for a in SOURCES)
    if top != want:
        fail("top is %s, want each of %s-%s with %d drops and %d bytes" % (json.dumps(s["top"]),
             SOURCES[0], SOURCES[-1], n // 10, n // 10 * 54))
    times = [x["time"] for x in stats]
    for a, b in zip(stats, stats[1:]):
        if not a["time"] < b["time"]:
            fail("stats times do not increase: %s then %s" % (a["time"], b["time"]))
        for k in ("passed", "dropped", "events_lost", "events_throttled"):
            if b[k] < a[k]:
                fail("%s went down from %d to %d at %s" % (k, a[k], b[k], b["time"]))
    if resumed is not None:
        after = [x for x in stats if x["time"] > resumed]
        if len(after) < 3:
            fail("%d stats lines after the resume at %s (2 periodic and the final one wanted): %s"
                 % (len(after), resumed, times[-5:]))
        figures += ", stats lines after the resume %d" % len(after)
    samples = sample_drops(out, 40)
    if droplines and len(samples) < 10:
        fail("found only %d drop lines to spot-check" % len(samples))
    for off, line in samples:
        check_drop(ifname, line, "the drop line after byte %d" % off)
    return figures + ", spot-checked %d drop lines" % len(samples)


def main():
    ifname, out, stats_path = sys.argv[1:4]
    n, txdelta, droplines, badlines = (int(a) for a in sys.argv[4:8])
    resumed = sys.argv[8] if len(sys.argv) > 8 else None
    try:
        print(check(ifname, out, stats_path, n, txdelta, droplines, badlines, resumed))
    except Failed as e:
        print(e)
        return 1
    except (ValueError, KeyError, TypeError, IndexError) as e:
        print("cannot read the output: %r" % e)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
