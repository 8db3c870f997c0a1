#include "translations.h"

#include <QCoreApplication>
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

    auto *ours = new QTranslator(&app);
    // perfwatch_en.qm carries the English plural forms ("1 endpoint", "2 endpoints").
    if (ours->load(locale, QStringLiteral("perfwatch"), QStringLiteral("_"), QStringLiteral(":/i18n"))) {
        QCoreApplication::installTranslator(ours);
        return true;
    }
    delete ours;
    if (ours = new QTranslator(&app); ours->load(QStringLiteral(":/i18n/perfwatch_en.qm")))
        QCoreApplication::installTranslator(ours);
    else
        delete ours;
    return locale.language() == QLocale::English;
}

} // namespace perfwatch
