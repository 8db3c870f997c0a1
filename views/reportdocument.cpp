#include "reportdocument.h"

#include <QPainter>

namespace perfwatch {

ReportDocument::ReportDocument(const QRectF &content, double pt)
    : m_content(content)
    , m_pt(pt)
    , m_y(content.top())
    , m_pages(1)
{ }

void ReportDocument::newPage()
{
    m_pages.emplace_back();
    m_y = m_content.top();
}

QRectF ReportDocument::place(double height, Paint paint)
{
    if (m_y + height > m_content.bottom() && !atPageTop())
        newPage();
    const QRectF rect(m_content.left(), m_y, m_content.width(), height);
    m_pages.back().push_back(Block { rect, std::move(paint) });
    m_y += height;
    return rect;
}

void ReportDocument::space(double height)
{
    if (atPageTop())
        return;
    m_y = std::min(m_y + height, m_content.bottom());
}

void ReportDocument::paintPage(int index, QPainter &painter) const
{
    for (const Block &block : m_pages[std::size_t(index)]) {
        painter.save();
        block.paint(painter, block.rect);
        painter.restore();
    }
}

} // namespace perfwatch
