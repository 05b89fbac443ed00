#include "CpuSparklineDelegate.h"

#include "SessionListModel.h"
#include "Sparkline.h"

#include <cmath>

#include <QApplication>
#include <QPainter>

namespace ui {

namespace {

constexpr int kMargin = 6;
constexpr int kLabelGap = 6;

QFont labelFont(const QFont& base)
{
    QFont font = base;
    font.setPointSizeF(base.pointSizeF() * 0.9);
    return font;
}

} // namespace

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

    const bool selected = option.state.testFlag(QStyle::State_Selected);
    const QColor text = option.palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    // On a selected row the highlight is the background: the line takes the text colour there.
    const QColor line = selected ? text : option.palette.color(QPalette::Highlight);

    auto values = index.data(SessionListModel::CpuValuesRole).value<QList<double>>();
    const QFont font = labelFont(option.font);
    const QFontMetrics metrics(font);
    const int labelWidth = metrics.horizontalAdvance(QStringLiteral("100 %"));
    QRectF cell = QRectF(option.rect).adjusted(kMargin, kMargin, -kMargin, -kMargin);
    QRectF plot = cell.adjusted(0, 0, -(labelWidth + kLabelGap), 0);

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    // The 0–100 % scale: a frame whose top is 100 % and bottom 0 %, a dotted line at 50 %.
    QColor frame = text;
    frame.setAlphaF(0.22f);
    QColor backdrop = line;
    backdrop.setAlphaF(0.06f);
    painter->fillRect(plot, backdrop);
    painter->setPen(QPen(frame, 1.0));
    painter->drawRect(plot.adjusted(0.5, 0.5, -0.5, -0.5));
    painter->setPen(QPen(frame, 1.0, Qt::DotLine));
    painter->drawLine(QLineF(plot.left(), plot.center().y(), plot.right(), plot.center().y()));
    Sparkline::paint(*painter, plot.adjusted(1.5, 1.5, -1.5, -1.5), values, 0.0, 100.0, line);

    // The latest value beside it.
    const bool known = !values.isEmpty() && std::isfinite(values.last());
    const QString label =
        known ? QStringLiteral("%1 %").arg(qRound(values.last())) : QStringLiteral("– %");
    painter->setFont(font);
    QColor labelColor = text;
    if (!known)
        labelColor.setAlphaF(0.5f);
    painter->setPen(labelColor);
    painter->drawText(QRectF(plot.right() + kLabelGap, cell.top(), labelWidth, cell.height()),
        Qt::AlignRight | Qt::AlignVCenter, label);
    painter->restore();
}

QSize CpuSparklineDelegate::sizeHint(
    const QStyleOptionViewItem& option, const QModelIndex& index) const
{
    QSize text = QStyledItemDelegate::sizeHint(option, index);
    const int labelWidth =
        QFontMetrics(labelFont(option.font)).horizontalAdvance(QStringLiteral("100 %"));
    return {2 * Sparkline::maximumValues + labelWidth + kLabelGap + 2 * kMargin,
        std::max(text.height(), 36)};
}

} // namespace ui
