#pragma once

#include "FileOpener.h"

#include <memory>
#include <string>

namespace vmm {

/// Opens files beneath a folder this process holds open itself (openBeneath: openat2 with
/// RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS): what a dataset given at start uses.
class DirectOpener final : public FileOpener {
public:
    /// Opens `baseFolder` (following no symlink at its end) and opens beneath it from then on.
    static Result<std::shared_ptr<DirectOpener>> create(const std::string& baseFolder);
    /// Opens beneath `baseFolder`, an open folder it takes ownership of.
    explicit DirectOpener(UniqueFd baseFolder);

    Result<UniqueFd> open(const std::string& relativePath, int flags) override;

private:
    UniqueFd m_baseFolder;
};

} // namespace vmm
