// Schema (PRAGMA user_version = 1):
//
//   keys(id INTEGER PRIMARY KEY, scope TEXT 'key'|'group', kind TEXT, service TEXT, name TEXT,
//        UNIQUE(scope, kind, service, name))
//       One row per key (scope 'key') and per group (scope 'group': all keys of a kind from one
//       service, name ''). kind is kindName(). Rows are never deleted, so ids stay stable.
//   rollup_1m(key_id, start_ms, count, errors, sum, min, max, items, misses, last, last_ms,
//             sketch BLOB, PRIMARY KEY(key_id, start_ms)) WITHOUT ROWID
//       One row per key and minute; the columns are MetricStats, sketch is LatencySketch::encode()
//       (empty for gauges and caches). Index on start_ms for range scans and retention.
//   rollup_5m(same shape) WITHOUT ROWID
//       Minutes older than six hours, merged per 5-minute slot (start_ms is the slot start).
//       Compaction moves the minutes of a slot in one transaction, so at any moment a minute is
//       in exactly one of the two tables: readers add both tables up and never count twice.
//   scores(ts_ms INTEGER PRIMARY KEY, score INTEGER, band TEXT)
//   recommendations(id TEXT PRIMARY KEY, position INTEGER, json TEXT, first_seen_ms, last_seen_ms)
//       json is recommendationToStorageJson(); position keeps the analyzer's order.
//
// Writes run in BEGIN IMMEDIATE transactions: the write lock is taken up front, so a writer that
// first reads (additive merges, compaction) never fails to upgrade its snapshot, and another
// connection waits through the busy timeout instead of failing.

#include "historydatabase.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QVariant>
#include <algorithm>
#include <map>
#include <mutex>
#include <sqlite3.h>

namespace perfwatch {

using namespace Qt::StringLiterals;

namespace {

// SQLite primary result codes (sqlite3.h); QSQLITE reports them as QSqlError::nativeErrorCode().
constexpr int kSqliteCorrupt = 11;
constexpr int kSqliteNotADatabase = 26;

constexpr QLatin1StringView kFileName("perfwatch.sqlite");
// Big deletes leave a long WAL behind; truncate it once they are done.
constexpr qint64 kCheckpointAfterRows = 10'000;
constexpr int kCacheKiB = 32 * 1024;
// What a WAL is trimmed to when it restarts after a checkpoint (it grows beyond while needed).
constexpr qint64 kWalLimitBytes = 64LL * 1024 * 1024;

// Column list shared by every statement that reads or writes a rollup row, in bind order.
constexpr QLatin1StringView kStatsColumns("count, errors, sum, min, max, items, misses, last, last_ms, sketch");
constexpr int kStatsColumnCount = 10;

QString scopeText(RollupRow::Scope scope)
{
    return scope == RollupRow::Scope::Group ? u"group"_s : u"key"_s;
}

QString kindText(MetricKind kind)
{
    const std::string_view name = kindName(kind);
    return QString::fromLatin1(name.data(), qsizetype(name.size()));
}

bool kindFromText(const QString &text, MetricKind &kind)
{
    const QByteArray latin = text.toLatin1();
    return kindFromName(std::string_view(latin.constData(), std::size_t(latin.size())), kind);
}

Band bandOf(const QString &name)
{
    Band band = Band::NoData;
    bandFromName(name, band);
    return band;
}

QString oneLine(QString text)
{
    text.replace(u'\n', u' ');
    return text.simplified();
}

QString describe(const QSqlError &error)
{
    QString text = error.databaseText();
    if (text.isEmpty())
        text = error.text();
    if (text.isEmpty())
        text = u"unknown SQLite error"_s;
    return oneLine(text);
}

/// False (with a reason) when the file exists, is not empty and does not start like an SQLite
/// database. Checked before SQLite opens it, so a stray -wal next to it is not touched.
bool hasSqliteHeader(const QString &path, QString *reason)
{
    QFile file(path);
    if (!file.exists() || file.size() == 0)
        return true; // SQLite creates a new database
    if (!file.open(QIODevice::ReadOnly))
        return true; // let SQLite report why it cannot be opened
    static constexpr char kMagic[] = "SQLite format 3"; // followed by a NUL: 16 bytes
    const QByteArray header = file.read(100);
    if (header.size() == 100 && header.startsWith(QByteArrayView(kMagic, sizeof kMagic)))
        return true;
    *reason = header.size() < 100 ? u"file too short to be an SQLite database"_s
                                  : u"file is not an SQLite database (unexpected header)"_s;
    return false;
}

/// History files this process has open through SQLite, by absolute path, with their connection
/// counts. Closing any descriptor of a file drops every POSIX lock the process holds on it,
/// SQLite's included: reading the header while another connection of this process has the file
/// open would leave that connection without its locks, and the next process to close the
/// database (a `perfwatch --export-report` beside a running instance) would then delete the
/// running instance's -wal and -shm from under it.
std::mutex g_openFilesMutex;
std::map<QString, int> g_openFiles;

QString fileKey(const QString &path)
{
    return QFileInfo(path).absoluteFilePath();
}

bool isOpenInThisProcess(const QString &path)
{
    std::lock_guard lock(g_openFilesMutex);
    const auto it = g_openFiles.find(fileKey(path));
    return it != g_openFiles.end() && it->second > 0;
}

void countConnection(const QString &path, int delta)
{
    std::lock_guard lock(g_openFilesMutex);
    int &count = g_openFiles[fileKey(path)];
    count += delta;
    if (count <= 0)
        g_openFiles.erase(fileKey(path));
}

bool isCorruption(const QSqlError &error)
{
    bool ok = false;
    const int code = error.nativeErrorCode().toInt(&ok) & 0xff; // extended codes keep the primary in the low byte
    return ok && (code == kSqliteCorrupt || code == kSqliteNotADatabase);
}

qint64 floorTo(qint64 value, qint64 step)
{
    qint64 q = value / step;
    if (value % step < 0)
        --q;
    return q * step;
}

/// Reads the ten stats columns (kStatsColumns order) starting at column `first`.
MetricStats readStats(const QSqlQuery &q, int first)
{
    MetricStats s;
    s.count = quint64(q.value(first).toLongLong());
    s.errors = quint64(q.value(first + 1).toLongLong());
    s.sum = q.value(first + 2).toDouble();
    s.min = q.value(first + 3).toDouble();
    s.max = q.value(first + 4).toDouble();
    s.items = quint64(q.value(first + 5).toLongLong());
    s.misses = quint64(q.value(first + 6).toLongLong());
    s.last = q.value(first + 7).toDouble();
    s.lastMs = q.value(first + 8).toLongLong();
    return s;
}

/// Binds the ten stats columns starting at placeholder `first`.
void bindStats(QSqlQuery &q, int first, const MetricStats &s, const QByteArray &sketch)
{
    q.bindValue(first, qint64(s.count));
    q.bindValue(first + 1, qint64(s.errors));
    q.bindValue(first + 2, s.sum);
    q.bindValue(first + 3, s.min);
    q.bindValue(first + 4, s.max);
    q.bindValue(first + 5, qint64(s.items));
    q.bindValue(first + 6, qint64(s.misses));
    q.bindValue(first + 7, s.last);
    q.bindValue(first + 8, s.lastMs);
    q.bindValue(first + 9, sketch);
}

/// Accumulates rows into one aggregate; counts sketches that cannot be decoded.
struct Merger
{
    Aggregate agg;
    bool hasSketch = false;

    void add(const MetricStats &stats, const QByteArray &blob, quint64 &decodeFailures)
    {
        agg.stats.merge(stats);
        if (blob.isEmpty())
            return;
        if (const auto sketch = LatencySketch::decode(blob)) {
            agg.sketch.merge(*sketch);
            hasSketch = true;
        } else {
            ++decodeFailures;
        }
    }
    QByteArray encodedSketch() const { return hasSketch ? agg.sketch.encode() : QByteArray(); }
};

/// The schema of version 1, one statement per entry (QSqlQuery runs one statement per exec).
const QLatin1StringView kSchemaV1[] = {
    "CREATE TABLE IF NOT EXISTS keys ("
    " id INTEGER PRIMARY KEY,"
    " scope TEXT NOT NULL CHECK (scope IN ('key', 'group')),"
    " kind TEXT NOT NULL,"
    " service TEXT NOT NULL,"
    " name TEXT NOT NULL,"
    " UNIQUE (scope, kind, service, name))"_L1,
    "CREATE TABLE IF NOT EXISTS rollup_1m ("
    " key_id INTEGER NOT NULL REFERENCES keys(id), start_ms INTEGER NOT NULL,"
    " count INTEGER NOT NULL, errors INTEGER NOT NULL, sum REAL, min REAL, max REAL,"
    " items INTEGER NOT NULL, misses INTEGER NOT NULL, last REAL, last_ms INTEGER NOT NULL, sketch BLOB,"
    " PRIMARY KEY (key_id, start_ms)) WITHOUT ROWID"_L1,
    "CREATE INDEX IF NOT EXISTS rollup_1m_start ON rollup_1m(start_ms)"_L1,
    "CREATE TABLE IF NOT EXISTS rollup_5m ("
    " key_id INTEGER NOT NULL REFERENCES keys(id), start_ms INTEGER NOT NULL,"
    " count INTEGER NOT NULL, errors INTEGER NOT NULL, sum REAL, min REAL, max REAL,"
    " items INTEGER NOT NULL, misses INTEGER NOT NULL, last REAL, last_ms INTEGER NOT NULL, sketch BLOB,"
    " PRIMARY KEY (key_id, start_ms)) WITHOUT ROWID"_L1,
    "CREATE INDEX IF NOT EXISTS rollup_5m_start ON rollup_5m(start_ms)"_L1,
    "CREATE TABLE IF NOT EXISTS scores (ts_ms INTEGER PRIMARY KEY, score INTEGER NOT NULL, band TEXT NOT NULL)"_L1,
    "CREATE TABLE IF NOT EXISTS recommendations ("
    " id TEXT PRIMARY KEY, position INTEGER NOT NULL, json TEXT NOT NULL,"
    " first_seen_ms INTEGER NOT NULL, last_seen_ms INTEGER NOT NULL)"_L1,
};

} // namespace

QJsonObject recommendationToStorageJson(const Recommendation &r)
{
    QJsonObject o;
    o.insert(u"id"_s, r.id);
    o.insert(u"rule"_s, r.rule);
    o.insert(u"type"_s, typeName(r.type));
    o.insert(u"priority"_s, priorityName(r.priority));
    o.insert(u"service"_s, r.service);
    o.insert(u"target"_s, r.target);
    o.insert(u"message"_s, r.message);
    o.insert(u"suggestion"_s, r.suggestion);
    o.insert(u"evidence"_s, r.evidence);
    o.insert(u"first_seen_ms"_s, r.firstSeenMs);
    o.insert(u"last_seen_ms"_s, r.lastSeenMs);
    return o;
}

std::optional<Recommendation> recommendationFromJson(const QJsonObject &json)
{
    Recommendation r;
    r.id = json.value(u"id"_s).toString();
    if (r.id.isEmpty())
        return std::nullopt;
    if (!typeFromName(json.value(u"type"_s).toString(), r.type))
        return std::nullopt;
    if (!priorityFromName(json.value(u"priority"_s).toString(), r.priority))
        return std::nullopt;
    r.rule = json.value(u"rule"_s).toString();
    r.service = json.value(u"service"_s).toString();
    r.target = json.value(u"target"_s).toString();
    r.message = json.value(u"message"_s).toString();
    r.suggestion = json.value(u"suggestion"_s).toString();
    r.evidence = json.value(u"evidence"_s).toObject();
    r.firstSeenMs = json.value(u"first_seen_ms"_s).toInteger();
    r.lastSeenMs = json.value(u"last_seen_ms"_s).toInteger();
    return r;
}

/// Statements prepared once per connection and reused.
struct HistoryDatabase::Statements
{
    explicit Statements(const QSqlDatabase &db)
        : begin(db)
        , commit(db)
        , rollback(db)
        , findKey(db)
        , insertKey(db)
        , allKeys(db)
        , selectMinute(db)
        , replaceMinute(db)
        , slotMinutes(db)
        , slotFive(db)
        , replaceFive(db)
        , deleteSlotMinutes(db)
        , loadRollups(db)
        , window(db)
        , series(db)
        , replaceScore(db)
        , scores(db)
        , deleteRecommendations(db)
        , insertRecommendation(db)
        , deleteRecommendation(db)
        , touchRecommendations(db)
        , recommendations(db)
    { }

    QSqlQuery begin;
    QSqlQuery commit;
    QSqlQuery rollback;
    QSqlQuery findKey;
    QSqlQuery insertKey;
    QSqlQuery allKeys;
    QSqlQuery selectMinute;
    QSqlQuery replaceMinute;
    QSqlQuery slotMinutes;
    QSqlQuery slotFive;
    QSqlQuery replaceFive;
    QSqlQuery deleteSlotMinutes;
    QSqlQuery loadRollups;
    QSqlQuery window;
    QSqlQuery series;
    QSqlQuery replaceScore;
    QSqlQuery scores;
    QSqlQuery deleteRecommendations;
    QSqlQuery insertRecommendation;
    QSqlQuery deleteRecommendation;
    QSqlQuery touchRecommendations;
    QSqlQuery recommendations;
};

HistoryDatabase::HistoryDatabase(QString dataDir, QString connectionName)
    : m_dataDir(std::move(dataDir))
    , m_connectionName(std::move(connectionName))
{ }

HistoryDatabase::~HistoryDatabase()
{
    close();
}

QString HistoryDatabase::path() const
{
    return QDir(m_dataDir).filePath(kFileName);
}

bool HistoryDatabase::isOpen() const
{
    return m_statements != nullptr;
}

void HistoryDatabase::assertThread() const
{
    Q_ASSERT_X(!m_thread || QThread::currentThread() == m_thread, "HistoryDatabase",
        "used from a thread other than the one that opened it");
}

void HistoryDatabase::close()
{
    m_statements.reset();
    m_writtenRecommendations.reset();
    m_keyIds.clear();
    if (!m_registered)
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
    m_registered = false;
    countConnection(path(), -1);
}

bool HistoryDatabase::fail(const QString &what, const QSqlError &error)
{
    m_lastError = what + u": "_s + describe(error);
    return false;
}

bool HistoryDatabase::fail(const QString &what, const QSqlQuery &query)
{
    return fail(what, query.lastError());
}

bool HistoryDatabase::open(QString *error)
{
    close();
    m_thread = QThread::currentThread();
    m_recoveredFrom.clear();
    m_lastError.clear();
    m_sketchDecodeFailures = 0;
    m_permanentFailure = false;

    auto failWith = [&](const QString &message) {
        m_lastError = message;
        if (error)
            *error = message;
        close();
        return false;
    };

    if (!QSqlDatabase::isDriverAvailable(u"QSQLITE"_s)) {
        m_permanentFailure = true;
        return failWith(u"Qt's SQLite driver (QSQLITE) is not installed"_s);
    }
    if (const QFileInfo folder(m_dataDir); folder.exists() && !folder.isDir()) {
        m_permanentFailure = true;
        return failWith(u"The data folder "_s + QDir::toNativeSeparators(m_dataDir) + u" is a file, not a folder"_s);
    }
    if (!QDir().mkpath(m_dataDir))
        return failWith(u"Cannot create the data folder "_s + QDir::toNativeSeparators(m_dataDir));

    QString why;
    // Another connection of this process has the file: SQLite checked it then (see g_openFiles).
    bool damaged = !isOpenInThisProcess(path()) && !hasSqliteHeader(path(), &why);
    if (!damaged) {
        if (openOnce(&why, &damaged)) {
            if (error)
                error->clear();
            return true;
        }
        if (!damaged)
            return failWith(why);
    }

    // Moved while SQLite may still hold it open: closing the last connection deletes the -wal and
    // -shm by name, and they belong with the damaged file.
    QString moveError;
    const bool moved = moveAside(&moveError);
    close();
    if (!moved)
        return failWith(u"History database "_s + QDir::toNativeSeparators(path()) + u" is damaged ("_s + why
            + u") and could not be moved aside: "_s + moveError);
    QString freshError;
    damaged = false;
    if (!openOnce(&freshError, &damaged))
        return failWith(freshError);

    const QString notice = u"History database "_s + QDir::toNativeSeparators(path()) + u" was damaged ("_s + why
        + u"); moved it to "_s + QDir::toNativeSeparators(m_recoveredFrom) + u" and started a fresh one"_s;
    if (error)
        *error = notice;
    return true;
}

bool HistoryDatabase::openOnce(QString *error, bool *damaged)
{
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, m_connectionName);
        m_registered = true;
        countConnection(path(), +1);
        db.setDatabaseName(path());
        db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT="_s + QString::number(kBusyTimeoutMs));
        if (!db.open()) {
            *damaged = isCorruption(db.lastError());
            *error = *damaged
                ? describe(db.lastError())
                : u"Cannot open "_s + QDir::toNativeSeparators(path()) + u": "_s + describe(db.lastError());
            return false;
        }
    }
    // On failure the connection stays open for open() to decide: a damaged file is moved aside
    // before the connection closes.
    return initialise(error, damaged);
}

bool HistoryDatabase::initialise(QString *error, bool *damaged)
{
    const QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    q.setForwardOnly(true);
    auto failed = [&](const QString &what) {
        *damaged = isCorruption(q.lastError());
        // A damaged file gets its own message from open(); the reason alone is enough there.
        *error = *damaged ? describe(q.lastError())
                          : what + u" ("_s + QDir::toNativeSeparators(path()) + u"): "_s + describe(q.lastError());
        return false;
    };
    auto run = [&](const QString &sql) {
        const bool ok = q.exec(sql);
        q.finish();
        return ok;
    };

    if (!run(u"PRAGMA busy_timeout = "_s + QString::number(kBusyTimeoutMs)))
        return failed(u"Cannot set the busy timeout"_s);

    // Checked before anything writes to the file, so a damaged one is moved aside untouched.
    if (!q.exec(u"PRAGMA quick_check"_s))
        return failed(u"Cannot check the history database"_s);
    QStringList problems;
    while (q.next())
        problems << q.value(0).toString();
    if (q.lastError().isValid())
        return failed(u"Cannot check the history database"_s);
    q.finish();
    if (problems != QStringList { u"ok"_s }) {
        *error = u"quick_check: "_s + oneLine(problems.value(0, u"no result"_s));
        *damaged = true;
        return false;
    }

    if (!q.exec(u"PRAGMA journal_mode = WAL"_s))
        return failed(u"Cannot switch to WAL"_s);
    const QString mode = q.next() ? q.value(0).toString() : QString();
    q.finish();
    if (mode.compare(u"wal"_s, Qt::CaseInsensitive) != 0)
        qWarning("HistoryDatabase: journal_mode is %s, not wal; readers may wait for the writer", qPrintable(mode));
    if (!run(u"PRAGMA synchronous = NORMAL"_s))
        return failed(u"Cannot set synchronous mode"_s);
    if (!run(u"PRAGMA journal_size_limit = "_s + QString::number(kWalLimitBytes)))
        return failed(u"Cannot set the WAL size limit"_s);
    // Rows of one minute are spread over every key's part of the tables; a page cache larger than
    // SQLite's 2 MiB default keeps compaction and long reads from re-reading the same pages.
    if (!run(u"PRAGMA cache_size = -"_s + QString::number(kCacheKiB)))
        return failed(u"Cannot set the cache size"_s);

    if (!q.exec(u"PRAGMA user_version"_s) || !q.next())
        return failed(u"Cannot read the schema version"_s);
    int version = q.value(0).toInt();
    q.finish();
    if (version > kSchemaVersion) {
        *error = u"History database "_s + QDir::toNativeSeparators(path()) + u" has schema version "_s
            + QString::number(version) + u", newer than this PerfWatch supports ("_s + QString::number(kSchemaVersion)
            + u"); use a newer PerfWatch or another --data-dir"_s;
        m_permanentFailure = true;
        return false;
    }
    if (version < kSchemaVersion) {
        // Another connection may be migrating at the same time: take the write lock first, then
        // look again.
        if (!run(u"BEGIN IMMEDIATE"_s))
            return failed(u"Cannot start the schema migration"_s);
        bool ok = q.exec(u"PRAGMA user_version"_s) && q.next();
        version = ok ? q.value(0).toInt() : 0;
        q.finish();
        if (ok && version < 1) {
            for (const QLatin1StringView statement : kSchemaV1) {
                ok = run(QString(statement));
                if (!ok)
                    break;
            }
        }
        if (ok)
            ok = run(u"PRAGMA user_version = "_s + QString::number(kSchemaVersion));
        if (!ok) {
            const bool result = failed(u"Cannot create the schema"_s);
            run(u"ROLLBACK"_s);
            return result;
        }
        if (!run(u"COMMIT"_s))
            return failed(u"Cannot commit the schema"_s);
    }

    if (!prepareStatements()) {
        *error = m_lastError;
        return false;
    }
    return true;
}

bool HistoryDatabase::moveAside(QString *error)
{
    const QString source = path();
    const QString stamp = QDateTime::currentDateTimeUtc().toString(u"yyyyMMdd'T'HHmmss'Z'"_s);
    QString target = source + u".corrupt-"_s + stamp;
    for (int n = 2; QFileInfo::exists(target) || QFileInfo::exists(target + u"-wal"_s); ++n)
        target = source + u".corrupt-"_s + stamp + u'-' + QString::number(n);

    QFile file(source);
    if (!file.rename(target)) {
        *error = file.errorString();
        return false;
    }
    // A -wal left next to a fresh database would be replayed into it: move it along, or delete it.
    for (const QString &suffix : { u"-wal"_s, u"-shm"_s }) {
        QFile side(source + suffix);
        if (!side.exists())
            continue;
        if (!side.rename(target + suffix) && !side.remove()) {
            *error = side.errorString();
            return false;
        }
    }
    m_recoveredFrom = target;
    return true;
}

bool HistoryDatabase::prepareStatements()
{
    const QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    auto statements = std::make_unique<Statements>(db);
    const QString stats = QString(kStatsColumns);
    const QString statsPlaceholders = u"?, ?, ?, ?, ?, ?, ?, ?, ?, ?"_s;
    static_assert(kStatsColumnCount == 10);

    const std::pair<QSqlQuery *, QString> all[] = {
        { &statements->begin, u"BEGIN IMMEDIATE"_s },
        { &statements->commit, u"COMMIT"_s },
        { &statements->rollback, u"ROLLBACK"_s },
        { &statements->findKey, u"SELECT id FROM keys WHERE scope = ? AND kind = ? AND service = ? AND name = ?"_s },
        { &statements->insertKey, u"INSERT OR IGNORE INTO keys (scope, kind, service, name) VALUES (?, ?, ?, ?)"_s },
        { &statements->allKeys, u"SELECT id, scope, kind, service, name FROM keys ORDER BY id"_s },
        { &statements->selectMinute, u"SELECT "_s + stats + u" FROM rollup_1m WHERE key_id = ? AND start_ms = ?"_s },
        { &statements->replaceMinute,
            u"INSERT OR REPLACE INTO rollup_1m (key_id, start_ms, "_s + stats + u") VALUES (?, ?, "_s
                + statsPlaceholders + u')' },
        { &statements->slotMinutes,
            u"SELECT key_id, "_s + stats
                + u" FROM rollup_1m WHERE start_ms >= ? AND start_ms < ? ORDER BY key_id, start_ms"_s },
        { &statements->slotFive, u"SELECT key_id, "_s + stats + u" FROM rollup_5m WHERE start_ms = ?"_s },
        { &statements->replaceFive,
            u"INSERT OR REPLACE INTO rollup_5m (key_id, start_ms, "_s + stats + u") VALUES (?, ?, "_s
                + statsPlaceholders + u')' },
        { &statements->deleteSlotMinutes, u"DELETE FROM rollup_1m WHERE start_ms >= ? AND start_ms < ?"_s },
        { &statements->loadRollups,
            u"SELECT r.key_id, r.start_ms, "_s
                + u"r.count, r.errors, r.sum, r.min, r.max, r.items, r.misses, r.last, "_s
                + u"r.last_ms, r.sketch FROM rollup_1m r JOIN keys k ON k.id = r.key_id "_s
                + u"WHERE k.scope = ? AND r.start_ms >= ? AND r.start_ms < ? ORDER BY r.start_ms, r.key_id"_s },
        // One statement over both tables: one snapshot, so compaction running meanwhile on another
        // connection can neither hide a minute nor show it twice.
        { &statements->window,
            u"SELECT key_id, "_s + stats
                + u" FROM rollup_1m WHERE start_ms >= ? AND start_ms < ?"
                  u" AND key_id IN (SELECT id FROM keys WHERE scope = 'key')"
                  u" UNION ALL SELECT key_id, "_s
                + stats
                + u" FROM rollup_5m WHERE start_ms >= ? AND start_ms < ?"
                  u" AND key_id IN (SELECT id FROM keys WHERE scope = 'key')"_s },
        { &statements->series,
            u"SELECT start_ms, "_s + stats + u" FROM rollup_1m WHERE key_id = ? AND start_ms >= ? AND start_ms < ?"
                + u" UNION ALL SELECT start_ms, "_s + stats
                + u" FROM rollup_5m WHERE key_id = ? AND start_ms >= ? AND start_ms < ?"_s },
        { &statements->replaceScore, u"INSERT OR REPLACE INTO scores (ts_ms, score, band) VALUES (?, ?, ?)"_s },
        { &statements->scores,
            u"SELECT ts_ms, score, band FROM scores WHERE ts_ms >= ? AND ts_ms < ? ORDER BY ts_ms"_s },
        { &statements->deleteRecommendations, u"DELETE FROM recommendations"_s },
        { &statements->insertRecommendation,
            u"INSERT OR REPLACE INTO recommendations (id, position, json, first_seen_ms, last_seen_ms)"
            u" VALUES (?, ?, ?, ?, ?)"_s },
        { &statements->deleteRecommendation, u"DELETE FROM recommendations WHERE id = ?"_s },
        { &statements->touchRecommendations, u"UPDATE recommendations SET last_seen_ms = ?"_s },
        { &statements->recommendations,
            u"SELECT json, first_seen_ms, last_seen_ms FROM recommendations ORDER BY position"_s },
    };
    for (const auto &[query, sql] : all) {
        query->setForwardOnly(true);
        if (!query->prepare(sql))
            return fail(u"Cannot prepare a statement"_s, *query);
    }
    m_statements = std::move(statements);
    m_writtenRecommendations.reset();
    return true;
}

std::optional<qint64> HistoryDatabase::findKey(
    RollupRow::Scope scope, MetricKind kind, const QString &service, const QString &name)
{
    QSqlQuery &q = m_statements->findKey;
    q.bindValue(0, scopeText(scope));
    q.bindValue(1, kindText(kind));
    q.bindValue(2, service.isNull() ? u""_s : service);
    q.bindValue(3, name.isNull() ? u""_s : name);
    if (!q.exec()) {
        fail(u"Cannot look up a key"_s, q);
        return std::nullopt;
    }
    std::optional<qint64> id;
    if (q.next())
        id = q.value(0).toLongLong();
    q.finish();
    return id;
}

qint64 HistoryDatabase::keyId(RollupRow::Scope scope, const KeyMeta &meta)
{
    // A null QString binds as SQL NULL; the columns are NOT NULL and compared with '='.
    const QString service = meta.service.isNull() ? u""_s : meta.service;
    const QString name = scope == RollupRow::Scope::Group || meta.name.isNull() ? u""_s : meta.name;
    QString identity = scopeText(scope) + u'\x1f' + kindText(meta.kind) + u'\x1f' + service + u'\x1f' + name;
    if (const auto it = m_keyIds.find(identity); it != m_keyIds.end())
        return it->second;

    std::optional<qint64> id = findKey(scope, meta.kind, service, name);
    if (!id && m_lastError.isEmpty()) {
        QSqlQuery &insert = m_statements->insertKey;
        insert.bindValue(0, scopeText(scope));
        insert.bindValue(1, kindText(meta.kind));
        insert.bindValue(2, service);
        insert.bindValue(3, name);
        if (!insert.exec()) {
            fail(u"Cannot add a key"_s, insert);
            return -1;
        }
        id = findKey(scope, meta.kind, service, name);
    }
    if (!id)
        return -1;
    m_keyIds.emplace(std::move(identity), *id);
    return *id;
}

bool HistoryDatabase::writeRollups(const std::vector<RollupRow> &rows, std::optional<quint64> journalMark)
{
    assertThread();
    if (!m_statements)
        return fail(u"writeRollups"_s, QSqlError(u"history database is not open"_s, {}));
    m_lastError.clear();
    if (rows.empty() && !journalMark)
        return true;
    Statements &s = *m_statements;
    if (!s.begin.exec())
        return fail(u"Cannot start writing rollups"_s, s.begin);

    bool ok = true;
    for (const RollupRow &row : rows) {
        const qint64 id = keyId(row.scope, row.meta);
        if (id < 0) {
            ok = false;
            break;
        }
        const MetricStats *stats = &row.stats;
        const QByteArray *sketch = &row.sketch;
        MetricStats mergedStats;
        QByteArray mergedSketch;
        if (row.additive) {
            QSqlQuery &select = s.selectMinute;
            select.bindValue(0, id);
            select.bindValue(1, row.startMs);
            if (!select.exec()) {
                ok = fail(u"Cannot read a rollup to merge into"_s, select);
                break;
            }
            if (select.next()) {
                Merger merger;
                merger.add(
                    readStats(select, 0), select.value(kStatsColumnCount - 1).toByteArray(), m_sketchDecodeFailures);
                merger.add(row.stats, row.sketch, m_sketchDecodeFailures);
                mergedStats = merger.agg.stats;
                mergedSketch = merger.encodedSketch();
                stats = &mergedStats;
                sketch = &mergedSketch;
            } else if (select.lastError().isValid()) {
                ok = fail(u"Cannot read a rollup to merge into"_s, select);
                break;
            }
            select.finish();
        }
        QSqlQuery &replace = s.replaceMinute;
        replace.bindValue(0, id);
        replace.bindValue(1, row.startMs);
        bindStats(replace, 2, *stats, *sketch);
        if (!replace.exec()) {
            ok = fail(u"Cannot write rollups"_s, replace);
            break;
        }
    }
    if (ok && journalMark) {
        // Created here rather than by a schema version: a history an older PerfWatch wrote gains
        // the table on its first journaled flush, and older versions ignore it.
        QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
        ok = q.exec(u"CREATE TABLE IF NOT EXISTS journal_mark (id INTEGER PRIMARY KEY CHECK (id = 1),"
                    " next_seq INTEGER NOT NULL)"_s);
        if (ok) {
            q.prepare(u"INSERT OR REPLACE INTO journal_mark (id, next_seq) VALUES (1, ?)"_s);
            q.bindValue(0, qint64(*journalMark));
            ok = q.exec();
        }
        if (!ok)
            fail(u"Cannot write the journal mark"_s, q);
    }
    if (ok && s.commit.exec())
        return true;
    if (ok)
        fail(u"Cannot commit rollups"_s, s.commit);
    // Nothing of the batch stays, so the caller can send it again; key ids added in it are gone too.
    s.rollback.exec();
    m_keyIds.clear();
    return false;
}

quint64 HistoryDatabase::journalMark()
{
    assertThread();
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.setForwardOnly(true);
    if (!q.exec(u"SELECT next_seq FROM journal_mark WHERE id = 1"_s) || !q.next())
        return 0; // no such table yet: nothing was journaled into this history
    return quint64(std::max<qint64>(0, q.value(0).toLongLong()));
}

bool HistoryDatabase::writeScores(const std::vector<ScorePoint> &points)
{
    assertThread();
    if (!m_statements)
        return fail(u"writeScores"_s, QSqlError(u"history database is not open"_s, {}));
    m_lastError.clear();
    if (points.empty())
        return true;
    Statements &s = *m_statements;
    if (!s.begin.exec())
        return fail(u"Cannot start writing scores"_s, s.begin);
    bool ok = true;
    for (const ScorePoint &p : points) {
        s.replaceScore.bindValue(0, p.timestampMs);
        s.replaceScore.bindValue(1, p.score);
        s.replaceScore.bindValue(2, bandName(p.band));
        if (!s.replaceScore.exec()) {
            ok = fail(u"Cannot write scores"_s, s.replaceScore);
            break;
        }
    }
    if (ok && s.commit.exec())
        return true;
    if (ok)
        fail(u"Cannot commit scores"_s, s.commit);
    s.rollback.exec();
    return false;
}

namespace {

/// Whether `a` and `b` are stored as the same row apart from position and last_seen_ms: the same
/// id, JSON content and first_seen_ms (impact is not stored).
bool sameStoredApartFromLastSeen(const Recommendation &a, const Recommendation &b)
{
    return a.id == b.id && a.rule == b.rule && a.type == b.type && a.priority == b.priority && a.service == b.service
        && a.target == b.target && a.message == b.message && a.suggestion == b.suggestion && a.evidence == b.evidence
        && a.firstSeenMs == b.firstSeenMs;
}

} // namespace

bool HistoryDatabase::replaceRecommendations(const std::vector<Recommendation> &recommendations)
{
    assertThread();
    if (!m_statements)
        return fail(u"replaceRecommendations"_s, QSqlError(u"history database is not open"_s, {}));
    m_lastError.clear();
    Statements &s = *m_statements;
    // The engine writes after every analysis, and between two most advice is the same (at 10,000
    // keys, a few of several hundred change their numbers): JSON-encoding and rewriting every row
    // cost more than the analysis itself. Once this connection knows what the table holds, only
    // rows that changed (content or position) are written and rows that went away deleted; when
    // the rest only moved their last_seen_ms (the analyzer gives every recommendation the analysis
    // time) one UPDATE sets the column. The copy of last_seen_ms inside json may then be older;
    // recommendations() reads the column.
    const std::optional<std::vector<Recommendation>> written = std::move(m_writtenRecommendations);
    m_writtenRecommendations.reset(); // unknown until this write commits
    std::vector<bool> keep(recommendations.size(), false); // already stored as is, but for last_seen_ms
    std::vector<QString> gone;
    bool touchAll = false;
    if (written) {
        std::unordered_map<QString, std::size_t> writtenAt;
        for (std::size_t i = 0; i < written->size(); ++i)
            writtenAt.emplace((*written)[i].id, i);
        for (std::size_t i = 0; i < recommendations.size(); ++i) {
            const auto it = writtenAt.find(recommendations[i].id);
            if (it == writtenAt.end())
                continue;
            keep[i] = it->second == i && sameStoredApartFromLastSeen((*written)[i], recommendations[i]);
            writtenAt.erase(it);
        }
        for (const auto &[id, i] : writtenAt)
            gone.push_back(id);
        const qint64 lastSeen = recommendations.empty() ? 0 : recommendations.front().lastSeenMs;
        const bool oneLastSeen = std::all_of(recommendations.begin(), recommendations.end(),
            [&](const Recommendation &r) { return r.lastSeenMs == lastSeen; });
        bool lastSeenMoved = false;
        for (std::size_t i = 0; i < recommendations.size(); ++i) {
            if (keep[i] && (*written)[i].lastSeenMs != recommendations[i].lastSeenMs) {
                lastSeenMoved = true;
                keep[i] = oneLastSeen; // otherwise the row is written in full
            }
        }
        touchAll = oneLastSeen && lastSeenMoved;
        if (!touchAll && gone.empty() && std::all_of(keep.begin(), keep.end(), [](bool k) { return k; })) {
            m_writtenRecommendations = recommendations; // the table already holds exactly these
            return true;
        }
    }
    if (!s.begin.exec())
        return fail(u"Cannot start writing recommendations"_s, s.begin);
    bool ok = true;
    if (!written) {
        ok = s.deleteRecommendations.exec();
        if (!ok)
            fail(u"Cannot clear recommendations"_s, s.deleteRecommendations);
    }
    for (std::size_t i = 0; ok && i < gone.size(); ++i) {
        s.deleteRecommendation.bindValue(0, gone[i]);
        if (!s.deleteRecommendation.exec())
            ok = fail(u"Cannot delete a recommendation"_s, s.deleteRecommendation);
    }
    if (ok && touchAll) {
        s.touchRecommendations.bindValue(0, recommendations.front().lastSeenMs);
        if (!s.touchRecommendations.exec())
            ok = fail(u"Cannot update recommendations"_s, s.touchRecommendations);
    }
    for (std::size_t i = 0; ok && i < recommendations.size(); ++i) {
        if (keep[i])
            continue;
        const Recommendation &r = recommendations[i];
        const QByteArray json = QJsonDocument(recommendationToStorageJson(r)).toJson(QJsonDocument::Compact);
        QSqlQuery &insert = s.insertRecommendation;
        insert.bindValue(0, r.id);
        insert.bindValue(1, qint64(i));
        insert.bindValue(2, QString::fromUtf8(json));
        insert.bindValue(3, r.firstSeenMs);
        insert.bindValue(4, r.lastSeenMs);
        if (!insert.exec())
            ok = fail(u"Cannot write recommendations"_s, insert);
    }
    if (ok && s.commit.exec()) {
        m_writtenRecommendations = recommendations;
        return true;
    }
    if (ok)
        fail(u"Cannot commit recommendations"_s, s.commit);
    s.rollback.exec();
    return false;
}

namespace {

struct StoredKey
{
    RollupRow::Scope scope = RollupRow::Scope::Key;
    KeyMeta meta;
};

bool loadKeys(QSqlQuery &q, std::unordered_map<qint64, StoredKey> &out)
{
    if (!q.exec())
        return false;
    while (q.next()) {
        StoredKey key;
        const qint64 id = q.value(0).toLongLong();
        key.scope = q.value(1).toString() == u"group"_s ? RollupRow::Scope::Group : RollupRow::Scope::Key;
        if (!kindFromText(q.value(2).toString(), key.meta.kind))
            continue; // written by a newer version with a kind this one does not know
        key.meta.id = KeyId(id);
        key.meta.service = q.value(3).toString();
        key.meta.name = q.value(4).toString();
        out.insert_or_assign(id, std::move(key));
    }
    const bool ok = !q.lastError().isValid();
    q.finish();
    return ok;
}

} // namespace

std::vector<RollupRow> HistoryDatabase::loadRollups(RollupRow::Scope scope, qint64 fromMs, qint64 toMs)
{
    assertThread();
    std::vector<RollupRow> rows;
    if (!m_statements) {
        fail(u"loadRollups"_s, QSqlError(u"history database is not open"_s, {}));
        return rows;
    }
    m_lastError.clear();
    std::unordered_map<qint64, StoredKey> keys;
    if (!loadKeys(m_statements->allKeys, keys)) {
        fail(u"Cannot read keys"_s, m_statements->allKeys);
        return rows;
    }
    QSqlQuery &q = m_statements->loadRollups;
    q.bindValue(0, scopeText(scope));
    q.bindValue(1, fromMs);
    q.bindValue(2, toMs);
    if (!q.exec()) {
        fail(u"Cannot read rollups"_s, q);
        return rows;
    }
    bool reloaded = false;
    while (q.next()) {
        const qint64 id = q.value(0).toLongLong();
        auto it = keys.find(id);
        if (it == keys.end() && !reloaded) {
            // A key added by the writer after the key list was read: refresh once.
            reloaded = true;
            loadKeys(m_statements->allKeys, keys);
            it = keys.find(id);
        }
        if (it == keys.end())
            continue;
        RollupRow row;
        row.scope = scope;
        row.meta = it->second.meta;
        row.startMs = q.value(1).toLongLong();
        row.stats = readStats(q, 2);
        row.sketch = q.value(2 + kStatsColumnCount - 1).toByteArray();
        if (!row.sketch.isEmpty() && !LatencySketch::decode(row.sketch)) {
            ++m_sketchDecodeFailures;
            row.sketch.clear();
        }
        rows.push_back(std::move(row));
    }
    if (q.lastError().isValid())
        fail(u"Cannot read rollups"_s, q);
    q.finish();
    return rows;
}

std::vector<KeyAggregate> HistoryDatabase::keyWindows(qint64 fromMs, qint64 toMs)
{
    assertThread();
    std::vector<KeyAggregate> result;
    if (!m_statements) {
        fail(u"keyWindows"_s, QSqlError(u"history database is not open"_s, {}));
        return result;
    }
    m_lastError.clear();
    QSqlQuery &q = m_statements->window;
    q.bindValue(0, fromMs);
    q.bindValue(1, toMs);
    q.bindValue(2, fromMs);
    q.bindValue(3, toMs);
    if (!q.exec()) {
        fail(u"Cannot read rollups"_s, q);
        return result;
    }
    std::unordered_map<qint64, Merger> merged;
    while (q.next()) {
        Merger &m = merged[q.value(0).toLongLong()];
        m.add(readStats(q, 1), q.value(kStatsColumnCount).toByteArray(), m_sketchDecodeFailures);
    }
    if (q.lastError().isValid())
        fail(u"Cannot read rollups"_s, q);
    q.finish();

    // Keys are never deleted and the rows above were committed with theirs, so reading the key
    // list afterwards finds every one of them.
    std::unordered_map<qint64, StoredKey> keys;
    if (!loadKeys(m_statements->allKeys, keys)) {
        fail(u"Cannot read keys"_s, m_statements->allKeys);
        return result;
    }
    result.reserve(merged.size());
    for (auto &[id, m] : merged) {
        const auto it = keys.find(id);
        if (it == keys.end())
            continue;
        KeyAggregate ka;
        ka.meta = it->second.meta;
        ka.agg = std::move(m.agg);
        result.push_back(std::move(ka));
    }
    std::sort(result.begin(), result.end(),
        [](const KeyAggregate &a, const KeyAggregate &b) { return a.meta.id < b.meta.id; });
    return result;
}

std::vector<TimePoint> HistoryDatabase::seriesOf(
    const std::vector<qint64> &keyIds, qint64 fromMs, qint64 toMs, qint64 stepMs)
{
    std::vector<TimePoint> points;
    if (stepMs <= 0) {
        m_lastError = u"Series step must be positive"_s;
        return points;
    }
    std::map<qint64, Merger> buckets;
    QSqlQuery &q = m_statements->series;
    for (const qint64 id : keyIds) {
        q.bindValue(0, id);
        q.bindValue(1, fromMs);
        q.bindValue(2, toMs);
        q.bindValue(3, id);
        q.bindValue(4, fromMs);
        q.bindValue(5, toMs);
        if (!q.exec()) {
            fail(u"Cannot read a series"_s, q);
            return points;
        }
        while (q.next()) {
            Merger &m = buckets[floorTo(q.value(0).toLongLong(), stepMs)];
            m.add(readStats(q, 1), q.value(kStatsColumnCount).toByteArray(), m_sketchDecodeFailures);
        }
        if (q.lastError().isValid())
            fail(u"Cannot read a series"_s, q);
        q.finish();
    }
    points.reserve(buckets.size());
    for (auto &[start, m] : buckets) {
        if (m.agg.stats.count == 0 && m.agg.sketch.isEmpty())
            continue;
        points.push_back(TimePoint { start, std::move(m.agg) });
    }
    return points;
}

std::vector<TimePoint> HistoryDatabase::keySeries(
    MetricKind kind, const QString &service, const QString &name, qint64 fromMs, qint64 toMs, qint64 stepMs)
{
    assertThread();
    if (!m_statements) {
        fail(u"keySeries"_s, QSqlError(u"history database is not open"_s, {}));
        return {};
    }
    m_lastError.clear();
    const std::optional<qint64> id = findKey(RollupRow::Scope::Key, kind, service, name);
    if (!id)
        return {};
    return seriesOf({ *id }, fromMs, toMs, stepMs);
}

std::vector<TimePoint> HistoryDatabase::groupSeries(
    MetricKind kind, const QStringList &services, qint64 fromMs, qint64 toMs, qint64 stepMs)
{
    assertThread();
    if (!m_statements) {
        fail(u"groupSeries"_s, QSqlError(u"history database is not open"_s, {}));
        return {};
    }
    m_lastError.clear();
    std::unordered_map<qint64, StoredKey> keys;
    if (!loadKeys(m_statements->allKeys, keys)) {
        fail(u"Cannot read keys"_s, m_statements->allKeys);
        return {};
    }
    std::vector<qint64> ids;
    for (const auto &[id, key] : keys) {
        if (key.scope == RollupRow::Scope::Group && key.meta.kind == kind
            && (services.isEmpty() || services.contains(key.meta.service)))
            ids.push_back(id);
    }
    std::sort(ids.begin(), ids.end()); // a stable merge order keeps sums reproducible
    return seriesOf(ids, fromMs, toMs, stepMs);
}

std::vector<ScorePoint> HistoryDatabase::scores(qint64 fromMs, qint64 toMs)
{
    assertThread();
    std::vector<ScorePoint> points;
    if (!m_statements) {
        fail(u"scores"_s, QSqlError(u"history database is not open"_s, {}));
        return points;
    }
    m_lastError.clear();
    QSqlQuery &q = m_statements->scores;
    q.bindValue(0, fromMs);
    q.bindValue(1, toMs);
    if (!q.exec()) {
        fail(u"Cannot read scores"_s, q);
        return points;
    }
    while (q.next())
        points.push_back(ScorePoint { q.value(0).toLongLong(), q.value(1).toInt(), bandOf(q.value(2).toString()) });
    if (q.lastError().isValid())
        fail(u"Cannot read scores"_s, q);
    q.finish();
    return points;
}

std::vector<Recommendation> HistoryDatabase::recommendations()
{
    assertThread();
    std::vector<Recommendation> result;
    if (!m_statements) {
        fail(u"recommendations"_s, QSqlError(u"history database is not open"_s, {}));
        return result;
    }
    m_lastError.clear();
    QSqlQuery &q = m_statements->recommendations;
    if (!q.exec()) {
        fail(u"Cannot read recommendations"_s, q);
        return result;
    }
    while (q.next()) {
        const QJsonDocument doc = QJsonDocument::fromJson(q.value(0).toString().toUtf8());
        std::optional<Recommendation> r = recommendationFromJson(doc.object());
        if (!r)
            continue;
        r->firstSeenMs = q.value(1).toLongLong();
        r->lastSeenMs = q.value(2).toLongLong();
        result.push_back(std::move(*r));
    }
    if (q.lastError().isValid())
        fail(u"Cannot read recommendations"_s, q);
    q.finish();
    return result;
}

std::vector<KeyMeta> HistoryDatabase::knownKeys()
{
    assertThread();
    std::vector<KeyMeta> result;
    if (!m_statements) {
        fail(u"knownKeys"_s, QSqlError(u"history database is not open"_s, {}));
        return result;
    }
    m_lastError.clear();
    std::unordered_map<qint64, StoredKey> keys;
    if (!loadKeys(m_statements->allKeys, keys)) {
        fail(u"Cannot read keys"_s, m_statements->allKeys);
        return result;
    }
    for (const auto &[id, key] : keys) {
        if (key.scope == RollupRow::Scope::Key)
            result.push_back(key.meta);
    }
    std::sort(result.begin(), result.end(), [](const KeyMeta &a, const KeyMeta &b) { return a.id < b.id; });
    return result;
}

bool HistoryDatabase::compactSlot(qint64 slotStartMs)
{
    Statements &s = *m_statements;
    const qint64 slotEndMs = slotStartMs + kFiveMinutesMs;
    if (!s.begin.exec())
        return fail(u"Cannot start compacting"_s, s.begin);

    auto abort = [&](const QString &what, QSqlQuery &q) {
        fail(what, q);
        q.finish();
        s.rollback.exec();
        return false;
    };

    std::map<qint64, Merger> minutes;
    s.slotMinutes.bindValue(0, slotStartMs);
    s.slotMinutes.bindValue(1, slotEndMs);
    if (!s.slotMinutes.exec())
        return abort(u"Cannot read minutes to compact"_s, s.slotMinutes);
    while (s.slotMinutes.next()) {
        minutes[s.slotMinutes.value(0).toLongLong()].add(
            readStats(s.slotMinutes, 1), s.slotMinutes.value(kStatsColumnCount).toByteArray(), m_sketchDecodeFailures);
    }
    if (s.slotMinutes.lastError().isValid())
        return abort(u"Cannot read minutes to compact"_s, s.slotMinutes);
    s.slotMinutes.finish();

    // Late data can reach a slot after it was compacted: merge into what is already there.
    std::map<qint64, Merger> slot;
    s.slotFive.bindValue(0, slotStartMs);
    if (!s.slotFive.exec())
        return abort(u"Cannot read 5-minute rows"_s, s.slotFive);
    while (s.slotFive.next()) {
        const qint64 id = s.slotFive.value(0).toLongLong();
        if (minutes.count(id))
            slot[id].add(
                readStats(s.slotFive, 1), s.slotFive.value(kStatsColumnCount).toByteArray(), m_sketchDecodeFailures);
    }
    if (s.slotFive.lastError().isValid())
        return abort(u"Cannot read 5-minute rows"_s, s.slotFive);
    s.slotFive.finish();

    for (auto &[id, m] : minutes) {
        Merger &target = slot[id];
        target.agg.merge(m.agg);
        target.hasSketch = target.hasSketch || m.hasSketch;
        s.replaceFive.bindValue(0, id);
        s.replaceFive.bindValue(1, slotStartMs);
        bindStats(s.replaceFive, 2, target.agg.stats, target.encodedSketch());
        if (!s.replaceFive.exec())
            return abort(u"Cannot write 5-minute rows"_s, s.replaceFive);
    }
    s.deleteSlotMinutes.bindValue(0, slotStartMs);
    s.deleteSlotMinutes.bindValue(1, slotEndMs);
    if (!s.deleteSlotMinutes.exec())
        return abort(u"Cannot delete compacted minutes"_s, s.deleteSlotMinutes);
    if (!s.commit.exec())
        return abort(u"Cannot commit compaction"_s, s.commit);
    return true;
}

void HistoryDatabase::releaseCache()
{
    assertThread();
    if (!isOpen())
        return;
    QSqlQuery q(QSqlDatabase::database(m_connectionName, false));
    q.exec(u"PRAGMA shrink_memory"_s); // best effort: a failure leaves the cache as it was
}

qint64 HistoryDatabase::sqliteHeapBytes()
{
    // The QSQLITE driver uses the system libsqlite3, the same library this links to.
    return qint64(sqlite3_memory_used());
}

bool HistoryDatabase::applyRetention(qint64 nowMs, int retentionHours)
{
    assertThread();
    if (!m_statements)
        return fail(u"applyRetention"_s, QSqlError(u"history database is not open"_s, {}));
    m_lastError.clear();
    const QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    QSqlQuery q(db);
    q.setForwardOnly(true);
    Statements &s = *m_statements;

    qint64 deleted = 0;
    if (retentionHours > 0) {
        const qint64 cutoffMs = nowMs - qint64(retentionHours) * 3600 * 1000;
        if (!s.begin.exec())
            return fail(u"Cannot start retention"_s, s.begin);
        for (const QString &table : { u"rollup_1m"_s, u"rollup_5m"_s }) {
            if (!q.exec(u"DELETE FROM "_s + table + u" WHERE start_ms < "_s + QString::number(cutoffMs))) {
                fail(u"Cannot delete old rollups"_s, q);
                s.rollback.exec();
                return false;
            }
            deleted += q.numRowsAffected();
        }
        if (!q.exec(u"DELETE FROM scores WHERE ts_ms < "_s + QString::number(cutoffMs))) {
            fail(u"Cannot delete old scores"_s, q);
            s.rollback.exec();
            return false;
        }
        deleted += q.numRowsAffected();
        if (!s.commit.exec()) {
            fail(u"Cannot commit retention"_s, s.commit);
            s.rollback.exec();
            return false;
        }
    }

    // Only whole slots that ended before the compaction horizon, so a slot is compacted once.
    const qint64 compactBeforeMs = floorTo(nowMs - kCompactAfterMs, kFiveMinutesMs);
    std::vector<qint64> slotStarts;
    if (!q.exec(u"SELECT DISTINCT start_ms - (start_ms % "_s + QString::number(kFiveMinutesMs)
            + u") FROM rollup_1m WHERE start_ms < "_s + QString::number(compactBeforeMs))) {
        return fail(u"Cannot find minutes to compact"_s, q);
    }
    while (q.next())
        slotStarts.push_back(q.value(0).toLongLong());
    q.finish();
    std::sort(slotStarts.begin(), slotStarts.end());
    for (const qint64 slot : slotStarts) {
        if (!compactSlot(slot))
            return false;
    }

    if (deleted >= kCheckpointAfterRows || slotStarts.size() >= 12) {
        // Best effort and without waiting: with the busy timeout, TRUNCATE waits for every reader
        // to leave the WAL, which readers polling in a loop can delay for the whole timeout. If it
        // cannot truncate now, journal_size_limit trims the file when the WAL next restarts.
        q.exec(u"PRAGMA busy_timeout = 0"_s);
        q.finish();
        q.exec(u"PRAGMA wal_checkpoint(TRUNCATE)"_s);
        q.finish();
        q.exec(u"PRAGMA busy_timeout = "_s + QString::number(kBusyTimeoutMs));
        q.finish();
    }
    return true;
}

} // namespace perfwatch
