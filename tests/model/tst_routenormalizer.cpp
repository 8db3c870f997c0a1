#include "routenormalizer.h"

#include <QTest>

using namespace perfwatch;

class TestRouteNormalizer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void normalize_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("expected");
        QTest::newRow("template untouched") << "/api/trips/{id}"
                                            << "/api/trips/{id}";
        QTest::newRow("plain untouched") << "/api/trips"
                                         << "/api/trips";
        QTest::newRow("root") << "/"
                              << "/";
        QTest::newRow("number") << "/api/trips/42"
                                << "/api/trips/{id}";
        QTest::newRow("two numbers") << "/users/7/trips/1234"
                                     << "/users/{id}/trips/{id}";
        QTest::newRow("uuid") << "/api/trips/3f2b8c1e-9a4d-4b6e-8f0a-1c2d3e4f5a6b/points"
                              << "/api/trips/{id}/points";
        QTest::newRow("object id") << "/api/trips/65a1f0c2e4b0a1b2c3d4e5f6"
                                   << "/api/trips/{id}";
        QTest::newRow("hex word stays") << "/api/cafe/facade"
                                        << "/api/cafe/facade";
        QTest::newRow("short hex stays") << "/api/v2/abc1"
                                         << "/api/v2/abc1";
        QTest::newRow("query dropped") << "/api/trips?page=2"
                                       << "/api/trips";
        QTest::newRow("fragment dropped") << "/api/trips#top"
                                          << "/api/trips";
        QTest::newRow("trailing slash") << "/api/trips/"
                                        << "/api/trips";
        QTest::newRow("id and query") << "/api/trips/9?x=1"
                                      << "/api/trips/{id}";
        QTest::newRow("version word") << "/v1/traces"
                                      << "/v1/traces";
    }

    void normalize()
    {
        QFETCH(QString, path);
        QFETCH(QString, expected);
        const QByteArray utf8 = path.toUtf8();
        std::string out = "untouched";
        const bool changed = normalizeRoute(std::string_view(utf8.constData(), std::size_t(utf8.size())), out);
        const QString result = changed ? QString::fromStdString(out) : path;
        QCOMPARE(result, expected);
        QCOMPARE(changed, path != expected);
        if (!changed)
            QCOMPARE(out, std::string("untouched"));
    }

    void pattern_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("expected");
        QTest::newRow("route id") << "GET:/api/orders/8812" << "GET:/api/orders/{id}";
        QTest::newRow("uuid") << "DELETE:/s/0b6f1c3e-2a4d-4c6e-9f1a-3b5d7e9f1a2c" << "DELETE:/s/{id}";
        QTest::newRow("digits in a word") << "queue.depth.worker17" << "queue.depth.worker{n}";
        QTest::newRow("underscored date") << "find:orders_2024_11" << "find:orders_{id}_{id}";
        QTest::newRow("dashed id") << "user-42:get" << "user-{n}:get";
        QTest::newRow("long hex") << "cache:sess:5f2b9c0e7a1d" << "cache:sess:{id}";
        QTest::newRow("plain") << "GET:/api/cart" << "GET:/api/cart";
        QTest::newRow("empty") << "" << "";
    }

    void pattern()
    {
        QFETCH(QString, name);
        QFETCH(QString, expected);
        QCOMPARE(QString::fromStdString(namePattern(name.toStdString())), expected);
    }
};

QTEST_GUILESS_MAIN(TestRouteNormalizer)
#include "tst_routenormalizer.moc"
