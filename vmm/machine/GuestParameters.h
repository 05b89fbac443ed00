#pragma once

#include "sys/Result.h"

#include <string>
#include <string_view>

namespace vmm {

/// Refuses dataset names the guest could not use as one directory under /datasets: empty, longer
/// than 255 bytes, ".", "..", or holding '/', NUL or other control characters. Spaces and UTF-8
/// are fine.
Result<void> validateDatasetName(std::string_view name);

/// The name a dataset gets when none is given: the last component of its host path.
std::string defaultDatasetName(std::string_view hostPath);

/// RFC 4648 §5 base64url without padding: kernel-parameter safe (no space, quote or '=').
std::string base64UrlEncode(std::string_view bytes);

/// The kernel parameter that names dataset disk `index` for airlock-guest: airlock.ds<N>=<base64url>.
std::string datasetKernelParameter(size_t index, std::string_view name);

} // namespace vmm
