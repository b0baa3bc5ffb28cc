// SPDX-License-Identifier: GPL-3.0-or-later
// BackgroundCheckpointer: the writer's automatic checkpoint is off while it runs, its own thread
// copies the WAL into the database, nothing committed is lost, and stopping restores the default.
#include "store/checkpointer.h"
#include "store/database.h"

#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace Tessera;
using namespace Tessera::Store;

class TestCheckpointer : public QObject
{
    Q_OBJECT

    static qint64 scalar(Database &db, const QString &sql, int column = 0)
    {
        auto q = db.prepare(sql);
        if (!q || !q->exec() || !q->next())
            return -1;
        return q->int64(column);
    }

private Q_SLOTS:
    void testCheckpointsOffTheWriterAndRestoresOnStop()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("t.db"));
        auto opened = Database::open(path);
        QVERIFY(opened);
        Database &db = **opened;
        QVERIFY(db.exec(QStringLiteral("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)")));
        QCOMPARE(scalar(db, QStringLiteral("PRAGMA wal_autocheckpoint")), 1000);

        {
            auto started = BackgroundCheckpointer::start(db, 20);
            QVERIFY(started);
            auto &checkpointer = **started;
            QCOMPARE(scalar(db, QStringLiteral("PRAGMA wal_autocheckpoint")), 0);

            // Enough commits to cross the automatic threshold (1000 pages) several times over.
            for (int i = 0; i < 300; ++i) {
                auto tx = Transaction::begin(db);
                QVERIFY(tx);
                auto q = db.prepare(QStringLiteral("INSERT INTO t (v) VALUES (zeroblob(16000))"));
                QVERIFY(q && q->exec());
                QVERIFY(tx->commit());
            }
            const quint64 before = checkpointer.checkpoints();
            QTRY_VERIFY_WITH_TIMEOUT(checkpointer.checkpoints() >= before + 2, 5000);
            QVERIFY2(checkpointer.lastError().isEmpty(), qPrintable(checkpointer.lastError()));
            // The rows reached the database file itself, which only a checkpoint writes (the
            // writer's own are off): 300 rows of 16 kB.
            QVERIFY2(QFileInfo(path).size() > 300 * 16000, QByteArray::number(QFileInfo(path).size()).constData());
        }
        QCOMPARE(scalar(db, QStringLiteral("PRAGMA wal_autocheckpoint")), 1000);
        opened->reset();

        auto reopened = Database::open(path);
        QVERIFY(reopened);
        QCOMPARE(scalar(**reopened, QStringLiteral("SELECT count(*) FROM t")), 300);
        QVERIFY((*reopened)->integrityCheck());
    }

    void testRefusesMemoryDatabases()
    {
        auto db = Database::open(QStringLiteral(":memory:"));
        QVERIFY(db);
        QVERIFY(!BackgroundCheckpointer::start(**db));
    }
};

QTEST_GUILESS_MAIN(TestCheckpointer)
#include "tst_checkpointer.moc"
