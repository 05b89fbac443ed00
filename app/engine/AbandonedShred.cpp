#include "AbandonedShred.h"

#include "scratch/AbandonedSession.h"
#include "scratch/ShredReport.h"

#include <QCoreApplication>
#include <QJsonDocument>

namespace app {

QJsonObject shredAbandonedSession(const QString& sessionDirectory, const QString& cause)
{
    vmm::ShredReport report;
    if (sessionDirectory.isEmpty()) {
        vmm::ShredItem item = vmm::ShredItem::start("session directory", "none known on this host");
        item.finish(false,
            "the engine runs elsewhere or was given no session directory; nothing was checked");
        report.add(std::move(item));
    } else {
        report = vmm::completeAbandonedSession(sessionDirectory.toStdString());
    }
    QJsonObject object =
        QJsonDocument::fromJson(QByteArray::fromStdString(report.toJson(-1))).object();
    object.insert(QStringLiteral("abandoned"), true);
    object.insert(QStringLiteral("cause"), cause);
    object.insert(QStringLiteral("completedBy"),
        QCoreApplication::translate(
            "app::AbandonedShred", "the Airlock app, after the engine ended"));
    return object;
}

} // namespace app
