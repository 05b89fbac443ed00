#pragma once

#include "audit/AuditEvent.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

namespace ui {

/// Audit events as a timeline table: local time, user, session name, kind and a one-line
/// summary of the details.
class AuditTimelineModel : public QAbstractTableModel {
    Q_OBJECT
public:
    /// The columns, in order.
    enum Column { TimeColumn, UserColumn, SessionColumn, KindColumn, SummaryColumn, ColumnCount };

    /// An empty timeline.
    explicit AuditTimelineModel(QObject* parent = nullptr);

    /// Shows `events`; `sessionNames` maps session ids to the names given at creation.
    void setEvents(QList<app::AuditEvent> events, QHash<QString, QString> sessionNames);
    /// The event in `row`.
    const app::AuditEvent& event(int row) const { return m_events.at(row); }
    /// The row of the event with audit id `id`, or -1 if it is not shown.
    int rowOfId(qint64 id) const;
    /// The session name for `sessionId` (the id when it has none).
    QString sessionName(const QString& sessionId) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<app::AuditEvent> m_events;
    QHash<QString, QString> m_sessionNames;
};

} // namespace ui
