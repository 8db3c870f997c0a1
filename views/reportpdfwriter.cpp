#include "reportpdfwriter.h"

#include "displaytext.h"
#include "format.h"
#include "reportchartpainter.h"
#include "reportdocument.h"
#include "reportfonts.h"
#include "theme.h"

#include <QDateTime>
#include <QFile>
#include <QFontMetricsF>
#include <QGuiApplication>
#include <QJsonArray>
#include <QLocale>
#include <QPainter>
#include <QPainterPath>
#include <QPdfWriter>
#include <QSvgRenderer>
#include <QTimeZone>
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>

namespace perfwatch {

namespace {

using Column = KeyStatsModel::Column;
using Table = KeyStatsModel::Table;

constexpr int kResolution = 720; ///< device units per inch: 10 per point
constexpr int kSectionCount = 6; ///< headings listed in the contents
constexpr double kPt = kResolution / 72.0;

// Print colours: a light page whatever the window's palette.
const QColor kText(0x1f, 0x23, 0x28);
const QColor kMuted(0x6b, 0x72, 0x80);
const QColor kBorder(0xd8, 0xdd, 0xe3);
const QColor kHeaderFill(0xf1, 0xf3, 0xf5);
const QColor kZebra(0xf8, 0xf9, 0xfa);
const QColor kAccent(0x1c, 0x6e, 0xd0);
const QColor kCodeFill(0xf1, 0xf3, 0xf5);

QPalette printPalette()
{
    // The full constructor: it does not read the application's palette (we may be on a worker).
    const QBrush text(kText);
    const QBrush white(Qt::white);
    const QBrush mid(kBorder);
    return QPalette(text, white, white, mid, mid, text, text, white, white);
}

QFont sans(double points, bool bold = false)
{
    return ReportFonts::sans(points, bold);
}

QFont mono(double points)
{
    return ReportFonts::mono(points);
}

QColor priorityColor(Priority priority)
{
    switch (priority) {
    case Priority::High:
        return QColor(0xc9, 0x2a, 0x2a);
    case Priority::Medium:
        return QColor(0xd9, 0x82, 0x00);
    case Priority::Low:
        break;
    }
    return QColor(0x86, 0x8e, 0x96);
}

/// "UTC" or "UTC+01:00" for the local offset at a moment.
QString zoneText(qint64 ms)
{
    const int offset = QDateTime::fromMSecsSinceEpoch(ms).offsetFromUtc();
    if (offset == 0)
        return QStringLiteral("UTC");
    const int minutes = std::abs(offset) / 60;
    return QStringLiteral("UTC%1%2:%3")
        .arg(QChar(offset < 0 ? u'−' : u'+'))
        .arg(minutes / 60, 2, 10, QLatin1Char('0'))
        .arg(minutes % 60, 2, 10, QLatin1Char('0'));
}

/// Axis labels: the shortest form of a round value ("0.5", "2", "1,000").
QString shortest(double value)
{
    return QLocale().toString(std::round(value * 1000) / 1000, 'f', QLocale::FloatingPointShortest);
}

QString signedPoints(double points)
{
    if (std::abs(points) < 0.05)
        return QStringLiteral("0");
    const QString value = QLocale().toString(std::abs(points), 'f', 1);
    return (points < 0 ? QStringLiteral("−") : QStringLiteral("+")) + value;
}

/// Lays out and paints one report; the text is in the writer's translation context.
class Composer
{
    Q_DECLARE_TR_FUNCTIONS(ReportPdfWriter)
public:
    Composer(const ReportData &data, const ReportPdfOptions &options, QPaintDevice *device, ReportDocument &doc)
        : d(data)
        , m_options(options)
        , m_device(device)
        , m_doc(doc)
        , m_pages(std::make_shared<std::map<QString, int>>())
    { }

    void compose()
    {
        cover();
        m_doc.newPage();
        charts();
        m_doc.newPage();
        recommendations();
        trends();
        tables();
        about();
    }

    QString periodText() const { return tr("%1 – %2").arg(dateTime(d.fromMs), dateTime(d.toMs - 1)); }

private:
    static QString dateTime(qint64 ms)
    {
        return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms), tr("d MMM yyyy, HH:mm", "date and time format"));
    }
    static QString timeOfDay(qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("HH:mm")); }
    QString windowText() const
    {
        const qint64 minutes = d.thresholds.windowMs / 60'000;
        return tr("%n minute(s)", nullptr, int(minutes));
    }
    QString stepText() const
    {
        if (d.stepMs >= 3'600'000)
            return tr("%n hour(s)", nullptr, int(d.stepMs / 3'600'000));
        return tr("%n minute(s)", nullptr, int(d.stepMs / 60'000));
    }
    QString hoursText() const
    {
        if (d.hours == std::floor(d.hours))
            return tr("%n hour(s)", nullptr, int(d.hours));
        return Format::duration(d.hours * 3'600'000.0);
    }

    QFontMetricsF metrics(const QFont &font) const { return QFontMetricsF(font, m_device); }
    double pt(double points) const { return points * kPt; }
    double textHeight(const QFont &font, double width, const QString &text, int flags = Qt::TextWordWrap) const
    {
        if (text.isEmpty())
            return 0;
        return metrics(font).boundingRect(QRectF(0, 0, width, 1e9), flags, text).height();
    }

    /// Draws text that may hold a sender's name inside `clip` only: a name of hundreds of stacked
    /// combining marks otherwise inks a line down the page, over the rows above and below.
    static void drawClipped(QPainter &p, const QRectF &clip, const QRectF &rect, int flags, const QString &text)
    {
        p.save();
        p.setClipRect(clip, Qt::IntersectClip);
        p.drawText(rect, flags, text);
        p.restore();
    }
    static void drawClipped(QPainter &p, const QRectF &rect, int flags, const QString &text)
    {
        drawClipped(p, rect, rect, flags, text);
    }

    /// Starts a new page unless `height` fits on this one (keeps a heading with what follows).
    void keep(double height)
    {
        if (m_doc.remaining() < height)
            m_doc.newPage();
    }

    void paragraph(const QString &text, const QFont &font, const QColor &color, double spaceAfter = 0)
    {
        const double h = textHeight(font, m_doc.width(), text);
        m_doc.place(h, [text, font, color](QPainter &p, const QRectF &r) {
            p.setFont(font);
            p.setPen(color);
            drawClipped(p, r, Qt::TextWordWrap, text); // the cover's paragraph lists the services
        });
        m_doc.space(spaceAfter);
    }

    /// A section heading with a coloured rule; recorded for the contents on the cover.
    void heading(const QString &text, const QString &subtitle = {})
    {
        const QFont font = sans(15, true);
        const QFont subFont = sans(8.5);
        const double subHeight = subtitle.isEmpty() ? 0 : textHeight(subFont, m_doc.width(), subtitle) + pt(2);
        const double h = metrics(font).height() + pt(7) + subHeight;
        keep(h + pt(90));
        m_doc.space(pt(6));
        m_doc.place(h, [text, subtitle, font, subFont, subHeight, this](QPainter &p, const QRectF &r) {
            p.setFont(font);
            p.setPen(kText);
            const QFontMetricsF m = metrics(font);
            p.drawText(QPointF(r.left(), r.top() + m.ascent()), text);
            p.fillRect(QRectF(r.left(), r.top() + m.height() + pt(2), pt(28), pt(2)), kAccent);
            if (!subtitle.isEmpty()) {
                p.setFont(subFont);
                p.setPen(kMuted);
                p.drawText(
                    QRectF(r.left(), r.bottom() - subHeight + pt(2), r.width(), subHeight), Qt::TextWordWrap, subtitle);
            }
        });
        (*m_pages)[text] = m_doc.currentPage();
        m_contents.push_back(text);
        m_doc.space(pt(8));
    }

    void subheading(const QString &text, const QString &note = {})
    {
        const QFont font = sans(11, true);
        const QFont noteFont = sans(8);
        const double noteHeight = note.isEmpty() ? 0 : textHeight(noteFont, m_doc.width(), note) + pt(2);
        const double h = metrics(font).height() + pt(3) + noteHeight;
        keep(h + pt(50));
        m_doc.space(pt(4));
        m_doc.place(h, [text, note, font, noteFont, noteHeight, this](QPainter &p, const QRectF &r) {
            p.setFont(font);
            p.setPen(kText);
            p.drawText(QPointF(r.left(), r.top() + metrics(font).ascent()), text);
            if (!note.isEmpty()) {
                p.setFont(noteFont);
                p.setPen(kMuted);
                p.drawText(QRectF(r.left(), r.bottom() - noteHeight, r.width(), noteHeight), Qt::TextWordWrap, note);
            }
        });
        m_doc.space(pt(5));
    }

    void priorityChip(QPainter &p, const QPointF &topLeft, Priority priority, double *width = nullptr) const
    {
        const QFont font = sans(6.5, true);
        const QString text = Theme::priorityWord(priority).toUpper();
        const QFontMetricsF m = metrics(font);
        const QRectF chip(topLeft, QSizeF(m.horizontalAdvance(text) + pt(8), m.height() + pt(2)));
        p.setPen(Qt::NoPen);
        p.setBrush(priorityColor(priority));
        p.drawRoundedRect(chip, pt(2.5), pt(2.5));
        p.setBrush(Qt::NoBrush);
        p.setFont(font);
        p.setPen(Qt::white);
        p.drawText(chip, Qt::AlignCenter, text);
        if (width)
            *width = chip.width();
    }

    // ---- Cover ----

    void cover()
    {
        const double w = m_doc.width();
        // Brand line with the app icon, drawn from its SVG as vectors.
        m_doc.place(pt(30), [this](QPainter &p, const QRectF &r) {
            QFile icon(QStringLiteral(":/perfwatch/icons/perfwatch.svg"));
            if (icon.open(QIODevice::ReadOnly)) {
                QSvgRenderer svg(icon.readAll());
                svg.render(&p, QRectF(r.left(), r.top(), pt(24), pt(24)));
            }
            const QFont font = sans(12, true);
            p.setFont(font);
            p.setPen(kText);
            p.drawText(QPointF(r.left() + pt(31), r.top() + pt(12) + metrics(font).ascent() / 2 - pt(1)),
                QStringLiteral("PerfWatch"));
        });
        m_doc.space(pt(14));
        paragraph(tr("Performance report"), sans(26, true), kText, pt(2));
        QStringList names;
        for (const QString &service : d.services)
            names << DisplayText::isolate(service);
        const QString services
            = names.isEmpty() ? tr("No services reported in this period") : names.join(QStringLiteral(", "));
        paragraph(services, sans(12), kMuted, pt(12));

        // Period, data, generation time.
        std::vector<std::pair<QString, QString>> facts {
            { tr("Period"), periodText() + QStringLiteral("  (") + hoursText() + u')' },
        };
        if (d.totals.firstDataMs > d.fromMs)
            facts.push_back({ tr("Data from"), dateTime(d.totals.firstDataMs) });
        facts.push_back({ tr("Generated"), dateTime(d.generatedAtMs) });
        facts.push_back({ tr("Times"), tr("local time, %1").arg(zoneText(d.generatedAtMs)) });
        const QFont labelFont = sans(8.5);
        const QFont valueFont = sans(9.5);
        const double labelWidth = pt(80);
        for (const auto &[label, value] : facts) {
            const double h
                = std::max(metrics(valueFont).height(), textHeight(valueFont, w - labelWidth, value)) + pt(3);
            m_doc.place(h, [label, value, labelFont, valueFont, labelWidth](QPainter &p, const QRectF &r) {
                p.setFont(labelFont);
                p.setPen(kMuted);
                p.drawText(
                    QRectF(r.left(), r.top() + 1 * kPt, labelWidth, r.height()), Qt::AlignLeft | Qt::AlignTop, label);
                p.setFont(valueFont);
                p.setPen(kText);
                p.drawText(QRectF(r.left() + labelWidth, r.top(), r.width() - labelWidth, r.height()), Qt::TextWordWrap,
                    value);
            });
        }
        m_doc.space(pt(14));
        scorePanel();
        m_doc.space(pt(8));
        if (d.scoreSource == ReportScoreSource::LatestAnalysis)
            breakdown();
        m_doc.space(pt(10));
        kpiTiles();
        m_doc.space(pt(12));
        keyFindings();
    }

    void scorePanel()
    {
        const Band band = d.score.band;
        const QPalette pal = printPalette();
        const QColor bandColor = d.scoreSource == ReportScoreSource::None ? kMuted : Theme::bandColor(band, pal);
        QString source;
        switch (d.scoreSource) {
        case ReportScoreSource::LatestAnalysis:
            source = tr("From the analysis of the last %1, at %2.").arg(windowText(), dateTime(d.scoreAtMs));
            break;
        case ReportScoreSource::ScoreHistory:
            source = tr("The last score recorded in the period, at %1. No data arrived in the last %2, so there is "
                        "no current score and no breakdown.")
                         .arg(dateTime(d.scoreAtMs), windowText());
            break;
        case ReportScoreSource::None:
            source = tr("No score: nothing was measured in this period.");
            break;
        }
        QString range;
        if (d.totals.scoreMin >= 0)
            range = tr("Over the period: average %1, lowest %2, highest %3.")
                        .arg(QLocale().toString(d.totals.scoreAverage, 'f', 0))
                        .arg(d.totals.scoreMin)
                        .arg(d.totals.scoreMax);
        const double w = m_doc.width();
        const double textLeft = pt(100);
        const QFont sourceFont = sans(9);
        const double textHeightTotal = pt(12) + pt(24) + textHeight(sourceFont, w - textLeft - pt(16), source)
            + (range.isEmpty() ? 0 : pt(4) + textHeight(sourceFont, w - textLeft - pt(16), range));
        const double h = std::max(pt(92), textHeightTotal + pt(24));
        m_doc.place(h, [=, this](QPainter &p, const QRectF &r) {
            p.setRenderHint(QPainter::Antialiasing);
            QColor tint = bandColor;
            tint.setAlpha(20);
            p.setPen(QPen(kBorder, pt(0.8)));
            p.setBrush(tint);
            p.drawRoundedRect(r, pt(6), pt(6));
            const QPointF centre(r.left() + pt(50), r.center().y());
            p.setPen(Qt::NoPen);
            p.setBrush(bandColor);
            p.drawEllipse(centre, pt(34), pt(34));
            p.setFont(sans(26, true));
            p.setPen(d.scoreSource == ReportScoreSource::None ? QColor(Qt::white) : Theme::onBandColor(band));
            p.drawText(QRectF(centre.x() - pt(34), centre.y() - pt(34), pt(68), pt(68)), Qt::AlignCenter,
                d.scoreSource == ReportScoreSource::None ? QStringLiteral("—") : QString::number(d.score.value));
            double y = r.top() + pt(12);
            const double x = r.left() + textLeft;
            const double tw = r.width() - textLeft - pt(16);
            const QFont caption = sans(8, true);
            p.setFont(caption);
            p.setPen(kMuted);
            p.drawText(QPointF(x, y + metrics(caption).ascent()), tr("PERFORMANCE SCORE"));
            y += pt(12);
            const QFont word = sans(18, true);
            p.setFont(word);
            p.setPen(bandColor);
            const QString bandText = d.scoreSource == ReportScoreSource::None
                ? Theme::bandWord(Band::NoData)
                : tr("%1 of 100 · %2").arg(d.score.value).arg(Theme::bandWord(band));
            p.drawText(QPointF(x, y + metrics(word).ascent()), bandText);
            y += pt(24);
            p.setFont(sourceFont);
            p.setPen(kText);
            const double sh = textHeight(sourceFont, tw, source);
            p.drawText(QRectF(x, y, tw, sh), Qt::TextWordWrap, source);
            y += sh + pt(4);
            if (!range.isEmpty()) {
                p.setPen(kMuted);
                p.drawText(QRectF(x, y, tw, textHeight(sourceFont, tw, range)), Qt::TextWordWrap, range);
            }
        });
    }

    void breakdown()
    {
        const ScoreBreakdown &b = d.score.breakdown;
        const auto measured = [](double v, const QString &text) { return std::isfinite(v) ? text : tr("no data"); };
        struct Line
        {
            QString component;
            QString measured;
            QString rule;
            QString points;
            bool lost;
        };
        const std::vector<Line> lines {
            { tr("API latency"),
                measured(b.apiP95Ms,
                    tr("p95 %1 over %2 requests").arg(Format::duration(b.apiP95Ms), Format::count(b.apiRequests))),
                tr("0 lost at %1, all %2 at %3")
                    .arg(Format::duration(b.apiThresholdMs), Format::number(d.thresholds.apiMaxLost, 0),
                        Format::duration(ScoreLimits::kApiAllLostFactor * b.apiThresholdMs)),
                signedPoints(-b.apiPointsLost), b.apiPointsLost >= 0.05 },
            { tr("Database"),
                measured(b.dbAvgMs,
                    tr("average %1 over %2 operations")
                        .arg(Format::duration(b.dbAvgMs), Format::count(b.dbOperations))),
                tr("0 lost at %1, all %2 at %3")
                    .arg(Format::duration(b.dbThresholdMs), Format::number(d.thresholds.dbMaxLost, 0),
                        Format::duration(ScoreLimits::kDbAllLostFactor * b.dbThresholdMs)),
                signedPoints(-b.dbPointsLost), b.dbPointsLost >= 0.05 },
            { tr("Errors"),
                b.errorTotal > 0 ? tr("%1 of %2 requests and operations failed")
                                       .arg(Format::percent(b.errorRate, 2), Format::count(b.errorTotal))
                                 : tr("no data"),
                tr("0 lost at %1, all %2 at %3")
                    .arg(Format::percent(b.errorRateLow, 0), Format::number(d.thresholds.errorMaxLost, 0),
                        Format::percent(b.errorRateHigh, 0)),
                signedPoints(-b.errorPointsLost), b.errorPointsLost >= 0.05 },
            { tr("Cache bonus"),
                b.cacheLookups > 0 ? tr("hit rate %1 over %2 lookups")
                                         .arg(Format::percent(b.cacheHitRate), Format::count(b.cacheLookups))
                                   : tr("no data"),
                tr("+%1 at %2 or more (at least %3 lookups)")
                    .arg(Format::number(d.thresholds.cacheBonus, 0), Format::percent(b.cacheBonusThreshold, 0),
                        Format::count(b.cacheBonusMinLookups)),
                signedPoints(b.cacheBonus), false },
        };
        subheading(tr("Where the points went"));
        const QFont font = sans(8.5);
        const QFont bold = sans(8.5, true);
        const double w = m_doc.width();
        const double c0 = pt(78), c3 = pt(44);
        const double c1 = (w - c0 - c3) * 0.52;
        const double c2 = w - c0 - c3 - c1;
        const double rowH = metrics(font).height() + pt(7);
        const auto header = [=, this](QPainter &p, const QRectF &r) {
            p.fillRect(r, kHeaderFill);
            p.setFont(sans(7.5, true));
            p.setPen(kMuted);
            const double pad = pt(5);
            p.drawText(QRectF(r.left() + pad, r.top(), c0, r.height()), Qt::AlignVCenter, tr("Component"));
            p.drawText(QRectF(r.left() + c0 + pad, r.top(), c1, r.height()), Qt::AlignVCenter, tr("Measured"));
            p.drawText(QRectF(r.left() + c0 + c1 + pad, r.top(), c2, r.height()), Qt::AlignVCenter, tr("Rule"));
            p.drawText(
                QRectF(r.right() - c3, r.top(), c3 - pad, r.height()), Qt::AlignVCenter | Qt::AlignRight, tr("Points"));
        };
        m_doc.place(rowH, header);
        for (const Line &line : lines) {
            // Long texts (translations) wrap; the row grows with them.
            const double pad = pt(5);
            const double textH
                = std::max(textHeight(font, c1 - 2 * pad, line.measured), textHeight(font, c2 - 2 * pad, line.rule));
            const double h = std::max(rowH, textH + pt(7));
            m_doc.place(h, [=, this](QPainter &p, const QRectF &r) {
                p.setPen(QPen(kBorder, pt(0.5)));
                p.drawLine(r.bottomLeft(), r.bottomRight());
                p.setFont(bold);
                p.setPen(kText);
                p.drawText(QRectF(r.left() + pad, r.top(), c0, r.height()), Qt::AlignVCenter, line.component);
                p.setFont(font);
                p.drawText(QRectF(r.left() + c0 + pad, r.top(), c1 - 2 * pad, r.height()),
                    Qt::AlignVCenter | Qt::TextWordWrap, line.measured);
                p.setPen(kMuted);
                p.drawText(QRectF(r.left() + c0 + c1 + pad, r.top(), c2 - 2 * pad, r.height()),
                    Qt::AlignVCenter | Qt::TextWordWrap, line.rule);
                p.setFont(bold);
                p.setPen(line.lost ? QColor(0xc9, 0x2a, 0x2a) : kText);
                p.drawText(QRectF(r.right() - c3, r.top(), c3 - pad, r.height()), Qt::AlignVCenter | Qt::AlignRight,
                    line.points);
            });
        }
        const double lost = b.apiPointsLost + b.dbPointsLost + b.errorPointsLost;
        m_doc.place(rowH, [=, this](QPainter &p, const QRectF &r) {
            const double pad = pt(5);
            p.setFont(bold);
            p.setPen(kText);
            p.drawText(QRectF(r.left() + pad, r.top(), c0, r.height()), Qt::AlignVCenter, tr("Score"));
            p.setFont(font);
            p.setPen(kMuted);
            p.drawText(QRectF(r.left() + c0 + pad, r.top(), c1 + c2, r.height()), Qt::AlignVCenter,
                tr("100 − %1 lost + %2 bonus, rounded and kept within 0–100")
                    .arg(QLocale().toString(lost, 'f', 1), QLocale().toString(b.cacheBonus, 'f', 0)));
            p.setFont(bold);
            p.setPen(kText);
            p.drawText(QRectF(r.right() - c3, r.top(), c3 - pad, r.height()), Qt::AlignVCenter | Qt::AlignRight,
                QString::number(d.score.value));
        });
    }

    void kpiTiles()
    {
        const ReportTotals &t = d.totals;
        const quint64 failures = t.apiErrors + t.dbErrors;
        const quint64 total = t.apiRequests + t.dbOperations;
        const double seconds = d.windowSeconds;
        struct Tile
        {
            QString label;
            QString value;
            QString note;
        };
        const std::vector<Tile> tiles {
            { tr("Requests"), Format::count(t.apiRequests),
                t.apiRequests ? tr("%1 on average").arg(Format::rate(double(t.apiRequests) / seconds)) : QString() },
            { tr("API p95"), Format::duration(t.apiP95Ms),
                std::isfinite(t.apiAvgMs) ? tr("average %1").arg(Format::duration(t.apiAvgMs)) : QString() },
            { tr("Error rate"), total ? Format::percent(double(failures) / double(total), 2) : Format::none(),
                total ? tr("%1 of %2 failed")
                            .arg(Format::compactCount(double(failures)), Format::compactCount(double(total)))
                      : QString() },
            { tr("Database average"), Format::duration(t.dbAvgMs),
                t.dbOperations ? tr("%1 operations").arg(Format::compactCount(double(t.dbOperations))) : QString() },
            { tr("Cache hit rate"), Format::percent(t.cacheHitRate),
                t.cacheLookups ? tr("%1 lookups").arg(Format::compactCount(double(t.cacheLookups))) : QString() },
        };
        subheading(tr("The period at a glance"));
        const double gap = pt(8);
        const double tileW = (m_doc.width() - gap * double(tiles.size() - 1)) / double(tiles.size());
        m_doc.place(pt(58), [=, this](QPainter &p, const QRectF &r) {
            p.setRenderHint(QPainter::Antialiasing);
            for (std::size_t i = 0; i < tiles.size(); ++i) {
                const QRectF tile(r.left() + double(i) * (tileW + gap), r.top(), tileW, r.height());
                p.setPen(QPen(kBorder, pt(0.8)));
                p.setBrush(Qt::white);
                p.drawRoundedRect(tile, pt(5), pt(5));
                const QRectF inner = tile.adjusted(pt(8), pt(7), -pt(6), -pt(6));
                p.setFont(sans(7.5));
                p.setPen(kMuted);
                p.drawText(inner, Qt::AlignLeft | Qt::AlignTop, tiles[i].label);
                const QFont valueFont = sans(14, true);
                p.setFont(valueFont);
                p.setPen(kText);
                p.drawText(QRectF(inner.left(), inner.top() + pt(11), inner.width(), pt(20)),
                    Qt::AlignLeft | Qt::AlignVCenter,
                    metrics(valueFont).elidedText(tiles[i].value, Qt::ElideRight, inner.width()));
                p.setFont(sans(7));
                p.setPen(kMuted);
                p.drawText(inner, Qt::AlignLeft | Qt::AlignBottom,
                    metrics(sans(7)).elidedText(tiles[i].note, Qt::ElideRight, inner.width()));
            }
        });
    }

    void keyFindings()
    {
        subheading(tr("Key findings"));
        const QFont font = sans(9);
        const double indent = pt(56);
        const double w = m_doc.width() - indent;
        if (d.recommendations.empty()) {
            paragraph(d.adviceSource == ReportAdviceSource::History
                    ? tr("No recommendations were saved for this period.")
                    : tr("No recommendations: every rule is within its thresholds."),
                font, kText, pt(6));
        }
        // As many as fit above the contents (at most five): the cover stays one page.
        const QFont contentsFont = sans(9);
        const double lineH = metrics(contentsFont).height() + pt(3);
        const double contentsHeight = pt(8) + metrics(sans(11, true)).height() + pt(12) + lineH * kSectionCount;
        double room = m_doc.remaining() - contentsHeight - metrics(sans(8.5)).height();
        std::size_t shown = 0;
        for (; shown < std::min<std::size_t>(5, d.recommendations.size()); ++shown) {
            const double h
                = std::max(textHeight(font, w, d.recommendations[shown].message), metrics(font).height()) + pt(5);
            if (h > room)
                break;
            room -= h;
        }
        for (std::size_t i = 0; i < shown; ++i) {
            const Recommendation *r = &d.recommendations[i];
            const double h = std::max(textHeight(font, w, r->message), metrics(font).height()) + pt(5);
            m_doc.place(h, [=, this](QPainter &p, const QRectF &rect) {
                p.setRenderHint(QPainter::Antialiasing);
                priorityChip(p, QPointF(rect.left(), rect.top() + pt(1)), r->priority);
                p.setFont(font);
                p.setPen(kText);
                drawClipped(
                    p, QRectF(rect.left() + indent, rect.top(), w, rect.height()), Qt::TextWordWrap, r->message);
            });
        }
        if (d.recommendations.size() > shown)
            paragraph(tr("… and %n more.", nullptr, int(d.recommendations.size() - shown)), sans(8.5), kMuted);
        m_doc.space(pt(8));
        // Contents: page numbers are known once everything is laid out.
        subheading(tr("Contents"));
        auto pages = m_pages;
        auto names = std::make_shared<std::vector<QString>>();
        m_contentsNames = names;
        m_doc.place(lineH * kSectionCount, [=, this](QPainter &p, const QRectF &r) {
            p.setFont(contentsFont);
            double y = r.top();
            for (const QString &name : *names) {
                const auto it = pages->find(name);
                if (it == pages->end())
                    continue;
                const QString page = QString::number(it->second);
                p.setPen(kText);
                p.drawText(QPointF(r.left(), y + metrics(contentsFont).ascent()), name);
                p.setPen(kMuted);
                const double pw = metrics(contentsFont).horizontalAdvance(page);
                p.drawText(QPointF(r.left() + pt(260) - pw, y + metrics(contentsFont).ascent()), page);
                QPen dots(kBorder, pt(0.6));
                dots.setStyle(Qt::DotLine);
                p.setPen(dots);
                const double nameW = metrics(contentsFont).horizontalAdvance(name);
                p.drawLine(QPointF(r.left() + nameW + pt(4), y + metrics(contentsFont).ascent()),
                    QPointF(r.left() + pt(260) - pw - pt(4), y + metrics(contentsFont).ascent()));
                y += lineH;
            }
        });
    }

public:
    /// Hands the section names to the contents block (called after compose()).
    void finish()
    {
        if (m_contentsNames)
            *m_contentsNames = m_contents;
    }

private:
    // ---- Charts ----

    void charts()
    {
        const QPalette pal = printPalette();
        heading(tr("Over time"),
            tr("All services, in steps of %1, from %2. The last, incomplete step is left out.")
                .arg(stepText(), dateTime(d.chartFromMs)));
        const bool processing = !d.throughput[2].isEmpty();
        std::vector<ReportChart> list(processing ? 5 : 4);
        for (ReportChart &c : list) {
            c.fromMs = d.chartFromMs;
            c.toMs = std::max(d.toMs - 1, d.chartFromMs + d.stepMs);
            c.stepMs = d.stepMs;
        }
        ReportChart &latency = list[0];
        latency.title = tr("API latency");
        latency.lines = { { tr("p50"), Theme::seriesColor(Theme::SeriesRole::P50, pal), d.latency[0] },
            { tr("p95"), Theme::seriesColor(Theme::SeriesRole::P95, pal), d.latency[1] },
            { tr("p99"), Theme::seriesColor(Theme::SeriesRole::P99, pal), d.latency[2] } };
        latency.formatY = [](double v) {
            return v >= 1000 ? Format::tr("%1 s").arg(shortest(v / 1000)) : Format::tr("%1 ms").arg(shortest(v));
        };
        latency.threshold = d.thresholds.slowApiMs;
        latency.thresholdName = tr("slow-API threshold %1").arg(Format::duration(d.thresholds.slowApiMs));
        latency.thresholdColor = Theme::seriesColor(Theme::SeriesRole::Threshold, pal);
        latency.emptyText = tr("No API requests in this period");

        ReportChart &throughput = list[1];
        throughput.title = tr("Throughput");
        throughput.lines
            = { { tr("requests/s"), Theme::seriesColor(Theme::SeriesRole::Requests, pal), d.throughput[0] },
                  { tr("database operations/s"), Theme::seriesColor(Theme::SeriesRole::DbOps, pal), d.throughput[1] } };
        const auto rate = [](double v) {
            return v >= 1000 ? Format::tr("%1 k/s").arg(shortest(v / 1000)) : Format::tr("%1/s").arg(shortest(v));
        };
        throughput.formatY = rate;
        throughput.emptyText = tr("No requests or database operations in this period");

        ReportChart &errors = list[2];
        errors.title = tr("Error rate");
        QList<QPointF> apiErrors;
        QList<QPointF> dbErrors;
        for (const QPointF &p : d.errorRate[0])
            apiErrors.append(QPointF(p.x(), 100.0 * p.y()));
        for (const QPointF &p : d.errorRate[1])
            dbErrors.append(QPointF(p.x(), 100.0 * p.y()));
        errors.lines = { { tr("API 5xx"), Theme::seriesColor(Theme::SeriesRole::ApiErrors, pal), apiErrors },
            { tr("failed database operations"), Theme::seriesColor(Theme::SeriesRole::DbErrors, pal), dbErrors } };
        errors.formatY = [](double v) { return Format::tr("%1%").arg(shortest(v)); };
        errors.threshold = 100.0 * d.thresholds.errorRateThreshold;
        errors.thresholdName = tr("error-rate threshold %1").arg(Format::percent(d.thresholds.errorRateThreshold, 0));
        errors.thresholdColor = Theme::seriesColor(Theme::SeriesRole::Threshold, pal);

        ReportChart &score = list[3];
        score.title = tr("Performance score");
        score.lines = { { tr("score"), kText, d.scoreSeries } };
        score.formatY = [](double v) { return QString::number(qRound(v)); };
        score.scoreBands = true;
        score.emptyText = tr("No score in this period");
        if (processing) {
            // Items per second run at another scale than requests: a chart of their own.
            ReportChart &items = list[4];
            items.title = tr("Processing throughput");
            items.lines
                = { { tr("items processed/s"), Theme::seriesColor(Theme::SeriesRole::Items, pal), d.throughput[2] } };
            items.formatY = rate;
            std::swap(list[2], list[4]); // latency, throughput, processing, score, errors ...
            std::swap(list[3], list[4]); // ... latency, throughput, processing, errors, score
        }

        const double gap = pt(12);
        const double n = double(list.size());
        const double h = (m_doc.remaining() - gap * (n - 1)) / n;
        for (std::size_t i = 0; i < list.size(); ++i) {
            auto chart = std::make_shared<ReportChart>(std::move(list[i]));
            m_doc.place(h, [chart](QPainter &p, const QRectF &r) { ReportChartPainter::paint(p, r, *chart, kPt); });
            if (i + 1 < list.size())
                m_doc.space(gap);
        }
    }

    // ---- Recommendations ----

    void recommendations()
    {
        const auto count = [this](Priority priority) {
            return int(std::count_if(d.recommendations.begin(), d.recommendations.end(),
                [priority](const Recommendation &r) { return r.priority == priority; }));
        };
        QString subtitle;
        if (d.recommendations.empty()) {
            subtitle = d.adviceSource == ReportAdviceSource::History
                ? tr("No data arrived in the last %1.").arg(windowText())
                : tr("From the analysis of the last %1, at %2.").arg(windowText(), dateTime(d.adviceAtMs));
        } else {
            const QString counts = tr("%1 high, %2 medium and %3 low priority")
                                       .arg(count(Priority::High))
                                       .arg(count(Priority::Medium))
                                       .arg(count(Priority::Low));
            switch (d.adviceSource) {
            case ReportAdviceSource::LatestAnalysis:
                subtitle = tr("%1, from the analysis of the last %2 at %3.")
                               .arg(counts, windowText(), dateTime(d.adviceAtMs));
                break;
            case ReportAdviceSource::Saved:
                subtitle = tr("%1, as PerfWatch saved them from its analysis of the last %2 at %3.")
                               .arg(counts, windowText(), dateTime(d.adviceAtMs));
                break;
            case ReportAdviceSource::History:
                subtitle
                    = tr("%1. No data arrived in the last %2: these are the recommendations PerfWatch saved at %3.")
                          .arg(counts, windowText(), dateTime(d.adviceAtMs));
                break;
            }
        }
        heading(tr("Recommendations"), subtitle);
        if (d.recommendations.empty()) {
            paragraph(d.adviceSource == ReportAdviceSource::History
                    ? tr("No recommendations were saved for this period.")
                    : tr("No recommendations: every rule is within its thresholds."),
                sans(9.5), kText, pt(10));
            return;
        }
        // In full the most pressing ones (high priority first, then by impact); the rest as a list.
        const std::size_t cards = m_options.maxRecommendationCards > 0
            ? std::min(d.recommendations.size(), std::size_t(m_options.maxRecommendationCards))
            : d.recommendations.size();
        for (std::size_t i = 0; i < cards; ++i)
            recommendationCard(d.recommendations[i]);
        if (cards == d.recommendations.size())
            return;
        const std::size_t rest = d.recommendations.size() - cards;
        const std::size_t listed
            = m_options.maxTableRows > 0 ? std::min(rest, std::size_t(m_options.maxTableRows)) : rest;
        QString note = tr("%n more, in order of priority and impact; recommendations.csv has their evidence and "
                          "suggestions.",
            nullptr, int(rest));
        if (listed < rest)
            note += u' ' + tr("The first %1 are listed here.").arg(Format::count(quint64(listed)));
        m_doc.space(pt(8));
        subheading(tr("More recommendations"), note);
        std::vector<TableRow> rows;
        rows.reserve(listed);
        for (std::size_t i = cards; i < cards + listed; ++i) {
            const Recommendation &r = d.recommendations[i];
            TableRow row;
            // The message names the key: the long text goes first so it takes the free width.
            row.cells = { r.message, Theme::priorityWord(r.priority),
                DisplayText::isolate(r.target.isEmpty() ? r.service : r.target) };
            rows.push_back(std::move(row));
        }
        drawTable(tr("More recommendations"),
            { { tr("Problem"), true, true }, { tr("Priority"), true }, { tr("Key"), true } }, std::move(rows));
    }

    void recommendationCard(const Recommendation &rec)
    {
        const Recommendation *r = &rec;
        const double w = m_doc.width();
        const double bar = pt(3);
        const double pad = pt(10);
        const double inner = w - bar - 2 * pad;
        const QFont titleFont = sans(9, true);
        const QFont metaFont = sans(8);
        const QFont messageFont = sans(9.5);
        const QFont labelFont = sans(7, true);
        const QFont textFont = sans(9);
        const QFont codeFont = mono(8.5);
        const QFont evidenceFont = sans(7.5);

        // An index statement is set apart in a monospace box.
        QString suggestion = r->suggestion;
        // The suggestion names the statement isolated (Analyzer), so it is looked for isolated.
        QString code = DisplayText::isolate(r->evidence.value(QStringLiteral("index")).toString());
        if (!code.isEmpty() && suggestion.endsWith(code)) {
            suggestion.chop(code.size());
            suggestion = suggestion.trimmed();
            if (suggestion.endsWith(u':'))
                suggestion.chop(1);
        } else if (!code.isEmpty() && suggestion.contains(code)) {
            code.clear(); // mid-sentence: leave the sentence whole
        }
        QStringList evidence;
        for (auto it = r->evidence.begin(); it != r->evidence.end(); ++it) {
            if (it.key() == u"index")
                continue;
            QString name = it.key();
            name.replace(u'_', u' ');
            evidence << name + QStringLiteral(": ") + evidenceValue(it.value());
        }
        if (r->firstSeenMs > 0)
            evidence << tr("first seen: %1").arg(dateTime(r->firstSeenMs));
        const QString evidenceText = evidence.join(QStringLiteral("  ·  "));
        const QString target = DisplayText::isolate(r->target.isEmpty() ? r->service : r->target);
        const QString meta
            = tr("%1 · service %2").arg(Theme::recommendationTypeWord(r->type), DisplayText::isolate(r->service));

        const double titleH = metrics(titleFont).height() + pt(4);
        const double messageH = textHeight(messageFont, inner, r->message) + pt(6);
        const double labelH = metrics(labelFont).height() + pt(2);
        const double suggestionH = textHeight(textFont, inner, suggestion);
        const double codeH
            = code.isEmpty() ? 0 : textHeight(codeFont, inner - pt(12), code, Qt::TextWrapAnywhere) + pt(10);
        const double evidenceH = textHeight(evidenceFont, inner, evidenceText);
        const double h = pt(8) + titleH + messageH + labelH + suggestionH + (code.isEmpty() ? 0 : pt(4) + codeH) + pt(6)
            + labelH + evidenceH + pt(8);
        m_doc.place(h, [=, this](QPainter &p, const QRectF &rect) {
            p.setRenderHint(QPainter::Antialiasing);
            const QRectF card = rect.adjusted(0, 0, 0, -pt(6));
            p.setPen(QPen(kBorder, pt(0.7)));
            p.setBrush(Qt::white);
            p.drawRoundedRect(card, pt(4), pt(4));
            p.setPen(Qt::NoPen);
            p.setBrush(priorityColor(r->priority));
            QPainterPath stripe;
            stripe.addRoundedRect(QRectF(card.left(), card.top(), bar * 2, card.height()), pt(3), pt(3));
            QPainterPath clip;
            clip.addRect(QRectF(card.left(), card.top(), bar, card.height()));
            p.drawPath(stripe.intersected(clip));
            p.setBrush(Qt::NoBrush);

            const double x = card.left() + bar + pad;
            double y = card.top() + pt(7);
            double chipW = 0;
            priorityChip(p, QPointF(x, y), r->priority, &chipW);
            p.setFont(titleFont);
            p.setPen(kText);
            const QFontMetricsF tm = metrics(titleFont);
            const double metaW = metrics(metaFont).horizontalAdvance(meta);
            const double targetW = inner - chipW - pt(8) - metaW - pt(12);
            const QRectF title(x + chipW + pt(6), y, targetW, titleH);
            drawClipped(p, title, title.adjusted(0, 0, 0, pt(50)), Qt::AlignLeft | Qt::AlignTop | Qt::TextSingleLine,
                tm.elidedText(target, Qt::ElideMiddle, targetW));
            p.setFont(metaFont);
            p.setPen(kMuted);
            const QRectF metaRect(card.right() - pad - metaW, y, metaW, titleH);
            drawClipped(p, metaRect,
                QRectF(metaRect.left(), y + tm.ascent() - metrics(metaFont).ascent(), metaW, pt(50)),
                Qt::AlignLeft | Qt::AlignTop | Qt::TextSingleLine, meta);
            y += titleH;
            p.setFont(messageFont);
            p.setPen(kText);
            drawClipped(p, QRectF(x, y, inner, messageH), Qt::TextWordWrap, r->message);
            y += messageH;
            p.setFont(labelFont);
            p.setPen(kMuted);
            p.drawText(QPointF(x, y + metrics(labelFont).ascent()), tr("SUGGESTION"));
            y += labelH;
            p.setFont(textFont);
            p.setPen(kText);
            drawClipped(p, QRectF(x, y, inner, suggestionH), Qt::TextWordWrap, suggestion);
            y += suggestionH;
            if (!code.isEmpty()) {
                y += pt(4);
                const QRectF box(x, y, inner, codeH);
                p.setPen(Qt::NoPen);
                p.setBrush(kCodeFill);
                p.drawRoundedRect(box, pt(3), pt(3));
                p.setBrush(Qt::NoBrush);
                p.setFont(codeFont);
                p.setPen(kText);
                drawClipped(p, box, box.adjusted(pt(6), pt(5), -pt(6), -pt(5)), Qt::TextWrapAnywhere, code);
                y += codeH;
            }
            y += pt(6);
            p.setFont(labelFont);
            p.setPen(kMuted);
            p.drawText(QPointF(x, y + metrics(labelFont).ascent()), tr("EVIDENCE"));
            y += labelH;
            p.setFont(evidenceFont);
            drawClipped(p, QRectF(x, y, inner, evidenceH), Qt::TextWordWrap, evidenceText);
        });
    }

    static QString evidenceValue(const QJsonValue &v)
    {
        switch (v.type()) {
        case QJsonValue::Double: {
            const double x = v.toDouble();
            return Format::number(x, std::abs(x) < 1 ? 3 : 2);
        }
        case QJsonValue::String:
            return DisplayText::isolate(v.toString());
        case QJsonValue::Bool:
            return v.toBool() ? Format::tr("yes") : Format::tr("no");
        case QJsonValue::Array: {
            QStringList parts;
            const QJsonArray array = v.toArray();
            for (const QJsonValue &item : array)
                parts << evidenceValue(item);
            return parts.join(QStringLiteral(", "));
        }
        case QJsonValue::Object: {
            QStringList parts;
            const QJsonObject o = v.toObject();
            for (auto it = o.begin(); it != o.end(); ++it)
                parts << it.key() + u' ' + evidenceValue(it.value());
            return parts.join(QStringLiteral(", "));
        }
        default:
            return Format::none();
        }
    }

    // ---- Trends ----

    void trends()
    {
        if (d.trends.empty())
            return;
        std::vector<const Trend *> rows;
        for (const Trend &t : d.trends)
            rows.push_back(&t);
        std::sort(rows.begin(), rows.end(), [](const Trend *a, const Trend *b) { return a->change > b->change; });
        if (rows.size() > 40)
            rows.resize(40);
        m_doc.space(pt(10));
        subheading(tr("Latency trends"),
            tr("p95 of the last %1 against the hour before, for keys with enough samples in both; most slowed-down "
               "first.")
                .arg(windowText()));
        std::vector<TableColumn> columns {
            { tr("Key"), true },
            { tr("Service"), true },
            { tr("Hour before"), false },
            { tr("Last %1").arg(windowText()), false },
            { tr("Change"), false },
            { tr("Direction"), true },
        };
        std::vector<TableRow> table;
        for (const Trend *t : rows) {
            TableRow row;
            QString direction;
            Theme::Severity severity = Theme::Severity::None;
            switch (t->direction) {
            case TrendDirection::Degrading:
                direction = tr("slower");
                severity = Theme::Severity::Critical;
                break;
            case TrendDirection::Improving:
                direction = tr("faster");
                severity = Theme::Severity::Good;
                break;
            case TrendDirection::Stable:
                direction = tr("stable");
                break;
            }
            row.cells = { DisplayText::isolate(t->meta.name), DisplayText::isolate(t->meta.service),
                Format::duration(t->previousP95Ms), Format::duration(t->currentP95Ms),
                (t->change > 0 ? QStringLiteral("+") : QString()) + Format::percent(t->change, 0), direction };
            row.severities = { Theme::Severity::None, Theme::Severity::None, Theme::Severity::None,
                Theme::Severity::None, severity, severity };
            table.push_back(std::move(row));
        }
        drawTable(tr("Latency trends"), columns, std::move(table));
    }

    // ---- Key tables ----

    struct TableColumn
    {
        QString title;
        bool left = false; ///< text columns; numbers go right
        bool words = false; ///< the first column: wraps at spaces (sentences), not anywhere (keys)
    };
    struct TableRow
    {
        QStringList cells;
        std::vector<Theme::Severity> severities;
    };

    void tables()
    {
        const struct
        {
            Table table;
            QString title;
            QString (*noun)(int);
            QString empty;
        } sections[] = {
            { Table::Api, tr("API endpoints"), [](int n) { return tr("%n endpoint(s)", nullptr, n); },
                tr("No API requests in this period.") },
            { Table::Database, tr("Database operations"), [](int n) { return tr("%n operation(s)", nullptr, n); },
                tr("No database operations in this period.") },
            { Table::Processing, tr("Processing steps"), [](int n) { return tr("%n step(s)", nullptr, n); },
                tr("No processing steps in this period.") },
        };
        m_doc.newPage();
        for (const auto &s : sections) {
            m_doc.space(pt(10));
            const std::vector<KeyRow> &rows = d.rowsOf(s.table);
            heading(s.title, tableNote(rows.size(), s.noun, true, true));
            keyTable(s.table, s.title, rows, s.empty);
        }
        m_doc.space(pt(10));
        heading(tr("Caches and resources"));
        subheading(tr("Gauges and pools"),
            tableNote(
                d.gauges.size(), [](int n) { return tr("%n gauge(s)", nullptr, n); }, false, false));
        keyTable(Table::Gauges, tr("Gauges and pools"), d.gauges, tr("No gauges in this period."));
        m_doc.space(pt(14));
        subheading(tr("Caches"),
            tableNote(
                d.caches.size(), [](int n) { return tr("%n cache(s)", nullptr, n); }, false, true));
        keyTable(Table::Caches, tr("Caches"), d.caches, tr("No cache lookups in this period."));
    }

    QString tableNote(std::size_t total, QString (*noun)(int), bool byP95, bool rates) const
    {
        const int limit = m_options.maxTableRows;
        QString note = tr("%1 with data in the period").arg(noun(int(total)));
        if (byP95)
            note += tr(", slowest p95 first");
        note += u'.';
        if (limit > 0 && int(total) > limit)
            note += u' '
                + tr("The first %1 are shown; the CSV export lists all of them.").arg(Format::count(quint64(limit)));
        if (rates)
            note += u' ' + tr("Rates are per second over the whole period.");
        return note;
    }

    void keyTable(Table table, const QString &title, const std::vector<KeyRow> &rows, const QString &emptyText)
    {
        if (rows.empty()) {
            paragraph(emptyText, sans(9), kMuted, pt(6));
            return;
        }
        const std::vector<Column> columns = KeyStatsModel::columnsFor(table);
        std::vector<TableColumn> heads;
        for (Column c : columns)
            heads.push_back(
                { KeyStatsModel::columnTitle(table, c), c == KeyStatsModel::Name || c == KeyStatsModel::Service });
        const std::size_t shown
            = m_options.maxTableRows > 0 ? std::min(rows.size(), std::size_t(m_options.maxTableRows)) : rows.size();
        std::vector<TableRow> body;
        body.reserve(shown);
        for (std::size_t i = 0; i < shown; ++i) {
            TableRow row;
            for (Column c : columns) {
                row.cells << KeyStatsModel::cellText(rows[i], c);
                row.severities.push_back(KeyStatsModel::severityOf(rows[i], c, d.thresholds));
            }
            body.push_back(std::move(row));
        }
        drawTable(title, heads, std::move(body));
    }

    /// A table whose first column (the key) wraps and takes the width the others leave; breaks
    /// across pages with the header repeated under a "continued" caption.
    void drawTable(const QString &title, const std::vector<TableColumn> &columns, std::vector<TableRow> rows)
    {
        const double w = m_doc.width();
        double fontSize = 7.5;
        auto widths = std::make_shared<std::vector<double>>(columns.size());
        const double pad = pt(4);
        QFont font;
        QFont headFont;
        for (int attempt = 0; attempt < 3; ++attempt) {
            font = sans(fontSize);
            headFont = sans(fontSize - 0.5, true);
            const QFontMetricsF fm = metrics(font);
            const QFontMetricsF hm = metrics(headFont);
            double others = 0;
            for (std::size_t c = 1; c < columns.size(); ++c) {
                double cw = hm.horizontalAdvance(columns[c].title);
                for (const TableRow &row : rows)
                    cw = std::max(cw, fm.horizontalAdvance(row.cells[qsizetype(c)]));
                cw += 2 * pad;
                if (columns[c].left)
                    cw = std::min(cw, pt(90)); // a service name may be long: elided
                (*widths)[c] = cw;
                others += cw;
            }
            (*widths)[0] = w - others;
            if ((*widths)[0] >= pt(120) || fontSize <= 6.5)
                break;
            fontSize -= 0.5;
        }
        if ((*widths)[0] < pt(80)) {
            // Still too narrow: squeeze the numeric columns evenly.
            const double missing = pt(80) - (*widths)[0];
            for (std::size_t c = 1; c < columns.size(); ++c)
                (*widths)[c] -= missing / double(columns.size() - 1);
            (*widths)[0] = pt(80);
        }
        const QFontMetricsF fm = metrics(font);
        const double lineH = fm.height();
        const double headH = metrics(headFont).height() + pt(8);
        auto cols = std::make_shared<std::vector<TableColumn>>(columns);
        const QPalette pal = printPalette();
        const int wrap = columns.front().words ? Qt::TextWordWrap : Qt::TextWrapAnywhere;

        const auto header = [=, this](QPainter &p, const QRectF &r) {
            p.fillRect(r, kHeaderFill);
            p.setPen(QPen(kBorder, pt(0.6)));
            p.drawLine(r.bottomLeft(), r.bottomRight());
            p.setFont(headFont);
            p.setPen(kMuted);
            double x = r.left();
            for (std::size_t c = 0; c < cols->size(); ++c) {
                const double cw = (*widths)[c];
                const QRectF cell(x + pad, r.top(), cw - 2 * pad, r.height());
                p.drawText(cell, Qt::AlignVCenter | ((*cols)[c].left ? Qt::AlignLeft : Qt::AlignRight),
                    metrics(headFont).elidedText((*cols)[c].title, Qt::ElideRight, cell.width()));
                x += cw;
            }
        };
        const QString continued = tr("%1 (continued)").arg(title);
        const QFont continuedFont = sans(8, true);
        const double continuedH = metrics(continuedFont).height() + pt(4);
        const auto placeHeader = [&](bool isContinued) {
            if (isContinued) {
                m_doc.place(continuedH, [continued, continuedFont](QPainter &p, const QRectF &r) {
                    p.setFont(continuedFont);
                    p.setPen(kMuted);
                    p.drawText(r, Qt::AlignLeft | Qt::AlignTop, continued);
                });
            }
            m_doc.place(headH, header);
        };
        keep(headH + lineH + pt(6));
        placeHeader(false);
        for (std::size_t i = 0; i < rows.size(); ++i) {
            auto row = std::make_shared<TableRow>(std::move(rows[i]));
            // The key wraps anywhere (routes have no spaces), at most three lines.
            QString key = row->cells[0];
            const double keyWidth = (*widths)[0] - 2 * pad;
            if (fm.horizontalAdvance(key) > keyWidth * 3)
                key = fm.elidedText(key, Qt::ElideMiddle, keyWidth * 2.9);
            row->cells[0] = key;
            const double keyHeight = textHeight(font, keyWidth, key, wrap);
            const double h = std::max(lineH, keyHeight) + pt(5);
            if (m_doc.remaining() < h) {
                m_doc.newPage();
                placeHeader(true);
            }
            const bool zebra = i % 2 == 1;
            m_doc.place(h, [=, this](QPainter &p, const QRectF &r) {
                if (zebra)
                    p.fillRect(r, kZebra);
                p.setFont(font);
                double x = r.left();
                for (std::size_t c = 0; c < cols->size(); ++c) {
                    const double cw = (*widths)[c];
                    const QRectF cellRect(x, r.top(), cw, r.height());
                    const Theme::Severity s = c < row->severities.size() ? row->severities[c] : Theme::Severity::None;
                    if (s != Theme::Severity::None)
                        p.fillRect(cellRect.adjusted(pt(0.5), pt(0.5), -pt(0.5), -pt(0.5)), Theme::cellTint(s, pal));
                    const QRectF text(x + pad, r.top() + pt(2.5), cw - 2 * pad, r.height() - pt(5));
                    p.setPen(c == 1 && (*cols)[c].left ? kMuted : kText);
                    // Each cell's text stays in its cell, whatever marks a name stacks.
                    if (c == 0) {
                        drawClipped(p, cellRect, text, wrap | Qt::AlignLeft | Qt::AlignTop, row->cells[0]);
                    } else {
                        drawClipped(p, cellRect, text,
                            Qt::AlignTop | ((*cols)[c].left ? Qt::AlignLeft : Qt::AlignRight),
                            (*cols)[c].left ? fm.elidedText(row->cells[qsizetype(c)], Qt::ElideRight, text.width())
                                            : row->cells[qsizetype(c)]);
                    }
                    x += cw;
                }
                p.setPen(QPen(kBorder, pt(0.4)));
                p.drawLine(r.bottomLeft(), r.bottomRight());
            });
        }
    }

    // ---- About ----

    void about()
    {
        m_doc.space(pt(20));
        subheading(tr("How to read this report"));
        const QFont font = sans(8.5);
        const AnalyzerConfig &t = d.thresholds;
        const QStringList lines {
            tr("Figures cover %1 (%2), read from PerfWatch's memory and its history, which keeps every minute of "
               "every key. Rates are per second over the whole period.")
                .arg(periodText(), hoursText()),
            tr("Percentiles come from mergeable latency sketches with at most 1% relative error. Apdex uses T = %1; "
               "5xx responses count as frustrated.")
                .arg(Format::duration(t.slowApiMs)),
            tr("The score (0–100) looks at the last %1: up to %2 points are lost for API p95 between %3 and %4, up "
               "to %5 for the database average between %6 and %7, up to %8 for errors between %9 and %10, and a "
               "cache hit rate of %11 or more adds %12.")
                .arg(windowText(), Format::number(t.apiMaxLost, 0), Format::duration(t.slowApiMs),
                    Format::duration(ScoreLimits::kApiAllLostFactor * t.slowApiMs), Format::number(t.dbMaxLost, 0),
                    Format::duration(t.slowDbMs), Format::duration(ScoreLimits::kDbAllLostFactor * t.slowDbMs),
                    Format::number(t.errorMaxLost, 0), Format::percent(t.errorRateLow, 0))
                .arg(Format::percent(t.errorRateHigh, 0), Format::percent(t.cacheBonusHitRate, 0),
                    Format::number(t.cacheBonus, 0)),
            tr("Tinted cells are above a threshold (red) or close to one (amber), as in the window. The CSV export "
               "(api_requests.csv and the other files) holds every row with unrounded numbers."),
        };
        for (const QString &line : lines)
            paragraph(line, font, kText, pt(5));
        paragraph(tr("Made by PerfWatch %1.").arg(QCoreApplication::applicationVersion()), sans(8), kMuted);
    }

    const ReportData &d;
    const ReportPdfOptions &m_options;
    QPaintDevice *m_device;
    ReportDocument &m_doc;
    std::shared_ptr<std::map<QString, int>> m_pages;
    std::vector<QString> m_contents;
    std::shared_ptr<std::vector<QString>> m_contentsNames;
};

} // namespace

bool ReportPdfWriter::canRender(QString *why)
{
    if (qobject_cast<QGuiApplication *>(QCoreApplication::instance()))
        return true;
    if (why)
        *why = tr("PDF reports need a QGuiApplication (fonts); this process runs without one");
    return false;
}

bool ReportPdfWriter::pageSizeFromName(const QString &name, ReportPageSize &size)
{
    if (name.compare(QLatin1String("A4"), Qt::CaseInsensitive) == 0) {
        size = ReportPageSize::A4;
        return true;
    }
    if (name.compare(QLatin1String("Letter"), Qt::CaseInsensitive) == 0) {
        size = ReportPageSize::Letter;
        return true;
    }
    return false;
}

bool ReportPdfWriter::write(const ReportData &data, QIODevice *device, const ReportPdfOptions &options, QString *error,
    const ReportProgress &progress)
{
    const auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (!canRender(error))
        return false;
    if (progress && !progress(60))
        return fail(tr("cancelled"));

    QPdfWriter writer(device);
    writer.setResolution(kResolution);
    writer.setPageSize(QPageSize(options.pageSize == ReportPageSize::Letter ? QPageSize::Letter : QPageSize::A4));
    writer.setPageMargins(QMarginsF(0, 0, 0, 0));
    writer.setTitle(tr("PerfWatch performance report"));
    writer.setCreator(QStringLiteral("PerfWatch ") + QCoreApplication::applicationVersion());

    const double pageW = writer.width();
    const double pageH = writer.height();
    const double side = 40 * kPt;
    const QRectF content(side, 54 * kPt, pageW - 2 * side, pageH - 54 * kPt - 46 * kPt);
    ReportDocument doc(content, kPt);
    Composer composer(data, options, &writer, doc);
    composer.compose();
    composer.finish();
    if (progress && !progress(70))
        return fail(tr("cancelled"));

    QPainter painter;
    if (!painter.begin(&writer))
        return fail(tr("cannot start the PDF"));
    const QFont headerFont = sans(7.5);
    const QFont headerBold = sans(7.5, true);
    const QFontMetricsF hm(headerFont, &writer);
    const QString title = tr("PerfWatch performance report");
    const QString period = composer.periodText();
    const QString generated = tr("Generated %1")
                                  .arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(data.generatedAtMs),
                                      tr("d MMM yyyy, HH:mm", "date and time format")));
    const int pages = doc.pageCount();
    for (int i = 0; i < pages; ++i) {
        if (i > 0 && !writer.newPage())
            return fail(tr("cannot add a page to the PDF"));
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setRenderHint(QPainter::TextAntialiasing);
        if (i > 0) {
            // Running header: what and when, above a hairline.
            const double y = 30 * kPt;
            painter.setFont(headerBold);
            painter.setPen(kText);
            painter.drawText(QPointF(side, y), title);
            painter.setFont(headerFont);
            painter.setPen(kMuted);
            painter.drawText(QPointF(pageW - side - hm.horizontalAdvance(period), y), period);
            painter.setPen(QPen(kBorder, 0.6 * kPt));
            painter.drawLine(QPointF(side, y + 7 * kPt), QPointF(pageW - side, y + 7 * kPt));
        }
        const double footerY = pageH - 24 * kPt;
        painter.setPen(QPen(kBorder, 0.6 * kPt));
        painter.drawLine(QPointF(side, footerY - 11 * kPt), QPointF(pageW - side, footerY - 11 * kPt));
        painter.setFont(headerFont);
        painter.setPen(kMuted);
        painter.drawText(QPointF(side, footerY), generated);
        const QString pageText = tr("Page %1 of %2").arg(i + 1).arg(pages);
        painter.drawText(QPointF(pageW - side - hm.horizontalAdvance(pageText), footerY), pageText);
        doc.paintPage(i, painter);
        if (progress && !progress(70 + 30 * (i + 1) / pages)) {
            painter.end();
            return fail(tr("cancelled"));
        }
    }
    if (!painter.end())
        return fail(tr("cannot finish the PDF"));
    return true;
}

} // namespace perfwatch
