#include "Machine.h"

#include "DisplayInput.h"
#include "GuestFramebuffer.h"
#include "dataset/ErofsImage.h"
#include "devices/Serial8250.h"
#include "virtio/MmioTransport.h"
#include "virtio/block/BlockDevice.h"
#include "virtio/input/VirtioInputDevice.h"

#include <cerrno>
#include <condition_variable>
#include <cstdio>

namespace vmm {

template<class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};

static std::string hex(uint64_t value)
{
    char text[24];
    std::snprintf(text, sizeof text, "%#llx", static_cast<unsigned long long>(value));
    return text;
}

Machine::Machine(GuestMemory memory, VmFd vm, EventFd stopEvent, std::unique_ptr<DeviceThread> devices,
    ConsoleOutput output)
    : m_memory(std::move(memory))
    , m_vm(std::move(vm))
    , m_stopEvent(std::move(stopEvent))
    , m_output(std::move(output))
    , m_watcher([this] { requestStop({ StopReason::Kind::PowerOff, 0, {} }); })
    , m_devices(std::move(devices))
{
}

Machine::~Machine()
{
    shutdown();
}

void Machine::setDisplay(std::unique_ptr<GuestFramebuffer> framebuffer,
    std::shared_ptr<VirtioInputDevice> keyboard, std::shared_ptr<VirtioInputDevice> tablet,
    std::string socketPath)
{
    m_displaySocketPath = std::move(socketPath);
    m_framebuffer = std::move(framebuffer);
    m_keyboard = std::move(keyboard);
    m_tablet = std::move(tablet);
    m_displayInput = std::make_unique<DisplayInput>(m_devices->loop(), m_keyboard, m_tablet);
}

InputSink* Machine::displayInput() const
{
    return m_displayInput.get();
}

Result<void> Machine::addVcpu(VcpuFd vcpu)
{
    m_vcpus.push_back(VMM_TRY(VcpuThread::create(std::move(vcpu), *this)));
    return {};
}

void Machine::consoleWrite(std::span<const uint8_t> bytes)
{
    if (m_output)
        m_output(bytes);
    m_watcher.consume(bytes);
}

size_t Machine::queueConsoleInput(std::span<const uint8_t> bytes)
{
    return m_console ? m_console->queueInput(bytes) : 0;
}

void Machine::start()
{
    m_devices->start();
    resume();
}

void Machine::pause()
{
    for (auto& vcpu : m_vcpus)
        vcpu->pause();
}

void Machine::resume()
{
    for (auto& vcpu : m_vcpus)
        vcpu->resume();
}

void Machine::requestStop(StopReason reason)
{
    // Without ACPI a panicking kernel resets the machine (panic=-1): the console tells which.
    if (reason.kind == StopReason::Kind::Reset || reason.kind == StopReason::Kind::TripleFault) {
        if (auto panic = m_watcher.panicMessage())
            reason = { StopReason::Kind::Panic, 0, *panic };
    }
    std::lock_guard lock(m_stopMutex);
    if (m_stopReason)
        return;
    m_stopReason = std::move(reason);
    m_stopEvent.signal();
}

std::optional<StopReason> Machine::stopReason() const
{
    std::lock_guard lock(m_stopMutex);
    return m_stopReason;
}

StopReason Machine::shutdown()
{
    for (auto& vcpu : m_vcpus)
        vcpu->stop();
    m_vcpus.clear();
    m_devices->stop();
    requestStop({ StopReason::Kind::HostRequest, 0, {} });
    return *stopReason();
}

Result<size_t> Machine::attachDataset(MachineDataset dataset, std::chrono::milliseconds timeout)
{
    if (spareDisksLeft() == 0)
        return failure(Error::invalid(
            "dataset", "this session can take no more datasets; start a new session with them"));
    struct Outcome {
        std::mutex mutex;
        std::condition_variable done;
        std::optional<Result<size_t>> result;
        bool abandoned = false;
    };
    auto outcome = std::make_shared<Outcome>();
    m_devices->loop().post([this, outcome, dataset = std::move(dataset)]() mutable {
        std::lock_guard lock(outcome->mutex);
        if (outcome->abandoned)
            return; // the caller gave up: fill nothing it would not know about
        outcome->result = attachOnDeviceThread(std::move(dataset));
        outcome->done.notify_all();
    });
    std::unique_lock lock(outcome->mutex);
    if (!outcome->done.wait_for(lock, timeout, [&] { return outcome->result.has_value(); })) {
        outcome->abandoned = true;
        return failure(Error::fromErrno("dataset", ETIMEDOUT,
            "the device thread did not take the disk in time; the session may be stopping"));
    }
    return std::move(*outcome->result);
}

Result<size_t> Machine::attachOnDeviceThread(MachineDataset dataset)
{
    size_t used = m_sparesUsed.load();
    if (used >= m_spares.size())
        return failure(Error::invalid(
            "dataset", "this session can take no more datasets; start a new session with them"));
    MachineSpareDisk& spare = m_spares[used];
    size_t index = m_datasets.size();
    // The guest's agent finds the disk by this serial (StoragePlan's "airlock-ds<N>").
    std::string serial = "airlock-ds" + std::to_string(index);
    VMM_TRY(spare.transport->changeConfiguration(
        [&] { return spare.device->fill(dataset.image, serial); }));
    m_sparesUsed.store(used + 1);
    m_disks.push_back({"dataset " + dataset.name, spare.device});
    m_datasets.push_back(std::move(dataset));
    return index;
}

std::vector<pid_t> Machine::vcpuThreadIds() const
{
    std::vector<pid_t> ids;
    for (const auto& vcpu : m_vcpus)
        ids.push_back(vcpu->threadId());
    return ids;
}

// A string instruction (rep ins/outs) repeats the access `count` times over the buffer.
void Machine::portRead(const IoInExit& io)
{
    for (uint32_t i = 0; i < io.count; ++i)
        m_portBus.read(io.port, io.data.subspan(size_t { i } * io.size, io.size));
}

void Machine::portWrite(const IoOutExit& io)
{
    for (uint32_t i = 0; i < io.count; ++i)
        m_portBus.write(io.port, io.data.subspan(size_t { i } * io.size, io.size));
}

Machine::Action Machine::handleExit(uint32_t index, const VcpuExit& exit)
{
    return std::visit(
        Overloaded {
            [&](const IoInExit& io) {
                portRead(io);
                return Action::Continue;
            },
            [&](const IoOutExit& io) {
                portWrite(io);
                return Action::Continue;
            },
            [&](const MmioReadExit& mmio) {
                m_mmioBus.read(mmio.address, mmio.data);
                return Action::Continue;
            },
            [&](const MmioWriteExit& mmio) {
                m_mmioBus.write(mmio.address, mmio.data);
                return Action::Continue;
            },
            [&](const HaltExit&) { return Action::Continue; },
            [&](const InterruptedExit&) { return Action::Continue; },
            [&](const ShutdownExit&) {
                requestStop({ StopReason::Kind::TripleFault, 0, "vCPU " + std::to_string(index) });
                return Action::Stop;
            },
            [&](const SystemEventExit& event) {
                switch (event.kind) {
                case SystemEventExit::Kind::Shutdown:
                    requestStop({ StopReason::Kind::PowerOff, 0, {} });
                    break;
                case SystemEventExit::Kind::Reset:
                    requestStop({ StopReason::Kind::Reset, 0, {} });
                    break;
                case SystemEventExit::Kind::Crash:
                    requestStop({ StopReason::Kind::Crash, 0, {} });
                    break;
                case SystemEventExit::Kind::Other:
                    requestStop({ StopReason::Kind::EngineError, 0,
                        "unknown KVM system event " + std::to_string(event.rawType) });
                    break;
                }
                return Action::Stop;
            },
            [&](const FailEntryExit& failure) {
                requestStop({ StopReason::Kind::EngineError, 0,
                    "KVM could not enter the guest on vCPU " + std::to_string(index)
                        + " (hardware reason " + hex(failure.reason) + ")" });
                return Action::Stop;
            },
            [&](const InternalErrorExit& error) {
                requestStop({ StopReason::Kind::EngineError, 0,
                    "KVM internal error " + std::to_string(error.suberror) + " on vCPU "
                        + std::to_string(index)
                        + (error.suberror == KVM_INTERNAL_ERROR_EMULATION ? " (emulation failure)" : "") });
                return Action::Stop;
            },
            [&](const UnknownExit& unknown) {
                requestStop({ StopReason::Kind::EngineError, 0,
                    "unexpected KVM exit reason " + std::to_string(unknown.reason) });
                return Action::Stop;
            },
        },
        exit);
}

void Machine::handleFailure(uint32_t index, const Error& error)
{
    requestStop({ StopReason::Kind::EngineError, 0,
        "vCPU " + std::to_string(index) + ": " + error.message() });
}

} // namespace vmm
