#include "MachineBuilder.h"

#include "arch/x86_64/BootCpuState.h"
#include "arch/x86_64/Cpuid.h"
#include "arch/x86_64/Layout.h"
#include "arch/x86_64/MemoryLayout.h"
#include "arch/x86_64/MpTable.h"
#include "arch/x86_64/Msrs.h"
#include "arch/x86_64/PageTables.h"
#include "boot/BzImage.h"
#include "boot/KernelCommandLine.h"
#include "boot/LinuxLoader.h"
#include "dataset/ErofsImage.h"
#include "devices/GuestExitPort.h"
#include "devices/I8042.h"
#include "devices/Serial8250.h"
#include "GuestFramebuffer.h"
#include "GuestParameters.h"
#include "KvmInterruptLine.h"
#include "VirtioDevices.h"
#include "kvm/KvmSystem.h"
#include "scratch/EncryptedScratch.h"
#include "virtio/block/BlockDevice.h"
#include "virtio/input/VirtioInputDevice.h"
#include "virtio/rng/RngDevice.h"
#include "virtio/vsock/VsockDevice.h"

#include <algorithm>
#include <cerrno>
#include <set>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vmm {

using namespace x86_64;

static constexpr uint64_t kSerialPortBase = 0x3f8;
static constexpr uint64_t kSerialPortCount = 8;
static constexpr uint64_t kI8042PortBase = 0x60;
static constexpr uint64_t kI8042PortCount = 5;

static Result<void> validate(const MachineConfig& config)
{
    if (config.vcpuCount == 0 || config.vcpuCount > kMaxVcpus)
        return failure(Error::invalid("vcpus", "must be between 1 and " + std::to_string(kMaxVcpus)));
    if (config.kernelPath.empty())
        return failure(Error::invalid("kernel", "no kernel given; pass --kernel PATH"));
    // Checked before KVM is touched, so a typo is reported as such on any machine.
    if (config.initrdPath && ::access(config.initrdPath->c_str(), R_OK) != 0)
        return failure(Error::fromErrno("initramfs", errno, "cannot read '" + *config.initrdPath + "'"));
    std::set<std::string> names;
    for (const DatasetConfig& dataset : config.datasets) {
        VMM_TRY(validateDatasetName(dataset.name));
        if (!names.insert(dataset.name).second)
            return failure(Error::invalid("datasets", "two datasets are named '" + dataset.name
                    + "'; give one another name with --dataset NAME=PATH"));
    }
    if (config.spareDatasetSlots > kVirtioMaxDevices)
        return failure(
            Error::invalid("spare dataset slots", "at most " + std::to_string(kVirtioMaxDevices)));
    if (config.scratchBytes % BlockBackend::kSectorSize)
        return failure(Error::invalid("scratch", "the size must be a multiple of 512 bytes"));
    if (config.display) {
        // Re-checked: a config file could carry any numbers.
        VMM_TRY(FramebufferGeometry::make(config.display->geometry.width, config.display->geometry.height));
        if (config.display->socketPath.empty())
            return failure(Error::invalid("display", "no socket path; give the session a directory (--session-dir)"));
        if (config.display->tcpPort && config.display->tcpPassword.empty())
            return failure(Error::invalid("display", "other viewers over TCP need a password"));
        if (config.display->maxFramesPerSecond < 1 || config.display->maxFramesPerSecond > 60)
            return failure(Error::invalid("display", "the frame rate must be between 1 and 60"));
    }
    return {};
}

// The session's runtime directory: made private, or an existing empty one is taken over.
static Result<void> prepareSessionDirectory(const std::string& directory)
{
    if (::mkdir(directory.c_str(), 0700) == 0)
        return {};
    if (errno != EEXIST)
        return failure(Error::fromErrno("session directory", errno, "cannot create '" + directory + "'"));
    struct stat status {};
    if (::lstat(directory.c_str(), &status) < 0 || !S_ISDIR(status.st_mode) || status.st_uid != ::getuid())
        return failure(Error::invalid("session directory", "'" + directory + "' exists and is not a folder of this user"));
    DIR* folder = ::opendir(directory.c_str());
    if (!folder)
        return failure(Error::fromErrno("session directory", errno, "cannot read '" + directory + "'"));
    int entries = 0;
    while (dirent* entry = ::readdir(folder))
        entries += std::string_view(entry->d_name) != "." && std::string_view(entry->d_name) != "..";
    ::closedir(folder);
    if (entries > 0)
        return failure(Error::invalid("session directory", "'" + directory
                + "' is not empty; give each session a directory of its own"));
    if (::chmod(directory.c_str(), 0700) < 0)
        return failure(Error::fromErrno("session directory", errno, "cannot make '" + directory + "' private"));
    return {};
}

// What the session's disks are made of. Made before KVM is touched: a dataset that cannot be read
// is reported as such on any machine.
struct SessionBackends {
    std::vector<std::shared_ptr<ErofsImage>> datasets;
    std::shared_ptr<EncryptedScratch> scratch;
};

static Result<SessionBackends> makeBackends(const MachineConfig& config)
{
    SessionBackends backends;
    for (const DatasetConfig& dataset : config.datasets) {
        auto image = ErofsImage::create(dataset.hostPath);
        if (!image)
            return failure(image.error().withContext("dataset '" + dataset.name + "'"));
        backends.datasets.push_back(std::move(*image));
    }
    if (config.sessionDirectory.empty())
        return backends;
    VMM_TRY(prepareSessionDirectory(config.sessionDirectory));
    if (config.scratchBytes > 0)
        backends.scratch = VMM_TRY(EncryptedScratch::create(config.sessionDirectory + "/scratch.img", config.scratchBytes));
    return backends;
}

// The spare disks for datasets added while the session runs: as many as asked for and as the
// virtio slots left allow. Only with a vsock device: the guest agent mounts what is added.
static size_t spareDiskCount(const MachineConfig& config, const SessionBackends& backends)
{
    if (config.sessionDirectory.empty())
        return 0;
    size_t others = 1 + backends.datasets.size() + (backends.scratch ? 1 : 0) + 1 + (config.display ? 2 : 0);
    size_t room = others < kVirtioMaxDevices ? kVirtioMaxDevices - others : 0;
    return std::min<size_t>(config.spareDatasetSlots, room);
}

// The guest-visible order of the virtio devices: rng, the datasets, the scratch disk, vsock (with
// a session directory to hold its socket), the display's keyboard and tablet, the spare disks.
static size_t virtioDeviceCount(const MachineConfig& config, const SessionBackends& backends)
{
    return 1 + backends.datasets.size() + (backends.scratch ? 1 : 0) +
        (config.sessionDirectory.empty() ? 0 : 1) + (config.display ? 2 : 0) +
        spareDiskCount(config, backends);
}

static std::string sessionKernelParameters(const MachineConfig& config, const SessionBackends& backends)
{
    std::string parameters = VirtioDevices::kernelParametersFor(virtioDeviceCount(config, backends));
    for (size_t index = 0; index < config.datasets.size(); ++index)
        parameters += " " + datasetKernelParameter(index, config.datasets[index].name);
    if (config.display && config.display->commandOnDisplay)
        parameters += " airlock.console=tty1";
    if (!config.commandLineAppend.empty())
        parameters += " " + config.commandLineAppend;
    return parameters;
}

static Result<void> addVirtioDevices(Machine& machine, const MachineConfig& config, SessionBackends& backends)
{
    VirtioDevices virtio;
    auto add = [&](std::shared_ptr<VirtioDevice> device) {
        return virtio.add(std::move(device), machine.memory(), machine.vm(), machine.mmioBus(),
            machine.devices().loop());
    };
    VMM_TRY(add(std::make_shared<RngDevice>()));
    for (size_t index = 0; index < backends.datasets.size(); ++index) {
        auto disk = std::make_shared<BlockDevice>(backends.datasets[index], "airlock-ds" + std::to_string(index));
        VMM_TRY(add(disk));
        machine.addDisk({ "dataset " + config.datasets[index].name, disk });
        machine.addDataset({ config.datasets[index].name, config.datasets[index].hostPath, backends.datasets[index] });
    }
    if (backends.scratch) {
        auto disk = std::make_shared<BlockDevice>(backends.scratch, "airlock-scratch");
        VMM_TRY(add(disk));
        machine.addDisk({ "scratch", disk });
        machine.setScratch(backends.scratch);
    }
    machine.setSessionDirectory(config.sessionDirectory);
    if (!config.sessionDirectory.empty()) {
        std::string socketPath = config.sessionDirectory + "/" + kVsockSocketName;
        auto vsock = VMM_TRY(VsockDevice::create(socketPath, machine.devices().loop()));
        VMM_TRY(add(vsock));
        machine.setVsock(vsock, socketPath);
    }
    if (config.display) {
        auto keyboard = VirtioInputDevice::keyboard();
        auto tablet = VirtioInputDevice::tablet(config.display->geometry.width, config.display->geometry.height);
        VMM_TRY(add(keyboard));
        VMM_TRY(add(tablet));
        // The framebuffer's slot comes after guest RAM's.
        auto slot = static_cast<uint32_t>(machine.memory().regions().size());
        machine.setDisplay(VMM_TRY(GuestFramebuffer::create(machine.vm(), slot, config.display->geometry)),
            std::move(keyboard), std::move(tablet), config.display->socketPath);
    }
    // Empty and read-only until a dataset is added (Machine::attachDataset); the guest ignores
    // them until then (their serials are not "airlock-ds<N>").
    for (size_t spare = 0; spare < spareDiskCount(config, backends); ++spare) {
        auto disk = std::make_shared<BlockDevice>(nullptr, "airlock-spare" + std::to_string(spare));
        auto transport = VMM_TRY(add(disk));
        machine.addSpareDisk({disk, transport});
    }
    return {};
}

static Result<void> requireCapabilities(const KvmSystem& kvm)
{
    VMM_TRY(kvm.requireCapability(KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP"));
    VMM_TRY(kvm.requireCapability(KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"));
    VMM_TRY(kvm.requireCapability(KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR"));
    VMM_TRY(kvm.requireCapability(KVM_CAP_PIT2, "KVM_CAP_PIT2"));
    VMM_TRY(kvm.requireCapability(KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID"));
    VMM_TRY(kvm.requireCapability(KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"));
    VMM_TRY(kvm.requireCapability(KVM_CAP_IOEVENTFD, "KVM_CAP_IOEVENTFD"));
    return kvm.requireCapability(KVM_CAP_IRQFD, "KVM_CAP_IRQFD");
}

static Result<void> configureVcpu(VcpuFd& vcpu, const std::vector<kvm_cpuid_entry2>& supportedCpuid,
    uint32_t vcpuCount, uint64_t entry, uint64_t cr3)
{
    // CPUID first: MSRs that depend on CPUID read back wrong before it is set (Firecracker #6120).
    VMM_TRY(vcpu.setCpuid(guestCpuid(supportedCpuid, vcpu.index(), vcpuCount)));
    VMM_TRY(vcpu.setMsrs(bootMsrs()));
    VMM_TRY(vcpu.setLocalApic(withLegacyInterruptPins(VMM_TRY(vcpu.localApic()))));
    if (vcpu.index() != 0)
        return {}; // application processors wait in the in-kernel LAPIC for INIT/SIPI
    VMM_TRY(vcpu.setRegisters(bootRegisters(entry)));
    VMM_TRY(vcpu.setFpu(bootFpu()));
    return vcpu.setSpecialRegisters(bootSpecialRegisters(VMM_TRY(vcpu.specialRegisters()), cr3));
}

Result<std::unique_ptr<Machine>> buildMachine(const MachineConfig& config, ConsoleOutput output)
{
    VMM_TRY(validate(config));
    BzImage kernel = VMM_TRY(BzImage::load(config.kernelPath));
    SessionBackends backends = VMM_TRY(makeBackends(config));
    size_t commandLineLimit = std::min<size_t>(kernel.commandLineLimit(), kCommandLineCapacity - 1);
    std::string commandLine = VMM_TRY(buildKernelCommandLine(kDefaultKernelCommandLine,
        sessionKernelParameters(config, backends), config.command, commandLineLimit));

    KvmSystem kvm = VMM_TRY(KvmSystem::open(config.kvmDevicePath));
    VMM_TRY(requireCapabilities(kvm));
    size_t vcpuMmapSize = VMM_TRY(kvm.vcpuMmapSize());
    std::vector<kvm_cpuid_entry2> supportedCpuid = VMM_TRY(kvm.supportedCpuid());

    VmFd vm = VMM_TRY(kvm.createVm());
    VMM_TRY(vm.setTssAddress(kTssAddress));
    VMM_TRY(vm.setIdentityMapAddress(kIdentityMapPageAddress));

    GuestMemory memory = VMM_TRY(GuestMemory::create(VMM_TRY(ramRegions(config.memoryBytes))));
    for (size_t slot = 0; slot < memory.regions().size(); ++slot) {
        const GuestRegion& region = memory.regions()[slot];
        VMM_TRY(vm.setUserMemoryRegion(static_cast<uint32_t>(slot), region.start.value(), region.size,
            memory.hostAddress(region)));
    }
    VMM_TRY(vm.createIrqchip());
    VMM_TRY(vm.createPit());

    std::optional<LinearFramebuffer> screen;
    if (config.display)
        screen = LinearFramebuffer {kFramebufferAddress, config.display->geometry};
    LoadedKernel loaded = VMM_TRY(loadLinux(memory, kernel, config.initrdPath, commandLine, screen));
    VMM_TRY(writeGdtAndIdt(memory));
    uint64_t cr3 = VMM_TRY(writeIdentityPageTables(memory));
    VMM_TRY(memory.write(kMpTableAddress,
        VMM_TRY(buildMpTable(config.vcpuCount, static_cast<uint32_t>(kMpTableAddress.value())))));

    EventFd stopEvent = VMM_TRY(EventFd::create());
    auto machine = std::make_unique<Machine>(std::move(memory), std::move(vm), std::move(stopEvent),
        VMM_TRY(DeviceThread::create()), std::move(output));
    Machine* raw = machine.get();
    VMM_TRY(addVirtioDevices(*raw, config, backends));

    auto serial = std::make_shared<Serial8250>(
        std::make_shared<KvmInterruptLine>(raw->vm(), kSerialIrq),
        [raw](std::span<const uint8_t> bytes) { raw->consoleWrite(bytes); });
    VMM_TRY(raw->portBus().insert({ kSerialPortBase, kSerialPortCount }, serial));
    raw->setConsole(serial);
    VMM_TRY(raw->portBus().insert({ kI8042PortBase, kI8042PortCount },
        std::make_shared<I8042>([raw] { raw->requestStop({ StopReason::Kind::Reset, 0, {} }); })));
    VMM_TRY(raw->portBus().insert({ kGuestExitPortAddress, 1 },
        std::make_shared<GuestExitPort>(
            [raw](uint8_t status) { raw->requestStop({ StopReason::Kind::GuestExit, status, {} }); })));

    for (uint32_t index = 0; index < config.vcpuCount; ++index) {
        VcpuFd vcpu = VMM_TRY(raw->vm().createVcpu(index, vcpuMmapSize));
        VMM_TRY(configureVcpu(vcpu, supportedCpuid, config.vcpuCount, loaded.entry, cr3));
        VMM_TRY(raw->addVcpu(std::move(vcpu)));
    }
    return machine;
}

} // namespace vmm
