#include "translations.h"

#include <QCoreApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QLocale>
#include <QStringList>
#include <QTranslator>

namespace perfwatch {

QStringList availableLanguages()
{
    return { QStringLiteral("en"), QStringLiteral("de") };
}

bool installTranslations(QCoreApplication &app, const QString &language)
{
    const QLocale locale = language.isEmpty() ? QLocale::system() : QLocale(language);
    QLocale::setDefault(locale);

    auto *qt = new QTranslator(&app);
    if (qt->load(
            locale, QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    else
        delete qt;

    // The installed files (the package's /usr/share/perfwatch/translations) before the compiled-in
    // ones, so that a translation can be updated without a new binary.
    const QStringList folders {
        QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral(PERFWATCH_TRANSLATIONS_FROM_BIN)),
        QStringLiteral(":/i18n")
    };
    auto *ours = new QTranslator(&app);
    // perfwatch_en.qm carries the English plural forms ("1 endpoint", "2 endpoints").
    for (const QString &folder : folders) {
        if (ours->load(locale, QStringLiteral("perfwatch"), QStringLiteral("_"), folder)) {
            QCoreApplication::installTranslator(ours);
            return true;
        }
    }
    for (const QString &folder : folders) {
        if (ours->load(QStringLiteral("perfwatch_en"), folder)) {
            QCoreApplication::installTranslator(ours);
            return locale.language() == QLocale::English;
        }
    }
    delete ours;
    return locale.language() == QLocale::English;
}

} // namespace perfwatch
