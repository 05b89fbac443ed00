#include "OutboxPanel.h"

#include "OutboxExportRun.h"
#include "OutboxFileModel.h"
#include "OutboxPreview.h"
#include "OutboxSource.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTime>
#include <QTimer>
#include <QVBoxLayout>

namespace ui {

namespace {

constexpr int kAutoRefreshMilliseconds = 5000;

} // namespace

OutboxPanel::OutboxPanel(OutboxSource& source, QWidget* parent)
    : QWidget(parent)
    , m_source(source)
    , m_dialogs(OutboxDialogs::standard())
{
    m_model = new OutboxFileModel(this);
    m_view = new QTableView(this);
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(
        OutboxFileModel::PathColumn, QHeaderView::Stretch);
    m_view->horizontalHeader()->setSectionResizeMode(
        OutboxFileModel::SizeColumn, QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(
        OutboxFileModel::HashColumn, QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(
        OutboxFileModel::ModifiedColumn, QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(
        OutboxFileModel::ExportedColumn, QHeaderView::ResizeToContents);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);

    auto* copyHash = new QAction(tr("Copy SHA-256"), m_view);
    copyHash->setShortcut(QKeySequence::Copy);
    copyHash->setShortcutContext(Qt::WidgetShortcut);
    connect(copyHash, &QAction::triggered, this, &OutboxPanel::copySelectedHash);
    m_view->addAction(copyHash);
    auto* exportAction = new QAction(tr("Export…"), m_view);
    connect(exportAction, &QAction::triggered, this, &OutboxPanel::exportSelected);
    m_view->addAction(exportAction);

    m_preview = new OutboxPreview(this);

    m_refreshButton = new QPushButton(tr("&Refresh"), this);
    m_refreshButton->setToolTip(tr("List /outbox again (it also refreshes every 5 seconds)"));
    connect(m_refreshButton, &QPushButton::clicked, this, &OutboxPanel::refresh);
    m_exportButton = new QPushButton(tr("&Export…"), this);
    m_exportButton->setToolTip(tr("Copy the selected files to a folder you choose; each export "
                                  "is recorded with its hash"));
    connect(m_exportButton, &QPushButton::clicked, this, &OutboxPanel::exportSelected);

    m_status = new QLabel(this);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setWordWrap(true);
    m_progress = new QProgressBar(this);
    m_progress->hide();

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_refreshButton);
    buttons->addWidget(m_exportButton);
    buttons->addWidget(m_progress, 1);
    buttons->addWidget(m_status, 2);

    auto* splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_view);
    splitter->addWidget(m_preview);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 2);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buttons);
    layout->addWidget(splitter, 1);

    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        updateActions();
        previewSelection();
    });

    m_autoRefresh = new QTimer(this);
    m_autoRefresh->setInterval(kAutoRefreshMilliseconds);
    connect(m_autoRefresh, &QTimer::timeout, this, &OutboxPanel::refresh);
    updateActions();
}

void OutboxPanel::setDialogs(OutboxDialogs dialogs)
{
    m_dialogs = std::move(dialogs);
}

QString OutboxPanel::statusText() const
{
    return m_status->text();
}

void OutboxPanel::setStatus(const QString& text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color: #b00020;") : QString());
}

void OutboxPanel::updateActions()
{
    m_exportButton->setEnabled(!m_exporting && !selectedFiles().isEmpty());
}

void OutboxPanel::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    m_autoRefresh->start();
    refresh();
}

void OutboxPanel::hideEvent(QHideEvent* event)
{
    QWidget::hideEvent(event);
    m_autoRefresh->stop();
}

void OutboxPanel::refresh()
{
    if (m_listing)
        return;
    m_listing = true;
    m_source.list().then(this, [this](const app::Result<QList<app::OutboxFile>>& listed) {
        m_listing = false;
        if (!listed) {
            setStatus(listed.error().message, true);
            emit refreshed();
            return;
        }
        // Keep the selection (by path) across the new listing.
        QStringList selected;
        for (const app::OutboxFile& file : selectedFiles())
            selected.append(file.path);
        const QString current = m_view->currentIndex().isValid()
            ? m_model->file(m_view->currentIndex().row()).path
            : QString();
        {
            const QSignalBlocker blocker(m_view->selectionModel());
            m_model->setFiles(*listed);
            for (const QString& path : std::as_const(selected)) {
                int row = m_model->rowOf(path);
                if (row >= 0)
                    m_view->selectionModel()->select(m_model->index(row, 0),
                        QItemSelectionModel::Select | QItemSelectionModel::Rows);
            }
            int currentRow = m_model->rowOf(current);
            if (currentRow >= 0)
                m_view->selectionModel()->setCurrentIndex(
                    m_model->index(currentRow, 0), QItemSelectionModel::NoUpdate);
        }
        m_view->viewport()->update();
        updateActions();
        if (selectedFiles().isEmpty() && m_preview->kind() != OutboxPreview::Kind::Message)
            m_preview->showMessage(tr("Select a file to preview it."));
        if (!m_exporting)
            setStatus(listed->isEmpty()
                    ? tr("/outbox is empty. Files the session writes there appear here.")
                    : tr("%n file(s) in /outbox, listed at %1.", nullptr,
                          static_cast<int>(listed->size()))
                          .arg(QLocale().toString(QTime::currentTime(), QLocale::ShortFormat)));
        emit refreshed();
    });
}

QList<app::OutboxFile> OutboxPanel::selectedFiles() const
{
    QList<app::OutboxFile> files;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    for (const QModelIndex& index : rows)
        files.append(m_model->file(index.row()));
    std::sort(
        files.begin(), files.end(), [](const app::OutboxFile& left, const app::OutboxFile& right) {
            return left.path < right.path;
        });
    return files;
}

void OutboxPanel::selectFile(const QString& path)
{
    int row = m_model->rowOf(path);
    if (row < 0)
        return;
    m_view->selectionModel()->setCurrentIndex(
        m_model->index(row, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void OutboxPanel::previewSelection()
{
    const quint64 generation = ++m_previewGeneration;
    const QList<app::OutboxFile> files = selectedFiles();
    if (files.size() != 1) {
        m_preview->showMessage(files.isEmpty()
                ? tr("Select a file to preview it.")
                : tr("%n files selected.", nullptr, static_cast<int>(files.size())));
        emit previewShown();
        return;
    }
    const app::OutboxFile file = files.first();
    m_preview->showMessage(tr("Loading %1…").arg(file.path));
    m_source.preview(file.path, OutboxPreview::bytesWanted(file))
        .then(this, [this, file, generation](const app::Result<QByteArray>& bytes) {
            if (generation != m_previewGeneration)
                return;
            if (bytes)
                m_preview->showFile(file, *bytes);
            else
                m_preview->showMessage(
                    tr("No preview of %1: %2").arg(file.path, bytes.error().message));
            emit previewShown();
        });
}

void OutboxPanel::copySelectedHash()
{
    const QList<app::OutboxFile> files = selectedFiles();
    if (files.isEmpty())
        return;
    QStringList lines;
    for (const app::OutboxFile& file : files)
        lines.append(
            files.size() == 1 ? file.sha256 : QStringLiteral("%1  %2").arg(file.sha256, file.path));
    QApplication::clipboard()->setText(lines.join(QLatin1Char('\n')));
    setStatus(tr("SHA-256 copied to the clipboard."));
}

void OutboxPanel::exportSelected()
{
    if (m_exporting)
        return;
    const QList<app::OutboxFile> files = selectedFiles();
    if (files.isEmpty()) {
        setStatus(tr("Select the files to export first."), true);
        return;
    }
    const QString folder = m_dialogs.chooseFolder(this);
    if (folder.isEmpty())
        return;
    if (!m_dialogs.confirmExport(this, files, folder))
        return;
    exportFiles(files, folder);
}

void OutboxPanel::exportFiles(const QList<app::OutboxFile>& files, const QString& folder)
{
    m_exporting = true;
    updateActions();
    m_progress->setRange(0, static_cast<int>(files.size()));
    m_progress->setValue(0);
    m_progress->show();
    auto* run = new OutboxExportRun(
        m_source, files, folder,
        [this](const QString& destination) { return m_dialogs.askOverwrite(this, destination); },
        this);
    connect(run, &OutboxExportRun::progressed, this,
        [this](int done, int total, const QString& current) {
            m_progress->setValue(done);
            if (!current.isEmpty())
                setStatus(tr("Exporting %1 (%2 of %3)…").arg(current).arg(done + 1).arg(total));
        });
    connect(run, &OutboxExportRun::fileFinished, this, [this](const OutboxExportResult& result) {
        if (result.exported) {
            app::OutboxFile exported = result.file;
            exported.sha256 = result.sha256;
            m_model->markExported(exported, result.destination);
        }
    });
    connect(run, &OutboxExportRun::finished, this,
        [this, run](const QList<OutboxExportResult>& results) {
            run->deleteLater();
            finishExport(results);
        });
    run->start();
}

void OutboxPanel::finishExport(const QList<OutboxExportResult>& results)
{
    m_exporting = false;
    m_progress->hide();
    updateActions();
    int exported = 0;
    int skipped = 0;
    QStringList errors;
    for (const OutboxExportResult& result : results) {
        if (result.exported)
            ++exported;
        else if (result.skipped)
            ++skipped;
        else
            errors.append(QStringLiteral("%1: %2").arg(result.file.path, result.error));
    }
    QString summary = tr("%n file(s) exported", nullptr, exported);
    if (skipped > 0)
        summary += tr(", %n skipped", nullptr, skipped);
    if (!errors.isEmpty())
        summary += tr(", %n failed. ", nullptr, static_cast<int>(errors.size())) +
            errors.join(QLatin1Char(' '));
    else
        summary += QLatin1Char('.');
    setStatus(summary, !errors.isEmpty());
    m_view->viewport()->update();
    m_dialogs.showResults(this, results);
    emit exportFinished(results);
}

} // namespace ui
