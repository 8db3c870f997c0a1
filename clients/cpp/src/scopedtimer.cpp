#include "perfwatch/scopedtimer.h"

#include <exception>

namespace perfwatch {

ScopedTimer::ScopedTimer(
    Client &client, Kind kind, std::string_view a, std::string_view b, std::vector<std::string> fields)
    : m_client(client)
    , m_kind(kind)
    , m_a(a)
    , m_b(b)
    , m_fields(std::move(fields))
    , m_exceptionsAtStart(std::uncaught_exceptions())
    , m_start(std::chrono::steady_clock::now())
{ }

ScopedTimer::ScopedTimer(Client &client, std::string_view name, std::uint64_t items)
    : ScopedTimer(client, Kind::Processing, name, {})
{
    m_items = items;
}

ScopedTimer ScopedTimer::api(Client &client, std::string_view method, std::string_view route)
{
    return ScopedTimer(client, Kind::Api, method, route);
}

ScopedTimer ScopedTimer::db(
    Client &client, std::string_view operation, std::string_view collection, std::vector<std::string> fields)
{
    return ScopedTimer(client, Kind::Db, operation, collection, std::move(fields));
}

double ScopedTimer::elapsedMs() const
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - m_start).count();
}

ScopedTimer::~ScopedTimer()
{
    if (m_cancelled)
        return;
    try {
        record();
    } catch (...) {
        // Out of memory while formatting: the event is lost, the application is not.
    }
}

void ScopedTimer::record()
{
    const double ms = elapsedMs();
    const bool unwinding = std::uncaught_exceptions() > m_exceptionsAtStart;
    switch (m_kind) {
    case Kind::Processing:
        m_client.processing(m_a, ms, m_items);
        break;
    case Kind::Api:
        m_client.api(m_a, m_b, ms, m_status != 0 ? m_status : unwinding ? 500 : 200);
        break;
    case Kind::Db: {
        DbDetails details;
        details.fields = std::move(m_fields);
        details.error = m_error || unwinding;
        details.documents = m_documents;
        m_client.db(m_a, m_b, ms, details);
        break;
    }
    }
}

} // namespace perfwatch
