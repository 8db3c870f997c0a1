#pragma once

#include <QString>

class QCoreApplication;

namespace perfwatch {

/// Installs PerfWatch's and Qt's translations for `language` ("de", "en"; empty: the system
/// locale) and makes it the default QLocale. English needs its own file for plural forms.
/// Returns false when PerfWatch has no translation for that language (English is then used).
bool installTranslations(QCoreApplication &app, const QString &language);

/// The languages PerfWatch ships, as codes ("en", "de").
QStringList availableLanguages();

} // namespace perfwatch
