#include "CsvTableModel.h"

#include <algorithm>

namespace ui {

namespace {

// A hostile or broken file could have a million commas on one line; the view need not try.
constexpr qsizetype kMaximumColumns = 512;

} // namespace

CsvTableModel::CsvTableModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void CsvTableModel::setTable(CsvTable table)
{
    beginResetModel();
    m_header = table.rows.isEmpty() ? QStringList() : table.rows.takeFirst();
    m_rows = std::move(table.rows);
    qsizetype columns = m_header.size();
    for (const QStringList& row : std::as_const(m_rows))
        columns = std::max(columns, row.size());
    m_columns = static_cast<int>(std::min(columns, kMaximumColumns));
    endResetModel();
}

int CsvTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int CsvTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : m_columns;
}

QVariant CsvTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return {};
    const QStringList& row = m_rows.at(index.row());
    return index.column() < row.size() ? row.at(index.column()) : QString();
}

QVariant CsvTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return {};
    if (orientation == Qt::Vertical)
        return section + 1;
    return section < m_header.size() ? m_header.at(section) : QString();
}

} // namespace ui
