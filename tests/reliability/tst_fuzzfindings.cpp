// What the fuzz targets found, kept as ordinary tests so every build (gcc, the asan preset with
// UndefinedBehaviorSanitizer) replays it. The inputs are also in the seed corpora (fuzz/corpus).

#include "statsdtranslator.h"

#include <QTest>
#include <vector>

using namespace perfwatch;

class tst_FuzzFindings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hugeCacheCounterDoesNotOverflow_data();
    void hugeCacheCounterDoesNotOverflow();
};

void tst_FuzzFindings::hugeCacheCounterDoesNotOverflow_data()
{
    QTest::addColumn<QByteArray>("datagram");
    QTest::addColumn<quint64>("misses");
    // fuzz_statsd: converting 8.9e299 misses to an integer count was undefined behaviour.
    QTest::newRow("1e300") << QByteArray("trip_cache.misses:1e300|c") << quint64(1e15);
    QTest::newRow("sum to infinity") << QByteArray(
        "trip_cache.misses:1e308|c\ntrip_cache.misses:1e308|c\ntrip_cache.misses:1e308|c")
                                     << quint64(1e15);
    QTest::newRow("sampled") << QByteArray("trip_cache.misses:1e200|c|@0.001") << quint64(1e15);
    QTest::newRow("ordinary") << QByteArray("trip_cache.misses:7|c") << quint64(7);
}

void tst_FuzzFindings::hugeCacheCounterDoesNotOverflow()
{
    QFETCH(QByteArray, datagram);
    QFETCH(quint64, misses);
    StatsdTranslator translator;
    std::vector<IngestEvent> events;
    translator.translate(std::string_view(datagram.constData(), std::size_t(datagram.size())), events);
    translator.flush(1'700'000'000'000, events);
    QCOMPARE(events.size(), std::size_t(1));
    QCOMPARE(events[0].kind, MetricKind::Cache);
    QCOMPARE(events[0].misses, misses);
    // The excess is dropped, not carried into the next interval.
    events.clear();
    translator.flush(1'700'000'010'000, events);
    QCOMPARE(events.size(), std::size_t(0));
}

QTEST_GUILESS_MAIN(tst_FuzzFindings)
#include "tst_fuzzfindings.moc"
