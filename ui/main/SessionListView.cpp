#include "SessionListView.h"

#include "DropParser.h"
#include "EngineState.h"
#include "SessionListModel.h"

#include <algorithm>

#include <QApplication>
#include <QDragEnterEvent>
#include <QHeaderView>
#include <QKeyEvent>
#include <QMimeData>
#include <QPainter>
#include <QPainterPath>
#include <QStyledItemDelegate>

namespace ui {

namespace {

constexpr int kPadding = 6;
constexpr int kLineGap = 3;

// Badge colours that read on light and dark palettes alike, as in the session window's header.
QColor badgeColor(app::EngineState state)
{
    switch (state) {
    case app::EngineState::Running:
        return {0x2e, 0x7d, 0x32};
    case app::EngineState::Starting:
    case app::EngineState::Stopping:
    case app::EngineState::Shredding:
        return {0xb2, 0x5e, 0x00};
    case app::EngineState::Paused:
        return {0x15, 0x65, 0xc0};
    case app::EngineState::Failed:
        return {0xc6, 0x28, 0x28};
    case app::EngineState::Ended:
        break;
    }
    return {0x61, 0x61, 0x61};
}

QFont nameFont(const QFont& base)
{
    QFont font = base;
    font.setBold(true);
    return font;
}

QFont detailFont(const QFont& base)
{
    QFont font = base;
    font.setPointSizeF(base.pointSizeF() * 0.9);
    return font;
}

QFont badgeFont(const QFont& base)
{
    QFont font = base;
    font.setPointSizeF(base.pointSizeF() * 0.8);
    font.setBold(true);
    return font;
}

// The name column of a SessionListModel drawn as two lines: the name in bold with the state as a
// coloured badge, then uptime, datasets and purpose, smaller and in a secondary colour (elided;
// the model's tooltip has them in full).
class SessionSummaryDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
        const QModelIndex& index) const override
    {
        QStyleOptionViewItem background = option;
        initStyleOption(&background, index);
        background.text.clear();
        const QWidget* widget = option.widget;
        QStyle* style = widget ? widget->style() : QApplication::style();
        style->drawControl(QStyle::CE_ItemViewItem, &background, painter, widget);

        const bool selected = option.state.testFlag(QStyle::State_Selected);
        const QPalette::ColorGroup group = option.state.testFlag(QStyle::State_Enabled)
            ? (option.state.testFlag(QStyle::State_Active) ? QPalette::Active : QPalette::Inactive)
            : QPalette::Disabled;
        const QColor text =
            option.palette.color(group, selected ? QPalette::HighlightedText : QPalette::Text);
        QColor secondary = text;
        secondary.setAlphaF(selected ? 0.85f : 0.62f);

        const QString name = index.data().toString();
        const QString state =
            index.siblingAtColumn(SessionListModel::StateColumn).data().toString();
        const auto engineState =
            static_cast<app::EngineState>(index.data(SessionListModel::StateRole).toInt());
        const QString details =
            QCoreApplication::translate("ui::SessionListView", "Up %1 · Datasets: %2 · Purpose: %3")
                .arg(index.siblingAtColumn(SessionListModel::UptimeColumn).data().toString(),
                    index.siblingAtColumn(SessionListModel::DatasetsColumn).data().toString(),
                    index.data(SessionListModel::PurposeRole).toString());

        const QRect area = option.rect.adjusted(kPadding + 2, kPadding, -kPadding, -kPadding);
        const QFont bold = nameFont(option.font);
        const QFont small = detailFont(option.font);
        const QFont badge = badgeFont(option.font);
        const QFontMetrics boldMetrics(bold);
        const QFontMetrics smallMetrics(small);
        const QFontMetrics badgeMetrics(badge);

        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);

        // First line: the badge's width is kept free, the name elided into the rest.
        const int badgeWidth = badgeMetrics.horizontalAdvance(state) + 14;
        const int nameWidth = std::max(0, area.width() - badgeWidth - 10);
        const QString shownName = boldMetrics.elidedText(name, Qt::ElideRight, nameWidth);
        const QRect nameRect(area.left(), area.top(), nameWidth, boldMetrics.height());
        painter->setFont(bold);
        painter->setPen(text);
        painter->drawText(nameRect, Qt::AlignLeft | Qt::AlignVCenter, shownName);

        const int badgeHeight = badgeMetrics.height() + 2;
        const QRectF badgeRect(area.left() + boldMetrics.horizontalAdvance(shownName) + 10,
            nameRect.center().y() - badgeHeight / 2.0 + 0.5, badgeWidth, badgeHeight);
        QPainterPath pill;
        pill.addRoundedRect(badgeRect, badgeHeight / 2.0, badgeHeight / 2.0);
        painter->fillPath(pill, badgeColor(engineState));
        painter->setFont(badge);
        painter->setPen(Qt::white);
        painter->drawText(badgeRect, Qt::AlignCenter, state);

        // Second line: the facts, purpose last so that it is what elides.
        const QRect detailRect(
            area.left(), nameRect.bottom() + 1 + kLineGap, area.width(), smallMetrics.height());
        painter->setFont(small);
        painter->setPen(secondary);
        painter->drawText(detailRect, Qt::AlignLeft | Qt::AlignVCenter,
            smallMetrics.elidedText(details, Qt::ElideRight, detailRect.width()));
        painter->restore();
    }

    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override
    {
        QSize base = QStyledItemDelegate::sizeHint(option, index);
        int height = 2 * kPadding + QFontMetrics(nameFont(option.font)).height() + kLineGap +
            QFontMetrics(detailFont(option.font)).height();
        return {std::max(base.width(), 280), std::max(base.height(), height)};
    }
};

} // namespace

SessionListView::SessionListView(QWidget* parent)
    : QTreeView(parent)
    , m_placeholder(tr("Drop a folder or file here to start a session"))
{
    setObjectName(QStringLiteral("sessionList"));
    setRootIsDecorated(false);
    setUniformRowHeights(true);
    setAllColumnsShowFocus(true);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setAcceptDrops(true);
    setDropIndicatorShown(false);
    viewport()->setAcceptDrops(true);
    header()->setStretchLastSection(false);
    setItemDelegateForColumn(SessionListModel::NameColumn, new SessionSummaryDelegate(this));
}

void SessionListView::setModel(QAbstractItemModel* model)
{
    QTreeView::setModel(model);
    if (!model)
        return;
    for (int column : {SessionListModel::StateColumn, SessionListModel::UptimeColumn,
             SessionListModel::DatasetsColumn})
        setColumnHidden(column, true);
    header()->setSectionResizeMode(SessionListModel::NameColumn, QHeaderView::Stretch);
    header()->setSectionResizeMode(SessionListModel::CpuColumn, QHeaderView::Interactive);
    setColumnWidth(SessionListModel::CpuColumn, 190);
}

void SessionListView::paintEvent(QPaintEvent* event)
{
    QTreeView::paintEvent(event);
    if (model() && model()->rowCount() > 0)
        return;
    // The empty state: what to do, where the first session would be.
    QPainter painter(viewport());
    QFont font = painter.font();
    font.setPointSizeF(font.pointSizeF() * 1.3);
    painter.setFont(font);
    painter.setPen(palette().color(QPalette::PlaceholderText));
    QRect area = viewport()->rect().adjusted(24, 24, -24, -24);
    QString text =
        m_placeholder + QStringLiteral("\n\n") + tr("or choose Session ▸ New session (Ctrl+N)");
    painter.drawText(area, Qt::AlignCenter | Qt::TextWordWrap, text);
}

void SessionListView::keyPressEvent(QKeyEvent* event)
{
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter) &&
        currentIndex().isValid()) {
        emit openRequested(currentIndex());
        return;
    }
    QTreeView::keyPressEvent(event);
}

void SessionListView::dragEnterEvent(QDragEnterEvent* event)
{
    if (app::DropParser::mayHoldFiles(event->mimeData()))
        event->acceptProposedAction();
}

void SessionListView::dragMoveEvent(QDragMoveEvent* event)
{
    if (app::DropParser::mayHoldFiles(event->mimeData()))
        event->acceptProposedAction();
}

void SessionListView::dropEvent(QDropEvent* event)
{
    app::Result<QStringList> paths = app::DropParser::localPaths(event->mimeData());
    if (!paths) {
        emit dropRefused(paths.error().message);
        return;
    }
    event->acceptProposedAction();
    emit pathsDropped(*paths, indexAt(event->position().toPoint()));
}

} // namespace ui
