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

#include "historysql.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QVariant>
#include <algorithm>
#include <map>
#include <mutex>

namespace perfwatch {

using namespace Qt::StringLiterals;
using namespace historysql;

namespace {

// SQLite primary result codes (sqlite3.h); QSQLITE reports them as QSqlError::nativeErrorCode().
constexpr int kSqliteCorrupt = 11;
constexpr int kSqliteNotADatabase = 26;

constexpr QLatin1StringView kFileName("perfwatch.sqlite");
constexpr int kCacheKiB = 32 * 1024;
// What a WAL is trimmed to when it restarts after a checkpoint (it grows beyond while needed).
constexpr qint64 kWalLimitBytes = 64LL * 1024 * 1024;

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

} // namespace perfwatch
