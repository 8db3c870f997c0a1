#include "rawsamplemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace perfwatch;

namespace {

std::vector<RawSample> samples(int from, int to)
{
    std::vector<RawSample> out;
    for (int i = from; i < to; ++i)
        out.push_back(RawSample { 1000LL * i, double(i), 200, false, 0 });
    return out;
}

KeyRef key(const char *name)
{
    return KeyRef { MetricKind::Api, QStringLiteral("svc"), QString::fromLatin1(name), 1 };
}

} // namespace

class TestRawSampleModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void newSamplesGoOnTopOldOnesFallOff()
    {
        RawSampleModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);

        model.setSamples(key("GET:/a"), samples(0, 5)); // a new key: the data set is replaced
        QCOMPARE(reset.count(), 1);
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.sampleAt(0).value, 4.0); // newest first

        // The store's ring (5 kept) moved on by two samples.
        model.setSamples(key("GET:/a"), samples(2, 7));
        QCOMPARE(reset.count(), 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 0);
        QCOMPARE(inserted.at(0).at(2).toInt(), 1);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.at(0).at(1).toInt(), 5);
        QCOMPARE(removed.at(0).at(2).toInt(), 6);
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.sampleAt(0).value, 6.0);
        QCOMPARE(model.sampleAt(4).value, 2.0);

        // Nothing new: nothing emitted.
        model.setSamples(key("GET:/a"), samples(2, 7));
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(removed.count(), 1);

        model.setSamples(key("GET:/b"), samples(0, 2));
        QCOMPARE(reset.count(), 2);
        QCOMPARE(model.rowCount(), 2);
    }
};

QTEST_MAIN(TestRawSampleModel)
#include "tst_rawsamplemodel.moc"
