// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QHash>
#include <QSqlDatabase>
#include <QString>
#include <QVariant>

#include <memory>
#include <optional>
#include <unordered_map>

class QSqlQuery;

namespace Tessera::Store {

class Database;

/**
 * @brief One use of a prepared statement, usually taken from Database's cache.
 *
 * Bind values in placeholder order (`?`), exec(), then read rows with next(). The statement
 * is reset when the Query is destroyed, so no read transaction stays open behind the caller's
 * back. Values are never logged.
 */
class Query
{
public:
    Query(Query &&other) noexcept;
    Query &operator=(Query &&) = delete;
    Query(const Query &) = delete;
    Query &operator=(const Query &) = delete;
    ~Query();

    /** @brief Binds text; a null QString binds the empty string (use bindTextOrNull for NULL). */
    Query &bindText(const QString &value);
    /** @brief Binds NULL for an empty string. */
    Query &bindTextOrNull(const QString &value);
    Query &bindInt(qint64 value);
    Query &bindIntOrNull(std::optional<qint64> value);
    Query &bindBool(bool value) { return bindInt(value ? 1 : 0); }
    /** @brief Binds a blob (an empty array binds a zero-length blob). */
    Query &bindBlob(const QByteArray &value);
    /** @brief Binds NULL for an empty array. */
    Query &bindBlobOrNull(const QByteArray &value);
    Query &bindNull();

    /** @brief Runs the statement; for a SELECT, next() then walks the rows. */
    [[nodiscard]] Status exec();
    /** @brief Moves to the next row; false at the end or on error (see status()). */
    [[nodiscard]] bool next();
    /** @brief The error a failed next() left, if any. */
    [[nodiscard]] Status status() const;

    [[nodiscard]] bool isNull(int column) const;
    [[nodiscard]] QString text(int column) const;
    [[nodiscard]] qint64 int64(int column) const;
    [[nodiscard]] std::optional<qint64> optionalInt64(int column) const;
    [[nodiscard]] QByteArray blob(int column) const;
    [[nodiscard]] QVariant value(int column) const;

    /** @brief sqlite3_changes() of the last exec(). */
    [[nodiscard]] int rowsAffected() const;
    [[nodiscard]] qint64 lastInsertId() const;

private:
    friend class Database;
    Query(Database *db, QSqlQuery *query, std::unique_ptr<QSqlQuery> owned, const QString &sql);

    Database *m_db = nullptr;
    QSqlQuery *m_query = nullptr;
    std::unique_ptr<QSqlQuery> m_owned; // set when the cached statement was busy
    QString m_sql;
    int m_nextIndex = 0;
};

/**
 * @brief The single SQLite database of one Tessera instance (QtSql, QSQLITE driver).
 *
 * Each Database owns its own connection (a unique QSqlDatabase connection name), so several
 * may coexist in one process (tests; the UI reading while the server writes). A Database
 * belongs to the thread that opened it (QtSql rule).
 *
 * Opening:
 * - the parent directory is made private (0700, ours); the file is created by us with
 *   open(O_CREAT|O_NOFOLLOW, 0600) before SQLite sees it; an existing file that is too open
 *   is chmod'ed to 0600, one owned by another user or a symlink is refused;
 * - `journal_mode=WAL`; SQLite creates -wal/-shm with the database file's mode, and open()
 *   checks them after the first write and tightens them to 0600 if needed;
 * - `synchronous=NORMAL`: in WAL mode a commit survives a crash or kill of the process; a power
 *   loss or OS crash may lose the last few commits but never corrupts the file or tears a
 *   transaction;
 * - `foreign_keys=ON`, `busy_timeout` = BusyTimeoutMs, `trusted_schema=OFF`;
 * - migrations (`migrations/NNNN_name.sql`, compiled in) are applied in order, each in one
 *   transaction with `PRAGMA user_version = N`; a database from a newer Tessera is refused.
 *
 * Concurrency: one writer (the server, on the main thread); every write transaction starts
 * with BEGIN IMMEDIATE so that it takes the write lock up front and never deadlocks when
 * upgrading; readers on other connections see the last committed state (WAL snapshots).
 *
 * The path ":memory:" opens a private in-memory database (no file, no WAL); useful in tests.
 */
class Database
{
public:
    static constexpr int BusyTimeoutMs = 5000;

    /** @brief Opens (creating if needed) and migrates the database at @p path. */
    [[nodiscard]] static Result<std::unique_ptr<Database>> open(const QString &path);

    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    [[nodiscard]] QString path() const { return m_path; }
    [[nodiscard]] QString connectionName() const { return m_connectionName; }
    /** @brief PRAGMA user_version after migration. */
    [[nodiscard]] int schemaVersion() const { return m_schemaVersion; }
    /** @brief The highest migration compiled into this build. */
    [[nodiscard]] static int latestSchemaVersion();
    /** @brief sqlite_version() of the library QSQLITE actually uses. */
    [[nodiscard]] QString sqliteVersion() const { return m_sqliteVersion; }
    /** @brief Whether tables were created STRICT (SQLite >= 3.37). */
    [[nodiscard]] bool strictTables() const { return m_strict; }
    [[nodiscard]] QString journalMode() const { return m_journalMode; }

    /** @brief A prepared statement from the cache (prepared once per connection and SQL text). */
    [[nodiscard]] Result<Query> prepare(const QString &sql);
    /** @brief prepare() + exec() for statements without bound values or rows. */
    [[nodiscard]] Status exec(const QString &sql);

    /** @brief PRAGMA integrity_check is "ok" and PRAGMA foreign_key_check finds nothing. */
    [[nodiscard]] Status integrityCheck();

    [[nodiscard]] bool inTransaction() const { return m_depth > 0; }
    /** @brief Incremented by every rollback; caches of database state compare it to notice one. */
    [[nodiscard]] quint64 rollbackGeneration() const { return m_rollbackGeneration; }

    /** @brief The raw connection, for tests and tools. Do not run BEGIN/COMMIT on it. */
    [[nodiscard]] QSqlDatabase connection() const { return m_db; }

private:
    friend class Query;
    friend class Transaction;
    enum class TxMode
    {
        Write,
        Read,
    };

    Database(QString path, QString connectionName);
    [[nodiscard]] Status configure();
    [[nodiscard]] Status migrate();
    [[nodiscard]] Status checkSidecarFiles() const;
    void release(QSqlQuery *query);
    void discard(QSqlQuery *query);

    QString m_path;
    QString m_connectionName;
    QSqlDatabase m_db;
    QString m_sqliteVersion;
    QString m_journalMode;
    bool m_strict = false;
    int m_schemaVersion = 0;

    struct CachedStatement
    {
        std::unique_ptr<QSqlQuery> query;
        bool inUse = false;
    };
    std::unordered_map<QString, CachedStatement> m_cache;
    QHash<const QSqlQuery *, QString> m_cacheKeys;

    int m_depth = 0;
    TxMode m_outerMode = TxMode::Write;
    quint64 m_rollbackGeneration = 0;
};

/**
 * @brief RAII transaction: BEGIN IMMEDIATE (or BEGIN for Read), commit(), rollback on destruction.
 *
 * Nesting: begin() inside an open transaction creates a SAVEPOINT, so a store operation called
 * inside the caller's transaction becomes part of it (an audit event and the change it records
 * commit together), and its own failure rolls back only its own part. A write may not nest
 * inside a Read transaction (it could not take the write lock safely).
 */
class Transaction
{
public:
    enum class Mode
    {
        Write, ///< BEGIN IMMEDIATE: takes the write lock now
        Read, ///< BEGIN (deferred): one consistent snapshot for several SELECTs
    };

    [[nodiscard]] static Result<Transaction> begin(Database &db, Mode mode = Mode::Write);

    Transaction(Transaction &&other) noexcept;
    Transaction &operator=(Transaction &&) = delete;
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    ~Transaction();

    /** @brief COMMIT (or RELEASE when nested); on failure everything is rolled back. */
    [[nodiscard]] Status commit();
    /** @brief ROLLBACK (or ROLLBACK TO when nested). Safe to call twice. */
    void rollback();
    [[nodiscard]] bool isNested() const { return m_level > 0; }

private:
    Transaction(Database *db, int level);
    [[nodiscard]] QString savepointName() const;

    Database *m_db = nullptr;
    int m_level = 0;
    bool m_open = false;
};

} // namespace Tessera::Store
