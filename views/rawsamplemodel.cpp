#include "rawsamplemodel.h"

#include "format.h"
#include "theme.h"

#include <QGuiApplication>

namespace perfwatch {

namespace {

bool sameSample(const RawSample &a, const RawSample &b)
{
    return a.timestampMs == b.timestampMs && a.value == b.value && a.status == b.status && a.error == b.error
        && a.items == b.items;
}

} // namespace

RawSampleModel::RawSampleModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void RawSampleModel::setSamples(const KeyRef &key, const std::vector<RawSample> &samples)
{
    if (!(key == m_key) || key.id != m_key.id) {
        beginResetModel();
        m_key = key;
        m_samples.assign(samples.rbegin(), samples.rend());
        endResetModel();
        return;
    }
    // samples is oldest..newest; find where our newest sample sits in it.
    std::size_t fresh = samples.size();
    if (!m_samples.empty()) {
        fresh = samples.size();
        for (std::size_t i = samples.size(); i-- > 0;) {
            if (sameSample(samples[i], m_samples.front())) {
                fresh = samples.size() - 1 - i;
                break;
            }
        }
        if (fresh == samples.size() && !samples.empty()) {
            // No overlap (more new samples than the ring holds): the data set is replaced.
            beginResetModel();
            m_samples.assign(samples.rbegin(), samples.rend());
            endResetModel();
            return;
        }
    }
    if (fresh > 0) {
        beginInsertRows({}, 0, int(fresh) - 1);
        m_samples.insert(m_samples.begin(), samples.rbegin(), samples.rbegin() + std::ptrdiff_t(fresh));
        endInsertRows();
    }
    if (m_samples.size() > samples.size()) {
        beginRemoveRows({}, int(samples.size()), int(m_samples.size()) - 1);
        m_samples.resize(samples.size());
        endRemoveRows();
    }
}

int RawSampleModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_samples.size());
}

int RawSampleModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RawSampleModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RawSample &s = m_samples[std::size_t(index.row())];
    const auto column = Column(index.column());
    const MetricKind kind = m_key.kind;
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case Time:
            return Format::timeOfDay(s.timestampMs);
        case Value:
            if (kind == MetricKind::Gauge)
                return Format::gauge(m_key.name, s.value);
            if (kind == MetricKind::Cache)
                return tr("%1 hits").arg(Format::count(s.items));
            return Format::duration(s.value);
        case Status:
            if (kind == MetricKind::Api)
                return s.status ? QString::number(s.status) : Format::none();
            if (kind == MetricKind::Db || kind == MetricKind::Processing)
                return s.error ? tr("failed") : tr("ok");
            return Format::none();
        case Items:
            return kind == MetricKind::Processing || kind == MetricKind::Db ? Format::count(s.items) : Format::none();
        case ColumnCount:
            break;
        }
        return {};
    case SortRole:
        switch (column) {
        case Time:
            return s.timestampMs;
        case Value:
            return s.value;
        case Status:
            return int(s.status) + (s.error ? 1000 : 0);
        case Items:
            return QVariant::fromValue<qulonglong>(s.items);
        case ColumnCount:
            break;
        }
        return {};
    case Qt::ForegroundRole:
        if (column == Status && s.error)
            return Theme::severityColor(Theme::Severity::Critical, QGuiApplication::palette());
        return {};
    case Qt::TextAlignmentRole:
        return column == Time ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                              : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    default:
        return {};
    }
}

QVariant RawSampleModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::TextAlignmentRole)
        return section == Time ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                               : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Time:
        return tr("Time");
    case Value:
        return m_key.kind == MetricKind::Gauge ? tr("Value")
            : m_key.kind == MetricKind::Cache  ? tr("Hits")
                                               : tr("Duration");
    case Status:
        return tr("Status");
    case Items:
        return m_key.kind == MetricKind::Db ? tr("Documents") : tr("Items");
    case ColumnCount:
        break;
    }
    return {};
}

} // namespace perfwatch
