#include "statsdtranslator.h"

#include <QTest>
#include <cmath>

using namespace perfwatch;
using namespace Qt::StringLiterals;

namespace {

QString text(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

/// "kind service/name value" of each event, for compact comparisons.
QStringList describe(const std::vector<IngestEvent> &events)
{
    QStringList out;
    for (const IngestEvent &e : events) {
        QString line = QString::fromLatin1(kindName(e.kind).data()) + u' ' + text(e.service) + u'/' + text(e.name)
            + u' ' + QString::number(e.value);
        if (e.kind == MetricKind::Api)
            line += u" status=" + QString::number(e.status) + (e.error ? u" error"_s : QString());
        if (e.kind == MetricKind::Db && e.error)
            line += u" error"_s;
        if (e.kind == MetricKind::Cache)
            line += u" hits=" + QString::number(e.items) + u" misses=" + QString::number(e.misses);
        out << line;
    }
    return out;
}

} // namespace

class tst_StatsdTranslator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void mapsTimers();
    void countsSampledTimersInFull();
    void keepsGaugesAndDeltas();
    void flushesCountersAsTotalAndRate();
    void flushesCacheCounters();
    void countsLineOutcomes();
    void refusesValuesBeyondTheBounds();
    void boundsRememberedNames();
};

void tst_StatsdTranslator::mapsTimers()
{
    StatsdTranslator t;
    std::vector<IngestEvent> out;
    const auto counts = t.translate("validate:12.5|ms|#service:etl\n"
                                    "http.request:40|ms|#service:api,method:get,route:/api/trips/42,status:503\n"
                                    "http.request:8|h|#method:POST,route:/api/trips\n"
                                    "db.query:3|d|#operation:find,collection:trips,error:true\n",
        out);
    QCOMPARE(counts.accepted, 4u);
    QCOMPARE(describe(out),
        QStringList({ u"processing etl/validate 12.5"_s, u"api api/GET:/api/trips/{id} 40 status=503 error"_s,
            u"api /POST:/api/trips 8 status=200"_s, u"db /find:trips 3 error"_s }));
    QCOMPARE(out[0].items, 1u);
}

void tst_StatsdTranslator::countsSampledTimersInFull()
{
    StatsdTranslator t;
    std::vector<IngestEvent> out;
    t.translate("step:10|ms|@0.25", out);
    QCOMPARE(out.size(), 4u); // one sample at rate 1/4 stands for four
    out.clear();
    t.translate("step:10|ms|@0.3", out);
    QCOMPARE(out.size(), 3u); // round(1 / 0.3)
    out.clear();
    t.translate("step:10|ms|@0.000001", out);
    QCOMPARE(out.size(), 1000u); // capped
}

void tst_StatsdTranslator::keepsGaugesAndDeltas()
{
    StatsdTranslator t;
    std::vector<IngestEvent> out;
    t.translate("db.pool.in_use:10|g\ndb.pool.in_use:+3|g\ndb.pool.in_use:-5|g|#env:x\n"
                "db.pool.in_use:2|g|#service:other\nqueue:-2|g\ndb.pool.in_use:7|g",
        out);
    QCOMPARE(describe(out),
        QStringList({ u"gauge /db.pool.in_use 10"_s, u"gauge /db.pool.in_use 13"_s, u"gauge /db.pool.in_use 8"_s,
            u"gauge other/db.pool.in_use 2"_s, u"gauge /queue -2"_s, u"gauge /db.pool.in_use 7"_s }));
}

void tst_StatsdTranslator::flushesCountersAsTotalAndRate()
{
    StatsdTranslator t;
    std::vector<IngestEvent> out;
    t.flush(10'000, out); // starts the first interval
    QVERIFY(out.empty());
    t.translate("orders:1|c|#service:shop\norders:2|c|#service:shop\norders:1|c|@0.5|#service:shop", out);
    QVERIFY(out.empty()); // counters wait for the flush
    t.flush(12'000, out);
    QCOMPARE(describe(out), QStringList({ u"gauge shop/orders 5"_s, u"gauge shop/orders.per_second 2.5"_s }));
    out.clear();
    t.flush(14'000, out); // quiet: one 0 rate
    QCOMPARE(describe(out), QStringList({ u"gauge shop/orders.per_second 0"_s }));
    out.clear();
    t.flush(16'000, out); // still quiet: nothing
    QVERIFY(out.empty());
    t.translate("orders:-1|c|#service:shop", out);
    t.flush(20'000, out);
    QCOMPARE(describe(out), QStringList({ u"gauge shop/orders 4"_s, u"gauge shop/orders.per_second -0.25"_s }));
}

void tst_StatsdTranslator::flushesCacheCounters()
{
    StatsdTranslator t;
    std::vector<IngestEvent> out;
    t.flush(1000, out);
    t.translate("trip_cache.hit:3|c\ntrip_cache.miss:1|c\ntrip_cache.hits:1|c|@0.5\nuser_cache.misses:1|c|@0.4", out);
    t.flush(2000, out);
    QCOMPARE(describe(out),
        QStringList({ u"cache /trip_cache 0 hits=5 misses=1"_s, u"cache /user_cache 0 hits=0 misses=2"_s }));
    out.clear();
    // 1 / 0.4 = 2.5: the half miss carries over to the next flush.
    t.translate("user_cache.misses:1|c|@0.4", out);
    t.flush(3000, out);
    QCOMPARE(describe(out), QStringList({ u"cache /user_cache 0 hits=0 misses=3"_s }));
}

void tst_StatsdTranslator::countsLineOutcomes()
{
    StatsdTranslator t;
    std::vector<IngestEvent> out;
    const auto counts = t.translate("ok:1|ms\n"
                                    "users:alice|s\n"
                                    "_sc|up|0\n"
                                    "bad\n"
                                    "req:1|ms|#method:GET,route:/a,status:abc\n"
                                    "req:1|ms|#method:G(T,route:/a\n"
                                    "hits.hit:-1|c\n"
                                    "\n",
        out);
    QCOMPARE(counts.lines, 7u);
    QCOMPARE(counts.accepted, 1u);
    QCOMPARE(counts.ignored, 2u);
    QCOMPARE(counts.malformed, 4u);
    QCOMPARE(out.size(), 1u);
}

void tst_StatsdTranslator::refusesValuesBeyondTheBounds()
{
    StatsdTranslator t;
    std::vector<IngestEvent> out;
    t.flush(10'000, out);
    // A counter of 1 at rate 1e-300 would add 1e300: malformed, and nothing is counted.
    StatsdTranslator::Counts counts = t.translate("x:1|c|@1e-300\ntrip_cache.hit:1|c|@1e-300", out);
    QCOMPARE(counts.lines, 2u);
    QCOMPARE(counts.malformed, 2u);
    QCOMPARE(counts.accepted, 0u);
    t.flush(12'000, out);
    QVERIFY(out.empty());

    // Gauge deltas: +1e308 is no gauge value; a delta that would carry the gauge past 1e300 is
    // refused and the gauge keeps its value; within the bounds deltas apply.
    counts = t.translate("g:1e300|g\ng:+1e308|g\ng:+1e300|g\ng:-1e300|g\ng:-1e300|g\ng:-1e290|g", out);
    QCOMPARE(counts.lines, 6u);
    QCOMPARE(counts.accepted, 3u);
    QCOMPARE(counts.malformed, 3u);
    QCOMPARE(describe(out), QStringList({ u"gauge /g 1e+300"_s, u"gauge /g 0"_s, u"gauge /g -1e+300"_s }));
    for (const IngestEvent &e : out)
        QVERIFY(std::isfinite(e.value));
    out.clear();

    // A timer of 1e308 ms would sum to infinity with a second one.
    counts = t.translate("job:1e308|ms\njob:1e12|ms", out);
    QCOMPARE(counts.malformed, 1u);
    QCOMPARE(counts.accepted, 1u);
    QCOMPARE(describe(out), QStringList({ u"processing /job 1e+12"_s }));
}

void tst_StatsdTranslator::boundsRememberedNames()
{
    StatsdTranslatorLimits limits;
    limits.maxCounters = 2;
    limits.maxGauges = 1;
    StatsdTranslator t(limits);
    std::vector<IngestEvent> out;
    t.flush(1000, out);
    const auto counts = t.translate("a:1|c\nb:1|c\nc:1|c\ng1:5|g\ng2:5|g\ng2:+1|g", out);
    QCOMPARE(counts.accepted, 5u);
    QCOMPARE(counts.ignored, 1u); // counter c: beyond the cap
    // g2 is not remembered, so its delta applies to nothing: the value is the delta.
    QCOMPARE(describe(out), QStringList({ u"gauge /g1 5"_s, u"gauge /g2 5"_s, u"gauge /g2 1"_s }));
    out.clear();
    t.flush(2000, out);
    QCOMPARE(out.size(), 4u); // a and b: total and rate
}

QTEST_GUILESS_MAIN(tst_StatsdTranslator)
#include "tst_statsdtranslator.moc"
