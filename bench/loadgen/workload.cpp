#include "workload.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <numeric>
#include <random>
#include <string_view>

namespace perfwatch::loadgen {

namespace {

enum class EventType
{
    Api,
    Db,
    Processing
};

/// Six api, three db and one processing key in every ten.
EventType typeOfKey(std::size_t key, TypeMix mix)
{
    if (mix == TypeMix::ApiOnly)
        return EventType::Api;
    const std::size_t slot = key % 10;
    if (slot < 6)
        return EventType::Api;
    return slot < 9 ? EventType::Db : EventType::Processing;
}

/// Durations and outcomes of a service that is mostly healthy: a log-normal body with a median
/// of 50 ms, 1% slow outliers between 1 and 3 s, and 0.5% server errors.
class EventSampler
{
public:
    explicit EventSampler(std::uint64_t seed)
        : m_rng(seed)
    { }

    double durationMs()
    {
        if (m_unit(m_rng) < 0.01)
            return 1000.0 + 2000.0 * m_unit(m_rng);
        return m_body(m_rng);
    }
    bool failed() { return m_unit(m_rng) < 0.005; }
    int serverErrorStatus()
    {
        constexpr std::array<int, 3> kStatuses = { 500, 502, 503 };
        return kStatuses[std::size_t(m_unit(m_rng) * 3) % 3];
    }
    int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(m_rng); }

private:
    std::mt19937_64 m_rng;
    std::uniform_real_distribution<double> m_unit { 0.0, 1.0 };
    std::lognormal_distribution<double> m_body { 3.912, 0.6 }; // ln(50 ms) = 3.912
};

void appendNumber(std::string &out, double value)
{
    std::array<char, 32> buffer {};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value, std::chars_format::fixed, 3);
    out.append(buffer.data(), result.ptr);
}

void appendNumber(std::string &out, std::size_t value)
{
    std::array<char, 24> buffer {};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    out.append(buffer.data(), result.ptr);
}

void appendEvent(std::string &out, std::size_t key, TypeMix mix, EventSampler &sampler)
{
    constexpr std::array<std::string_view, 4> kFieldSets = {
        R"(["user_id"])",
        R"(["user_id","start_time"])",
        R"(["status"])",
        R"(["city","start_time"])",
    };
    const double duration = sampler.durationMs();
    switch (typeOfKey(key, mix)) {
    case EventType::Api:
        out += key % 7 == 3 ? R"({"type":"api","service":"loadgen","method":"POST","route":"/api/k)"
                            : R"({"type":"api","service":"loadgen","method":"GET","route":"/api/k)";
        appendNumber(out, key);
        out += R"(","duration_ms":)";
        appendNumber(out, duration);
        out += R"(,"status":)";
        appendNumber(out, std::size_t(sampler.failed() ? sampler.serverErrorStatus() : 200));
        out += '}';
        break;
    case EventType::Db:
        out += R"({"type":"db","service":"loadgen","operation":"find","collection":"k)";
        appendNumber(out, key);
        out += R"(","duration_ms":)";
        appendNumber(out, duration);
        out += R"(,"fields":)";
        out += kFieldSets[key % kFieldSets.size()];
        out += R"(,"documents":)";
        appendNumber(out, std::size_t(sampler.uniform(0, 50)));
        if (sampler.failed())
            out += R"(,"error":true)";
        out += '}';
        break;
    case EventType::Processing:
        out += R"({"type":"processing","service":"loadgen","name":"k)";
        appendNumber(out, key);
        out += R"(","duration_ms":)";
        appendNumber(out, duration);
        out += R"(,"items_processed":)";
        appendNumber(out, std::size_t(sampler.uniform(1, 500)));
        out += '}';
        break;
    }
}

std::string hostHeader(const LoadOptions &options)
{
    const bool ipv6 = options.host.find(':') != std::string::npos;
    std::string host = ipv6 ? '[' + options.host + ']' : options.host;
    return host + ':' + std::to_string(options.port);
}

} // namespace

Workload::Workload(const LoadOptions &options)
    : m_eventsPerRequest(options.batch)
{
    const auto batch = std::size_t(options.batch);
    const auto keys = std::size_t(options.keys);
    // Requests are replayed in a cycle, so keys are hit evenly when the prepared events are a
    // whole number of passes over the keys: count * batch must be a multiple of keys.
    const std::size_t period = keys / std::gcd(keys, batch);
    const std::size_t count = period > kMaxRequests ? kMaxRequests : period * ((kMinRequests + period - 1) / period);
    m_keysCovered = std::min(keys, count * batch);

    std::string head = "POST " + options.path + " HTTP/1.1\r\nHost: " + hostHeader(options)
        + "\r\nUser-Agent: perfwatch-loadgen\r\nContent-Type: "
        + (options.ndjson ? "application/x-ndjson" : "application/json") + "\r\n";
    if (!options.token.empty())
        head += "Authorization: Bearer " + options.token + "\r\n";
    head += "Content-Length: ";

    EventSampler sampler(options.seed);
    std::string body;
    m_requests.reserve(count);
    std::size_t event = 0;
    for (std::size_t r = 0; r < count; ++r) {
        body.clear();
        if (batch > 1 && !options.ndjson)
            body += '[';
        for (std::size_t e = 0; e < batch; ++e, ++event) {
            if (e > 0)
                body += options.ndjson ? '\n' : ',';
            appendEvent(body, event % keys, options.types, sampler);
        }
        if (options.ndjson)
            body += '\n';
        else if (batch > 1)
            body += ']';
        std::string request = head;
        appendNumber(request, body.size());
        request += "\r\n\r\n";
        request += body;
        m_totalBytes += request.size();
        m_requests.push_back(std::move(request));
    }
}

} // namespace perfwatch::loadgen
