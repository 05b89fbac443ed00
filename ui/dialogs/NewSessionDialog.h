#pragma once

#include "HostLimits.h"
#include "SessionRequest.h"

#include <QDialog>
#include <QMap>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLayout;
class QLineEdit;
class QMimeData;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QToolButton;

namespace app {
class DatasetInspection;
}

namespace ui {

class DatasetListWidget;
class DurationSpinBox;
class MemorySpinBox;

/// "New session": everything a SessionRequest holds, with inline validation, datasets by drop or
/// picker (inspected on a worker thread), and the last resource choices remembered.
class NewSessionDialog : public QDialog {
    Q_OBJECT

public:
    /// A dialog for the `sessionNumber`-th session ("Session 3") on a computer with `limits`.
    explicit NewSessionDialog(
        const app::HostLimits& limits, int sessionNumber, QWidget* parent = nullptr);
    ~NewSessionDialog() override;

    /// What the user asked for; complete and valid once the dialog was accepted.
    app::SessionRequest request() const;
    /// Inspects `paths` and adds them as datasets (as a drop does), e.g. for folders dropped on
    /// the main window that opened this dialog.
    void addDatasetPaths(const QStringList& paths);
    /// Whether datasets are being inspected right now.
    bool isInspecting() const;

public slots:
    /// Starts the session when the request is valid; saves the resource choices.
    void accept() override;

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dragMoveEvent(QDragMoveEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QFormLayout* buildFields(int sessionNumber);
    void addDisplayRows(QFormLayout* form);
    QWidget* buildDatasetArea();
    QLayout* buildButtons();
    void chainTabOrder();
    void connectChanges();
    void restoreChoices();
    void saveChoices() const;
    void updateValidity();
    void showProblem(app::SessionField field, const QString& message);
    QWidget* withProblem(QWidget* field, app::SessionField problemField, const QString& objectName);
    QLabel* problemLabel(app::SessionField field, const QString& objectName);

    // Datasets (NewSessionDialogDatasets.cpp).
    void handleDrop(const QMimeData* mimeData);
    void pickFolder();
    void pickFiles();
    void showDatasetMessage(const QString& message);
    void showInspectionProgress(const QString& path, qint64 files, qint64 bytes);
    void finishInspection();

    app::HostLimits m_limits;
    QLineEdit* m_name = nullptr;
    QPlainTextEdit* m_purpose = nullptr;
    QLineEdit* m_command = nullptr;
    QSpinBox* m_vcpus = nullptr;
    MemorySpinBox* m_memory = nullptr;
    DurationSpinBox* m_lifetime = nullptr;
    MemorySpinBox* m_scratch = nullptr;
    QComboBox* m_mainView = nullptr;
    QComboBox* m_displaySize = nullptr;
    QCheckBox* m_externalViewers = nullptr;
    DatasetListWidget* m_datasets = nullptr;
    QPushButton* m_addFolder = nullptr;
    QPushButton* m_addFile = nullptr;
    QWidget* m_progressRow = nullptr;
    QProgressBar* m_progressBar = nullptr;
    QLabel* m_progressLabel = nullptr;
    QToolButton* m_cancelInspection = nullptr;
    QLabel* m_datasetMessage = nullptr;
    QLabel* m_startHint = nullptr;
    QPushButton* m_start = nullptr;
    QMap<app::SessionField, QLabel*> m_problems;
    app::DatasetInspection* m_inspection = nullptr;
};

} // namespace ui
