#pragma once

#include "loadoptions.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace perfwatch::loadgen {

/// The complete HTTP requests (headers and body) a run sends, built once before it starts.
///
/// Event i of the run uses key i % keys, so consecutive requests walk through every key.
/// There are at least kMinRequests distinct requests, rotated, so a server cannot get away
/// with caching one parsed body, and as many as it takes to hit every key equally often,
/// up to kMaxRequests.
class Workload
{
public:
    static constexpr std::size_t kMinRequests = 16;
    static constexpr std::size_t kMaxRequests = 65536;

    explicit Workload(const LoadOptions &options);

    std::size_t size() const { return m_requests.size(); }
    const std::string &request(std::size_t index) const { return m_requests[index % m_requests.size()]; }
    /// The body of request(index) alone (what a gRPC call carries).
    std::string_view body(std::size_t index) const
    {
        const std::string &r = request(index);
        return std::string_view(r).substr(r.find("\r\n\r\n") + 4);
    }
    int eventsPerRequest() const { return m_eventsPerRequest; }
    /// Distinct keys the prepared requests actually reach (fewer than asked when capped).
    std::size_t keysCovered() const { return m_keysCovered; }
    std::size_t totalBytes() const { return m_totalBytes; }

private:
    std::vector<std::string> m_requests;
    int m_eventsPerRequest = 1;
    std::size_t m_keysCovered = 0;
    std::size_t m_totalBytes = 0;
};

} // namespace perfwatch::loadgen
