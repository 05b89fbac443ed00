#pragma once

#include "ScannedTree.h"

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

namespace vmm {

/// One name in a directory as EROFS stores it: the entry it leads to, "." and ".." included.
struct DirectoryName {
    std::string_view name;
    uint32_t entry = 0;
};

/// A folder's EROFS directory data (fs/erofs/namei.c, dir.c): names sorted by their bytes, "." and
/// ".." among them, packed into 4 KiB blocks that each start with their dirents and end with their
/// names. The kernel looks names up by binary search across blocks and then within one, so the
/// order and the packing must be exactly this.
class DirectoryBlocks {
public:
    /// The names of folder `folder` of `tree`, sorted.
    static std::vector<DirectoryName> sortedNames(const ScannedTree& tree, uint32_t folder);
    /// The directory's i_size: whole blocks before the last, plus the bytes the last one uses.
    static uint64_t sizeOf(std::span<const DirectoryName> names);
    /// Writes the directory's blocks: logical block b goes to destinationOf(b), which is zeroed
    /// and holds at least the bytes that block uses; nids and file types come from `nids`, `tree`.
    static void write(std::span<const DirectoryName> names, const ScannedTree& tree,
        std::span<const uint64_t> nids,
        const std::function<std::span<uint8_t>(uint64_t block)>& destinationOf);
};

} // namespace vmm
