#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sends exact Ethernet frames out of IFACE through a packet socket, and writes them, in hex,
one a line, to OUT: an 802.1Q-tagged (VLAN 100) IPv4 SYN and an 802.1Q-tagged (VLAN 101) IPv6
SYN, from 198.51.100.2 and 2001:db8:4040::2 port SPORT and SPORT + 1 to port DPORT.

Usage: raw_frames.py IFACE DST_MAC SRC_MAC SPORT DPORT OUT
"""
import socket
import struct
import sys

from tun_inject import syn


def main():
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    iface, dst, src, sport, dport, out = sys.argv[1:]
    sport, dport = int(sport), int(dport)
    eth = bytes.fromhex(dst.replace(":", "")) + bytes.fromhex(src.replace(":", ""))
    frames = [
        eth + struct.pack("!HHH", 0x8100, 100, 0x0800) + syn(4, sport, dport),
        eth + struct.pack("!HHH", 0x8100, 101, 0x86DD) + syn(6, sport + 1, dport),
    ]
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    with open(out, "w") as f:
        for frame in frames:
            s.send(frame)
            f.write(frame.hex() + "\n")


if __name__ == "__main__":
    main()
