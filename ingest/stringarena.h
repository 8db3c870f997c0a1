#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace perfwatch {

/// Bump allocator for the short strings a decoded batch composes (keys, normalised routes,
/// joined field lists). Views it hands out stay valid until reset(); blocks are kept for reuse.
class StringArena
{
public:
    static constexpr std::size_t kBlockSize = 64 * 1024;

    StringArena() = default;
    StringArena(const StringArena &) = delete;
    StringArena &operator=(const StringArena &) = delete;

    /// Returns `size` writable bytes that stay put until reset().
    char *allocate(std::size_t size);
    /// Copies `text` into the arena.
    std::string_view store(std::string_view text);
    /// Forgets every string; keeps at most `keepBlocks` blocks for the next batch.
    void reset(std::size_t keepBlocks = 16);

    /// Bytes handed out since the last reset().
    std::size_t used() const { return m_used; }

private:
    struct Block
    {
        std::unique_ptr<char[]> data;
        std::size_t size = 0;
    };
    std::vector<Block> m_blocks;
    std::size_t m_current = 0; ///< index of the block being filled
    std::size_t m_offset = 0; ///< fill level of that block
    std::size_t m_used = 0;
};

} // namespace perfwatch
