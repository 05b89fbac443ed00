#include "CloseQuestion.h"

#include <QPushButton>

namespace ui {

namespace {
// More names than this make the box taller than the screen; the rest are counted.
constexpr int kNamesShown = 12;
} // namespace

CloseQuestion::CloseQuestion(const QString& sessionName, const QStringList& unexported,
    const QString& listingProblem, QWidget* parent)
    : QMessageBox(parent)
{
    setObjectName(QStringLiteral("closeQuestion"));
    setWindowTitle(tr("Stop and shred \"%1\"").arg(sessionName));
    setIcon(unexported.isEmpty() && listingProblem.isEmpty() ? QMessageBox::Question
                                                             : QMessageBox::Warning);
    if (!listingProblem.isEmpty()) {
        setText(tr("The outbox of \"%1\" could not be checked for files you have not exported.")
                    .arg(sessionName));
        setInformativeText(tr("%1\nIf you shred now, anything still in /outbox is destroyed.")
                               .arg(listingProblem));
    } else if (!unexported.isEmpty()) {
        setText(tr("%n outbox file(s) of \"%1\" were never exported.", nullptr,
            static_cast<int>(unexported.size()))
                    .arg(sessionName));
        QStringList shown = unexported.mid(0, kNamesShown);
        if (unexported.size() > kNamesShown)
            shown.append(
                tr("… and %n more", nullptr, static_cast<int>(unexported.size() - kNamesShown)));
        setInformativeText(tr("Shredding the session destroys them:\n%1\n\nExport them first to "
                              "keep them.")
                               .arg(shown.join(QLatin1Char('\n'))));
        m_export = addButton(tr("Export…"), QMessageBox::AcceptRole);
        m_export->setObjectName(QStringLiteral("exportButton"));
    } else {
        setText(tr("Stop \"%1\" and shred everything it holds?").arg(sessionName));
        setInformativeText(tr("The virtual machine is stopped, its scratch disk and memory are "
                              "destroyed, and a shred report is written to the audit trail."));
    }
    m_shred = addButton(
        unexported.isEmpty() && listingProblem.isEmpty() ? tr("Stop && shred") : tr("Shred anyway"),
        QMessageBox::DestructiveRole);
    m_shred->setObjectName(QStringLiteral("shredButton"));
    QAbstractButton* cancel = addButton(QMessageBox::Cancel);
    cancel->setObjectName(QStringLiteral("cancelButton"));
    // The safe answer is the default: Enter never destroys unexported results by accident.
    setDefaultButton(
        m_export ? static_cast<QPushButton*>(m_export) : static_cast<QPushButton*>(cancel));
    setEscapeButton(cancel);
}

CloseQuestion::Choice CloseQuestion::choice() const
{
    if (clickedButton() && clickedButton() == m_export)
        return Choice::Export;
    if (clickedButton() && clickedButton() == m_shred)
        return Choice::Shred;
    return Choice::Cancel;
}

} // namespace ui
