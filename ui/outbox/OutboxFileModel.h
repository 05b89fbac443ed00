#pragma once

#include "GuestAgent.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

namespace ui {

/// The files of a session's /outbox for a table: path, size, SHA-256 (elided, full in the
/// tooltip), modified time, and whether this panel exported it (by path and hash, so that a
/// file rewritten after its export shows as not exported).
class OutboxFileModel : public QAbstractTableModel {
    Q_OBJECT
public:
    /// The columns, in order.
    enum Column { PathColumn, SizeColumn, HashColumn, ModifiedColumn, ExportedColumn, ColumnCount };
    /// The full SHA-256 of a row (any column).
    static constexpr int Sha256Role = Qt::UserRole + 1;
    /// The outbox path of a row (any column).
    static constexpr int PathRole = Qt::UserRole + 2;

    /// An empty list.
    explicit OutboxFileModel(QObject* parent = nullptr);

    /// Shows `files` (sorted by path), keeping what was exported.
    void setFiles(QList<app::OutboxFile> files);
    /// The file shown in `row`.
    const app::OutboxFile& file(int row) const { return m_files.at(row); }
    /// The row of the file at `path`, or -1.
    int rowOf(const QString& path) const;
    /// Records that `file` was exported to `destination`.
    void markExported(const app::OutboxFile& file, const QString& destination);
    /// Whether `file` (this path with this hash) was exported.
    bool isExported(const app::OutboxFile& file) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant display(const app::OutboxFile& file, int column) const;

    QList<app::OutboxFile> m_files;
    // path + '\n' + sha256 -> where it went.
    QHash<QString, QString> m_exported;
};

} // namespace ui
