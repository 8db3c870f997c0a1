#include "latencysketch.h"

#include <QRandomGenerator>
#include <QTest>
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

using namespace perfwatch;

namespace {

double exactQuantile(std::vector<double> sorted, double q)
{
    std::sort(sorted.begin(), sorted.end());
    return sorted[std::size_t(std::floor(q * double(sorted.size() - 1)))];
}

std::vector<double> generate(const QString &shape, int n)
{
    std::mt19937_64 rng(42);
    std::vector<double> values;
    values.reserve(std::size_t(n));
    if (shape == u"uniform") {
        std::uniform_real_distribution<double> d(1.0, 2000.0);
        for (int i = 0; i < n; ++i)
            values.push_back(d(rng));
    } else if (shape == u"lognormal") {
        std::lognormal_distribution<double> d(std::log(50.0), 1.0);
        for (int i = 0; i < n; ++i)
            values.push_back(d(rng));
    } else if (shape == u"bimodal") {
        // A fast cache path around 3 ms and a slow database path around 400 ms.
        std::normal_distribution<double> fast(3.0, 0.5);
        std::normal_distribution<double> slow(400.0, 60.0);
        std::bernoulli_distribution pickSlow(0.2);
        for (int i = 0; i < n; ++i)
            values.push_back(std::max(0.01, pickSlow(rng) ? slow(rng) : fast(rng)));
    } else if (shape == u"wide") {
        // Nine decades, microseconds to tens of minutes.
        std::uniform_real_distribution<double> exponent(-3.0, 6.0);
        for (int i = 0; i < n; ++i)
            values.push_back(std::pow(10.0, exponent(rng)));
    }
    return values;
}

} // namespace

class TestLatencySketch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void accuracy_data()
    {
        QTest::addColumn<QString>("shape");
        QTest::addColumn<double>("q");
        for (const char16_t *name : { u"uniform", u"lognormal", u"bimodal", u"wide" }) {
            const QString shape = QString::fromUtf16(name);
            for (double q : { 0.5, 0.95, 0.99, 0.999 })
                QTest::newRow(qPrintable(shape + QStringLiteral(" p") + QString::number(q * 100))) << shape << q;
        }
    }

    void accuracy()
    {
        QFETCH(QString, shape);
        QFETCH(double, q);
        const std::vector<double> values = generate(shape, 200'000);
        LatencySketch sketch;
        for (double v : values)
            sketch.add(v);
        const double exact = exactQuantile(values, q);
        const double estimate = sketch.quantile(q);
        QVERIFY2(std::abs(estimate - exact) <= 0.01 * exact,
            qPrintable(QStringLiteral("exact %1 estimate %2").arg(exact).arg(estimate)));
        QCOMPARE(sketch.count(), quint64(values.size()));
    }

    void exactEnds()
    {
        LatencySketch sketch;
        for (double v : { 12.5, 3.25, 999.0, 40.0 })
            sketch.add(v);
        QCOMPARE(sketch.quantile(0.0), 3.25);
        QCOMPARE(sketch.quantile(1.0), 999.0);
        QCOMPARE(sketch.min(), 3.25);
        QCOMPARE(sketch.max(), 999.0);
    }

    void emptyAndZero()
    {
        LatencySketch sketch;
        QVERIFY(sketch.isEmpty());
        QVERIFY(std::isnan(sketch.quantile(0.5)));
        sketch.add(0.0, 3);
        sketch.add(10.0);
        QCOMPARE(sketch.count(), quint64(4));
        QCOMPARE(sketch.quantile(0.5), 0.0);
        QVERIFY(std::abs(sketch.quantile(1.0) - 10.0) < 1e-9);
        QCOMPARE(sketch.countAtOrBelow(0.0), quint64(3));
    }

    void scoreExample()
    {
        // The worked example of docs/DESIGN.md §11: 90 requests at 100 ms and 10 at 1100 ms.
        LatencySketch sketch;
        sketch.add(100.0, 90);
        sketch.add(1100.0, 10);
        QVERIFY(std::abs(sketch.quantile(0.95) - 1100.0) <= 11.0);
        QVERIFY(std::abs(sketch.quantile(0.5) - 100.0) <= 1.0);
        QCOMPARE(sketch.countAtOrBelow(500.0), quint64(90));
    }

    void mergeEqualsCombined_data()
    {
        QTest::addColumn<bool>("compactLeft");
        QTest::addColumn<bool>("compactRight");
        QTest::newRow("dense+dense") << false << false;
        QTest::newRow("dense+compact") << false << true;
        QTest::newRow("compact+dense") << true << false;
        QTest::newRow("compact+compact") << true << true;
    }

    void mergeEqualsCombined()
    {
        QFETCH(bool, compactLeft);
        QFETCH(bool, compactRight);
        const std::vector<double> a = generate(QStringLiteral("lognormal"), 5000);
        const std::vector<double> b = generate(QStringLiteral("bimodal"), 5000);
        LatencySketch left, right, combined;
        for (double v : a) {
            left.add(v);
            combined.add(v);
        }
        for (double v : b) {
            right.add(v);
            combined.add(v);
        }
        if (compactLeft)
            left.compact();
        if (compactRight)
            right.compact();
        left.merge(right);
        QVERIFY(left == combined);
        for (double q : { 0.01, 0.5, 0.9, 0.99 })
            QCOMPARE(left.quantile(q), combined.quantile(q));
    }

    void compactKeepsEverything()
    {
        LatencySketch sketch;
        for (double v : generate(QStringLiteral("wide"), 10000))
            sketch.add(v);
        const LatencySketch dense = sketch;
        const std::size_t denseBytes = sketch.memoryUsage();
        sketch.compact();
        QVERIFY(sketch.isCompact());
        QVERIFY(sketch == dense);
        QVERIFY(sketch.memoryUsage() < denseBytes);
        QCOMPARE(sketch.quantile(0.9), dense.quantile(0.9));
        sketch.add(5.0); // adding unpacks
        QCOMPARE(sketch.count(), dense.count() + 1);
    }

    void copiesOfACompactSketchStayIndependent()
    {
        // Copies of a compact sketch share its bytes; changing one must never show in another.
        LatencySketch original;
        for (double v : generate(QStringLiteral("bimodal"), 5000))
            original.add(v);
        original.compact();
        const LatencySketch reference = original;
        LatencySketch added = original;
        LatencySketch merged = original;
        LatencySketch cleared = original;
        added.add(5000.0, 100); // unpacks
        merged.merge(reference);
        cleared.clear();
        QCOMPARE(added.count(), reference.count() + 100);
        QCOMPARE(merged.count(), 2 * reference.count());
        QVERIFY(cleared.isEmpty());
        QVERIFY(original.isCompact());
        QVERIFY(original == reference);
        QCOMPARE(original.count(), quint64(5000));
        for (double q : { 0.01, 0.5, 0.99 })
            QCOMPARE(original.quantile(q), reference.quantile(q));
        QCOMPARE(original.encode(), reference.encode());
    }

    void encodeRoundTrip()
    {
        LatencySketch sketch;
        for (double v : generate(QStringLiteral("bimodal"), 20000))
            sketch.add(v);
        sketch.add(0.0, 7);
        const QByteArray bytes = sketch.encode();
        const auto decoded = LatencySketch::decode(bytes);
        QVERIFY(decoded.has_value());
        QVERIFY(*decoded == sketch);
        QCOMPARE(decoded->quantile(0.99), sketch.quantile(0.99));

        LatencySketch empty;
        const auto decodedEmpty = LatencySketch::decode(empty.encode());
        QVERIFY(decodedEmpty.has_value());
        QVERIFY(decodedEmpty->isEmpty());
    }

    void decodeRejectsGarbage()
    {
        LatencySketch sketch;
        sketch.add(12.0, 5);
        sketch.add(90.0, 2);
        const QByteArray good = sketch.encode();
        // Every truncation and every single-byte corruption must be refused or decode to a
        // consistent sketch; none may crash.
        for (qsizetype n = 0; n < good.size(); ++n)
            QVERIFY(!LatencySketch::decode(good.left(n)).has_value());
        for (qsizetype i = 0; i < good.size(); ++i) {
            for (int bit = 0; bit < 8; ++bit) {
                QByteArray bad = good;
                bad[i] = char(bad[i] ^ (1 << bit));
                if (const auto d = LatencySketch::decode(bad))
                    QVERIFY(d->quantile(0.5) >= d->min() && d->quantile(0.5) <= d->max());
            }
        }
        QRandomGenerator rng(7);
        for (int i = 0; i < 2000; ++i) {
            QByteArray noise(int(rng.bounded(64)), Qt::Uninitialized);
            for (char &c : noise)
                c = char(rng.bounded(256));
            if (const auto d = LatencySketch::decode(noise))
                QVERIFY(d->count() >= d->countAtOrBelow(0.0));
        }
    }

    void onePassQueriesMatchSingleOnes_data()
    {
        QTest::addColumn<QString>("shape");
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("zeros");
        QTest::addColumn<bool>("compact");
        QTest::newRow("empty") << QStringLiteral("uniform") << 0 << 0 << false;
        QTest::newRow("one value") << QStringLiteral("uniform") << 1 << 0 << false;
        QTest::newRow("zeros only") << QStringLiteral("uniform") << 0 << 5 << false;
        QTest::newRow("lognormal") << QStringLiteral("lognormal") << 5000 << 0 << false;
        QTest::newRow("lognormal, compact") << QStringLiteral("lognormal") << 5000 << 0 << true;
        QTest::newRow("bimodal with zeros") << QStringLiteral("bimodal") << 999 << 40 << false;
        QTest::newRow("wide, compact, zeros") << QStringLiteral("wide") << 20000 << 3 << true;
    }

    void onePassQueriesMatchSingleOnes()
    {
        QFETCH(QString, shape);
        QFETCH(int, n);
        QFETCH(int, zeros);
        QFETCH(bool, compact);
        LatencySketch sketch;
        for (double v : generate(shape, n))
            sketch.add(v);
        for (int i = 0; i < zeros; ++i)
            sketch.add(0.0);
        if (compact)
            sketch.compact();

        const std::vector<double> qs { -1, 0, 0.001, 0.01, 0.25, 0.5, 0.5, 0.9, 0.95, 0.99, 0.999, 1, 2 };
        std::vector<double> out(qs.size());
        sketch.quantiles(qs, out);
        for (std::size_t i = 0; i < qs.size(); ++i) {
            const double single = sketch.quantile(qs[i]);
            QVERIFY2(single == out[i] || (std::isnan(single) && std::isnan(out[i])),
                qPrintable(QStringLiteral("q %1: %2 != %3").arg(qs[i]).arg(out[i]).arg(single)));
        }
        const double thresholds[] = { -5, 0, 1e-5, 1, 3, 50, 500, 2000, 1e6, 1e12 };
        for (double low : thresholds) {
            for (double high : thresholds) {
                if (high < low)
                    continue;
                const auto [a, b] = sketch.countsAtOrBelow(low, high);
                QCOMPARE(a, sketch.countAtOrBelow(low));
                QCOMPARE(b, sketch.countAtOrBelow(high));
            }
        }
    }

    void clampsExtremes()
    {
        LatencySketch sketch;
        sketch.add(1e-9);
        sketch.add(1e15);
        QCOMPARE(sketch.count(), quint64(2));
        QCOMPARE(sketch.quantile(1.0), 1e15);
        // Memory stays bounded however far apart the values are.
        QVERIFY(sketch.memoryUsage() < 64 * 1024);
    }

    void countsSaturateInsteadOfWrapping()
    {
        // Two histograms of 2^63 requests each wrapped the count to 0 (and quantiles to NaN).
        const quint64 half = quint64(1) << 63;
        const quint64 all = std::numeric_limits<quint64>::max();
        LatencySketch a;
        a.add(250, half);
        a.add(250, half);
        QCOMPARE(a.count(), all);
        QCOMPARE(a.quantile(0.5), 250.0);

        LatencySketch b;
        b.add(250, half);
        LatencySketch dense = b;
        dense.merge(b);
        QCOMPARE(dense.count(), all);
        QCOMPARE(dense.quantile(0.99), 250.0);

        LatencySketch packed = b;
        packed.compact();
        LatencySketch fromPacked = b;
        fromPacked.merge(packed);
        QCOMPARE(fromPacked.count(), all);
        QCOMPARE(fromPacked.quantile(0.5), 250.0);

        LatencySketch zeros;
        zeros.add(0, half);
        const LatencySketch moreZeros = zeros;
        zeros.merge(moreZeros);
        zeros.add(0, half);
        QCOMPARE(zeros.count(), all);
        QCOMPARE(zeros.quantile(0.5), 0.0);
    }
};

QTEST_GUILESS_MAIN(TestLatencySketch)
#include "tst_latencysketch.moc"
