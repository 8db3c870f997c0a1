#pragma once

#include <QObject>
#include <memory>

namespace perfwatch {

class MetricStore;

/// A built-in simulated service for `--demo`: an EveryStreet-like trip app whose traffic,
/// database work, processing steps, pool and cache gauges make several recommendations fire.
///
/// It writes straight into the store on a timer of the thread it lives on. start() first
/// back-fills the last `backfillMinutes` so charts and rules have data at once.
class DemoSimulator : public QObject
{
    Q_OBJECT
public:
    explicit DemoSimulator(MetricStore &store, QObject *parent = nullptr);
    ~DemoSimulator() override;

    void start(int backfillMinutes = 30);
    void stop();
    /// Generates the traffic of [fromMs, toMs) into the store (used by start() and tests).
    void generate(qint64 fromMs, qint64 toMs, qint64 nowMs);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace perfwatch
