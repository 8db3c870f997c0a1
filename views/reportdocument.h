#pragma once

#include <QRectF>
#include <functional>
#include <vector>

class QPainter;

namespace perfwatch {

/// Page layout of a report: blocks are placed first (so the page count is known before anything
/// is painted, for "Page 3 of 7" and forward references), then painted page by page.
///
/// Units are the paint device's; `pt` converts typographic points into them.
class ReportDocument
{
public:
    using Paint = std::function<void(QPainter &painter, const QRectF &rect)>;

    /// `content` is the area between the running header and the footer of every page.
    ReportDocument(const QRectF &content, double pt);

    double pt() const { return m_pt; }
    const QRectF &content() const { return m_content; }
    double width() const { return m_content.width(); }
    /// Height left on the current page.
    double remaining() const { return m_content.bottom() - m_y; }
    /// 1-based number of the page the next block lands on (when it fits).
    int currentPage() const { return int(m_pages.size()); }
    int pageCount() const { return int(m_pages.size()); }
    bool atPageTop() const { return m_y <= m_content.top(); }

    void newPage();
    /// Places a block of `height` at the cursor, on a new page when it does not fit (a block taller
    /// than a page is placed at the top of one and clipped). Returns where it went.
    QRectF place(double height, Paint paint);
    /// Vertical space; dropped at the top of a page.
    void space(double height);

    /// Paints the blocks of page `index` (0-based).
    void paintPage(int index, QPainter &painter) const;

private:
    struct Block
    {
        QRectF rect;
        Paint paint;
    };
    QRectF m_content;
    double m_pt;
    double m_y;
    std::vector<std::vector<Block>> m_pages;
};

} // namespace perfwatch
