#!/usr/bin/env bash
# The README's "set up and run" command. Sets everything up (packages, guest kernel, build), then
# starts the Airlock desktop app (build/ui/main/airlock), passing the arguments through.
#
#   ./scripts/run.sh [APP OPTIONS...]            the desktop app (e.g. --audit FILE)
#   ./scripts/run.sh --console [-- COMMAND...]   a bare microVM, its console on this terminal
#
# The app needs a display: run it in a desktop session, or headless under Xvfb with
# `xvfb-run -a ./scripts/run.sh`. On a machine without /dev/kvm, sessions (and --console's VM)
# run inside the KVM lab, an emulated KVM host; the app's status bar and --console's first line
# say so.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)

usage() {
    echo "usage:"
    sed -n '5,6p' "$0" | sed 's/^#//'
}

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
    usage
    exit 0
fi

if [[ ${1:-} == --console ]]; then
    shift
    build=$("$root/scripts/bootstrap.sh")
    kernel=$(grep '^AIRLOCK_GUEST_KERNEL:' "$build/CMakeCache.txt" | cut -d= -f2-)
    vmm=("$build/vmm/tools/airlock-vmm" --kernel "$kernel"
        --initramfs "$build/guest/initramfs.cpio" --memory 512M --cpus 2 "$@")
    cd "$root"
    if [[ -r /dev/kvm && -w /dev/kvm ]]; then
        echo "airlock: running the microVM with this machine's KVM" >&2
        exec "${vmm[@]}"
    fi
    echo "airlock: no /dev/kvm on this machine: running the microVM inside the KVM lab (emulated, slower)" >&2
    exec "$root/tests/lab/run" --interactive "${vmm[@]}"
fi

# Before the set-up (minutes on a first run): without a display the app cannot open a window.
# QT_QPA_PLATFORM (offscreen, vnc, ...) is the user's own choice of where it goes.
if [[ -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} && -z ${QT_QPA_PLATFORM:-} ]]; then
    cat >&2 <<'EOF'
airlock: there is no display here (DISPLAY and WAYLAND_DISPLAY are not set), so the desktop app
cannot open its window.
  - Run ./scripts/run.sh from a terminal inside your desktop session (or over ssh -X).
  - To try it headless, run it under a virtual X server: xvfb-run -a ./scripts/run.sh
  - For a bare microVM with its console on this terminal: ./scripts/run.sh --console [-- COMMAND...]
EOF
    exit 1
fi

build=$("$root/scripts/bootstrap.sh")
app=$build/ui/main/airlock
if [[ ! -x $app ]]; then
    echo "airlock: the build did not produce $app; see the build output above" >&2
    exit 1
fi
if [[ -r /dev/kvm && -w /dev/kvm ]]; then
    echo "airlock: starting the desktop app; sessions run with this machine's KVM" >&2
else
    echo "airlock: starting the desktop app; no /dev/kvm here, so sessions run inside the KVM lab (emulated, slower)" >&2
fi
cd "$root"
exec "$app" "$@"
