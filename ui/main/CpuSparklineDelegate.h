#pragma once

#include <QStyledItemDelegate>

namespace ui {

/// Paints the session list's CPU column as a sparkline of the last minute (0..100 %).
class CpuSparklineDelegate : public QStyledItemDelegate {
    Q_OBJECT

public:
    /// A delegate reading SessionListModel::CpuValuesRole.
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
        const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace ui
