#!/usr/bin/env bash
# Everything both README commands need: Debian packages, the guest kernel (cached outside the
# tree), and a build of Airlock with its guest initramfs. Prints nothing on stdout but the build
# directory. Honours AIRLOCK_BUILD_DIR (default: build/ in the repository).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${AIRLOCK_BUILD_DIR:-$root/build}

"$root/scripts/install-deps.sh"
if [[ -x $root/scripts/install-lab-deps.sh ]]; then "$root/scripts/install-lab-deps.sh"; fi
kernel=$("$root/packaging/guest/build-kernel.sh")

werror=OFF
[[ ${CI:-} == true ]] && werror=ON
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DAIRLOCK_GUEST_KERNEL="$kernel" -DAIRLOCK_WERROR="$werror" >&2
cmake --build "$build" >&2
echo "$build"
