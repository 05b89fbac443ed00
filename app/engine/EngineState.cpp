#include "EngineState.h"

#include <QCoreApplication>

namespace app {

QString engineStateName(EngineState state)
{
    switch (state) {
    case EngineState::Starting:
        return QCoreApplication::translate("app::EngineState", "Starting");
    case EngineState::Running:
        return QCoreApplication::translate("app::EngineState", "Running");
    case EngineState::Paused:
        return QCoreApplication::translate("app::EngineState", "Paused");
    case EngineState::Stopping:
        return QCoreApplication::translate("app::EngineState", "Stopping");
    case EngineState::Shredding:
        return QCoreApplication::translate("app::EngineState", "Shredding");
    case EngineState::Ended:
        return QCoreApplication::translate("app::EngineState", "Ended");
    case EngineState::Failed:
        return QCoreApplication::translate("app::EngineState", "Failed");
    }
    return QStringLiteral("?");
}

bool isFinalState(EngineState state)
{
    return state == EngineState::Ended || state == EngineState::Failed;
}

bool isLegalTransition(EngineState from, EngineState to)
{
    if (from == to || isFinalState(from))
        return false;
    if (to == EngineState::Failed)
        return true;
    switch (from) {
    case EngineState::Starting:
        // An engine that dies while booting still leaves a session directory to shred.
        return to == EngineState::Running || to == EngineState::Stopping ||
            to == EngineState::Shredding;
    case EngineState::Running:
        return to == EngineState::Paused || to == EngineState::Stopping ||
            to == EngineState::Shredding;
    case EngineState::Paused:
        return to == EngineState::Running || to == EngineState::Stopping ||
            to == EngineState::Shredding;
    case EngineState::Stopping:
        return to == EngineState::Shredding;
    case EngineState::Shredding:
        return to == EngineState::Ended;
    case EngineState::Ended:
    case EngineState::Failed:
        break;
    }
    return false;
}

Result<void> EngineStateMachine::transition(EngineState to, const QString& reason)
{
    if (!isLegalTransition(m_state, to))
        return failure(QCoreApplication::translate(
            "app::EngineState", "The session cannot go from %1 to %2; it stays %1.")
                           .arg(engineStateName(m_state), engineStateName(to)));
    m_state = to;
    m_reason = reason;
    return {};
}

} // namespace app
