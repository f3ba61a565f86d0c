#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fetch.sh KERNEL: finds a kernel to boot in a VM, fetching Debian's package when needed, and
# prints one line: RELEASE IMAGE MODDIR (tab-separated).
#
# KERNEL is an exact release (6.1.0-57-amd64) or a Debian series (6.1, 6.12): the newest
# linux-image-SERIES*-amd64 apt knows (not -cloud or -rt), or, when apt knows none, the newest
# of that series already in the cache. A release is taken from /boot + /lib/modules when it is
# installed there, else from the cache ($TDT_KERNEL_CACHE, /var/cache/tcpdrop-top/kernels),
# else its package is fetched with `apt-get download` and unpacked there with `dpkg-deb -x`.
# Nothing is installed: no maintainer scripts run, the host's /boot and boot configuration are
# never touched.
#
# Exit status: 0, or 2 when the kernel cannot be had (no such package, no network, no apt).
set -euo pipefail

CACHE=${TDT_KERNEL_CACHE:-/var/cache/tcpdrop-top/kernels}

die() {
	echo "fetch.sh: $*" >&2
	exit 2
}

[ $# -eq 1 ] || die "usage: fetch.sh KERNEL (a release such as 6.1.0-57-amd64, or a series: 6.1)"
want=$1

# found RELEASE: prints the line and succeeds when RELEASE is installed or cached.
found() {
	local r=$1 dir=$CACHE/$1
	if [ -f "/boot/vmlinuz-$r" ] && [ -f "/lib/modules/$r/modules.dep" ]; then
		printf '%s\t%s\t%s\n' "$r" "/boot/vmlinuz-$r" "/lib/modules/$r"
	elif [ -f "$dir/boot/vmlinuz-$r" ] && [ -f "$dir/lib/modules/$r/modules.dep" ]; then
		printf '%s\t%s\t%s\n' "$r" "$dir/boot/vmlinuz-$r" "$dir/lib/modules/$r"
	else
		return 1
	fi
}

# series_regex SERIES: the releases of a series: 6.1 -> 6.1.0-57-amd64, 6.12 -> 6.12.57+deb12-amd64.
series_regex() {
	echo "^${1//./\\.}[.-][0-9][^ ]*-amd64\$"
}

newest_in_apt() {
	apt-cache pkgnames linux-image- 2>/dev/null | sed -n 's/^linux-image-//p' |
		grep -E "$(series_regex "$1")" | grep -vE -- '-(cloud|rt)-amd64$' | sort -V | tail -n 1 || true
}

newest_in_cache() {
	find "$CACHE" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null |
		grep -E "$(series_regex "$1")" | sort -V | tail -n 1 || true
}

# unpack RELEASE: the package into CACHE/RELEASE, atomically, so that an interrupted fetch
# leaves nothing that looks complete.
unpack() {
	local r=$1 pkg=linux-image-$1 debs=$CACHE/debs deb tmp
	command -v apt-get >/dev/null || die "no apt-get: cannot fetch $pkg; put the kernel in $CACHE/$r/boot/vmlinuz-$r and its modules in $CACHE/$r/lib/modules/$r"
	apt-cache show "$pkg" >/dev/null 2>&1 ||
		die "apt knows no package $pkg (run apt-get update, or name an existing release)"
	mkdir -p "$debs"
	echo "fetch.sh: fetching $pkg (70-110 MB, once per release)" >&2
	# The sandbox user _apt could not write to a cache that root owns.
	(cd "$debs" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >&2) ||
		die "apt-get download $pkg failed (network? apt sources?)"
	deb=$(ls -t "$debs/${pkg}_"*.deb | head -n 1)
	tmp=$CACHE/.$r.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	dpkg-deb -x "$deb" "$tmp" || die "dpkg-deb -x $deb failed"
	# The package's postinst would run depmod; a plain unpack must, for modprobe in the guest.
	depmod -b "$tmp" "$r" || die "depmod for $r failed (kmod installed?)"
	rm -rf "${CACHE:?}/$r"
	mv "$tmp" "$CACHE/$r"
	# The .deb is not needed once unpacked.
	rm -f "$deb"
}

release=$want
if [[ $want =~ ^[0-9]+\.[0-9]+$ ]]; then
	release=$(newest_in_apt "$want")
	[ -n "$release" ] || release=$(newest_in_cache "$want")
	[ -n "$release" ] ||
		die "apt knows no linux-image-$want*-amd64 and none is cached (run apt-get update)"
fi
found "$release" && exit 0
unpack "$release"
found "$release" || die "$release unpacked into $CACHE/$release, but it has no vmlinuz or modules.dep"
