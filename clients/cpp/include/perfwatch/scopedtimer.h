#pragma once

#include "perfwatch/client.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace perfwatch {

/// Times a scope and records it when the scope ends.
///
///     { perfwatch::ScopedTimer t(client, "map_matching"); t.setItems(points.size()); match(points); }
///     auto t = perfwatch::ScopedTimer::db(client, "find", "trips", { "user_id" });
///     auto t = perfwatch::ScopedTimer::api(client, "GET", "/api/trips/{id}");  // t.setStatus(404)
///
/// A scope left by an exception records a db event with error=true and an api event with status
/// 500 (unless setStatus() was called). cancel() records nothing.
class ScopedTimer
{
public:
    /// A processing step.
    ScopedTimer(Client &client, std::string_view name, std::uint64_t items = 1);
    static ScopedTimer api(Client &client, std::string_view method, std::string_view route);
    static ScopedTimer db(
        Client &client, std::string_view operation, std::string_view collection, std::vector<std::string> fields = {});
    ~ScopedTimer();
    ScopedTimer(const ScopedTimer &) = delete;
    ScopedTimer &operator=(const ScopedTimer &) = delete;

    void setItems(std::uint64_t items) { m_items = items; }
    void setStatus(int status) { m_status = status; }
    void setError(bool error = true) { m_error = error; }
    void setDocuments(std::uint64_t documents) { m_documents = documents; }
    /// Milliseconds since the timer started.
    double elapsedMs() const;
    /// Records nothing when the scope ends.
    void cancel() { m_cancelled = true; }

private:
    enum class Kind
    {
        Processing,
        Api,
        Db
    };
    ScopedTimer(
        Client &client, Kind kind, std::string_view a, std::string_view b, std::vector<std::string> fields = {});
    void record();

    Client &m_client;
    Kind m_kind;
    std::string m_a; ///< name, method or operation
    std::string m_b; ///< route or collection
    std::vector<std::string> m_fields;
    std::uint64_t m_items = 1;
    int m_status = 0; ///< 0: 200, or 500 when an exception ends the scope
    bool m_error = false;
    bool m_cancelled = false;
    std::optional<std::uint64_t> m_documents;
    int m_exceptionsAtStart;
    std::chrono::steady_clock::time_point m_start;
};

/// Makes an id the current request id of this thread; db and api events recorded inside carry it,
/// so PerfWatch can attribute query time to endpoints and spot N+1 queries.
class RequestScope
{
public:
    explicit RequestScope(std::string requestId);
    ~RequestScope();
    RequestScope(const RequestScope &) = delete;
    RequestScope &operator=(const RequestScope &) = delete;

    /// The innermost RequestScope's id on this thread, empty outside any.
    static std::string_view current();

private:
    std::string m_previous;
};

} // namespace perfwatch
