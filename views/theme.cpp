#include "theme.h"

#include <QApplication>
#include <QFile>
#include <QHash>
#include <QPainter>
#include <QPixmap>
#include <QStyle>
#include <QStyleFactory>
#include <QSvgRenderer>

namespace perfwatch {

namespace {

QByteArray readResource(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QIcon renderSvg(const QByteArray &svg)
{
    QIcon icon;
    QSvgRenderer renderer(svg);
    if (!renderer.isValid())
        return icon;
    for (int size : { 16, 20, 24, 32, 48, 64 }) {
        for (qreal dpr : { 1.0, 2.0 }) {
            QPixmap pixmap(int(size * dpr), int(size * dpr));
            pixmap.fill(Qt::transparent);
            QPainter painter(&pixmap);
            painter.setRenderHint(QPainter::Antialiasing);
            renderer.render(&painter);
            painter.end();
            pixmap.setDevicePixelRatio(dpr);
            icon.addPixmap(pixmap);
        }
    }
    return icon;
}

} // namespace

bool Theme::isDark(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

bool Theme::isDark()
{
    return isDark(QGuiApplication::palette());
}

QPalette Theme::darkPalette()
{
    QPalette p;
    const QColor window(0x1e, 0x20, 0x24);
    const QColor base(0x26, 0x29, 0x2e);
    const QColor text(0xe6, 0xe8, 0xeb);
    const QColor disabledText(0x7a, 0x80, 0x88);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(0x2c, 0x2f, 0x35));
    p.setColor(QPalette::ToolTipBase, QColor(0x33, 0x37, 0x3d));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x8d, 0x93, 0x9c));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x2f, 0x33, 0x39));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Light, QColor(0x3d, 0x42, 0x49));
    p.setColor(QPalette::Midlight, QColor(0x35, 0x39, 0x40));
    p.setColor(QPalette::Mid, QColor(0x4a, 0x50, 0x58));
    p.setColor(QPalette::Dark, QColor(0x16, 0x18, 0x1b));
    p.setColor(QPalette::Shadow, QColor(0x0b, 0x0c, 0x0e));
    p.setColor(QPalette::Highlight, QColor(0x33, 0x7e, 0xd6));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x74, 0xc0, 0xfc));
    p.setColor(QPalette::LinkVisited, QColor(0xb1, 0x97, 0xfc));
    for (auto role : { QPalette::WindowText, QPalette::Text, QPalette::ButtonText })
        p.setColor(QPalette::Disabled, role, disabledText);
    p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x3d, 0x42, 0x49));
    return p;
}

QPalette Theme::lightPalette()
{
    QPalette p = QStyleFactory::create(QStringLiteral("Fusion"))->standardPalette();
    p.setColor(QPalette::Window, QColor(0xf3, 0xf4, 0xf6));
    p.setColor(QPalette::Base, Qt::white);
    p.setColor(QPalette::AlternateBase, QColor(0xf7, 0xf8, 0xfa));
    p.setColor(QPalette::Highlight, QColor(0x1c, 0x6e, 0xd0));
    p.setColor(QPalette::PlaceholderText, QColor(0x86, 0x8e, 0x96));
    return p;
}

void Theme::applyApplicationLook(QApplication &app, bool dark)
{
    app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    app.setPalette(dark ? darkPalette() : lightPalette());
    app.setWindowIcon(appIcon());
}

QColor Theme::bandColor(Band band, const QPalette &palette)
{
    const bool dark = isDark(palette);
    switch (band) {
    case Band::Excellent:
        return dark ? QColor(0x51, 0xcf, 0x66) : QColor(0x2b, 0x8a, 0x3e);
    case Band::Good:
        return dark ? QColor(0x4d, 0xab, 0xf7) : QColor(0x19, 0x71, 0xc2);
    case Band::Fair:
        return dark ? QColor(0xfc, 0xc4, 0x19) : QColor(0xe6, 0x9a, 0x00);
    case Band::Poor:
        return dark ? QColor(0xff, 0x6b, 0x6b) : QColor(0xc9, 0x2a, 0x2a);
    case Band::NoData:
        break;
    }
    return mutedText(palette);
}

QColor Theme::onBandColor(Band band)
{
    return band == Band::Fair ? QColor(0x1a, 0x1a, 0x1a) : QColor(Qt::white);
}

QString Theme::bandWord(Band band)
{
    switch (band) {
    case Band::Excellent:
        return tr("excellent");
    case Band::Good:
        return tr("good");
    case Band::Fair:
        return tr("fair");
    case Band::Poor:
        return tr("poor");
    case Band::NoData:
        break;
    }
    return tr("no data");
}

QString Theme::priorityWord(Priority priority)
{
    switch (priority) {
    case Priority::High:
        return tr("High");
    case Priority::Medium:
        return tr("Medium");
    case Priority::Low:
        break;
    }
    return tr("Low");
}

QString Theme::recommendationTypeWord(RecommendationType type)
{
    switch (type) {
    case RecommendationType::Api:
        return tr("API");
    case RecommendationType::Database:
        return tr("Database");
    case RecommendationType::Processing:
        return tr("Processing");
    case RecommendationType::Resources:
        return tr("Resources");
    case RecommendationType::Trend:
        break;
    }
    return tr("Trend");
}

QColor Theme::severityColor(Severity severity, const QPalette &palette)
{
    const bool dark = isDark(palette);
    switch (severity) {
    case Severity::Critical:
        return dark ? QColor(0xff, 0x6b, 0x6b) : QColor(0xc9, 0x2a, 0x2a);
    case Severity::Warning:
        return dark ? QColor(0xfc, 0xc4, 0x19) : QColor(0xb0, 0x6d, 0x00);
    case Severity::Good:
        return dark ? QColor(0x51, 0xcf, 0x66) : QColor(0x2b, 0x8a, 0x3e);
    case Severity::None:
        break;
    }
    return mutedText(palette);
}

QColor Theme::cellTint(Severity severity, const QPalette &palette)
{
    const bool dark = isDark(palette);
    switch (severity) {
    case Severity::Critical:
        return dark ? QColor(255, 90, 90, 70) : QColor(224, 49, 49, 46);
    case Severity::Warning:
        return dark ? QColor(252, 196, 25, 55) : QColor(245, 159, 0, 50);
    case Severity::Good:
        return dark ? QColor(81, 207, 102, 45) : QColor(47, 158, 68, 36);
    case Severity::None:
        break;
    }
    return {};
}

QColor Theme::mutedText(const QPalette &palette)
{
    const QColor text = palette.color(QPalette::Text);
    const QColor base = palette.color(QPalette::Base);
    return QColor::fromRgbF(text.redF() * 0.62f + base.redF() * 0.38f, text.greenF() * 0.62f + base.greenF() * 0.38f,
        text.blueF() * 0.62f + base.blueF() * 0.38f);
}

QColor Theme::cardColor(const QPalette &palette)
{
    return palette.color(QPalette::Base);
}

QColor Theme::borderColor(const QPalette &palette)
{
    return isDark(palette) ? QColor(0x3a, 0x3f, 0x46) : QColor(0xdd, 0xe1, 0xe6);
}

QColor Theme::seriesColor(SeriesRole role, const QPalette &palette)
{
    const bool dark = isDark(palette);
    switch (role) {
    case SeriesRole::P50:
        return dark ? QColor(0x69, 0xdb, 0x7c) : QColor(0x2f, 0x9e, 0x44);
    case SeriesRole::P95:
        return dark ? QColor(0xff, 0xa9, 0x4d) : QColor(0xe8, 0x59, 0x0c);
    case SeriesRole::P99:
        return dark ? QColor(0xff, 0x87, 0x87) : QColor(0xc9, 0x2a, 0x2a);
    case SeriesRole::Requests:
        return dark ? QColor(0x4d, 0xab, 0xf7) : QColor(0x19, 0x71, 0xc2);
    case SeriesRole::DbOps:
        return dark ? QColor(0xb1, 0x97, 0xfc) : QColor(0x70, 0x48, 0xe8);
    case SeriesRole::Items:
        return dark ? QColor(0x3b, 0xc9, 0xdb) : QColor(0x0c, 0x85, 0x99);
    case SeriesRole::ApiErrors:
        return dark ? QColor(0xff, 0x87, 0x87) : QColor(0xe0, 0x31, 0x31);
    case SeriesRole::DbErrors:
        return dark ? QColor(0xb1, 0x97, 0xfc) : QColor(0x70, 0x48, 0xe8);
    case SeriesRole::Score:
        return palette.color(QPalette::Text);
    case SeriesRole::Threshold:
        return dark ? QColor(0xff, 0x6b, 0x6b) : QColor(0xc9, 0x2a, 0x2a);
    }
    return palette.color(QPalette::Text);
}

QIcon Theme::icon(const QString &name, QColor color)
{
    if (!color.isValid())
        color = QGuiApplication::palette().color(QPalette::WindowText);
    // Icons are re-requested on every palette change; rendering them once per colour is enough.
    static QHash<QString, QIcon> cache;
    const QString cacheKey = name + u'|' + color.name(QColor::HexArgb);
    if (auto it = cache.constFind(cacheKey); it != cache.constEnd())
        return *it;
    QByteArray svg = readResource(QStringLiteral(":/perfwatch/icons/%1.svg").arg(name));
    svg.replace("currentColor", color.name(QColor::HexRgb).toLatin1());
    const QIcon result = renderSvg(svg);
    cache.insert(cacheKey, result);
    return result;
}

QIcon Theme::priorityIcon(Priority priority)
{
    switch (priority) {
    case Priority::High:
        return renderSvg(readResource(QStringLiteral(":/perfwatch/icons/priority-high.svg")));
    case Priority::Medium:
        return renderSvg(readResource(QStringLiteral(":/perfwatch/icons/priority-medium.svg")));
    case Priority::Low:
        break;
    }
    return renderSvg(readResource(QStringLiteral(":/perfwatch/icons/priority-low.svg")));
}

QIcon Theme::trayIcon(Band band)
{
    // The light variants: saturated enough to read on light and dark panels alike.
    QColor color = bandColor(band, lightPalette());
    if (band == Band::NoData)
        color = QColor(0x86, 0x8e, 0x96);
    QByteArray svg = readResource(QStringLiteral(":/perfwatch/icons/tray.svg"));
    svg.replace("BAND", color.name(QColor::HexRgb).toLatin1());
    return renderSvg(svg);
}

QIcon Theme::appIcon()
{
    return renderSvg(readResource(QStringLiteral(":/perfwatch/icons/perfwatch.svg")));
}

QFont Theme::font(double factor, bool bold)
{
    QFont f = QGuiApplication::font();
    f.setPointSizeF(f.pointSizeF() * factor);
    f.setBold(bold);
    return f;
}

} // namespace perfwatch
