// audit_writer PATH COUNT: appends COUNT events to the audit trail at PATH and prints
// "ack <id>" (flushed) after each append returned, for tst_audit_crash to kill -9 mid-way.

#include "audit/AuditEvents.h"
#include "audit/AuditStore.h"

#include <cstdio>

#include <QCoreApplication>
#include <QStringList>

int main(int argc, char** argv)
{
    QCoreApplication application(argc, argv);
    QStringList arguments = QCoreApplication::arguments();
    bool countIsNumber = false;
    int count = arguments.size() == 3 ? arguments.at(2).toInt(&countIsNumber) : 0;
    if (!countIsNumber) {
        std::fprintf(stderr, "usage: audit_writer PATH COUNT\n");
        return 2;
    }
    auto store = app::AuditStore::open(arguments.at(1));
    if (!store) {
        std::fprintf(stderr, "%s\n", qPrintable(store.error().message));
        return 1;
    }
    for (int index = 0; index < count; ++index) {
        auto appended = (*store)->append(app::AuditEvents::sessionState(
            QStringLiteral("crash-session"), QStringLiteral("step %1").arg(index)));
        if (!appended) {
            std::fprintf(stderr, "%s\n", qPrintable(appended.error().message));
            return 1;
        }
        std::printf("ack %lld\n", static_cast<long long>(appended->id));
        std::fflush(stdout);
    }
    return 0;
}
