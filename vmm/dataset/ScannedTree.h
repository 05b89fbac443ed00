#pragma once

#include "FileOpener.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace vmm {

/// What a dataset entry is; sockets, fifos and devices are left out of a scan.
enum class EntryKind : uint8_t { Directory, RegularFile, Symlink };

/// One folder, file or symlink of a scanned dataset, as lstat saw it.
struct TreeEntry {
    std::string name; // empty for the root
    uint32_t parent = 0; // the root is its own parent
    EntryKind kind = EntryKind::RegularFile;
    uint16_t permissions = 0; // mode & 0777
    uint64_t size = 0; // bytes of a file, length of a symlink's target
    int64_t mtimeSeconds = 0;
    uint32_t mtimeNanoseconds = 0;
    uint64_t device = 0;
    uint64_t inode = 0;
    std::string linkTarget; // symlinks only: the target text, never resolved on the host
    uint32_t firstChild = 0; // directories: children are entries [firstChild, +childCount)
    uint32_t childCount = 0;
};

/// A dataset's tree in breadth-first order (entry 0 is the root; each folder's children are
/// contiguous and sorted by name bytes), with the opener of the folder relative paths start from.
struct ScannedTree {
    /// Opens every relativePath() beneath the base folder: the dataset folder, or for a one-file
    /// dataset the folder that holds the file. Every open of a dataset file goes through it.
    std::shared_ptr<FileOpener> opener;
    /// One-file datasets: the file's name in the base folder (the only thing opened there).
    std::string oneFileName;
    /// Whether the scan started from the host path itself (not through a granted opener): such a
    /// dataset is re-scanned by its path when its manifest is verified.
    bool scannedByPath = false;
    std::string hostPath;
    std::string name;
    std::vector<TreeEntry> entries;
    uint64_t fileCount = 0;
    uint64_t folderCount = 0; // not counting the root
    uint64_t symlinkCount = 0;
    uint64_t skippedCount = 0; // sockets, fifos, devices
    uint64_t totalBytes = 0; // sum of the regular files' sizes
    std::vector<std::string> skippedExamples; // the first few skipped paths, for the user

    /// The path of entry `index` below baseFd ("a/b/c"); empty for the root.
    std::string relativePath(uint32_t index) const;
};

} // namespace vmm
