#include "stringarena.h"

#include <algorithm>
#include <cstring>

namespace perfwatch {

char *StringArena::allocate(std::size_t size)
{
    if (size == 0)
        size = 1; // keep views non-null
    while (m_current < m_blocks.size()) {
        Block &block = m_blocks[m_current];
        if (block.size - m_offset >= size) {
            char *out = block.data.get() + m_offset;
            m_offset += size;
            m_used += size;
            return out;
        }
        ++m_current;
        m_offset = 0;
    }
    Block block;
    block.size = std::max(size, kBlockSize);
    block.data = std::make_unique_for_overwrite<char[]>(block.size);
    m_blocks.push_back(std::move(block));
    m_current = m_blocks.size() - 1;
    m_offset = size;
    m_used += size;
    return m_blocks.back().data.get();
}

std::string_view StringArena::store(std::string_view text)
{
    char *out = allocate(text.size());
    if (!text.empty())
        std::memcpy(out, text.data(), text.size());
    return { out, text.size() };
}

void StringArena::reset(std::size_t keepBlocks)
{
    if (m_blocks.size() > keepBlocks)
        m_blocks.resize(keepBlocks);
    m_current = 0;
    m_offset = 0;
    m_used = 0;
}

} // namespace perfwatch
