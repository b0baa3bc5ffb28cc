// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/peeridentity.h"
#include "httptestharness.h"
#include "support/httptestclient.h"
#include "support/testsupport.h"

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTest>

#include <pwd.h>
#include <unistd.h>

using namespace Tessera;
using namespace Tessera::Http;
using namespace Tessera::Test;

namespace {

const char *const PeerUser = "tessera-test-peer";

QByteArray socketLink(qintptr fd)
{
    char target[64] = {};
    const QByteArray path = "/proc/self/fd/" + QByteArray::number(fd);
    const ssize_t n = ::readlink(path.constData(), target, sizeof target - 1);
    return n > 0 ? QByteArray(target, n) : QByteArray();
}

} // namespace

class TestPeerIdentity : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (QSysInfo::ByteOrder != QSysInfo::LittleEndian)
            qWarning("The /proc/net/tcp fixtures are written for a little-endian kernel.");
    }

    // /proc/net/tcp{,6} as the kernel prints it (fixtures in tests/data/http, little-endian).
    void testFindsClientEnd_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("client");
        QTest::addColumn<int>("clientPort");
        QTest::addColumn<QString>("server");
        QTest::addColumn<int>("serverPort");
        QTest::addColumn<qint64>("uid"); // -1: not found
        QTest::addColumn<quint64>("inode");
        QTest::newRow("client end, not the server's mirror")
            << QStringLiteral("http/proc_net_tcp.txt") << QStringLiteral("127.0.0.1") << 54321
            << QStringLiteral("127.0.0.1") << 7391 << qint64(1001) << quint64(41003);
        QTest::newRow("TIME_WAIT has no owner")
            << QStringLiteral("http/proc_net_tcp.txt") << QStringLiteral("127.0.0.1") << 54322
            << QStringLiteral("127.0.0.1") << 7391 << qint64(-1) << quint64(0);
        QTest::newRow("other loopback source")
            << QStringLiteral("http/proc_net_tcp.txt") << QStringLiteral("127.0.0.2") << 54323
            << QStringLiteral("127.0.0.1") << 7391 << qint64(1002) << quint64(41005);
        QTest::newRow("same client port, other address")
            << QStringLiteral("http/proc_net_tcp.txt") << QStringLiteral("127.0.0.1") << 54323
            << QStringLiteral("127.0.0.1") << 7391 << qint64(-1) << quint64(0);
        QTest::newRow("connection to another server port")
            << QStringLiteral("http/proc_net_tcp.txt") << QStringLiteral("127.0.0.1") << 54324
            << QStringLiteral("127.0.0.1") << 7391 << qint64(-1) << quint64(0);
        QTest::newRow("no such connection") << QStringLiteral("http/proc_net_tcp.txt") << QStringLiteral("127.0.0.1")
                                            << 1 << QStringLiteral("127.0.0.1") << 7391 << qint64(-1) << quint64(0);
        QTest::newRow("ipv6 ::1") << QStringLiteral("http/proc_net_tcp6.txt") << QStringLiteral("::1") << 57345
                                  << QStringLiteral("::1") << 7391 << qint64(1004) << quint64(51003);
        QTest::newRow("ipv4-mapped") << QStringLiteral("http/proc_net_tcp6.txt") << QStringLiteral("::ffff:127.0.0.1")
                                     << 57346 << QStringLiteral("::ffff:127.0.0.1") << 7391 << qint64(1005)
                                     << quint64(51004);
    }

    void testFindsClientEnd()
    {
        if (QSysInfo::ByteOrder != QSysInfo::LittleEndian)
            QSKIP("fixtures are little-endian");
        QFETCH(QString, file);
        QFETCH(QString, client);
        QFETCH(int, clientPort);
        QFETCH(QString, server);
        QFETCH(int, serverPort);
        QFETCH(qint64, uid);
        QFETCH(quint64, inode);
        const QByteArray table = readTestData(file);
        const auto owner = findTcpSocketOwner(
            table, QHostAddress(client), quint16(clientPort), QHostAddress(server), quint16(serverPort));
        if (uid < 0) {
            QVERIFY(!owner.ok());
            QCOMPARE(owner.error().code, QStringLiteral("peer_not_found"));
        } else {
            QVERIFY(owner.ok());
            QCOMPARE(owner->uid, uid);
            QCOMPARE(owner->inode, inode);
        }
    }

    void testMalformedTablesFindNothing()
    {
        const QHostAddress lo(QHostAddress::LocalHost);
        QVERIFY(!findTcpSocketOwner("", lo, 1, lo, 2).ok());
        QVERIFY(!findTcpSocketOwner("header only\n", lo, 1, lo, 2).ok());
        QVERIFY(!findTcpSocketOwner("h\n 0: zz:1 yy:2 01 x x x x 1000 0 5\n", lo, 1, lo, 2).ok());
        QVERIFY(
            !findTcpSocketOwner("h\n 0: 0100007F:0001 0100007F:0002 01 x x x x notanumber 0 5\n", lo, 1, lo, 2).ok());
    }

    // The live kernel table: our own client socket is found, with our uid and its real inode.
    void testLiveLookup_data()
    {
        QTest::addColumn<QHostAddress>("address");
        QTest::newRow("127.0.0.1") << QHostAddress(QHostAddress::LocalHost);
        QTest::newRow("::1") << QHostAddress(QHostAddress::LocalHostIPv6);
    }

    void testLiveLookup()
    {
        QFETCH(QHostAddress, address);
        QTcpServer server;
        QVERIFY(server.listen(address, 0));
        QTcpSocket client;
        client.connectToHost(address, server.serverPort());
        QVERIFY(client.waitForConnected(3000));
        const auto owner
            = lookupTcpSocketOwner(client.localAddress(), client.localPort(), address, server.serverPort());
        QVERIFY2(owner.ok(), qPrintable(owner.ok() ? QString() : owner.error().toString()));
        QCOMPARE(owner->uid, qint64(::geteuid()));
        // The inode is the client socket's own: /proc/self/fd/<fd> -> socket:[inode].
        QCOMPARE(socketLink(client.socketDescriptor()), "socket:[" + QByteArray::number(owner->inode) + "]");
        // The /proc fallback agrees with the netlink answer.
        const auto viaProc
            = lookupTcpSocketOwnerInProc(client.localAddress(), client.localPort(), address, server.serverPort());
        QVERIFY(viaProc.ok());
        QCOMPARE(viaProc->uid, owner->uid);
        QCOMPARE(viaProc->inode, owner->inode);
        // A closed connection has no owner any more (TIME_WAIT or gone), in both lookups.
        const quint16 port = client.localPort();
        client.abort();
        QVERIFY(!lookupTcpSocketOwner(QHostAddress(address), port, address, server.serverPort()).ok());
        QVERIFY(!lookupTcpSocketOwnerInProc(QHostAddress(address), port, address, server.serverPort()).ok());
    }

    void testServerSeesPeer()
    {
        Harness h;
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        const auto reply = client.exchange(postRequest("/token", h.port(), "application/x-www-form-urlencoded", "a=b"));
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        const Peer &peer = h.lastRequest->peer;
        QCOMPARE(peer.uid, qint64(::geteuid()));
        QCOMPARE(peer.port, client.socket().localPort());
        QCOMPARE(socketLink(client.socket().socketDescriptor()), "socket:[" + QByteArray::number(peer.inode) + "]");
        QCOMPARE(h.server.allowedUid(), qint64(::geteuid()));
    }

    // security-cases A7: a second local account is refused before a byte is read, and it is logged.
    void testOtherLocalUserRefused()
    {
        if (::geteuid() != 0)
            QSKIP("A7 needs root to create and switch to a second local user; CI runs this as root.");
        const QString setpriv = QStandardPaths::findExecutable(QStringLiteral("setpriv"));
        const QString curl = QStandardPaths::findExecutable(QStringLiteral("curl"));
        QVERIFY2(!setpriv.isEmpty() && !curl.isEmpty(), "A7 needs setpriv (util-linux) and curl");
        if (!::getpwnam(PeerUser)) {
            const int rc = QProcess::execute(QStringLiteral("useradd"),
                { QStringLiteral("--system"), QStringLiteral("--no-create-home"), QStringLiteral("--shell"),
                    QStringLiteral("/usr/sbin/nologin"), QString::fromLatin1(PeerUser) });
            QVERIFY2(rc == 0 || ::getpwnam(PeerUser), "useradd tessera-test-peer failed");
        }
        const passwd *pw = ::getpwnam(PeerUser);
        QVERIFY(pw);
        const qint64 uid = pw->pw_uid;
        const qint64 gid = pw->pw_gid;
        QVERIFY(uid != 0);

        Harness h;
        QSignalSpy refused(&h.server, &LoopbackServer::peerRefused);
        auto runCurl = [&](const QStringList &curlArgs, bool asPeer) {
            QStringList args;
            QString program = curl;
            if (asPeer) {
                program = setpriv;
                args = QStringList { QStringLiteral("--reuid=%1").arg(uid), QStringLiteral("--regid=%1").arg(gid),
                    QStringLiteral("--clear-groups"), curl };
            }
            args += QStringList { QStringLiteral("-s"), QStringLiteral("-o"), QStringLiteral("/dev/null"),
                QStringLiteral("-w"), QStringLiteral("%{http_code}") };
            args += curlArgs;
            QProcess p;
            p.start(program, args);
            // The server runs on this thread: spin the event loop while curl runs.
            if (!QTest::qWaitFor([&] { return p.state() == QProcess::NotRunning; }, 10000))
                p.kill();
            return qMakePair(p.exitCode(), p.readAllStandardOutput());
        };
        const QString base = QStringLiteral("http://127.0.0.1:%1").arg(h.port());
        const QStringList registerArgs { QStringLiteral("-H"), QStringLiteral("Content-Type: application/json"),
            QStringLiteral("--data"), QStringLiteral("{}"), base + QStringLiteral("/register") };
        const QStringList authorizeArgs { base + QStringLiteral("/authorize?response_type=code") };

        const QRegularExpression logLine(QStringLiteral(
            "Refused a connection to port %1 from another local user \\(uid %2; only uid %3 may connect\\)")
                                             .arg(h.port())
                                             .arg(uid)
                                             .arg(::geteuid()));
        // One log line: repeats within a minute are counted, not logged (no journal flooding).
        QTest::ignoreMessage(QtWarningMsg, logLine);
        auto result = runCurl(registerArgs, true);
        QVERIFY2(result.first != 0, result.second.constData());
        QCOMPARE(result.second, QByteArray("000"));
        result = runCurl(authorizeArgs, true);
        QVERIFY(result.first != 0);
        QCOMPARE(result.second, QByteArray("000"));
        QCOMPARE(refused.count(), 2);
        QCOMPARE(refused.at(0).at(0).toLongLong(), uid);
        QCOMPARE(h.totalCalls(), 0); // no handler ran: no prompt, no registration

        // Control: the same requests from our own uid are served.
        result = runCurl(registerArgs, false);
        QCOMPARE(result.second, QByteArray("201"));
        result = runCurl(authorizeArgs, false);
        QCOMPARE(result.second, QByteArray("200"));
        QCOMPARE(refused.count(), 2);
    }
};

QTEST_GUILESS_MAIN(TestPeerIdentity)
#include "tst_peeridentity.moc"
