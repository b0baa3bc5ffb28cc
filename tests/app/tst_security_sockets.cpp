// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 9 R7c end to end: a real `tessera --headless` keeps client.sock usable whatever a
// same-user process does with connections, and raises its descriptor limit at start.
#include "support/tesserainstance.h"
#include "support/testsupport.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QTest>

#include <sys/resource.h>

#include <memory>
#include <vector>

using namespace Tessera;
using namespace Tessera::Test;

class TestSecuritySockets : public QObject
{
    Q_OBJECT

    static QJsonObject statusJson(const TesseraInstance &t)
    {
        const CliResult r = t.cli({ QStringLiteral("--json"), QStringLiteral("status") });
        return QJsonDocument::fromJson(r.out).object();
    }
    static QString clientSocket(const TesseraInstance &t) { return t.runtimeDir() + QStringLiteral("/client.sock"); }

private Q_SLOTS:
    void testR7_openFileLimitRaisedAtStart()
    {
        // Start it with the usual soft limit of 1024: it raises its own to the hard limit.
        rlimit saved {};
        QVERIFY(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
        if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max <= 1024)
            QSKIP("the hard descriptor limit here is 1024: there is nothing to raise to");
        rlimit low = saved;
        low.rlim_cur = 1024;
        QVERIFY(::setrlimit(RLIMIT_NOFILE, &low) == 0);
        TesseraInstance t;
        const bool started = t.start();
        QVERIFY(::setrlimit(RLIMIT_NOFILE, &saved) == 0);
        QVERIFY(started);
        QVERIFY(t.waitUntil(0));
        const QJsonObject sockets = statusJson(t).value(QStringLiteral("sockets")).toObject();
        const qint64 expected
            = saved.rlim_max == RLIM_INFINITY ? 65536 : std::min<qint64>(qint64(saved.rlim_max), 65536);
        QCOMPARE(sockets.value(QStringLiteral("openFileLimit")).toInteger(), expected);
        const QJsonObject client = sockets.value(QStringLiteral("client")).toObject();
        QVERIFY(client.value(QStringLiteral("maxConnections")).toInt() > 0);
        QVERIFY(client.value(QStringLiteral("maxConnections")).toInt() * 2 < expected);
        t.stop();
    }

    void testR7_oneProcessCannotTakeClientSock()
    {
        TesseraInstance t;
        QVERIFY(t.start());
        QVERIFY(t.waitUntil(0));
        const QJsonObject client
            = statusJson(t).value(QStringLiteral("sockets")).toObject().value(QStringLiteral("client")).toObject();
        const int perProcess = client.value(QStringLiteral("maxPerProcess")).toInt();
        QVERIFY(perProcess > 0);
        std::vector<std::unique_ptr<QLocalSocket>> held;
        for (int i = 0; i < perProcess; ++i) {
            auto s = std::make_unique<QLocalSocket>();
            s->connectToServer(clientSocket(t));
            QVERIFY(s->waitForConnected(2000));
            held.push_back(std::move(s));
        }
        // One more from this process is told why, in one frame, and closed.
        QLocalSocket excess;
        excess.connectToServer(clientSocket(t));
        QVERIFY(excess.waitForConnected(2000));
        QByteArray got;
        for (int i = 0; i < 40 && !got.contains('\n'); ++i) {
            excess.waitForReadyRead(50);
            got += excess.readAll();
        }
        const QJsonObject frame = QJsonDocument::fromJson(got.trimmed()).object();
        const QJsonObject error = frame.value(QStringLiteral("error")).toObject();
        QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("too_many_connections"));
        QVERIFY(error.value(QStringLiteral("message")).toString().contains(QStringLiteral("its limit")));
        // Every other program still gets served: tessera-cli is another process.
        const CliResult status = t.cli({ QStringLiteral("status") });
        QCOMPARE(status.exitCode, 0);
        const QJsonObject after
            = statusJson(t).value(QStringLiteral("sockets")).toObject().value(QStringLiteral("client")).toObject();
        QVERIFY(after.value(QStringLiteral("refused")).toInteger() >= 1);
        t.stop();
    }

    void testR7_removedClientSockComesBack()
    {
        TesseraInstance t;
        QVERIFY(t.start());
        QVERIFY(t.waitUntil(0));
        QVERIFY(QFile::remove(clientSocket(t)));
        QCOMPARE(t.cli({ QStringLiteral("status") }).exitCode == 0, false); // gone for now
        // Tessera notices within its watch interval and listens again; nothing else was lost.
        QTRY_VERIFY_WITH_TIMEOUT(t.cli({ QStringLiteral("status") }).exitCode == 0, 8000);
        QCOMPARE(fileMode(clientSocket(t)), 0600);
        const QJsonObject client
            = statusJson(t).value(QStringLiteral("sockets")).toObject().value(QStringLiteral("client")).toObject();
        QCOMPARE(client.value(QStringLiteral("relistens")).toInt(), 1);
        t.stop();
    }
};

QTEST_GUILESS_MAIN(TestSecuritySockets)
#include "tst_security_sockets.moc"
