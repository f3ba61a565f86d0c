#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fetch.sh KERNEL: finds a kernel to boot in a VM, fetching Debian's package when needed, and
# prints one line: RELEASE IMAGE MODDIR (tab-separated).
#
# KERNEL is a name of the matrix (tests/kernels/kernels.list: 5.10, 6.1, 6.12, 6.12-deb13, 7.2),
# which stands for the release verified there; NAME@latest, the newest release of that name's
# series in its Debian suite; or an exact release (6.1.0-57-amd64). A release is taken from
# /boot + /lib/modules when it is installed there, else from the cache ($TDT_KERNEL_CACHE,
# /var/cache/tcpdrop-top/kernels), else its packages are fetched with `apt-get download` and
# unpacked there with `dpkg-deb -x`.
#
# Each suite is reached through an apt state of its own under CACHE/apt (its own sources list,
# lists and cache): the host's apt sources are neither read nor changed. Nothing is installed:
# no maintainer scripts run, the host's /boot and boot configuration are never touched.
#
# Exit status: 0, or 2 when the kernel cannot be had (no such package, no network, no apt).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${TDT_KERNEL_CACHE:-/var/cache/tcpdrop-top/kernels}
LIST=$HERE/kernels.list
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

die() {
	echo "fetch.sh: $*" >&2
	exit 2
}

[ $# -eq 1 ] || die "usage: fetch.sh KERNEL (a name of $LIST, NAME@latest, or a release)"
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

# entry NAME: the matrix's line for NAME (name release archive suite series), or nothing.
entry() {
	awk -v n="$1" '!/^#/ && $1 == n { print; exit }' "$LIST"
}

# apt_in SUITE ARCHIVE APT-ARGS...: apt-get or apt-cache (the first of APT-ARGS) in SUITE's own
# state. The sandbox user _apt could not write to a cache that root owns.
apt_in() {
	local suite=$1 archive=$2 dir=$CACHE/apt/$1
	shift 2
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	echo "deb [signed-by=$KEYRING] $archive $suite main" >"$dir/sources.list"
	"$@" -o Dir::Etc::SourceList="$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache" \
		-o APT::Sandbox::User=root
}

# update SUITE ARCHIVE: its package lists, fetched (small for the -security suites).
update() {
	[ -f "$KEYRING" ] || die "no $KEYRING: apt-get install debian-archive-keyring (or make deps)"
	echo "fetch.sh: reading the package lists of $1" >&2
	apt_in "$1" "$2" apt-get -q update >&2 || die "apt-get update of $1 failed (network?)"
}

# knows SUITE ARCHIVE PACKAGE: the suite's lists, as they are, have PACKAGE.
knows() {
	apt_in "$1" "$2" apt-cache show "$3" >/dev/null 2>&1
}

# newest SUITE ARCHIVE SERIES: the newest release of the series (a regex) the lists know.
newest() {
	apt_in "$1" "$2" apt-cache pkgnames linux-image- 2>/dev/null | sed -n 's/^linux-image-//p' |
		grep -E "$3" | sort -V | tail -n 1 || true
}

# unpack RELEASE SUITE ARCHIVE: its packages into CACHE/RELEASE, atomically, so that an
# interrupted fetch leaves nothing that looks complete. From 7.x Debian splits the kernel:
# linux-image-R is then a meta package, the image in linux-binary-R and the modules in
# linux-modules-R, under /usr/lib/modules/R.
unpack() {
	local r=$1 suite=$2 archive=$3 debs=$CACHE/debs tmp pkgs deb
	command -v apt-get >/dev/null ||
		die "no apt-get: cannot fetch $r; put the kernel in $CACHE/$r/boot/vmlinuz-$r and its modules in $CACHE/$r/lib/modules/$r"
	knows "$suite" "$archive" "linux-image-$r" || update "$suite" "$archive"
	knows "$suite" "$archive" "linux-image-$r" ||
		die "$suite has no package linux-image-$r (see tests/kernels/kernels.list)"
	if knows "$suite" "$archive" "linux-binary-$r"; then
		pkgs=("linux-binary-$r" "linux-modules-$r")
	else
		pkgs=("linux-image-$r")
	fi
	rm -rf "$debs"
	mkdir -p "$debs"
	echo "fetch.sh: fetching ${pkgs[*]} from $suite (once per release)" >&2
	(cd "$debs" && apt_in "$suite" "$archive" apt-get download -q "${pkgs[@]}" >&2) ||
		die "apt-get download ${pkgs[*]} failed (network?)"
	tmp=$CACHE/.$r.tmp
	rm -rf "$tmp"
	mkdir -p "$tmp"
	for deb in "$debs"/*.deb; do
		dpkg-deb -x "$deb" "$tmp" || die "dpkg-deb -x $deb failed"
	done
	rm -rf "$debs"
	# One layout in the cache, whatever the package's: boot/vmlinuz-R and lib/modules/R.
	if [ -d "$tmp/usr/lib/modules/$r" ] && [ ! -d "$tmp/lib/modules/$r" ]; then
		mkdir -p "$tmp/lib/modules"
		mv "$tmp/usr/lib/modules/$r" "$tmp/lib/modules/$r"
	fi
	if [ ! -f "$tmp/boot/vmlinuz-$r" ] && [ -f "$tmp/lib/modules/$r/vmlinuz" ]; then
		mkdir -p "$tmp/boot"
		mv "$tmp/lib/modules/$r/vmlinuz" "$tmp/boot/vmlinuz-$r"
	fi
	# The package's postinst would run depmod; a plain unpack must, for modprobe in the guest.
	depmod -b "$tmp" "$r" || die "depmod for $r failed (kmod installed?)"
	rm -rf "${CACHE:?}/$r"
	mv "$tmp" "$CACHE/$r"
}

name=${want%@latest}
line=$(entry "$name")
if [ -n "$line" ]; then
	read -r _ release archive suite series <<<"$line"
	if [ "$want" != "$name" ]; then
		update "$suite" "$archive"
		release=$(newest "$suite" "$archive" "$series")
		[ -n "$release" ] || die "$suite has no release of $name ($series)"
	fi
else
	[ "$want" = "$name" ] || die "no kernel $name in $LIST: NAME@latest needs one of its names"
	release=$want
	found "$release" && exit 0
	# An exact release: from the matrix's suite whose series it belongs to.
	while read -r _ _ archive suite series; do
		if grep -qE "$series" <<<"$release"; then
			line=found
			break
		fi
	done < <(grep -v '^#' "$LIST")
	[ -n "$line" ] || die "$release is of no series in $LIST: add a line there for its suite"
fi
found "$release" && exit 0
unpack "$release" "$suite" "$archive"
found "$release" || die "$release unpacked into $CACHE/$release, but it has no vmlinuz or modules.dep"
