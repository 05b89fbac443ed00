// Fuzzes the virtio-vsock packet path: TX packets whose header fields, descriptor shapes and
// payloads come from the input, interleaved with what host programs do on real Unix sockets
// (CONNECT lines, bytes, hang-ups on a listener the guest connects to) and with device resets.
// Whatever arrives, the device never crashes, every packet it gives the guest is well formed
// (host CID to guest CID, STREAM, a known op, len matching the bytes written and within the
// buffer), and a well-behaved connection still works after the storm.

#include "tst_virtio_vsock_guest.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <fuzzer/FuzzedDataProvider.h>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

using namespace vmm;

namespace {

constexpr uint32_t kListenerPort = 1000; // the guest may connect here (path + "_1000")
constexpr uint32_t kPorts[] = {kListenerPort, 1001, 1234, 1u << 30, (1u << 30) + 1, 0xffffffffu};

void check(bool condition)
{
    if (!condition)
        __builtin_trap();
}

struct World {
    std::string directory;
    std::string path;
    std::unique_ptr<VsockRig> rig;
    std::unique_ptr<VsockGuest> guest;
    UniqueFd listener;

    World()
    {
        char pattern[] = "/tmp/airlock-fuzz-vsock-XXXXXX";
        check(::mkdtemp(pattern) != nullptr);
        directory = pattern;
        path = directory + "/v";
        VsockOptions options;
        options.bufferBytes = 16 * 1024; // small, so that credit limits are reached
        options.maxConnections = 8;
        rig = VsockRig::create(path, options);
        check(rig != nullptr);
        guest = std::make_unique<VsockGuest>(*rig);
        listener = listenHost(path + "_" + std::to_string(kListenerPort));
        check(listener.isValid());
        check(::fcntl(listener.get(), F_SETFL, O_NONBLOCK) == 0); // accept() never waits
    }
    ~World()
    {
        ::unlink((path + "_" + std::to_string(kListenerPort)).c_str());
        rig.reset();
        ::rmdir(directory.c_str());
    }
};

World& world()
{
    static World instance;
    return instance;
}

// Every packet the device delivers must be one a Linux guest can parse.
void checkDelivered(const std::vector<VsockGuestPacket>& packets)
{
    for (const VsockGuestPacket& packet : packets) {
        const VsockHeader& header = packet.header;
        check(header.srcCid == vsock::kHostCid && header.dstCid == VsockGuest::kCid);
        check(header.type == vsock::kTypeStream);
        check(header.op >= vsock::kOpRequest && header.op <= vsock::kOpCreditRequest);
        check(header.op == vsock::kOpRw ? header.len > 0 : header.len == 0);
        check(header.len <= VsockGuest::kRxDataBytes);
    }
}

VsockHeader fuzzedHeader(FuzzedDataProvider& input, const VsockGuest& guest)
{
    VsockHeader header = guest.header(static_cast<uint16_t>(input.ConsumeIntegralInRange<int>(
                                          vsock::kOpRequest, vsock::kOpCreditRequest)),
        input.PickValueInArray(kPorts), input.PickValueInArray(kPorts),
        input.ConsumeIntegralInRange<uint32_t>(0, 64 * 1024), input.ConsumeIntegral<uint32_t>());
    if (input.ConsumeProbability<float>() < 0.1f) { // and now and then anything at all
        header.srcCid = input.ConsumeIntegral<uint64_t>();
        header.dstCid = input.ConsumeIntegral<uint64_t>();
        header.type = input.ConsumeIntegral<uint16_t>();
        header.op = input.ConsumeIntegral<uint16_t>();
    }
    header.flags = input.ConsumeIntegral<uint32_t>();
    return header;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    FuzzedDataProvider input(data, size);
    World& w = world();
    VsockGuest& guest = *w.guest;
    check(guest.start()); // a fresh driver each time: the device was reset by the probe
    std::vector<UniqueFd> hostSockets;

    for (int step = 0; step < 64 && input.remaining_bytes() > 0; ++step) {
        switch (input.ConsumeIntegralInRange(0, 6)) {
        case 0: { // a packet with a consistent len
            VsockHeader header = fuzzedHeader(input, guest);
            std::vector<uint8_t> payload =
                input.ConsumeBytes<uint8_t>(input.ConsumeIntegralInRange<size_t>(0, 8192));
            guest.send(header, payload);
            break;
        }
        case 1: { // a packet with any len and a header descriptor of any size
            VsockHeader header = fuzzedHeader(input, guest);
            header.len = input.ConsumeIntegral<uint32_t>();
            uint32_t headerBytes = input.ConsumeIntegralInRange<uint32_t>(1, 64);
            std::vector<uint8_t> payload =
                input.ConsumeBytes<uint8_t>(input.ConsumeIntegralInRange<size_t>(0, 1024));
            guest.sendRaw(header, payload, headerBytes);
            break;
        }
        case 2: { // a host client with a CONNECT line (or not quite one)
            UniqueFd client = connectHostClient(w.path);
            if (!client.isValid())
                break;
            std::string line = input.ConsumeBool()
                ? "CONNECT " + std::to_string(input.PickValueInArray(kPorts)) + "\n"
                : input.ConsumeRandomLengthString(48);
            (void)::send(client.get(), line.data(), line.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            hostSockets.push_back(std::move(client));
            break;
        }
        case 3: { // accept what the guest connected to the listener
            w.rig->pump();
            UniqueFd server(
                ::accept4(w.listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
            if (server.isValid())
                hostSockets.push_back(std::move(server));
            break;
        }
        case 4: { // a host program writes, or hangs up
            if (hostSockets.empty())
                break;
            size_t index = input.ConsumeIntegralInRange<size_t>(0, hostSockets.size() - 1);
            if (input.ConsumeBool()) {
                std::vector<uint8_t> bytes =
                    input.ConsumeBytes<uint8_t>(input.ConsumeIntegralInRange<size_t>(1, 32 * 1024));
                (void)::send(hostSockets[index].get(), bytes.data(), bytes.size(),
                    MSG_NOSIGNAL | MSG_DONTWAIT);
            } else {
                hostSockets.erase(hostSockets.begin() + static_cast<std::ptrdiff_t>(index));
            }
            break;
        }
        case 5: // the guest takes what was delivered
            checkDelivered(guest.receive());
            break;
        default: // the driver resets the device and probes it again
            w.rig->driver->reset();
            w.rig->pump();
            check(guest.start());
            break;
        }
        check(guest.shortPackets() == 0 && guest.badLengths() == 0);
    }
    checkDelivered(guest.receive());
    check(guest.shortPackets() == 0 && guest.badLengths() == 0);

    // The next input starts from nothing; and after a reset a plain connection works.
    hostSockets.clear();
    w.rig->driver->reset();
    w.rig->pump();
    while (UniqueFd(::accept4(w.listener.get(), nullptr, nullptr, SOCK_CLOEXEC)).isValid()) { }
    check(guest.start());
    guest.send(guest.header(vsock::kOpRequest, 7777, kListenerPort));
    check(guest.receiveOp(vsock::kOpResponse).has_value());
    UniqueFd server(::accept4(w.listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    check(server.isValid());
    const uint8_t hello[] = {'o', 'k'};
    guest.send(guest.header(vsock::kOpRw, 7777, kListenerPort), hello);
    w.rig->pump();
    char received[2] = {};
    check(::recv(server.get(), received, 2, MSG_DONTWAIT) == 2 && received[0] == 'o');
    w.rig->driver->reset();
    w.rig->pump();
    return 0;
}
