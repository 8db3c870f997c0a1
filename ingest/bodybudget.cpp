#include "bodybudget.h"

namespace perfwatch {

bool BodyBudget::tryReserve(std::uint64_t bytes)
{
    std::uint64_t used = m_inUse.load(std::memory_order_relaxed);
    do {
        if (bytes > m_capacity || used > m_capacity - bytes) {
            m_refusals.fetch_add(1, std::memory_order_relaxed);
            return false;
        }
    } while (!m_inUse.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
    return true;
}

void BodyBudget::release(std::uint64_t bytes)
{
    m_inUse.fetch_sub(bytes, std::memory_order_relaxed);
}

} // namespace perfwatch
