#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace perfwatch {

/// Settings of a Client; fromEnvironment() reads PERFWATCH_URL, PERFWATCH_TOKEN and PERFWATCH_SERVICE.
struct ClientOptions
{
    std::string url = "http://127.0.0.1:4318"; ///< PerfWatch, optionally with a path prefix (http only)
    std::string token; ///< sent as "Authorization: Bearer <token>" when not empty
    std::string service = "default"; ///< the "service" of every event
    std::size_t maxQueue = 10000; ///< events waiting beyond this are dropped (and counted)
    std::size_t batchSize = 1000; ///< events per POST, at most 1000
    std::chrono::milliseconds flushInterval { 1000 }; ///< a partial batch goes this long after its first event
    std::chrono::milliseconds timeout { 5000 }; ///< connect, send and receive, per request
    std::chrono::milliseconds backoffInitial { 500 }; ///< first retry delay; doubles per failure
    std::chrono::milliseconds backoffMax { 30000 }; ///< retry delay cap (before jitter)
    std::chrono::milliseconds retryAfterMax { 300000 }; ///< cap on a server's Retry-After
    std::chrono::milliseconds shutdownTimeout { 2000 }; ///< how long the destructor keeps delivering

    /// Defaults overridden by PERFWATCH_URL, PERFWATCH_TOKEN and PERFWATCH_SERVICE when set.
    static ClientOptions fromEnvironment();
};

/// Counters since the client started.
struct ClientStats
{
    std::uint64_t sent = 0; ///< events PerfWatch accepted
    std::uint64_t rejected = 0; ///< events PerfWatch refused one by one inside an accepted batch
    std::uint64_t failed = 0; ///< events of batches PerfWatch refused as a whole (400, 401, 413, ...)
    std::uint64_t dropped = 0; ///< events never delivered: queue full, or still queued at shutdown
    std::uint64_t invalid = 0; ///< calls whose numbers could not form an event (NaN, infinite, bad status)
    std::uint64_t queued = 0; ///< events waiting or in flight
    std::uint64_t retries = 0; ///< requests repeated after a network error, 429 or 5xx
    std::string lastError; ///< the latest delivery problem, empty if none
};

/// Optional details of a database event.
struct DbDetails
{
    std::vector<std::string> fields; ///< queried field names, for index advice
    bool error = false; ///< the operation failed
    std::optional<std::uint64_t> documents; ///< documents returned or touched
    std::string requestId; ///< overrides the current RequestScope's id
};

/// Sends events to PerfWatch's native ingest endpoint (POST /api/performance/ingest).
///
/// Every recording call formats one small JSON object and appends it to a bounded queue under a
/// short lock: it never waits for the network and never throws. A background thread POSTs batches
/// of up to batchSize events (or whatever is queued flushInterval after the first one), retries
/// with capped, jittered exponential back-off while PerfWatch is unreachable or answers 429/5xx
/// (honouring Retry-After), and drops batches PerfWatch refuses as a whole. Thread-safe.
class Client
{
public:
    Client(); ///< configured from the environment
    explicit Client(ClientOptions options);
    /// Delivers what it can within shutdownTimeout, then stops the sender thread.
    ~Client();
    Client(const Client &) = delete;
    Client &operator=(const Client &) = delete;

    /// An HTTP request served; route should be the template ("/api/trips/{id}").
    void api(std::string_view method, std::string_view route, double durationMs, int status,
        std::string_view requestId = {});
    /// A database operation, shown as "operation:collection".
    void db(std::string_view operation, std::string_view collection, double durationMs, const DbDetails &details = {});
    /// A processing step; itemsProcessed gives its throughput.
    void processing(std::string_view name, double durationMs, std::uint64_t itemsProcessed = 1);
    /// A resource reading such as "db.pool.in_use".
    void gauge(std::string_view name, double value);
    /// Cache lookups since this cache's previous report.
    void cache(std::string_view name, std::uint64_t hits, std::uint64_t misses);

    /// Waits until everything recorded before the call was delivered or refused (true), or the
    /// timeout passed (false). The only call that blocks.
    bool flush(std::chrono::milliseconds timeout);
    ClientStats stats() const;
    const ClientOptions &options() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace perfwatch
