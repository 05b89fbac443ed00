#pragma once

#include "ConsoleWatcher.h"
#include "DeviceThread.h"
#include "StopReason.h"
#include "VcpuThread.h"
#include "bus/Bus.h"
#include "kvm/VmFd.h"
#include "memory/GuestMemory.h"
#include "sys/EventFd.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

namespace vmm {

class BlockDevice;
class DisplayInput;
class GuestFramebuffer;
class InputSink;
class VirtioInputDevice;
class EncryptedScratch;
class ErofsImage;
class MmioTransport;
class Serial8250;
class VirtioDevice;

/// One virtio-blk disk of the session, for metrics.
struct MachineDisk {
    std::string label; ///< "dataset <name>" or "scratch"
    std::shared_ptr<BlockDevice> device;
};

/// One dataset of the session: its name, where it is on the host, the image the guest reads.
struct MachineDataset {
    std::string name;
    std::string hostPath;
    std::shared_ptr<ErofsImage> image;
};

/// An empty disk made at boot for a dataset added while the session runs.
struct MachineSpareDisk {
    std::shared_ptr<BlockDevice> device;
    std::shared_ptr<MmioTransport> transport;
};

/// Where the guest console's bytes go (the terminal, the app's console view).
using ConsoleOutput = std::function<void(std::span<const uint8_t>)>;

/// A built microVM: guest memory, the VM and its devices, one thread per vCPU. Made paused by
/// buildMachine(); start() runs it; the first stop reason wins and makes stopEventFd() readable.
class Machine final : public VcpuExitHandler {
public:
    Machine(GuestMemory memory, VmFd vm, EventFd stopEvent, std::unique_ptr<DeviceThread> devices,
        ConsoleOutput output);
    ~Machine() override;

    const GuestMemory& memory() const { return m_memory; }
    GuestMemory& memory() { return m_memory; }
    /// The device event loop's thread (virtio, vsock, the control channel).
    DeviceThread& devices() { return *m_devices; }
    const VmFd& vm() const { return m_vm; }
    Bus& portBus() { return m_portBus; }
    Bus& mmioBus() { return m_mmioBus; }

    /// Makes `serial` the console that queueConsoleInput() feeds.
    void setConsole(std::shared_ptr<Serial8250> serial) { m_console = std::move(serial); }
    /// Session resources the builder made; kept for metrics and for shredding.
    void addDisk(MachineDisk disk) { m_disks.push_back(std::move(disk)); }
    void addDataset(MachineDataset dataset) { m_datasets.push_back(std::move(dataset)); }
    void addSpareDisk(MachineSpareDisk spare) { m_spares.push_back(std::move(spare)); }
    void setScratch(std::shared_ptr<EncryptedScratch> scratch) { m_scratch = std::move(scratch); }
    void setVsock(std::shared_ptr<VirtioDevice> vsock, std::string socketPath)
    {
        m_vsock = std::move(vsock);
        m_vsockPath = std::move(socketPath);
    }
    void setSessionDirectory(std::string directory) { m_sessionDirectory = std::move(directory); }
    /// The screen the builder made: framebuffer, keyboard and tablet, and their input router.
    void setDisplay(std::unique_ptr<GuestFramebuffer> framebuffer,
        std::shared_ptr<VirtioInputDevice> keyboard, std::shared_ptr<VirtioInputDevice> tablet,
        std::string socketPath);
    /// The display's VNC Unix socket ("" without a display).
    const std::string& displaySocketPath() const { return m_displaySocketPath; }
    /// The framebuffer; null without a display.
    GuestFramebuffer* framebuffer() const { return m_framebuffer.get(); }
    /// Where a display server's input goes (posted to the device thread); null without a display.
    InputSink* displayInput() const;
    /// The disks and datasets: read them before start(), or afterwards on the device thread
    /// (attachDataset() adds to them there).
    const std::vector<MachineDisk>& disks() const { return m_disks; }
    const std::vector<MachineDataset>& datasets() const { return m_datasets; }
    /// How many spare disks were made at boot.
    size_t spareDiskCount() const { return m_spares.size(); }
    /// How many of them are still empty; any thread.
    size_t spareDisksLeft() const { return m_spares.size() - m_sparesUsed.load(); }

    /// Puts `dataset` into the next empty spare disk on the device thread and waits for it
    /// (at most `timeout`): the disk becomes dataset disk N (serial "airlock-ds<N>", N = the
    /// number of datasets so far, returned), with the image's capacity, and the guest is told
    /// of the change. Fails when no spare is left ("this session can take no more datasets"),
    /// or the device thread does not answer in time (the machine is stopping). Any thread but
    /// the device thread.
    Result<size_t> attachDataset(MachineDataset dataset, std::chrono::milliseconds timeout);
    const std::shared_ptr<EncryptedScratch>& scratch() const { return m_scratch; }
    /// The host Unix socket of the guest's vsock device ("" without one).
    const std::string& vsockPath() const { return m_vsockPath; }
    const std::string& sessionDirectory() const { return m_sessionDirectory; }

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
    /// Stops and joins every vCPU and then the device thread; returns the stop reason.
    StopReason shutdown();
    /// The vCPU threads' ids, for per-thread CPU time.
    std::vector<pid_t> vcpuThreadIds() const;

    Action handleExit(uint32_t index, const VcpuExit& exit) override;
    void handleFailure(uint32_t index, const Error& error) override;

private:
    Result<size_t> attachOnDeviceThread(MachineDataset dataset);
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
    std::vector<MachineDisk> m_disks;
    std::vector<MachineDataset> m_datasets;
    std::vector<MachineSpareDisk> m_spares;
    std::atomic<size_t> m_sparesUsed {0}; // changed on the device thread only
    std::shared_ptr<EncryptedScratch> m_scratch;
    std::shared_ptr<VirtioDevice> m_vsock;
    std::string m_vsockPath;
    std::string m_sessionDirectory;
    // After m_vm: the framebuffer's memory slot belongs to it.
    std::unique_ptr<GuestFramebuffer> m_framebuffer;
    std::shared_ptr<VirtioInputDevice> m_keyboard;
    std::shared_ptr<VirtioInputDevice> m_tablet;
    std::unique_ptr<DisplayInput> m_displayInput;
    std::string m_displaySocketPath;
    // Stopped before the devices above are destroyed: it runs their callbacks.
    std::unique_ptr<DeviceThread> m_devices;
    mutable std::mutex m_stopMutex;
    std::optional<StopReason> m_stopReason;
    std::vector<std::unique_ptr<VcpuThread>> m_vcpus;
};

} // namespace vmm
