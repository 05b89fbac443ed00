#!/usr/bin/env bash
# The README's "set up and run" command. Sets everything up (packages, guest kernel, build), then
# runs Airlock's main job: for now, a microVM booted to an interactive shell on this terminal.
# On a machine without /dev/kvm the VM runs inside the KVM lab (an emulated KVM host), and the
# first line says so. Arguments are passed to airlock-vmm (e.g. -- sh -c 'uname -a').
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$("$root/scripts/bootstrap.sh")
kernel=$(grep '^AIRLOCK_GUEST_KERNEL:' "$build/CMakeCache.txt" | cut -d= -f2-)
vmm=(build/vmm/tools/airlock-vmm --kernel "$kernel" --initramfs "$build/guest/initramfs.cpio"
    --memory 512M --cpus 2 "$@")
vmm[0]=$build/vmm/tools/airlock-vmm

cd "$root"
if [[ -r /dev/kvm && -w /dev/kvm ]]; then
    echo "airlock: running the microVM with this machine's KVM" >&2
    exec "${vmm[@]}"
fi
echo "airlock: no /dev/kvm on this machine: running the microVM inside the KVM lab (emulated, slower)" >&2
exec "$root/tests/lab/run" --interactive "${vmm[@]}"
