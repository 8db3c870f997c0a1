#include "keystatsmodel.h"

#include "displaytext.h"
#include "format.h"

#include <QGuiApplication>
#include <QThread>
#include <cmath>

namespace perfwatch {

namespace {

QVariant number(double v)
{
    return std::isfinite(v) ? QVariant(v) : QVariant();
}

/// The changed-values roles: everything a row's figures drive.
const QList<int> kValueRoles { Qt::DisplayRole, KeyStatsModel::SortRole, Qt::BackgroundRole, Qt::ToolTipRole,
    KeyStatsModel::IdleRole, KeyStatsModel::SeverityRole };

/// "≈ 12.3 ms" for a percentile interpolated inside histogram buckets.
QString approximately(const KeyRow &row, const QString &text)
{
    return row.approximate && text != Format::none() ? QStringLiteral("≈ ") + text : text;
}

} // namespace

KeyStatsModel::KeyStatsModel(Table table, QObject *parent)
    : QAbstractTableModel(parent)
    , m_table(table)
    , m_columns(columnsFor(table))
{ }

MetricKind KeyStatsModel::kind() const
{
    switch (m_table) {
    case Table::Api:
        return MetricKind::Api;
    case Table::Database:
        return MetricKind::Db;
    case Table::Processing:
        return MetricKind::Processing;
    case Table::Gauges:
        return MetricKind::Gauge;
    case Table::Caches:
        break;
    }
    return MetricKind::Cache;
}

std::vector<KeyStatsModel::Column> KeyStatsModel::columnsFor(Table table)
{
    switch (table) {
    case Table::Api:
        return { Name, Service, Count, Rate, Avg, P50, P95, P99, Max, Errors, ErrorPercent, Apdex };
    case Table::Database:
        return { Name, Service, Count, Rate, Avg, P50, P95, P99, Max, Errors, ErrorPercent, ItemsPerSec };
    case Table::Processing:
        return { Name, Service, Count, Rate, Avg, P50, P95, P99, Max, Items, ItemsPerSec, Errors };
    case Table::Gauges:
        return { Name, Service, Last, Min, Avg, Max, Count };
    case Table::Caches:
        break;
    }
    return { Name, Service, HitRate, Hits, Misses, Rate };
}

int KeyStatsModel::sectionOf(Column column) const
{
    for (std::size_t i = 0; i < m_columns.size(); ++i) {
        if (m_columns[i] == column)
            return int(i);
    }
    return -1;
}

int KeyStatsModel::rowOf(const KeyRef &key) const
{
    return m_index.value(key, -1);
}

int KeyStatsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int KeyStatsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_columns.size());
}

void KeyStatsModel::setRows(const std::vector<KeyRow> &rows, const AnalyzerConfig &thresholds)
{
    Q_ASSERT(QThread::currentThread() == thread()); // models change on the GUI thread only
    const int oldCount = int(m_rows.size());
    const bool thresholdsChanged = thresholds.slowApiMs != m_thresholds.slowApiMs
        || thresholds.slowDbMs != m_thresholds.slowDbMs || thresholds.minThroughput != m_thresholds.minThroughput
        || thresholds.errorRateThreshold != m_thresholds.errorRateThreshold
        || thresholds.cacheMinHitRate != m_thresholds.cacheMinHitRate
        || thresholds.processingSlowMs != m_thresholds.processingSlowMs;
    m_thresholds = thresholds;

    std::vector<char> seen(m_rows.size(), 0);
    std::vector<int> changed;
    std::vector<const KeyRow *> added;
    for (const KeyRow &row : rows) {
        const auto it = m_index.constFind(row.key);
        if (it == m_index.constEnd()) {
            added.push_back(&row);
            continue;
        }
        KeyRow &existing = m_rows[std::size_t(*it)];
        seen[std::size_t(*it)] = 1;
        if (!existing.sameValues(row) || existing.key.id != row.key.id) {
            existing = row;
            changed.push_back(*it);
        }
    }
    // Keys without data in this range stay, idle.
    for (int i = 0; i < oldCount; ++i) {
        if (seen[std::size_t(i)] || m_rows[std::size_t(i)].count == 0)
            continue;
        KeyRow idle;
        idle.key = m_rows[std::size_t(i)].key;
        m_rows[std::size_t(i)] = idle;
        changed.push_back(i);
    }
    std::sort(changed.begin(), changed.end());
    if (thresholdsChanged && oldCount > 0)
        changed.clear();
    emitChanged(changed, oldCount, thresholdsChanged && oldCount > 0);

    if (!added.empty()) {
        beginInsertRows({}, oldCount, oldCount + int(added.size()) - 1);
        m_rows.reserve(m_rows.size() + added.size());
        for (const KeyRow *row : added) {
            m_index.insert(row->key, int(m_rows.size()));
            m_rows.push_back(*row);
        }
        endInsertRows();
    }
}

void KeyStatsModel::emitChanged(const std::vector<int> &rows, int oldCount, bool allRows)
{
    if (oldCount == 0)
        return;
    const int lastColumn = int(m_columns.size()) - 1;
    if (allRows || int(rows.size()) * 2 >= oldCount) {
        // Most rows moved: one signal is cheaper for views and proxies than many.
        Q_EMIT dataChanged(index(0, 0), index(oldCount - 1, lastColumn), kValueRoles);
        return;
    }
    std::size_t i = 0;
    while (i < rows.size()) {
        std::size_t j = i;
        while (j + 1 < rows.size() && rows[j + 1] == rows[j] + 1)
            ++j;
        Q_EMIT dataChanged(index(rows[i], 0), index(rows[j], lastColumn), kValueRoles);
        i = j + 1;
    }
}

Theme::Severity KeyStatsModel::severity(const KeyRow &row, Column column) const
{
    return severityOf(row, column, m_thresholds);
}

Theme::Severity KeyStatsModel::severityOf(const KeyRow &row, Column column, const AnalyzerConfig &t)
{
    using S = Theme::Severity;
    if (row.count == 0 || !meaningful(row, column))
        return S::None;
    switch (row.key.kind) {
    case MetricKind::Api:
        switch (column) {
        case Avg:
        case P95:
            return row.count >= 1 && (column == Avg ? row.avg : row.p95) > t.slowApiMs ? S::Critical : S::None;
        case P99:
            return row.p99 > t.slowApiMs ? S::Warning : S::None;
        case ErrorPercent:
        case Errors:
            return row.errorRate > t.errorRateThreshold ? S::Critical : S::None;
        case Apdex:
            if (!std::isfinite(row.apdex))
                return S::None;
            return row.apdex < 0.70 ? S::Critical : row.apdex < 0.85 ? S::Warning : S::None;
        default:
            return S::None;
        }
    case MetricKind::Db:
        switch (column) {
        case Avg:
            return row.avg > t.slowDbMs ? S::Critical : S::None;
        case P95:
        case P99:
            return (column == P95 ? row.p95 : row.p99) > t.slowDbMs ? S::Warning : S::None;
        case ErrorPercent:
        case Errors:
            return row.errorRate > t.errorRateThreshold ? S::Critical : S::None;
        default:
            return S::None;
        }
    case MetricKind::Processing:
        switch (column) {
        case Avg:
            return row.avg > t.processingSlowMs ? S::Critical : S::None;
        case P95:
        case P99:
            return (column == P95 ? row.p95 : row.p99) > t.processingSlowMs ? S::Warning : S::None;
        case ItemsPerSec:
            return row.itemsPerSec < t.minThroughput ? S::Warning : S::None;
        case Errors:
            return row.errors > 0 ? S::Warning : S::None;
        default:
            return S::None;
        }
    case MetricKind::Cache:
        if (column == HitRate && row.hits + row.misses >= t.cacheMinLookups)
            return row.hitRate < t.cacheMinHitRate ? S::Critical : S::None;
        return S::None;
    case MetricKind::Gauge:
        break;
    }
    return S::None;
}

Qt::ItemFlags KeyStatsModel::flags(const QModelIndex &index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && std::size_t(index.row()) < m_rows.size() && m_rows[std::size_t(index.row())].key.isOverflow())
        f &= ~Qt::ItemIsSelectable;
    return f;
}

bool KeyStatsModel::meaningful(const KeyRow &row, Column column)
{
    if (!row.key.isOverflow())
        return true;
    switch (column) {
    case Service:
    case Name:
    case Count:
    case Rate:
    case Errors:
    case ErrorPercent:
    case Items:
    case Hits:
    case Misses:
        return true;
    default:
        return false; // durations and values of many names mixed together
    }
}

QString KeyStatsModel::cellText(const KeyRow &row, Column column)
{
    const bool idle = row.count == 0;
    if (!meaningful(row, column))
        return Format::none();
    switch (column) {
    case Service:
        return DisplayText::isolate(row.key.service);
    case Name:
        return DisplayText::keyName(row.key.name);
    case Count:
        return Format::count(row.count);
    case Rate:
        return idle ? Format::none() : Format::rate(row.ratePerSec);
    case Avg:
        return row.key.kind == MetricKind::Gauge ? Format::gauge(row.key.name, row.avg) : Format::duration(row.avg);
    case P50:
        return approximately(row, Format::duration(row.p50));
    case P95:
        return approximately(row, Format::duration(row.p95));
    case P99:
        return approximately(row, Format::duration(row.p99));
    case Min:
        return row.key.kind == MetricKind::Gauge ? Format::gauge(row.key.name, row.min) : Format::duration(row.min);
    case Max:
        return row.key.kind == MetricKind::Gauge ? Format::gauge(row.key.name, row.max) : Format::duration(row.max);
    case Errors:
        return idle ? Format::none() : Format::count(row.errors);
    case ErrorPercent:
        return Format::percent(row.errorRate, row.errorRate > 0 && row.errorRate < 0.001 ? 2 : 1);
    case Apdex:
        return Format::apdex(row.apdex);
    case Items:
        return idle ? Format::none() : Format::compactCount(double(row.items));
    case ItemsPerSec:
        return Format::rate(row.itemsPerSec);
    case Hits:
        return idle ? Format::none() : Format::count(row.hits);
    case Misses:
        return idle ? Format::none() : Format::count(row.misses);
    case HitRate:
        return Format::percent(row.hitRate);
    case Last:
        return Format::gauge(row.key.name, row.last);
    case ColumnCount:
        break;
    }
    return {};
}

QVariant KeyStatsModel::sortValue(const KeyRow &row, Column column) const
{
    switch (column) {
    case Service:
        return row.key.service.toLower();
    case Name:
        return row.key.name.toLower();
    case Count:
        return QVariant::fromValue<qulonglong>(row.count);
    case Rate:
        return row.count ? QVariant(row.ratePerSec) : QVariant();
    case Avg:
        return number(row.avg);
    case P50:
        return number(row.p50);
    case P95:
        return number(row.p95);
    case P99:
        return number(row.p99);
    case Min:
        return number(row.min);
    case Max:
        return number(row.max);
    case Errors:
        return row.count ? QVariant::fromValue<qulonglong>(row.errors) : QVariant();
    case ErrorPercent:
        return number(row.errorRate);
    case Apdex:
        return number(row.apdex);
    case Items:
        return row.count ? QVariant::fromValue<qulonglong>(row.items) : QVariant();
    case ItemsPerSec:
        return number(row.itemsPerSec);
    case Hits:
        return row.count ? QVariant::fromValue<qulonglong>(row.hits) : QVariant();
    case Misses:
        return row.count ? QVariant::fromValue<qulonglong>(row.misses) : QVariant();
    case HitRate:
        return number(row.hitRate);
    case Last:
        return number(row.last);
    case ColumnCount:
        break;
    }
    return {};
}

QString KeyStatsModel::toolTip(const KeyRow &row, Column column) const
{
    if ((column == Name || column == Service) && row.key.isOverflow())
        return tr("Events of names beyond the key limit of service %1: only their counts are kept. "
                  "The recommendations say which names took the keys.")
            .arg(DisplayText::isolate(row.key.service));
    if (column == Name || column == Service)
        return tr("%1 (service %2)").arg(DisplayText::isolate(row.key.name), DisplayText::isolate(row.key.service));
    const bool percentile = column == P50 || column == P95 || column == P99;
    const QString approximate = percentile && row.approximate
        ? tr("≈: interpolated inside the histogram buckets the service sent (OpenTelemetry metrics); the count, "
             "average, minimum and maximum are exact")
        : QString();
    if (severity(row, column) == Theme::Severity::None)
        return approximate;
    const AnalyzerConfig &t = m_thresholds;
    switch (column) {
    case Avg:
    case P95:
    case P99: {
        const double limit = row.key.kind == MetricKind::Api ? t.slowApiMs
            : row.key.kind == MetricKind::Db                 ? t.slowDbMs
                                                             : t.processingSlowMs;
        const QString above = tr("Above the %1 threshold").arg(Format::duration(limit));
        return approximate.isEmpty() ? above : above + u'\n' + approximate;
    }
    case Errors:
    case ErrorPercent:
        return row.key.kind == MetricKind::Processing
            ? tr("%n failed run(s)", nullptr, int(row.errors))
            : tr("Error rate above %1").arg(Format::percent(t.errorRateThreshold));
    case Apdex:
        return tr("Apdex below 0.85: users notice the latency (T = %1)").arg(Format::duration(t.slowApiMs));
    case ItemsPerSec:
        return tr("Throughput below the %1 minimum").arg(Format::rate(t.minThroughput));
    case HitRate:
        return tr("Hit rate below %1").arg(Format::percent(t.cacheMinHitRate, 0));
    default:
        return {};
    }
}

QVariant KeyStatsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const KeyRow &row = m_rows[std::size_t(index.row())];
    const Column column = m_columns[std::size_t(index.column())];
    switch (role) {
    case Qt::DisplayRole:
        return cellText(row, column);
    case SortRole:
        return sortValue(row, column);
    case Qt::ToolTipRole: {
        const QString tip = toolTip(row, column);
        return tip.isEmpty() ? QVariant() : QVariant(tip);
    }
    case Qt::BackgroundRole: {
        const Theme::Severity s = severity(row, column);
        return s == Theme::Severity::None ? QVariant() : QVariant(Theme::cellTint(s, QGuiApplication::palette()));
    }
    case Qt::TextAlignmentRole:
        return column == Name || column == Service ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                                   : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case ServiceRole:
        return row.key.service;
    case IdleRole:
        return row.count == 0;
    case SeverityRole:
        return int(severity(row, column));
    default:
        return {};
    }
}

QVariant KeyStatsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= int(m_columns.size()))
        return {};
    const Column column = m_columns[std::size_t(section)];
    if (role == Qt::TextAlignmentRole)
        return column == Name || column == Service ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                                   : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    return columnTitle(m_table, column, role == Qt::ToolTipRole);
}

QString KeyStatsModel::columnTitle(Table table, Column column, bool tip)
{
    switch (column) {
    case Service:
        return tr("Service");
    case Name:
        switch (table) {
        case Table::Api:
            return tr("Endpoint");
        case Table::Database:
            return tr("Operation");
        case Table::Processing:
            return tr("Step");
        case Table::Gauges:
            return tr("Gauge");
        case Table::Caches:
            return tr("Cache");
        }
        break;
    case Count:
        switch (table) {
        case Table::Api:
            return tip ? tr("Requests in the selected range") : tr("Requests");
        case Table::Database:
            return tip ? tr("Operations in the selected range") : tr("Operations");
        case Table::Processing:
            return tip ? tr("Runs in the selected range") : tr("Runs");
        case Table::Gauges:
        case Table::Caches:
            return tip ? tr("Reports in the selected range") : tr("Samples");
        }
        break;
    case Rate:
        return table == Table::Caches ? (tip ? tr("Lookups per second") : tr("Lookups/s"))
                                      : (tip ? tr("Per second over the selected range") : tr("Rate"));
    case Avg:
        return tip ? tr("Average") : tr("Avg");
    case P50:
        return tip ? tr("Median (50th percentile)") : tr("p50");
    case P95:
        return tip ? tr("95th percentile") : tr("p95");
    case P99:
        return tip ? tr("99th percentile") : tr("p99");
    case Min:
        return tip ? tr("Minimum") : tr("Min");
    case Max:
        return tip ? tr("Maximum") : tr("Max");
    case Errors:
        return table == Table::Api ? (tip ? tr("Responses with status 500 or above") : tr("Errors"))
                                   : (tip ? tr("Failed operations") : tr("Errors"));
    case ErrorPercent:
        return tip ? tr("Share of requests that failed") : tr("Error %");
    case Apdex:
        return tip ? tr("Apdex: (satisfied + tolerating / 2) / total, with T = the slow-API threshold") : tr("Apdex");
    case Items:
        return tip ? tr("Items processed") : tr("Items");
    case ItemsPerSec:
        return table == Table::Database ? (tip ? tr("Documents per second") : tr("Docs/s"))
                                        : (tip ? tr("Items processed per second") : tr("Items/s"));
    case Hits:
        return tr("Hits");
    case Misses:
        return tr("Misses");
    case HitRate:
        return tr("Hit rate");
    case Last:
        return tip ? tr("Most recent value") : tr("Last");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace perfwatch
