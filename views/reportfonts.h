#pragma once

#include <QFont>
#include <QStringList>

namespace perfwatch {

/// The fonts of every report: compiled into PerfWatch, so a PDF looks and copies out the same on every machine.
///
/// Liberation Sans (text) and DejaVu Sans Mono (statements) come from Debian's fonts-liberation2 and
/// fonts-dejavu-core at build time. Text is drawn without shaping: no "fi"/"fl" ligature glyph can
/// turn a key or an index statement into something other than what a reader copies out of the PDF.
class ReportFonts final
{
public:
    ReportFonts() = delete;

    static QFont sans(double points, bool bold = false);
    static QFont mono(double points);

    /// The families registered from the compiled-in files (empty if a file could not be loaded).
    static QStringList embeddedFamilies();
};

} // namespace perfwatch
