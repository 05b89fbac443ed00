#include "DirectOpener.h"

#include "OpenBeneath.h"

#include <cerrno>
#include <fcntl.h>

namespace vmm {

namespace {

constexpr int kAllowedFlags = O_DIRECTORY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC;

} // namespace

Result<std::shared_ptr<DirectOpener>> DirectOpener::create(const std::string& baseFolder)
{
    UniqueFd folder =
        VMM_TRY(UniqueFd::open(baseFolder.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
    return std::make_shared<DirectOpener>(std::move(folder));
}

DirectOpener::DirectOpener(UniqueFd baseFolder)
    : m_baseFolder(std::move(baseFolder))
{
}

Result<UniqueFd> DirectOpener::open(const std::string& relativePath, int flags)
{
    if ((flags & O_ACCMODE) != O_RDONLY || (flags & ~(O_ACCMODE | kAllowedFlags)) != 0)
        return failure(
            Error::fromErrno("open beneath", EINVAL, "only read-only opens are allowed"));
    return openBeneath(m_baseFolder.get(), relativePath.empty() ? "." : relativePath, flags);
}

} // namespace vmm
