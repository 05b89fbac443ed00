#pragma once

#include "ConsoleBuffer.h"
#include "ControlCommands.h"
#include "ControlStatus.h"
#include "ControlTarget.h"
#include "RelayedStream.h"
#include "protocol/FrameDecoder.h"
#include "sys/EventFd.h"
#include "sys/EventLoop.h"
#include "sys/Result.h"
#include "sys/UniqueFd.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace vmm {

/// Limits of one control channel; the defaults suit airlock-vmm.
struct ControlServerOptions {
    /// Our Hello's software field.
    std::string software = "airlock-vmm";
    /// Output queued for the app beyond which the server stops reading (the app's commands, the
    /// guest's streams, the console buffer) until the app catches up.
    size_t outputLimitBytes = 2 * 1024 * 1024;
    /// Console bytes held for the app; more is dropped and counted (a console-dropped note).
    size_t consoleBufferBytes = 1024 * 1024;
    /// Console input held while the guest's UART is full; a console-input beyond it is refused.
    size_t consoleInputBytes = 64 * 1024;
    /// Streams open at once.
    size_t maxStreams = kMaxStreams;
    /// How long the app has to send its Hello.
    std::chrono::milliseconds helloTimeout {10000};
    /// How long a stream-open may take (connect and the guest's answer).
    std::chrono::milliseconds streamOpenTimeout {10000};
};

/// The VMM's side of the control channel (protocol "airlock-control", ControlProtocol.h) on the
/// machine's device loop: a non-blocking socket, every frame from the app validated as hostile
/// input, bounded output, relayed vsock streams with per-stream credit. A protocol violation is
/// answered with an Error and closes the channel, and a closed channel stops the machine (a VM
/// without its app must not run on). The loop has no timers: whoever runs the server calls
/// tick() at nextDeadline() (ControlSession's main thread does).
class ControlServer {
public:
    using Clock = std::chrono::steady_clock;

    /// A server for the connected stream socket `socket`, acting on `target` (which must outlive
    /// it). Nothing runs until attach().
    static Result<std::unique_ptr<ControlServer>> create(
        UniqueFd socket, ControlTarget& target, ControlServerOptions options = {});
    ~ControlServer();

    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    /// Guest console bytes, from any thread (vCPU threads): never blocks on the app.
    void consoleOutput(std::span<const uint8_t> bytes);

    /// Starts serving on `loop`: call on the loop's thread, or before it runs.
    Result<void> attach(EventLoop& loop);
    /// Handles what is due: deadlines, retries, metrics events. On the loop's thread.
    void tick();
    /// When tick() is next due (Clock::time_point::max() when nothing is); any thread.
    Clock::time_point nextDeadline() const;
    /// Readable when nextDeadline() moved earlier (consume() it, then read nextDeadline()).
    int deadlineChangedFd() const { return m_deadlineChanged.fd(); }
    /// Reports a state change to the app. On the loop's thread (or after detach()).
    void setState(MachineState state);

    /// Queues an event for the app (held until the hello exchange is done). On the loop's thread.
    void sendEvent(const Frame& frame);
    /// Stops serving on the loop: call once its thread has stopped (or on it). Closes the streams
    /// and moves all console output still held into the output.
    void detach();
    /// After detach(): queues `frame` and writes all output, waiting at most `timeout`.
    Result<void> sendNow(const Frame& frame, std::chrono::milliseconds timeout);
    /// Whether the channel is still open (no protocol error, the app still there); any thread.
    bool isOpen() const { return m_open.load(); }
    /// Closes the channel (after the last frame). Idempotent.
    void close();
    /// Console bytes dropped so far.
    uint64_t consoleDroppedBytes() const { return m_console.totalDropped(); }

private:
    ControlServer(UniqueFd socket, ControlTarget& target, ControlServerOptions options,
        EventFd deadlineChanged);

    void onSocket(uint32_t events);
    void onStream(StreamId id, uint32_t events);
    void handleFrame(Frame frame);
    Result<void> handleCommand(const Frame& frame);
    Result<void> handleStreamFrame(const Frame& frame);
    void openStream(const StreamOpen& open);
    void serviceStream(RelayedStream& stream, uint32_t events);
    void closeStream(StreamId id, const std::string& error);
    void queueFrame(const Frame& frame);
    void queueReply(const ControlReply& reply);
    /// queueReply() from any thread, through the loop (a reply that comes later).
    void postReply(ControlReply reply);
    void queueMetrics();
    void retryConsoleInput();
    void drainConsole(bool all);
    void flushOutput();
    /// Sends an Error of `code`, closes the channel and stops the machine.
    void failChannel(std::string_view code, const std::string& message);
    /// The app is gone: closes the channel and stops the machine.
    void loseChannel(const std::string& why);
    void updateInterest();
    void updateStreamInterest(RelayedStream& stream);
    void setRegistration(
        int fd, uint32_t events, bool& registered, uint32_t& current, EventLoop::Callback callback);
    void publishDeadline();
    bool outputHasRoom() const { return pendingOutput() < m_options.outputLimitBytes; }
    size_t pendingOutput() const { return m_output.size() - m_outputSent; }
    ControlStatus currentStatus();

    struct StreamEntry {
        std::unique_ptr<RelayedStream> stream;
        bool registered = false;
        uint32_t interest = 0;
    };

    UniqueFd m_socket;
    ControlTarget& m_target;
    ControlServerOptions m_options;
    EventFd m_deadlineChanged;
    ConsoleBuffer m_console;
    std::atomic<EventLoop*> m_loop {nullptr};
    std::atomic<bool> m_open {true};
    std::atomic<int64_t> m_deadlineTicks {INT64_MAX};
    FrameDecoder m_decoder;
    std::vector<uint8_t> m_output;
    size_t m_outputSent = 0;
    bool m_registered = false;
    uint32_t m_interest = 0;
    bool m_helloDone = false;
    std::vector<Frame> m_heldEvents; // sendEvent() before the hello exchange
    Clock::time_point m_started;
    Clock::time_point m_helloDeadline;
    MachineState m_state = MachineState::Running;
    uint32_t m_metricsIntervalMs = 0;
    Clock::time_point m_nextMetrics = Clock::time_point::max();
    std::vector<uint8_t> m_consoleInput;
    std::map<StreamId, StreamEntry> m_streams;
};

} // namespace vmm
