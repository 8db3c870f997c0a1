#include "decodedbatch.h"

namespace perfwatch {

void DecodedBatch::clear()
{
    m_events.clear();
    m_errors.clear();
    m_rejected = 0;
    m_refused = false;
    m_tooLarge = false;
    m_refusal.clear();
    m_arena.reset();
}

void DecodedBatch::reject(std::size_t index, std::string_view message)
{
    ++m_rejected;
    if (m_errors.size() < kMaxListedErrors)
        m_errors.push_back({ index, std::string(message) });
}

void DecodedBatch::refuse(std::string_view reason, bool tooLarge)
{
    m_tooLarge = tooLarge;
    m_events.clear();
    m_errors.clear();
    m_rejected = 0;
    m_refused = true;
    m_refusal.assign(reason);
}

} // namespace perfwatch
