#!/usr/bin/env bash
# Installs the Debian 12 packages the KVM lab (tests/lab/run) needs, and nothing else. Only missing
# packages are installed, so a second run costs a second. The Debian kernel that the lab boots is
# not installed: tests/lab/build-lab.sh downloads and unpacks it into the cache on first use.
set -euo pipefail

packages=(
    qemu-system-x86 # the emulated KVM host (TCG, -cpu max) and its 9p shares
    busybox-static  # the lab initramfs's userland
    cpio            # packs the lab initramfs
    kmod            # modinfo: the kernel modules' dependencies
    xz-utils zstd   # compressed kernel modules, where Debian ships them so
)

exec "$(dirname "$0")/apt-install-missing.sh" install-lab-deps "${packages[@]}"
