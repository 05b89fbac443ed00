#pragma once

#include "ShredCertificate.h"

#include <functional>

#include <QDialog>

class QLabel;
class QTextBrowser;

namespace ui {

/// A session's shred report as a certificate a person can read, print and keep: the session,
/// its purpose and times, each item destroyed with how it was verified (a tick or a cross), the
/// verdict and the report's SHA-256. An abandoned session (the engine died) gets an amber notice
/// with the cause.
class ShredCertificateDialog : public QDialog {
    Q_OBJECT
public:
    /// Asks where to save the PDF: dialog title and suggested file name; empty when cancelled.
    using SavePathChooser =
        std::function<QString(QWidget* parent, const QString& title, const QString& suggestedName)>;

    /// Shows `certificate`.
    explicit ShredCertificateDialog(ShredCertificate certificate, QWidget* parent = nullptr);

    /// Replaces the save dialog (for tests).
    void setSavePathChooser(SavePathChooser chooser);

    /// What is shown.
    const ShredCertificate& certificate() const { return m_certificate; }
    /// The verdict line at the top.
    QString verdictText() const;
    /// The amber notice (empty unless the session was abandoned).
    QString noticeText() const;
    /// The certificate's document as plain text (what a reader sees).
    QString documentText() const;

public slots:
    /// Prints the certificate (the print dialog offers PDF too).
    void print();
    /// Saves the certificate as a PDF file; true when written.
    bool saveAsPdf();
    /// Copies the report JSON to the clipboard.
    void copyJson();

private:
    ShredCertificate m_certificate;
    SavePathChooser m_savePathChooser;
    QLabel* m_verdict = nullptr;
    QLabel* m_notice = nullptr;
    QTextBrowser* m_document = nullptr;
};

} // namespace ui
