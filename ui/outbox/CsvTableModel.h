#pragma once

#include "CsvParser.h"

#include <QAbstractTableModel>

namespace ui {

/// A parsed CSV file for a QTableView: the first record as the column headers, the others as
/// rows; short records are padded with empty cells.
class CsvTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    /// An empty table.
    explicit CsvTableModel(QObject* parent = nullptr);

    /// Shows `table`.
    void setTable(CsvTable table);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(
        int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QStringList m_header;
    QList<QStringList> m_rows;
    int m_columns = 0;
};

} // namespace ui
