#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Installs, with apt-get, the Debian/Ubuntu packages that building, running and testing
# tcpdrop-top need, and says which. Does nothing when everything is there.
set -euo pipefail

packages=(
	make gcc libc6-dev pkg-config clang llvm
	libbpf-dev libelf-dev zlib1g-dev libncurses-dev
	iproute2 netcat-openbsd tmux util-linux procps python3
)

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
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

if [ ${#missing[@]} -eq 0 ] && ! $need_bpftool; then
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
echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
