#pragma once

#include "AppResult.h"

#include <QString>

namespace app {

/// Where one session's engine is in its life. Starting → Running ⇄ Paused → Stopping →
/// Shredding → Ended; an engine that dies before Stopping goes straight to Shredding (what it
/// left is shredded for it); Failed (with a reason) from any state that has not ended.
enum class EngineState { Starting, Running, Paused, Stopping, Shredding, Ended, Failed };

/// The state's name for people ("Running").
QString engineStateName(EngineState state);
/// Whether the engine may go from `from` to `to` (a state never moves to itself).
bool isLegalTransition(EngineState from, EngineState to);
/// Whether nothing follows `state` (Ended, Failed).
bool isFinalState(EngineState state);

/// The validated state of one session's engine: every move is checked against
/// isLegalTransition(), so a late or hostile event cannot take a session back to life.
class EngineStateMachine {
public:
    /// The current state (Starting at first).
    EngineState state() const { return m_state; }
    /// Why the engine is in its current state ("" when there is nothing to say).
    const QString& reason() const { return m_reason; }
    /// Moves to `to` with `reason`, or refuses an illegal move and stays where it is.
    Result<void> transition(EngineState to, const QString& reason = {});

private:
    EngineState m_state = EngineState::Starting;
    QString m_reason;
};

} // namespace app
