#include "SessionListView.h"

#include "DropParser.h"

#include <QDragEnterEvent>
#include <QHeaderView>
#include <QKeyEvent>
#include <QMimeData>
#include <QPainter>

namespace ui {

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
