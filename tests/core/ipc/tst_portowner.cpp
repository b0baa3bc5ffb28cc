// SPDX-License-Identifier: GPL-3.0-or-later
// Which local process listens on a loopback port: /proc/net/tcp{,6} parsing (proc(5)) on
// captured lines, the choice of listener, and the real thing against sockets this test opens.
#include "ipc/peerinfo.h"
#include "ipc/portowner.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTest>

#include <unistd.h>

using namespace Tessera::Ipc;
using namespace Qt::Literals::StringLiterals;

namespace {

const QByteArray Header4
    = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
const QByteArray Header6
    = "  sl  local_address                         remote_address                        st tx_queue "
      "rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

TcpListener listener(const char *address, quint16 port, qint64 uid, quint64 inode)
{
    return TcpListener { QHostAddress(QString::fromLatin1(address)), port, uid, inode };
}

} // namespace

class TestPortOwner : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        // The captured lines below are from little-endian machines (x86-64, arm64), as the kernel prints them.
        if (QSysInfo::ByteOrder != QSysInfo::LittleEndian)
            QSKIP("fixtures are in little-endian word order");
    }

    void testParseIpv4()
    {
        const QByteArray text = Header4
            // 127.0.0.1:8080 LISTEN, uid 1000
            + "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 12345 1 "
              "0000000039b2ab89 100 0 0 10 0\n"
              // 0.0.0.0:2024 LISTEN, uid 0
              "   1: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1161 1 "
              "0000000039b2ab89 100 0 0 10 0\n"
              // TIME_WAIT and ESTABLISHED: not listeners
              "   2: 0100007F:974E 0100007F:9777 06 00000000:00000000 03:00000DD1 00000000     0        0 0 3 "
              "000000003dbf9942\n"
              "   3: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 777 1 "
              "0000000039b2ab89\n"
              // malformed: short line, bad hex
              "   4: 0100007F:1F90 00000000:0000 0A\n"
              "   5: 01Z0007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 9 1\n";
        const QList<TcpListener> got = parseProcNetTcp(text, false);
        QCOMPARE(got.size(), 2);
        QCOMPARE(got.at(0).address, QHostAddress(QHostAddress::LocalHost));
        QCOMPARE(got.at(0).port, quint16(8080));
        QCOMPARE(got.at(0).uid, qint64(1000));
        QCOMPARE(got.at(0).inode, quint64(12345));
        QCOMPARE(got.at(1).address, QHostAddress(QHostAddress::AnyIPv4));
        QCOMPARE(got.at(1).port, quint16(2024));
        QCOMPARE(got.at(1).uid, qint64(0));
    }

    void testParseIpv6()
    {
        const QByteArray text = Header6
            // [::1]:8931
            + "   0: 00000000000000000000000001000000:22E3 00000000000000000000000000000000:0000 0A "
              "00000000:00000000 00:00000000 00000000  1000        0 555 1 0000000000000000 100 0 0 10 0\n"
              // [::]:443
              "   1: 00000000000000000000000000000000:01BB 00000000000000000000000000000000:0000 0A "
              "00000000:00000000 00:00000000 00000000     0        0 556 1 0000000000000000 100 0 0 10 0\n"
              // [::ffff:127.0.0.1]:5000
              "   2: 0000000000000000FFFF00000100007F:1388 00000000000000000000000000000000:0000 0A "
              "00000000:00000000 00:00000000 00000000  1000        0 557 1 0000000000000000 100 0 0 10 0\n"
              // wrong length address
              "   3: 000000000000000001000000:22E3 00000000000000000000000000000000:0000 0A "
              "00000000:00000000 00:00000000 00000000  1000        0 558 1 0000000000000000 100 0 0 10 0\n";
        const QList<TcpListener> got = parseProcNetTcp(text, true);
        QCOMPARE(got.size(), 3);
        QCOMPARE(got.at(0).address, QHostAddress(QHostAddress::LocalHostIPv6));
        QCOMPARE(got.at(0).port, quint16(8931));
        QCOMPARE(got.at(0).inode, quint64(555));
        QCOMPARE(got.at(1).address, QHostAddress(QHostAddress::AnyIPv6));
        QCOMPARE(got.at(1).port, quint16(443));
        QCOMPARE(got.at(2).address, QHostAddress(QStringLiteral("::ffff:127.0.0.1")));
        QCOMPARE(got.at(2).port, quint16(5000));
    }

    void testChooseListener_data()
    {
        QTest::addColumn<QList<TcpListener>>("listeners");
        QTest::addColumn<int>("host");
        QTest::addColumn<QString>("error");
        QTest::addColumn<quint64>("inode");

        const int v4 = int(LoopbackHost::Ipv4), v6 = int(LoopbackHost::Ipv6), both = int(LoopbackHost::Both);
        QTest::newRow("ipv4 exact") << QList { listener("127.0.0.1", 80, 1000, 1) } << v4 << QString() << quint64(1);
        QTest::newRow("other port") << QList { listener("127.0.0.1", 81, 1000, 1) } << v4
                                    << QStringLiteral("port_unowned") << quint64(0);
        QTest::newRow("non-loopback address")
            << QList { listener("192.168.1.5", 80, 1000, 1) } << both << QStringLiteral("port_unowned") << quint64(0);
        QTest::newRow("ipv6-only listener, ipv4 redirect")
            << QList { listener("::1", 80, 1000, 1) } << v4 << QStringLiteral("port_unowned") << quint64(0);
        QTest::newRow("ipv4-only listener, [::1] redirect")
            << QList { listener("127.0.0.1", 80, 1000, 1) } << v6 << QStringLiteral("port_unowned") << quint64(0);
        QTest::newRow("localhost reaches ::1")
            << QList { listener("::1", 80, 1000, 7) } << both << QString() << quint64(7);
        QTest::newRow("wildcard ipv4") << QList { listener("0.0.0.0", 80, 1000, 2) } << v4 << QString() << quint64(2);
        QTest::newRow("dual-stack wildcard reaches ipv4")
            << QList { listener("::", 80, 1000, 3) } << v4 << QString() << quint64(3);
        QTest::newRow("specific bind wins over wildcard")
            << QList { listener("0.0.0.0", 80, 1000, 2), listener("127.0.0.1", 80, 1000, 9) } << v4 << QString()
            << quint64(9);
        QTest::newRow("v4 wildcard wins over v6 wildcard for ipv4")
            << QList { listener("::", 80, 1000, 3), listener("0.0.0.0", 80, 1000, 4) } << v4 << QString() << quint64(4);
        QTest::newRow("another user's socket is reached")
            << QList { listener("127.0.0.1", 80, 0, 5), listener("0.0.0.0", 80, 1000, 6) } << v4
            << QStringLiteral("port_foreign") << quint64(0);
    }

    void testChooseListener()
    {
        QFETCH(QList<TcpListener>, listeners);
        QFETCH(int, host);
        QFETCH(QString, error);
        QFETCH(quint64, inode);
        auto chosen = chooseLoopbackListener(listeners, 80, LoopbackHost(host), 1000);
        if (error.isEmpty()) {
            QVERIFY(chosen.ok());
            QCOMPARE(chosen->inode, inode);
        } else {
            QVERIFY(!chosen.ok());
            QCOMPARE(chosen.error().code, error);
        }
    }

    // R3: for localhost the browser may reach either family, so another user's listener on
    // either one makes the port foreign, even beside our own on the other.
    void testR3_localhostReachesEitherFamily()
    {
        const QList<TcpListener> split { listener("127.0.0.1", 80, 1000, 1), listener("::1", 80, 0, 2) };
        QCOMPARE(chooseLoopbackListener(split, 80, LoopbackHost::Both, 1000).error().code, u"port_foreign"_s);
        QCOMPARE(chooseLoopbackListener(split, 80, LoopbackHost::Ipv4, 1000)->inode, quint64(1)); // 127.0.0.1 only
        QCOMPARE(chooseLoopbackListener(split, 80, LoopbackHost::Ipv6, 1000).error().code, u"port_foreign"_s);
        const QList<TcpListener> wildcard { listener("127.0.0.1", 80, 1000, 1), listener("::", 80, 0, 3) };
        QCOMPARE(chooseLoopbackListener(wildcard, 80, LoopbackHost::Both, 1000).error().code, u"port_foreign"_s);
        QCOMPARE(reachableLoopbackListeners(wildcard, 80, LoopbackHost::Both).size(), 2);
        const QList<TcpListener> ours { listener("127.0.0.1", 80, 1000, 1), listener("::1", 80, 1000, 2) };
        QCOMPARE(chooseLoopbackListener(ours, 80, LoopbackHost::Both, 1000)->inode, quint64(1));
        QCOMPARE(loopbackHostOf(u"127.0.0.1"_s), LoopbackHost::Ipv4);
        QCOMPARE(loopbackHostOf(u"::1"_s), LoopbackHost::Ipv6);
        QCOMPARE(loopbackHostOf(u"[::1]"_s), LoopbackHost::Ipv6);
        QCOMPARE(loopbackHostOf(u"localhost"_s), LoopbackHost::Both);
    }

    // R8: the listener table from sock_diag (one dump of LISTEN sockets) says what /proc says.
    void testR8_sockDiagListsWhatProcShows()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        const auto fast = tcpListenersFromSockDiag();
        if (!fast)
            QSKIP("no NETLINK_SOCK_DIAG here");
        QFile file(u"/proc/net/tcp"_s);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<TcpListener> proc = parseProcNetTcp(file.readAll(), false);
        const auto find = [&](const QList<TcpListener> &list) -> std::optional<TcpListener> {
            for (const TcpListener &l : list) {
                if (l.port == server.serverPort() && l.address == QHostAddress(QHostAddress::LocalHost))
                    return l;
            }
            return std::nullopt;
        };
        const auto a = find(*fast), b = find(proc);
        QVERIFY(a && b);
        QCOMPARE(a->inode, b->inode);
        QCOMPARE(a->uid, qint64(::getuid()));
        QCOMPARE(b->uid, a->uid);
        for (const TcpListener &l : *fast)
            QVERIFY(l.inode != 0); // LISTEN sockets only: never a TIME_WAIT entry
        const ExecutableIdentity self = executableOf(::getpid());
        QVERIFY(self.isValid());
        QCOMPARE(self.path, QFileInfo(u"/proc/self/exe"_s).symLinkTarget());
        QVERIFY(self.sameFile(executableOf(::getpid())));
        QVERIFY(!executableOf(0).isValid());
    }

    void testOwnIpv4ListenerIsThisProcess()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        auto owner = loopbackPortOwner(server.serverPort(), LoopbackHost::Ipv4);
        QVERIFY2(owner.ok(), owner ? "" : qPrintable(owner.error().message));
        QCOMPARE(*owner, qint64(::getpid()));
        auto viaLocalhost = loopbackPortOwner(server.serverPort(), LoopbackHost::Both);
        QVERIFY(viaLocalhost.ok());
        QCOMPARE(*viaLocalhost, qint64(::getpid()));
        // Nobody listens on 127.0.0.1 for a [::1] redirect.
        QCOMPARE(
            loopbackPortOwner(server.serverPort(), LoopbackHost::Ipv6).error().code, QStringLiteral("port_unowned"));
    }

    void testOwnIpv6ListenerIsThisProcess()
    {
        QTcpServer server;
        if (!server.listen(QHostAddress::LocalHostIPv6, 0))
            QSKIP("no IPv6 loopback here");
        auto owner = loopbackPortOwner(server.serverPort(), LoopbackHost::Ipv6);
        QVERIFY(owner.ok());
        QCOMPARE(*owner, qint64(::getpid()));
    }

    void testClosedPortHasNoOwner()
    {
        quint16 port = 0;
        {
            QTcpServer server;
            QVERIFY(server.listen(QHostAddress::LocalHost, 0));
            port = server.serverPort();
        }
        auto owner = loopbackPortOwner(port, LoopbackHost::Both);
        QVERIFY(!owner.ok());
        QCOMPARE(owner.error().code, QStringLiteral("port_unowned"));
    }

    void testChildListenerAndItsChain()
    {
        const QString python = QStandardPaths::findExecutable(QStringLiteral("python3"));
        if (python.isEmpty())
            QSKIP("python3 is needed to start a listening child process");
        QProcess child;
        child.start(python,
            { QStringLiteral("-c"),
                QStringLiteral("import socket,sys\n"
                               "s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen(1)\n"
                               "print(s.getsockname()[1], flush=True)\n"
                               "sys.stdin.read()\n") });
        QVERIFY(child.waitForStarted(5000));
        QVERIFY(child.waitForReadyRead(10000));
        const quint16 port = quint16(child.readLine().trimmed().toUInt());
        QVERIFY(port > 0);

        auto owner = loopbackPortOwner(port, LoopbackHost::Ipv4);
        QVERIFY2(owner.ok(), owner ? "" : qPrintable(owner.error().message));
        QCOMPARE(*owner, child.processId());
        QCOMPARE(pidHoldingSocket(0), std::nullopt);
        // The chain names the listener first, then who started it: this test.
        const QList<ProcessInfo> chain = processChain(*owner);
        QVERIFY(chain.size() >= 2);
        QCOMPARE(chain.at(0).pid, child.processId());
        QCOMPARE(chain.at(1).pid, qint64(::getpid()));

        child.closeWriteChannel();
        QVERIFY(child.waitForFinished(5000));
    }
};

QTEST_GUILESS_MAIN(TestPortOwner)
#include "tst_portowner.moc"
