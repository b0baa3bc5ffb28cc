// SPDX-License-Identifier: GPL-3.0-or-later
// The /authorize requester enricher against real sockets: the process listening on the
// redirect port (this test), its parents, and "the program changed since last time".
#include "consent/consentrequest.h"
#include "desktop/requesterenricher.h"
#include "promptfixture.h"
#include "store/clientstore.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QTcpServer>
#include <QTest>

#include <unistd.h>

using namespace Tessera;

class TestRequesterEnricher : public QObject
{
    Q_OBJECT
private:
    Test::PromptFixture *m_fx = nullptr;

    Consent::Requester requester(const QString &redirect, bool loopback = true)
    {
        Consent::Requester who;
        who.clientId = QStringLiteral("agent-e");
        who.redirectUri = redirect;
        who.loopbackRedirect = loopback;
        return who;
    }

    static QString selfExe() { return QFileInfo(QStringLiteral("/proc/self/exe")).symLinkTarget(); }

private Q_SLOTS:
    void initTestCase()
    {
        m_fx = new Test::PromptFixture(this);
        Store::Client c;
        c.clientId = QStringLiteral("agent-e");
        c.clientName = QStringLiteral("Agent E");
        c.redirectUris = { QStringLiteral("http://127.0.0.1/cb") };
        QVERIFY(Store::ClientStore(m_fx->database()).insert(c).ok());
    }

    void testFindsTheListenerAndItsParents()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        Consent::Requester who = requester(QStringLiteral("http://127.0.0.1:%1/callback").arg(server.serverPort()));
        App::enrichRequester(who, m_fx->database());
        QVERIFY(who.processChain.size() >= 1);
        QCOMPARE(who.processChain.first().pid, qint64(::getpid()));
        QCOMPARE(who.processChain.first().exe, selfExe());
        if (who.processChain.size() > 1)
            QCOMPARE(who.processChain.at(1).pid, qint64(::getppid()));
        QVERIFY(who.previousExecutable.isEmpty()); // nothing recorded yet
    }

    void testIpv6AndLocalhost()
    {
        QTcpServer server;
        if (!server.listen(QHostAddress::LocalHostIPv6, 0))
            QSKIP("no IPv6 loopback here");
        Consent::Requester v6 = requester(QStringLiteral("http://[::1]:%1/cb").arg(server.serverPort()));
        App::enrichRequester(v6, m_fx->database());
        QVERIFY(!v6.processChain.isEmpty());
        QCOMPARE(v6.processChain.first().pid, qint64(::getpid()));
        // 127.0.0.1 is not where this server listens.
        Consent::Requester v4 = requester(QStringLiteral("http://127.0.0.1:%1/cb").arg(server.serverPort()));
        App::enrichRequester(v4, m_fx->database());
        QVERIFY(v4.processChain.isEmpty());
        Consent::Requester named = requester(QStringLiteral("http://localhost:%1/cb").arg(server.serverPort()));
        App::enrichRequester(named, m_fx->database());
        QVERIFY(!named.processChain.isEmpty());
    }

    void testNothingListeningLeavesItUnknown()
    {
        quint16 port = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            port = probe.serverPort();
        }
        Consent::Requester who = requester(QStringLiteral("http://127.0.0.1:%1/cb").arg(port));
        App::enrichRequester(who, m_fx->database());
        QVERIFY(who.processChain.isEmpty());
    }

    void testNonLoopbackRedirectIsNotLookedUp()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        // Even with a listener on that port: an https redirect is not "a program on this computer".
        Consent::Requester who
            = requester(QStringLiteral("https://agent.example:%1/cb").arg(server.serverPort()), false);
        App::enrichRequester(who, m_fx->database());
        QVERIFY(who.processChain.isEmpty());
    }

    void testExecutableChangedSinceLastTime()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        const QString redirect = QStringLiteral("http://127.0.0.1:%1/cb").arg(server.serverPort());
        Store::ClientStore clients(m_fx->database());
        QVERIFY(clients.recordExecutable(QStringLiteral("agent-e"), QStringLiteral("/usr/bin/other-agent"), 1000).ok());
        Consent::Requester changed = requester(redirect);
        App::enrichRequester(changed, m_fx->database());
        QCOMPARE(changed.previousExecutable, QStringLiteral("/usr/bin/other-agent"));

        // Approved from this executable later: the same program again is not a change.
        QVERIFY(clients.recordExecutable(QStringLiteral("agent-e"), selfExe(), 2000).ok());
        Consent::Requester same = requester(redirect);
        App::enrichRequester(same, m_fx->database());
        QVERIFY(same.previousExecutable.isEmpty());
    }
};

QTEST_MAIN(TestRequesterEnricher)
#include "tst_requesterenricher.moc"
