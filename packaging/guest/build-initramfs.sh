#!/usr/bin/env bash
# Builds Airlock's guest initramfs: an uncompressed newc cpio with /init (airlock-guest) and its
# display tools (/bin/airlock-fb-pattern, /bin/airlock-fb-animate, /bin/airlock-input-events:
# links to /init, which looks at the name it is called by), Debian's busybox-static and a symlink
# per applet, the empty mount points, root's passwd/group entries and /dev/console.
#
#   build-initramfs.sh OUTPUT AIRLOCK_GUEST_BINARY
#
# The archive is written by this script itself, in the spirit of the kernel's usr/gen_init_cpio,
# so that /dev/console exists without mknod (no root needed) and the bytes are reproducible:
# entries sorted, uid/gid 0, every mtime SOURCE_DATE_EPOCH (default 0). It stays uncompressed on
# purpose: the kernel then copies it instead of decompressing it at every boot.
# BUSYBOX=path overrides /bin/busybox.
set -euo pipefail
export LC_ALL=C

if [[ $# -ne 2 ]]; then
    echo "usage: build-initramfs.sh OUTPUT AIRLOCK_GUEST_BINARY" >&2
    exit 2
fi
output=$1
guest=$2
busybox=${BUSYBOX:-/bin/busybox}
mtime=${SOURCE_DATE_EPOCH:-0}

fail() {
    echo "build-initramfs: $*" >&2
    exit 1
}

[[ -f $guest && -x $guest ]] || fail "$guest: no airlock-guest binary there"
[[ -x $busybox ]] || fail "$busybox is missing; install Debian's busybox-static package"
# Debian's plain busybox package is dynamically linked and would not run in the initramfs.
is_static() {
    ! LC_ALL=C readelf -lW "$1" 2>/dev/null | grep -q 'Requesting program interpreter'
}
command -v readelf >/dev/null && command -v strip >/dev/null || fail "readelf and strip (binutils) are needed"
is_static "$busybox" || fail "$busybox is dynamically linked; install busybox-static (not busybox)"
is_static "$guest" || fail "$guest is dynamically linked; it must be linked with -static"
applets=$("$busybox" --list-full) || fail "$busybox --list-full failed"

# Debug info stays in the build tree; the guest gets a stripped copy (about 0.9 MB instead of 2).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
strip -o "$work/init" "$guest" || fail "strip $guest failed"
echo "root:x:0:0:root:/root:/bin/sh" >"$work/passwd"
echo "root:x:0:" >"$work/group"

# --- The entries: "path type mode [source|target|major minor]", one a line ----------------------
entries=$(
    for dir in bin dev etc mnt proc root run sbin sys tmp usr usr/bin usr/sbin \
        datasets work outbox; do
        case $dir in
        root) echo "$dir dir 0700" ;;
        tmp) echo "$dir dir 1777" ;;
        *) echo "$dir dir 0755" ;;
        esac
    done
    echo "init file 0755 $work/init"
    echo "bin/busybox file 0755 $busybox"
    echo "etc/passwd file 0644 $work/passwd"
    echo "etc/group file 0644 $work/group"
    echo "dev/console char 0600 5 1"
    for tool in airlock-fb-pattern airlock-fb-animate airlock-input-events; do
        echo "bin/$tool symlink 0777 /init"
    done
    # linuxrc is the old initrd entry point; /init is ours.
    grep -vxE 'bin/busybox|init|linuxrc' <<<"$applets" | sed 's|$| symlink 0777 /bin/busybox|'
)
entries=$(sort -u -k1,1 <<<"$entries")

# --- newc writer --------------------------------------------------------------------------------
tmp=$(mktemp "$output.XXXXXX")
trap 'rm -rf "$work" "$tmp"' EXIT
exec 3>"$tmp"
offset=0
inode=1

pad_to_4() {
    local padding=$(((4 - offset % 4) % 4))
    if ((padding > 0)); then
        head -c "$padding" /dev/zero >&3
        offset=$((offset + padding))
    fi
}

# header NAME MODE SIZE NLINK RDEVMAJOR RDEVMINOR: a newc header and the name, padded to 4.
header() {
    local name=$1 mode=$2 size=$3 nlink=$4 rmajor=$5 rminor=$6
    local namesize=$((${#name} + 1))
    printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s\0' \
        "$inode" "$mode" 0 0 "$nlink" "$mtime" "$size" 0 0 "$rmajor" "$rminor" "$namesize" 0 \
        "$name" >&3
    offset=$((offset + 110 + namesize))
    inode=$((inode + 1))
    pad_to_4
}

while read -r path type mode arg1 arg2; do
    perm=$((8#$mode))
    case $type in
    dir) header "$path" $((8#040000 | perm)) 0 2 0 0 ;;
    file)
        size=$(stat -L -c %s "$arg1")
        header "$path" $((8#0100000 | perm)) "$size" 1 0 0
        cat "$arg1" >&3
        offset=$((offset + size))
        pad_to_4
        ;;
    symlink)
        header "$path" $((8#0120000 | perm)) "${#arg1}" 1 0 0
        printf '%s' "$arg1" >&3
        offset=$((offset + ${#arg1}))
        pad_to_4
        ;;
    char) header "$path" $((8#020000 | perm)) 0 1 "$arg1" "$arg2" ;;
    *) fail "internal: unknown entry type $type" ;;
    esac
done <<<"$entries"

inode=0
header "TRAILER!!!" 0 0 1 0 0
# Like cpio(1), end on a 512-byte block.
tail_padding=$(((512 - offset % 512) % 512))
head -c "$tail_padding" /dev/zero >&3
exec 3>&-

chmod 0644 "$tmp"
mv -f "$tmp" "$output"
echo "build-initramfs: $output ($(stat -c %s "$output") bytes, $(wc -l <<<"$entries") entries)" >&2
