#pragma once

// What the engine session tests share: a fake airlock-vmm in this process (ControlServer over a
// socketpair with tst_control_support.h's FakeTarget, on a loop thread) that the test can make
// finish cleanly (stopped, guest-exit, shred report) or vanish, and a recorder of state changes.

#include "EngineSession.h"
#include "control/ControlEvents.h"
#include "control/ControlServer.h"
#include "scratch/ShredReport.h"
#include "sys/EventLoop.h"
#include "tst_control_support.h"

#include <future>
#include <optional>

#include <QList>
#include <QObject>

/// A ControlServer for FakeTarget on its own loop thread; the app's end goes to EngineSession.
class FakeEngine {
public:
    explicit FakeEngine(FakeTarget& target)
    {
        int pair[2];
        ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair);
        m_appSide = vmm::UniqueFd(pair[0]);
        m_loop.emplace(std::move(*vmm::EventLoop::create()));
        server = std::move(*vmm::ControlServer::create(vmm::UniqueFd(pair[1]), target));
        [[maybe_unused]] auto attached = server->attach(*m_loop);
        m_thread = std::thread([this] {
            while (!m_stopping) {
                [[maybe_unused]] auto ran = m_loop->runOnce(10);
                server->tick();
            }
        });
    }
    ~FakeEngine() { vanish(); }

    /// The app's end of the channel (once).
    vmm::UniqueFd takeAppSide() { return std::move(m_appSide); }

    /// Runs `task` on the server's loop thread and waits for it.
    void onLoop(std::function<void()> task)
    {
        std::promise<void> done;
        m_loop->post([&] {
            task();
            done.set_value();
        });
        done.get_future().wait();
    }

    /// Ends as airlock-vmm does: state "stopped", guest-exit, the shred report, then closes.
    void finish(int exitCode, const vmm::ShredReport& report)
    {
        stopLoop();
        server->setState(vmm::MachineState::Stopped);
        vmm::GuestExitEvent exited {"guest-exit", exitCode, "the command exited"};
        [[maybe_unused]] auto sent = server->sendNow(exited.toFrame(), std::chrono::seconds(5));
        vmm::ShredReportEvent shred;
        shred.report = nlohmann::json::parse(report.toJson(-1));
        sent = server->sendNow(shred.toFrame(), std::chrono::seconds(5));
        server->close();
    }

    /// Disappears without a word (as a killed airlock-vmm does).
    void vanish()
    {
        stopLoop();
        server.reset();
    }

    std::unique_ptr<vmm::ControlServer> server;

private:
    void stopLoop()
    {
        if (!m_thread.joinable())
            return;
        m_stopping = true;
        m_loop->post([] {});
        m_thread.join();
        if (server)
            server->detach();
    }

    vmm::UniqueFd m_appSide;
    std::optional<vmm::EventLoop> m_loop;
    std::atomic<bool> m_stopping {false};
    std::thread m_thread;
};

/// Every state an EngineSession went through, with the reasons.
class StateRecorder : public QObject {
public:
    explicit StateRecorder(app::EngineSession& session)
    {
        connect(&session, &app::EngineSession::stateChanged, this,
            [this](app::EngineState state, const QString& reason) {
                states.append(state);
                reasons.append(reason);
            });
    }
    QList<app::EngineState> states;
    QStringList reasons;
};

/// A shred report with one verified item, as airlock-vmm would send.
inline vmm::ShredReport oneItemReport()
{
    vmm::ShredReport report;
    vmm::ShredItem item = vmm::ShredItem::start("scratch key", "key wiped with OPENSSL_cleanse");
    item.finish(true, "the key buffer reads back as zeros");
    report.add(std::move(item));
    return report;
}
