#include "perfwatch/client.h"

#include "httpconnection.h"
#include "perfwatch/json.h"
#include "perfwatch/scopedtimer.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <utility>

namespace perfwatch {

using detail::Clock;

namespace {

constexpr std::string_view kIngestPath = "/api/performance/ingest";
constexpr std::size_t kMaxBatch = 1000;

std::string environment(const char *name)
{
    const char *value = std::getenv(name);
    return value ? std::string(value) : std::string();
}

void appendNumber(std::string &out, double value)
{
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

void appendNumber(std::string &out, std::uint64_t value)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

void appendNumber(std::string &out, std::int64_t value)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

void appendField(std::string &out, std::string_view key, std::string_view text)
{
    out += ",\"";
    out += key;
    out += "\":";
    appendJsonString(out, text);
}

template<typename Number>
void appendNumberField(std::string &out, std::string_view key, Number value)
{
    out += ",\"";
    out += key;
    out += "\":";
    appendNumber(out, value);
}

/// Reads an unsigned integer that follows `"key":` in a small JSON answer.
std::optional<std::uint64_t> jsonCount(std::string_view body, std::string_view key)
{
    const std::string needle = '"' + std::string(key) + "\":";
    std::size_t pos = body.find(needle);
    if (pos == std::string_view::npos)
        return std::nullopt;
    pos += needle.size();
    while (pos < body.size() && body[pos] == ' ')
        ++pos;
    std::uint64_t value = 0;
    if (std::from_chars(body.data() + pos, body.data() + body.size(), value).ec != std::errc())
        return std::nullopt;
    return value;
}

/// Retry-After as seconds: delta-seconds or an HTTP-date.
std::optional<double> parseRetryAfter(const std::string &value)
{
    if (value.empty())
        return std::nullopt;
    double seconds = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec == std::errc() && end == value.data() + value.size())
        return std::max(0.0, seconds);
    std::tm tm {};
    if (!::strptime(value.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm))
        return std::nullopt;
    const std::time_t when = ::timegm(&tm);
    return std::max(0.0, std::difftime(when, std::time(nullptr)));
}

thread_local std::string t_requestId;

} // namespace

ClientOptions ClientOptions::fromEnvironment()
{
    ClientOptions options;
    if (std::string url = environment("PERFWATCH_URL"); !url.empty())
        options.url = std::move(url);
    options.token = environment("PERFWATCH_TOKEN");
    if (std::string service = environment("PERFWATCH_SERVICE"); !service.empty())
        options.service = std::move(service);
    return options;
}

struct Client::Impl
{
    explicit Impl(ClientOptions o)
        : options(std::move(o))
        , rng(std::random_device {}())
    {
        options.batchSize = std::clamp<std::size_t>(options.batchSize, 1, kMaxBatch);
        options.maxQueue = std::max<std::size_t>(options.maxQueue, 1);
        appendJsonString(serviceJson, options.service);
        endpointValid = detail::Endpoint::parse(options.url, kIngestPath, endpoint, endpointError);
        if (!options.token.empty())
            headers = "Authorization: Bearer " + options.token + "\r\n";
        connection.setAbortFlag(&abortRequests);
        thread = std::thread([this] { run(); });
    }

    ClientOptions options;
    std::string serviceJson;
    detail::Endpoint endpoint;
    bool endpointValid = false;
    std::string endpointError;
    std::string headers;

    mutable std::mutex mutex;
    std::condition_variable wake; ///< the sender: work, flush or close
    std::condition_variable progress; ///< flush(): batches finished
    std::deque<std::string> queue;
    bool closing = false;
    Clock::time_point deadline; ///< when closing: give up at this time
    std::uint64_t enqueued = 0; ///< events ever accepted into the queue
    std::uint64_t done = 0; ///< events ever finished with (sent, refused, dropped)
    std::uint64_t taken = 0; ///< events ever taken off the queue
    std::uint64_t flushTarget = 0; ///< send at once until `taken` reaches this
    std::size_t inFlight = 0;
    ClientStats counters;

    bool senderExited = false;
    std::atomic<bool> abortRequests { false }; ///< set when shutdown's deadline passed mid-request

    // Sender thread only.
    std::mt19937 rng;
    detail::HttpConnection connection;
    std::thread thread;

    std::string begin(std::string_view type) const
    {
        std::string event;
        event.reserve(192);
        event += "{\"type\":\"";
        event += type;
        event += "\",\"service\":";
        event += serviceJson;
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        appendNumberField(
            event, "timestamp", std::int64_t(std::chrono::duration_cast<std::chrono::milliseconds>(now).count()));
        return event;
    }

    /// Formats an event (`build` returns it without the closing brace) and queues it. Formatting
    /// can only fail by running out of memory; that loses the event, never the application.
    template<typename Build>
    void record(Build &&build) noexcept
    {
        try {
            std::string event = build();
            event += '}';
            enqueue(std::move(event));
        } catch (...) {
            const std::lock_guard lock(mutex);
            ++counters.dropped;
        }
    }

    void enqueue(std::string event)
    {
        std::unique_lock lock(mutex);
        if (closing || queue.size() >= options.maxQueue) {
            ++counters.dropped;
            return;
        }
        queue.push_back(std::move(event));
        ++enqueued;
        const std::size_t pending = queue.size();
        lock.unlock();
        if (pending == 1 || pending == options.batchSize)
            wake.notify_one(); // start the interval, or send a full batch now
    }

    void invalid()
    {
        const std::lock_guard lock(mutex);
        ++counters.invalid;
    }

    /// Blocks until a batch is due; empty when the sender should stop.
    std::vector<std::string> nextBatch()
    {
        std::unique_lock lock(mutex);
        // When the oldest waiting event was first seen; the batch is due flushInterval later.
        Clock::time_point firstSeen = Clock::now();
        bool seen = !queue.empty();
        for (;;) {
            const std::size_t pending = queue.size();
            if (closing) {
                if (pending == 0 || Clock::now() >= deadline)
                    return {};
                break;
            }
            if (pending >= options.batchSize || (pending > 0 && flushTarget > taken))
                break;
            if (pending > 0) {
                const auto now = Clock::now();
                if (!seen) {
                    firstSeen = now;
                    seen = true;
                }
                if (now - firstSeen >= options.flushInterval)
                    break;
                wake.wait_until(lock, firstSeen + options.flushInterval);
            } else {
                seen = false;
                wake.wait(lock);
            }
        }
        const std::size_t n = std::min(queue.size(), options.batchSize);
        std::vector<std::string> batch;
        batch.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            batch.push_back(std::move(queue.front()));
            queue.pop_front();
        }
        taken += n;
        inFlight = n;
        return batch;
    }

    void finish(std::size_t n, std::uint64_t sent, std::uint64_t rejected, std::uint64_t failed, std::uint64_t dropped,
        const std::string *error)
    {
        {
            const std::lock_guard lock(mutex);
            counters.sent += sent;
            counters.rejected += rejected;
            counters.failed += failed;
            counters.dropped += dropped;
            if (error)
                counters.lastError = *error;
            inFlight = 0;
            done += n;
        }
        progress.notify_all();
    }

    std::chrono::milliseconds backoff(unsigned attempt)
    {
        const double initial = double(options.backoffInitial.count());
        const double base
            = std::min(double(options.backoffMax.count()), initial * std::pow(2.0, std::min(attempt, 30u)));
        std::uniform_real_distribution<double> jitter(0.0, base / 2);
        return std::chrono::milliseconds(std::llround(base / 2 + jitter(rng)));
    }

    /// Sleeps before a retry; false when closing past the deadline. A closing client retries
    /// every 200 ms at most instead of sitting out a long back-off.
    bool waitBeforeRetry(std::chrono::milliseconds delay)
    {
        std::unique_lock lock(mutex);
        const auto start = Clock::now();
        const auto until = start + delay;
        for (;;) {
            const auto now = Clock::now();
            auto end = until;
            if (closing) {
                if (now >= deadline)
                    return false;
                end = std::min({ until, start + std::chrono::milliseconds(200), deadline });
            }
            if (now >= end)
                return true;
            wake.wait_until(lock, end);
        }
    }

    Clock::time_point requestDeadline()
    {
        const std::lock_guard lock(mutex);
        const auto byTimeout = Clock::now() + options.timeout;
        return closing ? std::min(byTimeout, deadline) : byTimeout;
    }

    void deliver(std::vector<std::string> &batch)
    {
        const std::size_t n = batch.size();
        if (!endpointValid) {
            finish(n, 0, 0, n, 0, &endpointError);
            return;
        }
        std::size_t size = 2;
        for (const std::string &event : batch)
            size += event.size() + 1;
        std::string body;
        body.reserve(size);
        body += '[';
        for (std::size_t i = 0; i < n; ++i) {
            if (i)
                body += ',';
            body += batch[i];
        }
        body += ']';
        batch.clear();

        for (unsigned attempt = 0;; ++attempt) {
            detail::HttpResponse response;
            std::string error;
            auto result = connection.post(endpoint, headers, body, requestDeadline(), response, error);
            if (result == detail::HttpConnection::Result::StaleConnection)
                result = connection.post(endpoint, headers, body, requestDeadline(), response, error);

            std::optional<std::chrono::milliseconds> retryAfter;
            if (result == detail::HttpConnection::Result::Ok) {
                const int status = response.status;
                if (status >= 200 && status < 300) {
                    const std::uint64_t accepted = jsonCount(response.body, "accepted").value_or(n);
                    const std::uint64_t rejected = jsonCount(response.body, "rejected").value_or(0);
                    finish(n, accepted, rejected, 0, 0, nullptr);
                    return;
                }
                error = "HTTP " + std::to_string(status) + ": " + response.body.substr(0, 200);
                const bool retryable
                    = status == 408 || status == 425 || status == 429 || (status >= 500 && status != 501);
                if (!retryable) {
                    finish(n, 0, 0, n, 0, &error);
                    return;
                }
                if (const auto seconds = parseRetryAfter(response.retryAfter)) {
                    const auto ms = std::chrono::milliseconds(std::llround(*seconds * 1000));
                    retryAfter = std::min(ms, options.retryAfterMax);
                }
            }
            {
                const std::lock_guard lock(mutex);
                ++counters.retries;
                counters.lastError = error;
            }
            if (!waitBeforeRetry(retryAfter.value_or(backoff(attempt)))) {
                finish(n, 0, 0, 0, n, nullptr);
                return;
            }
        }
    }

    void run()
    {
        for (;;) {
            std::vector<std::string> batch = nextBatch();
            if (batch.empty())
                break;
            deliver(batch);
        }
        connection.close();
        {
            const std::lock_guard lock(mutex);
            senderExited = true;
        }
        progress.notify_all();
    }

    void close(std::chrono::milliseconds timeout)
    {
        {
            const std::lock_guard lock(mutex);
            closing = true;
            deadline = Clock::now() + timeout;
            flushTarget = enqueued;
        }
        wake.notify_all();
        {
            // A request to a PerfWatch that does not answer must not outlast the deadline.
            std::unique_lock lock(mutex);
            if (!progress.wait_until(lock, deadline, [this] { return senderExited; }))
                abortRequests = true;
        }
        if (thread.joinable())
            thread.join();
        {
            const std::lock_guard lock(mutex);
            counters.dropped += queue.size();
            done += queue.size();
            queue.clear();
        }
        progress.notify_all();
    }
};

Client::Client()
    : Client(ClientOptions::fromEnvironment())
{ }

Client::Client(ClientOptions options)
    : d(std::make_unique<Impl>(std::move(options)))
{ }

Client::~Client()
{
    d->close(d->options.shutdownTimeout);
}

const ClientOptions &Client::options() const
{
    return d->options;
}

void Client::api(
    std::string_view method, std::string_view route, double durationMs, int status, std::string_view requestId)
{
    if (!std::isfinite(durationMs) || status < 100 || status > 599)
        return d->invalid();
    d->record([&] {
        std::string event = d->begin("api");
        std::string upper(method);
        std::transform(upper.begin(), upper.end(), upper.begin(),
            [](unsigned char c) { return c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : char(c); });
        appendField(event, "method", upper);
        appendField(event, "route", route);
        appendNumberField(event, "duration_ms", std::max(durationMs, 0.0));
        appendNumberField(event, "status", std::int64_t(status));
        const std::string_view id = requestId.empty() ? RequestScope::current() : requestId;
        if (!id.empty())
            appendField(event, "request_id", id);
        return event;
    });
}

void Client::db(std::string_view operation, std::string_view collection, double durationMs, const DbDetails &details)
{
    if (!std::isfinite(durationMs))
        return d->invalid();
    d->record([&] {
        std::string event = d->begin("db");
        appendField(event, "operation", operation);
        appendField(event, "collection", collection);
        appendNumberField(event, "duration_ms", std::max(durationMs, 0.0));
        if (!details.fields.empty()) {
            event += ",\"fields\":[";
            for (std::size_t i = 0; i < details.fields.size(); ++i) {
                if (i)
                    event += ',';
                appendJsonString(event, details.fields[i]);
            }
            event += ']';
        }
        if (details.error)
            event += ",\"error\":true";
        if (details.documents)
            appendNumberField(event, "documents", *details.documents);
        const std::string_view id = details.requestId.empty() ? RequestScope::current() : details.requestId;
        if (!id.empty())
            appendField(event, "request_id", id);
        return event;
    });
}

void Client::processing(std::string_view name, double durationMs, std::uint64_t itemsProcessed)
{
    if (!std::isfinite(durationMs))
        return d->invalid();
    d->record([&] {
        std::string event = d->begin("processing");
        appendField(event, "name", name);
        appendNumberField(event, "duration_ms", std::max(durationMs, 0.0));
        appendNumberField(event, "items_processed", itemsProcessed);
        return event;
    });
}

void Client::gauge(std::string_view name, double value)
{
    if (!std::isfinite(value))
        return d->invalid();
    d->record([&] {
        std::string event = d->begin("gauge");
        appendField(event, "name", name);
        appendNumberField(event, "value", value);
        return event;
    });
}

void Client::cache(std::string_view name, std::uint64_t hits, std::uint64_t misses)
{
    d->record([&] {
        std::string event = d->begin("cache");
        appendField(event, "name", name);
        appendNumberField(event, "hits", hits);
        appendNumberField(event, "misses", misses);
        return event;
    });
}

bool Client::flush(std::chrono::milliseconds timeout)
{
    const auto until = Clock::now() + timeout;
    std::unique_lock lock(d->mutex);
    const std::uint64_t target = d->enqueued;
    if (d->done >= target)
        return true;
    d->flushTarget = std::max(d->flushTarget, target);
    d->wake.notify_all();
    return d->progress.wait_until(lock, until, [&] { return d->done >= target; });
}

ClientStats Client::stats() const
{
    const std::lock_guard lock(d->mutex);
    ClientStats s = d->counters;
    s.queued = d->queue.size() + d->inFlight;
    return s;
}

// RequestScope lives here with the thread-local it sets.
RequestScope::RequestScope(std::string requestId)
    : m_previous(std::exchange(t_requestId, std::move(requestId)))
{ }

RequestScope::~RequestScope()
{
    t_requestId = std::move(m_previous);
}

std::string_view RequestScope::current()
{
    return t_requestId;
}

} // namespace perfwatch
