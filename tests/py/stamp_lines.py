#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A reader of tcpdrop-top's stream that notes when each line arrived, and its check.

  stamp_lines.py OUT
      Copies stdin to OUT, each line prefixed with the wall-clock time it was read (seconds,
      microseconds) and a space.
  stamp_lines.py late OUT N MS
      Holds each drop line's arrival against the "time" it carries (when the kernel saw the
      packet): prints why not, unless there are N drop lines and half of them or more came
      within MS milliseconds.
"""
import datetime
import json
import sys
import time

import checker
from checker import fail


def stamp(path):
    with open(path, "w") as out:
        for line in sys.stdin:
            out.write("%.6f %s" % (time.time(), line))
            out.flush()


def late(path, n, ms):
    delays = []
    with open(path) as f:
        for line in f:
            arrived, _, text = line.partition(" ")
            obj = json.loads(text)
            if obj.get("type") != "drop":
                continue
            sent = datetime.datetime.strptime(obj["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
            sent = sent.replace(tzinfo=datetime.timezone.utc).timestamp()
            delays.append((float(arrived) - sent) * 1000)
    if len(delays) != n:
        fail("%d drop lines, want %d" % (len(delays), n))
    delays.sort()
    median = delays[len(delays) // 2]
    if median > ms:
        fail("drop lines reached the reader %.0f ms after their packet (the median of %d; "
             "fastest %.0f, slowest %.0f), want %d at most" % (median, n, delays[0],
                                                              delays[-1], ms))


def main():
    if len(sys.argv) == 2:
        stamp(sys.argv[1])
        return 0
    if len(sys.argv) == 5 and sys.argv[1] == "late":
        return checker.run(globals(), "late(%r, %d, %d)" % (sys.argv[2], int(sys.argv[3]),
                                                            int(sys.argv[4])))
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(checker.main(main))
