#pragma once

#include <QMessageBox>
#include <QStringList>

namespace ui {

/// What the user is asked before a session is stopped and shredded: which outbox files were
/// never exported (they are destroyed with it), with Export, Shred anyway and Cancel.
class CloseQuestion : public QMessageBox {
    Q_OBJECT

public:
    /// What the user chose.
    enum class Choice { Export, Shred, Cancel };

    /// A question about `sessionName` with its `unexported` files; `listingProblem` says why the
    /// outbox could not be checked ("" when it was).
    CloseQuestion(const QString& sessionName, const QStringList& unexported,
        const QString& listingProblem, QWidget* parent = nullptr);

    /// The choice behind the button that was clicked (Cancel before one was).
    Choice choice() const;
    /// The Export button (absent when there is nothing to export).
    QAbstractButton* exportButton() const { return m_export; }
    /// The Shred anyway button.
    QAbstractButton* shredButton() const { return m_shred; }

private:
    QAbstractButton* m_export = nullptr;
    QAbstractButton* m_shred = nullptr;
};

} // namespace ui
