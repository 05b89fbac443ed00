#include "ShredCertificateDialog.h"

#include "audit/pdf/AuditPdf.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QLabel>
#include <QMessageBox>
#include <QPrintDialog>
#include <QPrinter>
#include <QPushButton>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace ui {

ShredCertificateDialog::ShredCertificateDialog(ShredCertificate certificate, QWidget* parent)
    : QDialog(parent)
    , m_certificate(std::move(certificate))
{
    setWindowTitle(tr("Shred certificate — %1").arg(m_certificate.sessionName));
    resize(820, 640);

    m_verdict = new QLabel(m_certificate.verdict(), this);
    m_verdict->setWordWrap(true);
    const bool good = m_certificate.succeeded();
    m_verdict->setStyleSheet(good
            ? QStringLiteral("QLabel { background: #e6f4ea; color: #1e6b34; border: 1px solid "
                             "#1e6b34; border-radius: 4px; padding: 6px; font-weight: bold; }")
            : QStringLiteral("QLabel { background: #fce8e6; color: #a50e0e; border: 1px solid "
                             "#a50e0e; border-radius: 4px; padding: 6px; font-weight: bold; }"));

    m_notice = new QLabel(this);
    m_notice->setWordWrap(true);
    m_notice->setTextInteractionFlags(Qt::TextSelectableByMouse);
    if (m_certificate.abandoned()) {
        const QString cause = m_certificate.cause();
        m_notice->setText(tr("⚠ This session was abandoned: the engine ended without shredding. "
                             "Cause: %1. Airlock shredded what the session left on this host; "
                             "check each item below.")
                              .arg(cause.isEmpty() ? tr("not recorded") : cause));
        m_notice->setStyleSheet(QStringLiteral(
            "QLabel { background: #fff4e0; color: #7a4800; border: 1px solid #b36b00; "
            "border-radius: 4px; padding: 6px; }"));
    } else {
        m_notice->hide();
    }

    m_document = new QTextBrowser(this);
    m_document->setOpenLinks(false);
    m_document->setHtml(m_certificate.html());

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton* printButton = buttons->addButton(tr("&Print…"), QDialogButtonBox::ActionRole);
    QPushButton* pdfButton = buttons->addButton(tr("&Save as PDF…"), QDialogButtonBox::ActionRole);
    QPushButton* copyButton = buttons->addButton(tr("&Copy JSON"), QDialogButtonBox::ActionRole);
    copyButton->setToolTip(tr("Copy the shred report exactly as recorded in the audit trail"));
    connect(printButton, &QPushButton::clicked, this, &ShredCertificateDialog::print);
    connect(pdfButton, &QPushButton::clicked, this, &ShredCertificateDialog::saveAsPdf);
    connect(copyButton, &QPushButton::clicked, this, &ShredCertificateDialog::copyJson);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_verdict);
    layout->addWidget(m_notice);
    layout->addWidget(m_document, 1);
    layout->addWidget(buttons);
}

void ShredCertificateDialog::setSavePathChooser(SavePathChooser chooser)
{
    m_savePathChooser = std::move(chooser);
}

QString ShredCertificateDialog::verdictText() const
{
    return m_verdict->text();
}

QString ShredCertificateDialog::noticeText() const
{
    return m_notice->isHidden() ? QString() : m_notice->text();
}

QString ShredCertificateDialog::documentText() const
{
    return m_document->toPlainText();
}

void ShredCertificateDialog::print()
{
    QPrinter printer(QPrinter::HighResolution);
    QPrintDialog dialog(&printer, this);
    dialog.setWindowTitle(tr("Print shred certificate"));
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_document->document()->print(&printer);
}

bool ShredCertificateDialog::saveAsPdf()
{
    QString safe = m_certificate.sessionName;
    safe.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]+")), QStringLiteral("-"));
    const QString suggested = QStringLiteral("airlock-shred-certificate-%1.pdf").arg(safe);
    const QString title = tr("Save shred certificate as PDF");
    QString path;
    if (m_savePathChooser) {
        path = m_savePathChooser(this, title, suggested);
    } else {
        const QString folder = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
        path = QFileDialog::getSaveFileName(
            this, title, QDir(folder).filePath(suggested), tr("PDF files (*.pdf)"));
    }
    if (path.isEmpty())
        return false;
    auto written = app::AuditPdf::write(m_certificate.html(), path);
    if (!written) {
        QMessageBox::warning(
            this, title, tr("The certificate was not saved: %1").arg(written.error().message));
        return false;
    }
    return true;
}

void ShredCertificateDialog::copyJson()
{
    QApplication::clipboard()->setText(QString::fromUtf8(m_certificate.reportJson()));
}

} // namespace ui
