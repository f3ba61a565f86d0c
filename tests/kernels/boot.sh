#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# boot.sh [options] KERNEL COMMAND [ARG...]: boots KERNEL (see fetch.sh) in QEMU with this
# machine's own root as the guest's root (read-only over virtio-9p, writable through a tmpfs
# overlay), runs COMMAND there as root, powers off, and exits with COMMAND's status. No disk
# image: the guest runs the host's binaries, libraries and tools, so what was built here is
# what is tested there.
#
#   -o DIR      run directory, shared read-write with the guest at the same path (default: a
#               new /tmp/tdt-vm.XXXXXX); it ends up holding cmd.sh, output.log (COMMAND's
#               output), rc, console.log (the whole serial console), ready, done, qemu.cmdline
#   -C DIR      COMMAND's working directory in the guest (default: the current one)
#   -e VAR=VAL  COMMAND's environment (repeatable); it starts clean otherwise
#   -m MEM      guest memory (2G); /tmp and every write to / live in it
#   -s CPUS     guest CPUs (2 under KVM, 1 under emulation)
#   -t SECONDS  QEMU is killed after this long (900)
#   -q          the console only to RUN/console.log, not to stdout
#
# Acceleration: KVM when /dev/kvm can run a guest, else TCG (emulation, several times slower);
# TDT_ACCEL=tcg or kvm forces one. Exit status: COMMAND's; 124 on timeout; 125 when the guest
# could not be set up or never ran COMMAND to the end (see RUN/console.log).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MEM=2G SMP= TIMEOUT=900 QUIET=0 RUN= CWD=$PWD
ENVS=()

die() {
	echo "boot.sh: $*" >&2
	exit 125
}

usage() {
	sed -n '3,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
	exit 125
}

while getopts ":o:C:e:m:s:t:q" opt; do
	case $opt in
	o) RUN=$OPTARG ;;
	C) CWD=$OPTARG ;;
	e) [[ $OPTARG == [A-Za-z_]*=* ]] || die "-e wants VAR=VALUE, not '$OPTARG'"; ENVS+=("$OPTARG") ;;
	m) MEM=$OPTARG ;;
	s) SMP=$OPTARG ;;
	t) TIMEOUT=$OPTARG ;;
	q) QUIET=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || usage
kernel=$1
shift
[ "$(id -u)" -eq 0 ] || die "needs root: the guest's root is / exported with 9p security_model=none"
command -v qemu-system-x86_64 >/dev/null ||
	die "no qemu-system-x86_64: apt-get install qemu-system-x86 (or make deps)"

line=$("$HERE/fetch.sh" "$kernel") || die "cannot have kernel $kernel (the reason is above)"
IFS=$'\t' read -r release image moddir <<<"$line"
initrd=$("$HERE/initramfs.sh" "$release" "$moddir") || die "cannot build an initramfs for $release"

# kvm_works: this kernel starts under KVM here. /dev/kvm alone proves little: a nested or
# paravirtual KVM may open and create VMs, then refuse an ordinary guest's CPU state (QEMU then
# aborts on "failed to set MSR"), or start it and never run it (the firmware's "Booting from
# ROM" and nothing after). So the kernel itself is started, with no root to find: it must print
# its banner within 20 s (it does in one or two under a working KVM), then panics and exits.
kvm_works() {
	[ -w /dev/kvm ] || return 1
	timeout 20 qemu-system-x86_64 -accel kvm -cpu host -machine pc -m 256 -nodefaults \
		-nographic -monitor none -serial stdio -no-reboot -kernel "$image" \
		-append "console=ttyS0 panic=-1" 2>/dev/null </dev/null | grep -q -m1 'Linux version'
}
accel=${TDT_ACCEL:-}
if [ -z "$accel" ]; then
	accel=tcg
	kvm_works && accel=kvm
fi
# One CPU under emulation: two ran the test suites 1.5 to 2.5 times slower, every cross-CPU
# flush and interrupt being emulated too. The plain qemu64 CPU, not "max": with every feature
# emulation offers, 5.10 ran twice as slow (6.x and 7.x the same), and the guests run Debian's
# baseline x86-64 binaries, which need no more.
case $accel in
kvm) ACCEL=(-accel kvm -cpu host) SMP=${SMP:-2} ;;
tcg) ACCEL=(-accel tcg -cpu qemu64) SMP=${SMP:-1} ;;
*) die "TDT_ACCEL=$accel: want kvm or tcg" ;;
esac

if [ -z "$RUN" ]; then
	RUN=$(mktemp -d /tmp/tdt-vm.XXXXXX)
else
	mkdir -p "$RUN"
	RUN=$(cd "$RUN" && pwd)
	rm -f "$RUN"/{cmd.sh,output.log,rc,console.log,ready,done,qemu.cmdline,qemu.stderr}
fi
# It travels on the kernel command line, which splits on spaces and knows no quoting.
case $RUN in *[!A-Za-z0-9_./+-]*) die "run directory '$RUN': use only A-Z a-z 0-9 _ . / + -" ;; esac

{
	echo '#!/bin/bash'
	echo '# Written by boot.sh, run as root in the guest in a clean environment.'
	printf 'cd %q || exit 125\n' "$CWD"
	echo 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb'
	# What the command may want to know: the floods, say, cannot run under emulation.
	echo "export TDT_VM_ACCEL=$accel"
	for e in "${ENVS[@]}"; do
		printf 'export %s=%q\n' "${e%%=*}" "${e#*=}"
	done
	printf 'exec'
	printf ' %q' "$@"
	echo
} >"$RUN/cmd.sh"
chmod 755 "$RUN/cmd.sh"

QEMU=(qemu-system-x86_64 "${ACCEL[@]}" -machine pc -smp "$SMP" -m "$MEM"
	-nodefaults -no-reboot -nographic -monitor none
	-chardev "stdio,id=con,signal=off,logfile=$RUN/console.log" -serial chardev:con
	-kernel "$image" -initrd "$initrd"
	-append "console=ttyS0 quiet loglevel=3 panic=-1 oops=panic tdt.run=$RUN tdt.kver=$release"
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$RUN,mount_tag=rundir,security_model=none,multidevs=remap"
	-virtfs "local,path=$moddir,mount_tag=kmods,security_model=none,readonly=on,multidevs=remap")
printf '%q ' "${QEMU[@]}" >"$RUN/qemu.cmdline"
echo >>"$RUN/qemu.cmdline"

echo "boot.sh: $release under $accel, $SMP CPU(s), $MEM; run directory $RUN" >&2
start=$SECONDS
if [ "$QUIET" = 1 ]; then
	"${QEMU[@]}" </dev/null >/dev/null 2>"$RUN/qemu.stderr" &
else
	"${QEMU[@]}" </dev/null 2>"$RUN/qemu.stderr" &
fi
qpid=$!
# Only the QEMU started here is ever killed: on timeout, or when this script is stopped.
trap 'kill "$qpid" 2>/dev/null' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
timed_out=0
while kill -0 "$qpid" 2>/dev/null; do
	if [ $((SECONDS - start)) -ge "$TIMEOUT" ]; then
		timed_out=1
		kill "$qpid"
		break
	fi
	sleep 0.2
done
wait "$qpid" 2>/dev/null || true
trap - EXIT
echo "$((SECONDS - start))" >"$RUN/seconds"

if [ "$timed_out" = 1 ]; then
	echo "boot.sh: $release: killed after $TIMEOUT s; see $RUN/console.log" >&2
	exit 124
fi
if [ ! -f "$RUN/rc" ]; then
	echo "boot.sh: $release: the guest never ran the command to the end" \
		"($([ -f "$RUN/ready" ] && echo "it booted" || echo "it did not boot"));" \
		"the last lines of $RUN/console.log and QEMU's stderr:" >&2
	tail -n 20 "$RUN/console.log" "$RUN/qemu.stderr" >&2 || true
	exit 125
fi
exit "$(cat "$RUN/rc")"
