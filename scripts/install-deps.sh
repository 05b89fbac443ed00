#!/usr/bin/env bash
# Installs the Debian 12 packages Airlock needs to build, test and run, and nothing else.
# Only missing packages are installed, so a second run costs a second.
set -euo pipefail

packages=(
    # toolchain and build
    g++ cmake ninja-build pkg-config make
    # engine libraries
    libexpected-dev nlohmann-json3-dev libseccomp-dev libssl-dev linux-libc-dev
    # app and UI
    qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite libsqlite3-dev libqcustomplot-dev libvterm-dev
    libvncserver-dev
    # guest kernel build (Debian's linux-source-6.1) and guest userland
    linux-source-6.1 bc bison flex libelf-dev xz-utils cpio busybox-static erofs-utils
    # the KVM lab and the QEMU peer in benchmarks
    qemu-system-x86 kmod zstd
    # screenshots of the app
    xvfb
)

missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$package")
done
if ((${#missing[@]} == 0)); then
    echo "install-deps: all ${#packages[@]} packages are installed" >&2
    exit 0
fi

sudo=()
if ((EUID != 0)); then
    if ! command -v sudo >/dev/null; then
        echo "install-deps: need root to install: ${missing[*]}; run as root or install sudo" >&2
        exit 1
    fi
    sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
