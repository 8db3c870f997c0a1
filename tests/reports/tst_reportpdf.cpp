// The PDF report, opened with poppler: pages, page numbers, repeated table headers, the keys,
// the score and every recommendation; Letter paper; German; rendering off the GUI thread; its own
// fonts, and text that copies out exactly as drawn. Registered twice with CTest: with the machine's
// fonts, and with PERFWATCH_TEST_FONTS=urw-dejavu (only URW base35 and DejaVu, as on a stock Debian 12).

#include "reportbuilder.h"
#include "reportexporter.h"
#include "reportfonts.h"
#include "reportpdfwriter.h"
#include "reporttestdata.h"
#include "translations.h"

#include <QApplication>
#include <QBuffer>
#include <QFontInfo>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <thread>

using namespace perfwatch;
using namespace perfwatch::test;

namespace {

ReportData buildReport(MetricStore &store, int extraRoutes)
{
    addTraffic(store, kReportNow, extraRoutes);
    auto source = reportSource(store);
    source->addScoreHistory({ { kReportNow - 8 * kMin, 72, Band::Good }, { kReportNow - 4 * kMin, 66, Band::Good } });
    ReportRequest request;
    request.hours = 24;
    request.nowMs = kReportNow;
    return ReportBuilder::build(*source, request);
}

QString writePdf(const ReportData &data, const QString &path, ReportPdfOptions options = {})
{
    ReportExportRequest request;
    request.format = ReportFormat::Pdf;
    request.path = path;
    request.pdf = options;
    const ReportExportResult result = ReportExporter::write(data, request);
    return result.ok ? QString() : result.error;
}

} // namespace

class TestReportPdf : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (!havePoppler())
            QSKIP("poppler-utils (pdfinfo, pdftotext, pdftoppm) are needed to open the PDFs");
        if (!qEnvironmentVariableIsEmpty("PERFWATCH_TEST_FONTS")) {
            // The restriction took: what fontconfig offers for the report's family is not that family.
            const QString offered = QFontInfo(QFont(QStringLiteral("Liberation Sans"))).family();
            QVERIFY2(offered != QLatin1String("Liberation Sans"), qPrintable(offered));
        }
        installTranslations(*QCoreApplication::instance(), QStringLiteral("en")); // English plural forms
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    }

    void opensAndShowsKeysScoreAndEveryRecommendation()
    {
        MetricStore store;
        const ReportData data = buildReport(store, 0);
        QVERIFY(data.recommendations.size() >= 2);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("report.pdf"));
        const QString error = writePdf(data, path);
        QVERIFY2(error.isEmpty(), qPrintable(error));

        const int pages = pdfPages(path);
        QVERIFY2(pages >= 2, qPrintable(QString::number(pages)));
        const QString info = QString::fromUtf8(popplerOutput(QStringLiteral("pdfinfo"), { path }));
        QVERIFY2(info.contains(QLatin1String("595 x 842 pts (A4)")), qPrintable(info));
        QVERIFY(info.contains(QLatin1String("PerfWatch performance report")));

        int code = -1;
        popplerOutput(QStringLiteral("pdftoppm"),
            { QStringLiteral("-r"), QStringLiteral("30"), QStringLiteral("-png"), path,
                dir.filePath(QStringLiteral("page")) },
            &code);
        QCOMPARE(code, 0);
        QVERIFY(QFileInfo::exists(dir.filePath(QStringLiteral("page-1.png"))));

        const QString text = pdfText(path);
        for (const KeyRow &row : data.api)
            QVERIFY2(pdfShows(text, row.key.name), qPrintable(row.key.name));
        QVERIFY(pdfShows(text, QStringLiteral("GET:/api/zürich/straße,\"quoted\"")));
        QVERIFY(pdfShows(text, QStringLiteral("%1 of 100").arg(data.score.value)));
        QVERIFY(pdfShows(text, QLatin1String("From the analysis of the last 15 minutes")));
        for (const Recommendation &r : data.recommendations)
            QVERIFY2(pdfShows(text, r.message), qPrintable(r.message));
        QVERIFY(pdfShows(text, QStringLiteral("Page 1 of %1").arg(pages)));
        QVERIFY(pdfShows(text, QStringLiteral("Page %1 of %1").arg(pages)));
        for (const char *section :
            { "Where the points went", "API latency", "Throughput", "Error rate", "Performance score",
                "Recommendations", "API endpoints", "Database operations", "Processing steps", "Caches and resources" })
            QVERIFY2(pdfShows(text, QLatin1String(section)), section);
    }

    void indexStatementsInAMonospaceFont()
    {
        MetricStore store;
        ReportData data = buildReport(store, 0);
        Recommendation index;
        index.id = QStringLiteral("slow_query:trips-api:find:trips");
        index.rule = QStringLiteral("slow_query");
        index.type = RecommendationType::Database;
        index.priority = Priority::High;
        index.service = QStringLiteral("trips-api");
        index.target = QStringLiteral("find:trips");
        index.message = QStringLiteral("find:trips is slow: average 455 ms over 120 calls in the last 15 min");
        const QString statement = QStringLiteral("create index on trips(user_id, start_time)");
        index.suggestion
            = QStringLiteral("Add an index for its most frequent filter (90 of 120 calls queried these fields): ")
            + statement;
        index.evidence = QJsonObject { { QStringLiteral("avg_ms"), 455.2 }, { QStringLiteral("index"), statement } };
        data.recommendations.insert(data.recommendations.begin(), index);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("index.pdf"));
        QVERIFY(writePdf(data, path).isEmpty());
        const QString text = pdfText(path);
        QVERIFY(pdfShows(text, statement));
        QVERIFY(pdfShows(
            text, QStringLiteral("Add an index for its most frequent filter (90 of 120 calls queried these fields)")));
        QVERIFY(pdfShows(text, QStringLiteral("avg ms: 455.2")));
        const QString fonts = QString::fromUtf8(popplerOutput(QStringLiteral("pdffonts"), { path }));
        QVERIFY2(fonts.contains(QLatin1String("Mono")), qPrintable(fonts));
    }

    void textCopiesOutAsDrawnInTheReportsOwnFonts()
    {
        // Names full of the letter pairs fonts like to join ("fi", "fl", "ff", "ffi").
        MetricStore store;
        addTraffic(store, kReportNow);
        const QString route = QStringLiteral("GET:/api/profiles/{id}/files");
        const QString query = QStringLiteral("find:office_files");
        const QString step = QStringLiteral("flight_filter");
        Events e;
        for (int i = 0; i < 40; ++i) {
            const qint64 t = kReportNow - 9 * kMin + i * 10 * kSec;
            e.add(MetricKind::Api, route, 31.25 + i % 4, t, QStringLiteral("fleet-office"));
            e.add(MetricKind::Db, query, 12.5, t, QStringLiteral("fleet-office"));
            e.add(MetricKind::Processing, step, 7.75, t, QStringLiteral("fleet-office")).items = 10;
        }
        e.insertInto(store, kReportNow);
        auto source = reportSource(store);
        ReportRequest request;
        request.hours = 24;
        request.nowMs = kReportNow;
        ReportData data = ReportBuilder::build(*source, request);

        Recommendation index;
        index.id = QStringLiteral("slow_query:fleet-office:find:office_files");
        index.rule = QStringLiteral("slow_query");
        index.type = RecommendationType::Database;
        index.priority = Priority::High;
        index.service = QStringLiteral("fleet-office");
        index.target = query;
        index.message = QStringLiteral("find:office_files is slow: the fleet profile filter is inefficient");
        const QString statement = QStringLiteral("create index on office_files(profile_id, flight_id, affiliate)");
        index.suggestion = QStringLiteral("Add an index for its most frequent filter: ") + statement;
        index.evidence = QJsonObject { { QStringLiteral("index"), statement } };
        data.recommendations.insert(data.recommendations.begin(), index);

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("letters.pdf"));
        QVERIFY(writePdf(data, path).isEmpty());
        const QString text = pdfText(path);
        const QString substituted = substitutedCharacters(text);
        QVERIFY2(substituted.isEmpty(), qPrintable(substituted));
        for (const QString &drawn : { route, query, step, statement, index.message, QStringLiteral("fleet-office") })
            QVERIFY2(pdfShows(text, drawn), qPrintable(drawn));

        // Drawn in the fonts PerfWatch carries, whichever fonts this machine offers.
        QCOMPARE(ReportFonts::embeddedFamilies(),
            QStringList({ QStringLiteral("Liberation Sans"), QStringLiteral("DejaVu Sans Mono") }));
        QCOMPARE(pdfFonts(path), kReportFonts);
    }

    void longTablesBreakWithTheirHeaderRepeated()
    {
        MetricStore store;
        const ReportData data = buildReport(store, 150);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("long.pdf"));
        QVERIFY(writePdf(data, path).isEmpty());
        const QString text = pdfText(path);
        QVERIFY(pdfShows(text, QLatin1String("API endpoints (continued)")));
        // The header row is on every page the table spans.
        const int headers = int(squeezed(text).count(
            squeezed(QStringLiteral("Endpoint Service Requests Rate Avg p50 p95 p99 Max Errors"))));
        QVERIFY2(headers >= 2, qPrintable(QString::number(headers)));
        QVERIFY(pdfShows(text, QStringLiteral("GET:/api/v1/resource149/items")));

        // A cap on the rows says so and keeps the slowest.
        ReportPdfOptions capped;
        capped.maxTableRows = 20;
        const QString cappedPath = dir.filePath(QStringLiteral("capped.pdf"));
        QVERIFY(writePdf(data, cappedPath, capped).isEmpty());
        const QString cappedText = pdfText(cappedPath);
        QVERIFY(pdfShows(cappedText, QStringLiteral("The first 20 are shown; the CSV export lists all of them.")));
        QVERIFY(pdfPages(cappedPath) < pdfPages(path));

        // Beyond the cards in full, the others are listed: every message is still in the PDF.
        ReportPdfOptions oneCard;
        oneCard.maxRecommendationCards = 1;
        QVERIFY(data.recommendations.size() > 1);
        const QString listedPath = dir.filePath(QStringLiteral("listed.pdf"));
        QVERIFY(writePdf(data, listedPath, oneCard).isEmpty());
        const QString listed = pdfText(listedPath);
        QVERIFY(pdfShows(listed, QLatin1String("More recommendations")));
        for (const Recommendation &r : data.recommendations)
            QVERIFY2(pdfShows(listed, r.message), qPrintable(r.message));
    }

    void letterPaper()
    {
        MetricStore store;
        const ReportData data = buildReport(store, 0);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("letter.pdf"));
        ReportPdfOptions options;
        options.pageSize = ReportPageSize::Letter;
        QVERIFY(writePdf(data, path, options).isEmpty());
        const QString info = QString::fromUtf8(popplerOutput(QStringLiteral("pdfinfo"), { path }));
        QVERIFY2(info.contains(QLatin1String("612 x 792 pts (letter)")), qPrintable(info));
    }

    void hostileNamesAreIsolated()
    {
        // A right-to-left override reversed "txt.exe" and the sentence around it. A route of 320
        // combining marks is drawn clipped to its cell (the report's Liberation Sans does not stack
        // them into a line here, so only that the report still renders is checked for it).
        MetricStore store;
        addTraffic(store, kReportNow);
        QString marks = QStringLiteral("GET:/a");
        for (int i = 0; i < 320; ++i)
            marks += QChar(0x0300 + (i * 7) % 0x70); // every mark of the block, above and below
        {
            Events e;
            for (int i = 0; i < 60; ++i) {
                const qint64 t = kReportNow - 10 * kMin + i * 10 * kSec;
                e.add(MetricKind::Api, marks, 30, t, QStringLiteral("trips-api"));
                e.add(MetricKind::Api, kOverrideRoute, 700, t, QStringLiteral("trips-api"));
            }
            e.insertInto(store, kReportNow);
        }
        auto source = reportSource(store);
        ReportRequest request;
        request.hours = 24;
        request.nowMs = kReportNow;
        const ReportData data = ReportBuilder::build(*source, request);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("hostile.pdf"));
        QVERIFY(writePdf(data, path).isEmpty());

        const QString text = pdfText(path);
        QVERIFY(!text.contains(u'\u202e'));
        QVERIFY(pdfShows(text, QStringLiteral("GET:/pay[U+202E]txt.exe is slow: p95")));
        QVERIFY(pdfShows(text, QStringLiteral("GET:/pay[U+202E]txt.exe")));
    }

    void rendersOnAWorkerThread()
    {
        MetricStore store;
        const ReportData data = buildReport(store, 0);
        QByteArray bytes;
        QString error;
        bool ok = false;
        std::thread worker([&] {
            QBuffer buffer(&bytes);
            buffer.open(QIODevice::WriteOnly);
            ok = ReportPdfWriter::write(data, &buffer, {}, &error);
        });
        worker.join();
        QVERIFY2(ok, qPrintable(error));
        QVERIFY(bytes.startsWith("%PDF-"));
        QTemporaryDir dir;
        QFile file(dir.filePath(QStringLiteral("thread.pdf")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(bytes);
        file.close();
        QVERIFY(pdfPages(file.fileName()) >= 2);
    }

    void cancelWritesNothing()
    {
        MetricStore store;
        const ReportData data = buildReport(store, 0);
        QTemporaryDir dir;
        ReportExportRequest request;
        request.path = dir.filePath(QStringLiteral("cancelled.pdf"));
        int calls = 0;
        const ReportExportResult result = ReportExporter::write(data, request, [&](int percent) {
            ++calls;
            return percent < 80; // cancel while painting pages
        });
        QVERIFY(!result.ok);
        QVERIFY(result.cancelled);
        QVERIFY(calls > 1);
        QVERIFY(!QFileInfo::exists(request.path));
    }

    void german()
    {
        installTranslations(*QCoreApplication::instance(), QStringLiteral("de"));
        MetricStore store;
        const ReportData data = buildReport(store, 0);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("de.pdf"));
        QVERIFY(writePdf(data, path).isEmpty());
        const QString text = pdfText(path);
        QVERIFY(pdfShows(text, QLatin1String("Leistungsbericht")));
        QVERIFY(pdfShows(text, QLatin1String("Seite 1 von")));
        QVERIFY(pdfShows(text, QLatin1String("Wohin die Punkte gingen")));
        QVERIFY(pdfShows(text, QLatin1String("Im Zeitverlauf")));
    }
};

int main(int argc, char *argv[])
{
    QTemporaryDir fontConfig; // outlives the application: fontconfig reads it while fonts are matched
    const QString error = restrictFontsIfAsked(fontConfig.path());
    if (!error.isEmpty()) {
        fprintf(stderr, "tst_reportpdf: %s\n", qPrintable(error));
        return 1;
    }
    QApplication app(argc, argv);
    TestReportPdf test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "tst_reportpdf.moc"
