#include "Machine.h"

#include "devices/Serial8250.h"

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
