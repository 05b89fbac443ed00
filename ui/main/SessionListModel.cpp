#include "SessionListModel.h"

#include "DatasetSource.h"
#include "EngineSession.h"
#include "ManagedSession.h"
#include "SessionHeader.h"
#include "SessionManager.h"
#include "Sparkline.h"

#include <cmath>

namespace ui {

SessionListModel::SessionListModel(app::SessionManager& manager, QObject* parent)
    : QAbstractTableModel(parent)
    , m_manager(manager)
{
    for (app::ManagedSession* session : manager.sessions())
        add(session);
    connect(&manager, &app::SessionManager::sessionAdded, this, &SessionListModel::add);
    connect(&manager, &app::SessionManager::sessionRemoved, this, &SessionListModel::remove);
    connect(&m_ticker, &QTimer::timeout, this, &SessionListModel::tick);
    m_ticker.start(1000);
}

int SessionListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_sessions.size());
}

int SessionListModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SessionListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Session");
    case StateColumn:
        return tr("State");
    case UptimeColumn:
        return tr("Uptime");
    case DatasetsColumn:
        return tr("Datasets");
    case CpuColumn:
        return tr("CPU (0–100 %)");
    default:
        return {};
    }
}

QVariant SessionListModel::data(const QModelIndex& index, int role) const
{
    app::ManagedSession* session = sessionAt(index.row());
    if (!session || index.column() < 0 || index.column() >= ColumnCount)
        return {};
    if (role == SessionRole)
        return QVariant::fromValue(static_cast<void*>(session));
    if (role == CpuValuesRole)
        return QVariant::fromValue(cpuValues(session));
    if (role == StateRole)
        return static_cast<int>(session->engine().state());
    if (role == PurposeRole)
        return session->request().purpose;
    if (role == Qt::ToolTipRole)
        return toolTip(session, index.column());
    if (role == Qt::TextAlignmentRole && index.column() == UptimeColumn)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case NameColumn:
        return session->request().name;
    case StateColumn:
        return app::engineStateName(session->engine().state());
    case UptimeColumn:
        return uptimeText(session);
    case DatasetsColumn:
        return datasetsText(session);
    default:
        return {};
    }
}

QString SessionListModel::toolTip(app::ManagedSession* session, int column) const
{
    switch (column) {
    case NameColumn: {
        // The two-line cell elides; its tooltip says everything in full.
        QString reason = session->engine().stateReason();
        QString state = app::engineStateName(session->engine().state());
        return tr("%1\nState: %2\nUp %3\nDatasets: %4\nPurpose: %5")
            .arg(session->request().name,
                reason.isEmpty() ? state : tr("%1 (%2)").arg(state, reason), uptimeText(session),
                datasetsText(session), session->request().purpose);
    }
    case StateColumn:
        return session->engine().stateReason();
    case DatasetsColumn:
        return datasetsText(session);
    case CpuColumn: {
        QList<double> values = cpuValues(session);
        bool known = !values.isEmpty() && std::isfinite(values.last());
        return known ? tr("CPU use over the last minute (0–100 % of the session's vCPUs); now "
                          "%1 %.")
                           .arg(qRound(values.last()))
                     : tr("CPU use over the last minute (0–100 % of the session's vCPUs).");
    }
    default:
        return {};
    }
}

app::ManagedSession* SessionListModel::sessionAt(int row) const
{
    return row >= 0 && row < m_sessions.size() ? m_sessions.at(row) : nullptr;
}

int SessionListModel::rowOf(const app::ManagedSession* session) const
{
    return static_cast<int>(m_sessions.indexOf(session));
}

int SessionListModel::activeCount() const
{
    return static_cast<int>(
        std::count_if(m_sessions.begin(), m_sessions.end(), [](app::ManagedSession* session) {
            return !app::isFinalState(session->engine().state());
        }));
}

void SessionListModel::add(app::ManagedSession* session)
{
    if (m_sessions.contains(session))
        return;
    int row = static_cast<int>(m_sessions.size());
    beginInsertRows({}, row, row);
    m_sessions.append(session);
    endInsertRows();
    connect(&session->engine(), &app::EngineSession::stateChanged, this,
        [this, session](app::EngineState state, const QString&) {
            if (app::isFinalState(state) && !m_endedAt.contains(session))
                m_endedAt.insert(session, QDateTime::currentDateTimeUtc());
            rowChanged(session, NameColumn, UptimeColumn);
            emit activityChanged();
        });
    connect(&session->engine(), &app::EngineSession::metricsSampled, this,
        [this, session] { rowChanged(session, CpuColumn, CpuColumn); });
    connect(session, &app::ManagedSession::datasetsChanged, this,
        [this, session] { rowChanged(session, NameColumn, DatasetsColumn); });
    emit activityChanged();
}

void SessionListModel::remove(app::ManagedSession* session)
{
    int row = rowOf(session);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_sessions.removeAt(row);
    m_endedAt.remove(session);
    endRemoveRows();
    disconnect(&session->engine(), nullptr, this, nullptr);
    disconnect(session, nullptr, this, nullptr);
    emit activityChanged();
}

void SessionListModel::rowChanged(const app::ManagedSession* session, int first, int last)
{
    int row = rowOf(session);
    if (row >= 0)
        emit dataChanged(index(row, first), index(row, last));
}

void SessionListModel::tick()
{
    // The uptime ticks in its own column and in the two-line name cell that shows it.
    if (!m_sessions.isEmpty())
        emit dataChanged(index(0, NameColumn),
            index(static_cast<int>(m_sessions.size()) - 1, UptimeColumn), {Qt::DisplayRole});
}

QString SessionListModel::uptimeText(const app::ManagedSession* session) const
{
    // An ended session's clock stops where it ended.
    QDateTime end = m_endedAt.value(session, QDateTime::currentDateTimeUtc());
    return SessionHeader::durationText(session->startedAt().secsTo(end));
}

QString SessionListModel::datasetsText(const app::ManagedSession* session) const
{
    QStringList names = app::datasetNames(session->datasets());
    return names.isEmpty() ? tr("none") : names.join(QStringLiteral(", "));
}

QList<double> SessionListModel::cpuValues(app::ManagedSession* session) const
{
    QList<app::MetricsPoint> points = session->engine().metricsHistory().points();
    QList<double> values;
    qsizetype first = std::max<qsizetype>(0, points.size() - Sparkline::maximumValues);
    for (qsizetype i = first; i < points.size(); ++i)
        values.append(points.at(i).cpuPercent);
    return values;
}

} // namespace ui
