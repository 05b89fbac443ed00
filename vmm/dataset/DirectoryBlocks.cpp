#include "DirectoryBlocks.h"

#include "ErofsFormat.h"

#include <algorithm>
#include <cstring>

namespace vmm {

namespace {

uint8_t fileTypeOf(EntryKind kind)
{
    switch (kind) {
    case EntryKind::Directory:
        return erofs::EROFS_FT_DIR;
    case EntryKind::RegularFile:
        return erofs::EROFS_FT_REG_FILE;
    case EntryKind::Symlink:
        return erofs::EROFS_FT_SYMLINK;
    }
    return 0;
}

// Calls visit(block, first, count) for each block's run of names, packed as mkfs.erofs does.
template<typename Visit> void forEachBlock(std::span<const DirectoryName> names, Visit&& visit)
{
    uint64_t block = 0;
    size_t first = 0;
    uint64_t used = 0;
    for (size_t index = 0; index < names.size(); ++index) {
        uint64_t length = sizeof(erofs::Dirent) + names[index].name.size();
        if (used + length > erofs::kBlockSize) {
            visit(block++, first, index - first, used);
            first = index;
            used = 0;
        }
        used += length;
    }
    visit(block, first, names.size() - first, used);
}

} // namespace

std::vector<DirectoryName> DirectoryBlocks::sortedNames(const ScannedTree& tree, uint32_t folder)
{
    const TreeEntry& self = tree.entries[folder];
    std::vector<DirectoryName> names;
    names.reserve(self.childCount + 2);
    names.push_back({".", folder});
    names.push_back({"..", self.parent});
    for (uint32_t child = self.firstChild; child < self.firstChild + self.childCount; ++child)
        names.push_back({tree.entries[child].name, child});
    // Byte order, as the kernel's erofs_dirnamecmp compares (unsigned, shorter prefix first).
    std::sort(names.begin(), names.end(),
        [](const DirectoryName& a, const DirectoryName& b) { return a.name < b.name; });
    return names;
}

uint64_t DirectoryBlocks::sizeOf(std::span<const DirectoryName> names)
{
    uint64_t size = 0;
    forEachBlock(names, [&](uint64_t block, size_t, size_t, uint64_t used) {
        size = block * erofs::kBlockSize + used;
    });
    return size;
}

void DirectoryBlocks::write(std::span<const DirectoryName> names, const ScannedTree& tree,
    std::span<const uint64_t> nids,
    const std::function<std::span<uint8_t>(uint64_t block)>& destinationOf)
{
    forEachBlock(names, [&](uint64_t block, size_t first, size_t count, uint64_t used) {
        std::span<uint8_t> destination = destinationOf(block);
        if (destination.size() < used)
            return; // the layout reserved less than the packing needs: a bug, never overrun
        size_t nameOffset = count * sizeof(erofs::Dirent);
        for (size_t index = 0; index < count; ++index) {
            const DirectoryName& name = names[first + index];
            erofs::Dirent dirent {};
            dirent.nid = nids[name.entry];
            dirent.nameoff = static_cast<uint16_t>(nameOffset);
            dirent.file_type = fileTypeOf(tree.entries[name.entry].kind);
            std::memcpy(destination.data() + index * sizeof dirent, &dirent, sizeof dirent);
            std::memcpy(destination.data() + nameOffset, name.name.data(), name.name.size());
            nameOffset += name.name.size();
        }
    });
}

} // namespace vmm
