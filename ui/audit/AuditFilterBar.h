#pragma once

#include "audit/AuditFilter.h"
#include "audit/AuditSessionSummary.h"

#include <QList>
#include <QWidget>

class QComboBox;
class QDateEdit;
class QLineEdit;
class QMenu;
class QToolButton;

namespace ui {

/// The audit view's filters: session, dataset, user, a date range (local days, inclusive),
/// kinds of event and a text search. Every change emits changed().
class AuditFilterBar : public QWidget {
    Q_OBJECT
public:
    /// Filters that select everything.
    explicit AuditFilterBar(QWidget* parent = nullptr);

    /// Offers these sessions, their datasets and users (keeping the current choices).
    void setChoices(const QList<app::AuditSessionSummary>& sessions, const QStringList& users);
    /// The store filter for the current choices.
    app::AuditFilter filter() const;
    /// The search text (matched in the summary, names and details by the view).
    QString searchText() const;
    /// Selects everything again.
    void clear();

    /// Filters on `sessionId` (for tests and "show this session").
    void setSession(const QString& sessionId);
    /// Filters on events of `dataset`.
    void setDataset(const QString& dataset);
    /// Filters on `user`.
    void setUser(const QString& user);
    /// Filters on days `from` to `until`, both included (an invalid date: no limit).
    void setDateRange(const QDate& from, const QDate& until);
    /// Shows only `kinds` (empty: every kind).
    void setKinds(const QList<app::AuditEventKind>& kinds);
    /// Searches for `text`.
    void setSearchText(const QString& text);

signals:
    /// A filter changed.
    void changed();

private:
    static void fillCombo(QComboBox* combo, const QList<std::pair<QString, QString>>& entries,
        const QString& allText);
    void updateKindsButton();

    QComboBox* m_session = nullptr;
    QComboBox* m_dataset = nullptr;
    QComboBox* m_user = nullptr;
    QDateEdit* m_from = nullptr;
    QDateEdit* m_until = nullptr;
    QToolButton* m_kindsButton = nullptr;
    QMenu* m_kindsMenu = nullptr;
    QLineEdit* m_search = nullptr;
};

} // namespace ui
