#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sends N malformed frames out of IFACE through a packet socket: Ethernet, then an IPv4 header
whose ihl says 4 (16 bytes, below the minimum of 5) from 198.51.100.2 to 198.51.100.1, then TCP
to port 4040. tcpdrop-top must pass each and count it as malformed.

Usage: malformed_frames.py IFACE DST_MAC SRC_MAC N
"""
import socket
import struct
import sys


def frame(dst, src):
    ip = struct.pack("!BBHHHBBH4s4s", 0x44, 0, 40, 1, 0, 64, 6, 0,
                     socket.inet_aton("198.51.100.2"), socket.inet_aton("198.51.100.1"))
    tcp = struct.pack("!HHIIBBHHH", 40900, 4040, 1, 0, 5 << 4, 0x02, 65535, 0, 0)
    return dst + src + struct.pack("!H", 0x0800) + ip + tcp


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    iface, dst, src, n = sys.argv[1:]
    eth = [bytes.fromhex(m.replace(":", "")) for m in (dst, src)]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for _ in range(int(n)):
        s.send(frame(*eth))


if __name__ == "__main__":
    main()
