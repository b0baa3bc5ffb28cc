// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/database.h"

#include "common/locations.h"
#include "common/logging.h"
#include "store/migrations.h"
#include "store/storeerror.h"

#include <QAtomicInteger>
#include <QFile>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Tessera::Store {

namespace {

const QString kMemoryPath = QStringLiteral(":memory:");

// A sentence for a person from the SQLite primary result code; the raw text goes to the debug log.
Error sqlError(const QSqlError &err, const QString &sql)
{
    qCDebug(lcStore).noquote() << "SQL error" << err.nativeErrorCode() << err.databaseText() << err.driverText()
                               << "in:" << sql.simplified();
    const int primary = err.nativeErrorCode().toInt() & 0xff;
    QString message;
    switch (primary) {
    case 5: // SQLITE_BUSY
    case 6: // SQLITE_LOCKED
        message = QStringLiteral("The database is locked by another process; try again.");
        break;
    case 8: // SQLITE_READONLY
        message = QStringLiteral("The database file is read-only.");
        break;
    case 10: // SQLITE_IOERR
        message = QStringLiteral("Reading or writing the database file failed.");
        break;
    case 11: // SQLITE_CORRUPT
    case 26: // SQLITE_NOTADB
        message = QStringLiteral("The database file is damaged or is not a Tessera database.");
        break;
    case 13: // SQLITE_FULL
        message = QStringLiteral("The disk is full; the database cannot be written.");
        break;
    case 19: // SQLITE_CONSTRAINT
        message = QStringLiteral("The change conflicts with data already stored.");
        break;
    default:
        message = QStringLiteral("A database operation failed.");
        break;
    }
    return storeError(ErrorCode::StoreError, message);
}

Error notPrivate(const QString &message)
{
    return storeError(ErrorCode::DatabaseNotPrivate, message);
}

// Creates (when asked) and checks one of our files: a regular file, ours, mode exactly 0600.
Status securePrivateFile(const QString &path, bool create)
{
    const QByteArray native = QFile::encodeName(path);
    struct stat st
    {
    };
    if (::lstat(native.constData(), &st) == 0) {
        if (S_ISLNK(st.st_mode))
            return notPrivate(QStringLiteral("%1 is a symbolic link; refusing to open it.").arg(path));
        if (!S_ISREG(st.st_mode))
            return notPrivate(QStringLiteral("%1 is not a regular file.").arg(path));
        if (st.st_uid != ::getuid())
            return notPrivate(QStringLiteral("%1 belongs to another user; refusing to open it.").arg(path));
    } else if (errno != ENOENT || !create) {
        return errno == ENOENT ? Status {} : notPrivate(QStringLiteral("Cannot inspect %1.").arg(path));
    }

    const int flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0);
    const int fd = ::open(native.constData(), flags, 0600);
    if (fd < 0)
        return notPrivate(QStringLiteral("Cannot open %1.").arg(path));
    Status result;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::getuid())
        result = notPrivate(QStringLiteral("%1 is not a regular file of this user.").arg(path));
    else if ((st.st_mode & 07777) != 0600 && ::fchmod(fd, 0600) != 0)
        result = notPrivate(QStringLiteral("Cannot make %1 private (mode 0600).").arg(path));
    ::close(fd);
    return result;
}

QString nextConnectionName()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("tessera-store-%1").arg(counter.fetchAndAddRelaxed(1) + 1);
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Query

Query::Query(Database *db, QSqlQuery *query, std::unique_ptr<QSqlQuery> owned, const QString &sql)
    : m_db(db), m_query(query), m_owned(std::move(owned)), m_sql(sql)
{ }

Query::Query(Query &&other) noexcept
    : m_db(std::exchange(other.m_db, nullptr))
    , m_query(std::exchange(other.m_query, nullptr))
    , m_owned(std::move(other.m_owned))
    , m_sql(std::move(other.m_sql))
    , m_nextIndex(other.m_nextIndex)
{ }

Query::~Query()
{
    if (!m_query)
        return;
    // Reset the statement so that it holds no read snapshot or lock after use.
    m_query->finish();
    if (!m_owned)
        m_db->release(m_query);
}

Query &Query::bindText(const QString &value)
{
    m_query->bindValue(m_nextIndex++, value.isNull() ? QVariant(QStringLiteral("")) : QVariant(value));
    return *this;
}

Query &Query::bindTextOrNull(const QString &value)
{
    if (value.isEmpty())
        return bindNull();
    m_query->bindValue(m_nextIndex++, value);
    return *this;
}

Query &Query::bindInt(qint64 value)
{
    m_query->bindValue(m_nextIndex++, QVariant::fromValue<qlonglong>(value));
    return *this;
}

Query &Query::bindIntOrNull(std::optional<qint64> value)
{
    return value ? bindInt(*value) : bindNull();
}

Query &Query::bindBlob(const QByteArray &value)
{
    m_query->bindValue(m_nextIndex++, value.isNull() ? QVariant(QByteArray("", 0)) : QVariant(value));
    return *this;
}

Query &Query::bindBlobOrNull(const QByteArray &value)
{
    if (value.isEmpty())
        return bindNull();
    m_query->bindValue(m_nextIndex++, value);
    return *this;
}

Query &Query::bindNull()
{
    m_query->bindValue(m_nextIndex++, QVariant());
    return *this;
}

Status Query::exec()
{
    m_nextIndex = 0;
    if (m_query->exec())
        return {};
    const Error e = sqlError(m_query->lastError(), m_sql);
    // A failed statement may have been finalized by the driver: do not reuse it.
    if (!m_owned) {
        m_db->discard(m_query);
        m_query = nullptr;
        m_owned.reset();
    }
    return e;
}

bool Query::next()
{
    return m_query && m_query->next();
}

Status Query::status() const
{
    if (!m_query)
        return storeError(ErrorCode::StoreError, QStringLiteral("A database operation failed."));
    const QSqlError err = m_query->lastError();
    if (err.type() == QSqlError::NoError)
        return {};
    return sqlError(err, m_sql);
}

bool Query::isNull(int column) const
{
    return m_query->isNull(column);
}

QString Query::text(int column) const
{
    return m_query->value(column).toString();
}

qint64 Query::int64(int column) const
{
    return m_query->value(column).toLongLong();
}

std::optional<qint64> Query::optionalInt64(int column) const
{
    if (m_query->isNull(column))
        return std::nullopt;
    return m_query->value(column).toLongLong();
}

QByteArray Query::blob(int column) const
{
    return m_query->value(column).toByteArray();
}

QVariant Query::value(int column) const
{
    return m_query->value(column);
}

int Query::rowsAffected() const
{
    return m_query ? m_query->numRowsAffected() : 0;
}

qint64 Query::lastInsertId() const
{
    return m_query ? m_query->lastInsertId().toLongLong() : 0;
}

// ---------------------------------------------------------------------------------------------
// Database

Database::Database(QString path, QString connectionName)
    : m_path(std::move(path)), m_connectionName(std::move(connectionName))
{ }

Database::~Database()
{
    if (m_depth > 0) {
        qCWarning(lcStore) << "Database closed with a transaction open; it is rolled back";
        QSqlQuery(QStringLiteral("ROLLBACK"), m_db).finish();
    }
    m_cacheKeys.clear();
    m_cache.clear();
    m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
}

int Database::latestSchemaVersion()
{
    const auto migrations = Migrations::load();
    return migrations ? static_cast<int>(migrations->size()) : 0;
}

Result<std::unique_ptr<Database>> Database::open(const QString &path)
{
    const bool inMemory = path == kMemoryPath;
    if (!inMemory) {
        const QFileInfo info(path);
        if (Status s = ensurePrivateDirectory(info.absolutePath()); !s)
            return s.error();
        if (Status s = securePrivateFile(path, true); !s)
            return s.error();
        // Left over from an earlier run: SQLite would reuse them with whatever mode they have.
        for (const char *suffix : { "-wal", "-shm", "-journal" }) {
            if (Status s = securePrivateFile(path + QLatin1String(suffix), false); !s)
                return s.error();
        }
    }

    std::unique_ptr<Database> db(new Database(path, nextConnectionName()));
    db->m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), db->m_connectionName);
    if (!db->m_db.isValid())
        return storeError(ErrorCode::StoreError, QStringLiteral("The Qt SQLite driver (QSQLITE) is not available."));
    db->m_db.setDatabaseName(path);
    db->m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(BusyTimeoutMs));
    if (!db->m_db.open())
        return sqlError(db->m_db.lastError(), QStringLiteral("open"));

    if (Status s = db->configure(); !s)
        return s.error();
    if (Status s = db->migrate(); !s)
        return s.error();
    if (!inMemory) {
        if (Status s = db->checkSidecarFiles(); !s)
            return s.error();
    }
    return db;
}

Status Database::configure()
{
    auto scalar = [this](const QString &sql) -> Result<QString> {
        auto q = prepare(sql);
        if (!q)
            return q.error();
        if (Status s = q->exec(); !s)
            return s.error();
        if (!q->next())
            return QString();
        return q->text(0);
    };

    auto version = scalar(QStringLiteral("SELECT sqlite_version()"));
    if (!version)
        return version.error();
    m_sqliteVersion = *version;
    m_strict = Migrations::versionAtLeast(m_sqliteVersion, 3, 37, 0);

    auto mode = scalar(QStringLiteral("PRAGMA journal_mode=WAL"));
    if (!mode)
        return mode.error();
    m_journalMode = mode->toLower();
    if (m_path != kMemoryPath && m_journalMode != u"wal")
        return storeError(ErrorCode::StoreError,
            QStringLiteral("The database could not be switched to write-ahead logging (journal mode is %1).")
                .arg(m_journalMode));

    // WAL + NORMAL: a commit survives a killed process; a power loss may drop the newest
    // commits but never corrupts (https://www.sqlite.org/pragma.html#pragma_synchronous).
    // trusted_schema=OFF: functions with side effects cannot run from triggers or views
    // planted in the file (https://www.sqlite.org/pragma.html#pragma_trusted_schema).
    // temp_store=MEMORY: the statement journals of nested transactions (savepoints) stay in
    // memory instead of temporary files; they hold nothing that must survive the process.
    for (const QString &pragma : { QStringLiteral("PRAGMA synchronous=NORMAL"),
             QStringLiteral("PRAGMA foreign_keys=ON"), QStringLiteral("PRAGMA busy_timeout=%1").arg(BusyTimeoutMs),
             QStringLiteral("PRAGMA trusted_schema=OFF"), QStringLiteral("PRAGMA temp_store=MEMORY") }) {
        auto r = scalar(pragma);
        if (!r)
            return r.error();
    }
    auto fk = scalar(QStringLiteral("PRAGMA foreign_keys"));
    if (!fk || *fk != u"1")
        return storeError(ErrorCode::StoreError, QStringLiteral("The SQLite library does not enforce foreign keys."));
    return {};
}

Status Database::migrate()
{
    const auto migrations = Migrations::load();
    if (!migrations)
        return migrations.error();
    const int latest = static_cast<int>(migrations->size());

    auto readVersion = [this]() -> Result<int> {
        auto q = prepare(QStringLiteral("PRAGMA user_version"));
        if (!q)
            return q.error();
        if (Status s = q->exec(); !s)
            return s.error();
        return q->next() ? static_cast<int>(q->int64(0)) : 0;
    };
    auto tooNew = [latest](int found) {
        return storeError(ErrorCode::SchemaTooNew,
            QStringLiteral("The database was written by a newer Tessera (schema %1; this version knows up to %2). "
                           "Update Tessera; the database is left untouched.")
                .arg(found)
                .arg(latest));
    };

    auto version = readVersion();
    if (!version)
        return version.error();
    if (*version > latest)
        return tooNew(*version);

    for (const Migrations::Migration &m : *migrations) {
        if (m.version <= *version)
            continue;
        auto tx = Transaction::begin(*this);
        if (!tx)
            return tx.error();
        // Another process may have migrated while we waited for the write lock.
        auto current = readVersion();
        if (!current)
            return current.error();
        if (*current > latest)
            return tooNew(*current);
        if (*current >= m.version) {
            *version = *current;
            continue;
        }
        qCInfo(lcStore) << "Applying schema migration" << m.version << m.name;
        const QStringList statements = Migrations::splitStatements(Migrations::adaptForSqlite(m.sql, m_strict));
        for (const QString &statement : statements) {
            // Not cached: each runs once.
            QSqlQuery q(m_db);
            if (!q.exec(statement))
                return sqlError(q.lastError(), statement);
        }
        QSqlQuery q(m_db);
        if (!q.exec(QStringLiteral("PRAGMA user_version = %1").arg(m.version)))
            return sqlError(q.lastError(), QStringLiteral("PRAGMA user_version"));
        q.finish();
        if (Status s = tx->commit(); !s)
            return s;
        *version = m.version;
    }
    m_schemaVersion = *version;
    return {};
}

Status Database::checkSidecarFiles() const
{
    // SQLite gives -wal and -shm the database file's mode and owner; verify rather than trust.
    for (const char *suffix : { "-wal", "-shm" }) {
        const QString sidecar = m_path + QLatin1String(suffix);
        if (Status s = securePrivateFile(sidecar, false); !s)
            return s;
        const QByteArray native = QFile::encodeName(sidecar);
        struct stat st
        {
        };
        if (::stat(native.constData(), &st) == 0 && (st.st_mode & 077) != 0)
            return notPrivate(QStringLiteral("Cannot make %1 private (mode 0600).").arg(sidecar));
    }
    return {};
}

Result<Query> Database::prepare(const QString &sql)
{
    const auto it = m_cache.find(sql);
    if (it != m_cache.end() && !it->second.inUse) {
        it->second.inUse = true;
        return Query(this, it->second.query.get(), nullptr, sql);
    }
    auto q = std::make_unique<QSqlQuery>(m_db);
    // Forward-only: QSqlQuery would otherwise keep every fetched row in memory.
    q->setForwardOnly(true);
    if (!q->prepare(sql))
        return sqlError(q->lastError(), sql);
    QSqlQuery *raw = q.get();
    if (it != m_cache.end()) {
        // The cached statement is in use (a nested call with the same SQL): use a one-off.
        return Query(this, raw, std::move(q), sql);
    }
    m_cache.emplace(sql, CachedStatement { std::move(q), true });
    m_cacheKeys.insert(raw, sql);
    return Query(this, raw, nullptr, sql);
}

Status Database::exec(const QString &sql)
{
    auto q = prepare(sql);
    if (!q)
        return q.error();
    return q->exec();
}

void Database::release(QSqlQuery *query)
{
    const auto key = m_cacheKeys.constFind(query);
    if (key == m_cacheKeys.constEnd())
        return;
    if (auto it = m_cache.find(*key); it != m_cache.end())
        it->second.inUse = false;
}

void Database::discard(QSqlQuery *query)
{
    const QString key = m_cacheKeys.take(query);
    m_cache.erase(key);
}

Status Database::integrityCheck()
{
    const Error corrupt
        = storeError(ErrorCode::DatabaseCorrupt, QStringLiteral("The database failed its integrity check."));
    {
        auto q = prepare(QStringLiteral("PRAGMA integrity_check"));
        if (!q)
            return corrupt;
        // The check itself fails (SQLITE_CORRUPT) on some kinds of damage.
        if (Status s = q->exec(); !s)
            return corrupt;
        QStringList problems;
        while (q->next())
            problems.append(q->text(0));
        if (Status s = q->status(); !s)
            return corrupt;
        if (problems != QStringList { QStringLiteral("ok") }) {
            // Messages name pages and indexes, not values.
            qCDebug(lcStore) << "integrity_check:" << problems.mid(0, 20);
            return corrupt;
        }
    }
    auto q = prepare(QStringLiteral("PRAGMA foreign_key_check"));
    if (!q)
        return q.error();
    if (Status s = q->exec(); !s)
        return s;
    if (q->next()) {
        qCDebug(lcStore) << "foreign_key_check: violation in table" << q->text(0);
        return storeError(ErrorCode::DatabaseCorrupt, QStringLiteral("The database has dangling references."));
    }
    return q->status();
}

// ---------------------------------------------------------------------------------------------
// Transaction

Transaction::Transaction(Database *db, int level) : m_db(db), m_level(level), m_open(true) { }

Transaction::Transaction(Transaction &&other) noexcept
    : m_db(std::exchange(other.m_db, nullptr)), m_level(other.m_level), m_open(std::exchange(other.m_open, false))
{ }

Transaction::~Transaction()
{
    rollback();
}

QString Transaction::savepointName() const
{
    return QStringLiteral("tessera_sp%1").arg(m_level);
}

Result<Transaction> Transaction::begin(Database &db, Mode mode)
{
    const int level = db.m_depth;
    if (level == 0) {
        if (Status s = db.exec(mode == Mode::Write ? QStringLiteral("BEGIN IMMEDIATE") : QStringLiteral("BEGIN")); !s)
            return s.error();
        db.m_outerMode = mode == Mode::Write ? Database::TxMode::Write : Database::TxMode::Read;
    } else {
        if (mode == Mode::Write && db.m_outerMode == Database::TxMode::Read)
            return storeError(ErrorCode::StoreError,
                QStringLiteral("Internal error: a write was started inside a read-only transaction."));
        if (Status s = db.exec(QStringLiteral("SAVEPOINT tessera_sp%1").arg(level)); !s)
            return s.error();
    }
    db.m_depth = level + 1;
    return Transaction(&db, level);
}

Status Transaction::commit()
{
    if (!m_open)
        return storeError(ErrorCode::StoreError, QStringLiteral("Internal error: the transaction is already closed."));
    if (m_db->m_depth != m_level + 1) {
        rollback();
        return storeError(
            ErrorCode::StoreError, QStringLiteral("Internal error: transactions were closed out of order."));
    }
    const Status s = m_db->exec(m_level == 0 ? QStringLiteral("COMMIT") : QStringLiteral("RELEASE ") + savepointName());
    if (!s) {
        rollback();
        return s;
    }
    m_open = false;
    m_db->m_depth = m_level;
    return {};
}

void Transaction::rollback()
{
    if (!m_open || !m_db)
        return;
    m_open = false;
    ++m_db->m_rollbackGeneration;
    if (m_db->m_depth != m_level + 1)
        qCWarning(lcStore) << "Transactions closed out of order; rolling back level" << m_level;
    if (m_level == 0) {
        // SQLite may already have rolled back on its own (e.g. SQLITE_FULL); that is fine.
        if (Status s = m_db->exec(QStringLiteral("ROLLBACK")); !s)
            qCDebug(lcStore) << "ROLLBACK reported an error (the transaction may already be gone)";
    } else {
        const QString name = savepointName();
        if (Status s = m_db->exec(QStringLiteral("ROLLBACK TO ") + name); !s)
            qCDebug(lcStore) << "ROLLBACK TO reported an error";
        if (Status s = m_db->exec(QStringLiteral("RELEASE ") + name); !s)
            qCDebug(lcStore) << "RELEASE after rollback reported an error";
    }
    m_db->m_depth = m_level;
}

} // namespace Tessera::Store
