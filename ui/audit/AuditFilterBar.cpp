#include "AuditFilterBar.h"

#include "AuditEventSummary.h"

#include <QAction>
#include <QComboBox>
#include <QDateEdit>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSignalBlocker>
#include <QToolButton>

namespace ui {

namespace {

// The date edits show "any" at their minimum: no limit on that side.
const QDate kNoDate(2000, 1, 1);

QDateEdit* makeDateEdit(QWidget* parent, const QString& anyText)
{
    auto* edit = new QDateEdit(parent);
    edit->setCalendarPopup(true);
    edit->setMinimumDate(kNoDate);
    edit->setSpecialValueText(anyText);
    edit->setDate(kNoDate);
    edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd"));
    return edit;
}

} // namespace

AuditFilterBar::AuditFilterBar(QWidget* parent)
    : QWidget(parent)
{
    m_session = new QComboBox(this);
    m_session->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_dataset = new QComboBox(this);
    m_dataset->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_user = new QComboBox(this);
    m_user->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    fillCombo(m_session, {}, tr("All sessions"));
    fillCombo(m_dataset, {}, tr("All datasets"));
    fillCombo(m_user, {}, tr("All users"));
    m_from = makeDateEdit(this, tr("any day"));
    m_from->setToolTip(tr("Events on or after this day"));
    m_until = makeDateEdit(this, tr("any day"));
    m_until->setToolTip(tr("Events on or before this day"));

    m_kindsMenu = new QMenu(this);
    for (app::AuditEventKind kind : app::allAuditEventKinds()) {
        QAction* action = m_kindsMenu->addAction(auditKindLabel(kind));
        action->setCheckable(true);
        action->setChecked(true);
        action->setData(static_cast<int>(kind));
        connect(action, &QAction::toggled, this, [this] {
            updateKindsButton();
            emit changed();
        });
    }
    m_kindsButton = new QToolButton(this);
    m_kindsButton->setMenu(m_kindsMenu);
    m_kindsButton->setPopupMode(QToolButton::InstantPopup);
    updateKindsButton();

    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Search names, digests, details…"));
    m_search->setClearButtonEnabled(true);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_session);
    layout->addWidget(m_dataset);
    layout->addWidget(m_user);
    layout->addWidget(new QLabel(tr("From"), this));
    layout->addWidget(m_from);
    layout->addWidget(new QLabel(tr("until"), this));
    layout->addWidget(m_until);
    layout->addWidget(m_kindsButton);
    layout->addWidget(m_search, 1);

    for (QComboBox* combo : {m_session, m_dataset, m_user})
        connect(combo, &QComboBox::currentIndexChanged, this, &AuditFilterBar::changed);
    for (QDateEdit* edit : {m_from, m_until})
        connect(edit, &QDateEdit::dateChanged, this, &AuditFilterBar::changed);
    connect(m_search, &QLineEdit::textChanged, this, &AuditFilterBar::changed);
}

void AuditFilterBar::fillCombo(
    QComboBox* combo, const QList<std::pair<QString, QString>>& entries, const QString& allText)
{
    const QSignalBlocker blocker(combo);
    const QString current = combo->currentData().toString();
    combo->clear();
    combo->addItem(allText, QString());
    for (const auto& [label, value] : entries)
        combo->addItem(label, value);
    int index = combo->findData(current);
    combo->setCurrentIndex(index >= 0 ? index : 0);
}

void AuditFilterBar::setChoices(
    const QList<app::AuditSessionSummary>& sessions, const QStringList& users)
{
    QList<std::pair<QString, QString>> sessionEntries;
    QStringList datasets;
    for (const app::AuditSessionSummary& session : sessions) {
        QString label = session.name.isEmpty() ? session.sessionId : session.name;
        if (session.started.isValid())
            label += QStringLiteral(" (%1)").arg(
                session.started.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")));
        sessionEntries.append({label, session.sessionId});
        for (const QString& dataset : session.datasets) {
            if (!datasets.contains(dataset))
                datasets.append(dataset);
        }
    }
    datasets.sort();
    QList<std::pair<QString, QString>> datasetEntries;
    for (const QString& dataset : std::as_const(datasets))
        datasetEntries.append({dataset, dataset});
    QList<std::pair<QString, QString>> userEntries;
    for (const QString& user : users)
        userEntries.append({user, user});
    fillCombo(m_session, sessionEntries, tr("All sessions"));
    fillCombo(m_dataset, datasetEntries, tr("All datasets"));
    fillCombo(m_user, userEntries, tr("All users"));
}

app::AuditFilter AuditFilterBar::filter() const
{
    app::AuditFilter filter;
    filter.sessionId = m_session->currentData().toString();
    filter.dataset = m_dataset->currentData().toString();
    filter.user = m_user->currentData().toString();
    if (m_from->date() != kNoDate)
        filter.from = m_from->date().startOfDay();
    if (m_until->date() != kNoDate)
        filter.until = m_until->date().addDays(1).startOfDay();
    const QList<QAction*> actions = m_kindsMenu->actions();
    bool all = true;
    for (QAction* action : actions) {
        if (action->isChecked())
            filter.kinds.append(static_cast<app::AuditEventKind>(action->data().toInt()));
        else
            all = false;
    }
    if (all)
        filter.kinds.clear();
    else if (filter.kinds.isEmpty())
        filter.kinds.append(app::AuditEventKind::Unknown); // nothing checked: nothing shown
    return filter;
}

QString AuditFilterBar::searchText() const
{
    return m_search->text().trimmed();
}

void AuditFilterBar::clear()
{
    {
        const QSignalBlocker sessionBlocker(m_session), datasetBlocker(m_dataset),
            userBlocker(m_user), fromBlocker(m_from), untilBlocker(m_until),
            searchBlocker(m_search);
        m_session->setCurrentIndex(0);
        m_dataset->setCurrentIndex(0);
        m_user->setCurrentIndex(0);
        m_from->setDate(kNoDate);
        m_until->setDate(kNoDate);
        m_search->clear();
        for (QAction* action : m_kindsMenu->actions()) {
            const QSignalBlocker actionBlocker(action);
            action->setChecked(true);
        }
    }
    updateKindsButton();
    emit changed();
}

void AuditFilterBar::setSession(const QString& sessionId)
{
    m_session->setCurrentIndex(std::max(0, m_session->findData(sessionId)));
}

void AuditFilterBar::setDataset(const QString& dataset)
{
    m_dataset->setCurrentIndex(std::max(0, m_dataset->findData(dataset)));
}

void AuditFilterBar::setUser(const QString& user)
{
    m_user->setCurrentIndex(std::max(0, m_user->findData(user)));
}

void AuditFilterBar::setDateRange(const QDate& from, const QDate& until)
{
    m_from->setDate(from.isValid() ? from : kNoDate);
    m_until->setDate(until.isValid() ? until : kNoDate);
}

void AuditFilterBar::setKinds(const QList<app::AuditEventKind>& kinds)
{
    for (QAction* action : m_kindsMenu->actions()) {
        const QSignalBlocker blocker(action);
        auto kind = static_cast<app::AuditEventKind>(action->data().toInt());
        action->setChecked(kinds.isEmpty() || kinds.contains(kind));
    }
    updateKindsButton();
    emit changed();
}

void AuditFilterBar::setSearchText(const QString& text)
{
    m_search->setText(text);
}

void AuditFilterBar::updateKindsButton()
{
    int checked = 0;
    const QList<QAction*> actions = m_kindsMenu->actions();
    for (QAction* action : actions)
        checked += action->isChecked() ? 1 : 0;
    m_kindsButton->setText(checked == actions.size()
            ? tr("All kinds")
            : tr("%1 of %2 kinds").arg(checked).arg(actions.size()));
}

} // namespace ui
