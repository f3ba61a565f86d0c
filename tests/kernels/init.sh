#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /init of the guest that boot.sh starts: busybox sh as PID 1 in the initramfs of initramfs.sh.
# Loads the modules that reach the 9p shares, makes the host's root (read-only 9p) writable with
# a tmpfs overlay, mounts what a systemd host would have (bpffs, cgroup2, devpts, ...) and the
# run directory (read-write 9p, at the host's path), runs RUN/cmd.sh in a chroot, writes RUN/rc
# and powers off. Nothing the command writes outside RUN reaches the host.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

up() { cut -d' ' -f1 /proc/uptime; }
RUN= KVER=
for a in $(cat /proc/cmdline); do
	case $a in
	tdt.run=*) RUN=${a#tdt.run=} ;;
	tdt.kver=*) KVER=${a#tdt.kver=} ;;
	esac
done

off() {
	sync
	poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 5
}
fail() {
	echo "init: $*"
	off
}

while read -r m; do
	insmod "/modules/$m" || echo "init: insmod $m failed"
done </modules/order

# msize: 6.1's default of 8 KiB makes a round trip of every 8 KiB read.
O9P=trans=virtio,version=9p2000.L,msize=512000
mount -t 9p -o "$O9P,ro,cache=loose" hostroot /lower || fail "cannot mount the host's root (9p tag hostroot)"
mount -t tmpfs -o mode=755 upper /upper
mkdir -p /upper/data /upper/work
R=/newroot
mount -t overlay overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work $R ||
	fail "cannot make the host's root writable with overlayfs"

mount -t proc proc $R/proc
mount -t sysfs sysfs $R/sys
mount -t devtmpfs devtmpfs $R/dev
# What udev would add: bash's process substitution, <(...), reads /dev/fd/N.
ln -sfn /proc/self/fd $R/dev/fd
ln -sfn /proc/self/fd/0 $R/dev/stdin
ln -sfn /proc/self/fd/1 $R/dev/stdout
ln -sfn /proc/self/fd/2 $R/dev/stderr
mkdir -p $R/dev/pts $R/dev/shm
mount -t devpts -o ptmxmode=666,mode=620,gid=5 devpts $R/dev/pts
mount -t tmpfs -o mode=1777 shm $R/dev/shm
mount -t tmpfs -o mode=755 run $R/run
mount -t bpf -o mode=700 bpf $R/sys/fs/bpf
mount -t tracefs tracefs $R/sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs $R/sys/kernel/debug 2>/dev/null
if mount -t cgroup2 cgroup2 $R/sys/fs/cgroup 2>/dev/null; then
	# As systemd does: every controller usable in child groups (memory.max and the like).
	for c in $(cat $R/sys/fs/cgroup/cgroup.controllers); do
		echo "+$c" >$R/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
	done
fi

[ -n "$RUN" ] || fail "no tdt.run= on the kernel command line"
mkdir -p "$R$RUN"
mount -t 9p -o "$O9P" rundir "$R$RUN" || fail "cannot mount the run directory (9p tag rundir)"
# The host's kmod, in the new root, finds the guest kernel's modules (veth, ...) here.
mkdir -p "$R/lib/modules/$KVER"
mount -t 9p -o "$O9P,ro,cache=loose" kmods "$R/lib/modules/$KVER" ||
	echo "init: no /lib/modules/$KVER (9p tag kmods): modules will not load on demand"
# request_module() (veth for `ip link add type veth`) runs the usermode helper in the root of
# PID 1, which stays this initramfs since the command runs in a chroot: a wrapper runs the new
# root's modprobe instead.
printf '#!/bin/sh\nexec /bin/chroot %s /sbin/modprobe "$@"\n' "$R" >/bin/modprobe-newroot
chmod 755 /bin/modprobe-newroot
echo /bin/modprobe-newroot >/proc/sys/kernel/modprobe

ip link set lo up
hostname guest

echo "$(up) $(uname -r)" >"$R$RUN/ready"
echo "init: $(uname -r) ready at uptime $(up) s"

# The command's output to the console and to RUN/output.log, its status to RUN/rc.
chroot $R /bin/bash -c '
	"$1/cmd.sh" </dev/null 2>&1 | tee "$1/output.log"
	echo "${PIPESTATUS[0]}" >"$1/rc"
' init "$RUN"
echo "$(up)" >"$R$RUN/done"
off
