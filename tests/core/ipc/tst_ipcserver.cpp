// SPDX-License-Identifier: GPL-3.0-or-later
#include "ipc/ipcclient.h"
#include "ipc/ipcserver.h"
#include "ipc/protocol.h"
#include "support/testsupport.h"

#include <QLocalSocket>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <unistd.h>

using namespace Tessera;
using namespace Tessera::Ipc;

namespace {
// The blocking client must not share a thread with the server's event loop.
class ServerThread : public QThread
{
public:
    explicit ServerThread(QString path) : m_path(std::move(path)) { }
    QString m_path;
    std::atomic<bool> ready { false };
    std::atomic<int> rejected { 0 };
    qint64 allowedUid = ::getuid();

protected:
    void run() override
    {
        IpcServer server(QStringLiteral("client"));
        server.setAllowedUidForTesting(allowedUid);
        QObject::connect(&server, &IpcServer::rejectedPeer, [this] { ++rejected; });
        server.handle(QStringLiteral("echo"), [](const IpcRequest &r) { r.reply(r.params()); });
        server.handle(QStringLiteral("who"), [](const IpcRequest &r) {
            r.reply(QJsonObject { { QStringLiteral("pid"), r.peer().pid }, { QStringLiteral("uid"), r.peer().uid } });
        });
        server.handle(QStringLiteral("later"), [](const IpcRequest &r) {
            r.notify(QStringLiteral("progress"), QJsonObject { { QStringLiteral("step"), 1 } });
            QTimer::singleShot(100, [r] { r.reply(QStringLiteral("done")); });
        });
        server.handle(QStringLiteral("nope"), [](const IpcRequest &r) {
            r.fail(Error::make(QStringLiteral("denied"), QStringLiteral("The person said no.")));
        });
        if (!server.listen(m_path))
            return;
        ready = true;
        exec();
    }
};
} // namespace

class TestIpcServer : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString path() const { return m_dir.path() + QStringLiteral("/client.sock"); }

    std::unique_ptr<ServerThread> startServer(qint64 allowedUid = ::getuid())
    {
        auto t = std::make_unique<ServerThread>(path());
        t->allowedUid = allowedUid;
        t->start();
        for (int i = 0; i < 200 && !t->ready; ++i)
            QThread::msleep(10);
        return t;
    }
    static void stop(ServerThread &t)
    {
        t.quit();
        t.wait();
    }

private Q_SLOTS:
    void testSocketIsUserOnly()
    {
        auto t = startServer();
        QVERIFY(t->ready);
        QCOMPARE(Test::fileMode(path()), 0600);
        stop(*t);
        QCOMPARE(Test::fileMode(path()), -1); // removed on close
    }

    void testRoundTripAndPeerCredentials()
    {
        auto t = startServer();
        auto client = IpcClient::connectTo(path());
        QVERIFY(client.ok());
        auto echo = client->call(QStringLiteral("echo"), { { QStringLiteral("a"), 1 } });
        QVERIFY(echo.ok());
        QCOMPARE(echo->toObject().value(QStringLiteral("a")).toInt(), 1);
        auto who = client->call(QStringLiteral("who"));
        QVERIFY(who.ok());
        QCOMPARE(who->toObject().value(QStringLiteral("pid")).toInteger(), qint64(::getpid()));
        QCOMPARE(who->toObject().value(QStringLiteral("uid")).toInteger(), qint64(::getuid()));
        stop(*t);
    }

    void testErrorsKeepCodeAndMessage()
    {
        auto t = startServer();
        auto client = IpcClient::connectTo(path());
        QVERIFY(client.ok());
        auto r = client->call(QStringLiteral("nope"));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("denied"));
        QCOMPARE(r.error().message, QStringLiteral("The person said no."));
        auto unknown = client->call(QStringLiteral("does-not-exist"));
        QCOMPARE(unknown.error().code, QStringLiteral("unknown_method"));
        stop(*t);
    }

    void testAsyncReplyWithEvents()
    {
        auto t = startServer();
        auto client = IpcClient::connectTo(path());
        QVERIFY(client.ok());
        QStringList events;
        client->setEventHandler([&](const QString &e, const QJsonValue &) { events << e; });
        auto r = client->call(QStringLiteral("later"));
        QVERIFY(r.ok());
        QCOMPARE(r->toString(), QStringLiteral("done"));
        QCOMPARE(events, QStringList { QStringLiteral("progress") });
        stop(*t);
    }

    void testMalformedFramesAnswered()
    {
        auto t = startServer();
        QLocalSocket s;
        s.connectToServer(path());
        QVERIFY(s.waitForConnected(2000));
        s.write("this is not json\n{\"method\": 5}\n");
        QByteArray got;
        for (int i = 0; i < 50 && got.count('\n') < 2; ++i) {
            s.waitForReadyRead(100);
            got += s.readAll();
        }
        QCOMPARE(got.count("\"bad_request\""), 2);
        stop(*t);
    }

    void testOversizedFrameClosesConnection()
    {
        auto t = startServer();
        QLocalSocket s;
        s.connectToServer(path());
        QVERIFY(s.waitForConnected(2000));
        s.write(QByteArray(MaxFrameBytes + 10, 'x'));
        QByteArray got;
        for (int i = 0; i < 100 && s.state() == QLocalSocket::ConnectedState; ++i) {
            s.waitForReadyRead(50);
            got += s.readAll();
        }
        got += s.readAll();
        QVERIFY(got.contains("frame_too_large"));
        QCOMPARE(s.state(), QLocalSocket::UnconnectedState);
        stop(*t);
    }

    void testForeignUidRefusedBeforeAnyByte()
    {
        // Pretend our uid is someone else's: the server must hang up without answering.
        auto t = startServer(::getuid() + 4242);
        auto client = IpcClient::connectTo(path());
        QVERIFY(client.ok()); // connect() succeeds at the socket level ...
        auto r = client->call(QStringLiteral("echo"), {}, 2000);
        QVERIFY(!r.ok()); // ... but nothing is served
        QCOMPARE(r.error().code, QStringLiteral("connection_lost"));
        QTRY_COMPARE(t->rejected.load(), 1);
        stop(*t);
    }

    void testNotRunning()
    {
        auto client = IpcClient::connectTo(m_dir.path() + QStringLiteral("/nothing.sock"), 500);
        QVERIFY(!client.ok());
        QCOMPARE(client.error().code, QStringLiteral("not_running"));
    }
};

QTEST_GUILESS_MAIN(TestIpcServer)
#include "tst_ipcserver.moc"
