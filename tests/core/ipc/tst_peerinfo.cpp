// SPDX-License-Identifier: GPL-3.0-or-later
#include "ipc/peerinfo.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QTest>

#include <sys/socket.h>
#include <unistd.h>

using namespace Tessera::Ipc;

class TestPeerInfo : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void testPeerCredentialsOfSocketPair()
    {
        int fds[2];
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
        auto cred = peerCredentials(fds[0]);
        QVERIFY(cred.ok());
        QCOMPARE(cred->pid, qint64(::getpid()));
        QCOMPARE(cred->uid, qint64(::getuid()));
        ::close(fds[0]);
        ::close(fds[1]);
    }

    void testPeerCredentialsOfNonSocketFails()
    {
        QVERIFY(!peerCredentials(-1).ok());
        int fds[2];
        QCOMPARE(::pipe(fds), 0); // a pipe is not a socket: no SO_PEERCRED
        auto cred = peerCredentials(fds[0]);
        QVERIFY(!cred.ok());
        QCOMPARE(cred.error().code, QStringLiteral("peer_unknown"));
        ::close(fds[0]);
        ::close(fds[1]);
    }

    void testProcessInfoOfSelf()
    {
        auto info = processInfo(::getpid());
        QVERIFY(info.ok());
        QCOMPARE(info->ppid, qint64(::getppid()));
        QCOMPARE(QFileInfo(info->exe).canonicalFilePath(),
            QFileInfo(QCoreApplication::applicationFilePath()).canonicalFilePath());
        QCOMPARE(info->comm, QStringLiteral("tst_peerinfo"));
    }

    void testProcessInfoOfMissingPid()
    {
        auto info = processInfo(0x3fffffff);
        QVERIFY(!info.ok());
        QCOMPARE(info.error().code, QStringLiteral("process_unknown"));
    }

    void testChainStartsWithSelfAndFollowsParents()
    {
        const auto chain = processChain(::getpid());
        QVERIFY(chain.size() >= 2);
        QCOMPARE(chain.at(0).pid, qint64(::getpid()));
        QCOMPARE(chain.at(1).pid, qint64(::getppid()));
        QVERIFY(processChain(::getpid(), 1).size() == 1);
    }
};

QTEST_GUILESS_MAIN(TestPeerInfo)
#include "tst_peerinfo.moc"
