#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A DNS server for the tests, on UDP port 53 of ADDR: `silent` reads every question and never
answers (a resolver that is down or black-holed); `answer` answers every PTR question with the
name NAME. Runs until killed; prints "ready" once bound.

Usage: dns_stub.py ADDR silent | dns_stub.py ADDR answer NAME
"""
import socket
import struct
import sys


def encode(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.strip(".").split(".")) + b"\0"


def answer(query, name):
    """The reply to one question, the question copied and one PTR record after it."""
    qid, _flags, qdcount = struct.unpack("!HHH", query[:6])
    if qdcount != 1:
        return None
    end = 12
    while query[end]:
        end += 1 + query[end]
    question = query[12:end + 5]  # the name, its 0, type and class
    rdata = encode(name)
    header = struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0)
    record = struct.pack("!HHHIH", 0xC00C, 12, 1, 60, len(rdata)) + rdata
    return header + question + record


def main():
    addr, mode = sys.argv[1], sys.argv[2]
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.bind((addr, 53))
    print("ready", flush=True)
    while True:
        query, peer = sock.recvfrom(4096)
        print("question", flush=True)
        if mode == "answer":
            reply = answer(query, sys.argv[3])
            if reply:
                sock.sendto(reply, peer)


if __name__ == "__main__":
    main()
