// airlock: the desktop app. Opens the audit trail, finds the engine, and shows the main window.

#include "AppTranslations.h"
#include "MainWindow.h"
#include "SessionManager.h"
#include "audit/AuditStore.h"
#include "engine/EngineLocator.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>

int main(int argc, char** argv)
{
    QApplication application(argc, argv);
    ui::AppTranslations::install(application);
    QApplication::setOrganizationName(QStringLiteral("Airlock"));
    QApplication::setApplicationName(QStringLiteral("airlock"));
    QApplication::setApplicationDisplayName(QStringLiteral("Airlock"));
    QApplication::setDesktopFileName(QStringLiteral("airlock"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate(
        "main", "Runs AI agents on sensitive data in sealed, shredded microVMs."));
    parser.addHelpOption();
    QCommandLineOption auditOption(QStringLiteral("audit"),
        QApplication::translate("main", "Records the audit trail in <file> instead of %1.")
            .arg(app::AuditStore::defaultPath()),
        QApplication::translate("main", "file"));
    parser.addOption(auditOption);
    parser.process(application);

    QString auditPath =
        parser.isSet(auditOption) ? parser.value(auditOption) : app::AuditStore::defaultPath();
    auto audit = app::AuditStore::open(auditPath);
    if (!audit) {
        QMessageBox::critical(nullptr, QApplication::translate("main", "Airlock cannot start"),
            QApplication::translate("main",
                "The audit trail %1 cannot be opened: %2\nAirlock "
                "records every session there and does not run "
                "without it. Name another file with --audit.")
                .arg(auditPath, audit.error().message));
        return 1;
    }
    auto manager = app::SessionManager::create(std::move(*audit), app::EngineLocator::locate());
    if (!manager) {
        QMessageBox::critical(nullptr, QApplication::translate("main", "Airlock cannot start"),
            manager.error().message);
        return 1;
    }
    ui::MainWindow window(**manager);
    window.show();
    return application.exec();
}
