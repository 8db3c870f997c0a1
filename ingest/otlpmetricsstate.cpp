#include "otlpmetricsstate.h"

#include "aggregate.h"
#include "ingestjournal.h"
#include "metricstore.h"

#include <algorithm>

namespace perfwatch {

namespace {

int kindSlot(MetricKind kind)
{
    return kind == MetricKind::Api ? 0 : kind == MetricKind::Db ? 1 : -1;
}

constexpr std::size_t kMaxSpanServices = 4096;
constexpr qint64 kStreamIdleMs = 60 * 60'000; ///< a stream not seen for an hour is forgotten

} // namespace

OtlpMetricsState::OtlpMetricsState(MetricStore &store, qint64 startedMs)
    : m_store(store)
    , m_startedNs(quint64(std::max<qint64>(0, startedMs)) * 1'000'000)
{ }

OtlpMetricsState::~OtlpMetricsState() = default;

OtlpMetricsState::Stream *OtlpMetricsState::stream(std::string_view identity, qint64 nowMs, bool &created)
{
    created = false;
    auto it = m_streams.find(std::string(identity));
    if (it != m_streams.end()) {
        it->second.seenMs = nowMs;
        return &it->second;
    }
    if (m_streams.size() >= kMaxStreams && nowMs - m_lastStreamSweepMs >= 60'000) {
        m_lastStreamSweepMs = nowMs;
        std::erase_if(m_streams, [nowMs](const auto &entry) { return nowMs - entry.second.seenMs > kStreamIdleMs; });
    }
    if (m_streams.size() >= kMaxStreams)
        return nullptr;
    created = true;
    Stream &s = m_streams[std::string(identity)];
    s.seenMs = nowMs;
    return &s;
}

void OtlpMetricsState::countPoints(quint64 points, quint64 baselines)
{
    m_points.fetch_add(points, std::memory_order_relaxed);
    m_baselines.fetch_add(baselines, std::memory_order_relaxed);
}

void OtlpMetricsState::noteSpans(std::span<const IngestEvent> events, qint64 nowMs)
{
    // Batches come from one or a few services: remember each distinct one once per call.
    struct Seen
    {
        std::string_view service;
        int slot;
    };
    Seen seen[8];
    int seenCount = 0;
    const auto flush = [&] {
        const std::lock_guard lock(m_spanMutex);
        for (int i = 0; i < seenCount; ++i) {
            auto it = m_spanServices.find(seen[i].service);
            if (it == m_spanServices.end()) {
                if (m_spanServices.size() >= kMaxSpanServices)
                    m_spanServices.clear(); // bounded: forgets, at worst counting a metric once more
                it = m_spanServices.emplace(std::string(seen[i].service), std::array<qint64, 2> { 0, 0 }).first;
            }
            it->second[std::size_t(seen[i].slot)] = nowMs;
        }
        seenCount = 0;
    };
    for (const IngestEvent &e : events) {
        const int slot = kindSlot(e.kind);
        if (slot < 0)
            continue;
        bool known = false;
        for (int i = 0; i < seenCount && !known; ++i)
            known = seen[i].slot == slot && seen[i].service == e.service;
        if (known)
            continue;
        if (seenCount == 8)
            flush();
        seen[seenCount++] = { e.service, slot };
    }
    if (seenCount > 0)
        flush();
}

bool OtlpMetricsState::spansSince(std::string_view service, MetricKind kind, qint64 sinceMs) const
{
    const int slot = kindSlot(kind);
    if (slot < 0)
        return false;
    const auto it = m_spanServices.find(service);
    if (it == m_spanServices.end())
        return false;
    const qint64 lastMs = slot == 0 ? it->second[0] : it->second[1];
    return lastMs > 0 && lastMs >= sinceMs;
}

bool OtlpMetricsState::submit(std::span<const IngestEvent> events, qint64 nowMs)
{
    std::vector<IngestEvent> now;
    now.reserve(events.size());
    bool durable = true;
    {
        const std::lock_guard lock(m_spanMutex);
        const std::size_t firstNew = m_held.size();
        for (const IngestEvent &e : events) {
            if (kindSlot(e.kind) < 0) {
                now.push_back(e);
                continue;
            }
            if (spansSince(e.service, e.kind, nowMs - kSpanMemoryMs)) {
                m_covered.fetch_add(e.weight(), std::memory_order_relaxed);
                continue;
            }
            if (m_held.size() >= kMaxHeld) {
                now.push_back(e); // too much waiting: stored at once
                continue;
            }
            Held &h = m_held.emplace_back();
            h.releaseMs = nowMs + kHoldMs;
            h.heldMs = nowMs;
            h.service.assign(e.service);
            h.name.assign(e.name);
            h.event = e;
            h.event.service = h.service;
            h.event.name = h.name;
            h.event.requestId = {};
            h.event.fields = {};
            if (e.histogram) {
                h.sketch = *e.histogram;
                h.event.histogram = &h.sketch;
            }
            m_heldCount.fetch_add(1, std::memory_order_relaxed);
        }
        if (IngestJournal *journal = m_store.journal(); journal && m_held.size() > firstNew) {
            // Not in the store yet, so not covered by the history's mark: a hold record, resolved
            // by the insert that later stores or drops these events.
            std::vector<IngestEvent> heldEvents;
            heldEvents.reserve(m_held.size() - firstNew);
            for (std::size_t i = firstNew; i < m_held.size(); ++i)
                heldEvents.push_back(m_held[i].event);
            thread_local QByteArray record;
            IngestJournal::encode(record, IngestJournal::RecordType::Hold, 0, nowMs, heldEvents);
            const quint64 seq = journal->append(record);
            durable = seq != 0;
            for (std::size_t i = firstNew; i < m_held.size(); ++i)
                m_held[i].journalSeq = seq;
        }
        if (!m_held.empty())
            m_nextReleaseMs.store(m_held.front().releaseMs, std::memory_order_relaxed);
    }
    if (!now.empty())
        durable = m_store.insert(now, nowMs) && durable;
    return durable;
}

void OtlpMetricsState::releaseDue(qint64 nowMs, bool all)
{
    const qint64 next = m_nextReleaseMs.load(std::memory_order_relaxed);
    if (next == 0 || (next > nowMs && !all))
        return;
    std::deque<Held> due;
    std::vector<quint64> resolves; // the journal's holds these events came from
    {
        const std::lock_guard lock(m_spanMutex);
        while (!m_held.empty() && (all || m_held.front().releaseMs <= nowMs)) {
            Held &h = m_held.front();
            if (h.journalSeq != 0 && (resolves.empty() || resolves.back() != h.journalSeq))
                resolves.push_back(h.journalSeq);
            if (spansSince(h.service, h.event.kind, h.heldMs - kSpanMemoryMs))
                m_covered.fetch_add(h.event.weight(), std::memory_order_relaxed);
            else
                due.push_back(std::move(h));
            m_held.pop_front();
            m_heldCount.fetch_sub(1, std::memory_order_relaxed);
        }
        m_nextReleaseMs.store(m_held.empty() ? 0 : m_held.front().releaseMs, std::memory_order_relaxed);
    }
    if (due.empty()) {
        if (!resolves.empty()) // all dropped: the journal still learns the holds are settled
            m_store.insert({}, nowMs, MetricStore::InsertOptions { .journal = true, .fromSpans = false, .resolves = resolves });
        return;
    }
    std::vector<IngestEvent> events;
    events.reserve(due.size());
    for (Held &h : due) {
        // Moving a Held moved its strings and sketch: point the event at them again.
        h.event.service = h.service;
        h.event.name = h.name;
        if (h.event.histogram)
            h.event.histogram = &h.sketch;
        events.push_back(h.event);
    }
    m_store.insert(events, nowMs, MetricStore::InsertOptions { .journal = true, .fromSpans = false, .resolves = resolves });
}

OtlpMetricsState::Counters OtlpMetricsState::counters() const
{
    Counters c;
    c.points = m_points.load(std::memory_order_relaxed);
    c.baselines = m_baselines.load(std::memory_order_relaxed);
    c.coveredBySpans = m_covered.load(std::memory_order_relaxed);
    c.held = m_heldCount.load(std::memory_order_relaxed);
    {
        const std::lock_guard lock(const_cast<std::mutex &>(m_streamMutex));
        c.streams = m_streams.size();
    }
    return c;
}

} // namespace perfwatch
