#include "AuditView.h"

#include "AuditChainCheck.h"
#include "AuditFilterBar.h"
#include "AuditTimelineModel.h"
#include "audit/AuditStore.h"

#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace ui {

namespace {

bool matches(const app::AuditEvent& event, const AuditTimelineModel& model, const QString& text)
{
    const QString haystack = QStringList {event.user, event.host, event.sessionId,
        model.sessionName(event.sessionId), app::kindName(event.kind),
        QString::fromUtf8(QJsonDocument(event.details).toJson(QJsonDocument::Compact)), event.hash}
                                 .join(QLatin1Char('\n'));
    return haystack.contains(text, Qt::CaseInsensitive);
}

} // namespace

AuditView::AuditView(app::AuditStore& store, QWidget* parent)
    : QWidget(parent)
    , m_store(store)
{
    setWindowTitle(tr("Audit trail — %1").arg(store.path()));
    m_filters = new AuditFilterBar(this);
    connect(m_filters, &AuditFilterBar::changed, this, &AuditView::refresh);

    m_banner = new QLabel(this);
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->hide();

    m_model = new AuditTimelineModel(this);
    m_timeline = new QTableView(this);
    m_timeline->setModel(m_model);
    m_timeline->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_timeline->setSelectionMode(QAbstractItemView::SingleSelection);
    m_timeline->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_timeline->setAlternatingRowColors(true);
    m_timeline->setWordWrap(false);
    m_timeline->verticalHeader()->setDefaultSectionSize(m_timeline->fontMetrics().height() + 6);
    QHeaderView* header = m_timeline->horizontalHeader();
    for (int column = 0; column < AuditTimelineModel::SummaryColumn; ++column)
        header->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(AuditTimelineModel::SummaryColumn, QHeaderView::Stretch);
    connect(m_timeline->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
        &AuditView::showDetails);

    m_rowHash = new QLabel(this);
    m_rowHash->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_rowHash->setWordWrap(true);
    m_details = new QPlainTextEdit(this);
    m_details->setReadOnly(true);
    m_details->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_details->setPlaceholderText(tr("Select an event to see everything it records."));
    auto* detailsPane = new QWidget(this);
    auto* detailsLayout = new QVBoxLayout(detailsPane);
    detailsLayout->setContentsMargins(0, 0, 0, 0);
    detailsLayout->addWidget(m_rowHash);
    detailsLayout->addWidget(m_details, 1);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(m_timeline);
    splitter->addWidget(detailsPane);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 1);
    // The timeline is what people scan; the details pane needs only room for one JSON object.
    splitter->setSizes({720, 360});

    m_verifyButton = new QPushButton(tr("&Verify chain"), this);
    m_verifyButton->setToolTip(tr("Re-hash every row and check every link of the chain"));
    connect(m_verifyButton, &QPushButton::clicked, this, &AuditView::verifyChain);
    auto* csvButton = new QPushButton(tr("Export session as &CSV…"), this);
    connect(csvButton, &QPushButton::clicked, this, &AuditView::exportSessionCsv);
    auto* pdfButton = new QPushButton(tr("Export session as &PDF…"), this);
    connect(pdfButton, &QPushButton::clicked, this, &AuditView::exportSessionPdf);
    auto* refreshButton = new QPushButton(tr("&Refresh"), this);
    connect(refreshButton, &QPushButton::clicked, this, &AuditView::refresh);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_verifyButton);
    buttons->addWidget(csvButton);
    buttons->addWidget(pdfButton);
    buttons->addWidget(refreshButton);
    buttons->addWidget(m_status, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_filters);
    layout->addWidget(m_banner);
    layout->addWidget(splitter, 1);
    layout->addLayout(buttons);

    refresh();
}

void AuditView::setVerificationRecorder(std::function<void(const app::AuditVerification&)> recorder)
{
    m_recorder = std::move(recorder);
}

void AuditView::setSavePathChooser(SavePathChooser chooser)
{
    m_savePathChooser = std::move(chooser);
}

QString AuditView::bannerText() const
{
    return m_banner->isHidden() ? QString() : m_banner->text();
}

QString AuditView::detailsText() const
{
    return m_rowHash->text() + QLatin1Char('\n') + m_details->toPlainText();
}

QString AuditView::statusText() const
{
    return m_status->text();
}

void AuditView::setStatus(const QString& text, bool error)
{
    m_status->setText(text);
    m_status->setStyleSheet(error ? QStringLiteral("color: #b00020;") : QString());
}

void AuditView::refresh()
{
    auto sessions = m_store.sessions();
    auto everything = m_store.events();
    auto selected = m_store.events(m_filters->filter());
    if (!sessions || !everything || !selected) {
        setStatus(tr("Cannot read the audit trail: %1")
                      .arg(!sessions        ? sessions.error().message
                              : !everything ? everything.error().message
                                            : selected.error().message),
            true);
        return;
    }
    QHash<QString, QString> names;
    for (const app::AuditSessionSummary& session : std::as_const(*sessions))
        names.insert(session.sessionId, session.name);
    QStringList users;
    for (const app::AuditEvent& event : std::as_const(*everything)) {
        if (!users.contains(event.user))
            users.append(event.user);
    }
    users.sort();
    m_filters->setChoices(*sessions, users);

    const qint64 currentId = m_timeline->currentIndex().isValid()
        ? m_model->event(m_timeline->currentIndex().row()).id
        : 0;
    QList<app::AuditEvent> shown;
    const QString search = m_filters->searchText();
    m_model->setEvents({}, names);
    for (app::AuditEvent& event : *selected) {
        if (search.isEmpty() || matches(event, *m_model, search))
            shown.append(std::move(event));
    }
    m_model->setEvents(std::move(shown), std::move(names));
    const int row = m_model->rowOfId(currentId);
    if (row >= 0)
        m_timeline->selectRow(row);
    showDetails();
    setStatus(tr("%n event(s) shown", nullptr, m_model->rowCount()) +
        (everything->size() != m_model->rowCount() ? tr(" of %1.").arg(everything->size())
                                                   : QStringLiteral(".")));
}

void AuditView::showDetails()
{
    const QModelIndex current = m_timeline->currentIndex();
    if (!current.isValid()) {
        m_rowHash->setText(tr("No event selected."));
        m_details->clear();
        return;
    }
    const app::AuditEvent& event = m_model->event(current.row());
    m_rowHash->setText(tr("Row %1 · hash %2").arg(event.id).arg(event.hash));
    QJsonObject object {
        {QStringLiteral("id"), event.id},
        {QStringLiteral("time"), app::auditTimeText(event.time)},
        {QStringLiteral("user"), event.user},
        {QStringLiteral("host"), event.host},
        {QStringLiteral("session"), event.sessionId},
        {QStringLiteral("kind"), app::kindName(event.kind)},
        {QStringLiteral("details"), event.details},
        {QStringLiteral("previousHash"), event.previousHash},
        {QStringLiteral("hash"), event.hash},
    };
    m_details->setPlainText(
        QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented)));
}

void AuditView::verifyChain()
{
    if (m_verifying)
        return;
    m_verifying = true;
    m_verifyButton->setEnabled(false);
    m_banner->setStyleSheet(QString());
    m_banner->setText(tr("Checking every row of the chain…"));
    m_banner->show();
    QtConcurrent::run(verifyAuditFile, m_store.path())
        .then(this, [this](const app::AuditVerification& verification) {
            m_verifying = false;
            m_verifyButton->setEnabled(true);
            showVerification(verification);
            if (m_recorder)
                m_recorder(verification);
            emit verified(verification);
        });
}

void AuditView::showVerification(const app::AuditVerification& verification)
{
    if (verification.intact) {
        m_banner->setText(tr("✔ Intact: %L1 rows checked.").arg(verification.rowsChecked));
        m_banner->setStyleSheet(QStringLiteral(
            "QLabel { background: #e6f4ea; color: #1e6b34; border: 1px solid #1e6b34; "
            "border-radius: 4px; padding: 6px; font-weight: bold; }"));
        return;
    }
    m_banner->setStyleSheet(
        QStringLiteral("QLabel { background: #fce8e6; color: #a50e0e; border: 1px solid #a50e0e; "
                       "border-radius: 4px; padding: 6px; font-weight: bold; }"));
    if (!verification.firstBrokenRow) {
        m_banner->setText(tr("✘ Broken: %1").arg(verification.problem));
        return;
    }
    const qint64 brokenRow = *verification.firstBrokenRow;
    m_banner->setText(tr("✘ Broken at row %1: %2").arg(brokenRow).arg(verification.problem));
    // The row may be filtered out: show everything, then point at it.
    if (m_model->rowOfId(brokenRow) < 0)
        m_filters->clear();
    const int row = m_model->rowOfId(brokenRow);
    if (row >= 0) {
        m_timeline->selectRow(row);
        m_timeline->scrollTo(m_model->index(row, 0), QAbstractItemView::PositionAtCenter);
    }
}

} // namespace ui
