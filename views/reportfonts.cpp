#include "reportfonts.h"

#include <QFontDatabase>

namespace perfwatch {

namespace {

struct Embedded
{
    QString sans;
    QString mono;
    QStringList families;
};

/// Registers the compiled-in files once, from whichever thread renders the first report.
const Embedded &embedded()
{
    static const Embedded fonts = [] {
        Embedded e;
        const auto add = [&e](const QString &resource) {
            const int id = QFontDatabase::addApplicationFont(resource);
            const QStringList families = id < 0 ? QStringList() : QFontDatabase::applicationFontFamilies(id);
            if (families.isEmpty()) {
                qWarning(
                    "perfwatch: cannot load the report font %s; reports use the system's fonts", qPrintable(resource));
                return QString();
            }
            if (!e.families.contains(families.constFirst()))
                e.families.append(families.constFirst());
            return families.constFirst();
        };
        e.sans = add(QStringLiteral(":/perfwatch/fonts/LiberationSans-Regular.ttf"));
        add(QStringLiteral(":/perfwatch/fonts/LiberationSans-Bold.ttf"));
        e.mono = add(QStringLiteral(":/perfwatch/fonts/DejaVuSansMono.ttf"));
        return e;
    }();
    return fonts;
}

QFont reportFont(const QString &family, const QStringList &fallbacks, QFont::StyleHint hint, double points)
{
    QFont f;
    QStringList families = fallbacks;
    if (!family.isEmpty())
        families.prepend(family);
    f.setFamilies(families);
    f.setStyleHint(hint, QFont::StyleStrategy(QFont::PreferOutline | QFont::PreferNoShaping));
    f.setKerning(false);
    f.setPointSizeF(points);
    return f;
}

} // namespace

QFont ReportFonts::sans(double points, bool bold)
{
    QFont f = reportFont(
        embedded().sans, { QStringLiteral("Liberation Sans"), QStringLiteral("Arial") }, QFont::SansSerif, points);
    f.setBold(bold);
    return f;
}

QFont ReportFonts::mono(double points)
{
    QFont f = reportFont(embedded().mono, { QStringLiteral("DejaVu Sans Mono"), QStringLiteral("Liberation Mono") },
        QFont::Monospace, points);
    f.setFixedPitch(true);
    return f;
}

QStringList ReportFonts::embeddedFamilies()
{
    return embedded().families;
}

} // namespace perfwatch
