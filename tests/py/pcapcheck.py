#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The pcap checker of tests/pcap.sh: reads a pcap file itself (not through libpcap, so the
file's bytes are checked, not a library's reading of them) and runs a short Python CHECK with
`linktype` (1 Ethernet, 101 raw IP), `snaplen`, `nano` (nanosecond stamps), `pkts` (a list of
dicts: ts in seconds, caplen, len, data), `tail` (bytes after the last whole record), `hexs(b)`,
`read(path)` (another file, as (header, pkts, tail)), `fail(why)` and the modules os, json, re.

Usage: pcapcheck.py FILE CHECK
"""
import json  # noqa: F401  # for the checks
import os  # noqa: F401
import re  # noqa: F401
import struct
import sys

import checker
from checker import fail, run

MAGIC_US = 0xA1B2C3D4
MAGIC_NS = 0xA1B23C4D


def read(path):
    with open(path, "rb") as f:
        b = f.read()
    if len(b) < 24:
        fail("%s: %d bytes, shorter than a pcap header" % (path, len(b)))
    magic = struct.unpack("<I", b[:4])[0]
    if magic not in (MAGIC_US, MAGIC_NS):
        fail("%s: magic %#x is not a little-endian pcap's" % (path, magic))
    _, major, minor, _, _, snap, link = struct.unpack("<IHHiIII", b[:24])
    hdr = dict(nano=magic == MAGIC_NS, version=(major, minor), snaplen=snap,
               linktype=link & 0xFFFF)
    pkts, off = [], 24
    while off + 16 <= len(b):
        sec, frac, caplen, length = struct.unpack("<IIII", b[off:off + 16])
        if off + 16 + caplen > len(b):
            break
        data = b[off + 16:off + 16 + caplen]
        pkts.append(dict(ts=sec + frac / (1e9 if hdr["nano"] else 1e6), caplen=caplen,
                         len=length, data=data))
        off += 16 + caplen
    return hdr, pkts, b[off:]


def hexs(b):
    return b.hex(" ")


pkts = []
tail = b""
linktype = snaplen = None
nano = False


def main():
    path, code = sys.argv[1], sys.argv[2]

    def setup():
        global linktype, snaplen, nano, tail
        hdr, got, tail = read(path)
        linktype, snaplen, nano = hdr["linktype"], hdr["snaplen"], hdr["nano"]
        pkts[:] = got

    return run(globals(), code, setup)


if __name__ == "__main__":
    sys.exit(checker.main(main))
