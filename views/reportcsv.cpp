#include "reportcsv.h"

#include "displaytext.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QJsonDocument>
#include <QSaveFile>
#include <cmath>
#include <map>

namespace perfwatch {

namespace {

using Column = KeyStatsModel::Column;
using Table = KeyStatsModel::Table;

/// Builds a CSV document cell by cell. Every cell says what it holds, so text can never read as a
/// formula while PerfWatch's own numbers (a gauge may be -3.5) stay numbers.
class CsvBuilder
{
public:
    /// A header row of fixed identifiers.
    void header(const QStringList &names)
    {
        for (const QString &n : names)
            text(n);
        end();
    }
    /// Text that is not a name: a sentence, a type, an identifier.
    CsvBuilder &text(const QString &value) { return add(ReportCsv::textCell(value)); }
    /// A name a sender wrote (route, operation, service): isolated, then kept from reading as a formula.
    CsvBuilder &name(const QString &value) { return add(ReportCsv::nameCell(value)); }
    /// A number or time PerfWatch formatted (ReportCsv::number(), count(), time()).
    CsvBuilder &value(const QString &value) { return add(value); }
    void end()
    {
        m_text += QStringLiteral("\r\n");
        m_first = true;
    }
    QByteArray take() { return m_text.toUtf8(); }

private:
    CsvBuilder &add(const QString &cell)
    {
        if (!m_first)
            m_text += u',';
        m_first = false;
        m_text += ReportCsv::field(cell);
        return *this;
    }

    QString m_text;
    bool m_first = true;
};

QString count(quint64 n)
{
    return QString::number(n);
}

/// A key table's number cell as a raw value: what the window sorts by (KeyStatsModel::SortRole).
QString cellValue(const KeyRow &row, Column column)
{
    const bool idle = row.count == 0;
    if (!KeyStatsModel::meaningful(row, column))
        return {};
    switch (column) {
    case KeyStatsModel::Service:
    case KeyStatsModel::Name:
        break; // names: cell()
    case KeyStatsModel::Count:
        return count(row.count);
    case KeyStatsModel::Rate:
        return idle ? QString() : ReportCsv::number(row.ratePerSec);
    case KeyStatsModel::Avg:
        return ReportCsv::number(row.avg);
    case KeyStatsModel::P50:
        return ReportCsv::number(row.p50);
    case KeyStatsModel::P95:
        return ReportCsv::number(row.p95);
    case KeyStatsModel::P99:
        return ReportCsv::number(row.p99);
    case KeyStatsModel::Min:
        return ReportCsv::number(row.min);
    case KeyStatsModel::Max:
        return ReportCsv::number(row.max);
    case KeyStatsModel::Errors:
        return idle ? QString() : count(row.errors);
    case KeyStatsModel::ErrorPercent:
        return ReportCsv::number(row.errorRate);
    case KeyStatsModel::Apdex:
        return ReportCsv::number(row.apdex);
    case KeyStatsModel::Items:
        return idle ? QString() : count(row.items);
    case KeyStatsModel::ItemsPerSec:
        return ReportCsv::number(row.itemsPerSec);
    case KeyStatsModel::Hits:
        return idle ? QString() : count(row.hits);
    case KeyStatsModel::Misses:
        return idle ? QString() : count(row.misses);
    case KeyStatsModel::HitRate:
        return ReportCsv::number(row.hitRate);
    case KeyStatsModel::Last:
        return ReportCsv::number(row.last);
    case KeyStatsModel::ColumnCount:
        break;
    }
    return {};
}

/// Appends a key table's cell: the key's names as names, everything else as PerfWatch's numbers.
void cell(CsvBuilder &csv, const KeyRow &row, Column column)
{
    if (column == KeyStatsModel::Service)
        csv.name(row.key.service);
    else if (column == KeyStatsModel::Name)
        csv.text(DisplayText::keyName(row.key.name));
    else
        csv.value(cellValue(row, column));
}

/// The value at x of a series sorted by x; NaN when it has no point there.
class SeriesCursor
{
public:
    explicit SeriesCursor(const QList<QPointF> &points)
        : m_points(points)
    { }
    double at(double x)
    {
        while (m_i < m_points.size() && m_points[m_i].x() < x)
            ++m_i;
        return m_i < m_points.size() && m_points[m_i].x() == x ? m_points[m_i].y() : KeyRow::kNaN;
    }

private:
    const QList<QPointF> &m_points;
    qsizetype m_i = 0;
};

} // namespace

QString ReportCsv::fileName(File file)
{
    switch (file) {
    case File::ApiRequests:
        return QStringLiteral("api_requests.csv");
    case File::DatabaseOperations:
        return QStringLiteral("database_operations.csv");
    case File::Processing:
        return QStringLiteral("processing.csv");
    case File::Resources:
        return QStringLiteral("resources.csv");
    case File::Recommendations:
        return QStringLiteral("recommendations.csv");
    case File::TimeSeries:
        break;
    }
    return QStringLiteral("timeseries.csv");
}

bool ReportCsv::fileFromName(const QString &name, File &file)
{
    static const std::map<QString, File> names {
        { QStringLiteral("api"), File::ApiRequests },
        { QStringLiteral("database"), File::DatabaseOperations },
        { QStringLiteral("processing"), File::Processing },
        { QStringLiteral("resources"), File::Resources },
        { QStringLiteral("recommendations"), File::Recommendations },
        { QStringLiteral("timeseries"), File::TimeSeries },
    };
    const auto it = names.find(name.toLower());
    if (it == names.end())
        return false;
    file = it->second;
    return true;
}

QString ReportCsv::field(const QString &text)
{
    bool quote = false;
    for (QChar c : text) {
        if (c == u',' || c == u'"' || c == u'\n' || c == u'\r') {
            quote = true;
            break;
        }
    }
    if (!quote)
        return text;
    QString out = text;
    out.replace(u'"', QStringLiteral("\"\""));
    return u'"' + out + u'"';
}

QString ReportCsv::textCell(const QString &text)
{
    // OWASP "CSV injection": a spreadsheet runs a cell that starts with one of these as a formula
    // (=HYPERLINK, DDE); a leading apostrophe makes it text, and the apostrophe is not shown.
    if (!text.isEmpty()) {
        switch (text.front().unicode()) {
        case u'=':
        case u'+':
        case u'-':
        case u'@':
        case u'\t':
        case u'\r':
            return u'\'' + text;
        default:
            break;
        }
    }
    return text;
}

QString ReportCsv::nameCell(const QString &name)
{
    return textCell(DisplayText::isolate(name));
}

QString ReportCsv::evidence(const QJsonObject &evidence)
{
    // Names in the evidence keep their bidi controls as JSON escapes: the same JSON to a parser,
    // and a spreadsheet cannot reverse the cell. The object starts with '{', never a formula.
    const QString json = QString::fromUtf8(QJsonDocument(evidence).toJson(QJsonDocument::Compact));
    QString out;
    out.reserve(json.size());
    for (QChar c : json) {
        if (DisplayText::isBidiControl(c.unicode()))
            out += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
        else
            out += c;
    }
    return out;
}

QString ReportCsv::number(double value)
{
    if (!std::isfinite(value))
        return {};
    if (value == 0)
        return QStringLiteral("0"); // also for -0
    return QString::number(value, 'f', QLocale::FloatingPointShortest);
}

QString ReportCsv::time(qint64 msSinceEpoch)
{
    if (msSinceEpoch == 0)
        return {};
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch, Qt::UTC).toString(Qt::ISODate); // "Z", not "+00:00"
}

QString ReportCsv::columnName(Table table, Column column)
{
    const bool gauge = table == Table::Gauges;
    switch (column) {
    case KeyStatsModel::Service:
        return QStringLiteral("service");
    case KeyStatsModel::Name:
        switch (table) {
        case Table::Api:
            return QStringLiteral("endpoint");
        case Table::Database:
            return QStringLiteral("operation");
        case Table::Processing:
            return QStringLiteral("step");
        case Table::Gauges:
        case Table::Caches:
            break;
        }
        return QStringLiteral("name");
    case KeyStatsModel::Count:
        switch (table) {
        case Table::Api:
            return QStringLiteral("requests");
        case Table::Database:
            return QStringLiteral("operations");
        case Table::Processing:
            return QStringLiteral("runs");
        case Table::Gauges:
        case Table::Caches:
            break;
        }
        return QStringLiteral("samples");
    case KeyStatsModel::Rate:
        return table == Table::Caches ? QStringLiteral("lookups_per_s") : QStringLiteral("rate_per_s");
    case KeyStatsModel::Avg:
        return gauge ? QStringLiteral("avg") : QStringLiteral("avg_ms");
    case KeyStatsModel::P50:
        return QStringLiteral("p50_ms");
    case KeyStatsModel::P95:
        return QStringLiteral("p95_ms");
    case KeyStatsModel::P99:
        return QStringLiteral("p99_ms");
    case KeyStatsModel::Min:
        return gauge ? QStringLiteral("min") : QStringLiteral("min_ms");
    case KeyStatsModel::Max:
        return gauge ? QStringLiteral("max") : QStringLiteral("max_ms");
    case KeyStatsModel::Errors:
        return QStringLiteral("errors");
    case KeyStatsModel::ErrorPercent:
        return QStringLiteral("error_rate");
    case KeyStatsModel::Apdex:
        return QStringLiteral("apdex");
    case KeyStatsModel::Items:
        return QStringLiteral("items");
    case KeyStatsModel::ItemsPerSec:
        return table == Table::Database ? QStringLiteral("documents_per_s") : QStringLiteral("items_per_s");
    case KeyStatsModel::Hits:
        return QStringLiteral("hits");
    case KeyStatsModel::Misses:
        return QStringLiteral("misses");
    case KeyStatsModel::HitRate:
        return QStringLiteral("hit_rate");
    case KeyStatsModel::Last:
        return QStringLiteral("last");
    case KeyStatsModel::ColumnCount:
        break;
    }
    return {};
}

QByteArray ReportCsv::keyTable(Table table, const std::vector<KeyRow> &rows)
{
    if (table == Table::Gauges)
        return resources(rows, {});
    if (table == Table::Caches)
        return resources({}, rows);
    const std::vector<Column> columns = KeyStatsModel::columnsFor(table);
    CsvBuilder csv;
    QStringList names;
    for (Column c : columns)
        names << columnName(table, c);
    csv.header(names);
    for (const KeyRow &row : rows) {
        for (Column c : columns)
            cell(csv, row, c);
        csv.end();
    }
    return csv.take();
}

QByteArray ReportCsv::resources(const std::vector<KeyRow> &gauges, const std::vector<KeyRow> &caches)
{
    // One file for the Resources page's two tables: the columns of both, empty where a kind has none.
    const std::vector<Column> columns { KeyStatsModel::Last, KeyStatsModel::Min, KeyStatsModel::Avg, KeyStatsModel::Max,
        KeyStatsModel::Count, KeyStatsModel::HitRate, KeyStatsModel::Hits, KeyStatsModel::Misses, KeyStatsModel::Rate };
    const std::vector<Column> gaugeColumns = KeyStatsModel::columnsFor(Table::Gauges);
    const std::vector<Column> cacheColumns = KeyStatsModel::columnsFor(Table::Caches);
    CsvBuilder csv;
    QStringList names { QStringLiteral("kind"), QStringLiteral("name"), QStringLiteral("service") };
    for (Column c : columns)
        names << columnName(c == KeyStatsModel::Rate ? Table::Caches : Table::Gauges, c);
    csv.header(names);
    const auto write = [&](const std::vector<KeyRow> &rows, const QString &kind, const std::vector<Column> &shown) {
        for (const KeyRow &row : rows) {
            csv.text(kind).text(DisplayText::keyName(row.key.name)).name(row.key.service);
            for (Column c : columns)
                csv.value(std::find(shown.begin(), shown.end(), c) != shown.end() ? cellValue(row, c) : QString());
            csv.end();
        }
    };
    write(gauges, QStringLiteral("gauge"), gaugeColumns);
    write(caches, QStringLiteral("cache"), cacheColumns);
    return csv.take();
}

QByteArray ReportCsv::recommendations(const std::vector<Recommendation> &recommendations)
{
    CsvBuilder csv;
    csv.header({ QStringLiteral("priority"), QStringLiteral("type"), QStringLiteral("rule"), QStringLiteral("service"),
        QStringLiteral("target"), QStringLiteral("message"), QStringLiteral("suggestion"), QStringLiteral("evidence"),
        QStringLiteral("impact"), QStringLiteral("first_seen"), QStringLiteral("last_seen"), QStringLiteral("id") });
    for (const Recommendation &r : recommendations) {
        // The message and suggestion are PerfWatch's sentences with the names already isolated (Analyzer).
        csv.text(priorityName(r.priority)).text(typeName(r.type)).text(r.rule).name(r.service).name(r.target);
        csv.text(r.message).text(r.suggestion).text(evidence(r.evidence)).value(number(r.impact));
        csv.value(time(r.firstSeenMs)).value(time(r.lastSeenMs)).name(r.id);
        csv.end();
    }
    return csv.take();
}

QByteArray ReportCsv::timeSeries(const ReportData &data)
{
    CsvBuilder csv;
    csv.header({ QStringLiteral("timestamp"), QStringLiteral("api_p50_ms"), QStringLiteral("api_p95_ms"),
        QStringLiteral("api_p99_ms"), QStringLiteral("requests_per_s"), QStringLiteral("db_operations_per_s"),
        QStringLiteral("items_per_s"), QStringLiteral("api_error_rate"), QStringLiteral("db_error_rate"),
        QStringLiteral("score") });
    // Every step that has any value, in time order.
    std::vector<double> xs;
    const auto collect = [&](const QList<QPointF> &points) {
        for (const QPointF &p : points)
            xs.push_back(p.x());
    };
    for (const auto &s : data.latency)
        collect(s);
    for (const auto &s : data.throughput)
        collect(s);
    for (const auto &s : data.errorRate)
        collect(s);
    collect(data.scoreSeries);
    std::sort(xs.begin(), xs.end());
    xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
    std::vector<SeriesCursor> cursors;
    for (const auto &s : data.latency)
        cursors.emplace_back(s);
    for (const auto &s : data.throughput)
        cursors.emplace_back(s);
    for (const auto &s : data.errorRate)
        cursors.emplace_back(s);
    cursors.emplace_back(data.scoreSeries);
    for (double x : xs) {
        csv.value(time(qint64(x)));
        for (SeriesCursor &c : cursors)
            csv.value(number(c.at(x)));
        csv.end();
    }
    return csv.take();
}

QByteArray ReportCsv::file(const ReportData &data, File file)
{
    switch (file) {
    case File::ApiRequests:
        return keyTable(Table::Api, data.api);
    case File::DatabaseOperations:
        return keyTable(Table::Database, data.database);
    case File::Processing:
        return keyTable(Table::Processing, data.processing);
    case File::Resources:
        return resources(data.gauges, data.caches);
    case File::Recommendations:
        return recommendations(data.recommendations);
    case File::TimeSeries:
        break;
    }
    return timeSeries(data);
}

bool ReportCsv::writeAll(
    const ReportData &data, const QString &dir, QStringList *written, QString *error, const ReportProgress &progress)
{
    if (!QDir().mkpath(dir)) {
        if (error)
            *error = QCoreApplication::translate("perfwatch::ReportCsv", "cannot create the folder %1").arg(dir);
        return false;
    }
    int done = 0;
    for (File f : kFiles) {
        if (progress && !progress(int(60 + 40 * done / int(kFiles.size())))) {
            if (error)
                *error = QCoreApplication::translate("perfwatch::ReportCsv", "cancelled");
            return false;
        }
        const QString path = QDir(dir).filePath(fileName(f));
        QSaveFile out(path);
        if (!out.open(QIODevice::WriteOnly) || out.write(file(data, f)) < 0 || !out.commit()) {
            if (error)
                *error = QCoreApplication::translate("perfwatch::ReportCsv", "cannot write %1: %2")
                             .arg(path, out.errorString());
            return false;
        }
        if (written)
            *written << path;
        ++done;
    }
    return true;
}

} // namespace perfwatch
