// libFuzzer target: the frame decoder that reads everything arriving on the control channel and
// the guest agent channel (hostile input from a compromised VMM or guest). Any byte stream must
// yield frames or a protocol error, never a crash, a hang or an allocation beyond the caps.

#include "protocol/FuzzFrameDecoder.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    return vmm::fuzzFrameDecoder(data, size);
}
