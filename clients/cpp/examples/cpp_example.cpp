// perfwatch-client-example: a pretend trip-processing service reporting to PerfWatch.
//
//   perfwatch --demo &                       # or: perfwatch --headless
//   PERFWATCH_SERVICE=trip-worker ./perfwatch-client-example [requests]
//
// Then open http://127.0.0.1:4318/api/performance/summary?hours=1 to see what arrived.

#include "perfwatch/client.h"
#include "perfwatch/scopedtimer.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

void sleepMs(double ms)
{
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(ms));
}

} // namespace

int main(int argc, char **argv)
{
    const int requests = argc > 1 ? std::atoi(argv[1]) : 50;
    perfwatch::Client client; // PERFWATCH_URL, PERFWATCH_TOKEN, PERFWATCH_SERVICE
    std::mt19937 rng(42);
    std::uniform_real_distribution<double> jitter(0.5, 1.5);

    for (int i = 0; i < requests; ++i) {
        // One request: the route template, its database work tagged with the request id.
        const perfwatch::RequestScope request("req-" + std::to_string(i));
        auto api = perfwatch::ScopedTimer::api(client, "GET", "/api/trips/{trip_id}");
        {
            auto query = perfwatch::ScopedTimer::db(client, "find_one", "trips", { "_id" });
            sleepMs(2 * jitter(rng));
            query.setDocuments(1);
        }
        {
            perfwatch::ScopedTimer matching(client, "map_matching");
            const std::vector<int> points(200 + i % 50);
            sleepMs(5 * jitter(rng));
            matching.setItems(points.size());
        }
        if (i % 10 == 9)
            api.setStatus(404);
    }
    client.gauge("db.pool.size", 10);
    client.gauge("db.pool.in_use", 3);
    client.cache("trip_cache", 180, 20);

    const bool delivered = client.flush(std::chrono::seconds(5));
    const perfwatch::ClientStats stats = client.stats();
    std::printf("sent %llu, rejected %llu, failed %llu, dropped %llu, queued %llu%s%s\n",
        static_cast<unsigned long long>(stats.sent), static_cast<unsigned long long>(stats.rejected),
        static_cast<unsigned long long>(stats.failed), static_cast<unsigned long long>(stats.dropped),
        static_cast<unsigned long long>(stats.queued),
        stats.lastError.empty() ? "" : "; last error: ", stats.lastError.c_str());
    return delivered ? 0 : 1;
}
