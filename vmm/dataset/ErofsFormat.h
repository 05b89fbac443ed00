#pragma once

// The EROFS on-disk format as Linux 6.1 reads it (fs/erofs/erofs_fs.h): the superblock, compact
// and extended inodes and directory entries, with the constants Airlock's synthesized images use.
// Little-endian on disk; Airlock builds only for little-endian hosts (x86_64).

#include <bit>
#include <cstdint>

namespace vmm::erofs {

static_assert(std::endian::native == std::endian::little, "EROFS is little-endian on disk");

inline constexpr uint32_t EROFS_SUPER_MAGIC_V1 = 0xe0f5e1e2;
inline constexpr uint64_t EROFS_SUPER_OFFSET = 1024;
inline constexpr uint32_t EROFS_FEATURE_COMPAT_SB_CHKSUM = 0x00000001;

inline constexpr uint8_t kBlockSizeBits = 12;
inline constexpr uint64_t kBlockSize = uint64_t {1} << kBlockSizeBits;
/// Inode slots are 32 bytes: nid = (byte offset from meta_blkaddr) / 32.
inline constexpr uint64_t kInodeSlotSize = 32;
inline constexpr uint32_t EROFS_NAME_LEN = 255;

/// i_format: bit 0 the inode version, bits 1-3 the data layout.
inline constexpr uint16_t EROFS_INODE_LAYOUT_COMPACT = 0;
inline constexpr uint16_t EROFS_INODE_LAYOUT_EXTENDED = 1;
inline constexpr uint16_t EROFS_INODE_FLAT_PLAIN = 0;
inline constexpr uint16_t EROFS_INODE_FLAT_INLINE = 2;
inline constexpr uint16_t EROFS_I_DATALAYOUT_BIT = 1;

/// Directory entry file types (the generic FT_* values).
inline constexpr uint8_t EROFS_FT_REG_FILE = 1;
inline constexpr uint8_t EROFS_FT_DIR = 2;
inline constexpr uint8_t EROFS_FT_SYMLINK = 7;

/// struct erofs_super_block (128 bytes at EROFS_SUPER_OFFSET).
struct [[gnu::packed]] SuperBlock {
    uint32_t magic;
    uint32_t checksum; // crc32c of the block from EROFS_SUPER_OFFSET, this field zeroed
    uint32_t feature_compat;
    uint8_t blkszbits;
    uint8_t sb_extslots;
    uint16_t root_nid;
    uint64_t inos;
    uint64_t build_time; // mtime of compact inodes
    uint32_t build_time_nsec;
    uint32_t blocks;
    uint32_t meta_blkaddr;
    uint32_t xattr_blkaddr;
    uint8_t uuid[16];
    uint8_t volume_name[16];
    uint32_t feature_incompat;
    uint16_t available_compr_algs;
    uint16_t extra_devices;
    uint16_t devt_slotoff;
    uint8_t dirblkbits;
    uint8_t reserved[5];
    uint64_t packed_nid;
    uint8_t reserved2[24];
};
static_assert(sizeof(SuperBlock) == 128);

/// struct erofs_inode_compact (32 bytes): size < 4 GiB, 16-bit nlink/uid/gid, mtime = build_time.
struct [[gnu::packed]] InodeCompact {
    uint16_t i_format;
    uint16_t i_xattr_icount;
    uint16_t i_mode;
    uint16_t i_nlink;
    uint32_t i_size;
    uint32_t i_reserved;
    uint32_t i_raw_blkaddr;
    uint32_t i_ino;
    uint16_t i_uid;
    uint16_t i_gid;
    uint32_t i_reserved2;
};
static_assert(sizeof(InodeCompact) == 32);

/// struct erofs_inode_extended (64 bytes): 64-bit size, 32-bit nlink/uid/gid, its own mtime.
struct [[gnu::packed]] InodeExtended {
    uint16_t i_format;
    uint16_t i_xattr_icount;
    uint16_t i_mode;
    uint16_t i_reserved;
    uint64_t i_size;
    uint32_t i_raw_blkaddr;
    uint32_t i_ino;
    uint32_t i_uid;
    uint32_t i_gid;
    uint64_t i_mtime;
    uint32_t i_mtime_nsec;
    uint32_t i_nlink;
    uint8_t i_reserved2[16];
};
static_assert(sizeof(InodeExtended) == 64);

/// struct erofs_dirent (12 bytes); a directory block holds the dirents, then their names.
struct [[gnu::packed]] Dirent {
    uint64_t nid;
    uint16_t nameoff;
    uint8_t file_type;
    uint8_t reserved;
};
static_assert(sizeof(Dirent) == 12);

/// The i_format value for an inode version and data layout.
constexpr uint16_t inodeFormat(uint16_t version, uint16_t dataLayout)
{
    return static_cast<uint16_t>(version | (dataLayout << EROFS_I_DATALAYOUT_BIT));
}

} // namespace vmm::erofs
