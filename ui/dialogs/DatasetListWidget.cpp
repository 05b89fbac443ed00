#include "DatasetListWidget.h"

#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLocale>
#include <QStackedLayout>
#include <QToolButton>
#include <QTreeWidget>

namespace ui {

namespace {

enum Column { NameColumn, SizeColumn, FilesColumn, AccessColumn, DigestColumn, RemoveColumn };

QString filesText(const app::DatasetSource& source)
{
    QString text = DatasetListWidget::fileCountText(source.fileCount);
    if (source.skippedCount > 0)
        text += DatasetListWidget::tr(" (%1 pipes, sockets or devices left out)")
                    .arg(QLocale().toString(source.skippedCount));
    return text;
}

QLabel* readOnlyBadge(QWidget* parent)
{
    auto* badge = new QLabel(DatasetListWidget::tr("read-only"), parent);
    badge->setObjectName(QStringLiteral("readOnlyBadge"));
    badge->setAlignment(Qt::AlignCenter);
    badge->setToolTip(DatasetListWidget::tr(
        "The session sees this dataset read-only: it cannot change or delete your files."));
    badge->setStyleSheet(QStringLiteral("QLabel { color: #1b5e20; background: #e8f5e9; border: "
                                        "1px solid #81c784; border-radius: 7px; padding: 0 6px; "
                                        "font-size: small; }"));
    return badge;
}

} // namespace

DatasetListWidget::DatasetListWidget(QWidget* parent)
    : QWidget(parent)
    , m_tree(new QTreeWidget(this))
    , m_placeholder(new QLabel(this))
    , m_stack(new QStackedLayout(this))
{
    m_tree->setObjectName(QStringLiteral("datasetTree"));
    m_tree->setRootIsDecorated(false);
    m_tree->setUniformRowHeights(true);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->setHeaderLabels(
        {tr("Name"), tr("Size"), tr("Files"), tr("Access"), tr("Manifest SHA-256"), QString()});
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(NameColumn, QHeaderView::Stretch);
    for (int column : {SizeColumn, FilesColumn, AccessColumn, RemoveColumn})
        m_tree->header()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(DigestColumn, QHeaderView::Interactive);
    m_tree->setColumnHidden(DigestColumn, true);
    m_tree->installEventFilter(this);

    m_placeholder->setObjectName(QStringLiteral("datasetPlaceholder"));
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setForegroundRole(QPalette::PlaceholderText);
    m_placeholder->setFrameShape(QFrame::StyledPanel);
    m_placeholder->setText(tr("No datasets."));

    m_stack->setContentsMargins(0, 0, 0, 0);
    m_stack->addWidget(m_placeholder);
    m_stack->addWidget(m_tree);
    setFocusProxy(m_tree);
}

QString DatasetListWidget::fileCountText(qint64 files)
{
    // Spelled out rather than tr("%n file(s)"): without a loaded translation %n plurals show
    // "(s)", and the English forms are what most users see.
    if (files == 1)
        return tr("1 file");
    return tr("%1 files").arg(QLocale().toString(files));
}

void DatasetListWidget::setSources(const QList<app::DatasetSource>& sources)
{
    m_sources = sources;
    rebuild();
    emit sourcesChanged();
}

void DatasetListWidget::addSources(const QList<app::DatasetSource>& sources)
{
    if (sources.isEmpty())
        return;
    m_sources.append(sources);
    rebuild();
    m_tree->setCurrentItem(m_tree->topLevelItem(count() - 1));
    emit sourcesChanged();
}

void DatasetListWidget::removeAt(int index)
{
    if (index < 0 || index >= count())
        return;
    m_sources.removeAt(index);
    rebuild();
    if (count() > 0)
        m_tree->setCurrentItem(m_tree->topLevelItem(std::min(index, count() - 1)));
    emit sourcesChanged();
}

void DatasetListWidget::setRemovable(bool removable)
{
    m_removable = removable;
    rebuild();
}

void DatasetListWidget::setDigestShown(bool shown)
{
    m_digestShown = shown;
    m_tree->setColumnHidden(DigestColumn, !shown);
}

void DatasetListWidget::setPlaceholderText(const QString& text)
{
    m_placeholder->setText(text);
}

bool DatasetListWidget::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_tree && event->type() == QEvent::KeyPress && m_removable) {
        auto* key = static_cast<QKeyEvent*>(event);
        if (key->key() == Qt::Key_Delete || key->key() == Qt::Key_Backspace) {
            removeAt(m_tree->indexOfTopLevelItem(m_tree->currentItem()));
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void DatasetListWidget::rebuild()
{
    m_tree->clear();
    for (int index = 0; index < count(); ++index)
        addRow(index, m_sources[index]);
    m_tree->setColumnHidden(RemoveColumn, !m_removable);
    m_stack->setCurrentWidget(m_sources.isEmpty() ? static_cast<QWidget*>(m_placeholder) : m_tree);
}

void DatasetListWidget::addRow(int index, const app::DatasetSource& source)
{
    auto* item = new QTreeWidgetItem(m_tree);
    item->setText(NameColumn, source.name);
    item->setToolTip(
        NameColumn, tr("%1\nmounted at /datasets/%2").arg(source.hostPath, source.name));
    item->setText(SizeColumn, QLocale().formattedDataSize(source.totalBytes));
    item->setTextAlignment(SizeColumn, Qt::AlignRight | Qt::AlignVCenter);
    item->setText(FilesColumn,
        source.kind == app::DatasetSource::Kind::File ? tr("single file") : filesText(source));
    item->setText(DigestColumn,
        source.manifestDigest.isEmpty() ? tr("computed at mount") : source.manifestDigest);
    item->setToolTip(DigestColumn, source.manifestDigest);
    m_tree->setItemWidget(item, AccessColumn, readOnlyBadge(m_tree));
    if (m_removable) {
        auto* remove = new QToolButton(m_tree);
        remove->setObjectName(QStringLiteral("removeDataset%1").arg(index));
        remove->setText(tr("Remove"));
        remove->setToolTip(
            tr("Remove %1 from this session (the folder itself is not touched)").arg(source.name));
        remove->setAccessibleName(tr("Remove dataset %1").arg(source.name));
        remove->setAutoRaise(true);
        QString hostPath = source.hostPath;
        // Rows shift when one is removed: find this one by its path at click time. Queued,
        // because removing rebuilds the rows and so deletes the button that was clicked.
        connect(
            remove, &QToolButton::clicked, this,
            [this, hostPath] {
                for (int row = 0; row < count(); ++row) {
                    if (m_sources[row].hostPath == hostPath) {
                        removeAt(row);
                        return;
                    }
                }
            },
            Qt::QueuedConnection);
        m_tree->setItemWidget(item, RemoveColumn, remove);
    }
}

} // namespace ui
