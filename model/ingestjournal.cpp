#include "ingestjournal.h"

#include "aggregate.h" // IngestEvent::weight()
#include "latencysketch.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <limits>
#include <string>
#include <sys/file.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zlib.h>

namespace perfwatch {

using namespace Qt::StringLiterals;

namespace {

constexpr char kMagic[8] = { 'P', 'W', 'J', 'R', 'N', 'L', '0', '1' };
constexpr qsizetype kHeaderBytes = 16; ///< length, crc32, sequence number
constexpr quint32 kMaxRecordBytes = 512u * 1024 * 1024; ///< larger lengths are damage, not data

// Event flags.
constexpr quint8 kError = 1;
constexpr quint8 kApproximate = 2;
constexpr quint8 kHistogram = 4;
constexpr quint8 kTraceId = 8; ///< requestId is 32 lower-case hex digits, stored as 16 bytes
constexpr quint8 kRequestId = 16; ///< requestId stored as a string
constexpr quint8 kFields = 32;
constexpr quint8 kNoTimestamp = 64;
/// requestId is "<service>/<trace id>" (as OTLP spans scope theirs; "default" for no service):
/// only the 16 bytes of the trace id are stored, the service is the event's own.
constexpr quint8 kScopedTraceId = 128;
constexpr std::string_view kDefaultServiceName = "default";

void putU32(char *at, quint32 v)
{
    for (int i = 0; i < 4; ++i)
        at[i] = char((v >> (8 * i)) & 0xff);
}

quint32 getU32(const char *at)
{
    quint32 v = 0;
    for (int i = 0; i < 4; ++i)
        v |= quint32(quint8(at[i])) << (8 * i);
    return v;
}

void putU64(char *at, quint64 v)
{
    for (int i = 0; i < 8; ++i)
        at[i] = char((v >> (8 * i)) & 0xff);
}

quint64 getU64(const char *at)
{
    quint64 v = 0;
    for (int i = 0; i < 8; ++i)
        v |= quint64(quint8(at[i])) << (8 * i);
    return v;
}

/// Appends to a QByteArray through a raw pointer: the caller reserves room (reserve()) for what
/// it writes next, so the hot loop has no per-byte size checks.
class Writer
{
public:
    explicit Writer(QByteArray &out)
        : m_out(out)
        , m_at(out.data() + out.size())
    { }
    ~Writer() { finish(); }
    /// Makes room for `n` more bytes.
    void reserve(qsizetype n)
    {
        const qsizetype used = m_at - m_out.data();
        if (m_out.size() - used >= n)
            return;
        m_out.resize(std::max(m_out.size() * 2, used + n));
        m_at = m_out.data() + used;
    }
    /// Trims the array to what was written.
    void finish() { m_out.resize(m_at - m_out.constData()); }
    void byte(quint8 v) { *m_at++ = char(v); }
    void varint(quint64 v)
    {
        while (v >= 0x80) {
            *m_at++ = char((v & 0x7f) | 0x80);
            v >>= 7;
        }
        *m_at++ = char(v);
    }
    void zigzag(qint64 v) { varint((quint64(v) << 1) ^ quint64(v >> 63)); }
    void fixed64(quint64 v)
    {
        putU64(m_at, v);
        m_at += 8;
    }
    void real(double v)
    {
        quint64 bits = 0;
        std::memcpy(&bits, &v, sizeof bits);
        fixed64(bits);
    }
    void raw(const char *data, std::size_t n)
    {
        if (n == 0) // an empty string_view's data() may be null
            return;
        std::memcpy(m_at, data, n);
        m_at += n;
    }
    void bytes(std::string_view s)
    {
        varint(s.size());
        raw(s.data(), s.size());
    }

private:
    QByteArray &m_out;
    char *m_at;
};

/// The strings of one record (services, names, field lists), each once: open addressing over a
/// power-of-two table, one lookup per string. Reused per thread.
class StringTable
{
public:
    void reset(std::size_t expected)
    {
        std::size_t capacity = 64;
        while (capacity < expected * 2)
            capacity *= 2;
        if (m_slots.size() != capacity)
            m_slots.assign(capacity, kEmpty);
        else
            std::fill(m_slots.begin(), m_slots.end(), kEmpty);
        m_strings.clear();
    }
    quint32 intern(std::string_view s)
    {
        if (m_strings.size() * 2 >= m_slots.size())
            grow();
        const std::size_t mask = m_slots.size() - 1;
        for (std::size_t i = hash(s) & mask;; i = (i + 1) & mask) {
            const quint32 slot = m_slots[i];
            if (slot == kEmpty) {
                m_slots[i] = quint32(m_strings.size());
                m_strings.push_back(s);
                return m_slots[i];
            }
            if (m_strings[slot] == s)
                return slot;
        }
    }
    const std::vector<std::string_view> &strings() const { return m_strings; }

private:
    static constexpr quint32 kEmpty = 0xffffffffu;
    static std::size_t hash(std::string_view s)
    {
        quint64 h = 0x9e3779b97f4a7c15ull ^ s.size();
        std::size_t i = 0;
        for (; i + 8 <= s.size(); i += 8) {
            quint64 w;
            std::memcpy(&w, s.data() + i, 8);
            h = (h ^ w) * 0xff51afd7ed558ccdull;
            h ^= h >> 32;
        }
        quint64 tail = 0;
        if (s.size() > i) // an empty view may have no data pointer at all
            std::memcpy(&tail, s.data() + i, s.size() - i);
        h = (h ^ tail) * 0xc4ceb9fe1a85ec53ull;
        return std::size_t(h ^ (h >> 29));
    }
    void grow()
    {
        std::vector<quint32> bigger(m_slots.size() * 2, kEmpty);
        const std::size_t mask = bigger.size() - 1;
        for (quint32 n = 0; n < m_strings.size(); ++n) {
            std::size_t i = hash(m_strings[n]) & mask;
            while (bigger[i] != kEmpty)
                i = (i + 1) & mask;
            bigger[i] = n;
        }
        m_slots.swap(bigger);
    }
    std::vector<quint32> m_slots;
    std::vector<std::string_view> m_strings;
};

/// Reads a payload; every read checks the bounds (a checksum does not make bytes trustworthy
/// when the file was written by something else).
class Reader
{
public:
    Reader(const char *data, std::size_t size)
        : m_at(data)
        , m_end(data + size)
    { }
    bool ok() const { return m_ok; }
    bool atEnd() const { return m_at == m_end; }
    quint8 byte()
    {
        if (!need(1))
            return 0;
        return quint8(*m_at++);
    }
    quint64 varint()
    {
        quint64 v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (!need(1))
                return 0;
            const quint8 b = quint8(*m_at++);
            v |= quint64(b & 0x7f) << shift;
            if (!(b & 0x80))
                return v;
        }
        m_ok = false;
        return 0;
    }
    qint64 zigzag()
    {
        const quint64 v = varint();
        return qint64(v >> 1) ^ -qint64(v & 1);
    }
    quint64 fixed64()
    {
        if (!need(8))
            return 0;
        const quint64 v = getU64(m_at);
        m_at += 8;
        return v;
    }
    double real()
    {
        const quint64 bits = fixed64();
        double v = 0;
        std::memcpy(&v, &bits, sizeof v);
        return v;
    }
    std::string_view bytes()
    {
        const quint64 n = varint();
        if (!need(n))
            return {};
        const std::string_view s(m_at, std::size_t(n));
        m_at += n;
        return s;
    }
    const char *raw(std::size_t n)
    {
        if (!need(n))
            return nullptr;
        const char *at = m_at;
        m_at += n;
        return at;
    }

private:
    bool need(quint64 n)
    {
        if (!m_ok || quint64(m_end - m_at) < n) {
            m_ok = false;
            return false;
        }
        return true;
    }
    const char *m_at;
    const char *m_end;
    bool m_ok = true;
};

bool isLowerHex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

int hexValue(char c)
{
    return c <= '9' ? c - '0' : c - 'a' + 10;
}

/// A trace id as OTLP spans carry it: 32 lower-case hex digits (16 bytes on disk instead of 32).
bool isTraceId(std::string_view id)
{
    return id.size() == 32 && std::all_of(id.begin(), id.end(), isLowerHex);
}

/// The prefix a span's request id is scoped with: its service, "default" when it has none.
std::string_view scopeOf(const IngestEvent &e)
{
    return e.service.empty() ? kDefaultServiceName : e.service;
}

/// Whether the request id is scopeOf(e) + '/' + a trace id.
bool isScopedTraceId(const IngestEvent &e)
{
    const std::string_view id = e.requestId;
    const std::string_view scope = scopeOf(e);
    return id.size() == scope.size() + 33 && id[scope.size()] == '/' && id.starts_with(scope)
        && isTraceId(id.substr(scope.size() + 1));
}

QString segmentName(quint64 first)
{
    return QStringLiteral("%1.pwj").arg(first, 20, 10, QLatin1Char('0'));
}

/// Writes every buffer of `iov` in order or fails (errno set); retries short writes and EINTR.
/// Changes `iov` as it goes.
bool writeAllV(int fd, std::vector<iovec> &iov)
{
    std::size_t at = 0;
    while (at < iov.size()) {
        const int count = int(std::min<std::size_t>(iov.size() - at, IOV_MAX));
        const ssize_t n = ::writev(fd, iov.data() + at, count);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        std::size_t left = std::size_t(n);
        while (at < iov.size() && left >= iov[at].iov_len)
            left -= iov[at++].iov_len;
        if (left > 0) {
            iov[at].iov_base = static_cast<char *>(iov[at].iov_base) + left;
            iov[at].iov_len -= left;
        }
    }
    return true;
}

/// Writes all of `data` or fails (errno set); retries short writes and EINTR.
bool writeAll(int fd, const char *data, std::size_t size)
{
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        data += n;
        size -= std::size_t(n);
    }
    return true;
}

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

/// The decoded events of one record, owning what they point to.
struct DecodedRecord
{
    std::vector<IngestEvent> events;
    std::vector<quint64> resolves;
    std::vector<std::string_view> strings;
    std::string ids; ///< expanded trace ids; events point into it once decoding is done
    struct IdSpan
    {
        std::size_t event, at, size;
    };
    std::vector<IdSpan> idSpans; ///< the events with an expanded id: where it is in `ids`
    std::deque<LatencySketch> sketches;

    void clear()
    {
        events.clear();
        resolves.clear();
        strings.clear();
        ids.clear();
        sketches.clear();
    }
};

/// The header of a payload: type, flags, time, the holds it resolves.
struct PayloadHead
{
    IngestJournal::RecordType type = IngestJournal::RecordType::Insert;
    quint8 flags = 0;
    qint64 nowMs = 0;
};

bool readHead(Reader &r, PayloadHead &head, std::vector<quint64> &resolves)
{
    const quint8 type = r.byte();
    head.flags = r.byte();
    head.nowMs = qint64(r.fixed64());
    const quint64 count = r.varint();
    if (!r.ok()
        || (type != quint8(IngestJournal::RecordType::Insert) && type != quint8(IngestJournal::RecordType::Hold)
            && type != quint8(IngestJournal::RecordType::Checkpoint))
        || count > kMaxRecordBytes / 8)
        return false;
    head.type = IngestJournal::RecordType(type);
    resolves.clear();
    for (quint64 i = 0; i < count && r.ok(); ++i)
        resolves.push_back(r.fixed64());
    return r.ok();
}

bool readEvents(Reader &r, qint64 nowMs, DecodedRecord &out)
{
    const quint64 stringCount = r.varint();
    if (!r.ok() || stringCount > kMaxRecordBytes)
        return false;
    out.strings.reserve(std::size_t(stringCount));
    for (quint64 i = 0; i < stringCount && r.ok(); ++i)
        out.strings.push_back(r.bytes());
    const quint64 eventCount = r.varint();
    if (!r.ok() || eventCount > kMaxRecordBytes / 8)
        return false;
    out.events.reserve(std::size_t(eventCount));
    out.idSpans.clear();
    const auto stringAt = [&](quint64 index, std::string_view &s) {
        if (index >= out.strings.size())
            return false;
        s = out.strings[std::size_t(index)];
        return true;
    };
    for (quint64 i = 0; i < eventCount; ++i) {
        IngestEvent &e = out.events.emplace_back();
        const quint8 kind = r.byte();
        const quint8 flags = r.byte();
        if (kind >= kMetricKindCount)
            return false;
        e.kind = MetricKind(kind);
        e.error = flags & kError;
        e.approximate = flags & kApproximate;
        e.status = quint16(std::min<quint64>(r.varint(), 0xffff));
        const qint64 delta = r.zigzag();
        e.value = r.real();
        e.items = r.varint();
        e.misses = r.varint();
        if (!stringAt(r.varint(), e.service) || !stringAt(r.varint(), e.name))
            return false;
        if ((flags & kFields) && !stringAt(r.varint(), e.fields))
            return false;
        if (flags & (kTraceId | kScopedTraceId)) {
            const char *id = r.raw(16);
            if (!id)
                return false;
            static constexpr char kHex[] = "0123456789abcdef";
            const std::size_t at = out.ids.size();
            if (flags & kScopedTraceId) {
                out.ids.append(scopeOf(e));
                out.ids.push_back('/');
            }
            for (int b = 0; b < 16; ++b) {
                out.ids.push_back(kHex[quint8(id[b]) >> 4]);
                out.ids.push_back(kHex[quint8(id[b]) & 0xf]);
            }
            // Pointed at once every event is read: `ids` may still move as it grows.
            out.idSpans.push_back({ out.events.size() - 1, at, out.ids.size() - at });
        } else if (flags & kRequestId) {
            e.requestId = r.bytes();
        }
        if (flags & kHistogram) {
            const std::string_view bytes = r.bytes();
            std::optional<LatencySketch> sketch
                = LatencySketch::decode(QByteArrayView(bytes.data(), qsizetype(bytes.size())));
            if (!r.ok() || !sketch)
                return false;
            out.sketches.push_back(std::move(*sketch));
            e.histogram = &out.sketches.back();
        }
        if (!r.ok())
            return false;
        e.timestampMs = (flags & kNoTimestamp) ? 0 : nowMs + delta;
    }
    for (const DecodedRecord::IdSpan &id : out.idSpans)
        out.events[id.event].requestId = std::string_view(out.ids.data() + id.at, id.size);
    return r.atEnd();
}

// Row flags of a checkpoint.
constexpr quint8 kRowAdditive = 1;
constexpr quint8 kRowApproximate = 2;

/// The rows of a Checkpoint payload (after its head).
bool readRows(Reader &r, std::vector<RollupRow> &rows)
{
    const quint64 count = r.varint();
    if (!r.ok() || count > kMaxRecordBytes / 16)
        return false;
    rows.clear();
    rows.reserve(std::size_t(count));
    for (quint64 i = 0; i < count; ++i) {
        RollupRow &row = rows.emplace_back();
        const quint8 scope = r.byte();
        const quint8 kind = r.byte();
        const quint8 flags = r.byte();
        if (scope > quint8(RollupRow::Scope::Group) || kind >= kMetricKindCount)
            return false;
        row.scope = RollupRow::Scope(scope);
        row.meta.kind = MetricKind(kind);
        row.additive = flags & kRowAdditive;
        row.meta.approximate = flags & kRowApproximate;
        const std::string_view service = r.bytes();
        const std::string_view name = r.bytes();
        row.meta.service = QString::fromUtf8(service.data(), qsizetype(service.size()));
        row.meta.name = QString::fromUtf8(name.data(), qsizetype(name.size()));
        row.startMs = r.zigzag();
        MetricStats &st = row.stats;
        st.count = r.varint();
        st.errors = r.varint();
        st.sum = r.real();
        st.min = r.real();
        st.max = r.real();
        st.items = r.varint();
        st.misses = r.varint();
        st.last = r.real();
        st.lastMs = r.zigzag();
        const std::string_view sketch = r.bytes();
        row.sketch = QByteArray(sketch.data(), qsizetype(sketch.size()));
        if (!r.ok())
            return false;
    }
    return r.atEnd();
}

} // namespace

IngestJournal::IngestJournal() = default;

IngestJournal::~IngestJournal()
{
    sync();
    std::lock_guard lock(m_mutex);
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    if (m_lockFd >= 0)
        ::close(m_lockFd); // releases the flock
}

void IngestJournal::encode(QByteArray &out, RecordType type, quint8 flags, qint64 nowMs,
    std::span<const IngestEvent> events, std::span<const quint64> resolves)
{
    // Services, names and field lists repeat within a batch: a table, then indexes into it.
    thread_local StringTable table;
    thread_local std::vector<quint32> ids; // per event: service, name, fields
    table.reset(std::min<std::size_t>(events.size(), 4096));
    ids.resize(events.size() * 3);
    std::size_t stringBytes = 0;
    const auto intern = [&](std::string_view s) {
        const std::size_t before = table.strings().size();
        const quint32 id = table.intern(s);
        if (table.strings().size() != before)
            stringBytes += s.size() + 10;
        return id;
    };
    for (std::size_t i = 0; i < events.size(); ++i) {
        const IngestEvent &e = events[i];
        // Neighbours often share their service (and OTLP spans their name): skip the lookup.
        ids[3 * i] = i > 0 && e.service == events[i - 1].service ? ids[3 * i - 3] : intern(e.service);
        ids[3 * i + 1] = i > 0 && e.name == events[i - 1].name ? ids[3 * i - 2] : intern(e.name);
        ids[3 * i + 2] = e.fields.empty() ? 0 : intern(e.fields);
    }

    out.resize(kHeaderBytes);
    {
        Writer w(out);
        w.reserve(qsizetype(2 + 8 + 10 + resolves.size() * 8 + 10 + stringBytes + 10));
        w.byte(quint8(type));
        w.byte(flags);
        w.fixed64(quint64(nowMs));
        w.varint(resolves.size());
        for (const quint64 seq : resolves)
            w.fixed64(seq);
        w.varint(table.strings().size());
        for (const std::string_view s : table.strings())
            w.bytes(s);
        w.varint(events.size());
        // Per event at most: kind, flags, 3 varints of 10, a zigzag of 10, a double, 3 indexes,
        // and the request id (16 bytes, or its length and bytes).
        constexpr qsizetype kMaxFixed = 2 + 10 + 10 + 8 + 10 + 10 + 3 * 5;
        QByteArray sketch;
        for (std::size_t i = 0; i < events.size(); ++i) {
            const IngestEvent &e = events[i];
            const bool traceId = isTraceId(e.requestId);
            const bool scopedTraceId = !traceId && !e.requestId.empty() && isScopedTraceId(e);
            if (e.histogram)
                sketch = e.histogram->encode();
            w.reserve(kMaxFixed + 10 + qsizetype(traceId || scopedTraceId ? 16 : e.requestId.size())
                + (e.histogram ? 10 + sketch.size() : 0));
            quint8 f = (e.error ? kError : 0) | (e.approximate ? kApproximate : 0) | (e.histogram ? kHistogram : 0)
                | (e.fields.empty() ? 0 : kFields) | (e.timestampMs == 0 ? kNoTimestamp : 0);
            if (traceId)
                f |= kTraceId;
            else if (scopedTraceId)
                f |= kScopedTraceId;
            else if (!e.requestId.empty())
                f |= kRequestId;
            w.byte(quint8(e.kind));
            w.byte(f);
            w.varint(e.status);
            w.zigzag(e.timestampMs == 0 ? 0 : e.timestampMs - nowMs);
            w.real(e.value);
            w.varint(e.items);
            w.varint(e.misses);
            w.varint(ids[3 * i]);
            w.varint(ids[3 * i + 1]);
            if (!e.fields.empty())
                w.varint(ids[3 * i + 2]);
            if (traceId || scopedTraceId) {
                const std::string_view hex = e.requestId.substr(e.requestId.size() - 32);
                char id[16];
                for (int b = 0; b < 16; ++b)
                    id[b] = char((hexValue(hex[2 * b]) << 4) | hexValue(hex[2 * b + 1]));
                w.raw(id, 16);
            } else if (!e.requestId.empty()) {
                w.bytes(e.requestId);
            }
            if (e.histogram)
                w.bytes(std::string_view(sketch.constData(), std::size_t(sketch.size())));
        }
    }
    // The payload's checksum now; append() combines it with the sequence number's.
    const qsizetype payload = out.size() - kHeaderBytes;
    const uLong crc = crc32_z(0, reinterpret_cast<const Bytef *>(out.constData() + kHeaderBytes), z_size_t(payload));
    putU32(out.data(), quint32(payload + 8));
    putU32(out.data() + 4, quint32(crc));
}

void IngestJournal::encodeCheckpoint(QByteArray &out, qint64 nowMs, std::span<const RollupRow> rows)
{
    out.resize(kHeaderBytes);
    {
        Writer w(out);
        w.reserve(2 + 8 + 10 + 10);
        w.byte(quint8(RecordType::Checkpoint));
        w.byte(0);
        w.fixed64(quint64(nowMs));
        w.varint(0); // resolves nothing
        w.varint(rows.size());
        for (const RollupRow &row : rows) {
            const QByteArray service = row.meta.service.toUtf8();
            const QByteArray name = row.meta.name.toUtf8();
            w.reserve(3 + 3 * 10 + service.size() + name.size() + 10 + 4 * 10 + 4 * 8 + 10 + row.sketch.size());
            w.byte(quint8(row.scope));
            w.byte(quint8(row.meta.kind));
            w.byte((row.additive ? kRowAdditive : 0) | (row.meta.approximate ? kRowApproximate : 0));
            w.bytes(std::string_view(service.constData(), std::size_t(service.size())));
            w.bytes(std::string_view(name.constData(), std::size_t(name.size())));
            w.zigzag(row.startMs);
            const MetricStats &st = row.stats;
            w.varint(st.count);
            w.varint(st.errors);
            w.real(st.sum);
            w.real(st.min);
            w.real(st.max);
            w.varint(st.items);
            w.varint(st.misses);
            w.real(st.last);
            w.zigzag(st.lastMs);
            w.bytes(std::string_view(row.sketch.constData(), std::size_t(row.sketch.size())));
        }
    }
    const qsizetype payload = out.size() - kHeaderBytes;
    const uLong crc = crc32_z(0, reinterpret_cast<const Bytef *>(out.constData() + kHeaderBytes), z_size_t(payload));
    putU32(out.data(), quint32(payload + 8));
    putU32(out.data() + 4, quint32(crc));
}

bool IngestJournal::open(const QString &dir, qint64 syncMs, QString *error)
{
    std::lock_guard lock(m_mutex);
    m_syncMs = std::max<qint64>(0, syncMs);
    if (!QDir().mkpath(dir)) {
        if (error)
            *error = u"Cannot create the ingest journal folder %1"_s.arg(QDir::toNativeSeparators(dir));
        return false;
    }
    // One PerfWatch per journal: a second one on the same data folder (started by mistake, or an
    // instance on another port) must not replay, truncate or cut the files of the first.
    const QByteArray lockPath = QFile::encodeName(QDir(dir).filePath(u"lock"_s));
    const int lockFd = ::open(lockPath.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lockFd < 0 || ::flock(lockFd, LOCK_EX | LOCK_NB) != 0) {
        const int why = errno;
        if (lockFd >= 0)
            ::close(lockFd);
        if (error)
            *error = why == EWOULDBLOCK
                ? u"Another PerfWatch is using the ingest journal in %1"_s.arg(QDir::toNativeSeparators(dir))
                : u"Cannot lock the ingest journal in %1: %2"_s.arg(QDir::toNativeSeparators(dir), errnoText(why));
        return false;
    }
    m_lockFd = lockFd;
    m_dir = dir;
    m_previous.clear();
    const QStringList names = QDir(dir).entryList({ u"*.pwj"_s }, QDir::Files, QDir::Name);
    for (const QString &name : names) {
        bool ok = false;
        const quint64 first = QStringView(name).chopped(4).toULongLong(&ok);
        if (!ok || name.size() != 24)
            continue;
        const QString path = QDir(dir).filePath(name);
        m_previous.push_back({ first, path, quint64(QFileInfo(path).size()) });
    }
    return true;
}

IngestJournal::ReplayResult IngestJournal::replay(quint64 mark, const std::function<void(const Record &)> &sink)
{
    QElapsedTimer timer;
    timer.start();
    ReplayResult result;
    std::vector<Segment> previous;
    {
        std::lock_guard lock(m_mutex);
        previous = m_previous;
    }
    struct Mapped
    {
        QFile file;
        const char *data = nullptr;
        std::size_t size = 0;
    };
    std::vector<std::unique_ptr<Mapped>> maps;
    quint64 lastSeq = 0;
    bool stop = false;
    std::size_t damagedFrom = previous.size(); // files from here on were not (wholly) read
    std::vector<std::size_t> validEnd; // per file read: bytes up to the end of its last valid record
    std::set<quint64> resolved;
    std::vector<quint64> resolves;
    std::vector<RollupRow> rows;
    std::vector<quint64> holdSeqs;
    quint64 lastCheckpoint = 0; // the last checkpoint above the mark: Inserts before it are in it
    for (std::size_t i = 0; i < previous.size() && !stop; ++i) {
        auto m = std::make_unique<Mapped>();
        m->file.setFileName(previous[i].path);
        std::size_t valid = 0;
        if (m->file.open(QIODevice::ReadOnly) && m->file.size() > 0) {
            m->size = std::size_t(m->file.size());
            m->data = reinterpret_cast<const char *>(m->file.map(0, m->file.size()));
        }
        if (m->size >= sizeof kMagic && m->data && std::memcmp(m->data, kMagic, sizeof kMagic) == 0) {
            std::size_t at = sizeof kMagic;
            valid = at;
            while (at < m->size) {
                const std::size_t left = m->size - at;
                if (left < std::size_t(kHeaderBytes)) {
                    stop = true;
                    break;
                }
                const quint32 length = getU32(m->data + at);
                const quint32 crc = getU32(m->data + at + 4);
                if (length < 8 || length > kMaxRecordBytes || left - 8 < length
                    || quint32(crc32_z(0, reinterpret_cast<const Bytef *>(m->data + at + 8), length)) != crc) {
                    stop = true;
                    break;
                }
                const quint64 seq = getU64(m->data + at + 8);
                if (seq <= lastSeq && lastSeq != 0) { // numbers only grow: anything else is damage
                    stop = true;
                    break;
                }
                Reader r(m->data + at + kHeaderBytes, length - 8);
                PayloadHead head;
                if (!readHead(r, head, resolves)) {
                    stop = true;
                    break;
                }
                if (head.type == RecordType::Checkpoint) {
                    // Inserts before it are skipped on its word: it must be whole, or it is damage.
                    if (!readRows(r, rows)) {
                        stop = true;
                        break;
                    }
                    if (seq > mark)
                        lastCheckpoint = seq;
                } else {
                    ++result.records;
                    if (head.type == RecordType::Hold)
                        holdSeqs.push_back(seq);
                }
                resolved.insert(resolves.begin(), resolves.end());
                lastSeq = seq;
                at += 8 + length;
                valid = at;
            }
        } else if (m->size > 0) {
            stop = true; // not a journal file (or its magic is damaged)
        }
        if (stop) {
            damagedFrom = i;
            result.damaged = true;
            result.damagedBytes = m->size - valid;
            for (std::size_t j = i + 1; j < previous.size(); ++j)
                result.damagedBytes += previous[j].bytes;
        }
        validEnd.push_back(valid);
        maps.push_back(std::move(m));
    }
    const quint64 includedUpTo = std::max<quint64>(mark, 1); // numbers start at 1
    if (!previous.empty() && previous.front().first > includedUpTo)
        result.lostRecords = previous.front().first - includedUpTo;

    // While a hold waits, the span Inserts after it tell whether its service sent spans, even
    // where the history or a checkpoint already has their data.
    quint64 oldestOpenHold = 0;
    for (const quint64 h : holdSeqs) {
        if (!resolved.contains(h)) {
            oldestOpenHold = h;
            break;
        }
    }

    // Second pass: hand over what is not in the history yet.
    if (sink) {
        DecodedRecord decoded;
        for (std::size_t i = 0; i < maps.size(); ++i) {
            const Mapped &m = *maps[i];
            const std::size_t end = validEnd[i];
            std::size_t at = sizeof kMagic;
            while (m.data && at < end) {
                const quint32 length = getU32(m.data + at);
                const quint64 seq = getU64(m.data + at + 8);
                Reader r(m.data + at + kHeaderBytes, length - 8);
                PayloadHead head;
                decoded.clear();
                readHead(r, head, decoded.resolves);
                at += 8 + length;
                if (head.type == RecordType::Checkpoint) {
                    if (seq <= mark) // the history has it (the flush's own checkpoint is at its mark)
                        continue;
                    readRows(r, rows); // read whole in the first pass
                    Record record;
                    record.seq = seq;
                    record.type = head.type;
                    record.nowMs = head.nowMs;
                    record.rows = rows;
                    ++result.checkpoints;
                    result.checkpointRows += rows.size();
                    sink(record);
                    continue;
                }
                bool covered = false;
                bool wanted
                    = head.type == RecordType::Insert ? seq >= mark && seq > lastCheckpoint : !resolved.contains(seq);
                if (!wanted) {
                    ++result.skippedRecords;
                    covered = head.type == RecordType::Insert && (head.flags & kFromSpans) && oldestOpenHold != 0
                        && seq > oldestOpenHold;
                    if (!covered)
                        continue;
                }
                if (!readEvents(r, head.nowMs, decoded)) {
                    // The checksum matched but the content does not parse (written by something
                    // else): count it as damage and go on with the next record.
                    result.damaged = true;
                    continue;
                }
                Record record;
                record.seq = seq;
                record.type = head.type;
                record.flags = head.flags;
                record.nowMs = head.nowMs;
                record.events = decoded.events;
                record.resolves = decoded.resolves;
                record.covered = covered;
                if (!covered) {
                    for (const IngestEvent &e : decoded.events)
                        result.replayedEvents += e.weight();
                }
                sink(record);
            }
        }
    }
    maps.clear();

    std::lock_guard lock(m_mutex);
    // Never reuse a number the history may already count as included.
    m_nextSeq = std::max<quint64>({ lastSeq + 1, mark, 1 });
    for (std::size_t i = 0; i < previous.size(); ++i) {
        m_nextSeq = std::max(m_nextSeq, previous[i].first);
        const bool readable = i < damagedFrom || (i == damagedFrom && validEnd.size() > i);
        const std::size_t valid = validEnd.size() > i ? validEnd[i] : 0;
        if (readable && valid <= sizeof kMagic) {
            QFile::remove(previous[i].path); // no records: nothing to keep
            continue;
        }
        if (readable && sink) {
            Segment segment = previous[i];
            if (i == damagedFrom) { // keep the good records, so the next replay reads past them
                QFile::resize(segment.path, qint64(valid));
                segment.bytes = valid;
            }
            m_segments.push_back(segment);
            continue;
        }
        // Damaged (or after the damage), or not replayed: kept aside, out of the journal's way.
        const QString aside = previous[i].path + (readable ? u".unreplayed"_s : u".damaged"_s);
        QFile::remove(aside);
        QFile::rename(previous[i].path, aside);
    }
    m_previous.clear();
    m_nextWrite = m_nextSeq;
    QString error;
    if (!openSegmentLocked(m_nextSeq, &error))
        noteFailureLocked(error);
    result.durationMs = timer.elapsed();
    if (result.damaged) {
        result.message = u"The ingest journal was damaged after record %1: kept %2 records, %3 bytes after it "
                         "could not be read"_s.arg(lastSeq)
                             .arg(result.records)
                             .arg(result.damagedBytes);
    }
    if (result.lostRecords > 0) {
        const QString lost = u"The history is missing a flush (its last %1 journal records were already cut): "
                             "a damaged or replaced -wal file lost data"_s.arg(result.lostRecords);
        result.message = result.message.isEmpty() ? lost : result.message + u"; "_s + lost;
    }
    m_replay = result;
    return result;
}

bool IngestJournal::openSegmentLocked(quint64 first, QString *error)
{
    const QString path = QDir(m_dir).filePath(segmentName(first));
    const QByteArray native = QFile::encodeName(path);
    const int fd = ::open(native.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        *error = u"Cannot create %1: %2"_s.arg(QDir::toNativeSeparators(path), errnoText(errno));
        return false;
    }
    if (!writeAll(fd, kMagic, sizeof kMagic)) {
        *error = u"Cannot write %1: %2"_s.arg(QDir::toNativeSeparators(path), errnoText(errno));
        ::close(fd);
        ::unlink(native.constData());
        return false;
    }
    if (m_fd >= 0)
        m_retired.push_back(m_fd);
    m_fd = fd;
    if (!m_segments.empty() && m_segments.back().path == path)
        m_segments.pop_back(); // the same (empty) file made again: one entry, or cut() would delete it
    m_segments.push_back({ first, path, sizeof kMagic });
    return true;
}

void IngestJournal::noteFailureLocked(const QString &error)
{
    m_lastError = error;
    ++m_appendFailures;
    m_durable.store(false, std::memory_order_relaxed);
}

quint64 IngestJournal::reserve(bool rotate)
{
    std::lock_guard lock(m_mutex);
    if (m_dir.isEmpty())
        return 0;
    if (rotate)
        rotateLocked();
    return m_nextSeq++;
}

quint64 IngestJournal::append(QByteArray &record)
{
    const quint64 seq = reserve();
    return write(seq, record) ? seq : 0;
}

bool IngestJournal::write(quint64 seq, QByteArray &record)
{
    if (seq == 0)
        return false;
    // Number and checksum it outside the lock.
    char number[8];
    putU64(number, seq);
    std::memcpy(record.data() + 8, number, 8);
    const quint32 payloadCrc = getU32(record.constData() + 4);
    const qsizetype payload = record.size() - kHeaderBytes;
    putU32(record.data() + 4,
        quint32(crc32_combine(crc32_z(0, reinterpret_cast<const Bytef *>(number), 8), payloadCrc, payload)));
    Pending self;
    self.record = &record;
    {
        // Hold bookkeeping (cut() keeps every file from the oldest unresolved hold on), applied by
        // whoever writes the record, in the same step.
        Reader r(record.constData() + kHeaderBytes, std::size_t(payload));
        PayloadHead head;
        if (readHead(r, head, self.resolves))
            self.hold = head.type == RecordType::Hold;
    }
    std::unique_lock lock(m_mutex);
    m_queued.emplace(seq, &self);
    while (!self.done) {
        if (!m_writing && m_queued.begin()->first == m_nextWrite)
            writeQueuedLocked(lock);
        else
            m_turn.wait(lock);
    }
    lock.unlock();
    if (!self.ok)
        putU32(record.data() + 4, payloadCrc); // the caller may try again with the same bytes
    return self.ok;
}

void IngestJournal::writeQueuedLocked(std::unique_lock<std::mutex> &lock)
{
    m_writing = true;
    thread_local std::vector<std::pair<quint64, Pending *>> run;
    run.clear();
    for (auto it = m_queued.begin(); it != m_queued.end() && it->first == m_nextWrite + run.size();) {
        run.emplace_back(*it);
        it = m_queued.erase(it);
    }
    thread_local std::vector<iovec> iov;
    std::size_t i = 0;
    while (i < run.size()) {
        if (m_rotateAt != 0 && run[i].first >= m_rotateAt)
            openRotatedLocked();
        if (m_fd < 0 && !m_dir.isEmpty()) {
            // The file could not be made before (a full disk): try again, it may have passed.
            QString error;
            if (!openSegmentLocked(run[i].first, &error))
                noteFailureLocked(error);
        }
        std::size_t end = i + 1; // a piece: up to a rotation
        while (end < run.size() && (m_rotateAt == 0 || run[end].first < m_rotateAt))
            ++end;
        if (m_fd < 0) {
            for (; i < end; ++i)
                run[i].second->ok = false;
            continue;
        }
        const int fd = m_fd;
        const quint64 before = m_segments.back().bytes;
        const QString path = m_segments.back().path;
        lock.unlock();
        // All at once; when that fails, take it back and write one by one, so what fits is kept
        // and a partial record never stays in the file (the records after it stay readable).
        iov.clear();
        for (std::size_t k = i; k < end; ++k)
            iov.push_back({ run[k].second->record->data(), std::size_t(run[k].second->record->size()) });
        quint64 bytes = before;
        int why = 0;
        bool closeFile = false;
        if (writeAllV(fd, iov)) {
            for (std::size_t k = i; k < end; ++k) {
                run[k].second->ok = true;
                bytes += quint64(run[k].second->record->size());
            }
        } else {
            why = errno;
            for (std::size_t k = i; k < end; ++k) {
                Pending &p = *run[k].second;
                p.ok = !closeFile && ::ftruncate(fd, off_t(bytes)) == 0 && ::lseek(fd, off_t(bytes), SEEK_SET) >= 0;
                if (!p.ok) {
                    closeFile = true;
                    continue;
                }
                p.ok = writeAll(fd, p.record->constData(), std::size_t(p.record->size()));
                if (p.ok)
                    bytes += quint64(p.record->size());
                else
                    why = errno;
            }
            if (!closeFile && (::ftruncate(fd, off_t(bytes)) != 0 || ::lseek(fd, off_t(bytes), SEEK_SET) < 0))
                closeFile = true;
        }
        if (m_syncMs == 0)
            ::fdatasync(fd);
        lock.lock();
        m_segments.back().bytes = bytes;
        bool failed = false;
        for (std::size_t k = i; k < end; ++k) {
            Pending &p = *run[k].second;
            if (!p.ok) {
                failed = true;
                noteFailureLocked(u"Cannot append to the ingest journal %1: %2"_s.arg(
                    QDir::toNativeSeparators(path), errnoText(why)));
                continue;
            }
            if (p.hold)
                m_openHolds.insert(run[k].first);
            for (const quint64 h : p.resolves)
                m_openHolds.erase(h);
        }
        if (closeFile && m_fd == fd) {
            ::close(m_fd);
            m_fd = -1;
        }
        if (!failed && !m_durable.load(std::memory_order_relaxed)) {
            m_durable.store(true, std::memory_order_relaxed);
            m_lastError.clear();
        }
        i = end;
    }
    m_nextWrite = run.back().first + 1;
    for (const auto &[seq, p] : run)
        p->done = true;
    if (m_rotateAt != 0 && m_rotateAt == m_nextWrite)
        openRotatedLocked();
    m_writing = false;
    m_turn.notify_all();
}

void IngestJournal::openRotatedLocked()
{
    const quint64 first = m_rotateAt;
    m_rotateAt = 0;
    if (m_fd < 0 || m_segments.empty() || m_segments.back().bytes <= sizeof kMagic)
        return; // nothing written since the last rotation: the file goes on
    QString error;
    if (!openSegmentLocked(first, &error))
        noteFailureLocked(error); // keeps appending to the file it has
}

quint64 IngestJournal::rotate()
{
    std::lock_guard lock(m_mutex);
    rotateLocked();
    return m_nextSeq;
}

void IngestJournal::rotateLocked()
{
    if (m_fd < 0 || m_segments.empty())
        return;
    m_rotateAt = m_nextSeq;
    if (!m_writing && m_nextWrite == m_nextSeq)
        openRotatedLocked(); // nothing on its way: now
}

void IngestJournal::cut(quint64 mark)
{
    std::vector<QString> remove;
    {
        std::lock_guard lock(m_mutex);
        const quint64 limit = m_openHolds.empty() ? mark : std::min(mark, *m_openHolds.begin());
        std::size_t n = 0;
        while (n + 1 < m_segments.size() && m_segments[n + 1].first <= limit)
            ++n;
        for (std::size_t i = 0; i < n; ++i)
            remove.push_back(m_segments[i].path);
        m_segments.erase(m_segments.begin(), m_segments.begin() + qsizetype(n));
    }
    for (const QString &path : remove)
        QFile::remove(path);
}

void IngestJournal::sync()
{
    int fd = -1;
    std::vector<int> retired;
    {
        std::lock_guard lock(m_mutex);
        if (m_fd >= 0)
            fd = ::dup(m_fd);
        retired.swap(m_retired);
    }
    for (const int r : retired) {
        ::fdatasync(r);
        ::close(r);
    }
    if (fd >= 0) {
        ::fdatasync(fd);
        ::close(fd);
    }
    std::lock_guard lock(m_mutex);
    m_lastSyncMs = QDateTime::currentMSecsSinceEpoch();
}

IngestJournal::Status IngestJournal::status() const
{
    std::lock_guard lock(m_mutex);
    Status s;
    s.enabled = !m_dir.isEmpty();
    s.durable = m_durable.load(std::memory_order_relaxed);
    s.lastError = m_lastError;
    for (const Segment &segment : m_segments)
        s.bytes += segment.bytes;
    s.files = m_segments.size();
    s.nextSeq = m_nextSeq;
    s.appendFailures = m_appendFailures;
    s.syncMs = m_syncMs;
    s.lastSyncMs = m_lastSyncMs;
    s.replay = m_replay;
    return s;
}

} // namespace perfwatch
