#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Installs, with apt-get, the Debian/Ubuntu packages that building, running and testing
# tcpdrop-top need, and says which. Does nothing when everything is there.
#
# The lists are not kept here: the build's is debian/control's Build-Depends, with
# build-essential as for any Debian package; the tests' is tests/deps. dpkg's own parser reads
# both and dpkg-checkbuilddeps says what is missing, as a package build would.
#   --list   prints the relations of both lists (and build-essential), one a line, as the files
#            have them, and installs nothing
set -euo pipefail

cd "$(dirname "$0")/.."

# relations: every relation of both lists, one a line (architecture and build profile
# restrictions applied for this machine).
relations() {
	perl -MDpkg::Arch=get_build_arch -MDpkg::Control::Info -MDpkg::Deps -e '
		my $src = Dpkg::Control::Info->new("debian/control")->get_source;
		open(my $fh, "<", "tests/deps") or die "tests/deps: $!\n";
		my @tests = grep { length } map { s/#.*//sr =~ s/^\s+|\s+$//gr } <$fh>;
		my $all = join(", ", $src->{"Build-Depends"}, "build-essential", @tests);
		my $deps = deps_parse($all, build_dep => 1, reduce_restrictions => 1,
				      host_arch => get_build_arch())
			or die "debian/control or tests/deps: not a package list dpkg reads\n";
		print "$_\n" for $deps->get_deps;
	'
}

have_dpkg_parser() {
	perl -MDpkg::Deps -e 1 2>/dev/null && command -v dpkg-checkbuilddeps >/dev/null
}

if [ "${1:-}" = --list ]; then
	if ! have_dpkg_parser; then
		echo "install-deps --list: needs dpkg-dev, to read the lists" >&2
		exit 1
	fi
	relations
	exit 0
fi

# clang's ASan/UBSan and libFuzzer runtime (make asan, make fuzz): a package of its own,
# libclang-rt-N-dev for clang N, since Debian 12; inside libclang-common-N-dev before. Which N
# depends on the clang installed, so no list can name it.
clang_rt_works() {
	[ -f "$(clang -print-file-name="libclang_rt.fuzzer-$(uname -m).a" 2>/dev/null)" ]
}

# Debian ships bpftool on its own, Ubuntu in linux-tools for the running kernel, and one built
# by hand does as well: any bpftool that runs answers debian/control's.
bpftool_works() {
	command -v bpftool >/dev/null && bpftool version >/dev/null 2>&1 && return 0
	compgen -G '/usr/lib/linux-tools/*/bpftool' >/dev/null
}

# without_bpftool: debian/control's bpftool taken out of the wanted relations.
without_bpftool() {
	local i
	for i in "${!wanted[@]}"; do
		[[ ${wanted[$i]} == bpftool || ${wanted[$i]} == "bpftool "* ]] && unset "wanted[$i]"
	done
	wanted=("${wanted[@]}")
}

as_root=()
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then
	as_root=(sudo)
fi
updated=false
apt_update() {
	$updated || "${as_root[@]}" apt-get update -qq
	updated=true
}

if ! command -v apt-get >/dev/null; then
	echo "install-deps: no apt-get here; install by hand debian/control's Build-Depends," \
		"build-essential and the packages in tests/deps, and bpftool" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive

# dpkg's parser comes with dpkg-dev, which building needs anyway (build-essential).
if ! have_dpkg_parser; then
	if [ "$(id -u)" -ne 0 ] && [ ${#as_root[@]} -eq 0 ]; then
		echo "install-deps: dpkg-dev is missing and reads the lists; run as root" \
			"(sudo make ...)" >&2
		exit 1
	fi
	echo "install-deps: installing dpkg-dev, to read the lists"
	apt_update
	"${as_root[@]}" apt-get install -y -qq --no-install-recommends dpkg-dev >/dev/null
fi

mapfile -t wanted < <(relations)
[ ${#wanted[@]} -gt 0 ] || exit 1	# relations said why
need_bpftool=false
if bpftool_works; then
	without_bpftool
else
	need_bpftool=true
fi
need_clang_rt=false
clang_rt_works || need_clang_rt=true

joined=$(printf '%s, ' "${wanted[@]}")
joined=${joined%, }
if unmet=$(dpkg-checkbuilddeps -d "$joined" /dev/null 2>&1) && ! $need_clang_rt; then
	exit 0
fi
unmet=${unmet#*Unmet build dependencies: }

if [ "$(id -u)" -ne 0 ] && [ ${#as_root[@]} -eq 0 ]; then
	$need_clang_rt && unmet+=" (and the sanitizer runtime of clang)"
	echo "install-deps: missing ${unmet# }; run as root (sudo make ...)" >&2
	exit 1
fi

apt_update
if $need_bpftool && ! apt-cache show bpftool >/dev/null 2>&1; then
	# Ubuntu: no bpftool package; linux-tools has it, for the running kernel if it can.
	without_bpftool
	wanted+=(linux-tools-common)
	if apt-cache show "linux-tools-$(uname -r)" >/dev/null 2>&1; then
		wanted+=("linux-tools-$(uname -r)")
	else
		wanted+=(linux-tools-generic)
	fi
fi
if $need_clang_rt; then
	# The one for the clang installed; with none yet, the one for the default clang.
	major=$(clang -dumpversion 2>/dev/null | cut -d. -f1 || true)
	if [ -n "$major" ] && apt-cache show "libclang-rt-$major-dev" >/dev/null 2>&1; then
		wanted+=("libclang-rt-$major-dev")
		unmet+=" libclang-rt-$major-dev"
	elif apt-cache show libclang-rt-dev >/dev/null 2>&1; then
		wanted+=(libclang-rt-dev)
		unmet+=" libclang-rt-dev"
	else
		echo "install-deps: no package found for clang's sanitizer runtime; make asan and" \
			"make fuzz will say so" >&2
	fi
fi
[ -n "${unmet# }" ] || exit 0
echo "install-deps: installing what is missing: ${unmet# }"
# tshark's package asks whether to let non-root users capture: no, and without asking.
if [[ " $unmet " == *" tshark "* ]]; then
	echo "wireshark-common wireshark-common/install-setuid boolean false" |
		"${as_root[@]}" debconf-set-selections
fi
joined=$(printf '%s, ' "${wanted[@]}")
# apt-get satisfy reads the relations as dpkg does: versions, alternatives, virtual packages.
"${as_root[@]}" apt-get satisfy -y -qq --no-install-recommends "${joined%, }" >/dev/null
