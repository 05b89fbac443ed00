#!/usr/bin/env bash
# Builds Airlock's guest kernel (a bzImage) from Debian's linux-source-6.1 and the config fragment
# beside this script. The result is cached outside the source tree, keyed by the hash of every
# input (fragment, recipe version, the source package version, the compiler), so a second run
# returns in a moment. Prints the path of the bzImage on its last line.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache_root=${AIRLOCK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/airlock}
source_tarball=/usr/src/linux-source-6.1.tar.xz

if [[ ! -f $source_tarball ]]; then
    echo "build-kernel: $source_tarball is missing; install the linux-source-6.1 package" >&2
    exit 1
fi

# Bump when the build steps below change what they produce.
recipe_version=1
key=$( {
    cat "$here/kernel.config"
    echo "recipe $recipe_version"
    dpkg-query -W -f='${Version}\n' linux-source-6.1
    gcc --version | head -n1
} | sha256sum | cut -c1-16)
out_dir=$cache_root/kernel-$key
image=$out_dir/bzImage

if [[ -f $image ]]; then
    echo "build-kernel: cached ($out_dir)" >&2
    echo "$image"
    exit 0
fi

work=$cache_root/kernel-build-$key
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work" "$out_dir.tmp"' EXIT
echo "build-kernel: building in $work (several minutes on 2 cores)" >&2
tar -C "$work" -xf "$source_tarball"
src=$work/linux-source-6.1
jobs=$(nproc)
log=$work/config.log
make -C "$src" ARCH=x86_64 -s tinyconfig >"$log" 2>&1
(cd "$src" && ARCH=x86_64 ./scripts/kconfig/merge_config.sh -m .config "$here/kernel.config" >>"$log" 2>&1)
make -C "$src" ARCH=x86_64 -s olddefconfig >>"$log" 2>&1

# Every line of the fragment must survive olddefconfig: a dropped option is a silent surprise.
missing=0
while IFS= read -r line; do
    [[ $line =~ ^CONFIG_([A-Za-z0-9_]+)=(.*)$ ]] || continue
    name=${BASH_REMATCH[1]} value=${BASH_REMATCH[2]}
    if [[ $value == n ]]; then
        if grep -q "^CONFIG_$name=" "$src/.config"; then
            echo "build-kernel: CONFIG_$name should be off but is $(grep "^CONFIG_$name=" "$src/.config")" >&2
            missing=1
        fi
    elif ! grep -qx "CONFIG_$name=$value" "$src/.config"; then
        echo "build-kernel: CONFIG_$name=$value did not survive olddefconfig" >&2
        missing=1
    fi
done < "$here/kernel.config"
((missing == 0)) || exit 1

make -C "$src" ARCH=x86_64 -s -j"$jobs" bzImage >&2
mkdir -p "$out_dir.tmp"
cp "$src/arch/x86/boot/bzImage" "$out_dir.tmp/bzImage"
cp "$src/.config" "$out_dir.tmp/config"
rm -rf "$out_dir"
mv "$out_dir.tmp" "$out_dir"
rm -rf "$work"
echo "build-kernel: built $image" >&2
echo "$image"
