#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Installs, with apt-get, the Debian/Ubuntu packages that building, running and testing
# tcpdrop-top need, and says which. Does nothing when everything is there.
set -euo pipefail

packages=(
	make gcc libc6-dev pkg-config clang llvm
	libbpf-dev libelf-dev zlib1g-dev libncurses-dev libpcap-dev
	libmnl-dev	# rtnetlink: the interface and the devices stacked on it
	tcpdump tshark	# tests/pcap.sh reads the -w files with both
	iproute2 netcat-openbsd tmux util-linux procps python3 netsniff-ng valgrind wireguard-tools
	strace	# the tests count how often the loop checks the link and the reader
	qemu-system-x86 busybox-static cpio kmod xz-utils	# tests/kernels.sh: other kernels in a VM
	libmicrohttpd-dev curl prometheus	# --metrics; tests/metrics.sh scrapes it
	mandoc debhelper dpkg-dev lintian debootstrap	# tests/package.sh: man page, .deb, fresh root
	systemd bsdextrautils git	# tests/package.sh: the unit, col, the tree's files
)

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# clang's ASan/UBSan and libFuzzer runtime (make asan, make fuzz): a package of its own,
# libclang-rt-N-dev for clang N, since Debian 12; inside libclang-common-N-dev before.
clang_rt_works() {
	[ -f "$(clang -print-file-name="libclang_rt.fuzzer-$(uname -m).a" 2>/dev/null)" ]
}

bpftool_works() {
	command -v bpftool >/dev/null && bpftool version >/dev/null 2>&1 && return 0
	compgen -G '/usr/lib/linux-tools/*/bpftool' >/dev/null
}

if ! command -v apt-get >/dev/null; then
	echo "install-deps: no apt-get here; install by hand: ${packages[*]} bpftool" >&2
	exit 1
fi

missing=()
for p in "${packages[@]}"; do
	installed "$p" || missing+=("$p")
done
need_bpftool=false
bpftool_works || need_bpftool=true
need_clang_rt=false
clang_rt_works || need_clang_rt=true

if [ ${#missing[@]} -eq 0 ] && ! $need_bpftool && ! $need_clang_rt; then
	exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null; then
		echo "install-deps: missing ${missing[*]}; run as root (sudo make ...)" >&2
		exit 1
	fi
	as_root=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
if $need_bpftool; then
	# Debian ships bpftool on its own; Ubuntu ships it in linux-tools for the running kernel.
	if apt-cache show bpftool >/dev/null 2>&1; then
		missing+=(bpftool)
	elif apt-cache show "linux-tools-$(uname -r)" >/dev/null 2>&1; then
		missing+=(linux-tools-common "linux-tools-$(uname -r)")
	else
		missing+=(linux-tools-common linux-tools-generic)
	fi
fi
if $need_clang_rt; then
	# The one for the clang installed; with none yet, the one for the default clang.
	major=$(clang -dumpversion 2>/dev/null | cut -d. -f1 || true)
	if [ -n "$major" ] && apt-cache show "libclang-rt-$major-dev" >/dev/null 2>&1; then
		missing+=("libclang-rt-$major-dev")
	elif apt-cache show libclang-rt-dev >/dev/null 2>&1; then
		missing+=(libclang-rt-dev)
	fi
fi
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: no package found for clang's sanitizer runtime; make asan and" \
		"make fuzz will say so" >&2
	exit 0
fi
echo "install-deps: installing ${missing[*]}"
# tshark's package asks whether to let non-root users capture: no, and without asking.
if [[ " ${missing[*]} " == *" tshark "* ]]; then
	echo "wireshark-common wireshark-common/install-setuid boolean false" |
		"${as_root[@]}" debconf-set-selections
fi
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
