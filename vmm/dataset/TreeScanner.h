#pragma once

#include "FileOpener.h"
#include "ScannedTree.h"
#include "sys/Result.h"

#include <string>

namespace vmm {

/// Walks a dataset folder (or takes one file) without ever following a symlink on the host and
/// without reading any file's data: names, lstat metadata, symlink targets, and a check that every
/// file and folder can be opened read-only, so that an unreadable one is named at mount time.
class TreeScanner {
public:
    /// Scans `hostPath`: a folder (the dataset's root) or a regular file (the root holds it).
    static Result<ScannedTree> scan(const std::string& hostPath);
    /// Scans a dataset whose every file and folder is opened through `source.opener` (such as one
    /// the dataset broker opened): nothing is opened by path.
    static Result<ScannedTree> scan(DatasetSource source);
};

} // namespace vmm
