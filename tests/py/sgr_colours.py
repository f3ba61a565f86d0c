#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""For tests/tui.sh's NO_COLOR case: counts the SGR escape sequences in a screen captured with
`tmux capture-pane -e` that set a colour (39 and 49, the default colours, are not colours) and
those that set bold, underline or reverse. Prints "COLOURS ATTRIBUTES" and up to eight of the
distinct colour sequences, on one line.

Usage: sgr_colours.py FILE
"""
import re
import sys


def main():
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        text = f.read()
    colours, attrs = [], []
    for params in re.findall(r"\x1b\[([0-9;:]*)m", text):
        for p in re.split(r"[;:]", params):
            if p.isdigit():
                n = int(p)
                if 30 <= n <= 38 or 40 <= n <= 48 or 90 <= n <= 97 or 100 <= n <= 107:
                    colours.append(params)
                elif n in (1, 4, 7):
                    attrs.append(n)
    print("%d %d %s" % (len(colours), len(attrs), " ".join(sorted(set(colours))[:8])))


if __name__ == "__main__":
    main()
