#include "AuditTimelineModel.h"

#include "AuditEventSummary.h"

#include <QLocale>

namespace ui {

AuditTimelineModel::AuditTimelineModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void AuditTimelineModel::setEvents(
    QList<app::AuditEvent> events, QHash<QString, QString> sessionNames)
{
    beginResetModel();
    m_events = std::move(events);
    m_sessionNames = std::move(sessionNames);
    endResetModel();
}

int AuditTimelineModel::rowOfId(qint64 id) const
{
    for (qsizetype row = 0; row < m_events.size(); ++row) {
        if (m_events.at(row).id == id)
            return static_cast<int>(row);
    }
    return -1;
}

QString AuditTimelineModel::sessionName(const QString& sessionId) const
{
    const QString name = m_sessionNames.value(sessionId);
    return name.isEmpty() ? sessionId : name;
}

int AuditTimelineModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_events.size());
}

int AuditTimelineModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AuditTimelineModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_events.size())
        return {};
    const app::AuditEvent& event = m_events.at(index.row());
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case TimeColumn:
            return QLocale().toString(
                event.time.toLocalTime(), QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        case UserColumn:
            return event.user;
        case SessionColumn:
            return sessionName(event.sessionId);
        case KindColumn:
            return auditKindLabel(event.kind);
        case SummaryColumn:
            return auditEventSummary(event);
        default:
            return {};
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (index.column()) {
        case TimeColumn:
            return tr("Row %1, %2 (UTC %3)")
                .arg(event.id)
                .arg(QLocale().toString(event.time.toLocalTime(), QLocale::LongFormat),
                    app::auditTimeText(event.time));
        case UserColumn:
            return tr("%1 on %2").arg(event.user, event.host);
        case SessionColumn:
            return event.sessionId;
        case SummaryColumn:
            return auditEventSummary(event);
        default:
            return {};
        }
    }
    return {};
}

QVariant AuditTimelineModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return {};
    if (orientation == Qt::Vertical)
        return section < m_events.size() ? QVariant(m_events.at(section).id) : QVariant();
    switch (section) {
    case TimeColumn:
        return tr("Time");
    case UserColumn:
        return tr("User");
    case SessionColumn:
        return tr("Session");
    case KindColumn:
        return tr("Kind");
    case SummaryColumn:
        return tr("Summary");
    default:
        return {};
    }
}

} // namespace ui
