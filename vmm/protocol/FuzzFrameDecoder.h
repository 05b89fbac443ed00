#pragma once

#include <cstddef>
#include <cstdint>

namespace vmm {

/// libFuzzer entry for the frame decoder and every message parser: the input is split into
/// pieces by its first byte, fed to a FrameDecoder, and each decoded frame goes through the
/// fromJson of its kind. Always returns 0; a crash, hang or sanitizer report is the finding.
int fuzzFrameDecoder(const uint8_t* data, size_t size);

} // namespace vmm
