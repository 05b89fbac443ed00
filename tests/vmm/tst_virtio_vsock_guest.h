#pragma once

// A fake Linux guest for the virtio-vsock tests and fuzzer (Qt-free): a VsockDevice behind a
// virtio-mmio transport on an EventLoop the test thread runs, and a driver that posts RX buffers
// the way Linux 6.1's virtio_transport does (a 44-byte header descriptor and a 4 KiB data
// descriptor per chain), sends TX packets as header + payload descriptors, and parses what the
// device delivers. Host clients are plain Unix sockets that the test reads and writes itself.

#include "VirtqueueDriver.h"
#include "memory/GuestMemory.h"
#include "sys/EventLoop.h"
#include "sys/UniqueFd.h"
#include "virtio/MmioTransport.h"
#include "virtio/vsock/VsockDevice.h"
#include "virtio/vsock/VsockPacket.h"

#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <poll.h>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <sys/socket.h>
#include <sys/un.h>

/// The device, its transport and the loop, as a machine would wire them.
struct VsockRig {
    vmm::GuestMemory memory;
    vmm::EventLoop loop;
    std::shared_ptr<vmm::VsockDevice> device;
    std::shared_ptr<vmm::MmioTransport> transport;
    std::unique_ptr<VirtqueueDriver> driver;

    VsockRig(vmm::GuestMemory memoryIn, vmm::EventLoop loopIn)
        : memory(std::move(memoryIn))
        , loop(std::move(loopIn))
    {
    }

    /// A rig whose device listens at `path`; nothing when any part fails.
    static std::unique_ptr<VsockRig> create(const std::string& path, vmm::VsockOptions options = {})
    {
        auto memory = vmm::GuestMemory::create({vmm::GuestRegion {vmm::GuestAddress(0), 16 << 20}});
        auto loop = vmm::EventLoop::create();
        if (!memory || !loop)
            return nullptr;
        auto rig = std::make_unique<VsockRig>(std::move(*memory), std::move(*loop));
        auto device = vmm::VsockDevice::create(path, rig->loop, options);
        if (!device)
            return nullptr;
        rig->device = *device;
        auto transport = vmm::MmioTransport::create(rig->device, rig->memory);
        if (!transport || !(*transport)->attach(rig->loop))
            return nullptr;
        rig->transport = *transport;
        rig->driver = std::make_unique<VirtqueueDriver>(rig->memory, *rig->transport, &rig->loop);
        return rig;
    }

    /// Runs the loop until it has nothing to do.
    void pump()
    {
        for (int round = 0; round < 10000; ++round) {
            auto ran = loop.runOnce(0);
            if (!ran || *ran == 0)
                return;
        }
    }
    /// Runs the loop until `condition` holds or `timeout` passes; whether it held.
    bool pumpUntil(const std::function<bool()>& condition,
        std::chrono::milliseconds timeout = std::chrono::milliseconds(3000))
    {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!condition()) {
            if (std::chrono::steady_clock::now() > deadline)
                return false;
            (void)loop.runOnce(2);
        }
        return true;
    }
};

/// One packet the guest received.
struct VsockGuestPacket {
    vmm::VsockHeader header;
    std::vector<uint8_t> payload;
};

/// The guest driver: RX buffers like Linux, TX packets, the event queue.
class VsockGuest {
public:
    static constexpr uint64_t kCid = 3;
    static constexpr uint32_t kRxDataBytes = 4096;
    static constexpr int kRxBuffers = 128; // two descriptors each fill the 256-entry queue
    static constexpr int kEventBuffers = 8;
    static constexpr uint32_t kTxSlotBytes = vmm::vsock::kMaxPayload;

    explicit VsockGuest(VsockRig& rig, uint64_t cid = kCid)
        : m_rig(rig)
        , m_driver(*rig.driver)
        , m_cid(cid)
    {
    }

    /// Probes the device and posts every RX and event buffer; false when the device is not live.
    bool start()
    {
        // Fresh rings, as a re-probing Linux driver allocates zeroed ones.
        m_driver.write(0x10000, std::vector<uint8_t>(3 * 0x8000, 0));
        if (!m_driver.initialize())
            return false;
        if (m_rxHeaders.empty()) {
            for (int slot = 0; slot < kRxBuffers; ++slot) {
                m_rxHeaders.push_back(m_driver.allocate(vmm::VsockHeader::kSize));
                m_rxData.push_back(m_driver.allocate(kRxDataBytes));
            }
            for (int slot = 0; slot < kEventBuffers; ++slot)
                m_eventBuffers.push_back(m_driver.allocate(4));
            m_txHeader = m_driver.allocate(vmm::VsockHeader::kSize);
            m_txData = m_driver.allocate(kTxSlotBytes);
        }
        m_rxSlotByHead.clear();
        m_eventSlotByHead.clear();
        for (int slot = 0; slot < kRxBuffers; ++slot)
            postRx(slot);
        for (int slot = 0; slot < kEventBuffers; ++slot) {
            uint16_t head = m_driver.addChain(
                vmm::VsockDevice::kEventQueue, {{m_eventBuffers[size_t(slot)], 4, true}});
            m_eventSlotByHead[head] = slot;
        }
        m_driver.notify(vmm::VsockDevice::kRxQueue);
        m_driver.notify(vmm::VsockDevice::kEventQueue);
        return true;
    }

    /// A header from this guest to the host, with `bufAlloc` / `fwdCnt` as its credit.
    vmm::VsockHeader header(uint16_t op, uint32_t srcPort, uint32_t dstPort,
        uint32_t bufAlloc = 256 * 1024, uint32_t fwdCnt = 0) const
    {
        vmm::VsockHeader header;
        header.srcCid = m_cid;
        header.dstCid = vmm::vsock::kHostCid;
        header.srcPort = srcPort;
        header.dstPort = dstPort;
        header.type = vmm::vsock::kTypeStream;
        header.op = op;
        header.bufAlloc = bufAlloc;
        header.fwdCnt = fwdCnt;
        return header;
    }

    /// Sends `header` (len set from `payload`) as Linux does: header and payload descriptors.
    void send(vmm::VsockHeader header, std::span<const uint8_t> payload = {})
    {
        header.len = static_cast<uint32_t>(payload.size());
        sendRaw(header, payload, static_cast<uint32_t>(vmm::VsockHeader::kSize));
    }
    /// Sends `header` as is (len untouched) with a header descriptor of `headerBytes` bytes.
    void sendRaw(
        const vmm::VsockHeader& header, std::span<const uint8_t> payload, uint32_t headerBytes)
    {
        uint8_t bytes[vmm::VsockHeader::kSize];
        std::memcpy(bytes, &header, sizeof bytes);
        m_driver.write(m_txHeader, bytes);
        std::vector<VirtqueueDriver::Buffer> buffers {{m_txHeader, headerBytes, false}};
        if (!payload.empty()) {
            m_driver.write(m_txData, payload);
            buffers.push_back({m_txData, static_cast<uint32_t>(payload.size()), false});
        }
        m_driver.addChain(vmm::VsockDevice::kTxQueue, buffers);
        m_driver.notify(vmm::VsockDevice::kTxQueue);
        while (m_driver.takeUsed(vmm::VsockDevice::kTxQueue)) { }
    }

    /// Everything the device delivered since the last call; RX buffers are posted again.
    std::vector<VsockGuestPacket> receive()
    {
        m_rig.pump();
        std::vector<VsockGuestPacket> packets;
        std::vector<int> repost;
        while (auto used = m_driver.takeUsed(vmm::VsockDevice::kRxQueue)) {
            int slot = m_rxSlotByHead.at(static_cast<uint16_t>(used->id));
            repost.push_back(slot);
            if (used->length < vmm::VsockHeader::kSize) {
                ++m_shortPackets;
                continue;
            }
            VsockGuestPacket packet;
            std::vector<uint8_t> raw =
                m_driver.readBytes(m_rxHeaders[size_t(slot)], vmm::VsockHeader::kSize);
            std::memcpy(&packet.header, raw.data(), raw.size());
            uint32_t length = used->length - static_cast<uint32_t>(vmm::VsockHeader::kSize);
            if (length != packet.header.len || length > kRxDataBytes)
                ++m_badLengths;
            if (length > 0)
                packet.payload =
                    m_driver.readBytes(m_rxData[size_t(slot)], std::min(length, kRxDataBytes));
            packets.push_back(std::move(packet));
        }
        for (int slot : repost)
            postRx(slot);
        if (!repost.empty())
            m_driver.notify(vmm::VsockDevice::kRxQueue);
        return packets;
    }
    /// Receives until a packet with `op` arrives (others are kept in `others`) or time is up.
    std::optional<VsockGuestPacket> receiveOp(uint16_t op,
        std::vector<VsockGuestPacket>* others = nullptr,
        std::chrono::milliseconds timeout = std::chrono::milliseconds(3000))
    {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            for (VsockGuestPacket& packet : receive()) {
                if (packet.header.op == op && !m_found) {
                    m_found = std::move(packet);
                    continue;
                }
                if (others)
                    others->push_back(std::move(packet));
            }
            if (m_found)
                return std::exchange(m_found, std::nullopt);
            (void)m_rig.loop.runOnce(2);
        }
        return std::nullopt;
    }
    /// The event IDs the device delivered since the last call (buffers are posted again).
    std::vector<uint32_t> events()
    {
        m_rig.pump();
        std::vector<uint32_t> ids;
        while (auto used = m_driver.takeUsed(vmm::VsockDevice::kEventQueue)) {
            int slot = m_eventSlotByHead.at(static_cast<uint16_t>(used->id));
            std::vector<uint8_t> raw = m_driver.readBytes(m_eventBuffers[size_t(slot)], 4);
            uint32_t id = 0;
            std::memcpy(&id, raw.data(), 4);
            if (used->length == 4)
                ids.push_back(id);
        }
        return ids;
    }

    /// RX completions shorter than a header, and ones whose length disagrees with the header.
    int shortPackets() const { return m_shortPackets; }
    int badLengths() const { return m_badLengths; }

private:
    void postRx(int slot)
    {
        uint16_t head = m_driver.addChain(vmm::VsockDevice::kRxQueue,
            {{m_rxHeaders[size_t(slot)], static_cast<uint32_t>(vmm::VsockHeader::kSize), true},
                {m_rxData[size_t(slot)], kRxDataBytes, true}});
        m_rxSlotByHead[head] = slot;
    }

    VsockRig& m_rig;
    VirtqueueDriver& m_driver;
    uint64_t m_cid;
    std::vector<uint64_t> m_rxHeaders;
    std::vector<uint64_t> m_rxData;
    std::vector<uint64_t> m_eventBuffers;
    uint64_t m_txHeader = 0;
    uint64_t m_txData = 0;
    std::unordered_map<uint16_t, int> m_rxSlotByHead;
    std::unordered_map<uint16_t, int> m_eventSlotByHead;
    std::optional<VsockGuestPacket> m_found;
    int m_shortPackets = 0;
    int m_badLengths = 0;
};

/// A host program's end: a Unix stream socket connected to `path` (blocking), or invalid.
inline vmm::UniqueFd connectHostClient(const std::string& path)
{
    vmm::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.data(), std::min(path.size(), sizeof address.sun_path - 1));
    // Safety: sockaddr_un is what connect() takes for AF_UNIX.
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) < 0)
        return vmm::UniqueFd();
    return fd;
}

/// A host listener at `path` (what a host program makes for guest-initiated connections).
inline vmm::UniqueFd listenHost(const std::string& path)
{
    vmm::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.data(), std::min(path.size(), sizeof address.sun_path - 1));
    // Safety: as in connectHostClient().
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) < 0 ||
        ::listen(fd.get(), 16) < 0)
        return vmm::UniqueFd();
    return fd;
}

/// Whether `fd` has bytes (or EOF) to read now.
inline bool hostReadable(int fd)
{
    pollfd descriptor {fd, POLLIN, 0};
    return ::poll(&descriptor, 1, 0) == 1;
}

/// Reads what `fd` has now without blocking; `eof` is set when the peer closed.
inline std::string hostReadNow(int fd, bool* eof = nullptr)
{
    std::string bytes;
    char buffer[65536];
    for (;;) {
        ssize_t count = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (count > 0) {
            bytes.append(buffer, size_t(count));
            continue;
        }
        if (count == 0 && eof)
            *eof = true;
        if (count < 0 && errno == ECONNRESET && eof)
            *eof = true;
        return bytes;
    }
}
