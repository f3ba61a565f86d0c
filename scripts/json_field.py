#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Prints one field of the JSON document on stdin, for shell scripts that read `ip -j` or
`bpftool -j` output: each argument is an object key or a list index, and `*` stands for every
element of a list. A missing key or index prints nothing (and so does an empty list), so that
"not there" reads as an empty string in the shell.

Usage: json_field.py PATH...   e.g. ip -j link show dev lo | json_field.py 0 address
"""
import json
import sys


def walk(value, path):
    if not path:
        yield value
        return
    step, rest = path[0], path[1:]
    if step == "*":
        for item in value if isinstance(value, list) else []:
            yield from walk(item, rest)
    elif isinstance(value, list):
        if step.lstrip("-").isdigit() and -len(value) <= int(step) < len(value):
            yield from walk(value[int(step)], rest)
    elif isinstance(value, dict) and step in value:
        yield from walk(value[step], rest)


def main():
    try:
        doc = json.load(sys.stdin)
    except ValueError:
        return 1
    for value in walk(doc, sys.argv[1:]):
        print(value if isinstance(value, (str, int, float)) else json.dumps(value))
    return 0


if __name__ == "__main__":
    sys.exit(main())
