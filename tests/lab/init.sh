#!/bin/busybox sh
# shellcheck shell=dash
# /init of the KVM lab's emulated host (busybox ash, packed into the lab initramfs by
# build-lab.sh). Loads kvm_amd and the virtio/9p/overlay modules, checks that /dev/kvm opens,
# mounts the host's / (read-only 9p) under an overlay whose upper layer is a tmpfs, chroots into it
# and runs /out/cmd.sh, which tests/lab/run wrote.
#
# Kernel command line: lab.id=<nonce> lab.out=<device> (lab.out=lab.out: the virtio-serial port
# named lab.out) lab.pty=1 (run the command on a pseudo-terminal, relayed to the output device).
# The command's output goes to the output device, then its exit status as the line
# "LAB-EXIT-<id> <code>", or a lab failure as "LAB-ERROR-<id> <reason>". tests/lab/run stops QEMU
# when it reads that line; the emulated host powers itself off a little later in any case.

/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/null >/dev/console 2>&1
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
hostname airlock-lab

id=none
dev=/dev/console
pty=0
read -r cmdline </proc/cmdline
for arg in $cmdline; do
    case $arg in
    lab.id=*) id=${arg#lab.id=} ;;
    lab.out=*) dev=/dev/${arg#lab.out=} ;;
    lab.pty=*) pty=${arg#lab.pty=} ;;
    esac
done

finish() { # finish MARKER-LINE
    sync
    if [ -c "$dev" ]; then echo "$1" >"$dev"; fi
    sleep 20
    poweroff -f
}
fail() {
    echo "lab: $*"
    finish "LAB-ERROR-$id $*"
}
mark() { echo "lab: [uptime $(cut -d' ' -f1 /proc/uptime) s] $*"; }
oneline() { sed 's/^\[[ 0-9.]*\] //' | tr '\n' ' '; }

mark "init started"
: >/tmp/insmod.log
while read -r mod; do
    insmod "/mods/$mod.ko" 2>>/tmp/insmod.log || echo "insmod $mod failed;" >>/tmp/insmod.log
done </mods/order

i=0
while [ $i -lt 100 ]; do
    if [ "$dev" = /dev/lab.out ]; then
        # the virtio-serial port is found by its name (QEMU: virtserialport,name=lab.out)
        for port in /sys/class/virtio-ports/*; do
            [ "$(cat "$port/name" 2>/dev/null)" = lab.out ] && dev=/dev/${port##*/}
        done
    fi
    [ -c "$dev" ] && break
    usleep 20000
    i=$((i + 1))
done
mark "modules loaded; output device $dev"
[ -c "$dev" ] || fail "the output device $dev did not appear: $(oneline </tmp/insmod.log)"

if [ ! -c /dev/kvm ]; then
    fail "/dev/kvm is missing in the lab: kvm_amd did not load: $(grep -i -e kvm -e ccp /tmp/insmod.log | oneline)$(dmesg | grep -i -e kvm -e svm | tail -n 3 | oneline)"
fi
(exec 3<>/dev/kvm) 2>/dev/null || fail "/dev/kvm exists in the lab but does not open: $(dmesg | grep -i kvm | tail -n 3 | oneline)"

opts=trans=virtio,version=9p2000.L,msize=512000,cache=loose
mount -t 9p -o "$opts,ro" hostroot /host || fail "cannot mount the host's / (9p): $(oneline </tmp/insmod.log)"
mount -t tmpfs -o mode=0755 upper /upper || fail "cannot mount the overlay's tmpfs"
mkdir -p /upper/u /upper/w
mount -t overlay overlay -o lowerdir=/host,upperdir=/upper/u,workdir=/upper/w /newroot ||
    fail "cannot mount the overlay over the host's /"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 out /out || fail "cannot mount the out share"

lab_mode=run
lab_rows=
lab_cols=
# shellcheck disable=SC1091 # written by tests/lab/run
[ -f /out/lab.conf ] && . /out/lab.conf

# Host directories shared read-write (AIRLOCK_LAB_WRITABLE): "<tag> <path>" lines.
if [ -f /out/writable ]; then
    while read -r tag path; do
        mkdir -p "/newroot$path" 2>/dev/null
        mount -t 9p -o "$opts" "$tag" "/newroot$path" || fail "cannot mount $path read-write"
    done </out/writable
fi

mkdir -p /newroot/out /newroot/proc /newroot/sys /newroot/dev
mount --move /out /newroot/out
mount --move /dev /newroot/dev
mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts -o gid=5,mode=0620,ptmxmode=0666 devpts /newroot/dev/pts
mount -t tmpfs -o mode=1777 shm /newroot/dev/shm
dev=/newroot$dev
mark "root mounted; running the command"

# A heartbeat on the kernel console (console.log on the host) every 10 s while the command runs:
# when the emulated host freezes (tests/lab/README.md) it stops, and tests/lab/run stops QEMU
# after AIRLOCK_LAB_STALL seconds without one instead of waiting for AIRLOCK_LAB_TIMEOUT.
(while :; do echo "lab: heartbeat $(cut -d' ' -f1 /proc/uptime)"; sleep 10; done) </dev/null &

if [ "$lab_mode" = shell ]; then
    [ -n "$lab_rows" ] && stty -F "$dev" rows "$lab_rows" cols "$lab_cols" 2>/dev/null
    # shellcheck disable=SC2094 # the terminal is both input and output
    setsid -c env -i /bin/chroot /newroot /bin/bash /out/cmd.sh <"$dev" >"$dev" 2>&1
    echo "$?" >/newroot/out/status
    sync
    poweroff -f
fi
if [ "$pty" = 1 ] && [ -x /newroot/usr/bin/script ]; then
    # util-linux script gives the command a terminal and relays it to the port in large writes
    env -i /bin/chroot /newroot /usr/bin/script -qfec "/usr/bin/env -i /bin/bash /out/cmd.sh" /dev/null \
        </dev/null >"$dev" 2>&1
else
    env -i /bin/chroot /newroot /bin/bash /out/cmd.sh </dev/null >"$dev" 2>&1
fi
finish "LAB-EXIT-$id $?"
