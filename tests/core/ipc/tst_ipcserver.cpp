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

#include <QElapsedTimer>
#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
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
    IpcLimits limits;
    std::atomic<int> relistens { 0 };

protected:
    void run() override
    {
        IpcServer server(QStringLiteral("client"), limits);
        QTimer relistenProbe;
        QObject::connect(&relistenProbe, &QTimer::timeout, [&] { relistens = server.relistens(); });
        relistenProbe.start(20);
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

    std::unique_ptr<ServerThread> startServer(qint64 allowedUid = ::getuid(), const IpcLimits &limits = {})
    {
        auto t = std::make_unique<ServerThread>(path());
        t->allowedUid = allowedUid;
        t->limits = limits;
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

    // ---- Issue 9 R7c: bounded connections, and a socket that stays -------------------------

    /** Reads until a newline-terminated frame, the peer closing, or @p timeoutMs. */
    static QByteArray readFrame(QLocalSocket &s, int timeoutMs = 2000)
    {
        QByteArray got;
        QElapsedTimer timer;
        timer.start();
        while (!got.contains('\n') && timer.elapsed() < timeoutMs) {
            s.waitForReadyRead(50);
            got += s.readAll();
            if (s.state() != QLocalSocket::ConnectedState) {
                got += s.readAll();
                break;
            }
        }
        return got;
    }

    void testR7_connectionsBeyondTheCapAreToldWhy()
    {
        IpcLimits limits;
        limits.maxConnections = 3;
        limits.maxPerProcess = 3;
        auto t = startServer(::getuid(), limits);
        std::vector<std::unique_ptr<IpcClient>> open;
        for (int i = 0; i < 3; ++i) {
            auto client = IpcClient::connectTo(path());
            QVERIFY(client.ok());
            QVERIFY(client->call(QStringLiteral("echo")).ok());
            open.push_back(std::make_unique<IpcClient>(std::move(*client)));
        }
        // The fourth gets one clear error frame and is closed; the others are served on.
        QLocalSocket excess;
        excess.connectToServer(path());
        QVERIFY(excess.waitForConnected(2000));
        const QByteArray refusal = readFrame(excess);
        QVERIFY2(refusal.contains("\"too_many_connections\""), refusal.constData());
        QVERIFY(refusal.contains("3 open connections, its limit"));
        QTRY_COMPARE(excess.state(), QLocalSocket::UnconnectedState);
        QVERIFY(open.front()->call(QStringLiteral("echo")).ok());
        // A slot given back is usable again.
        open.pop_back();
        QTest::qWait(100);
        auto again = IpcClient::connectTo(path());
        QVERIFY(again.ok());
        QVERIFY(again->call(QStringLiteral("echo")).ok());
        // The same through the client library: the message reaches the person.
        auto refused = IpcClient::connectTo(path());
        QVERIFY(refused.ok());
        const auto r = refused->call(QStringLiteral("echo"), {}, 2000);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("too_many_connections"));
        // Limits that cannot hold are refused.
        IpcLimits bad;
        bad.maxPerProcess = bad.maxConnections + 1;
        QVERIFY(!bad.validate());
        QVERIFY(IpcLimits {}.fittedTo(300, 0.5).maxConnections < IpcLimits {}.maxConnections);
        QCOMPARE(IpcLimits {}.fittedTo(100000, 0.5).maxConnections, IpcLimits {}.maxConnections);
        stop(*t);
    }

    void testR7_silentConnectionsDoNotHoldASlot()
    {
        IpcLimits limits;
        limits.firstRequestTimeoutMs = 200;
        auto t = startServer(::getuid(), limits);
        QLocalSocket silent;
        silent.connectToServer(path());
        QVERIFY(silent.waitForConnected(2000));
        const QByteArray frame = readFrame(silent, 3000);
        QVERIFY2(frame.contains("\"request_timeout\""), frame.constData());
        QTRY_COMPARE(silent.state(), QLocalSocket::UnconnectedState);
        // One that asked in time stays open past the timeout (e.g. `watch`).
        auto client = IpcClient::connectTo(path());
        QVERIFY(client.ok());
        QVERIFY(client->call(QStringLiteral("echo")).ok());
        QTest::qWait(400);
        QVERIFY(client->call(QStringLiteral("echo")).ok());
        stop(*t);
    }

    void testR7_descriptorExhaustionKeepsTheSocket()
    {
        auto t = startServer();
        QVERIFY(t->ready);
        rlimit saved {};
        QVERIFY(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
        // Server and client share this process's descriptor table: fill it, then free exactly
        // one, which the client's socket takes; the server's accept() then meets EMFILE.
        rlimit low = saved;
        low.rlim_cur = 256;
        QVERIFY(::setrlimit(RLIMIT_NOFILE, &low) == 0);
        std::vector<int> filler;
        for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;)
            filler.push_back(fd);
        QCOMPARE(errno, EMFILE);
        QVERIFY(filler.size() > 10);
        ::close(filler.back());
        filler.pop_back();
        const int client = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un address {};
        address.sun_family = AF_UNIX;
        const QByteArray file = QFile::encodeName(path());
        std::memcpy(address.sun_path, file.constData(), size_t(file.size()));
        const bool connected
            = client >= 0 && ::connect(client, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0;
        QByteArray answer;
        if (connected) {
            timeval tv { 3, 0 };
            ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            char buffer[512];
            for (ssize_t n; (n = ::recv(client, buffer, sizeof buffer, 0)) > 0;)
                answer.append(buffer, n);
        }
        if (client >= 0)
            ::close(client);
        for (int fd : filler)
            ::close(fd);
        QVERIFY(::setrlimit(RLIMIT_NOFILE, &saved) == 0);
        QVERIFY(connected);
        QVERIFY2(answer.contains("\"out_of_descriptors\""), answer.constData());
        // Qt's QLocalServer closed and unlinked its socket here. Ours still listens.
        QCOMPARE(Test::fileMode(path()), 0600);
        auto after = IpcClient::connectTo(path());
        QVERIFY(after.ok());
        QVERIFY(after->call(QStringLiteral("echo")).ok());
        stop(*t);
    }

    void testR7_removedSocketFileIsListenedAgain()
    {
        IpcLimits limits;
        limits.watchIntervalMs = 50;
        auto t = startServer(::getuid(), limits);
        QVERIFY(QFile::remove(path()));
        QTRY_COMPARE_WITH_TIMEOUT(Test::fileMode(path()), 0600, 3000);
        QTRY_COMPARE(t->relistens.load(), 1);
        auto client = IpcClient::connectTo(path());
        QVERIFY(client.ok());
        QVERIFY(client->call(QStringLiteral("echo")).ok());
        // Replaced by another file: ours again, and stop() removes only our own.
        QVERIFY(QFile::remove(path()));
        QFile squatter(path());
        QVERIFY(squatter.open(QIODevice::WriteOnly));
        squatter.close();
        QTRY_COMPARE_WITH_TIMEOUT(t->relistens.load(), 2, 3000);
        QCOMPARE(Test::fileMode(path()), 0600);
        stop(*t);
        QCOMPARE(Test::fileMode(path()), -1);
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
