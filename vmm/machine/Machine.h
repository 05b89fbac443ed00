#pragma once

#include "ConsoleWatcher.h"
#include "StopReason.h"
#include "VcpuThread.h"
#include "bus/Bus.h"
#include "kvm/VmFd.h"
#include "memory/GuestMemory.h"
#include "sys/EventFd.h"

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

namespace vmm {

class Serial8250;

/// Where the guest console's bytes go (the terminal, the app's console view).
using ConsoleOutput = std::function<void(std::span<const uint8_t>)>;

/// A built microVM: guest memory, the VM and its devices, one thread per vCPU. Made paused by
/// buildMachine(); start() runs it; the first stop reason wins and makes stopEventFd() readable.
class Machine final : public VcpuExitHandler {
public:
    Machine(GuestMemory memory, VmFd vm, EventFd stopEvent, ConsoleOutput output);
    ~Machine() override;

    const GuestMemory& memory() const { return m_memory; }
    const VmFd& vm() const { return m_vm; }
    Bus& portBus() { return m_portBus; }
    Bus& mmioBus() { return m_mmioBus; }

    /// Makes `serial` the console that queueConsoleInput() feeds.
    void setConsole(std::shared_ptr<Serial8250> serial) { m_console = std::move(serial); }
    /// Adds a vCPU, paused.
    Result<void> addVcpu(VcpuFd vcpu);
    /// Guest console bytes from the UART: to the output and the watcher.
    void consoleWrite(std::span<const uint8_t> bytes);
    /// Host input for the guest console; returns how many bytes the UART accepted.
    size_t queueConsoleInput(std::span<const uint8_t> bytes);

    void start();
    void pause();
    void resume();
    /// Records why the machine must stop (the first reason wins) and signals stopEventFd().
    void requestStop(StopReason reason);
    /// Readable once a stop was requested.
    int stopEventFd() const { return m_stopEvent.fd(); }
    std::optional<StopReason> stopReason() const;
    /// Stops and joins every vCPU; returns the stop reason.
    StopReason shutdown();

    Action handleExit(uint32_t index, const VcpuExit& exit) override;
    void handleFailure(uint32_t index, const Error& error) override;

private:
    void portRead(const IoInExit& io);
    void portWrite(const IoOutExit& io);

    // Declared in destruction order's reverse: vCPU threads go first, then devices, VM, memory.
    GuestMemory m_memory;
    VmFd m_vm;
    EventFd m_stopEvent;
    ConsoleOutput m_output;
    ConsoleWatcher m_watcher;
    Bus m_portBus;
    Bus m_mmioBus;
    std::shared_ptr<Serial8250> m_console;
    mutable std::mutex m_stopMutex;
    std::optional<StopReason> m_stopReason;
    std::vector<std::unique_ptr<VcpuThread>> m_vcpus;
};

} // namespace vmm
