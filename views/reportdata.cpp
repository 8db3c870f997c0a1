#include "reportdata.h"

namespace perfwatch {

const std::vector<KeyRow> &ReportData::rowsOf(KeyStatsModel::Table table) const
{
    switch (table) {
    case KeyStatsModel::Table::Api:
        return api;
    case KeyStatsModel::Table::Database:
        return database;
    case KeyStatsModel::Table::Processing:
        return processing;
    case KeyStatsModel::Table::Gauges:
        return gauges;
    case KeyStatsModel::Table::Caches:
        break;
    }
    return caches;
}

bool ReportData::isEmpty() const
{
    return api.empty() && database.empty() && processing.empty() && gauges.empty() && caches.empty()
        && scoreSeries.isEmpty() && scoreSource == ReportScoreSource::None;
}

} // namespace perfwatch
