#pragma once

#include "keystatsmodel.h"
#include "reportdata.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <array>

namespace perfwatch {

/// The CSV form of a report, one file per table.
///
/// RFC 4180: a header row, CRLF line ends, fields quoted (quotes doubled) when they hold a comma,
/// a quote or a line break. UTF-8 without a byte-order mark. Numbers in the C locale without
/// group separators, in the shortest form that reads back to the same double; no value is an
/// empty field. Fractions stay fractions (error_rate 0.0123, not 1.23 %). Times are ISO 8601 in
/// UTC ("2024-01-20T15:30:00Z"). Header names are stable English identifiers whatever the
/// window's language, so scripts can rely on them. Text cells never start a formula: see textCell().
class ReportCsv
{
public:
    enum class File
    {
        ApiRequests,
        DatabaseOperations,
        Processing,
        Resources,
        Recommendations,
        TimeSeries,
    };
    static constexpr std::array kFiles { File::ApiRequests, File::DatabaseOperations, File::Processing, File::Resources,
        File::Recommendations, File::TimeSeries };

    /// "api_requests.csv", "database_operations.csv", "processing.csv", "resources.csv",
    /// "recommendations.csv", "timeseries.csv".
    static QString fileName(File file);
    /// The REST API's short names: "api", "database", "processing", "resources", "recommendations",
    /// "timeseries". False for anything else.
    static bool fileFromName(const QString &name, File &file);

    /// One file of a report.
    static QByteArray file(const ReportData &data, File file);
    /// One of the window's key tables with its columns (KeyStatsModel::columnsFor), rows as given.
    /// Gauges and caches use the resources format (resources()).
    static QByteArray keyTable(KeyStatsModel::Table table, const std::vector<KeyRow> &rows);
    /// Gauges, then caches: kind, name, service, then the columns of both.
    static QByteArray resources(const std::vector<KeyRow> &gauges, const std::vector<KeyRow> &caches);
    static QByteArray recommendations(const std::vector<Recommendation> &recommendations);
    /// One row per chart step: latency percentiles, throughput, error rates and the score.
    static QByteArray timeSeries(const ReportData &data);

    /// Writes every file into `dir` (created when missing). Each file is written whole or not at
    /// all. Returns false with a one-line error; `progress` may cancel between files.
    static bool writeAll(const ReportData &data, const QString &dir, QStringList *written, QString *error,
        const ReportProgress &progress = {});

    /// The header name of a key table's column ("p95_ms", "error_rate", "endpoint").
    static QString columnName(KeyStatsModel::Table table, KeyStatsModel::Column column);
    /// A field as RFC 4180 wants it: quoted when it holds a comma, a quote, CR or LF.
    static QString field(const QString &text);
    /// A text cell that a spreadsheet cannot run (OWASP CSV injection): text starting with '=', '+',
    /// '-', '@', a tab or a CR gets a leading apostrophe. Numbers PerfWatch writes are not text cells.
    static QString textCell(const QString &text);
    /// A sender's name (endpoint, operation, step, gauge, cache, service, target) as a text cell,
    /// isolated first (DisplayText::isolate) so bidi controls in it show and reverse nothing.
    static QString nameCell(const QString &name);
    /// A recommendation's evidence as compact JSON, bidi controls escaped as "\u202e".
    static QString evidence(const QJsonObject &evidence);
    /// A number in the C locale, shortest exact form; empty for NaN and infinities.
    static QString number(double value);
    /// ISO 8601 in UTC with a Z; empty for 0.
    static QString time(qint64 msSinceEpoch);
};

} // namespace perfwatch
