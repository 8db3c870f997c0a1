#pragma once

#include "analyzer.h"

#include <QColor>
#include <QCoreApplication>
#include <QIcon>
#include <QPalette>

class QApplication;

namespace perfwatch {

/// Colours, icons and palettes shared by the dashboard's widgets; every colour follows the palette.
class Theme
{
    Q_DECLARE_TR_FUNCTIONS(Theme)
public:
    enum class Severity
    {
        None,
        Warning,
        Critical,
        Good,
    };

    static bool isDark(const QPalette &palette);
    static bool isDark();
    /// The dark palette of the app (also the `--dark` check of the dev tool).
    static QPalette darkPalette();
    static QPalette lightPalette();
    /// Fusion style and the light or dark palette for the whole application.
    static void applyApplicationLook(QApplication &app, bool dark);

    static QColor bandColor(Band band, const QPalette &palette);
    /// Text drawn on a band-coloured background.
    static QColor onBandColor(Band band);
    /// The word users see: "excellent", "good", "fair", "poor", "no data" (translated).
    static QString bandWord(Band band);
    static QString priorityWord(Priority priority);
    static QString recommendationTypeWord(RecommendationType type);

    static QColor severityColor(Severity severity, const QPalette &palette);
    /// A translucent background tint for table cells, readable in both palettes.
    static QColor cellTint(Severity severity, const QPalette &palette);
    /// Text that is secondary (labels, captions).
    static QColor mutedText(const QPalette &palette);
    /// Card backgrounds and their borders.
    static QColor cardColor(const QPalette &palette);
    static QColor borderColor(const QPalette &palette);
    /// Chart series colours by role; `slot` picks one of a chart's series.
    enum class SeriesRole
    {
        P50,
        P95,
        P99,
        Requests,
        DbOps,
        Items,
        ApiErrors,
        DbErrors,
        Score,
        Threshold,
    };
    static QColor seriesColor(SeriesRole role, const QPalette &palette);

    /// A monochrome icon from resources/icons drawn in `color` (the palette's text when invalid).
    static QIcon icon(const QString &name, QColor color = {});
    static QIcon priorityIcon(Priority priority);
    /// The tray icon for a band.
    static QIcon trayIcon(Band band);
    static QIcon appIcon();

    /// A font scaled from the application font (pointSizeF * factor), optionally bold.
    static QFont font(double factor, bool bold = false);
};

} // namespace perfwatch
