#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Raw HTTP against tcpdrop-top's --metrics server, for tests/metrics.sh.

  http_probe.py request HOST PORT REQUEST [SECONDS]
      Sends REQUEST (Python escapes such as \\r\\n are decoded; "@big-header" and "@big-uri"
      stand for 64 KiB requests) and prints "status CODE", "closed" (no answer, connection
      closed) or "timeout", then the headers, lower-cased, one "name: value" a line, then
      "body N" with the body's length.
  http_probe.py hold HOST PORT N SECONDS READY [SOURCE [TRICKLE]]
      Opens N connections (from SOURCE, when given) and sends nothing (or, with TRICKLE, one
      more byte of a request line on each every TRICKLE seconds, so none is ever silent for
      long). Writes "opened K" to READY once they are all tried; after SECONDS prints
      "opened K closed_by_server M".
  http_probe.py idle HOST PORT SECONDS
      Opens a connection and sends nothing; prints after how many seconds the server closed
      it, or "open" after SECONDS.
  http_probe.py slow HOST PORT SECONDS
      Starts a request and sends one more byte of its headers every 0.5 s; prints after how
      many seconds the server closed the connection, or "open" after SECONDS.
"""
import select
import socket
import sys
import time


def connect(host, port, timeout=5):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect((host, port))
    return s


def request(host, port, raw, seconds=5.0):
    if raw == "@big-header":
        raw = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + "a" * 65536 + "\r\n\r\n"
    elif raw == "@big-uri":
        raw = "GET /metrics?" + "a" * 65536 + " HTTP/1.1\r\nHost: x\r\n\r\n"
    else:
        raw = raw.encode().decode("unicode_escape")
    s = connect(host, port, seconds)
    data = b""
    try:
        try:
            s.sendall(raw.encode("latin-1"))
        except OSError:
            pass  # the server may close before it has read everything: its answer counts
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except OSError:
                break
            if not chunk:
                break
            data += chunk
        else:
            if not data:
                print("timeout")
                return
    finally:
        s.close()
    if not data:
        print("closed")
        return
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    print("status " + (parts[1] if len(parts) > 1 else "?"))
    for line in lines[1:]:
        name, _, value = line.partition(":")
        print("%s: %s" % (name.strip().lower(), value.strip()))
    print("body %d" % len(body))


def hold(host, port, n, seconds, ready, source=None, trickle=0):
    socks = []
    for _ in range(n):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        s = socket.socket(family, socket.SOCK_STREAM)
        if source:
            s.bind((source, 0))
        s.setblocking(False)
        try:
            s.connect((host, port))
        except BlockingIOError:
            pass
        except OSError:
            s.close()
            continue
        socks.append(s)
    with open(ready, "w") as f:
        f.write("opened %d\n" % len(socks))
    closed = set()
    deadline = time.monotonic() + seconds
    next_byte = time.monotonic() + trickle
    while time.monotonic() < deadline:
        open_socks = [s for s in socks if s not in closed]
        if trickle and time.monotonic() >= next_byte:
            next_byte += trickle
            for s in open_socks:
                try:
                    s.send(b"G")
                except OSError:
                    pass
        if not open_socks:
            time.sleep(0.1)
            continue
        # poll, not select: a thousand descriptors are past select's FD_SETSIZE.
        p = select.poll()
        by_fd = {}
        for s in open_socks:
            p.register(s, select.POLLIN | select.POLLHUP | select.POLLERR)
            by_fd[s.fileno()] = s
        for fd, _ in p.poll(200):
            s = by_fd[fd]
            try:
                if s.recv(4096):
                    continue
            except BlockingIOError:
                continue
            except OSError:
                pass
            closed.add(s)
    print("opened %d closed_by_server %d" % (len(socks), len(closed)))


def idle(host, port, seconds):
    s = connect(host, port)
    start = time.monotonic()
    s.settimeout(seconds)
    try:
        while s.recv(4096):
            pass
    except socket.timeout:
        print("open")
        return
    except OSError:
        pass
    print("closed after %.1f" % (time.monotonic() - start))


def slow(host, port, seconds):
    s = connect(host, port)
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
    start = time.monotonic()
    s.setblocking(False)
    while time.monotonic() - start < seconds:
        try:
            if s.recv(4096) == b"":
                break
        except BlockingIOError:
            pass
        except OSError:
            break
        try:
            s.send(b"X")
        except OSError:
            break
        time.sleep(0.5)
    else:
        print("open")
        return
    print("closed after %.1f" % (time.monotonic() - start))


def main():
    cmd, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if cmd == "request":
        request(host, port, sys.argv[4], float(sys.argv[5]) if len(sys.argv) > 5 else 5.0)
    elif cmd == "hold":
        hold(host, port, int(sys.argv[4]), float(sys.argv[5]), sys.argv[6],
             sys.argv[7] if len(sys.argv) > 7 else None,
             float(sys.argv[8]) if len(sys.argv) > 8 else 0)
    elif cmd == "idle":
        idle(host, port, float(sys.argv[4]))
    elif cmd == "slow":
        slow(host, port, float(sys.argv[4]))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
