# SPDX-License-Identifier: GPL-2.0
"""What the suites' checkers (ndcheck.py, screen.py, pcapcheck.py) share: a short Python CHECK
from the command line runs in the checker's namespace, where fail(why) ends it; the first failure
is printed and the status is 1, as the shell's "why" strings expect.

A check that crashes, or input that cannot be read, is a failure too, with its reason on stdout:
the suites read only stdout, and an empty "why" there would read as a pass.
"""
import sys
import traceback


class Failed(Exception):
    pass


def fail(why):
    raise Failed(why)


def crashed(e):
    """One line for the shell: what was raised and where, innermost frame last."""
    where = traceback.extract_tb(e.__traceback__)
    at = " at %s:%d" % (where[-1].filename, where[-1].lineno) if where else ""
    return "the check crashed: %s: %s%s" % (type(e).__name__, e, at)


def run(namespace, code, setup=None):
    """Runs SETUP (which may fail too), then CODE in NAMESPACE; the exit status."""
    try:
        if setup:
            setup()
        exec(code, namespace)
    except Failed as e:
        print(e if str(e) else "failed (no reason given)")
        return 1
    except Exception as e:  # noqa: BLE001  # any crash is the check's failure
        print(crashed(e))
        return 1
    return 0


def main(body):
    """The entry of a checker script: BODY's status, and any crash a failure that says why."""
    try:
        status = body()
    except Exception as e:  # noqa: BLE001
        print(crashed(e))
        status = 1
    sys.stdout.flush()
    return status
