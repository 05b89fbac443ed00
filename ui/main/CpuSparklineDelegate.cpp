#include "CpuSparklineDelegate.h"

#include "SessionGraphs.h"
#include "SessionListModel.h"
#include "Sparkline.h"

#include <QApplication>
#include <QPainter>

namespace ui {

void CpuSparklineDelegate::paint(
    QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    // The row's background and selection first, as for any other cell.
    QStyleOptionViewItem background = option;
    initStyleOption(&background, index);
    background.text.clear();
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &background, painter, widget);

    auto values = index.data(SessionListModel::CpuValuesRole).value<QList<double>>();
    QRectF area = QRectF(option.rect).adjusted(4, 3, -4, -3);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    Sparkline::paint(*painter, area, values, 0.0, 100.0,
        SessionGraphs::colorOf(SessionGraphs::Series::CpuPercent));
    painter->restore();
}

QSize CpuSparklineDelegate::sizeHint(
    const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QSize text = QStyledItemDelegate::sizeHint(option, index);
    return {2 * Sparkline::maximumValues + 8, std::max(text.height(), 22)};
}

} // namespace ui
