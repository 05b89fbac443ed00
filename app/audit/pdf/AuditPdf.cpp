#include "audit/pdf/AuditPdf.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QGuiApplication>
#include <QPageLayout>
#include <QPageSize>
#include <QPdfWriter>
#include <QSaveFile>
#include <QTextDocument>

namespace app::AuditPdf {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("app::AuditPdf", text);
}

} // namespace

Result<void> write(const QString& html, const QString& path)
{
    if (qobject_cast<QGuiApplication*>(QCoreApplication::instance()) == nullptr)
        return failure(tr("A PDF can only be made by the desktop app (it needs fonts)."));
    QSaveFile file(path);
    bool written = file.open(QIODevice::WriteOnly);
    if (written) {
        QPdfWriter writer(&file);
        writer.setTitle(QFileInfo(path).completeBaseName());
        writer.setCreator(QStringLiteral("Airlock"));
        writer.setPageSize(QPageSize(QPageSize::A4));
        writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter);
        QTextDocument document;
        document.setHtml(html);
        // print() lays the document out on the writer's pages.
        document.print(&writer);
    }
    // The writer flushes its last page when destroyed, before the commit.
    if (!written || !file.commit()) {
        return failure(tr("The PDF %1 could not be written (%2). Choose a folder where you may "
                          "write and that has space.")
                           .arg(path, file.errorString()));
    }
    return {};
}

} // namespace app::AuditPdf
