// NewSessionDialog, its datasets: the list, drops, the folder and file pickers, and the
// inspection that runs on a worker thread while a progress row shows what it has counted.

#include "DatasetInspection.h"
#include "DatasetListWidget.h"
#include "DropParser.h"
#include "NewSessionDialog.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QToolButton>
#include <QVBoxLayout>

namespace ui {

namespace {

const QString kLastFolderKey = QStringLiteral("NewSessionDialog/lastDatasetFolder");

bool isDragEvent(QEvent::Type type)
{
    return type == QEvent::DragEnter || type == QEvent::DragMove || type == QEvent::Drop;
}

} // namespace

QWidget* NewSessionDialog::buildDatasetArea()
{
    auto* area = new QWidget(this);
    auto* column = new QVBoxLayout(area);
    column->setContentsMargins(0, 0, 0, 0);

    m_datasets = new DatasetListWidget(area);
    m_datasets->setObjectName(QStringLiteral("datasetList"));
    m_datasets->setRemovable(true);
    m_datasets->setPlaceholderText(tr("Drop folders or files here, or use Add folder… and Add "
                                      "file…\nThe session sees them read-only under /datasets."));
    m_datasets->setMinimumHeight(fontMetrics().lineSpacing() * 6);
    column->addWidget(m_datasets);

    auto* buttons = new QHBoxLayout;
    m_addFolder = new QPushButton(tr("Add &folder…"), area);
    m_addFolder->setObjectName(QStringLiteral("addFolderButton"));
    m_addFolder->setAutoDefault(false);
    m_addFile = new QPushButton(tr("Add f&ile…"), area);
    m_addFile->setObjectName(QStringLiteral("addFileButton"));
    m_addFile->setAutoDefault(false);
    buttons->addWidget(m_addFolder);
    buttons->addWidget(m_addFile);
    buttons->addStretch(1);
    column->addLayout(buttons);

    m_progressRow = new QWidget(area);
    m_progressRow->setObjectName(QStringLiteral("inspectionProgress"));
    auto* progress = new QHBoxLayout(m_progressRow);
    progress->setContentsMargins(0, 0, 0, 0);
    m_progressBar = new QProgressBar(m_progressRow);
    m_progressBar->setRange(0, 0); // busy: a tree's size is known only at the end
    m_progressBar->setMaximumWidth(120);
    m_progressBar->setTextVisible(false);
    m_progressLabel = new QLabel(m_progressRow);
    m_progressLabel->setObjectName(QStringLiteral("inspectionLabel"));
    m_cancelInspection = new QToolButton(m_progressRow);
    m_cancelInspection->setText(tr("Cancel"));
    m_cancelInspection->setToolTip(tr("Stop checking; nothing of this drop is added"));
    progress->addWidget(m_progressBar);
    progress->addWidget(m_progressLabel, 1);
    progress->addWidget(m_cancelInspection);
    m_progressRow->setVisible(false);
    column->addWidget(m_progressRow);

    m_datasetMessage = new QLabel(area);
    m_datasetMessage->setObjectName(QStringLiteral("datasetMessage"));
    m_datasetMessage->setWordWrap(true);
    m_datasetMessage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_datasetMessage->setStyleSheet(QStringLiteral("QLabel { color: #c62828; }"));
    m_datasetMessage->setVisible(false);
    column->addWidget(m_datasetMessage);

    connect(m_addFolder, &QPushButton::clicked, this, &NewSessionDialog::pickFolder);
    connect(m_addFile, &QPushButton::clicked, this, &NewSessionDialog::pickFiles);
    connect(
        m_cancelInspection, &QToolButton::clicked, m_inspection, &app::DatasetInspection::cancel);
    connect(m_inspection, &app::DatasetInspection::progressed, this,
        &NewSessionDialog::showInspectionProgress);
    connect(m_inspection, &app::DatasetInspection::inspected, this,
        [this](const QList<app::DatasetSource>& sources) {
            m_datasets->addSources(sources);
            finishInspection();
        });
    connect(m_inspection, &app::DatasetInspection::failed, this, [this](const QString& message) {
        finishInspection();
        showDatasetMessage(message + u' ' + tr("Nothing was added."));
    });
    connect(m_inspection, &app::DatasetInspection::cancelled, this, [this] {
        finishInspection();
        showDatasetMessage(tr("Checking was cancelled; nothing was added."));
    });
    return area;
}

bool NewSessionDialog::isInspecting() const
{
    return m_inspection->isRunning();
}

void NewSessionDialog::addDatasetPaths(const QStringList& paths)
{
    if (paths.isEmpty())
        return;
    if (isInspecting()) {
        showDatasetMessage(tr("Other datasets are still being checked; wait for them (or cancel), "
                              "then add these again."));
        return;
    }
    showDatasetMessage({});
    m_inspection->start(paths, m_datasets->sources());
    showInspectionProgress(paths.front(), 0, 0);
    m_progressRow->setVisible(true);
    updateValidity();
}

void NewSessionDialog::dragEnterEvent(QDragEnterEvent* event)
{
    if (app::DropParser::mayHoldFiles(event->mimeData()))
        event->acceptProposedAction();
}

void NewSessionDialog::dragMoveEvent(QDragMoveEvent* event)
{
    if (app::DropParser::mayHoldFiles(event->mimeData()))
        event->acceptProposedAction();
}

void NewSessionDialog::dropEvent(QDropEvent* event)
{
    handleDrop(event->mimeData());
    event->acceptProposedAction();
}

bool NewSessionDialog::eventFilter(QObject* watched, QEvent* event)
{
    // Text fields take drops of text as usual; a drop of files is meant for the dataset list.
    if (isDragEvent(event->type())) {
        auto* drag = static_cast<QDropEvent*>(event);
        if (drag->mimeData() != nullptr && drag->mimeData()->hasUrls()) {
            if (event->type() == QEvent::Drop)
                handleDrop(drag->mimeData());
            drag->acceptProposedAction();
            return true;
        }
    }
    return QDialog::eventFilter(watched, event);
}

void NewSessionDialog::handleDrop(const QMimeData* mimeData)
{
    app::Result<QStringList> paths = app::DropParser::localPaths(mimeData);
    if (!paths) {
        showDatasetMessage(paths.error().message);
        return;
    }
    addDatasetPaths(*paths);
}

void NewSessionDialog::pickFolder()
{
    QSettings settings;
    QString folder = QFileDialog::getExistingDirectory(
        this, tr("Add a folder as a dataset"), settings.value(kLastFolderKey).toString());
    if (folder.isEmpty())
        return;
    settings.setValue(kLastFolderKey, QFileInfo(folder).absolutePath());
    addDatasetPaths({folder});
}

void NewSessionDialog::pickFiles()
{
    QSettings settings;
    QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Add files as datasets"), settings.value(kLastFolderKey).toString());
    if (files.isEmpty())
        return;
    settings.setValue(kLastFolderKey, QFileInfo(files.front()).absolutePath());
    addDatasetPaths(files);
}

void NewSessionDialog::showDatasetMessage(const QString& message)
{
    m_datasetMessage->setText(message);
    m_datasetMessage->setVisible(!message.isEmpty());
}

void NewSessionDialog::showInspectionProgress(const QString& path, qint64 files, qint64 bytes)
{
    m_progressLabel->setText(
        tr("Checking “%1”: %2, %3 so far…")
            .arg(QFileInfo(path).fileName(), DatasetListWidget::fileCountText(files),
                QLocale().formattedDataSize(bytes)));
}

void NewSessionDialog::finishInspection()
{
    m_progressRow->setVisible(false);
    updateValidity();
}

} // namespace ui
