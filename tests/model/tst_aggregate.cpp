#include "aggregate.h"

#include <QTest>
#include <limits>

using namespace perfwatch;

namespace {

constexpr quint64 kAll = std::numeric_limits<quint64>::max();
constexpr quint64 kHalf = quint64(1) << 63;

IngestEvent cache(quint64 hits, quint64 misses)
{
    IngestEvent e;
    e.kind = MetricKind::Cache;
    e.items = hits;
    e.misses = misses;
    return e;
}

IngestEvent makeEvent(MetricKind kind, double value, quint64 items = 0)
{
    IngestEvent e;
    e.kind = kind;
    e.value = value;
    e.items = items;
    return e;
}

} // namespace

/// MetricStats never wraps a counter nor overflows a sum, whatever the decoders let through.
class TestAggregate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cacheLookupsSaturate()
    {
        // 2^63 + 2^63 wrapped to 0 lookups and a hit rate of 0 (NaN: "no lookups").
        MetricStats s;
        s.add(cache(kHalf, kHalf), 1);
        QCOMPARE(s.items, kHalf);
        QCOMPARE(s.misses, kHalf);
        QCOMPARE(s.lookups(), kAll);
        QCOMPARE(s.hitRate(), 0.5);

        MetricStats merged;
        merged.merge(s);
        merged.merge(s);
        QCOMPARE(merged.items, kAll);
        QCOMPARE(merged.misses, kAll);
        QCOMPARE(merged.lookups(), kAll);
        QCOMPARE(merged.hitRate(), 0.5);
        QCOMPARE(merged.count, quint64(2));
    }

    void itemsSaturate()
    {
        MetricStats s;
        s.add(makeEvent(MetricKind::Processing, 1000, kAll), 1);
        s.add(makeEvent(MetricKind::Processing, 1000, kAll), 2);
        QCOMPARE(s.items, kAll);
        QCOMPARE(s.itemsPerProcessingSecond(), double(kAll) / 2.0);
        MetricStats twice = s;
        twice.merge(s);
        QCOMPARE(twice.items, kAll);
    }

    void histogramCountsSaturate()
    {
        LatencySketch sketch;
        sketch.add(5, kHalf);
        IngestEvent e = makeEvent(MetricKind::Api, 1e6);
        e.histogram = &sketch;
        e.error = true;
        MetricStats s;
        s.add(e, 1);
        s.add(e, 2);
        QCOMPARE(s.count, kAll);
        QCOMPARE(s.errors, kAll);
        QCOMPARE(s.errorRate(), 1.0);
        QCOMPARE(s.sum, 2e6);
        MetricStats merged = s;
        merged.merge(s);
        QCOMPARE(merged.count, kAll);
        QCOMPARE(merged.errors, kAll);
    }

    void sumsStayFinite()
    {
        // The decoders keep values within valuebounds.h; the sums hold at +-DBL_MAX even so,
        // so an average is never infinite (written as null) or NaN.
        const double max = std::numeric_limits<double>::max();
        MetricStats s;
        s.add(makeEvent(MetricKind::Gauge, 1e308), 1);
        s.add(makeEvent(MetricKind::Gauge, 1e308), 2);
        QCOMPARE(s.sum, max);
        QCOMPARE(s.avg(), max / 2);
        MetricStats merged = s;
        merged.merge(s);
        QCOMPARE(merged.sum, max);
        QCOMPARE(merged.avg(), max / 4);

        MetricStats negative;
        negative.add(makeEvent(MetricKind::Gauge, -1e308), 1);
        negative.add(makeEvent(MetricKind::Gauge, -1e308), 2);
        QCOMPARE(negative.sum, -max);
        // Back from the bound: the held sum moves with what follows.
        negative.add(makeEvent(MetricKind::Gauge, 1e308), 3);
        QCOMPARE(negative.sum, -max + 1e308);
        QVERIFY(std::isfinite(negative.avg()));
    }
};

QTEST_GUILESS_MAIN(TestAggregate)
#include "tst_aggregate.moc"
