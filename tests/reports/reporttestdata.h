#pragma once

// Shared helpers for the report tests: a store with known traffic, a strict RFC 4180 parser and
// the poppler tools that open the PDFs.

#include "analyzer.h"
#include "metricstore.h"
#include "storedashboardsource.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QStringList>
#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace perfwatch::test {

/// A fixed, minute-aligned "now": 2023-11-14T22:14:00Z.
inline constexpr qint64 kReportNow = 1'700'000'040'000;
inline constexpr qint64 kSec = 1000;
inline constexpr qint64 kMin = 60 * kSec;

/// A key with every character CSV and PDF must survive: comma, quote, line break, non-ASCII.
inline const QString kAwkwardRoute = QStringLiteral("GET:/api/zürich/straße,\"quoted\"\nline2");
inline const QString kAwkwardService = QStringLiteral("Zürich, \"Süd\"");

/// Builds events whose strings live as long as the batch.
struct Events
{
    std::deque<std::string> strings;
    std::vector<IngestEvent> events;

    std::string_view keep(const QString &s)
    {
        strings.push_back(s.toStdString());
        return strings.back();
    }
    IngestEvent &add(MetricKind kind, const QString &name, double value, qint64 ts, const QString &service)
    {
        IngestEvent e;
        e.kind = kind;
        e.name = keep(name);
        e.service = keep(service);
        e.value = value;
        e.timestampMs = ts;
        e.status = 200;
        events.push_back(e);
        return events.back();
    }
    void insertInto(MetricStore &store, qint64 nowMs)
    {
        store.insert(events, nowMs);
        events.clear();
        strings.clear();
    }
};

/// Ten minutes of traffic before `now`: a slow and failing endpoint (recommendations fire), fast
/// ones, `extraRoutes` more endpoints, db operations, a processing step, gauges and a cache.
inline void addTraffic(MetricStore &store, qint64 now, int extraRoutes = 0)
{
    Events e;
    const QString svc = QStringLiteral("trips-api");
    for (int i = 0; i < 120; ++i) {
        const qint64 t = now - 10 * kMin + i * 5 * kSec;
        e.add(MetricKind::Api, QStringLiteral("GET:/api/trips"), 40 + i % 9, t, svc);
        IngestEvent &slow
            = e.add(MetricKind::Api, QStringLiteral("POST:/api/trips/upload"), 1500 + 10 * (i % 13), t, svc);
        slow.status = i % 8 == 0 ? 503 : 200;
        slow.error = slow.status >= 500;
        e.add(MetricKind::Api, kAwkwardRoute, 120 + i % 5, t, kAwkwardService);
        IngestEvent &db = e.add(MetricKind::Db, QStringLiteral("find:trips"), 450 + i % 11, t, svc);
        db.items = 20;
        IngestEvent &step = e.add(
            MetricKind::Processing, QStringLiteral("map_matching"), 80 + i % 3, t, QStringLiteral("trips-worker"));
        step.items = 50;
        e.add(MetricKind::Gauge, QStringLiteral("db.pool.in_use"), 3 + i % 4, t, svc);
        e.add(MetricKind::Gauge, QStringLiteral("db.pool.size"), 10, t, svc);
        IngestEvent &cache = e.add(MetricKind::Cache, QStringLiteral("trip_cache"), 0, t, svc);
        cache.items = 6;
        cache.misses = 4;
        for (int r = 0; r < extraRoutes; ++r) {
            if (i % 4 == 0)
                e.add(MetricKind::Api, QStringLiteral("GET:/api/v1/resource%1/items").arg(r, 3, 10, QLatin1Char('0')),
                    5.0 + r * 1.5 + i % 3, t, svc);
        }
    }
    e.insertInto(store, now);
}

/// Names a hostile sender chose: formulas a spreadsheet would run (OWASP CSV injection), a method
/// starting with '-', and a right-to-left override that would turn "txt.exe" into "exe.txt".
inline const QString kFormulaRoute = QStringLiteral("=HYPERLINK(\"http://x\",\"y\")");
inline const QString kMinusMethodRoute = QStringLiteral("-GET:/pay");
inline const QString kOverrideRoute = QStringLiteral("GET:/pay\u202etxt.exe");
inline const QString kOverrideRouteShown = QStringLiteral("\u2068GET:/pay[U+202E]txt.exe\u2069");
inline const QString kAtService = QStringLiteral("@SUM(1)");
inline const QString kPlusDb = QStringLiteral("+1+1");
inline const QString kTabService = QStringLiteral("\tx");
inline const QString kMinusStep = QStringLiteral("-2+3");
inline const QString kCrService = QStringLiteral("\rx");
inline const QString kAtGauge = QStringLiteral("@SUM(1)");
inline const QString kFormulaCache = QStringLiteral("=1+2");

/// Ten minutes of traffic under hostile names, slow enough that recommendations name them: a slow
/// API endpoint per hostile route, a slow db operation, a slow processing step, a gauge with
/// negative values (a number PerfWatch writes, which must stay a number) and a cache that misses.
inline void addHostileTraffic(MetricStore &store, qint64 now)
{
    Events e;
    for (int i = 0; i < 60; ++i) {
        const qint64 t = now - 10 * kMin + i * 10 * kSec;
        e.add(MetricKind::Api, kFormulaRoute, 900, t, kAtService);
        e.add(MetricKind::Api, kMinusMethodRoute, 800, t, kAtService);
        e.add(MetricKind::Api, kOverrideRoute, 700, t, kAtService);
        e.add(MetricKind::Db, kPlusDb, 400, t, kTabService);
        e.add(MetricKind::Processing, kMinusStep, 1500, t, kCrService).items = 10;
        e.add(MetricKind::Gauge, kAtGauge, -3.5, t, kTabService);
        IngestEvent &cache = e.add(MetricKind::Cache, kFormulaCache, 0, t, kTabService);
        cache.items = 1;
        cache.misses = 9;
    }
    e.insertInto(store, now);
}

/// A store source with the real analyzer and Apdex, as the window's tests use.
inline std::shared_ptr<StoreDashboardSource> reportSource(MetricStore &store)
{
    auto source = std::make_shared<StoreDashboardSource>(store);
    source->setApdexFunction([](const Aggregate &agg, const AnalyzerConfig &c) { return Analyzer(c).apdex(agg); });
    source->setAnalysisFunction([](const MetricStore &s, qint64 at) { return Analyzer().analyze(s, at); });
    return source;
}

/// Parses RFC 4180 CSV strictly: CRLF records, quoted fields with doubled quotes, no stray quotes,
/// every record as wide as the header. Returns the records, or sets *error.
inline QList<QStringList> parseCsv(const QByteArray &bytes, QString *error)
{
    QList<QStringList> records;
    const QString text = QString::fromUtf8(bytes);
    if (text.toUtf8() != bytes) {
        *error = QStringLiteral("not UTF-8");
        return {};
    }
    QStringList record;
    QString field;
    qsizetype i = 0;
    const qsizetype n = text.size();
    bool fieldStarted = false;
    while (i < n) {
        const QChar c = text[i];
        if (!fieldStarted && c == u'"') {
            ++i;
            for (;;) {
                if (i >= n) {
                    *error = QStringLiteral("unterminated quote");
                    return {};
                }
                if (text[i] == u'"') {
                    if (i + 1 < n && text[i + 1] == u'"') {
                        field += u'"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field += text[i++];
            }
            fieldStarted = true;
            if (i < n && text[i] != u',' && text[i] != u'\r') {
                *error = QStringLiteral("text after a closing quote at %1").arg(i);
                return {};
            }
            continue;
        }
        if (c == u',') {
            record << field;
            field.clear();
            fieldStarted = false;
            ++i;
        } else if (c == u'\r') {
            if (i + 1 >= n || text[i + 1] != u'\n') {
                *error = QStringLiteral("CR without LF at %1").arg(i);
                return {};
            }
            record << field;
            records << record;
            record.clear();
            field.clear();
            fieldStarted = false;
            i += 2;
        } else if (c == u'\n' || c == u'"') {
            *error = QStringLiteral("unquoted %1 at %2")
                         .arg(c == u'"' ? QStringLiteral("quote") : QStringLiteral("LF"))
                         .arg(i);
            return {};
        } else {
            field += c;
            fieldStarted = true;
            ++i;
        }
    }
    if (!field.isEmpty() || !record.isEmpty()) {
        *error = QStringLiteral("last record without CRLF");
        return {};
    }
    for (const QStringList &r : std::as_const(records)) {
        if (r.size() != records.front().size()) {
            *error = QStringLiteral("records of different widths");
            return {};
        }
    }
    return records;
}

/// Runs a poppler tool; empty when it is missing or fails.
inline QByteArray popplerOutput(const QString &tool, const QStringList &args, int *exitCode = nullptr)
{
    if (QStandardPaths::findExecutable(tool).isEmpty())
        return {};
    QProcess p;
    p.start(tool, args);
    p.waitForFinished(60'000);
    if (exitCode)
        *exitCode = p.exitCode();
    return p.readAllStandardOutput();
}

inline bool havePoppler()
{
    return !QStandardPaths::findExecutable(QStringLiteral("pdfinfo")).isEmpty()
        && !QStandardPaths::findExecutable(QStringLiteral("pdftotext")).isEmpty()
        && !QStandardPaths::findExecutable(QStringLiteral("pdftoppm")).isEmpty();
}

/// pdfinfo's "Pages:" line; -1 when it cannot open the file.
inline int pdfPages(const QString &path)
{
    int code = -1;
    const QString info = QString::fromUtf8(popplerOutput(QStringLiteral("pdfinfo"), { path }, &code));
    if (code != 0)
        return -1;
    for (const QString &line : info.split(u'\n')) {
        if (line.startsWith(QLatin1String("Pages:")))
            return line.mid(6).trimmed().toInt();
    }
    return -1;
}

/// The PDF's text with every run of white space as one space, so wrapped lines read as one.
inline QString pdfText(const QString &path)
{
    const QString raw = QString::fromUtf8(popplerOutput(QStringLiteral("pdftotext"), { path, QStringLiteral("-") }));
    return raw.simplified();
}

/// Text without any white space: a sentence or key wrapped anywhere still matches.
inline QString squeezed(QString text)
{
    text.remove(QRegularExpression(QStringLiteral("\\s")));
    return text;
}

/// Whether the PDF's text holds `drawn` character for character, wherever its lines wrapped.
inline bool pdfShows(const QString &pdfText, const QString &drawn)
{
    return squeezed(pdfText).contains(squeezed(drawn));
}

/// The characters of `text` that a copy out of a PDF must never hold where plain letters were
/// drawn: ligatures and other presentation forms (U+FB00-U+FB4F), and the replacement character.
inline QString substitutedCharacters(const QString &text)
{
    QString found;
    for (const QChar c : text) {
        if ((c.unicode() >= 0xFB00 && c.unicode() <= 0xFB4F) || c == QChar::ReplacementCharacter)
            found += c;
    }
    return found;
}

/// The fonts pdffonts lists, sorted, without a subset's "ABCDEF+" prefix; a font that is not
/// embedded is listed as "<name> (not embedded)".
inline QStringList pdfFonts(const QString &path)
{
    QStringList fonts;
    const QStringList lines = QString::fromUtf8(popplerOutput(QStringLiteral("pdffonts"), { path })).split(u'\n');
    for (const QString &line : lines.mid(2)) {
        const QStringList columns = line.split(u' ', Qt::SkipEmptyParts);
        if (columns.isEmpty())
            continue;
        const QString name = columns.constFirst().section(u'+', -1);
        fonts << (line.contains(QLatin1String(" yes ")) ? name : name + QStringLiteral(" (not embedded)"));
    }
    fonts.sort();
    return fonts;
}

/// What every report is drawn in (ReportFonts), as pdfFonts lists it.
inline const QStringList kReportFonts { QStringLiteral("DejaVuSansMono"), QStringLiteral("LiberationSans"),
    QStringLiteral("LiberationSans-Bold") };

/// Whether a PDF is drawn in the report's fonts only, its text at least partly in Liberation Sans.
inline bool inReportFontsOnly(const QString &path)
{
    const QStringList fonts = pdfFonts(path);
    return fonts.contains(QLatin1String("LiberationSans"))
        && std::all_of(fonts.begin(), fonts.end(), [](const QString &f) { return kReportFonts.contains(f); });
}

/// PERFWATCH_TEST_FONTS=urw-dejavu: a font configuration that offers only URW base35 and DejaVu,
/// as a stock Debian 12 has, written into `folder`; FONTCONFIG_FILE points at it (for this process
/// and the perfwatch processes it starts). Call before the application object exists. Returns an
/// error, or an empty string (also when no restriction is asked for).
inline QString restrictFontsIfAsked(const QString &folder)
{
    const QByteArray wanted = qgetenv("PERFWATCH_TEST_FONTS");
    if (wanted.isEmpty())
        return {};
    if (wanted != "urw-dejavu")
        return QStringLiteral("PERFWATCH_TEST_FONTS must be urw-dejavu, not %1").arg(QString::fromUtf8(wanted));
    const QStringList dirs { QStringLiteral("/usr/share/fonts/opentype/urw-base35"),
        QStringLiteral("/usr/share/fonts/truetype/dejavu") };
    for (const QString &dir : dirs) {
        if (!QFileInfo(dir).isDir())
            return QStringLiteral("%1 is missing: install fonts-urw-base35 and fonts-dejavu-core (scripts/setup "
                                  "--tests does)")
                .arg(dir);
    }
    QString conf = QStringLiteral("<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"urn:fontconfig:fonts.dtd\">\n"
                                  "<fontconfig>\n");
    for (const QString &dir : dirs)
        conf += QStringLiteral("  <dir>%1</dir>\n").arg(dir);
    // The system's rules (aliases such as Liberation Sans -> Nimbus Sans), but none of its folders.
    conf += QStringLiteral("  <cachedir>%1/cache</cachedir>\n"
                           "  <include ignore_missing=\"yes\">/etc/fonts/conf.d</include>\n"
                           "</fontconfig>\n")
                .arg(folder);
    QFile file(folder + QStringLiteral("/fonts.conf"));
    if (!file.open(QIODevice::WriteOnly) || file.write(conf.toUtf8()) != conf.toUtf8().size())
        return QStringLiteral("cannot write %1").arg(file.fileName());
    file.close();
    qputenv("FONTCONFIG_FILE", QFile::encodeName(file.fileName()));
    return {};
}

} // namespace perfwatch::test
