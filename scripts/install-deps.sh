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
    # the app's translations (lrelease)
    qt6-l10n-tools
    # guest kernel build (Debian's linux-source-6.1) and guest userland
    linux-source-6.1 bc bison flex libelf-dev xz-utils cpio busybox-static erofs-utils
    # the KVM lab and the QEMU peer in benchmarks
    qemu-system-x86 kmod zstd
    # libFuzzer targets (clang with its compiler-rt)
    clang
    # screenshots of the app
    xvfb
)

exec "$(dirname "$0")/apt-install-missing.sh" install-deps "${packages[@]}"
