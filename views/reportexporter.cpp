#include "reportexporter.h"

#include "reportbuilder.h"

#include <QBuffer>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QSaveFile>
#include <QTimeZone>

namespace perfwatch {

namespace {

QString utc(qint64 ms, const QString &format)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(format);
}

} // namespace

bool ReportExporter::formatForPath(const QString &path, ReportFormat &format, QString *error)
{
    if (path.trimmed().isEmpty()) {
        if (error)
            *error = tr("no report file or folder given");
        return false;
    }
    const QFileInfo info(path);
    if (info.isDir() || path.endsWith(u'/') || path.endsWith(QDir::separator())) {
        format = ReportFormat::CsvFolder;
        return true;
    }
    const QString suffix = info.suffix().toLower();
    if (suffix == u"pdf") {
        format = ReportFormat::Pdf;
        return true;
    }
    if (suffix == u"csv") {
        format = ReportFormat::Csv;
        return true;
    }
    if (suffix.isEmpty()) {
        format = ReportFormat::CsvFolder;
        return true;
    }
    if (error)
        *error
            = tr("cannot tell what to write to %1: use a .pdf or .csv file, or a folder for every CSV file").arg(path);
    return false;
}

ReportExportResult ReportExporter::run(
    const DashboardSource &source, const ReportExportRequest &request, const ReportProgress &progress)
{
    bool cancelled = false;
    const ReportData data = ReportBuilder::build(source, request.report, progress, &cancelled);
    if (cancelled) {
        ReportExportResult result;
        result.cancelled = true;
        result.error = tr("cancelled");
        return result;
    }
    return write(data, request, progress);
}

ReportExportResult ReportExporter::write(
    const ReportData &data, const ReportExportRequest &request, const ReportProgress &progress)
{
    ReportExportResult result;
    result.empty = data.isEmpty();
    // Remember a cancel, so it is reported as one and not as a failure to write.
    bool cancelled = false;
    ReportProgress tracked;
    if (progress) {
        tracked = [&progress, &cancelled](int percent) {
            if (progress(percent))
                return true;
            cancelled = true;
            return false;
        };
    }
    switch (request.format) {
    case ReportFormat::CsvFolder: {
        QString error;
        result.ok = ReportCsv::writeAll(data, request.path, &result.files, &error, tracked);
        if (!result.ok) {
            result.cancelled = cancelled;
            result.error = cancelled ? tr("cancelled") : error;
        }
        break;
    }
    case ReportFormat::Pdf:
    case ReportFormat::Csv: {
        const QFileInfo info(request.path);
        if (!QDir().mkpath(info.absolutePath())) {
            result.error = tr("cannot create the folder %1").arg(info.absolutePath());
            break;
        }
        QSaveFile file(request.path);
        if (!file.open(QIODevice::WriteOnly)) {
            result.error = tr("cannot write %1: %2").arg(request.path, file.errorString());
            break;
        }
        QString error;
        bool ok = false;
        if (request.format == ReportFormat::Pdf) {
            ok = ReportPdfWriter::write(data, &file, request.pdf, &error, tracked);
        } else {
            ok = file.write(ReportCsv::file(data, request.csvFile)) >= 0;
            if (!ok)
                error = file.errorString();
            else if (tracked && !tracked(100))
                ok = false;
        }
        if (!ok) {
            file.cancelWriting();
            result.cancelled = cancelled;
            result.error = cancelled ? tr("cancelled") : tr("cannot write %1: %2").arg(request.path, error);
            break;
        }
        if (!file.commit()) {
            result.error = tr("cannot write %1: %2").arg(request.path, file.errorString());
            break;
        }
        result.ok = true;
        result.files << request.path;
        break;
    }
    }
    return result;
}

QString ReportExporter::attachmentName(qint64 nowMs, const QString &extension, const QString &suffix)
{
    return QStringLiteral("perfwatch-report-") + utc(nowMs, QStringLiteral("yyyy-MM-dd"))
        + (suffix.isEmpty() ? QString() : u'-' + suffix) + u'.' + extension;
}

QString ReportExporter::timestampedName(qint64 nowMs, const QString &extension)
{
    return QStringLiteral("perfwatch-report-") + utc(nowMs, QStringLiteral("yyyyMMdd'T'HHmmss'Z'")) + u'.' + extension;
}

ReportRenderer ReportExporter::makeRenderer(std::shared_ptr<const DashboardSource> source, ReportPdfOptions pdf)
{
    return [source = std::move(source), pdf](const ReportFileRequest &request) {
        ReportFile file;
        const QString format = request.format.toLower();
        ReportCsv::File csvFile = ReportCsv::File::ApiRequests;
        if (format == u"csv") {
            if (!request.table.isEmpty() && !ReportCsv::fileFromName(request.table, csvFile)) {
                file.status = 400;
                file.error = QStringLiteral("table must be api, database, processing, resources, recommendations or "
                                            "timeseries");
                return file;
            }
        } else if (format == u"pdf") {
            QString why;
            if (!ReportPdfWriter::canRender(&why)) {
                file.status = 501;
                file.error = why;
                return file;
            }
        } else {
            file.status = 400;
            file.error = QStringLiteral("format must be pdf or csv");
            return file;
        }
        ReportRequest period;
        period.hours = request.hours;
        const ReportData data = ReportBuilder::build(*source, period);
        if (format == u"csv") {
            file.mimeType = QByteArrayLiteral("text/csv; charset=utf-8");
            file.body = ReportCsv::file(data, csvFile);
            const QString table = request.table.isEmpty() ? QString() : request.table.toLower();
            file.fileName = attachmentName(
                data.generatedAtMs, QStringLiteral("csv"), csvFile == ReportCsv::File::ApiRequests ? QString() : table);
            return file;
        }
        QBuffer buffer(&file.body);
        buffer.open(QIODevice::WriteOnly);
        QString error;
        if (!ReportPdfWriter::write(data, &buffer, pdf, &error)) {
            file.status = 500;
            file.error = error;
            file.body.clear();
            return file;
        }
        file.mimeType = QByteArrayLiteral("application/pdf");
        file.fileName = attachmentName(data.generatedAtMs, QStringLiteral("pdf"));
        return file;
    };
}

} // namespace perfwatch
