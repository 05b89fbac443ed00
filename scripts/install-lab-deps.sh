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

missing=()
for package in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$package")
done
if ((${#missing[@]} == 0)); then
    echo "install-lab-deps: all ${#packages[@]} packages are installed" >&2
    exit 0
fi

sudo=()
if ((EUID != 0)); then
    if ! command -v sudo >/dev/null; then
        echo "install-lab-deps: need root to install: ${missing[*]}; run as root or install sudo" >&2
        exit 1
    fi
    sudo=(sudo)
fi
echo "install-lab-deps: installing ${missing[*]}" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
