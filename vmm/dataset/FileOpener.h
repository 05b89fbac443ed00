#pragma once

#include "sys/Result.h"
#include "sys/UniqueFd.h"

#include <memory>
#include <string>
#include <string_view>

namespace vmm {

/// The one way dataset code opens a file or folder beneath a dataset's base folder: directly
/// (DirectOpener) or, once airlock-vmm is sandboxed, through the dataset broker (BrokerOpener).
class FileOpener {
public:
    virtual ~FileOpener() = default;
    /// Opens `relativePath` ("" = the base folder) beneath the dataset's base folder, read-only,
    /// never following a symlink, never leaving the base folder. `flags`: O_RDONLY plus any of
    /// O_DIRECTORY, O_NONBLOCK, O_NOCTTY; O_NOFOLLOW and O_CLOEXEC are always added. Can be
    /// called from any thread.
    virtual Result<UniqueFd> open(const std::string& relativePath, int flags) = 0;
};

/// The operation() of an Error that says the opener itself failed (the dataset broker stopped or
/// refused the request), not the file: such an error is shown as it is, not as an unreadable file.
inline constexpr std::string_view kOpenerFailure = "dataset broker";

/// Where a dataset's files come from when they are opened through a FileOpener.
struct DatasetSource {
    std::string hostPath; // as given: for messages and the manifest, never opened by path
    std::shared_ptr<FileOpener> opener; // opens everything beneath the base folder
    std::string oneFileName; // non-empty: a one-file dataset, this file in the base folder
};

} // namespace vmm
