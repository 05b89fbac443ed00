#pragma once

#include "BrokerChannel.h"
#include "dataset/FileOpener.h"

#include <memory>

namespace vmm {

/// Opens files of one granted dataset through the dataset broker (FileOpener): the sandboxed VMM
/// opens nothing itself. Thread-safe (the device, control and manifest threads share it).
class BrokerOpener final : public FileOpener {
public:
    /// Opens beneath the dataset the broker granted as `handle`, over `channel`.
    BrokerOpener(std::shared_ptr<BrokerChannel> channel, uint32_t handle);

    Result<UniqueFd> open(const std::string& relativePath, int flags) override;

private:
    std::shared_ptr<BrokerChannel> m_channel;
    uint32_t m_handle;
};

} // namespace vmm
