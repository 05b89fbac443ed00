#pragma once

// The guest-side scripts of tst_vmm_datasets, apart from the test class: moc 6.4 cannot parse
// raw string literals with a delimiter, and these need one (they hold ')"').

inline constexpr char kHashesScript[] = R"SH(cd "/datasets/study 1" || exit 3
echo BEGIN-HASHES
find . -type f | sort | while IFS= read -r f; do sha256sum "$f"; done
echo END-HASHES
echo relative=$(readlink relative-link) escape=$(readlink escape-link)
cat escape-link 2>/dev/null
[ -d "empty folder" ] && echo empty-folder-present
mount | grep -q "/datasets/study 1 type erofs (ro" && echo mounted-erofs-ro
)SH";

inline constexpr char kBigFileScript[] = R"SH(f=/datasets/big/huge.img
echo size=$(stat -c %s $f)
echo boundary=$(dd if=$f bs=4096 skip=1048575 count=2 2>/dev/null | sha256sum | cut -c1-64)
echo tail=$(dd if=$f bs=4096 skip=1310720 count=1 2>/dev/null | sha256sum | cut -c1-64)
)SH";

// Every name is listed (readdir over the whole folder), and files spread over it are found by
// name (the kernel's binary search over the folder's blocks) and read. Reading all 100,000 would
// take many minutes under the lab's emulation; the unit tests read every one through fsck.erofs.
inline constexpr char kManyFilesScript[] = R"SH(cd /datasets/many || exit 3
echo count=$(ls | wc -l) last=$(ls | tail -1)
echo sample=$(for i in 000000 000001 012345 049999 050000 077777 099998 099999; do cat f$i; done | tr '\n' ,)
)SH";

inline constexpr char kWriteScript[] = R"SH(d=/datasets/protected
touch $d/new.txt 2>/dev/null; echo touch=$?
echo tampered >> $d/record.csv 2>/dev/null; echo append=$?
for s in /sys/block/vd*; do [ "$(cat $s/serial)" = airlock-ds1 ] && disk=/dev/${s##*/}; done
echo disk=$disk
dd if=/dev/zero of=$disk bs=4096 count=1 conv=fsync 2>/dev/null; echo raw=$?
blockdev --setrw $disk 2>/dev/null
dd if=/dev/zero of=$disk bs=4096 count=1 oflag=direct 2>/dev/null; echo rawdirect=$?
sync
)SH";

