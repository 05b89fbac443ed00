#pragma once

#include "ScannedTree.h"
#include "sys/Result.h"

#include <cstdint>
#include <vector>

namespace vmm {

/// A regular file's data in the image: blocks [firstBlock, firstBlock + ceil(size / 4 KiB)),
/// read from the file itself; the tail of the last block reads as zeros.
struct FileExtent {
    uint64_t firstBlock = 0;
    uint64_t size = 0;
    uint32_t entry = 0; // index in ScannedTree::entries
};

/// A synthesized EROFS image: the metadata bytes (superblock, inodes, directories) that start it,
/// then every file's data as one contiguous run of blocks.
struct ErofsLayout {
    std::vector<uint8_t> metadata; // image bytes [0, metadata.size()), whole blocks
    std::vector<FileExtent> files; // sorted by firstBlock, all after the metadata
    uint64_t totalBlocks = 0;
};

/// Lays out a scanned tree as an EROFS image for Linux 6.1 (fs/erofs/erofs_fs.h): 4 KiB blocks,
/// no compression, compact inodes unless a file is 4 GiB or more (or a folder has 65,535 or more
/// subfolders), folders and symlinks with their last block inline after the inode, files flat.
class ErofsBuilder {
public:
    /// The layout of `tree`; fails if the image would exceed what EROFS can address (16 TiB).
    static Result<ErofsLayout> build(const ScannedTree& tree);
};

} // namespace vmm
