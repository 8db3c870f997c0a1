#pragma once

#include "dashboardsnapshot.h"

#include <QAbstractTableModel>
#include <vector>

namespace perfwatch {

/// The recent raw samples of the selected key, newest first (the drill-down detail pane).
///
/// A new tick for the same key inserts the newer samples at the top and drops the oldest at the
/// bottom; only selecting another key replaces the data set (a reset).
class RawSampleModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RawSampleModel)
public:
    enum Column
    {
        Time,
        Value,
        Status,
        Items,
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role
    {
        SortRole = Qt::UserRole + 1,
    };

    explicit RawSampleModel(QObject *parent = nullptr);

    /// samples: newest last, as MetricStore::rawSamples() returns them.
    void setSamples(const KeyRef &key, const std::vector<RawSample> &samples);
    const KeyRef &key() const { return m_key; }
    const RawSample &sampleAt(int row) const { return m_samples[std::size_t(row)]; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    KeyRef m_key;
    std::vector<RawSample> m_samples; ///< newest first
};

} // namespace perfwatch
