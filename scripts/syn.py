#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Sends exactly one TCP SYN: syn.py ADDR PORT SPORT [FROM], from the address FROM if given. Exits 0 if it connected, 1 if not, 2 if
the SYN could not be sent (SPORT in use, no route), saying why on stderr.

connect() on a non-blocking socket sends the SYN at once; the socket is closed 0.3 s later,
well before Linux's first retransmission (after the initial RTO of 1 s), and closing a socket
in SYN-SENT sends nothing. So however slowly this process starts, the SYN goes out once: a
timer around a whole client, started before it, could end it before its connect().
"""
import errno
import os
import socket
import sys
import time


def not_sent(sport, addr, why):
    print("syn.py: no SYN from port %d to %s: %s" % (sport, addr, why), file=sys.stderr)
    sys.exit(2)


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    addr, port, sport = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    source = sys.argv[4] if len(sys.argv) == 5 else ""
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setblocking(False)
        try:
            s.bind((source, sport))
            err = s.connect_ex((addr, port))
        except OSError as e:
            not_sent(sport, addr, e.strerror)
        if err not in (0, errno.EINPROGRESS):
            not_sent(sport, addr, os.strerror(err))
        time.sleep(0.3)
        try:
            s.getpeername()
            connected = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0
        except OSError:
            connected = False
    sys.exit(0 if connected else 1)


if __name__ == "__main__":
    main()
