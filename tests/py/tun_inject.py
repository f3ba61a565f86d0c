#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes TCP SYNs into a tun device, as if they had arrived on it: frames that start at the IP
header, as on every device without a link-layer header.

Usage: tun_inject.py IFACE FAMILY DPORT COUNT FIRST_SPORT

FAMILY is 4 (198.51.100.2 to 198.51.100.1) or 6 (2001:db8:4040::2 to 2001:db8:4040::1). The
device must exist (ip tuntap add IFACE mode tun) and be up.
"""
import fcntl
import ipaddress
import os
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def syn(family, sport, dport):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, 0x02, 65535, 0, 0)
    if family == 4:
        src = ipaddress.IPv4Address("198.51.100.2").packed
        dst = ipaddress.IPv4Address("198.51.100.1").packed
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
        return ip + tcp
    src = ipaddress.IPv6Address("2001:db8:4040::2").packed
    dst = ipaddress.IPv6Address("2001:db8:4040::1").packed
    pseudo = src + dst + struct.pack("!IxxxB", len(tcp), 6)
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    return struct.pack("!IHBB16s16s", 6 << 28, len(tcp), 6, 64, src, dst) + tcp


def main():
    if len(sys.argv) != 6:
        sys.exit(__doc__)
    name, family, dport, count, sport = sys.argv[1], *map(int, sys.argv[2:])
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    for i in range(count):
        os.write(fd, syn(family, sport + i, dport))
    os.close(fd)


if __name__ == "__main__":
    main()
