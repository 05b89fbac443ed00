#include "SessionHeader.h"

#include "EngineSession.h"

#include <QHBoxLayout>
#include <QLabel>

namespace ui {

namespace {

// Colours that read on light and dark palettes alike.
QString stateStyle(app::EngineState state)
{
    switch (state) {
    case app::EngineState::Running:
        return QStringLiteral("color: #2e7d32; font-weight: bold;");
    case app::EngineState::Paused:
        return QStringLiteral("color: #ef6c00; font-weight: bold;");
    case app::EngineState::Failed:
        return QStringLiteral("color: #c62828; font-weight: bold;");
    default:
        return QStringLiteral("font-weight: bold;");
    }
}

} // namespace

SessionHeader::SessionHeader(app::EngineSession& engine, const Facts& facts, QWidget* parent)
    : QWidget(parent)
    , m_facts(facts)
    , m_state(new QLabel(this))
    , m_uptime(new QLabel(this))
    , m_deadline(new QLabel(this))
    , m_purpose(new QLabel(this))
{
    m_state->setObjectName(QStringLiteral("stateLabel"));
    m_uptime->setObjectName(QStringLiteral("uptimeLabel"));
    m_deadline->setObjectName(QStringLiteral("deadlineLabel"));
    m_purpose->setObjectName(QStringLiteral("purposeLabel"));
    m_purpose->setToolTip(m_facts.purpose);
    m_purpose->setMinimumWidth(80);
    m_purpose->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_uptime->setToolTip(tr("How long the session has run"));
    m_deadline->setToolTip(tr("The session is stopped and shredded when its maximum lifetime "
                              "runs out (%1)")
                               .arg(QLocale().toString(m_facts.deadline, QLocale::ShortFormat)));

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 8, 4);
    layout->setSpacing(16);
    layout->addWidget(m_state);
    layout->addWidget(m_uptime);
    layout->addWidget(m_deadline);
    layout->addWidget(m_purpose, 1);

    connect(&engine, &app::EngineSession::stateChanged, this, &SessionHeader::showState);
    connect(&m_ticker, &QTimer::timeout, this, &SessionHeader::tick);
    m_ticker.start(1000);
    showState(engine.state(), engine.stateReason());
    elidePurpose();
}

QString SessionHeader::stateText() const
{
    return m_state->text();
}
QString SessionHeader::uptimeText() const
{
    return m_uptime->text();
}
QString SessionHeader::deadlineText() const
{
    return m_deadline->text();
}

QString SessionHeader::durationText(qint64 seconds)
{
    seconds = std::max<qint64>(seconds, 0);
    qint64 hours = seconds / 3600;
    return QStringLiteral("%1:%2:%3")
        .arg(hours)
        .arg((seconds / 60) % 60, 2, 10, QLatin1Char('0'))
        .arg(seconds % 60, 2, 10, QLatin1Char('0'));
}

void SessionHeader::showState(app::EngineState state, const QString& reason)
{
    m_state->setText(app::engineStateName(state));
    m_state->setStyleSheet(stateStyle(state));
    m_state->setToolTip(reason);
    if (app::isFinalState(state) && !m_endedAt.isValid())
        m_endedAt = QDateTime::currentDateTimeUtc();
    tick();
}

void SessionHeader::tick()
{
    // An ended session's clock stops where it ended; its lifetime no longer matters.
    QDateTime now = m_endedAt.isValid() ? m_endedAt : QDateTime::currentDateTimeUtc();
    m_uptime->setText(tr("Up %1").arg(durationText(m_facts.startedAt.secsTo(now))));
    if (m_endedAt.isValid())
        m_deadline->setText(tr("Ended"));
    else
        m_deadline->setText(tr("%1 left").arg(durationText(now.secsTo(m_facts.deadline))));
    if (m_endedAt.isValid())
        m_ticker.stop();
}

void SessionHeader::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    elidePurpose();
}

void SessionHeader::elidePurpose()
{
    QString text = tr("Purpose: %1")
                       .arg(QString(m_facts.purpose).replace(QLatin1Char('\n'), QLatin1Char(' ')));
    m_purpose->setText(m_purpose->fontMetrics().elidedText(
        text, Qt::ElideRight, std::max(m_purpose->width(), 40)));
}

} // namespace ui
