#include "AppTranslations.h"

#include <QCoreApplication>
#include <QLocale>
#include <QTranslator>

namespace ui {

bool AppTranslations::install(QCoreApplication& application)
{
    // The source strings are English already; the English "translation" adds only their plural
    // forms, so it is the base under every other language (whose missing strings fall back to it).
    auto* english = new QTranslator(&application);
    const bool englishLoaded = english->load(QStringLiteral(":/i18n/airlock_en.qm"));
    if (englishLoaded)
        application.installTranslator(english);
    else
        delete english;

    QLocale locale;
    if (locale.language() != QLocale::English && locale.language() != QLocale::C) {
        auto* local = new QTranslator(&application);
        if (local->load(
                locale, QStringLiteral("airlock"), QStringLiteral("_"), QStringLiteral(":/i18n")))
            application.installTranslator(local);
        else
            delete local;
    }
    return englishLoaded;
}

} // namespace ui
