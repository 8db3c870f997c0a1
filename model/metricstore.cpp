#include "metricstore.h"

#include "bucketring.h"
#include "ingestjournal.h"
#include "keyindex.h"

#include <QRandomGenerator>
#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <string>
#include <tuple>
#include <unordered_map>

namespace perfwatch {

namespace {

constexpr std::size_t kReadChunk = 256; ///< keys copied per lock acquisition by readers
constexpr int kMaxFieldSets = 8; ///< distinct field sets remembered per db key
/// A request_id is finished this long after its last event. Longer than OpenTelemetry's default
/// batch delay (5 s), so spans of one trace exported in different batches still meet.
constexpr qint64 kCorrelationGraceMs = 10'000;
constexpr qint64 kTraceRetentionMs = StoreTiers::kMinuteMs * StoreTiers::kMinuteSlots;
constexpr std::size_t kMaxLateBuckets = 100'000;
/// cleanup() drops window caches no read used for this long (a range the dashboard left).
constexpr qint64 kWindowCacheIdleMs = 5 * 60'000;
constexpr std::string_view kDefaultService = "default";
constexpr std::string_view kOtherService = "other";
/// The overflow key's name: empty, which no decoder accepts for a real key (KeyMeta::isOverflow()).
constexpr std::string_view kOverflowName = {};

struct RawEntry
{
    qint64 timestampMs;
    double value;
    quint32 items;
    quint16 status;
    bool error;
};

/// The newest fine bucket of a key or group while it is not yet merged into its minute bucket.
///
/// Events are added to one fine bucket only; the minute tier is derived from the fine one: when
/// time moves on to a new fine bucket (or cleanup() finds the open one over), the open bucket is
/// merged into its minute bucket ("sealed"). Events for a fine bucket that is already sealed (late
/// ones) go to the fine and the minute bucket directly. Readers of the minute tier add the open
/// bucket to its minute, so results are those of updating both tiers per event. The open bucket
/// is always the fine ring's newest, and its minute bucket always exists in the minute ring
/// (created when the bucket is opened, as the first event of that minute would have created it).
struct OpenFine
{
    qint64 fromMs = 0; ///< the open bucket covers [fromMs, toMs); empty when there is none
    qint64 toMs = 0;
    qint64 minute = 0; ///< index of its minute bucket

    bool isOpen() const { return toMs > fromMs; }
    bool holds(qint64 ts) const { return ts >= fromMs && ts < toMs; }
};

/// What window() keeps per key between reads, so a tick does not merge every bucket of every key.
///
/// Per window start (and tier), two aggregates, both exact: a read returns what merging all the
/// window's buckets would, merged in the same order, so even sums round the same way.
/// - The fold (merge, oldest first) of the window's buckets that no longer fill, [first, through].
///   Windows slide, so consecutive reads share every bucket but the newest: a busy key's read is
///   the fold plus the one or two buckets still filling, instead of 15 to 60 buckets.
/// - The whole window, kept once the key did not change between two reads and returned as is
///   while the key's version stays the same: most keys of a large system are idle at any moment.
/// A fold is dropped when a bucket it covers changes (late data, restore); neither is used once the
/// ring may have dropped one of its buckets (BucketRing::floor()). Sketches are kept compact.
struct WindowCache
{
    enum Tier : quint8
    {
        Fine,
        Minute,
        TierCount
    };
    struct Entry
    {
        Tier tier = Fine;
        qint64 first = 0; ///< window start (bucket index); [first, through] are folded
        qint64 through = 0; ///< < first: nothing folded yet
        Aggregate fold;
        qint64 last = 0; ///< `whole` is the window [first, last]
        quint64 wholeVersion = 0; ///< key version `whole` was merged at; 0: no `whole`
        quint64 seenVersion = 0; ///< key version at the previous read
        Aggregate whole;
        quint64 lastRead = 0; ///< the store's read count when last used: least recently used goes first
        qint64 usedMs = 0; ///< end of the last window read, for cleanup()
    };
    /// The dashboard's range and the analyzer's window and hour before, and one spare while a
    /// range changes.
    static constexpr std::size_t kMaxEntries = 4;
    static constexpr qint64 kNone = std::numeric_limits<qint64>::min();

    std::vector<Entry> entries;
    /// Per tier, the newest bucket any fold covers: changes above it never invalidate a fold.
    std::array<qint64, TierCount> coveredThrough { kNone, kNone };

    /// A bucket of `tier` changed (or was created): drops the folds covering it.
    void touched(Tier tier, qint64 index)
    {
        if (index > coveredThrough[tier])
            return;
        entries.erase(std::remove_if(entries.begin(), entries.end(), [tier](const Entry &e) { return e.tier == tier; }),
            entries.end());
        coveredThrough[tier] = kNone;
    }

    /// The entry of a window start, created (or the least recently used one reused) when missing.
    Entry &entryFor(Tier tier, qint64 first)
    {
        for (Entry &e : entries) {
            if (e.tier == tier && e.first == first)
                return e;
        }
        Entry *e = nullptr;
        if (entries.size() < kMaxEntries) {
            e = &entries.emplace_back();
        } else {
            e = &*std::min_element(
                entries.begin(), entries.end(), [](const Entry &a, const Entry &b) { return a.lastRead < b.lastRead; });
        }
        *e = Entry {};
        e->tier = tier;
        e->first = first;
        e->through = first - 1;
        return *e;
    }

    /// Drops entries a ring may have dropped buckets of, and those no read used since idleBeforeMs.
    void prune(qint64 fineFloor, qint64 minuteFloor, qint64 idleBeforeMs)
    {
        entries.erase(std::remove_if(entries.begin(), entries.end(),
                          [&](const Entry &e) {
                              return e.first < (e.tier == Fine ? fineFloor : minuteFloor) || e.usedMs < idleBeforeMs;
                          }),
            entries.end());
        coveredThrough = { kNone, kNone };
        for (const Entry &e : entries)
            coveredThrough[e.tier] = std::max(coveredThrough[e.tier], e.through);
        if (entries.empty())
            entries.shrink_to_fit();
    }

    std::size_t memoryUsage() const
    {
        std::size_t bytes = entries.capacity() * sizeof(Entry);
        for (const Entry &e : entries)
            bytes += e.fold.sketch.memoryUsage() + e.whole.sketch.memoryUsage();
        return bytes;
    }
};

struct KeySeries
{
    KeyMeta meta;
    int group = 0;
    BucketRing fine { StoreTiers::kKeyFineMs, StoreTiers::kKeyFineSlots };
    BucketRing minute { StoreTiers::kMinuteMs, StoreTiers::kMinuteSlots };
    OpenFine open;
    std::vector<RawEntry> raw; ///< ring, grows up to rawHistory
    std::size_t rawNext = 0;
    std::vector<std::pair<std::string, quint64>> fieldSets;
    KeyTotals totals;
    bool dirty = false; ///< minute rollups (or the open bucket) changed since takeDirtyRollups()
    quint64 version = 1; ///< changes whenever any of its buckets may have
    WindowCache windows; ///< read side only (window()); guarded by the store's lock like the rest
};

struct Group
{
    KeyMeta meta; ///< kind and service; name empty
    BucketRing fine { StoreTiers::kGroupFineMs, StoreTiers::kGroupFineSlots };
    BucketRing minute { StoreTiers::kMinuteMs, StoreTiers::kMinuteSlots };
    OpenFine open;
    bool dirty = false;
    quint64 version = 1;
    WindowCache windows; ///< always empty: groups are read as series, not windows
    int keys = 0; ///< live keys of this service and kind, the overflow key not counted
};

struct PendingRequest
{
    qint64 lastTouchMs = 0;
    qint64 timestampMs = 0;
    KeyId apiKey = 0;
    bool hasApi = false;
    double apiMs = 0;
    std::vector<RequestTrace::DbUse> db;
};

/// A single event's duration into a sketch, or a histogram event's whole distribution.
void addToSketch(LatencySketch &sketch, const IngestEvent &e, int sketchIndex)
{
    if (e.histogram)
        sketch.merge(*e.histogram);
    else
        sketch.addIndex(sketchIndex, e.value);
}

void addToBucket(BucketRing::Bucket &b, const IngestEvent &e, int sketchIndex, qint64 ts, bool latency)
{
    b.agg.stats.add(e, ts);
    if (latency)
        addToSketch(b.agg.sketch, e, sketchIndex);
    b.dirty = true;
}

/// The open fine bucket of a key or group; nullptr when there is none.
template<typename Holder>
const BucketRing::Bucket *openBucket(const Holder &h)
{
    return h.open.isOpen() ? &h.fine.newest() : nullptr;
}

/// The minute tier over [fromMs, toMs): the minute buckets plus the open fine bucket.
template<typename Holder>
void mergeMinutes(const Holder &h, qint64 fromMs, qint64 toMs, Aggregate &out)
{
    h.minute.mergeRange(fromMs, toMs, out);
    if (const BucketRing::Bucket *open = openBucket(h); open && h.minute.counts(h.open.minute, fromMs, toMs))
        out.merge(open->agg);
}

/// Short windows need the fine tier to be accurate; longer ones are cheaper from minutes.
template<typename Holder>
void mergeWindow(const Holder &h, qint64 fromMs, qint64 toMs, Aggregate &out)
{
    if (toMs - fromMs <= 5 * 60 * 1000 && h.fine.reaches(fromMs))
        h.fine.mergeRange(fromMs, toMs, out);
    else
        mergeMinutes(h, fromMs, toMs, out);
}

/// mergeWindow() of a key through its WindowCache: the same aggregate, merged in the same order.
Aggregate cachedWindow(KeySeries &k, qint64 fromMs, qint64 toMs, quint64 read)
{
    Aggregate out;
    const bool fineTier = toMs - fromMs <= 5 * 60 * 1000 && k.fine.reaches(fromMs);
    const BucketRing &ring = fineTier ? k.fine : k.minute;
    if (ring.isEmpty())
        return out;
    qint64 first = 0;
    qint64 last = 0;
    ring.indexRange(fromMs, toMs, first, last);
    // Minute windows add the open fine bucket; the oldest bucket that still fills on time is the
    // ring's newest (a fine window's open bucket is its newest) or the open bucket's minute.
    const BucketRing::Bucket *open = fineTier ? nullptr : openBucket(k);
    if (open && !ring.counts(k.open.minute, fromMs, toMs))
        open = nullptr;
    qint64 filling = ring.newest().index;
    if (!fineTier && k.open.isOpen())
        filling = std::min(filling, k.open.minute);
    if (last <= first || first < ring.floor()) {
        // One bucket (nothing to save), or one the ring may have dropped (the cache could not tell).
        ring.mergeIndexes(first, last, out);
        if (open)
            out.merge(open->agg);
        return out;
    }

    WindowCache &cache = k.windows;
    const WindowCache::Tier tier = fineTier ? WindowCache::Fine : WindowCache::Minute;
    WindowCache::Entry &e = cache.entryFor(tier, first);
    e.lastRead = read;
    e.usedMs = toMs;
    if (e.wholeVersion == k.version && e.last == last) {
        e.seenVersion = k.version;
        return e.whole;
    }
    const qint64 through = std::min(last, filling - 1);
    if (e.through > through) {
        // A shorter window with the same start (rare): fold again rather than keep two.
        e.fold = Aggregate {};
        e.through = first - 1;
    }
    if (e.through < through) {
        ring.mergeIndexes(e.through + 1, through, e.fold);
        e.fold.sketch.compact();
        e.through = through;
        cache.coveredThrough[tier] = std::max(cache.coveredThrough[tier], through);
    }
    out = e.fold;
    ring.mergeIndexes(std::max(e.through, first - 1) + 1, last, out);
    if (open)
        out.merge(open->agg);
    if (e.seenVersion == k.version) {
        // Unchanged since the previous read: likely idle, keep the answer.
        e.whole = out;
        e.whole.sketch.compact();
        e.wholeVersion = k.version;
        e.last = last;
    } else if (e.wholeVersion != 0) {
        e.whole = Aggregate {};
        e.wholeVersion = 0;
    }
    e.seenVersion = k.version;
    return out;
}

void appendBucket(qint64 start, qint64 bucketMs, const Aggregate &agg, qint64 fromMs, qint64 toMs, qint64 stepMs,
    std::map<qint64, Aggregate> &out)
{
    if (start + bucketMs <= fromMs || start >= toMs)
        return;
    const qint64 point = start - start % stepMs;
    out[point].merge(agg);
}

void appendSeries(const BucketRing &ring, qint64 fromMs, qint64 toMs, qint64 stepMs, std::map<qint64, Aggregate> &out)
{
    for (const BucketRing::Bucket &b : ring.buckets())
        appendBucket(b.index * ring.bucketMs(), ring.bucketMs(), b.agg, fromMs, toMs, stepMs, out);
}

/// A series of `stepMs` over [fromMs, toMs) from the tier that suits it: the fine ring when the
/// step is finer than a minute and the fine ring reaches back to fromMs, else the minute tier.
template<typename Holder>
void appendTierSeries(const Holder &h, qint64 fromMs, qint64 toMs, qint64 stepMs, std::map<qint64, Aggregate> &out)
{
    const BucketRing &fine = h.fine;
    const qint64 fineHorizon = fine.oldestIndexFor(fine.indexFor(toMs)) * fine.bucketMs();
    if (stepMs < StoreTiers::kMinuteMs && fromMs >= fineHorizon) {
        appendSeries(fine, fromMs, toMs, stepMs, out);
        return;
    }
    appendSeries(h.minute, fromMs, toMs, stepMs, out);
    if (const BucketRing::Bucket *open = openBucket(h))
        appendBucket(
            h.open.minute * StoreTiers::kMinuteMs, StoreTiers::kMinuteMs, open->agg, fromMs, toMs, stepMs, out);
}

std::vector<TimePoint> toPoints(std::map<qint64, Aggregate> &&merged)
{
    std::vector<TimePoint> points;
    points.reserve(merged.size());
    for (auto &[start, agg] : merged)
        points.push_back(TimePoint { start, std::move(agg) });
    return points;
}

} // namespace

struct MetricStore::State
{
    std::vector<std::unique_ptr<KeySeries>> keys; ///< by id; null where a key was removed
    std::size_t liveKeys = 0;
    std::array<int, kMetricKindCount> kindKeys {}; ///< live keys per kind, overflow keys not counted
    KeyCaps caps; ///< of StoreConfig::maxKeys
    int sharedUsed = 0; ///< keys beyond their kind's reserve
    quint64 retiredKeys = 0;
    KeyIndex keyIndex { QRandomGenerator::global()->generate64() };
    std::vector<QString> services;
    std::vector<std::string> serviceNames; ///< UTF-8 of `services`
    std::unordered_map<std::string, int> serviceIndex;
    std::vector<std::unique_ptr<Group>> groups; ///< index = service * kMetricKindCount + kind
    std::string scratch;

    // Last lookup, because batches usually repeat keys back to back.
    MetricKind lastKind = MetricKind::Api;
    std::string lastService;
    std::string lastName;
    KeyId lastKey = 0;
    bool haveLast = false;

    /// Keys found during the current insert(), by the address and length of the event's name.
    /// Within one call every event's strings stay put, and decoders hand all events of a key the
    /// same name string, so most events skip hashing and comparing in the key index. A hit
    /// needs the same name address and length, kind and service: it is the key the index gives.
    struct ResolvedKey
    {
        const char *name = nullptr;
        std::size_t nameSize = 0;
        std::string_view service;
        MetricKind kind = MetricKind::Api;
        bool overflowed = false;
        KeyId id = 0;
        quint32 call = 0; ///< the insert() call it belongs to; 0 = empty
    };
    static constexpr std::size_t kResolvedSlots = 256;
    std::array<ResolvedKey, kResolvedSlots> resolved {};
    quint32 insertCall = 0;

    /// Open requests by the 64-bit hash of their request id: a lookup compares one integer
    /// instead of a heap string (two ids of one hash among the 20,000 open: odds about 1e-11).
    std::unordered_map<quint64, PendingRequest> pending;
    std::vector<RequestTrace> traces; ///< finished, ascending by timestamp (ring beyond traceHistory)
    qint64 lastSweepMs = 0;

    // Late data older than the minute ring: (scope, id, minute start) -> aggregate.
    std::map<std::tuple<int, quint32, qint64>, Aggregate> late;

    quint64 reads = 0; ///< window() calls, for WindowCache's least-recently-used order

    quint64 events = 0;
    quint64 overflowEvents = 0;
    quint64 droppedLate = 0;

    int serviceFor(std::string_view name, int maxServices)
    {
        if (name.empty())
            name = kDefaultService;
        scratch.assign(name);
        if (auto it = serviceIndex.find(scratch); it != serviceIndex.end())
            return it->second;
        if (int(services.size()) >= maxServices) {
            scratch.assign(kOtherService);
            if (auto it = serviceIndex.find(scratch); it != serviceIndex.end())
                return it->second;
            name = kOtherService;
        }
        const int index = int(services.size());
        services.push_back(QString::fromUtf8(name.data(), qsizetype(name.size())));
        serviceNames.emplace_back(name);
        serviceIndex.emplace(std::string(name), index);
        return index;
    }

    Group &groupFor(int service, MetricKind kind)
    {
        const std::size_t index = std::size_t(service) * kMetricKindCount + std::size_t(kind);
        if (groups.size() <= index)
            groups.resize(index + 1);
        if (!groups[index]) {
            groups[index] = std::make_unique<Group>();
            groups[index]->meta.kind = kind;
            groups[index]->meta.service = services[std::size_t(service)];
            groups[index]->meta.id = KeyId(index);
        }
        return *groups[index];
    }

    /// Whether the caps let `service` add a key of `kind` (see KeyCaps).
    bool mayCreate(MetricKind kind, int service)
    {
        if (groupFor(service, kind).keys >= caps.perService)
            return false;
        return kindKeys[std::size_t(kind)] < caps.reservedPerKind || sharedUsed < caps.shared;
    }

    /// Counts a key in (+1) or out (-1) of the caps.
    void countKey(MetricKind kind, Group &group, int delta)
    {
        int &n = kindKeys[std::size_t(kind)];
        if (delta > 0 && n >= caps.reservedPerKind)
            ++sharedUsed;
        n += delta;
        if (delta < 0 && n >= caps.reservedPerKind)
            --sharedUsed;
        group.keys += delta;
    }

    KeyId createKey(MetricKind kind, int service, std::string_view name, std::uint64_t hash)
    {
        auto series = std::make_unique<KeySeries>();
        series->meta.id = KeyId(keys.size());
        series->meta.kind = kind;
        series->meta.service = services[std::size_t(service)];
        series->meta.name = QString::fromUtf8(name.data(), qsizetype(name.size()));
        series->group = int(std::size_t(service) * kMetricKindCount + std::size_t(kind));
        Group &group = groupFor(service, kind);
        if (!name.empty())
            countKey(kind, group, +1);
        ++liveKeys;
        keys.push_back(std::move(series));
        keyIndex.insert(hash, kind, serviceNames[std::size_t(service)], name, keys.back()->meta.id);
        return keys.back()->meta.id;
    }

    /// The overflow key of a service and kind, created when missing (never refused by the caps).
    KeyId overflowKey(MetricKind kind, int service)
    {
        const std::string_view interned = serviceNames[std::size_t(service)];
        const std::uint64_t hash = keyIndex.hash(kind, interned, kOverflowName);
        const KeyId id = keyIndex.find(hash, kind, interned, kOverflowName);
        return id != KeyIndex::kNotFound ? id : createKey(kind, service, kOverflowName, hash);
    }

    /// Finds or creates the key of an event; what the caps refuse lands in the overflow key of
    /// its service and kind (`overflowed` tells).
    KeyId keyFor(
        MetricKind kind, std::string_view service, std::string_view name, const StoreConfig &config, bool &overflowed)
    {
        overflowed = false;
        if (service.empty())
            service = kDefaultService;
        if (name.empty()) { // decoders refuse it; only the overflow key has no name
            overflowed = true;
            return overflowKey(kind, serviceFor(service, config.maxServices));
        }
        if (haveLast && kind == lastKind && name == lastName && service == lastService)
            return lastKey;
        // Fast path: a known key under its service's own name.
        std::uint64_t hash = keyIndex.hash(kind, service, name);
        KeyId id = keyIndex.find(hash, kind, service, name);
        if (id == KeyIndex::kNotFound) {
            // Slow path: intern the service (services beyond the cap fold into "other"), then
            // look again under the interned name, and create the key while under the key cap.
            const int serviceIdx = serviceFor(service, config.maxServices);
            const std::string_view interned = serviceNames[std::size_t(serviceIdx)];
            if (interned != service) {
                hash = keyIndex.hash(kind, interned, name);
                id = keyIndex.find(hash, kind, interned, name);
            }
            if (id == KeyIndex::kNotFound && mayCreate(kind, serviceIdx))
                id = createKey(kind, serviceIdx, name, hash);
            if (id == KeyIndex::kNotFound) {
                overflowed = true;
                // Not cached: the next event of this name must count as overflow too.
                return overflowKey(kind, serviceIdx);
            }
        }
        haveLast = true;
        lastKind = kind;
        lastService.assign(service);
        lastName.assign(name);
        lastKey = id;
        return id;
    }

    /// Starts an insert() call: earlier calls' entries in `resolved` are stale from now on.
    void beginInsert()
    {
        if (++insertCall == 0) {
            resolved.fill({});
            insertCall = 1;
        }
    }

    /// keyFor() for an event of the current insert() call, through `resolved`.
    KeyId keyForEvent(const IngestEvent &e, const StoreConfig &config, bool &overflowed)
    {
        const std::string_view service = e.service.empty() ? kDefaultService : e.service;
        const auto address = reinterpret_cast<std::uintptr_t>(e.name.data());
        ResolvedKey &r = resolved[((address >> 3) ^ (address >> 11) ^ std::uintptr_t(e.kind)) % kResolvedSlots];
        if (r.call == insertCall && r.name == e.name.data() && r.nameSize == e.name.size() && r.kind == e.kind
            && r.service == service) {
            overflowed = r.overflowed;
            return r.id;
        }
        const KeyId id = keyFor(e.kind, service, e.name, config, overflowed);
        r = ResolvedKey { e.name.data(), e.name.size(), service, e.kind, overflowed, id, insertCall };
        return id;
    }

    void correlate(const IngestEvent &e, KeyId key, qint64 ts, qint64 nowMs, const StoreConfig &config)
    {
        const quint64 id = std::hash<std::string_view> {}(e.requestId);
        auto it = pending.find(id);
        if (it == pending.end()) {
            if (int(pending.size()) >= config.maxPendingRequests)
                sweep(nowMs, config, /*force=*/true);
            if (pending.bucket_count() < std::size_t(config.maxPendingRequests))
                pending.reserve(std::size_t(config.maxPendingRequests));
            it = pending.emplace(id, PendingRequest {}).first;
            it->second.timestampMs = ts;
        }
        PendingRequest &p = it->second;
        p.lastTouchMs = nowMs;
        p.timestampMs = std::max(p.timestampMs, ts);
        if (e.kind == MetricKind::Api) {
            p.hasApi = true;
            p.apiKey = key;
            p.apiMs = e.value;
        } else {
            auto use = std::find_if(p.db.begin(), p.db.end(), [key](const auto &u) { return u.key == key; });
            if (use == p.db.end()) {
                p.db.push_back({ key, 0, 0 });
                use = p.db.end() - 1;
            }
            ++use->count;
            use->totalMs += e.value;
        }
    }

    static RequestTrace finish(const PendingRequest &p)
    {
        RequestTrace t;
        t.timestampMs = p.timestampMs;
        t.apiKey = p.apiKey;
        t.hasApi = p.hasApi;
        t.apiMs = p.apiMs;
        t.db = p.db;
        for (const auto &use : t.db)
            t.dbMs += use.totalMs;
        std::sort(t.db.begin(), t.db.end(), [](const auto &a, const auto &b) { return a.totalMs > b.totalMs; });
        return t;
    }

    /// Moves requests idle for the grace period (or, when forced, the oldest half) to the traces.
    void sweep(qint64 nowMs, const StoreConfig &config, bool force = false)
    {
        lastSweepMs = nowMs;
        qint64 cutoff = nowMs - kCorrelationGraceMs;
        if (force && !pending.empty()) {
            std::vector<qint64> touches;
            touches.reserve(pending.size());
            for (const auto &[id, p] : pending)
                touches.push_back(p.lastTouchMs);
            auto mid = touches.begin() + std::ptrdiff_t(touches.size() / 2);
            std::nth_element(touches.begin(), mid, touches.end());
            cutoff = std::max(cutoff, *mid);
        }
        const std::size_t before = traces.size();
        for (auto it = pending.begin(); it != pending.end();) {
            if (it->second.lastTouchMs <= cutoff) {
                traces.push_back(finish(it->second));
                it = pending.erase(it);
            } else {
                ++it;
            }
        }
        if (traces.size() != before) {
            const auto byTime
                = [](const RequestTrace &a, const RequestTrace &b) { return a.timestampMs < b.timestampMs; };
            const auto added = traces.begin() + std::ptrdiff_t(before);
            std::sort(added, traces.end(), byTime);
            // Requests finish in the order they went quiet, not in timestamp order: merge them into
            // place, so the list stays ascending for the binary searches of traces() and cleanup().
            std::inplace_merge(std::upper_bound(traces.begin(), added, *added, byTime), added, traces.end(), byTime);
        }
        if (traces.size() > std::size_t(config.traceHistory)) {
            const auto excess = std::ptrdiff_t(traces.size() - std::size_t(config.traceHistory));
            traces.erase(traces.begin(), traces.begin() + excess);
        }
    }

    /// The late-data aggregate of a minute older than the minute ring; nullptr beyond the cap.
    Aggregate *lateSlot(RollupRow::Scope scope, quint32 id, qint64 minuteStart)
    {
        const auto slot = std::make_tuple(int(scope), id, minuteStart);
        auto it = late.find(slot);
        if (it == late.end()) {
            if (late.size() >= kMaxLateBuckets)
                return nullptr;
            it = late.emplace(slot, Aggregate {}).first;
        }
        return &it->second;
    }

    void addLate(RollupRow::Scope scope, quint32 id, qint64 minuteStart, const IngestEvent &e, int sketchIndex,
        qint64 ts, bool latency)
    {
        Aggregate *agg = lateSlot(scope, id, minuteStart);
        if (!agg) {
            droppedLate += e.weight();
            return;
        }
        agg->stats.add(e, ts);
        if (latency)
            addToSketch(agg->sketch, e, sketchIndex);
    }

    /// Merges the open fine bucket of a key or group into its minute bucket (see OpenFine).
    template<typename Holder>
    void seal(Holder &h, RollupRow::Scope scope, quint32 id)
    {
        if (!h.open.isOpen())
            return;
        BucketRing::Bucket &fine = h.fine.newest();
        Q_ASSERT(fine.index * h.fine.bucketMs() == h.open.fromMs);
        const qint64 minute = h.open.minute;
        h.open = OpenFine {};
        ++h.version;
        h.windows.touched(WindowCache::Minute, minute);
        if (BucketRing::Bucket *b = h.minute.bucketFor(minute)) {
            b->agg.merge(fine.agg);
            // Unchanged since the last takeDirtyRollups() (which reported the open bucket with its
            // minute) means the minute's row is unchanged too.
            b->dirty = b->dirty || fine.dirty;
        } else if (Aggregate *agg = lateSlot(scope, id, minute * StoreTiers::kMinuteMs)) {
            // Not reached: the minute bucket exists while the bucket is open (restore() seals first).
            agg->merge(fine.agg);
        } else {
            droppedLate += fine.agg.stats.count;
        }
        fine.dirty = false;
    }

    /// Adds one event to the time buckets of a key or group.
    template<typename Holder>
    void record(Holder &h, RollupRow::Scope scope, quint32 id, const IngestEvent &e, int sketchIndex, qint64 ts,
        bool latency, qint64 nowMs)
    {
        h.dirty = true;
        ++h.version;
        if (h.open.holds(ts)) {
            // The open bucket is its ring's newest, which no fold covers.
            addToBucket(h.fine.newest(), e, sketchIndex, ts, latency);
            return;
        }
        const qint64 fineIndex = h.fine.indexFor(ts);
        const qint64 minute = ts / StoreTiers::kMinuteMs;
        // Older than the minute ring can hold relative to now: straight to persistence. The
        // rings must not follow such an event (an empty ring would make it its newest bucket
        // and a replayed backlog would then push its own minutes out before they were saved).
        if (minute < h.minute.oldestIndexFor(nowMs / StoreTiers::kMinuteMs)) {
            addLate(scope, id, minute * StoreTiers::kMinuteMs, e, sketchIndex, ts, latency);
            return;
        }
        if (h.fine.isEmpty() || fineIndex > h.fine.newest().index) {
            // Time moved on: seal the open bucket and open this one.
            seal(h, scope, id);
            h.windows.touched(WindowCache::Minute, minute);
            BucketRing::Bucket *minuteBucket = h.minute.bucketFor(minute);
            addToBucket(*h.fine.bucketFor(fineIndex), e, sketchIndex, ts, latency);
            if (minuteBucket) {
                const qint64 fineMs = h.fine.bucketMs();
                h.open = OpenFine { fineIndex * fineMs, (fineIndex + 1) * fineMs, minute };
            } else {
                addLate(scope, id, minute * StoreTiers::kMinuteMs, e, sketchIndex, ts, latency);
            }
            return;
        }
        // Late, into a fine bucket already sealed or one older than the fine ring: both tiers.
        h.windows.touched(WindowCache::Fine, fineIndex);
        h.windows.touched(WindowCache::Minute, minute);
        if (BucketRing::Bucket *b = h.fine.bucketFor(fineIndex))
            addToBucket(*b, e, sketchIndex, ts, latency);
        if (BucketRing::Bucket *b = h.minute.bucketFor(minute))
            addToBucket(*b, e, sketchIndex, ts, latency);
        else
            addLate(scope, id, minute * StoreTiers::kMinuteMs, e, sketchIndex, ts, latency);
    }

    /// Removes keys found without buckets, unless data arrived for them since (or late rows wait).
    void retire(const std::vector<KeyId> &candidates)
    {
        std::vector<std::uint32_t> removed;
        for (const KeyId id : candidates) {
            const std::unique_ptr<KeySeries> &k = keys[id];
            if (!k || !k->fine.isEmpty() || !k->minute.isEmpty() || k->open.isOpen())
                continue;
            const auto lateRow = late.lower_bound(std::make_tuple(int(RollupRow::Scope::Key), id, qint64(INT64_MIN)));
            if (lateRow != late.end() && std::get<0>(lateRow->first) == int(RollupRow::Scope::Key)
                && std::get<1>(lateRow->first) == id)
                continue;
            if (!k->meta.isOverflow())
                countKey(k->meta.kind, *groups[std::size_t(k->group)], -1);
            keys[id].reset();
            --liveKeys;
            ++retiredKeys;
            removed.push_back(id);
        }
        if (removed.empty())
            return;
        keyIndex.erase(removed);
        haveLast = false;
        for (auto &[id, p] : pending) { // a request still open names it no longer
            if (p.hasApi && !keys[p.apiKey])
                p.hasApi = false;
            std::erase_if(p.db, [this](const RequestTrace::DbUse &u) { return !keys[u.key]; });
        }
        std::erase_if(traces, [this](const RequestTrace &t) {
            return (t.hasApi && !keys[t.apiKey])
                || std::any_of(t.db.begin(), t.db.end(), [this](const auto &u) { return !keys[u.key]; });
        });
    }

    /// Seals every open bucket that ended before nowMs (all of them when nowMs is the largest
    /// time), in the groups and in the keys [begin, end).
    void sealGroups(qint64 nowMs)
    {
        for (std::size_t i = 0; i < groups.size(); ++i) {
            if (groups[i] && groups[i]->open.isOpen() && groups[i]->open.toMs <= nowMs)
                seal(*groups[i], RollupRow::Scope::Group, quint32(i));
        }
    }
    void sealKeys(std::size_t begin, std::size_t end, qint64 nowMs)
    {
        for (std::size_t i = begin; i < end; ++i) {
            if (keys[i] && keys[i]->open.isOpen() && keys[i]->open.toMs <= nowMs)
                seal(*keys[i], RollupRow::Scope::Key, quint32(i));
        }
    }
};

KeyCaps KeyCaps::of(int maxKeys)
{
    KeyCaps caps;
    maxKeys = std::max(1, maxKeys);
    caps.reservedPerKind = maxKeys / (2 * kMetricKindCount);
    caps.shared = maxKeys - kMetricKindCount * caps.reservedPerKind;
    caps.perService = std::max(1, (caps.reservedPerKind + caps.shared) / 2);
    return caps;
}

MetricStore::MetricStore(StoreConfig config)
    : m_config(config)
    , m_state(std::make_unique<State>())
{
    m_config.maxKeys = std::max(1, m_config.maxKeys);
    m_config.maxServices = std::max(1, m_config.maxServices);
    m_state->caps = KeyCaps::of(m_config.maxKeys);
    m_config.rawHistory = std::max(0, m_config.rawHistory);
}

MetricStore::~MetricStore() = default;

bool MetricStore::insert(std::span<const IngestEvent> events, qint64 nowMs, const InsertOptions &options)
{
    IngestJournal *journal = options.journal ? m_journal.load(std::memory_order_acquire) : nullptr;
    if (journal && events.empty() && options.resolves.empty())
        journal = nullptr;
    thread_local QByteArray record;
    if (journal) // encoded outside the lock
        IngestJournal::encode(record, IngestJournal::RecordType::Insert,
            options.fromSpans ? IngestJournal::kFromSpans : 0, nowMs, events, options.resolves);
    // Numbered under the lock, so numbers order batches as the store applies them and a mark
    // taken under it is exact; written after it (in number order), so the other ingest threads
    // do not wait for the write() of this one.
    const quint64 seq = apply(events, nowMs, journal);
    const bool durable = !journal || journal->write(seq, record);
    if (journal && record.capacity() > 8 * 1024 * 1024)
        record = QByteArray(); // a rare huge batch does not pin its buffer per thread
    return durable;
}

quint64 MetricStore::apply(std::span<const IngestEvent> events, qint64 nowMs, IngestJournal *journal)
{
    std::lock_guard lock(m_mutex);
    const quint64 seq = journal ? journal->reserve() : 0;
    State &s = *m_state;
    s.beginInsert();
    for (const IngestEvent &e : events) {
        const qint64 ts = (e.timestampMs <= 0 || e.timestampMs > nowMs) ? nowMs : e.timestampMs;
        if (nowMs - ts > m_config.maxLateMs) {
            s.droppedLate += e.weight();
            continue;
        }
        bool overflowed = false;
        const KeyId id = s.keyForEvent(e, m_config, overflowed);
        s.overflowEvents += overflowed ? e.weight() : 0;
        KeySeries &k = *s.keys[id];
        Group &g = *s.groups[std::size_t(k.group)];
        const bool latency = kindHasLatency(e.kind);
        const int sketchIndex = latency && !e.histogram ? LatencySketch::indexFor(e.value) : 0;

        s.record(k, RollupRow::Scope::Key, id, e, sketchIndex, ts, latency, nowMs);
        s.record(g, RollupRow::Scope::Group, quint32(k.group), e, sketchIndex, ts, latency, nowMs);
        const quint64 weight = e.weight();
        if (e.approximate && !k.meta.approximate)
            k.meta.approximate = true;

        if (m_config.rawHistory > 0 && !e.histogram) { // a histogram has no single samples
            const RawEntry entry { ts, e.value, quint32(std::min<quint64>(e.items, UINT32_MAX)), e.status, e.error };
            if (k.raw.size() < std::size_t(m_config.rawHistory)) {
                k.raw.push_back(entry);
            } else {
                k.raw[k.rawNext] = entry;
                k.rawNext = (k.rawNext + 1) % k.raw.size();
            }
        }
        if (e.kind == MetricKind::Db && !e.fields.empty()) {
            auto it = std::find_if(
                k.fieldSets.begin(), k.fieldSets.end(), [&](const auto &f) { return f.first == e.fields; });
            if (it != k.fieldSets.end())
                ++it->second;
            else if (k.fieldSets.size() < kMaxFieldSets)
                k.fieldSets.emplace_back(std::string(e.fields), 1);
        }
        if (!e.requestId.empty() && (e.kind == MetricKind::Api || e.kind == MetricKind::Db))
            s.correlate(e, id, ts, nowMs, m_config);
        k.totals.count = saturatingAdd(k.totals.count, weight);
        k.totals.errors = saturatingAdd(k.totals.errors, e.error ? weight : 0);
        k.totals.sum = finiteAdd(k.totals.sum, e.value);
        k.totals.items = saturatingAdd(k.totals.items, e.items);
        k.totals.misses = saturatingAdd(k.totals.misses, e.misses);
        s.events += weight;
    }
    if (!s.pending.empty() && nowMs - s.lastSweepMs >= 1000)
        s.sweep(nowMs, m_config);
    return seq;
}

std::vector<KeyMeta> MetricStore::keys(KeyId from) const
{
    std::lock_guard lock(m_mutex);
    std::vector<KeyMeta> out;
    const auto &keys = m_state->keys;
    for (std::size_t i = from; i < keys.size(); ++i) {
        if (keys[i])
            out.push_back(keys[i]->meta);
    }
    return out;
}

std::size_t MetricStore::keyCount() const
{
    std::lock_guard lock(m_mutex);
    return m_state->liveKeys;
}

bool MetricStore::isLive(KeyId key) const
{
    std::lock_guard lock(m_mutex);
    return key < m_state->keys.size() && m_state->keys[key];
}

QStringList MetricStore::services() const
{
    std::lock_guard lock(m_mutex);
    return QStringList(m_state->services.begin(), m_state->services.end());
}

StoreCounters MetricStore::counters() const
{
    std::lock_guard lock(m_mutex);
    const State &s = *m_state;
    return StoreCounters { s.events, s.overflowEvents, s.droppedLate, s.liveKeys, s.services.size(), s.retiredKeys };
}

std::vector<KeyAggregate> MetricStore::window(qint64 fromMs, qint64 toMs) const
{
    std::vector<KeyAggregate> out;
    quint64 read = 0;
    for (std::size_t begin = 0;; begin += kReadChunk) {
        std::lock_guard lock(m_mutex);
        const auto &keys = m_state->keys;
        if (begin == 0) {
            read = ++m_state->reads;
            out.reserve(keys.size());
        }
        if (begin >= keys.size())
            break;
        const std::size_t end = std::min(keys.size(), begin + kReadChunk);
        for (std::size_t i = begin; i < end; ++i) {
            if (!keys[i])
                continue;
            KeySeries &k = *keys[i];
            Aggregate agg = cachedWindow(k, fromMs, toMs, read);
            if (agg.stats.count > 0)
                out.push_back(KeyAggregate { k.meta, std::move(agg) });
        }
    }
    return out;
}

Aggregate MetricStore::keyWindow(KeyId key, qint64 fromMs, qint64 toMs) const
{
    std::lock_guard lock(m_mutex);
    Aggregate agg;
    if (key < m_state->keys.size() && m_state->keys[key]) {
        mergeWindow(*m_state->keys[key], fromMs, toMs, agg);
    }
    return agg;
}

std::vector<TimePoint> MetricStore::keySeries(KeyId key, qint64 fromMs, qint64 toMs, qint64 stepMs) const
{
    stepMs = std::max<qint64>(stepMs, 1);
    std::map<qint64, Aggregate> merged;
    {
        std::lock_guard lock(m_mutex);
        if (key >= m_state->keys.size() || !m_state->keys[key])
            return {};
        appendTierSeries(*m_state->keys[key], fromMs, toMs, stepMs, merged);
    }
    return toPoints(std::move(merged));
}

std::vector<TimePoint> MetricStore::kindSeries(
    MetricKind kind, const QStringList &services, qint64 fromMs, qint64 toMs, qint64 stepMs) const
{
    stepMs = std::max<qint64>(stepMs, 1);
    std::map<qint64, Aggregate> merged;
    std::lock_guard lock(m_mutex);
    for (const auto &g : m_state->groups) {
        if (!g || g->meta.kind != kind)
            continue;
        if (!services.isEmpty() && !services.contains(g->meta.service))
            continue;
        appendTierSeries(*g, fromMs, toMs, stepMs, merged);
    }
    return toPoints(std::move(merged));
}

qint64 MetricStore::memoryHorizonMs(qint64 nowMs, qint64 stepMs) const
{
    if (stepMs < StoreTiers::kMinuteMs)
        return (nowMs / StoreTiers::kKeyFineMs - StoreTiers::kKeyFineSlots + 1) * StoreTiers::kKeyFineMs;
    return (nowMs / StoreTiers::kMinuteMs - StoreTiers::kMinuteSlots + 1) * StoreTiers::kMinuteMs;
}

std::vector<RawSample> MetricStore::rawSamples(KeyId key, int maxCount) const
{
    std::lock_guard lock(m_mutex);
    if (key >= m_state->keys.size() || !m_state->keys[key] || maxCount <= 0)
        return {};
    const KeySeries &k = *m_state->keys[key];
    const std::size_t n = k.raw.size();
    const std::size_t take = std::min(n, std::size_t(maxCount));
    std::vector<RawSample> out;
    out.reserve(take);
    // The oldest entry sits at rawNext once the ring is full.
    const std::size_t oldest = n < std::size_t(m_config.rawHistory) ? 0 : k.rawNext;
    for (std::size_t i = n - take; i < n; ++i) {
        const RawEntry &r = k.raw[(oldest + i) % n];
        out.push_back(RawSample { r.timestampMs, r.value, r.status, r.error, r.items });
    }
    return out;
}

std::vector<KeyTotals> MetricStore::totals() const
{
    std::vector<KeyTotals> out;
    for (std::size_t begin = 0;; begin += kReadChunk) {
        std::lock_guard lock(m_mutex);
        const auto &keys = m_state->keys;
        if (begin >= keys.size())
            break;
        const std::size_t end = std::min(keys.size(), begin + kReadChunk);
        for (std::size_t i = begin; i < end; ++i) {
            if (!keys[i])
                continue;
            out.push_back(keys[i]->totals);
            out.back().meta = keys[i]->meta;
        }
    }
    return out;
}

std::vector<FieldSetCount> MetricStore::fieldSets(KeyId key) const
{
    std::lock_guard lock(m_mutex);
    if (key >= m_state->keys.size() || !m_state->keys[key])
        return {};
    std::vector<FieldSetCount> out;
    for (const auto &[fields, count] : m_state->keys[key]->fieldSets)
        out.push_back(FieldSetCount { QString::fromStdString(fields), count });
    std::stable_sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.count > b.count; });
    return out;
}

std::vector<RequestTrace> MetricStore::traces(qint64 fromMs, qint64 nowMs) const
{
    std::lock_guard lock(m_mutex);
    const State &s = *m_state;
    std::vector<RequestTrace> out;
    auto it = std::lower_bound(
        s.traces.begin(), s.traces.end(), fromMs, [](const RequestTrace &t, qint64 ms) { return t.timestampMs < ms; });
    out.reserve(std::size_t(s.traces.end() - it) + s.pending.size());
    out.assign(it, s.traces.end());
    const auto finished = std::ptrdiff_t(out.size());
    // Requests still open count once their endpoint reported or they went quiet.
    for (const auto &[id, p] : s.pending) {
        if (p.timestampMs >= fromMs && (p.hasApi || p.lastTouchMs <= nowMs - kCorrelationGraceMs))
            out.push_back(State::finish(p));
    }
    // The finished ones are in order already: sort the open ones and merge (finished first on ties).
    const auto byTime = [](const RequestTrace &a, const RequestTrace &b) { return a.timestampMs < b.timestampMs; };
    Q_ASSERT(std::is_sorted(out.begin(), out.begin() + finished, byTime));
    std::stable_sort(out.begin() + finished, out.end(), byTime);
    std::inplace_merge(out.begin(), out.begin() + finished, out.end(), byTime);
    return out;
}

void MetricStore::cleanup(qint64 nowMs)
{
    std::vector<KeyId> retired;
    {
        std::lock_guard lock(m_mutex);
        m_state->sweep(nowMs, m_config);
        auto &traces = m_state->traces;
        auto firstKept = std::lower_bound(traces.begin(), traces.end(), nowMs - kTraceRetentionMs,
            [](const RequestTrace &t, qint64 ms) { return t.timestampMs < ms; });
        traces.erase(traces.begin(), firstKept);
        // Idle buckets are merged into their minutes before the rings drop anything.
        m_state->sealGroups(nowMs);
        for (auto &g : m_state->groups) {
            if (g) {
                g->fine.expire(nowMs);
                g->minute.expire(nowMs);
            }
        }
    }
    for (std::size_t begin = 0;; begin += kReadChunk) {
        std::lock_guard lock(m_mutex);
        auto &keys = m_state->keys;
        if (begin >= keys.size())
            break;
        const std::size_t end = std::min(keys.size(), begin + kReadChunk);
        m_state->sealKeys(begin, end, nowMs);
        for (std::size_t i = begin; i < end; ++i) {
            if (!keys[i])
                continue;
            KeySeries &k = *keys[i];
            k.fine.expire(nowMs);
            k.minute.expire(nowMs);
            k.windows.prune(k.fine.floor(), k.minute.floor(), nowMs - kWindowCacheIdleMs);
            if (k.fine.isEmpty() && k.minute.isEmpty() && !k.open.isOpen())
                retired.push_back(KeyId(i));
        }
    }
    if (retired.empty())
        return;
    // Keys without a bucket left hold nothing a reader or the history still needs: remove them,
    // so the caps recover after a burst of names (their raw samples and totals go with them).
    std::lock_guard lock(m_mutex);
    m_state->retire(retired);
}

namespace {

/// A dirty minute taken under the store's lock; its sketch is encoded after it.
struct TakenRow
{
    RollupRow row;
    Aggregate agg;
};

template<typename Holder>
void collectDirty(Holder &h, RollupRow::Scope scope, std::vector<TakenRow> &out)
{
    if (!h.dirty)
        return;
    h.dirty = false;
    // The open fine bucket belongs to its minute's row: the row is the whole minute so far.
    BucketRing::Bucket *open = h.open.isOpen() ? &h.fine.newest() : nullptr;
    const bool openChanged = open && open->dirty;
    for (const BucketRing::Bucket &b : h.minute.buckets()) {
        const bool withOpen = open && b.index == h.open.minute;
        if (!b.dirty && !(withOpen && openChanged))
            continue;
        const_cast<BucketRing::Bucket &>(b).dirty = false;
        TakenRow &taken = out.emplace_back();
        taken.row.scope = scope;
        taken.row.meta = h.meta;
        taken.row.startMs = b.index * StoreTiers::kMinuteMs;
        taken.agg = b.agg;
        if (withOpen)
            taken.agg.merge(open->agg);
    }
    if (open)
        open->dirty = false;
}

} // namespace

std::vector<RollupRow> MetricStore::takeDirtyRollups(quint64 *journalSeq, bool rotate)
{
    // One lock for every key: the rows must include exactly the journal's records numbered below
    // the number taken with them (a key read after more inserts would count those again when they
    // are replayed). Copying the aggregates is cheap; encoding the sketches waits for after it.
    std::vector<TakenRow> taken;
    {
        std::lock_guard lock(m_mutex);
        if (journalSeq) {
            IngestJournal *journal = m_journal.load(std::memory_order_acquire);
            *journalSeq = journal ? journal->reserve(rotate) : 0;
        }
        for (auto &g : m_state->groups) {
            if (g)
                collectDirty(*g, RollupRow::Scope::Group, taken);
        }
        for (auto &[slot, agg] : m_state->late) {
            const auto [scope, id, start] = slot;
            if (RollupRow::Scope(scope) == RollupRow::Scope::Key && !m_state->keys[id])
                continue; // not reached: a key with late rows pending is not removed
            TakenRow &t = taken.emplace_back();
            t.row.scope = RollupRow::Scope(scope);
            if (t.row.scope == RollupRow::Scope::Key)
                t.row.meta = m_state->keys[id]->meta;
            else
                t.row.meta = m_state->groups[id]->meta;
            t.row.startMs = start;
            t.agg = std::move(agg);
            t.row.additive = true;
        }
        m_state->late.clear();
        for (auto &k : m_state->keys) {
            if (k) // null: a removed key
                collectDirty(*k, RollupRow::Scope::Key, taken);
        }
    }
    std::vector<RollupRow> out;
    out.reserve(taken.size());
    for (TakenRow &t : taken) {
        t.row.stats = t.agg.stats;
        if (kindHasLatency(t.row.meta.kind))
            t.row.sketch = t.agg.sketch.encode();
        out.push_back(std::move(t.row));
    }
    return out;
}

void MetricStore::restore(const std::vector<RollupRow> &rows, qint64 nowMs)
{
    const qint64 horizon = memoryHorizonMs(nowMs, StoreTiers::kMinuteMs);
    std::lock_guard lock(m_mutex);
    State &s = *m_state;
    // Restored rows replace whole minute buckets, so nothing may be pending outside them.
    s.sealGroups(std::numeric_limits<qint64>::max());
    s.sealKeys(0, s.keys.size(), std::numeric_limits<qint64>::max());
    for (const RollupRow &row : rows) {
        if (row.startMs < horizon || row.startMs > nowMs)
            continue;
        Aggregate agg;
        agg.stats = row.stats;
        if (!row.sketch.isEmpty()) {
            if (auto sketch = LatencySketch::decode(row.sketch))
                agg.sketch = std::move(*sketch);
        }
        const QByteArray service = row.meta.service.toUtf8();
        const int serviceIdx
            = s.serviceFor(std::string_view(service.constData(), std::size_t(service.size())), m_config.maxServices);
        const qint64 index = row.startMs / StoreTiers::kMinuteMs;
        if (row.scope == RollupRow::Scope::Group) {
            s.groupFor(serviceIdx, row.meta.kind).minute.restore(index, agg);
            continue;
        }
        const QByteArray name = row.meta.name.toUtf8();
        bool overflowed = false;
        const KeyId id = s.keyFor(row.meta.kind, std::string_view(service.constData(), std::size_t(service.size())),
            std::string_view(name.constData(), std::size_t(name.size())), m_config, overflowed);
        if (!overflowed || row.meta.isOverflow()) {
            s.keys[id]->windows.touched(WindowCache::Minute, index);
            ++s.keys[id]->version;
            s.keys[id]->minute.restore(index, agg);
        }
    }
}

std::size_t MetricStore::memoryUsage() const
{
    std::lock_guard lock(m_mutex);
    const State &s = *m_state;
    std::size_t bytes = s.keys.capacity() * sizeof(void *);
    for (const auto &k : s.keys) {
        if (!k)
            continue;
        bytes += sizeof(KeySeries) + k->fine.memoryUsage() + k->minute.memoryUsage()
            + k->raw.capacity() * sizeof(RawEntry) + k->windows.memoryUsage();
    }
    for (const auto &g : s.groups) {
        if (g)
            bytes += sizeof(Group) + g->fine.memoryUsage() + g->minute.memoryUsage();
    }
    return bytes;
}

} // namespace perfwatch
