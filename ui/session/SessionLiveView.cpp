#include "SessionLiveView.h"

#include "EngineSession.h"
#include "MetricsGraphSamples.h"
#include "SessionGraphs.h"
#include "TerminalView.h"

#include <QSettings>
#include <QSplitter>
#include <QVBoxLayout>

namespace ui {

namespace {
const QString kSplitterKey = QStringLiteral("SessionWindow/consoleSplitter");
}

SessionLiveView::SessionLiveView(
    app::EngineSession& engine, const QDateTime& origin, QWidget* parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_origin(origin)
    , m_terminal(new TerminalView(this))
    , m_graphs(new SessionGraphs(this))
    , m_splitter(new QSplitter(Qt::Horizontal, this))
{
    m_terminal->setObjectName(QStringLiteral("console"));
    m_graphs->setObjectName(QStringLiteral("graphs"));
    m_splitter->setObjectName(QStringLiteral("consoleSplitter"));
    m_splitter->addWidget(m_terminal);
    m_splitter->addWidget(m_graphs);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_splitter);
    // The console gets about three fifths of the width until the user moves the handle.
    if (!m_splitter->restoreState(QSettings().value(kSplitterKey).toByteArray()))
        m_splitter->setSizes({600, 400});

    // A window opened on a session that already runs shows the minutes it missed.
    m_graphs->setSamples(
        MetricsGraphSamples::fromPoints(m_engine.metricsHistory().points(), m_origin));

    connect(&engine, &app::EngineSession::consoleOutput, m_terminal, &TerminalView::feed);
    connect(m_terminal, &TerminalView::inputProduced, &engine,
        [this](const QByteArray& bytes) { m_engine.sendConsoleInput(bytes); });
    connect(&engine, &app::EngineSession::metricsSampled, this,
        [this](const app::MetricsSample&) { addLatestMetrics(); });
}

SessionLiveView::~SessionLiveView()
{
    QSettings().setValue(kSplitterKey, m_splitter->saveState());
}

void SessionLiveView::addLatestMetrics()
{
    // metricsSampled fires after the sample became a point (a rate against the previous one).
    if (std::optional<app::MetricsPoint> latest = m_engine.metricsHistory().latest())
        m_graphs->addSample(MetricsGraphSamples::fromPoint(*latest, m_origin));
}

} // namespace ui
