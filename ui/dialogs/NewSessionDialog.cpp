#include "NewSessionDialog.h"

#include "CommandLine.h"
#include "DatasetInspection.h"
#include "DatasetListWidget.h"
#include "DurationSpinBox.h"
#include "MemorySpinBox.h"

#include <algorithm>

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSpinBox>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace ui {

using app::SessionField;
using app::SessionRequest;

namespace {

const QString kSettingsGroup = QStringLiteral("NewSessionDialog");
const QString kVcpusKey = QStringLiteral("vcpus");
const QString kMemoryKey = QStringLiteral("memoryMiB");
const QString kLifetimeKey = QStringLiteral("lifetimeMinutes");
const QString kMainViewKey = QStringLiteral("mainView");
const QString kDisplaySizeKey = QStringLiteral("displaySize");

// Red that reads on light and dark palettes alike.
const QString kProblemStyle = QStringLiteral("QLabel { color: #c62828; }");

} // namespace

NewSessionDialog::NewSessionDialog(
    const app::HostLimits& limits, int sessionNumber, QWidget* parent)
    : QDialog(parent)
    , m_limits(limits)
    , m_inspection(new app::DatasetInspection(this))
{
    setWindowTitle(tr("New session"));
    setAcceptDrops(true);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buildFields(sessionNumber));
    layout->addLayout(buildButtons());
    chainTabOrder();
    restoreChoices();
    connectChanges();
    updateValidity();
    m_purpose->setFocus();
}

NewSessionDialog::~NewSessionDialog() = default;

QFormLayout* NewSessionDialog::buildFields(int sessionNumber)
{
    auto* form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_vcpus = new QSpinBox(this);
    m_memory = new MemorySpinBox(this);
    m_lifetime = new DurationSpinBox(this);
    m_scratch = new MemorySpinBox(this);
    // Numbers need no full width; the form grows only the text fields and the dataset list.
    int numberWidth = fontMetrics().horizontalAdvance(QStringLiteral("0000.00 GiB")) + 48;
    for (QSpinBox* box : {m_vcpus, static_cast<QSpinBox*>(m_memory),
             static_cast<QSpinBox*>(m_lifetime), static_cast<QSpinBox*>(m_scratch)}) {
        box->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
        box->setMinimumWidth(numberWidth);
    }

    m_name = new QLineEdit(tr("Session %1").arg(sessionNumber), this);
    m_name->setObjectName(QStringLiteral("nameEdit"));
    m_name->setMaxLength(SessionRequest::kMaximumNameLength);
    auto* nameLabel = new QLabel(tr("&Name:"), this);
    nameLabel->setBuddy(m_name);
    form->addRow(nameLabel, withProblem(m_name, SessionField::Name, QStringLiteral("nameProblem")));

    m_purpose = new QPlainTextEdit(this);
    m_purpose->setObjectName(QStringLiteral("purposeEdit"));
    m_purpose->setTabChangesFocus(true);
    m_purpose->setPlaceholderText(tr("Why this session runs and for whom, e.g. “Summarise "
                                     "discharge letters for the Q3 cardiology audit”. Recorded in "
                                     "the audit trail; write no patient data here."));
    m_purpose->setFixedHeight(m_purpose->fontMetrics().lineSpacing() * 4 + 12);
    auto* purposeLabel = new QLabel(tr("&Purpose of use:"), this);
    purposeLabel->setBuddy(m_purpose);
    form->addRow(purposeLabel,
        withProblem(m_purpose, SessionField::Purpose, QStringLiteral("purposeProblem")));

    m_command = new QLineEdit(this);
    m_command->setObjectName(QStringLiteral("commandEdit"));
    m_command->setPlaceholderText(tr("Empty: an interactive shell (/bin/sh) on the console"));
    m_command->setToolTip(tr("Split into words like a shell does: quote with '…' or \"…\". It "
                             "runs directly, without a shell; for pipes write sh -c '…'."));
    auto* commandLabel = new QLabel(tr("C&ommand:"), this);
    commandLabel->setBuddy(m_command);
    form->addRow(commandLabel,
        withProblem(m_command, SessionField::Command, QStringLiteral("commandProblem")));

    m_vcpus->setObjectName(QStringLiteral("vcpuSpin"));
    m_vcpus->setRange(1, m_limits.maximumVcpus);
    m_vcpus->setSuffix(tr(" of %1").arg(m_limits.maximumVcpus));
    auto* vcpuLabel = new QLabel(tr("&vCPUs:"), this);
    vcpuLabel->setBuddy(m_vcpus);
    form->addRow(
        vcpuLabel, withProblem(m_vcpus, SessionField::Vcpus, QStringLiteral("vcpuProblem")));

    m_memory->setObjectName(QStringLiteral("memorySpin"));
    m_memory->setRange(SessionRequest::kMinimumMemoryMiB, m_limits.maximumMemoryMiB);
    m_memory->setSingleStep(256);
    m_memory->setToolTip(tr("At most %1: half of this computer's memory.")
                             .arg(MemorySpinBox::formatted(m_limits.maximumMemoryMiB)));
    auto* memoryLabel = new QLabel(tr("&Memory:"), this);
    memoryLabel->setBuddy(m_memory);
    form->addRow(
        memoryLabel, withProblem(m_memory, SessionField::Memory, QStringLiteral("memoryProblem")));

    m_lifetime->setObjectName(QStringLiteral("lifetimeSpin"));
    m_lifetime->setRange(
        SessionRequest::kMinimumLifetimeMinutes, SessionRequest::kMaximumLifetimeMinutes);
    m_lifetime->setSingleStep(30);
    m_lifetime->setToolTip(tr("When it runs out, the session is closed and everything in it is "
                              "shredded. Up to 7 days."));
    auto* lifetimeLabel = new QLabel(tr("Maximum &lifetime:"), this);
    lifetimeLabel->setBuddy(m_lifetime);
    form->addRow(lifetimeLabel,
        withProblem(m_lifetime, SessionField::Lifetime, QStringLiteral("lifetimeProblem")));

    m_scratch->setObjectName(QStringLiteral("scratchSpin"));
    m_scratch->setRange(SessionRequest::kMinimumScratchMiB, SessionRequest::kMaximumScratchMiB);
    m_scratch->setSingleStep(1024);
    m_scratch->setValue(SessionRequest().scratchMiB);
    m_scratch->setToolTip(tr("An encrypted disk for /work and /outbox, shredded at the end. Only "
                             "what the session writes takes space."));
    auto* scratchLabel = new QLabel(tr("Scratc&h disk:"), this);
    scratchLabel->setBuddy(m_scratch);
    form->addRow(scratchLabel,
        withProblem(m_scratch, SessionField::Scratch, QStringLiteral("scratchProblem")));

    addDisplayRows(form);

    auto* datasetLabel = new QLabel(tr("&Datasets:"), this);
    QWidget* datasetArea = buildDatasetArea();
    datasetLabel->setBuddy(m_datasets->view());
    form->addRow(datasetLabel,
        withProblem(datasetArea, SessionField::Datasets, QStringLiteral("datasetProblem")));
    return form;
}

void NewSessionDialog::addDisplayRows(QFormLayout* form)
{
    m_mainView = new QComboBox(this);
    m_mainView->setObjectName(QStringLiteral("mainViewCombo"));
    m_mainView->addItem(tr("Console: the command runs on a text terminal"),
        QVariant::fromValue(static_cast<int>(app::MainView::Console)));
    m_mainView->addItem(tr("Display: the command runs on the session's screen"),
        QVariant::fromValue(static_cast<int>(app::MainView::Display)));
    m_mainView->setToolTip(tr("Which view the session window opens on. Both are there either "
                              "way; this decides where the command's input and output go."));
    auto* mainViewLabel = new QLabel(tr("Main &view:"), this);
    mainViewLabel->setBuddy(m_mainView);
    form->addRow(mainViewLabel, m_mainView);

    m_displaySize = new QComboBox(this);
    m_displaySize->setObjectName(QStringLiteral("displaySizeCombo"));
    for (QSize size : {QSize(1024, 768), QSize(1280, 800), QSize(1440, 900), QSize(1920, 1080)})
        m_displaySize->addItem(
            tr("%1 × %2").arg(size.width()).arg(size.height()), QVariant::fromValue(size));
    m_displaySize->setCurrentIndex(m_displaySize->findData(QVariant::fromValue(SessionRequest().displaySize)));
    m_displaySize->setToolTip(tr("The size of the session's screen in pixels"));
    m_externalViewers = new QCheckBox(tr("Let other VNC viewers on this computer connect"), this);
    m_externalViewers->setObjectName(QStringLiteral("externalViewersCheck"));
    m_externalViewers->setToolTip(tr("Opens a port on 127.0.0.1 with a password made for this "
                                     "session (shown in the session window). Anyone on this "
                                     "computer who has the password can see the screen."));
    auto* displayRow = new QWidget(this);
    auto* row = new QHBoxLayout(displayRow);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_displaySize);
    row->addWidget(m_externalViewers, 1);
    auto* displayLabel = new QLabel(tr("Scr&een:"), this);
    displayLabel->setBuddy(m_displaySize);
    form->addRow(displayLabel,
        withProblem(displayRow, SessionField::Display, QStringLiteral("displayProblem")));
}

QWidget* NewSessionDialog::withProblem(
    QWidget* field, SessionField problemField, const QString& objectName)
{
    // The message sits right under its field, in the same form row, so that hidden messages
    // leave no gaps between rows.
    auto* box = new QWidget(this);
    auto* column = new QVBoxLayout(box);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(2);
    bool fixedWidth = field->sizePolicy().horizontalPolicy() == QSizePolicy::Fixed;
    column->addWidget(field, 0, fixedWidth ? Qt::AlignLeft : Qt::Alignment());
    column->addWidget(problemLabel(problemField, objectName));
    column->addStretch(1); // a wrapped message may be given more height than it needs
    return box;
}

QLabel* NewSessionDialog::problemLabel(SessionField field, const QString& objectName)
{
    auto* label = new QLabel(this);
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setStyleSheet(kProblemStyle);
    label->setVisible(false);
    m_problems.insert(field, label);
    return label;
}

QLayout* NewSessionDialog::buildButtons()
{
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    m_start = buttons->addButton(tr("&Start session"), QDialogButtonBox::AcceptRole);
    m_start->setObjectName(QStringLiteral("startButton"));
    m_start->setDefault(true);
    m_start->setToolTip(tr("Start the session (Ctrl+Enter)"));
    connect(buttons, &QDialogButtonBox::accepted, this, &NewSessionDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &NewSessionDialog::reject);

    m_startHint = new QLabel(this);
    m_startHint->setObjectName(QStringLiteral("startHint"));
    m_startHint->setForegroundRole(QPalette::PlaceholderText);
    auto* row = new QHBoxLayout;
    row->addWidget(m_startHint, 1);
    row->addWidget(buttons);

    for (QKeySequence keys :
        {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)}) {
        auto* shortcut = new QShortcut(keys, this);
        shortcut->setContext(Qt::WindowShortcut);
        connect(shortcut, &QShortcut::activated, this, &NewSessionDialog::accept);
    }
    return row;
}

void NewSessionDialog::chainTabOrder()
{
    QList<QWidget*> order {m_name, m_purpose, m_command, m_vcpus, m_memory, m_lifetime, m_scratch,
        m_mainView, m_displaySize, m_externalViewers, m_datasets->view(), m_addFolder, m_addFile, m_cancelInspection, m_start};
    for (qsizetype i = 0; i + 1 < order.size(); ++i)
        QWidget::setTabOrder(order[i], order[i + 1]);
}

void NewSessionDialog::connectChanges()
{
    connect(m_name, &QLineEdit::textChanged, this, &NewSessionDialog::updateValidity);
    connect(m_purpose, &QPlainTextEdit::textChanged, this, &NewSessionDialog::updateValidity);
    connect(m_command, &QLineEdit::textChanged, this, &NewSessionDialog::updateValidity);
    for (QSpinBox* box : {m_vcpus, static_cast<QSpinBox*>(m_memory),
             static_cast<QSpinBox*>(m_lifetime), static_cast<QSpinBox*>(m_scratch)})
        connect(box, &QSpinBox::valueChanged, this, &NewSessionDialog::updateValidity);
    connect(
        m_datasets, &DatasetListWidget::sourcesChanged, this, &NewSessionDialog::updateValidity);
    // A file dropped on a text field becomes a dataset, not its path typed into the field.
    for (QWidget* field :
        {static_cast<QWidget*>(m_name), m_purpose->viewport(), static_cast<QWidget*>(m_command)})
        field->installEventFilter(this);
}

void NewSessionDialog::restoreChoices()
{
    SessionRequest defaults;
    QSettings settings;
    settings.beginGroup(kSettingsGroup);
    // Out-of-range values (settings from a bigger computer) are clamped by the spin boxes.
    m_vcpus->setValue(settings.value(kVcpusKey, defaults.vcpus).toInt());
    m_memory->setValue(settings.value(kMemoryKey, defaults.memoryMiB).toInt());
    m_lifetime->setValue(settings.value(kLifetimeKey, defaults.lifetimeMinutes).toInt());
    int mainView = m_mainView->findData(settings.value(kMainViewKey, 0).toInt());
    m_mainView->setCurrentIndex(std::max(mainView, 0));
    int size = m_displaySize->findData(settings.value(kDisplaySizeKey, defaults.displaySize).toSize());
    if (size >= 0)
        m_displaySize->setCurrentIndex(size);
}

void NewSessionDialog::saveChoices() const
{
    QSettings settings;
    settings.beginGroup(kSettingsGroup);
    settings.setValue(kVcpusKey, m_vcpus->value());
    settings.setValue(kMemoryKey, m_memory->value());
    settings.setValue(kLifetimeKey, m_lifetime->value());
    settings.setValue(kMainViewKey, m_mainView->currentData());
    settings.setValue(kDisplaySizeKey, m_displaySize->currentData());
}

SessionRequest NewSessionDialog::request() const
{
    SessionRequest request;
    request.name = m_name->text().trimmed();
    request.purpose = m_purpose->toPlainText().trimmed();
    request.command = app::CommandLine::split(m_command->text()).value_or(QStringList());
    request.vcpus = m_vcpus->value();
    request.memoryMiB = m_memory->value();
    request.lifetimeMinutes = m_lifetime->value();
    request.scratchMiB = m_scratch->value();
    request.datasets = m_datasets->sources();
    request.mainView = static_cast<app::MainView>(m_mainView->currentData().toInt());
    request.displaySize = m_displaySize->currentData().toSize();
    request.allowExternalViewers = m_externalViewers->isChecked();
    return request;
}

void NewSessionDialog::updateValidity()
{
    for (QLabel* label : std::as_const(m_problems)) {
        label->clear();
        label->setVisible(false);
    }
    const QList<app::FieldProblem> problems = request().validate(m_limits);
    for (const app::FieldProblem& problem : problems)
        showProblem(problem.field, problem.message);
    app::Result<QStringList> command = app::CommandLine::split(m_command->text());
    if (!command)
        showProblem(SessionField::Command, command.error().message);

    bool valid = problems.isEmpty() && command.has_value();
    m_start->setEnabled(valid && !isInspecting());
    if (isInspecting())
        m_startHint->setText(tr("Waiting for the datasets to be checked…"));
    else if (!valid)
        m_startHint->setText(tr("Fix what is marked in red to start."));
    else
        m_startHint->setText(tr("Ctrl+Enter starts the session."));
}

void NewSessionDialog::showProblem(SessionField field, const QString& message)
{
    QLabel* label = m_problems.value(field);
    if (label == nullptr || !label->text().isEmpty())
        return; // one message per field: the first is the one to fix first
    label->setText(message);
    label->setVisible(true);
}

void NewSessionDialog::accept()
{
    updateValidity();
    if (!m_start->isEnabled())
        return;
    saveChoices();
    QDialog::accept();
}

} // namespace ui
