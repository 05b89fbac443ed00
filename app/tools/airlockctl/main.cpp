// airlockctl: Airlock from the command line (app/tools/cli does the work).

#include "Cli.h"

#include <memory>

#include <QCoreApplication>
#include <QGuiApplication>

int main(int argc, char** argv)
{
    QStringList arguments;
    for (int i = 1; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    // A PDF needs fonts, so a QGuiApplication; without a display it runs offscreen.
    std::unique_ptr<QCoreApplication> application;
    if (app::cli::needsGui(arguments)) {
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        application = std::make_unique<QGuiApplication>(argc, argv);
    } else {
        application = std::make_unique<QCoreApplication>(argc, argv);
    }
    QCoreApplication::setApplicationName(QStringLiteral("airlockctl"));
    QCoreApplication::setApplicationVersion(QStringLiteral(AIRLOCK_VERSION));
    return app::cli::run(arguments);
}
