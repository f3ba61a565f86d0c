# SPDX-License-Identifier: GPL-2.0
"""What the suites' checkers (ndcheck.py, screen.py) share: a short Python CHECK from the
command line runs in the checker's namespace, where fail(why) ends it; the first failure is
printed and the status is 1, as the shell's "why" strings expect.
"""


class Failed(Exception):
    pass


def fail(why):
    raise Failed(why)


def run(namespace, code, setup=None):
    """Runs SETUP (which may fail too), then CODE in NAMESPACE; the exit status."""
    try:
        if setup:
            setup()
        exec(code, namespace)
    except Failed as e:
        print(e)
        return 1
    return 0
