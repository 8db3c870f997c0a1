// The PDF report, opened with poppler: pages, page numbers, repeated table headers, the keys,
// the score and every recommendation; Letter paper; German; rendering off the GUI thread.

#include "reportbuilder.h"
#include "reportexporter.h"
#include "reportpdfwriter.h"
#include "reporttestdata.h"
#include "translations.h"

#include <QBuffer>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <thread>

using namespace perfwatch;
using namespace perfwatch::test;

namespace {

/// Text without any white space: a key wrapped over two lines of a table cell still matches.
QString squeezed(QString text)
{
    text.remove(QRegularExpression(QStringLiteral("\\s")));
    return text;
}

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
        const QString flat = squeezed(text);
        for (const KeyRow &row : data.api)
            QVERIFY2(flat.contains(squeezed(row.key.name)), qPrintable(row.key.name));
        QVERIFY(flat.contains(squeezed(QStringLiteral("GET:/api/zürich/straße,\"quoted\""))));
        QVERIFY(text.contains(QStringLiteral("%1 of 100").arg(data.score.value)));
        QVERIFY(text.contains(QLatin1String("From the analysis of the last 15 minutes")));
        for (const Recommendation &r : data.recommendations)
            QVERIFY2(text.contains(r.message.simplified()), qPrintable(r.message));
        QVERIFY(text.contains(QStringLiteral("Page 1 of %1").arg(pages)));
        QVERIFY(text.contains(QStringLiteral("Page %1 of %1").arg(pages)));
        for (const char *section :
            { "Where the points went", "API latency", "Throughput", "Error rate", "Performance score",
                "Recommendations", "API endpoints", "Database operations", "Processing steps", "Caches and resources" })
            QVERIFY2(text.contains(QLatin1String(section)), section);
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
        QVERIFY(text.contains(statement));
        QVERIFY(text.contains(QLatin1String("Add an index for its most frequent filter (90 of 120 calls queried these "
                                            "fields)")));
        QVERIFY(text.contains(QLatin1String("avg ms: 455.2")));
        const QString fonts = QString::fromUtf8(popplerOutput(QStringLiteral("pdffonts"), { path }));
        QVERIFY2(fonts.contains(QLatin1String("Mono")), qPrintable(fonts));
    }

    void longTablesBreakWithTheirHeaderRepeated()
    {
        MetricStore store;
        const ReportData data = buildReport(store, 150);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("long.pdf"));
        QVERIFY(writePdf(data, path).isEmpty());
        const QString text = pdfText(path);
        QVERIFY(text.contains(QLatin1String("API endpoints (continued)")));
        // The header row is on every page the table spans.
        const int headers = int(text.count(QLatin1String("Endpoint Service Requests Rate Avg p50 p95 p99 Max Errors")));
        QVERIFY2(headers >= 2, qPrintable(QString::number(headers)));
        QVERIFY(squeezed(text).contains(QLatin1String("GET:/api/v1/resource149/items")));

        // A cap on the rows says so and keeps the slowest.
        ReportPdfOptions capped;
        capped.maxTableRows = 20;
        const QString cappedPath = dir.filePath(QStringLiteral("capped.pdf"));
        QVERIFY(writePdf(data, cappedPath, capped).isEmpty());
        const QString cappedText = pdfText(cappedPath);
        QVERIFY(cappedText.contains(QLatin1String("The first 20 are shown; the CSV export lists all of them.")));
        QVERIFY(pdfPages(cappedPath) < pdfPages(path));

        // Beyond the cards in full, the others are listed: every message is still in the PDF.
        ReportPdfOptions oneCard;
        oneCard.maxRecommendationCards = 1;
        QVERIFY(data.recommendations.size() > 1);
        const QString listedPath = dir.filePath(QStringLiteral("listed.pdf"));
        QVERIFY(writePdf(data, listedPath, oneCard).isEmpty());
        const QString listed = pdfText(listedPath);
        QVERIFY(listed.contains(QLatin1String("More recommendations")));
        for (const Recommendation &r : data.recommendations)
            QVERIFY2(listed.contains(r.message.simplified()), qPrintable(r.message));
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
        QVERIFY(text.contains(QLatin1String("Leistungsbericht")));
        QVERIFY(text.contains(QLatin1String("Seite 1 von")));
        QVERIFY(text.contains(QLatin1String("Wohin die Punkte gingen")));
        QVERIFY(text.contains(QLatin1String("Im Zeitverlauf")));
    }
};

QTEST_MAIN(TestReportPdf)
#include "tst_reportpdf.moc"
