#include "ControlSession.h"

#include "ConsoleSession.h"
#include "control/ControlEvents.h"
#include "control/ProcessMetrics.h"
#include "dataset/ErofsImage.h"
#include "protocol/AgentClient.h"
#include "protocol/AgentProtocol.h"
#include "protocol/FrameStream.h"
#include "scratch/EncryptedScratch.h"
#include "virtio/block/BlockDevice.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <poll.h>
#include <unistd.h>

#include <sys/signalfd.h>
#include <sys/socket.h>

namespace vmm {

namespace {
using Clock = std::chrono::steady_clock;
// Each step of the agent's clean shutdown waits at most this long.
constexpr auto kAgentStepTimeout = std::chrono::seconds(5);
// After the agent accepted, the guest has this long to stop before it is stopped.
constexpr auto kCleanStopGrace = std::chrono::seconds(30);
// Ticks are posted to the loop no closer than this (the loop publishes its next deadline).
constexpr auto kMinTickSpacing = std::chrono::milliseconds(5);
// Final frames (guest-exit, shred report) wait at most this long for the app to read.
constexpr auto kFinalSendTimeout = std::chrono::seconds(5);

std::string stopKindName(StopReason::Kind kind)
{
    switch (kind) {
    case StopReason::Kind::GuestExit:
        return "guest-exit";
    case StopReason::Kind::PowerOff:
        return "power-off";
    case StopReason::Kind::Reset:
        return "reset";
    case StopReason::Kind::Panic:
        return "panic";
    case StopReason::Kind::TripleFault:
        return "triple-fault";
    case StopReason::Kind::Crash:
        return "crash";
    case StopReason::Kind::EngineError:
        return "engine-error";
    case StopReason::Kind::HostRequest:
        return "host-request";
    }
    return "engine-error";
}

} // namespace

ControlSession::ControlSession(EventFd cleanStop, EventFd addQueued)
    : m_cleanStop(std::move(cleanStop))
    , m_addQueued(std::move(addQueued))
{
}

ControlSession::~ControlSession()
{
    if (m_shutdownThread.joinable())
        m_shutdownThread.join();
    finishAdds();
}

Result<std::unique_ptr<ControlSession>> ControlSession::create(int controlFd)
{
    UniqueFd socket(controlFd);
    EventFd cleanStop = VMM_TRY(EventFd::create());
    EventFd addQueued = VMM_TRY(EventFd::create());
    std::unique_ptr<ControlSession> session(
        new ControlSession(std::move(cleanStop), std::move(addQueued)));
    session->m_server = VMM_TRY(ControlServer::create(std::move(socket), *session));
    return session;
}

ConsoleOutput ControlSession::consoleOutput()
{
    return [server = m_server.get()](std::span<const uint8_t> bytes) {
        server->consoleOutput(bytes);
    };
}

ControlStatus ControlSession::status()
{
    ControlStatus status;
    status.vcpus = static_cast<uint32_t>(m_machine->vcpuThreadIds().size());
    status.memoryBytes = m_machine->memory().size();
    for (const MachineDataset& dataset : m_machine->datasets()) {
        DatasetStatus entry;
        entry.name = dataset.name;
        entry.hostPath = dataset.hostPath;
        if (dataset.image) {
            entry.fileCount = dataset.image->summary().fileCount;
            entry.totalBytes = dataset.image->summary().totalBytes;
            entry.imageBytes = dataset.image->summary().imageBytes;
        }
        status.datasets.push_back(std::move(entry));
    }
    status.scratchBytes = m_machine->scratch() ? m_machine->scratch()->sizeBytes() : 0;
    status.vsockPath = m_machine->vsockPath();
    return status;
}

HostMetrics ControlSession::metrics()
{
    HostMetrics metrics;
    std::vector<pid_t> threads = m_machine->vcpuThreadIds();
    for (size_t index = 0; index < threads.size(); ++index) {
        VcpuMetrics vcpu;
        vcpu.index = static_cast<uint32_t>(index);
        if (threads[index] > 0)
            vcpu.cpuTimeNs = threadCpuTimeNs(threads[index]).value_or(0);
        metrics.vcpus.push_back(vcpu);
    }
    metrics.processCpuTimeNs = processCpuTimeNs();
    if (auto memory = readProcessMemory()) {
        metrics.rssBytes = memory->rssBytes;
        // Guest RAM is anonymous memory like the VMM's own heap: count its pages apart.
        metrics.guestResidentBytes = m_machine->memory().residentBytes();
        metrics.rssExcludingGuestBytes = memory->rssBytes > metrics.guestResidentBytes
            ? memory->rssBytes - metrics.guestResidentBytes
            : 0;
    }
    for (const MachineDisk& disk : m_machine->disks()) {
        DiskMetrics entry;
        entry.label = disk.label;
        if (disk.device) {
            BlockDeviceStats stats = disk.device->stats();
            entry.bytesRead = stats.bytesRead;
            entry.readOperations = stats.readOperations;
            entry.bytesWritten = stats.bytesWritten;
            entry.writeOperations = stats.writeOperations;
            entry.flushes = stats.flushes;
            entry.errors = stats.errors;
        }
        metrics.disks.push_back(std::move(entry));
    }
    return metrics;
}

void ControlSession::pause()
{
    m_machine->pause();
}

void ControlSession::resume()
{
    m_machine->resume();
}

void ControlSession::stop(bool force, const std::string& why)
{
    if (force || m_machine->vsockPath().empty()) {
        m_machine->requestStop({StopReason::Kind::HostRequest, 0, why});
        return;
    }
    if (!m_cleanStopRequested.exchange(true))
        m_cleanStop.signal();
}

size_t ControlSession::queueConsoleInput(std::span<const uint8_t> bytes)
{
    return m_machine->queueConsoleInput(bytes);
}

std::string ControlSession::vsockPath()
{
    return m_machine->vsockPath();
}

std::string ControlSession::displaySocketPath()
{
    return m_machine->displaySocketPath();
}

void ControlSession::enableDatasetHotAdd(
    DatasetBroker* broker, DatasetHotAdd::AttachedHandler onAttached)
{
    m_broker = broker;
    m_onDatasetAttached = std::move(onAttached);
}

void ControlSession::addDataset(const AddDatasetCommand& command, AddDatasetDone done)
{
    // On the device loop: never wait here. The add runs on a thread the main thread starts.
    {
        std::lock_guard lock(m_addMutex);
        if (m_addsClosed || !m_hotAdd) {
            done(ControlReply::failed(command.id, "the session is stopping"));
            return;
        }
        if (m_addBusy) {
            done(ControlReply::failed(command.id,
                "busy: another dataset is being added; add this one once that one is done"));
            return;
        }
        m_addBusy = true;
        m_queuedAdd = QueuedAdd {command, std::move(done), DatasetHotAdd::Clock::now()};
    }
    m_addQueued.signal();
}

void ControlSession::startQueuedAdd()
{
    m_addQueued.consume();
    std::optional<QueuedAdd> queued;
    {
        std::lock_guard lock(m_addMutex);
        if (m_addsClosed)
            return;
        queued.swap(m_queuedAdd);
    }
    if (!queued)
        return;
    // A new add is queued only once the previous one cleared m_addBusy: its thread is ending.
    if (m_addThread.joinable())
        m_addThread.join();
    // Started from the main thread, so it runs under the main thread's seccomp list (it
    // connects to the agent, scans through the broker and starts hashing threads).
    m_addThread = std::thread([this, add = std::move(*queued)] {
        ControlReply reply = m_hotAdd->run(add.command, add.received);
        add.done(std::move(reply));
        std::lock_guard lock(m_addMutex);
        m_addBusy = false;
    });
}

void ControlSession::finishAdds()
{
    {
        std::lock_guard lock(m_addMutex);
        m_addsClosed = true;
        m_queuedAdd.reset();
    }
    if (m_hotAdd)
        m_hotAdd->cancel();
    if (m_addThread.joinable())
        m_addThread.join();
}

void ControlSession::shutdownGuest()
{
    auto fail = [&](const Error& error) {
        m_machine->requestStop({StopReason::Kind::HostRequest, 0,
            "stop requested by the app; the guest agent could not shut the guest down (" +
                error.message() + ")"});
    };
    auto connected = AgentClient::connectHybridVsock(m_machine->vsockPath(), kAgentPort);
    if (!connected) {
        fail(connected.error());
        return;
    }
    UniqueFd fd = std::move(*connected);
    {
        std::lock_guard lock(m_agentMutex);
        m_agentFd = fd.get();
    }
    auto exchange = [&]() -> Result<void> {
        FrameStream stream(fd.get());
        Hello ours {std::string(kAgentProtocolName), kAgentProtocolVersion, "airlock-vmm"};
        VMM_TRY(stream.send(ours.toFrame(), kAgentStepTimeout));
        std::optional<Frame> hello = VMM_TRY(stream.receive(kAgentStepTimeout));
        if (!hello || !hello->is(MessageKind::Hello))
            return failure(Error::invalid("agent", "no hello"));
        VMM_TRY(stream.send(makeFrame(MessageKind::ShutdownRequest), kAgentStepTimeout));
        std::optional<Frame> answer = VMM_TRY(stream.receive(kAgentStepTimeout));
        if (!answer || !answer->is(MessageKind::ShutdownAccepted))
            return failure(Error::invalid("agent", "shutdown not accepted"));
        return {};
    };
    Result<void> done = exchange();
    {
        std::lock_guard lock(m_agentMutex);
        m_agentFd = -1;
    }
    if (!done)
        fail(done.error());
}

StopReason ControlSession::run(Machine& machine)
{
    sigset_t signals = hostSignals();
    UniqueFd signalFd(::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK));
    if (auto attached = m_server->attach(machine.devices().loop()); !attached)
        machine.requestStop({StopReason::Kind::EngineError, 0, attached.error().message()});
    {
        std::lock_guard lock(m_addMutex);
        m_hotAdd = std::make_unique<DatasetHotAdd>(machine, m_broker, m_onDatasetAttached);
    }
    {
        std::lock_guard lock(m_eventMutex);
        m_machine = &machine; // from here events go through the loop
        for (Frame& early : m_earlyEvents)
            m_server->sendEvent(early); // the loop is not running yet: this thread may
        m_earlyEvents.clear();
    }
    machine.start();

    Clock::time_point lastTick = Clock::now();
    Clock::time_point cleanStopDeadline = Clock::time_point::max();
    while (!machine.stopReason()) {
        Clock::time_point now = Clock::now();
        Clock::time_point next = std::min(m_server->nextDeadline(), cleanStopDeadline);
        next = std::max(next, lastTick + kMinTickSpacing);
        int waitMs = -1;
        if (next != Clock::time_point::max())
            waitMs = static_cast<int>(std::clamp<int64_t>(
                std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count() + 1, 0,
                60'000));
        pollfd fds[5] = {
            {machine.stopEventFd(), POLLIN, 0},
            {signalFd.get(), POLLIN, 0},
            {m_server->deadlineChangedFd(), POLLIN, 0},
            {m_cleanStop.fd(), POLLIN, 0},
            {m_addQueued.fd(), POLLIN, 0},
        };
        if (::poll(fds, 5, waitMs) < 0 && errno != EINTR)
            break;
        if (fds[4].revents & POLLIN)
            startQueuedAdd();
        if (fds[1].revents & POLLIN) {
            signalfd_siginfo info {};
            if (::read(signalFd.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info))
                machine.requestStop(
                    {StopReason::Kind::HostRequest, static_cast<uint8_t>(info.ssi_signo),
                        "signal " + std::to_string(info.ssi_signo)});
        }
        if (fds[2].revents & POLLIN) {
            uint64_t changes = 0;
            [[maybe_unused]] ssize_t got =
                ::read(m_server->deadlineChangedFd(), &changes, sizeof changes);
        }
        if ((fds[3].revents & POLLIN) && !m_shutdownThread.joinable()) {
            m_cleanStop.consume();
            cleanStopDeadline = Clock::now() + kCleanStopGrace;
            m_shutdownThread = std::thread([this] { shutdownGuest(); });
        }
        now = Clock::now();
        if (now >= cleanStopDeadline)
            machine.requestStop({StopReason::Kind::HostRequest, 0,
                "stop requested by the app; the guest did not stop in time"});
        if (now >= m_server->nextDeadline() && now >= lastTick + kMinTickSpacing) {
            lastTick = now;
            ControlServer* server = m_server.get();
            machine.devices().loop().post([server] { server->tick(); });
        }
    }
    StopReason reason = machine.shutdown();
    {
        std::lock_guard lock(m_agentMutex);
        if (m_agentFd >= 0)
            ::shutdown(m_agentFd, SHUT_RDWR); // the guest is gone: do not wait for its answer
    }
    if (m_shutdownThread.joinable())
        m_shutdownThread.join();
    finishAdds(); // an add in progress fails fast now: the guest is gone
    {
        std::lock_guard lock(m_eventMutex);
        m_detached = true; // events from hashing threads are dropped from here on
    }
    m_server->detach();
    if (m_server->isOpen()) {
        [[maybe_unused]] auto stopped =
            m_server->sendNow(StateEvent {MachineState::Stopped}.toFrame(), kFinalSendTimeout);
        GuestExitEvent exit {
            stopKindName(reason.kind), reason.exitCode() & 0xff, reason.description()};
        [[maybe_unused]] auto sent = m_server->sendNow(exit.toFrame(), kFinalSendTimeout);
    }
    return reason;
}

void ControlSession::sendEventFromAnyThread(Frame event)
{
    std::lock_guard lock(m_eventMutex);
    if (m_machine && !m_detached) {
        m_machine->devices().loop().post(
            [this, frame = std::move(event)] { m_server->sendEvent(frame); });
        return;
    }
    if (!m_detached)
        m_earlyEvents.push_back(std::move(event)); // sent once run() attaches the server
}

void ControlSession::sendFinalEvent(const Frame& event)
{
    if (m_server->isOpen()) [[maybe_unused]]
        auto sent = m_server->sendNow(event, kFinalSendTimeout);
}

void ControlSession::sendShredReport(const ShredReport& report)
{
    auto parsed = nlohmann::json::parse(report.toJson(), nullptr, false);
    if (parsed.is_object() && m_server->isOpen()) {
        [[maybe_unused]] auto sent =
            m_server->sendNow(ShredReportEvent {std::move(parsed)}.toFrame(), kFinalSendTimeout);
    }
    m_server->close();
}

StopReason runControlSession(Machine& machine, ControlSession& session)
{
    return session.run(machine);
}

} // namespace vmm
