#pragma once

#include "EngineState.h"

#include <QDateTime>
#include <QTimer>
#include <QWidget>

class QLabel;

namespace app {
class EngineSession;
}

namespace ui {

/// The strip above a session's console: its state (following the engine), how long it has run,
/// how long until its maximum lifetime shreds it, and its purpose of use (elided, full text in
/// the tooltip). Ticks once a second.
class SessionHeader : public QWidget {
    Q_OBJECT

public:
    /// What the header says about a session besides its state.
    struct Facts {
        /// The purpose of use, as recorded.
        QString purpose;
        /// When it started.
        QDateTime startedAt;
        /// When its maximum lifetime runs out.
        QDateTime deadline;
    };

    /// A header for `engine` with `facts`.
    SessionHeader(app::EngineSession& engine, const Facts& facts, QWidget* parent = nullptr);

    /// The state as shown ("Running").
    QString stateText() const;
    /// The uptime as shown ("1:02:03").
    QString uptimeText() const;
    /// The countdown as shown ("7:59:00 left").
    QString deadlineText() const;
    /// "1:02:03" for `seconds` (negative counts as zero).
    static QString durationText(qint64 seconds);

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void showState(app::EngineState state, const QString& reason);
    void tick();
    void elidePurpose();

    Facts m_facts;
    QLabel* m_state;
    QLabel* m_uptime;
    QLabel* m_deadline;
    QLabel* m_purpose;
    QTimer m_ticker;
    QDateTime m_endedAt;
};

} // namespace ui
