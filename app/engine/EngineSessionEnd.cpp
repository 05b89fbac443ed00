// EngineSession: how a session ends. The engine's own shred report ends it in Ended; an engine
// that ends without one (crashed, killed, lost) has its session directory shredded by the app,
// and the session ends in Failed with a report that says what happened.

#include "AbandonedShred.h"
#include "EngineChannel.h"
#include "EngineProcess.h"
#include "EngineSession.h"

#include <cstring>

#include <QtConcurrent/QtConcurrentRun>

namespace app {

namespace {
// airlock-vmm's exit statuses for a start failure and a usage error (vmm/runner/Options.cpp).
constexpr int kExitStartFailed = 1;
constexpr int kExitUsage = 2;

QString signalName(int number)
{
    const char* name = ::sigabbrev_np(number);
    return name ? QStringLiteral("SIG") + QString::fromLatin1(name) : QString::number(number);
}
} // namespace

void EngineSession::finishIfDone()
{
    if (m_finishing || isFinalState(m_state.state()) || !m_channelClosed)
        return;
    if (m_process && !m_processEnded)
        return;
    m_finishing = true;
    if (!m_reportReceived) {
        shredAbandoned();
        return;
    }
    if (m_state.state() != EngineState::Shredding) {
        if (m_state.state() != EngineState::Stopping)
            moveTo(EngineState::Stopping);
        moveTo(EngineState::Shredding);
    }
    moveTo(EngineState::Ended, tr("The session ended and everything it held was shredded."));
}

QString EngineSession::abandonedCause() const
{
    QString output = m_process ? m_process->lastOutputLine() : QString();
    QString said = output.isEmpty() ? QString() : tr(" It said: %1").arg(output);
    if (m_process && !m_processKilledBySignal) {
        // The KVM lab timed out or broke: its own reason beats "exited with status 125".
        if (QString lab = m_process->labFailure(m_processCode); !lab.isEmpty())
            return lab;
    }
    if (m_process && m_processKilledBySignal)
        return tr("The engine (airlock-vmm) was killed by signal %1 (%2) before it could shred "
                  "the session.")
            .arg(m_processCode)
            .arg(signalName(m_processCode));
    if (m_process && !m_client &&
        (m_processCode == kExitStartFailed || m_processCode == kExitUsage))
        return tr("The engine could not start the session (exit status %1).%2 Check that KVM "
                  "(or the KVM lab) is available and that the guest kernel and initramfs exist.")
            .arg(m_processCode)
            .arg(said);
    if (m_process)
        return tr("The engine (airlock-vmm) exited with status %1 without a shred report.%2")
            .arg(m_processCode)
            .arg(said);
    return tr("The engine's control channel closed without a shred report (%1).")
        .arg(m_channelCloseReason);
}

void EngineSession::shredAbandoned()
{
    QString cause = abandonedCause();
    if (m_state.state() != EngineState::Shredding)
        moveTo(EngineState::Shredding, tr("%1 Airlock is shredding what it left.").arg(cause));
    QtConcurrent::run([directory = m_sessionDirectory, cause] {
        return shredAbandonedSession(directory, cause);
    }).then(this, [this, cause](const QJsonObject& report) {
        emit shredReport(report);
        QString outcome = report.value(QStringLiteral("succeeded")).toBool()
            ? tr("Airlock shredded what it left; see the shred report.")
            : tr("Some of what it left could not be shredded; see the shred report.");
        fail((m_failure.isEmpty() ? cause : m_failure) + QLatin1Char(' ') + outcome);
    });
}

} // namespace app
