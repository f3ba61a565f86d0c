#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Prints the path of a working bpftool. Ubuntu's /usr/sbin/bpftool is a wrapper that fails when
# no linux-tools package matches the running kernel, so fall back to any installed one.
if command -v bpftool >/dev/null 2>&1 && bpftool version >/dev/null 2>&1; then
	command -v bpftool
	exit 0
fi
for b in /usr/lib/linux-tools/*/bpftool /usr/lib/linux-tools-*/bpftool; do
	if [ -x "$b" ] && "$b" version >/dev/null 2>&1; then
		echo "$b"
		exit 0
	fi
done
echo "bpftool-not-found"
