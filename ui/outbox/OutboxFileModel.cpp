#include "OutboxFileModel.h"

#include <algorithm>

#include <QFont>
#include <QLocale>

namespace ui {

namespace {

QString exportKey(const app::OutboxFile& file)
{
    return file.path + QLatin1Char('\n') + file.sha256;
}

// "3f2a9c…b71e": enough to compare by eye, the full digest is in the tooltip.
QString elidedHash(const QString& sha256)
{
    if (sha256.size() <= 16)
        return sha256;
    return sha256.left(8) + QChar(0x2026) + sha256.right(8);
}

} // namespace

OutboxFileModel::OutboxFileModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void OutboxFileModel::setFiles(QList<app::OutboxFile> files)
{
    std::sort(
        files.begin(), files.end(), [](const app::OutboxFile& left, const app::OutboxFile& right) {
            return left.path < right.path;
        });
    beginResetModel();
    m_files = std::move(files);
    endResetModel();
}

int OutboxFileModel::rowOf(const QString& path) const
{
    for (qsizetype row = 0; row < m_files.size(); ++row) {
        if (m_files.at(row).path == path)
            return static_cast<int>(row);
    }
    return -1;
}

void OutboxFileModel::markExported(const app::OutboxFile& file, const QString& destination)
{
    m_exported.insert(exportKey(file), destination);
    int row = rowOf(file.path);
    if (row >= 0)
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

bool OutboxFileModel::isExported(const app::OutboxFile& file) const
{
    return m_exported.contains(exportKey(file));
}

int OutboxFileModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_files.size());
}

int OutboxFileModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant OutboxFileModel::display(const app::OutboxFile& file, int column) const
{
    switch (column) {
    case PathColumn:
        return file.path;
    case SizeColumn:
        return QLocale().formattedDataSize(static_cast<qint64>(file.size));
    case HashColumn:
        return elidedHash(file.sha256);
    case ModifiedColumn:
        return QLocale().toString(file.modified.toLocalTime(), QLocale::ShortFormat);
    case ExportedColumn:
        return isExported(file) ? tr("Exported") : QString();
    default:
        return {};
    }
}

QVariant OutboxFileModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_files.size())
        return {};
    const app::OutboxFile& file = m_files.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return display(file, index.column());
    case Qt::ToolTipRole:
        if (index.column() == HashColumn)
            return tr("SHA-256: %1").arg(file.sha256);
        if (index.column() == ExportedColumn && isExported(file))
            return tr("Exported to %1").arg(m_exported.value(exportKey(file)));
        if (index.column() == SizeColumn)
            return tr("%L1 bytes").arg(file.size);
        return display(file, index.column());
    case Qt::TextAlignmentRole:
        if (index.column() == SizeColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::FontRole:
        if (index.column() == HashColumn) {
            QFont font(QStringLiteral("monospace"));
            font.setStyleHint(QFont::Monospace);
            return font;
        }
        return {};
    case Sha256Role:
        return file.sha256;
    case PathRole:
        return file.path;
    default:
        return {};
    }
}

QVariant OutboxFileModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case PathColumn:
        return tr("File");
    case SizeColumn:
        return tr("Size");
    case HashColumn:
        return tr("SHA-256");
    case ModifiedColumn:
        return tr("Modified");
    case ExportedColumn:
        return tr("Exported");
    default:
        return {};
    }
}

} // namespace ui
