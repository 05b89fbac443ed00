#pragma once

class QCoreApplication;

namespace ui {

/// The app's translations, compiled from translations/*.ts and embedded as ":/i18n/airlock_*.qm".
class AppTranslations {
public:
    /// Installs English first, which gives the "%n file(s)" strings their plural forms ("1 file",
    /// "2 files"), then the user's language over it when there is one. True when English loaded.
    static bool install(QCoreApplication& application);
};

} // namespace ui
