#pragma once

// Helpers the virtio-vsock unit tests share: a device with its fake guest (Fixture), host clients
// that connect through the CONNECT handshake, and reads that keep the device loop running.

#include "tst_virtio_vsock_guest.h"
#include "virtio/VirtioSpec.h"

#include <string>
#include <thread>

#include <QTemporaryDir>
#include <QTest>

using namespace vmm;
using namespace std::chrono_literals;

namespace vsocktest {

inline constexpr uint32_t kGuestPort = 1234;

inline std::span<const uint8_t> bytesOf(const std::string& text)
{
    // Safety: a std::string's chars are bytes.
    return std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

inline std::string textOf(const std::vector<uint8_t>& bytes)
{
    return std::string(bytes.begin(), bytes.end());
}

inline void writeHost(int fd, const std::string& text)
{
    ssize_t written = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
    QCOMPARE(written, static_cast<ssize_t>(text.size()));
}

/// Reads from `fd` while the loop runs until `length` bytes or EOF arrived.
inline std::string readHostWhilePumping(VsockRig& rig, int fd, size_t length, bool* eof = nullptr)
{
    std::string bytes;
    bool closed = false;
    rig.pumpUntil([&] {
        bytes += hostReadNow(fd, &closed);
        return bytes.size() >= length || closed;
    });
    if (eof)
        *eof = closed;
    return bytes;
}

/// Whether `fd` reaches EOF while the loop runs (bytes before it are discarded).
inline bool hostSeesEof(VsockRig& rig, int fd, std::chrono::milliseconds timeout = 3000ms)
{
    bool closed = false;
    rig.pumpUntil(
        [&] {
            hostReadNow(fd, &closed);
            return closed;
        },
        timeout);
    return closed;
}

struct Fixture {
    QTemporaryDir directory;
    std::string path;
    std::unique_ptr<VsockRig> rig;
    std::unique_ptr<VsockGuest> guest;

    explicit Fixture(VsockOptions options = {}, bool start = true)
    {
        path = directory.path().toStdString() + "/vsock";
        rig = VsockRig::create(path, options);
        if (!rig)
            qFatal("cannot create the vsock rig");
        guest = std::make_unique<VsockGuest>(*rig, options.guestCid);
        if (start && !guest->start())
            qFatal("the guest driver did not bring the device up");
    }
};

/// A host client connected to guest port `guestPort` through the CONNECT handshake; returns the
/// local (host) port, or 0.
inline uint32_t establishHostConnection(
    Fixture& fixture, UniqueFd& client, uint32_t guestPort = kGuestPort)
{
    client = connectHostClient(fixture.path);
    if (!client.isValid())
        return 0;
    writeHost(client.get(), "CONNECT " + std::to_string(guestPort) + "\n");
    auto request = fixture.guest->receiveOp(vsock::kOpRequest);
    if (!request || request->header.dstPort != guestPort)
        return 0;
    uint32_t hostPort = request->header.srcPort;
    fixture.guest->send(fixture.guest->header(vsock::kOpResponse, guestPort, hostPort));
    std::string line;
    bool eof = false;
    fixture.rig->pumpUntil([&] {
        line += hostReadNow(client.get(), &eof);
        return eof || line.find('\n') != std::string::npos;
    });
    return line == "OK " + std::to_string(hostPort) + "\n" ? hostPort : 0;
}

} // namespace vsocktest

using namespace vsocktest;
