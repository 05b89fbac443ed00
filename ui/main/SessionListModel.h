#pragma once

#include <QAbstractTableModel>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QTimer>

namespace app {
class ManagedSession;
class SessionManager;
} // namespace app

namespace ui {

/// The main window's list of sessions, one row each, oldest first: name, state, uptime
/// (ticking), dataset names and the last minute of CPU use (for the sparkline delegate). The
/// view shows the first four in one two-line cell (SessionListView); the columns stay for
/// accessibility, tooltips and tests.
class SessionListModel : public QAbstractTableModel {
    Q_OBJECT

public:
    /// The columns.
    enum Column { NameColumn, StateColumn, UptimeColumn, DatasetsColumn, CpuColumn, ColumnCount };
    /// Extra data roles.
    enum Role {
        /// The app::ManagedSession* of the row.
        SessionRole = Qt::UserRole + 1,
        /// The last 60 seconds of CPU use in percent (QList<double>, NaN for gaps).
        CpuValuesRole,
        /// The engine's state (app::EngineState as int), for the state badge.
        StateRole,
        /// The purpose of use, as recorded.
        PurposeRole,
    };

    /// A model over `manager`'s sessions, following it as sessions come and go.
    explicit SessionListModel(app::SessionManager& manager, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    /// The session of `row` (nullptr when out of range).
    app::ManagedSession* sessionAt(int row) const;
    /// The row of `session` (-1 when not listed).
    int rowOf(const app::ManagedSession* session) const;
    /// The sessions that have not ended.
    int activeCount() const;

signals:
    /// A session's state changed (or one came or went): the status bar recounts.
    void activityChanged();

private:
    void add(app::ManagedSession* session);
    void remove(app::ManagedSession* session);
    void rowChanged(const app::ManagedSession* session, int first, int last);
    void tick();
    QString uptimeText(const app::ManagedSession* session) const;
    QString datasetsText(const app::ManagedSession* session) const;
    QString toolTip(app::ManagedSession* session, int column) const;
    QList<double> cpuValues(app::ManagedSession* session) const;

    app::SessionManager& m_manager;
    QList<app::ManagedSession*> m_sessions;
    QHash<const app::ManagedSession*, QDateTime> m_endedAt;
    QTimer m_ticker;
};

} // namespace ui
