// SPDX-License-Identifier: GPL-3.0-or-later
// product.md invariant: "a kill at any moment loses no committed grant and never leaves two
// valid refresh tokens of one family". store_crash_writer writes in a loop; this test kills it
// with SIGKILL at random moments (and once inside a big open transaction) and then checks the
// database.
#include "common/clock.h"
#include "store/auditlog.h"
#include "store/database.h"
#include "store/grantstore.h"
#include "storetestutil.h"
#include "support/testsupport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <functional>

using namespace Tessera;
using namespace Tessera::Store;
using namespace Tessera::Store::TestUtil;

class TestCrashSafety : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_path;
    QSet<QString> m_committed; // every grant id the writer reported as committed, all rounds
    QSet<QString> m_uncommitted; // grant ids written in a transaction that never committed
    QRandomGenerator m_random { QRandomGenerator::securelySeeded() };
    QString m_writerError; // set when the writer failed on its own instead of being killed

    struct Run
    {
        QStringList committed;
        QStringList staged;
        bool stagedAll = false;
    };

    static void parse(const QByteArray &output, Run &run)
    {
        // A kill can cut the last line short: only complete lines count.
        const qsizetype end = output.lastIndexOf('\n');
        if (end < 0)
            return;
        for (const QByteArray &line : output.left(end).split('\n')) {
            if (line.startsWith("committed "))
                run.committed.append(QString::fromUtf8(line.mid(10)));
            else if (line.startsWith("staged "))
                run.staged.append(QString::fromUtf8(line.mid(7)));
            else if (line == "staged-all")
                run.stagedAll = true;
        }
    }

    // Starts the writer, waits until @p ready says so, sleeps @p extraMs, then SIGKILLs it.
    Run runAndKill(const QString &mode, const std::function<bool(const Run &)> &ready, int extraMs)
    {
        QProcess p;
        p.setProcessChannelMode(QProcess::SeparateChannels);
        p.start(Test::builtExecutable(QStringLiteral("store_crash_writer")), { m_path, mode });
        Run run;
        if (!p.waitForStarted(10000)) {
            qWarning("writer did not start");
            return run;
        }
        QByteArray out;
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 60000) {
            if (p.state() != QProcess::Running)
                break;
            p.waitForReadyRead(100);
            out += p.readAllStandardOutput();
            Run sofar;
            parse(out, sofar);
            if (ready(sofar))
                break;
        }
        if (extraMs > 0)
            QThread::usleep(static_cast<unsigned long>(extraMs) * 1000);
        p.kill(); // SIGKILL on Unix: no cleanup, no atexit, no SQLite close
        p.waitForFinished(10000);
        out += p.readAllStandardOutput();
        const QByteArray err = p.readAllStandardError();
        if (err.contains("store_crash_writer:"))
            m_writerError = QString::fromUtf8(err);
        else if (p.exitStatus() != QProcess::CrashExit)
            m_writerError = QStringLiteral("the writer exited by itself with code %1").arg(p.exitCode());
        parse(out, run);
        return run;
    }

    void checkDatabase()
    {
        QVERIFY2(m_writerError.isEmpty(), qPrintable(m_writerError));
        auto db = openDb(m_path);
        QVERIFY(db);
        QVERIFY(db->integrityCheck());
        GrantStore grants(*db);
        for (const QString &id : std::as_const(m_committed)) {
            auto g = grants.find(id);
            QVERIFY(g);
            QVERIFY2(g->has_value(), qPrintable(QStringLiteral("committed grant %1 is missing").arg(id)));
        }
        for (const QString &id : std::as_const(m_uncommitted)) {
            auto g = grants.find(id);
            QVERIFY(g);
            QVERIFY2(!g->has_value(), qPrintable(QStringLiteral("uncommitted grant %1 is present").arg(id)));
        }
        RawConnection raw(m_path);
        // Never two valid refresh tokens in a family, and no rotation lost the current one.
        QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM (SELECT family_id FROM refresh_tokens "
                                           "WHERE rotated_at IS NULL GROUP BY family_id HAVING count(*) > 1)"))
                     .toInt(),
            0);
        QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM refresh_families f WHERE (SELECT count(*) FROM "
                                           "refresh_tokens t WHERE t.family_id = f.id AND t.rotated_at IS NULL) <> 1"))
                     .toInt(),
            0);
        // Each writer transaction adds exactly one grant, one family and one event: all or nothing.
        const int grantCount = raw.scalar(QStringLiteral("SELECT count(*) FROM grants")).toInt();
        QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM refresh_families")).toInt(), grantCount);
        QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM audit_events")).toInt(), grantCount);
        QVERIFY(grantCount >= m_committed.size());
        auto report = AuditLog(*db, SystemClock::instance()).verify();
        QVERIFY(report);
        QVERIFY2(report->ok, qPrintable(report->reason));
        QCOMPARE(report->rowsChecked, qint64(grantCount));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_path = m_dir.filePath(QStringLiteral("crash/tessera.db"));
        QVERIFY(QFile::exists(Test::builtExecutable(QStringLiteral("store_crash_writer"))));
    }

    void testKillDuringLoop()
    {
        for (int round = 0; round < 6; ++round) {
            const int wanted = 5 + static_cast<int>(m_random.bounded(120));
            const int extraMs = static_cast<int>(m_random.bounded(25));
            const Run run = runAndKill(
                QStringLiteral("loop"), [wanted](const Run &r) { return r.committed.size() >= wanted; }, extraMs);
            QVERIFY2(run.committed.size() >= wanted, "the writer stopped before it was killed");
            for (const QString &id : run.committed)
                m_committed.insert(id);
            checkDatabase();
            if (QTest::currentTestFailed()) {
                qWarning("round %d: killed after %d commits + %d ms", round, wanted, extraMs);
                return;
            }
        }
    }

    void testKillInsideBigTransaction()
    {
        // Killed at a random point while the big transaction is being written (its pages may
        // already be spilling into the WAL), then once while it is complete but uncommitted.
        for (int round = 0; round < 3; ++round) {
            const bool complete = round == 2;
            const int wanted = 1 + static_cast<int>(m_random.bounded(2500));
            const Run run = runAndKill(
                QStringLiteral("big"), [&](const Run &r) { return complete ? r.stagedAll : r.staged.size() >= wanted; },
                complete ? 50 : static_cast<int>(m_random.bounded(10)));
            QVERIFY(!run.staged.isEmpty());
            QVERIFY(run.committed.isEmpty());
            if (complete)
                QVERIFY(run.stagedAll);
            for (const QString &id : run.staged)
                m_uncommitted.insert(id);
            checkDatabase();
            if (QTest::currentTestFailed())
                return;
        }
    }

    void testKillDuringLoopAfterBigTransaction()
    {
        // The database keeps working normally after recovering from the killed transaction.
        const Run run = runAndKill(
            QStringLiteral("loop"), [](const Run &r) { return r.committed.size() >= 30; },
            static_cast<int>(m_random.bounded(15)));
        QVERIFY(run.committed.size() >= 30);
        for (const QString &id : run.committed)
            m_committed.insert(id);
        checkDatabase();
    }
};

QTEST_GUILESS_MAIN(TestCrashSafety)
#include "tst_crashsafety.moc"
