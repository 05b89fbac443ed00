#include "VirtioDevices.h"

#include "arch/x86_64/Layout.h"
#include "bus/Bus.h"
#include "kvm/VmFd.h"
#include "memory/GuestMemory.h"
#include "sys/EventLoop.h"

#include <cstdio>

namespace vmm {

using namespace x86_64;

static uint64_t slotBase(size_t slot)
{
    return kVirtioMmioBase + slot * kVirtioMmioWindow;
}

Result<std::shared_ptr<MmioTransport>> VirtioDevices::add(std::shared_ptr<VirtioDevice> device,
    const GuestMemory& memory, const VmFd& vm, Bus& mmioBus, EventLoop& loop)
{
    size_t slot = m_transports.size();
    if (slot >= kVirtioMaxDevices)
        return failure(Error::invalid("virtio", "more than " + std::to_string(kVirtioMaxDevices)
                + " devices; attach fewer datasets"));
    uint64_t base = slotBase(slot);
    auto transport = VMM_TRY(MmioTransport::create(std::move(device), memory));
    VMM_TRY(mmioBus.insert({ base, MmioTransport::kWindowSize }, transport));
    for (size_t queue = 0; queue < transport->queueCount(); ++queue)
        VMM_TRY(vm.registerIoEventFd(transport->notifyEventFd(queue), base + MmioTransport::kQueueNotify,
            static_cast<uint32_t>(queue)));
    VMM_TRY(vm.registerIrqFd(transport->interruptEventFd(), kVirtioFirstIrq + static_cast<uint32_t>(slot)));
    VMM_TRY(transport->attach(loop));
    m_transports.push_back(transport);
    return transport;
}

std::string VirtioDevices::kernelParametersFor(size_t count)
{
    std::string parameters;
    for (size_t slot = 0; slot < count; ++slot) {
        char text[64];
        std::snprintf(text, sizeof text, "virtio_mmio.device=4K@%#llx:%u",
            static_cast<unsigned long long>(slotBase(slot)), kVirtioFirstIrq + static_cast<unsigned>(slot));
        parameters += (parameters.empty() ? "" : " ") + std::string(text);
    }
    return parameters;
}

std::string VirtioDevices::kernelParameters() const
{
    return kernelParametersFor(m_transports.size());
}

} // namespace vmm
