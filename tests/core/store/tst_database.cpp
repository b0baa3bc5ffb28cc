// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/database.h"
#include "store/migrations.h"
#include "store/settingsstore.h"
#include "store/storeerror.h"
#include "storetestutil.h"
#include "support/testsupport.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace Tessera;
using namespace Tessera::Store;
using namespace Tessera::Store::TestUtil;

class TestDatabase : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    QString path(const QString &name) const { return m_dir.filePath(name); }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void testCreatesPrivateFileInPrivateDirectory()
    {
        const QString dir = path(QStringLiteral("fresh/nested"));
        const QString file = dir + QStringLiteral("/tessera.db");
        auto db = openDb(file);
        QVERIFY(db);
        QCOMPARE(Test::fileMode(dir), 0700);
        QCOMPARE(Test::fileMode(file), 0600);
        // WAL mode: the sidecar files exist while the database is open and are private too.
        QCOMPARE(Test::fileMode(file + QStringLiteral("-wal")), 0600);
        QCOMPARE(Test::fileMode(file + QStringLiteral("-shm")), 0600);
    }

    void testFileCreatedPrivateEvenWithPermissiveUmask()
    {
        const mode_t old = ::umask(0);
        const QString file = path(QStringLiteral("umask/tessera.db"));
        auto db = openDb(file);
        ::umask(old);
        QVERIFY(db);
        QCOMPARE(Test::fileMode(file), 0600);
        QCOMPARE(Test::fileMode(file + QStringLiteral("-wal")), 0600);
        QCOMPARE(Test::fileMode(file + QStringLiteral("-shm")), 0600);
    }

    void testTightensTooOpenFileAndDirectory()
    {
        const QString dir = path(QStringLiteral("open"));
        const QString file = dir + QStringLiteral("/tessera.db");
        {
            auto db = openDb(file);
            QVERIFY(db);
        }
        QVERIFY(::chmod(QFile::encodeName(dir).constData(), 0755) == 0);
        QVERIFY(::chmod(QFile::encodeName(file).constData(), 0644) == 0);
        QFile wal(file + QStringLiteral("-wal"));
        QVERIFY(wal.open(QIODevice::WriteOnly)); // a leftover, empty WAL with a loose mode
        wal.close();
        QVERIFY(::chmod(QFile::encodeName(wal.fileName()).constData(), 0666) == 0);

        auto db = openDb(file);
        QVERIFY(db);
        QCOMPARE(Test::fileMode(dir), 0700);
        QCOMPARE(Test::fileMode(file), 0600);
        QCOMPARE(Test::fileMode(wal.fileName()), 0600);
    }

    void testRefusesSymlink()
    {
        const QString target = path(QStringLiteral("target.db"));
        const QString link = path(QStringLiteral("link.db"));
        QVERIFY(QFile::link(target, link));
        auto db = Database::open(link);
        QVERIFY(!db);
        QCOMPARE(db.error().code, QString(ErrorCode::DatabaseNotPrivate));
        QVERIFY(!QFile::exists(target));
    }

    void testRefusesFileOfAnotherUser()
    {
        if (::getuid() != 0)
            QSKIP("needs root to create a file owned by another user");
        const QString file = path(QStringLiteral("foreign.db"));
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        QVERIFY(::chown(QFile::encodeName(file).constData(), 65534, 65534) == 0);
        auto db = Database::open(file);
        QVERIFY(!db);
        QCOMPARE(db.error().code, QString(ErrorCode::DatabaseNotPrivate));
        QVERIFY(db.error().message.contains(QStringLiteral("another user")));
    }

    void testPragmas()
    {
        auto db = openDb(path(QStringLiteral("pragmas.db")));
        QVERIFY(db);
        QCOMPARE(db->journalMode(), QStringLiteral("wal"));
        auto pragma = [&](const char *name) {
            auto q = db->prepare(QStringLiteral("PRAGMA ") + QLatin1String(name));
            if (!q || !q->exec() || !q->next())
                return qint64(-1);
            return q->int64(0);
        };
        QCOMPARE(pragma("synchronous"), 1); // NORMAL
        QCOMPARE(pragma("foreign_keys"), 1);
        QCOMPARE(pragma("busy_timeout"), qint64(Database::BusyTimeoutMs));
        QCOMPARE(pragma("trusted_schema"), 0);
    }

    void testStrictTablesFollowLibraryVersion()
    {
        auto db = openDb(path(QStringLiteral("strict.db")));
        QVERIFY(db);
        QVERIFY(!db->sqliteVersion().isEmpty());
        qInfo("QSQLITE uses SQLite %s", qPrintable(db->sqliteVersion()));
        QCOMPARE(db->strictTables(), Migrations::versionAtLeast(db->sqliteVersion(), 3, 37));
        if (!db->strictTables())
            QSKIP("SQLite older than 3.37: tables are not STRICT");
        auto q = db->prepare(
            QStringLiteral("SELECT count(*) FROM pragma_table_list WHERE schema = 'main' AND strict = 1"));
        QVERIFY(q);
        QVERIFY(q->exec());
        QVERIFY(q->next());
        QVERIFY(q->int64(0) >= 12);
        // STRICT refuses a wrongly typed value instead of storing it.
        RawConnection raw(path(QStringLiteral("strict.db")));
        QVERIFY(!raw.exec(QStringLiteral("INSERT INTO settings (key, value) VALUES ('k', x'00')")));
    }

    void testMigrationsAppliedOnceAndIdempotentOnReopen()
    {
        const QString file = path(QStringLiteral("migrate.db"));
        const int latest = Database::latestSchemaVersion();
        QVERIFY(latest >= 1);
        qint64 objects = 0;
        {
            auto db = openDb(file);
            QVERIFY(db);
            QCOMPARE(db->schemaVersion(), latest);
            QVERIFY(SettingsStore(*db).set(QStringLiteral("k"), QStringLiteral("v")));
            RawConnection raw(file);
            objects = raw.scalar(QStringLiteral("SELECT count(*) FROM sqlite_schema")).toLongLong();
            QVERIFY(objects > 20);
        }
        for (int i = 0; i < 2; ++i) {
            auto db = openDb(file);
            QVERIFY(db);
            QCOMPARE(db->schemaVersion(), latest);
            auto v = SettingsStore(*db).get(QStringLiteral("k"));
            QVERIFY(v);
            QCOMPARE(v->value_or(QString()), QStringLiteral("v"));
            RawConnection raw(file);
            QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), latest);
            QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM sqlite_schema")).toLongLong(), objects);
        }
    }

    void testNewerSchemaRefusedAndUntouched()
    {
        const QString file = path(QStringLiteral("future.db"));
        {
            auto db = openDb(file);
            QVERIFY(db);
        }
        const int future = Database::latestSchemaVersion() + 1;
        {
            RawConnection raw(file);
            QVERIFY(raw.exec(QStringLiteral("PRAGMA user_version = %1").arg(future)));
        }
        auto db = Database::open(file);
        QVERIFY(!db);
        QCOMPARE(db.error().code, QString(ErrorCode::SchemaTooNew));
        QVERIFY(db.error().message.contains(QString::number(future)));
        RawConnection raw(file);
        QCOMPARE(raw.scalar(QStringLiteral("PRAGMA user_version")).toInt(), future);
    }

    void testIntegrityCheck()
    {
        const QString file = path(QStringLiteral("integrity.db"));
        {
            auto db = openDb(file);
            QVERIFY(db);
            QVERIFY(db->integrityCheck());
            auto settings = SettingsStore(*db);
            for (int i = 0; i < 2000; ++i)
                QVERIFY(settings.set(QStringLiteral("key-%1").arg(i), QString(200, u'x')));
            QVERIFY(db->integrityCheck());
        }
        // Closing the last connection checkpoints the WAL into the file. Damage a b-tree page
        // in the middle of the file, away from the schema on page 1.
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadWrite));
        const qint64 size = f.size();
        QVERIFY(size > 40 * 4096);
        QVERIFY(f.seek((size / 4096 / 2) * 4096));
        QVERIFY(f.write(QByteArray(4096, '\xA5')) == 4096);
        f.close();

        auto db = Database::open(file);
        if (!db) {
            QCOMPARE(db.error().code, QString(ErrorCode::StoreError)); // damage seen while migrating
            return;
        }
        const Status s = (*db)->integrityCheck();
        QVERIFY(!s);
        QCOMPARE(s.error().code, QString(ErrorCode::DatabaseCorrupt));
    }

    void testMemoryDatabase()
    {
        auto db = Database::open(QStringLiteral(":memory:"));
        QVERIFY(db);
        QCOMPARE((*db)->schemaVersion(), Database::latestSchemaVersion());
        QVERIFY(SettingsStore(**db).set(QStringLiteral("a"), QStringLiteral("b")));
        QVERIFY(!QFile::exists(QStringLiteral(":memory:")));
    }

    void testSeveralConnectionsInOneProcess()
    {
        const QString file = path(QStringLiteral("shared.db"));
        auto a = openDb(file);
        auto b = openDb(file);
        QVERIFY(a && b);
        QVERIFY(a->connectionName() != b->connectionName());
        QVERIFY(SettingsStore(*a).set(QStringLiteral("x"), QStringLiteral("1")));
        auto v = SettingsStore(*b).get(QStringLiteral("x"));
        QVERIFY(v);
        QCOMPARE(v->value_or(QString()), QStringLiteral("1"));
    }

    void testTransactionCommitAndRollback()
    {
        auto db = openDb(path(QStringLiteral("tx.db")));
        QVERIFY(db);
        SettingsStore settings(*db);
        {
            auto tx = Transaction::begin(*db);
            QVERIFY(tx);
            QVERIFY(db->inTransaction());
            QVERIFY(settings.set(QStringLiteral("rolled"), QStringLiteral("back")));
        } // destroyed without commit
        QVERIFY(!db->inTransaction());
        QVERIFY(!settings.get(QStringLiteral("rolled"))->has_value());

        const quint64 generation = db->rollbackGeneration();
        {
            auto tx = Transaction::begin(*db);
            QVERIFY(tx);
            QVERIFY(settings.set(QStringLiteral("outer"), QStringLiteral("1")));
            {
                auto inner = Transaction::begin(*db);
                QVERIFY(inner);
                QVERIFY(inner->isNested());
                QVERIFY(settings.set(QStringLiteral("inner-rolled"), QStringLiteral("1")));
            }
            QVERIFY(db->rollbackGeneration() > generation);
            {
                auto inner = Transaction::begin(*db);
                QVERIFY(inner);
                QVERIFY(settings.set(QStringLiteral("inner-kept"), QStringLiteral("1")));
                QVERIFY(inner->commit());
            }
            QVERIFY(tx->commit());
        }
        QVERIFY(settings.get(QStringLiteral("outer"))->has_value());
        QVERIFY(settings.get(QStringLiteral("inner-kept"))->has_value());
        QVERIFY(!settings.get(QStringLiteral("inner-rolled"))->has_value());

        // A committed inner part still disappears when the outer transaction rolls back.
        {
            auto tx = Transaction::begin(*db);
            QVERIFY(tx);
            auto inner = Transaction::begin(*db);
            QVERIFY(inner);
            QVERIFY(settings.set(QStringLiteral("gone"), QStringLiteral("1")));
            QVERIFY(inner->commit());
            tx->rollback();
        }
        QVERIFY(!settings.get(QStringLiteral("gone"))->has_value());
    }

    void testWriteInsideReadTransactionRefused()
    {
        auto db = openDb(path(QStringLiteral("txread.db")));
        QVERIFY(db);
        auto read = Transaction::begin(*db, Transaction::Mode::Read);
        QVERIFY(read);
        auto write = Transaction::begin(*db);
        QVERIFY(!write);
        QCOMPARE(write.error().code, QString(ErrorCode::StoreError));
        QVERIFY(read->commit());
    }

    void testWriteTransactionTakesTheLockUpFront()
    {
        const QString file = path(QStringLiteral("lock.db"));
        auto a = openDb(file);
        QVERIFY(a);
        auto tx = Transaction::begin(*a);
        QVERIFY(tx);
        // BEGIN IMMEDIATE holds the write lock: another connection cannot write meanwhile.
        RawConnection raw(file);
        QVERIFY(raw.exec(QStringLiteral("PRAGMA busy_timeout = 0")));
        QVERIFY(!raw.exec(QStringLiteral("INSERT INTO settings (key, value) VALUES ('b', '1')")));
        QVERIFY(raw.lastError().contains(QStringLiteral("locked")));
        QVERIFY(tx->commit());
        QVERIFY(raw.exec(QStringLiteral("INSERT INTO settings (key, value) VALUES ('b', '1')")));
    }

    void testPreparedStatementsAreReusedAndNest()
    {
        auto db = openDb(path(QStringLiteral("cache.db")));
        QVERIFY(db);
        SettingsStore settings(*db);
        for (int i = 0; i < 3; ++i)
            QVERIFY(settings.set(QStringLiteral("k%1").arg(i), QString::number(i)));
        const QString sql = QStringLiteral("SELECT key FROM settings ORDER BY key");
        auto outer = db->prepare(sql);
        QVERIFY(outer);
        QVERIFY(outer->exec());
        QStringList seen;
        while (outer->next()) {
            // The same SQL while the cached statement is busy gets its own statement.
            auto inner = db->prepare(sql);
            QVERIFY(inner);
            QVERIFY(inner->exec());
            QVERIFY(inner->next());
            QCOMPARE(inner->text(0), QStringLiteral("k0"));
            seen.append(outer->text(0));
        }
        QCOMPARE(seen, (QStringList { QStringLiteral("k0"), QStringLiteral("k1"), QStringLiteral("k2") }));
    }

    void testSqlErrorsAreMappedWithoutValues()
    {
        auto db = openDb(path(QStringLiteral("errors.db")));
        QVERIFY(db);
        auto bad = db->prepare(QStringLiteral("SELECT nonsense FROM nowhere"));
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, QString(ErrorCode::StoreError));
        QVERIFY(!bad.error().message.contains(QStringLiteral("nowhere")));

        const QString secretish = QStringLiteral("value-that-must-not-leak");
        auto q = db->prepare(QStringLiteral("INSERT INTO settings (key, value) VALUES (?, ?)"));
        QVERIFY(q);
        q->bindText(QString()).bindText(secretish); // empty key violates CHECK (length(key) > 0)
        const Status s = q->exec();
        QVERIFY(!s);
        QCOMPARE(s.error().code, QString(ErrorCode::StoreError));
        QVERIFY(!s.error().message.contains(secretish));
        QVERIFY(!s.error().message.contains(QStringLiteral("settings")));
        // The statement is usable again after a failure.
        auto again = db->prepare(QStringLiteral("INSERT INTO settings (key, value) VALUES (?, ?)"));
        QVERIFY(again);
        again->bindText(QStringLiteral("ok")).bindText(secretish);
        QVERIFY(again->exec());
    }

    void testSplitStatements_data()
    {
        QTest::addColumn<QString>("sql");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("plain") << QStringLiteral("CREATE TABLE a (x);\nCREATE TABLE b (y);")
                               << QStringList { QStringLiteral("CREATE TABLE a (x)"),
                                      QStringLiteral("CREATE TABLE b (y)") };
        QTest::newRow("semicolon in string and comments")
            << QStringLiteral("-- head; comment\nINSERT INTO t VALUES ('a;b', 'it''s;'); /* x; */ SELECT 1;")
            << QStringList { QStringLiteral("INSERT INTO t VALUES ('a;b', 'it''s;')"), QStringLiteral("SELECT 1") };
        QTest::newRow("trigger with case")
            << QStringLiteral("CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT CASE WHEN 1 THEN 2 END; "
                              "UPDATE b SET y = 1; END; SELECT 2;")
            << QStringList { QStringLiteral("CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT CASE WHEN 1 THEN 2 END; "
                                            "UPDATE b SET y = 1; END"),
                   QStringLiteral("SELECT 2") };
        QTest::newRow("temp trigger") << QStringLiteral("CREATE TEMP TRIGGER t BEFORE DELETE ON a BEGIN SELECT 1; END;")
                                      << QStringList { QStringLiteral(
                                             "CREATE TEMP TRIGGER t BEFORE DELETE ON a BEGIN SELECT 1; END") };
        QTest::newRow("no trailing semicolon")
            << QStringLiteral("SELECT 1") << QStringList { QStringLiteral("SELECT 1") };
    }

    void testSplitStatements()
    {
        QFETCH(QString, sql);
        QFETCH(QStringList, expected);
        QStringList got = Migrations::splitStatements(sql);
        for (QString &s : got)
            s = s.simplified();
        QCOMPARE(got, expected);
    }

    void testAdaptForOldSqlite()
    {
        const QString sql = QStringLiteral(
            "CREATE TABLE a (x INTEGER) STRICT;\nCREATE TABLE b (y TEXT PRIMARY KEY) STRICT, WITHOUT ROWID;");
        QCOMPARE(Migrations::adaptForSqlite(sql, true), sql);
        const QString old = Migrations::adaptForSqlite(sql, false);
        QVERIFY(!old.contains(QStringLiteral("STRICT")));
        QVERIFY(old.contains(QStringLiteral(") WITHOUT ROWID;")));
        // The shipped migrations still parse and run without STRICT (on a plain connection).
        const auto migrations = Migrations::load();
        QVERIFY(migrations);
        RawConnection raw(QStringLiteral(":memory:"));
        for (const QString &statement :
            Migrations::splitStatements(Migrations::adaptForSqlite(migrations->first().sql, false)))
            QVERIFY2(raw.exec(statement), qPrintable(raw.lastError()));
    }

    void testVersionAtLeast_data()
    {
        QTest::addColumn<QString>("version");
        QTest::addColumn<bool>("atLeast3_37");
        QTest::newRow("3.40.1") << QStringLiteral("3.40.1") << true;
        QTest::newRow("3.37.0") << QStringLiteral("3.37.0") << true;
        QTest::newRow("3.36.9") << QStringLiteral("3.36.9") << false;
        QTest::newRow("3.9.0") << QStringLiteral("3.9.0") << false;
        QTest::newRow("4.0") << QStringLiteral("4.0") << true;
    }

    void testVersionAtLeast()
    {
        QFETCH(QString, version);
        QFETCH(bool, atLeast3_37);
        QCOMPARE(Migrations::versionAtLeast(version, 3, 37, 0), atLeast3_37);
    }

    void testMigrationNumberingChecked()
    {
        QTemporaryDir dir;
        auto write = [&](const char *name) {
            QFile f(dir.filePath(QLatin1String(name)));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("SELECT 1;");
        };
        write("0001_a.sql");
        write("0003_c.sql");
        auto gap = Migrations::load(dir.path());
        QVERIFY(!gap);
        write("0002_b.sql");
        auto ok = Migrations::load(dir.path());
        QVERIFY(ok);
        QCOMPARE(ok->size(), 3);
        QCOMPARE(ok->at(1).name, QStringLiteral("b"));
    }
};

QTEST_GUILESS_MAIN(TestDatabase)
#include "tst_database.moc"
