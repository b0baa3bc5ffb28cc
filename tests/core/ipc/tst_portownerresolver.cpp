// SPDX-License-Identifier: GPL-3.0-or-later
// PortOwnerResolver (issue 9, R8): who listens on a loopback port, answered off the event loop,
// once, within a budget; the facts the consent prompt shows (the listener and its parents).
// These were the desktop RequesterEnricher's cases; core now answers them for desktop and headless.
#include "ipc/portownerresolver.h"

#include <QFileInfo>
#include <QProcess>
#include <QSemaphore>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTest>

#include <unistd.h>

using namespace Tessera::Ipc;
using State = PortOwnerReport::State;

namespace {

QString selfExe()
{
    return QFileInfo(QStringLiteral("/proc/self/exe")).symLinkTarget();
}

/** Resolves and spins the event loop until the answer comes (at most 5 s). */
std::optional<PortOwnerReport> resolveNow(PortOwnerResolver &resolver, quint16 port, LoopbackHost host)
{
    std::optional<PortOwnerReport> got;
    int calls = 0;
    resolver.resolve(PortQuery { port, host }, [&](const PortOwnerReport &r) {
        got = r;
        ++calls;
    });
    if (got)
        return std::nullopt; // answered inside resolve(): not allowed
    (void)QTest::qWaitFor([&] { return calls > 0; }, 5000);
    return got;
}

quint16 closedPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

} // namespace

class TestPortOwnerResolver : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void testR8_ownListenerIsThisProcessWithItsParents()
    {
        PortOwnerResolver resolver;
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        const auto r = resolveNow(resolver, server.serverPort(), LoopbackHost::Ipv4);
        QVERIFY(r);
        QCOMPARE(int(r->state), int(State::Own));
        QCOMPARE(r->pid, qint64(::getpid()));
        QCOMPARE(r->listenerUid, qint64(::getuid()));
        QCOMPARE(r->exe.path, selfExe());
        QVERIFY(r->exe.isValid());
        QVERIFY(!r->chain.isEmpty());
        QCOMPARE(r->chain.first().pid, qint64(::getpid()));
        if (r->chain.size() > 1)
            QCOMPARE(r->chain.at(1).pid, qint64(::getppid()));
        // A second time: the same answer (from the inode -> pid cache).
        const auto again = resolveNow(resolver, server.serverPort(), LoopbackHost::Both);
        QVERIFY(again && again->isOwn());
        QCOMPARE(again->pid, qint64(::getpid()));
        QCOMPARE(resolver.passes(), 2);
    }

    void testR8_ipv6AndLocalhost()
    {
        PortOwnerResolver resolver;
        QTcpServer server;
        if (!server.listen(QHostAddress::LocalHostIPv6, 0))
            QSKIP("no IPv6 loopback here");
        QVERIFY(resolveNow(resolver, server.serverPort(), LoopbackHost::Ipv6)->isOwn());
        QVERIFY(resolveNow(resolver, server.serverPort(), LoopbackHost::Both)->isOwn());
        // 127.0.0.1 is not where this server listens.
        QCOMPARE(int(resolveNow(resolver, server.serverPort(), LoopbackHost::Ipv4)->state), int(State::Nobody));
    }

    void testR8_nothingListening()
    {
        PortOwnerResolver resolver;
        const quint16 port = closedPort();
        QVERIFY(port);
        const auto r = resolveNow(resolver, port, LoopbackHost::Both);
        QVERIFY(r);
        QCOMPARE(int(r->state), int(State::Nobody));
        QCOMPARE(r->port, port);
        QVERIFY(r->chain.isEmpty());
    }

    // Another process of ours (python3) is named with its own executable, not ours.
    void testR8_childListener()
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
        PortOwnerResolver resolver;
        const auto r = resolveNow(resolver, port, LoopbackHost::Ipv4);
        QVERIFY(r && r->isOwn());
        QVERIFY(r->exe.path != selfExe());
        QVERIFY(r->exe.path.contains(QStringLiteral("python")));
        child.closeWriteChannel();
        QVERIFY(child.waitForFinished(5000));
    }

    // Questions asked while a pass runs are answered together by the next one, each exactly once.
    void testR8_batchesAndAnswersEachOnce()
    {
        PortOwnerResolver resolver;
        resolver.setBudgetMs(60'000);
        auto gate = std::make_shared<QSemaphore>(0);
        QList<int> batchSizes;
        resolver.setLookupForTesting([gate, &batchSizes](const QList<PortQuery> &queries) {
            (void)gate->tryAcquire(1, 10'000);
            batchSizes.append(int(queries.size())); // read after both passes finished
            return PortOwnerResolver::lookupNow(queries);
        });
        const quint16 port = closedPort();
        QList<int> answers(10, 0);
        for (int i = 0; i < 10; ++i)
            resolver.resolve(
                PortQuery { port, LoopbackHost::Ipv4 }, [&answers, i](const PortOwnerReport &) { ++answers[i]; });
        QCOMPARE(resolver.passes(), 1);
        QCOMPARE(resolver.queriesLookedUp(), 1);
        gate->release(2);
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(answers.cbegin(), answers.cend(), [](int n) { return n > 0; }), 5000);
        QTest::qWait(50);
        QCOMPARE(answers, QList<int>(10, 1));
        QCOMPARE(resolver.passes(), 2);
        QCOMPARE(batchSizes, (QList<int> { 1, 9 }));
    }

    // The budget: a stuck lookup answers TimedOut in time, the late result is dropped, and the
    // listener's uid is still checked (a late answer never hides another user's listener).
    void testR8_budget()
    {
        PortOwnerResolver resolver;
        resolver.setBudgetMs(50);
        auto gate = std::make_shared<QSemaphore>(0);
        resolver.setLookupForTesting([gate](const QList<PortQuery> &queries) {
            (void)gate->tryAcquire(1, 10'000);
            return PortOwnerResolver::lookupNow(queries);
        });
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        int calls = 0;
        std::optional<PortOwnerReport> got;
        resolver.resolve(PortQuery { server.serverPort(), LoopbackHost::Ipv4 }, [&](const PortOwnerReport &r) {
            got = r;
            ++calls;
        });
        QTRY_COMPARE_WITH_TIMEOUT(calls, 1, 5000); // while the lookup is still stuck
        QCOMPARE(int(got->state), int(State::TimedOut));
        QCOMPARE(got->listenerUid, qint64(::getuid()));
        int nobodyCalls = 0;
        std::optional<PortOwnerReport> nobody;
        resolver.resolve(PortQuery { closedPort(), LoopbackHost::Ipv4 }, [&](const PortOwnerReport &r) {
            nobody = r;
            ++nobodyCalls;
        });
        QTRY_COMPARE_WITH_TIMEOUT(nobodyCalls, 1, 5000);
        QCOMPARE(int(nobody->state), int(State::Nobody)); // past the budget, but the table says so
        gate->release(2);
        QTRY_COMPARE_WITH_TIMEOUT(resolver.passes(), 2, 5000);
        QTest::qWait(100);
        QCOMPARE(calls, 1);
        QCOMPARE(nobodyCalls, 1);
    }

    // Destroyed while a pass runs: waits for it, calls nobody back, crashes nothing.
    void testR8_destroyedWhileLooking()
    {
        auto gate = std::make_shared<QSemaphore>(0);
        int calls = 0;
        {
            PortOwnerResolver resolver;
            resolver.setLookupForTesting([gate](const QList<PortQuery> &queries) {
                (void)gate->tryAcquire(1, 200);
                return PortOwnerResolver::lookupNow(queries);
            });
            resolver.resolve(PortQuery { closedPort(), LoopbackHost::Ipv4 }, [&](const PortOwnerReport &) { ++calls; });
        }
        QTest::qWait(50);
        QCOMPARE(calls, 0);
    }
};

QTEST_GUILESS_MAIN(TestPortOwnerResolver)
#include "tst_portownerresolver.moc"
