#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Starting inputs for the fuzz targets (tests/sanitize.sh), so that the search begins from
real command lines and events instead of finding "-p" or an IPv4 event by chance. Writes
DIR/TARGET/seed-N for the targets ports, cli and ndjson; the layouts are those the targets
(tests/fuzz_*.c) read.

Usage: seed_corpus.py DIR
"""
import os
import struct
import sys


def event(family, saddr, daddr, sport, dport, flags, action):
    return struct.pack("<Q16s16sIIIHHHBBB3x", 1 << 60, saddr, daddr, 3, 0, 74, sport, dport,
                       0, family, flags, action)


def ndjson(e):
    counters = struct.pack("<7Q", 10, 1000, 8, 2, 148, 0, 0)
    row = bytes([4, 198, 51, 100, 2]) + bytes(12) + struct.pack("<QQ", 2, 148)
    now = struct.pack("<Q", 1795552238123456789)
    return (e + now + b"\x05veth0" + b"\x80" +          # drop; cut-buffer length
            bytes(56) + struct.pack("<Q", 0) +          # reset
            counters + struct.pack("<Q", 10**9) +       # two samples
            counters + struct.pack("<Q", 2 * 10**9) +
            b"\x01" + row + now + b"\x40" +             # one top row; cut length
            b"\x10odd\"name\\\x01\xff")                 # cut length; a string


SEEDS = {
    "ports": [b"\x7c4040", b"\x0a4040,8080,9000-9010", b"\x010-65535"],
    "cli": [b"\0".join(a.encode().split()) for a in (
        "-i veth0 -p 80,443 -m skb --dry-run --json -d 0.5 --duration 3 -v",
        "--interface=eth0 --ports=1-2 --mode=native --interval=2 --verbose",
        "--ring-size 64K --max-sources=1k -p 1,2",
        "-h", "-vV", "-d x")],
    "ndjson": [ndjson(event(4, bytes([198, 51, 100, 2]), bytes([198, 51, 100, 1]),
                            40001, 4040, 0x02, 1)),
               ndjson(event(6, bytes.fromhex("20010db8404000000000000000000002"),
                            bytes.fromhex("20010db8404000000000000000000001"), 40002, 4040,
                            0x12, 2))],
}


def main():
    for target, inputs in SEEDS.items():
        os.makedirs(os.path.join(sys.argv[1], target), exist_ok=True)
        for i, data in enumerate(inputs):
            with open(os.path.join(sys.argv[1], target, "seed-%d" % i), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
