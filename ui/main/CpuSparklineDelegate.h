#pragma once

#include <QStyledItemDelegate>

namespace ui {

/// Paints the session list's CPU column: the last minute as a filled sparkline in the palette's
/// highlight colour inside a 0–100 % frame, and the latest value beside it.
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
