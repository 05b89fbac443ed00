#include "ErofsBuilder.h"

#include "Crc32c.h"
#include "DirectoryBlocks.h"
#include "ErofsFormat.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include <sys/stat.h>

namespace vmm {

namespace {

using namespace vmm::erofs;

constexpr uint64_t kInodeAreaStart = kBlockSize; // block 0 holds the superblock
constexpr uint64_t kMaximumBlocks = std::numeric_limits<uint32_t>::max();

uint64_t blocksFor(uint64_t bytes)
{
    return bytes / kBlockSize + (bytes % kBlockSize != 0 ? 1 : 0);
}

uint64_t roundUp(uint64_t value, uint64_t unit)
{
    return (value + unit - 1) / unit * unit;
}

// Where one entry's inode goes and how its data is laid out.
struct InodePlan {
    uint64_t offset = 0; // byte offset of the inode in the image
    uint64_t size = 0; // i_size
    uint32_t rawBlock = 0; // first data block (flat) or the full blocks before the inline tail
    uint32_t links = 1;
    bool extended = false;
    bool inlineTail = false;
};

class Builder {
public:
    explicit Builder(const ScannedTree& tree)
        : m_tree(tree)
        , m_plans(tree.entries.size())
        , m_nids(tree.entries.size())
    {
    }

    Result<ErofsLayout> build()
    {
        placeInodes();
        VMM_TRY(allocateBlocks());
        m_layout.metadata.assign(m_metadataBlocks * kBlockSize, 0);
        for (uint32_t index = 0; index < m_plans.size(); ++index)
            writeEntry(index);
        writeSuperBlock();
        return std::move(m_layout);
    }

private:
    // Sizes each inode, decides inline tails, and packs the inodes from block 1 on: 32-byte
    // slots, none crossing a block boundary together with its inline data.
    void placeInodes()
    {
        uint64_t offset = kInodeAreaStart;
        for (uint32_t index = 0; index < m_tree.entries.size(); ++index) {
            const TreeEntry& entry = m_tree.entries[index];
            InodePlan& plan = m_plans[index];
            uint64_t inlineBytes = 0;
            switch (entry.kind) {
            case EntryKind::Directory: {
                plan.size = DirectoryBlocks::sizeOf(DirectoryBlocks::sortedNames(m_tree, index));
                plan.links = 2 + subfolderCount(entry);
                plan.extended = plan.links > std::numeric_limits<uint16_t>::max();
                // One zero byte after the inline tail ends the last name for the kernel's lookup,
                // which compares up to a NUL or the end of a whole block.
                uint64_t tail = plan.size - (blocksFor(plan.size) - 1) * kBlockSize;
                plan.inlineTail = inodeSize(plan) + tail + 1 <= kBlockSize;
                inlineBytes = plan.inlineTail ? tail + 1 : 0;
                break;
            }
            case EntryKind::Symlink:
                plan.size = entry.linkTarget.size();
                plan.inlineTail = inodeSize(plan) + plan.size <= kBlockSize;
                inlineBytes = plan.inlineTail ? plan.size : 0;
                break;
            case EntryKind::RegularFile:
                plan.size = entry.size;
                plan.extended = entry.size > std::numeric_limits<uint32_t>::max();
                break;
            }
            uint64_t needed = inodeSize(plan) + inlineBytes;
            if (offset % kBlockSize + needed > kBlockSize)
                offset = roundUp(offset, kBlockSize);
            plan.offset = offset;
            m_nids[index] = offset / kInodeSlotSize;
            offset += roundUp(needed, kInodeSlotSize);
        }
        m_inodeAreaEnd = roundUp(offset, kBlockSize);
    }

    // Folder blocks and long symlink targets go in the metadata after the inodes; file data after
    // all metadata, in scan order.
    Result<void> allocateBlocks()
    {
        uint64_t cursor = m_inodeAreaEnd / kBlockSize;
        for (uint32_t index = 0; index < m_plans.size(); ++index) {
            InodePlan& plan = m_plans[index];
            if (m_tree.entries[index].kind == EntryKind::RegularFile)
                continue;
            plan.rawBlock = static_cast<uint32_t>(cursor);
            cursor += blocksFor(plan.size) - (plan.inlineTail ? 1 : 0);
            if (cursor > kMaximumBlocks)
                return failure(tooLarge());
        }
        m_metadataBlocks = cursor;
        for (uint32_t index = 0; index < m_plans.size(); ++index) {
            InodePlan& plan = m_plans[index];
            if (m_tree.entries[index].kind != EntryKind::RegularFile || plan.size == 0)
                continue;
            plan.rawBlock = static_cast<uint32_t>(cursor);
            m_layout.files.push_back({cursor, plan.size, index});
            cursor += blocksFor(plan.size);
            if (cursor > kMaximumBlocks)
                return failure(tooLarge());
        }
        m_layout.totalBlocks = cursor;
        return {};
    }

    Error tooLarge() const
    {
        return Error::invalid("dataset",
            "\"" + m_tree.hostPath +
                "\" is too large for one dataset disk (EROFS addresses at most 16 TiB); add "
                "its folders as separate datasets");
    }

    void writeEntry(uint32_t index)
    {
        const TreeEntry& entry = m_tree.entries[index];
        const InodePlan& plan = m_plans[index];
        writeInode(index);
        uint8_t* inlineStart = m_layout.metadata.data() + plan.offset + inodeSize(plan);
        if (entry.kind == EntryKind::Symlink) {
            uint8_t* destination = plan.inlineTail
                ? inlineStart
                : m_layout.metadata.data() + uint64_t {plan.rawBlock} * kBlockSize;
            std::memcpy(destination, entry.linkTarget.data(), entry.linkTarget.size());
        } else if (entry.kind == EntryKind::Directory) {
            uint64_t fullBlocks = blocksFor(plan.size) - (plan.inlineTail ? 1 : 0);
            auto names = DirectoryBlocks::sortedNames(m_tree, index);
            DirectoryBlocks::write(names, m_tree, m_nids, [&](uint64_t block) {
                if (block < fullBlocks)
                    return std::span<uint8_t>(
                        m_layout.metadata.data() + (plan.rawBlock + block) * kBlockSize,
                        kBlockSize);
                return std::span<uint8_t>(inlineStart, plan.size - fullBlocks * kBlockSize);
            });
        }
    }

    void writeInode(uint32_t index)
    {
        const TreeEntry& entry = m_tree.entries[index];
        const InodePlan& plan = m_plans[index];
        uint16_t layout = plan.inlineTail ? EROFS_INODE_FLAT_INLINE : EROFS_INODE_FLAT_PLAIN;
        uint16_t mode = static_cast<uint16_t>(modeType(entry.kind) | entry.permissions);
        uint8_t* destination = m_layout.metadata.data() + plan.offset;
        if (plan.extended) {
            InodeExtended inode {};
            inode.i_format = inodeFormat(EROFS_INODE_LAYOUT_EXTENDED, layout);
            inode.i_mode = mode;
            inode.i_size = plan.size;
            inode.i_raw_blkaddr = plan.rawBlock;
            inode.i_ino = index + 1;
            inode.i_mtime = static_cast<uint64_t>(entry.mtimeSeconds);
            inode.i_mtime_nsec = entry.mtimeNanoseconds;
            inode.i_nlink = plan.links;
            std::memcpy(destination, &inode, sizeof inode);
        } else {
            InodeCompact inode {};
            inode.i_format = inodeFormat(EROFS_INODE_LAYOUT_COMPACT, layout);
            inode.i_mode = mode;
            inode.i_nlink = static_cast<uint16_t>(plan.links);
            inode.i_size = static_cast<uint32_t>(plan.size);
            inode.i_raw_blkaddr = plan.rawBlock;
            inode.i_ino = index + 1;
            std::memcpy(destination, &inode, sizeof inode);
        }
    }

    void writeSuperBlock()
    {
        SuperBlock superBlock {};
        superBlock.magic = EROFS_SUPER_MAGIC_V1;
        superBlock.feature_compat = EROFS_FEATURE_COMPAT_SB_CHKSUM;
        superBlock.blkszbits = kBlockSizeBits;
        superBlock.root_nid = static_cast<uint16_t>(m_nids[0]);
        superBlock.inos = m_tree.entries.size();
        // Compact inodes take their mtime from here: the newest one in the dataset.
        auto newest = std::max_element(m_tree.entries.begin(), m_tree.entries.end(),
            [](const TreeEntry& a, const TreeEntry& b) { return a.mtimeSeconds < b.mtimeSeconds; });
        superBlock.build_time = static_cast<uint64_t>(newest->mtimeSeconds);
        superBlock.build_time_nsec = newest->mtimeNanoseconds;
        superBlock.blocks = static_cast<uint32_t>(m_layout.totalBlocks);
        size_t labelLength = std::min(m_tree.name.size(), sizeof superBlock.volume_name - 1);
        while (labelLength > 0 && (m_tree.name[labelLength] & 0xc0) == 0x80)
            --labelLength; // do not cut a UTF-8 character in two
        std::memcpy(superBlock.volume_name, m_tree.name.data(), labelLength);

        std::span<uint8_t> checked(
            m_layout.metadata.data() + EROFS_SUPER_OFFSET, kBlockSize - EROFS_SUPER_OFFSET);
        std::memcpy(checked.data(), &superBlock, sizeof superBlock);
        superBlock.checksum = crc32c(~0u, checked);
        std::memcpy(checked.data(), &superBlock, sizeof superBlock);
    }

    uint32_t subfolderCount(const TreeEntry& folder) const
    {
        uint32_t count = 0;
        for (uint32_t child = folder.firstChild; child < folder.firstChild + folder.childCount;
             ++child)
            count += m_tree.entries[child].kind == EntryKind::Directory ? 1u : 0u;
        return count;
    }

    static uint64_t inodeSize(const InodePlan& plan)
    {
        return plan.extended ? sizeof(InodeExtended) : sizeof(InodeCompact);
    }

    static uint16_t modeType(EntryKind kind)
    {
        switch (kind) {
        case EntryKind::Directory:
            return S_IFDIR;
        case EntryKind::RegularFile:
            return S_IFREG;
        case EntryKind::Symlink:
            return S_IFLNK;
        }
        return 0;
    }

    const ScannedTree& m_tree;
    std::vector<InodePlan> m_plans;
    std::vector<uint64_t> m_nids;
    uint64_t m_inodeAreaEnd = 0;
    uint64_t m_metadataBlocks = 0;
    ErofsLayout m_layout;
};

} // namespace

Result<ErofsLayout> ErofsBuilder::build(const ScannedTree& tree)
{
    if (tree.entries.empty())
        return failure(Error::invalid("dataset", "nothing was scanned"));
    return Builder(tree).build();
}

} // namespace vmm
