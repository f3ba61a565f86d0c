#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# initramfs.sh RELEASE MODDIR: prints the path of an initramfs for RELEASE, building it into the
# cache ($TDT_KERNEL_CACHE, /var/cache/tcpdrop-top/kernels) when it is not there yet.
#
# It holds static busybox, init.sh as /init, and the modules /init needs to reach the host's
# root over virtio-9p and make it writable with overlayfs, dependencies first, as
# `modprobe --show-depends` lists them (Debian builds them all as modules on 6.1; 6.12 has
# virtio_pci built in). Compressed modules are unpacked here, since busybox insmod cannot.
# The name carries a hash of init.sh, the module list and busybox: a change rebuilds it.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${TDT_KERNEL_CACHE:-/var/cache/tcpdrop-top/kernels}
MODULES=(virtio_pci 9pnet_virtio 9p overlay)

die() {
	echo "initramfs.sh: $*" >&2
	exit 2
}

[ $# -eq 2 ] || die "usage: initramfs.sh RELEASE MODDIR"
release=$1 moddir=$2
busybox=$(command -v busybox) || die "no busybox: apt-get install busybox-static (or make deps)"
# A dynamic busybox would find no libraries in the initramfs.
! ldd "$busybox" >/dev/null 2>&1 || die "$busybox is not static: apt-get install busybox-static"
for tool in cpio gzip modprobe; do
	command -v "$tool" >/dev/null || die "no $tool: apt-get install cpio kmod (or make deps)"
done

hash=$( (cat "$HERE/init.sh"; printf '%s\n' "${MODULES[@]}"; ls -lL "$busybox") |
	sha256sum | cut -c1-12)
out=$CACHE/initramfs/$release-$hash.cpio.gz
if [ -f "$out" ]; then
	echo "$out"
	exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{bin,dev,proc,sys,lower,upper,newroot,modules}
cp "$busybox" "$tmp/bin/busybox"
ln -s busybox "$tmp/bin/sh"
install -m 755 "$HERE/init.sh" "$tmp/init"
: >"$tmp/modules/order"
# The modules' base directory: /lib/modules/R is under / or under CACHE/R.
base=${moddir%/lib/modules/*}
loaded=" "
for m in "${MODULES[@]}"; do
	if ! deps=$(modprobe -d "${base:-/}" -S "$release" --show-depends "$m" 2>/dev/null); then
		# Debian's split packages (7.x) ship no modules.builtin: a module with no file
		# there is built in (if not, the guest says so: it cannot reach the 9p root).
		[ ! -f "$moddir/modules.builtin" ] && [ -z "$(find "$moddir" -name "$m.ko*")" ] ||
			die "modprobe finds no module $m for $release in $moddir"
		continue
	fi
	# Lines are "insmod PATH [options]" in load order, or "builtin NAME" (nothing to load).
	while read -r verb path _; do
		[ "$verb" = insmod ] || continue
		name=$(basename "$path")
		case $loaded in *" $name "*) continue ;; esac
		loaded="$loaded$name "
		case $name in
		*.ko.xz) xz -dc "$path" >"$tmp/modules/${name%.xz}"; name=${name%.xz} ;;
		*.ko.zst) zstd -qdc "$path" >"$tmp/modules/${name%.zst}"; name=${name%.zst} ;;
		*.ko.gz) gzip -dc "$path" >"$tmp/modules/${name%.gz}"; name=${name%.gz} ;;
		*) cp "$path" "$tmp/modules/$name" ;;
		esac
		echo "$name" >>"$tmp/modules/order"
	done <<<"$deps"
done
mkdir -p "$(dirname "$out")"
(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
echo "initramfs.sh: built $out with $(tr '\n' ' ' <"$tmp/modules/order")" >&2
echo "$out"
