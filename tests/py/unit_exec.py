#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""unit_exec.py UNIT INSTANCE: the command line UNIT's ExecStart runs for INSTANCE, one word a
line, as systemd builds it: %I is the instance, ${VAR} one word and $VAR split at spaces, from
the unit's own Environment= lines (its defaults; EnvironmentFile= ones are the operator's).
"""
import re
import shlex
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    unit, instance = sys.argv[1:3]
    env, cmd = {}, None
    for line in open(unit):
        line = line.rstrip("\n")
        if line.startswith("Environment="):
            for item in shlex.split(line[len("Environment="):]):
                key, _, value = item.partition("=")
                env[key] = value
        elif line.startswith("ExecStart="):
            cmd = line[len("ExecStart="):]
    if cmd is None:
        sys.exit("%s has no ExecStart=" % unit)
    words = []
    for word in shlex.split(cmd.replace("%I", instance)):
        whole = re.fullmatch(r"\$\{(\w+)\}", word)
        split = re.fullmatch(r"\$(\w+)", word)
        if whole:
            words.append(env.get(whole.group(1), ""))
        elif split:
            words.extend(env.get(split.group(1), "").split())
        else:
            words.append(word)
    print("\n".join(words))


if __name__ == "__main__":
    main()
