#!/usr/bin/env bash
# Builds (once) and prints the cache directory of the KVM lab: the Debian kernel that the emulated
# host boots, the modules it needs and the lab initramfs. Only the path is printed on stdout; a
# build reports its progress on stderr. A warm cache costs a few milliseconds: the apt look-up
# that names the kernel package is remembered until apt's package lists change.
#
# Cache: ${AIRLOCK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/airlock}/lab-<hash>/ where the hash
# covers the kernel package (name and version), busybox-static's version, this script and init.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
base=${AIRLOCK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/airlock}

# The modules the lab loads, in this order; each one's own dependencies (read with modinfo) are
# added before it, and modules that Debian builds into the kernel are skipped.
wanted=(virtio_pci virtio_console kvm_amd 9pnet_virtio 9p overlay)

say() { echo "lab: $*" >&2; }
die() { echo "lab: $*" >&2; exit 1; }

mkdir -p "$base"

# --- which Debian kernel: the package linux-image-amd64 depends on --------------------------------
resolve_kernel_package() {
    local name version
    name=$(apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n1)
    [[ -n $name ]] || return 1
    version=$(apt-cache show --no-all-versions "$name" 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
    [[ -n $version ]] || return 1
    echo "$name $version"
}

memo=$base/lab-kernel-package
kernel_package=
if [[ -s $memo ]] && [[ -z $(find /var/lib/apt/lists -maxdepth 1 -type f -newer "$memo" -print -quit 2>/dev/null) ]]; then
    kernel_package=$(<"$memo")
fi
if [[ -z $kernel_package ]]; then
    if ! kernel_package=$(resolve_kernel_package); then
        say "apt-cache knows no linux-image-amd64: running apt-get update"
        sudo=()
        ((EUID == 0)) || sudo=(sudo)
        "${sudo[@]}" apt-get update -qq >&2 || true
        kernel_package=$(resolve_kernel_package) || kernel_package=
    fi
    if [[ -z $kernel_package ]]; then
        [[ -s $memo ]] || die "cannot resolve the Debian kernel package (apt-cache depends linux-image-amd64 names none)"
        kernel_package=$(<"$memo")
        say "apt-cache cannot resolve linux-image-amd64: using the last known kernel, $kernel_package"
    else
        printf '%s\n' "$kernel_package" >"$memo.$$" && mv -f "$memo.$$" "$memo"
    fi
fi
read -r kernel_name kernel_version <<<"$kernel_package"

busybox_version=$(dpkg-query -W -f='${Version}' busybox-static 2>/dev/null) ||
    die "busybox-static is not installed (scripts/install-lab-deps.sh installs the lab's packages)"

key=$({
    printf '%s\n' "$kernel_name" "$kernel_version" "$busybox_version"
    cat "$here/build-lab.sh" "$here/init.sh"
} | sha256sum | cut -c1-16)
cache=$base/lab-$key

if [[ -f $cache/ready ]]; then
    touch "$cache/last-used" 2>/dev/null || true
    echo "$cache"
    exit 0
fi

# --- build, once: concurrent runs wait for each other ---------------------------------------------
exec 9>"$base/lab.lock"
flock 9
if [[ -f $cache/ready ]]; then
    echo "$cache"
    exit 0
fi

for tool in apt-get dpkg-deb modinfo cpio xz zstd /bin/busybox; do
    command -v "$tool" >/dev/null || die "missing $tool (scripts/install-lab-deps.sh installs the lab's packages)"
done

say "building the lab cache for $kernel_name $kernel_version in $cache (once)"
work=$(mktemp -d "$base/.lab-build.XXXXXX")
trap 'rm -rf "$work"' EXIT

(cd "$work" && apt-get download "$kernel_name=$kernel_version" >"$work/download.log" 2>&1) || {
    tail -n 5 "$work/download.log" >&2
    die "apt-get download $kernel_name=$kernel_version failed"
}
deb=$(find "$work" -maxdepth 1 -name '*.deb' -print -quit)
dpkg-deb -x "$deb" "$work/x"
rm -f "$deb"

kdir=$(find "$work/x/lib/modules" -mindepth 1 -maxdepth 1 -type d -print -quit)
kver=${kdir##*/}
vmlinuz=$work/x/boot/vmlinuz-$kver
[[ -f $vmlinuz ]] || die "no /boot/vmlinuz-$kver in $kernel_name"

out=$work/lab
root=$work/root
mkdir -p "$out/modules" "$root"/{bin,dev,proc,sys,tmp,host,upper,newroot,out,mods}

declare -A module_file=() builtin=() done_=()
while IFS= read -r file; do
    name=${file##*/}
    name=${name%%.ko*}
    module_file[${name//-/_}]=$file
done < <(find "$kdir/kernel" -name '*.ko*')
if [[ -f $kdir/modules.builtin ]]; then
    while IFS= read -r file; do
        name=${file##*/}
        name=${name%%.ko*}
        builtin[${name//-/_}]=1
    done <"$kdir/modules.builtin"
fi

order=()
add_module() {
    local name=$1 file target deps dep
    [[ -z ${done_[$name]:-} && -z ${builtin[$name]:-} ]] || return 0
    done_[$name]=1
    file=${module_file[$name]:-}
    [[ -n $file ]] || die "$kernel_name has no module $name"
    target=$out/modules/$name.ko
    case $file in
    *.ko) cp "$file" "$target" ;;
    *.ko.xz) xz -dc "$file" >"$target" ;;
    *.ko.zst) zstd -qdc "$file" >"$target" ;;
    *.ko.gz) gzip -dc "$file" >"$target" ;;
    *) die "unknown module compression: $file" ;;
    esac
    deps=$(modinfo -F depends "$target")
    for dep in ${deps//,/ }; do add_module "${dep//-/_}"; done
    order+=("$name")
}
for name in "${wanted[@]}"; do add_module "$name"; done

cp "$vmlinuz" "$out/vmlinuz"

# Under TCG, unpacking the compressed kernel costs seconds at every boot. A kernel built with
# CONFIG_PVH boots from its uncompressed ELF image (QEMU -kernel vmlinux), so unpack it once here.
extract_vmlinux() {
    local magic format offset
    grep -q '^CONFIG_PVH=y' "$work/x/boot/config-$kver" 2>/dev/null || return 1
    for format in '\xfd7zXZ\x00:xz -dc --single-stream' '\x28\xb5\x2f\xfd:zstd -qdc' '\x1f\x8b\x08:gzip -dc'; do
        magic=${format%%:*}
        offset=$(LC_ALL=C grep -obUaP "$magic" "$vmlinuz" | head -n1 | cut -d: -f1) || true
        [[ -n $offset ]] || continue
        # shellcheck disable=SC2086 # the decompressor's command line
        tail -c "+$((offset + 1))" "$vmlinuz" | ${format#*:} >"$out/vmlinux" 2>/dev/null || true
        [[ $(head -c 4 "$out/vmlinux" | od -An -tx1 | tr -d ' \n') == 7f454c46 ]] && return 0
    done
    rm -f "$out/vmlinux"
    return 1
}
boot_image=vmlinuz
if extract_vmlinux; then boot_image=vmlinux; fi
printf '%s\n' "${order[@]}" >"$out/modules/order"
cp "$out"/modules/* "$root/mods/"
cp /bin/busybox "$root/bin/busybox"
cp "$here/init.sh" "$root/init"
chmod 0755 "$root/init" "$root/bin/busybox"
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out/initramfs.cpio"

{
    echo "kernel package: $kernel_name $kernel_version"
    echo "kernel release: $kver"
    echo "boot image: $boot_image"
    echo "busybox-static: $busybox_version"
    echo "modules (load order): ${order[*]}"
} >"$out/info"
touch "$out/ready"

touch "$out/last-used"
rm -rf "$cache"
mv -T "$out" "$cache"
# Other lab caches unused for two days belong to older versions of the lab: remove them.
find "$base" -mindepth 2 -maxdepth 2 -path "$base/lab-*" -name last-used -mtime +1 -printf '%h\n' |
    while IFS= read -r old; do rm -rf "$old"; done
say "lab cache ready: $cache ($(du -sh "$cache" | cut -f1))"
echo "$cache"
