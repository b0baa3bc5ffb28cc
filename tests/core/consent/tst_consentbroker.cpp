// SPDX-License-Identifier: GPL-3.0-or-later
// The consent broker on a real SQLite file: queueing, decisions, timeouts, merging,
// throttling (security-cases G3), freezing, persistence and audit.
#include "consent/consentbroker.h"
#include "store/auditlog.h"
#include "store/clientstore.h"
#include "store/consentrequeststore.h"
#include "store/database.h"
#include "store/resourcestore.h"
#include "store/settingsstore.h"
#include "support/fakeclock.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <QTest>

using namespace Tessera;
using namespace Tessera::Consent;

class TestConsentBroker : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<Store::Database> m_db;
    std::unique_ptr<Store::AuditLog> m_audit;
    Test::FakeClock m_clock;
    qint64 m_resourceId = 0;
    int m_run = 0;

    void addClient(const QString &id)
    {
        Store::Client c;
        c.clientId = id;
        c.clientName = QStringLiteral("Agent ") + id;
        c.redirectUris = { QStringLiteral("http://127.0.0.1/cb") };
        c.createdAt = m_clock.nowSecs();
        QVERIFY(Store::ClientStore(*m_db).insert(c).ok());
    }

    ConsentRequest request(const QString &clientId, QStringList scopes = { QStringLiteral("files:read") },
        const QString &redirect = QStringLiteral("http://127.0.0.1:5000/cb"))
    {
        ConsentRequest r;
        r.path = Path::Authorize;
        r.requester.clientId = clientId;
        r.requester.clientName = QStringLiteral("Agent ") + clientId;
        r.requester.redirectUri = redirect;
        r.resourceId = m_resourceId;
        r.resourceUri = QStringLiteral("http://127.0.0.1:8931/mcp");
        r.resourceName = QStringLiteral("files");
        for (const QString &s : scopes)
            r.scopes.append(ScopeItem { s, QStringLiteral("d"), s.endsWith(QStringLiteral("write")), false });
        r.snapshot = QJsonObject { { QStringLiteral("state"), QStringLiteral("s1") } };
        return r;
    }

private Q_SLOTS:
    void init()
    {
        m_db.reset();
        auto db = Store::Database::open(m_dir.path() + QStringLiteral("/t%1.db").arg(++m_run));
        QVERIFY(db.ok());
        m_db = std::move(*db);
        m_audit = std::make_unique<Store::AuditLog>(*m_db, m_clock);
        Store::Resource res;
        res.uri = QStringLiteral("http://127.0.0.1:8931/mcp");
        res.name = QStringLiteral("files");
        res.displayName = QStringLiteral("Files");
        res.scopes = { { QStringLiteral("files:read"), QStringLiteral("Read"), Store::Risk::Low },
            { QStringLiteral("files:write"), QStringLiteral("Write"), Store::Risk::High } };
        auto added = Store::ResourceStore(*m_db).add(res, m_clock.nowSecs());
        QVERIFY(added.ok());
        m_resourceId = added->id;
        for (const char *c : { "a", "b", "c" })
            addClient(QString::fromLatin1(c));
    }

    void testSubmitDecideApprovePartial()
    {
        ConsentBroker broker(*m_db, *m_audit, m_clock);
        QSignalSpy added(&broker, &ConsentBroker::requestAdded);
        std::optional<Decision> got;
        auto id = broker.submit(
            request(QStringLiteral("a"), { QStringLiteral("files:read"), QStringLiteral("files:write") }),
            [&](const Decision &d) { got = d; });
        QVERIFY(id.ok());
        QCOMPARE(id->size(), 22); // 128 random bits, base64url
        QCOMPARE(added.count(), 1);
        QVERIFY(!got); // never answered synchronously
        QCOMPARE(broker.pending().size(), 1);

        // Approving a scope that was not requested is refused and changes nothing.
        QCOMPARE(
            broker.decide(*id, Decision::approve({ QStringLiteral("admin") }, Duration::OneHour, QStringLiteral("cli")))
                .error()
                .code,
            QStringLiteral("invalid_decision"));
        QVERIFY(!got);
        QVERIFY(broker
                    .decide(*id,
                        Decision::approve({ QStringLiteral("files:read") }, Duration::OneHour, QStringLiteral("cli")))
                    .ok());
        QVERIFY(got && got->approved());
        QCOMPARE(got->scopes, QStringList { QStringLiteral("files:read") });
        QVERIFY(broker.pending().isEmpty());
        // Deciding again: the request is gone.
        QCOMPARE(broker.decide(*id, Decision::deny(QStringLiteral("cli"))).error().code, QStringLiteral("not_found"));

        auto stored = Store::ConsentRequestStore(*m_db).find(*id);
        QVERIFY(stored.ok() && stored->has_value());
        QCOMPARE((*stored)->status, Store::ConsentStatus::Approved);
        auto page = m_audit->query({});
        QVERIFY(page.ok());
        QStringList kinds;
        for (const auto &e : page->events)
            kinds << e.kind;
        QVERIFY(kinds.contains(QStringLiteral("consent.requested")));
        QVERIFY(kinds.contains(QStringLiteral("consent.approved")));
        QVERIFY(m_audit->verify()->ok);
    }

    void testEmptyApprovalRefused()
    {
        ConsentBroker broker(*m_db, *m_audit, m_clock);
        auto id = broker.submit(request(QStringLiteral("a")), [](const Decision &) {});
        QVERIFY(id.ok());
        QCOMPARE(broker.decide(*id, Decision::approve({}, Duration::OneHour, QStringLiteral("cli"))).error().code,
            QStringLiteral("invalid_decision"));
    }

    void testTimeoutDenies()
    {
        ConsentBroker broker(*m_db, *m_audit, m_clock);
        std::optional<Decision> got;
        auto id = broker.submit(request(QStringLiteral("a")), [&](const Decision &d) { got = d; });
        QVERIFY(id.ok());
        m_clock.advanceSecs(broker.limits().promptTimeoutSecs - 1);
        broker.expireDue();
        QVERIFY(!got);
        m_clock.advanceSecs(1);
        broker.expireDue();
        QVERIFY(got);
        QCOMPARE(got->outcome, Decision::Outcome::TimedOut);
        QVERIFY(!got->approved());
        auto stored = Store::ConsentRequestStore(*m_db).find(*id);
        QCOMPARE((*stored)->status, Store::ConsentStatus::Expired);
    }

    void testLateApprovalDoesNotCount()
    {
        ConsentBroker broker(*m_db, *m_audit, m_clock);
        std::optional<Decision> got;
        auto id = broker.submit(request(QStringLiteral("a")), [&](const Decision &d) { got = d; });
        QVERIFY(id.ok());
        m_clock.advanceSecs(broker.limits().promptTimeoutSecs + 5); // the timer has not run yet
        QVERIFY(broker
                    .decide(*id,
                        Decision::approve({ QStringLiteral("files:read") }, Duration::OneHour, QStringLiteral("cli")))
                    .ok());
        QVERIFY(got);
        QVERIFY(!got->approved());
        QCOMPARE(got->outcome, Decision::Outcome::TimedOut);
        QCOMPARE((*Store::ConsentRequestStore(*m_db).find(*id))->status, Store::ConsentStatus::Expired);
    }

    void testTimerFiresWithoutHelp()
    {
        ConsentBroker::Limits limits;
        limits.promptTimeoutSecs = 1; // nobody calls expireDue(): the broker's own timer must
        ConsentBroker broker(*m_db, *m_audit, SystemClock::instance(), limits);
        std::optional<Decision> got;
        QVERIFY(broker.submit(request(QStringLiteral("a")), [&](const Decision &d) { got = d; }).ok());
        QTest::qWait(500);
        QVERIFY(!got.has_value());
        QTRY_VERIFY_WITH_TIMEOUT(got.has_value(), 3000);
        QCOMPARE(got->outcome, Decision::Outcome::TimedOut);
    }

    void testQueueKeepsOrderAndLosesNothing()
    {
        QStringList ids;
        int answered = 0; // outlives the broker, whose destructor answers the two left pending
        ConsentBroker broker(*m_db, *m_audit, m_clock);
        for (const char *c : { "a", "b", "c" }) {
            auto id = broker.submit(request(QString::fromLatin1(c)), [&](const Decision &) { ++answered; });
            QVERIFY(id.ok());
            ids << *id;
        }
        const auto pending = broker.pending();
        QCOMPARE(pending.size(), 3);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(pending.at(i).id, ids.at(i));
        QVERIFY(broker.decide(ids.at(1), Decision::deny(QStringLiteral("desktop"))).ok());
        QCOMPARE(broker.pending().size(), 2);
        QCOMPARE(broker.pending().at(0).id, ids.at(0));
        QCOMPARE(broker.pending().at(1).id, ids.at(2));
        QCOMPARE(answered, 1);
    }

    void testIdenticalRequestsMerge()
    {
        ConsentBroker broker(*m_db, *m_audit, m_clock);
        int answers = 0;
        auto first = broker.submit(request(QStringLiteral("a")), [&](const Decision &d) { answers += d.approved(); });
        auto second = broker.submit(request(QStringLiteral("a")), [&](const Decision &d) { answers += d.approved(); });
        QVERIFY(first.ok() && second.ok());
        QCOMPARE(*second, *first);
        QCOMPARE(broker.pending().size(), 1);
        QCOMPARE(broker.pending().first().mergedCount, 2);
        // A different redirect URI is a different request.
        auto other = broker.submit(request(QStringLiteral("a"), { QStringLiteral("files:read") },
                                       QStringLiteral("http://127.0.0.1:6000/other")),
            [](const Decision &) {});
        QVERIFY(other.ok());
        QVERIFY(*other != *first);
        // Not `once`: that answers one requester only (testR5_onceAnswersExactlyOneRequester).
        QVERIFY(broker
                    .decide(*first,
                        Decision::approve({ QStringLiteral("files:read") }, Duration::OneHour, QStringLiteral("cli")))
                    .ok());
        QCOMPARE(answers, 2);
    }

    // Issue 9 R5: `once` is one authorization. Merged into one prompt, three requesters used to
    // get three approvals (three grants, three codes) from one "Only this once".
    void testR5_onceAnswersExactlyOneRequester()
    {
        ConsentBroker broker(*m_db, *m_audit, m_clock);
        QList<Decision> got(3);
        QString id;
        for (int i = 0; i < 3; ++i) {
            auto t = broker.submit(request(QStringLiteral("a")), [&got, i](const Decision &d) { got[i] = d; });
            QVERIFY(t.ok());
            id = *t;
        }
        QCOMPARE(broker.pending().size(), 1);
        QVERIFY(
            broker
                .decide(id, Decision::approve({ QStringLiteral("files:read") }, Duration::Once, QStringLiteral("cli")))
                .ok());
        // The newest requester (the one a client that restarted its flow waits for) gets it.
        QCOMPARE(got.at(2).outcome, Decision::Outcome::Approved);
        QCOMPARE(got.at(0).outcome, Decision::Outcome::AnsweredOnceElsewhere);
        QCOMPARE(got.at(1).outcome, Decision::Outcome::AnsweredOnceElsewhere);
        QVERIFY(!got.at(0).approved() && !got.at(1).approved());
        // Every requester is told which request answered it: merged requesters share one grant.
        for (const Decision &d : got)
            QCOMPARE(d.requestId, id);
        // The person's answer is on record once, with how many asked.
        auto page = m_audit->query({});
        QVERIFY(page.ok());
        int approvedEvents = 0;
        for (const Store::AuditEvent &e : page->events) {
            if (e.kind == QStringLiteral("consent.approved")) {
                ++approvedEvents;
                QCOMPARE(QJsonDocument::fromJson(e.details).object().value(QStringLiteral("requesters")).toInt(), 3);
            }
        }
        QCOMPARE(approvedEvents, 1);
    }

    // Issue 9 R5: a longer approval answers every merged requester, with the same request id.
    void testR5_approvalAnswersEveryMergedRequesterWithOneRequestId()
    {
        ConsentBroker broker(*m_db, *m_audit, m_clock);
        QStringList ids;
        auto first = broker.submit(request(QStringLiteral("a")), [&](const Decision &d) { ids << d.requestId; });
        auto second = broker.submit(request(QStringLiteral("a")), [&](const Decision &d) { ids << d.requestId; });
        QVERIFY(first.ok() && second.ok());
        QVERIFY(broker
                    .decide(*first,
                        Decision::approve({ QStringLiteral("files:read") }, Duration::OneDay, QStringLiteral("cli")))
                    .ok());
        QCOMPARE(ids, QStringList({ *first, *first }));
    }

    // Issue 9 R5: a requester that goes away (tessera-cli interrupted) takes back only its own
    // place. It used to cancel the merged prompt for everyone in it.
    void testR5_withdrawTakesBackOnlyThatRequester()
    {
        ConsentBroker broker(*m_db, *m_audit, m_clock);
        std::optional<Decision> a, b;
        auto ta = broker.enqueue(request(QStringLiteral("a")), [&](const Decision &d) { a = d; });
        auto tb = broker.enqueue(request(QStringLiteral("a")), [&](const Decision &d) { b = d; });
        QVERIFY(ta.ok() && tb.ok());
        QCOMPARE(tb->id, ta->id);
        QVERIFY(tb->requester != ta->requester);
        broker.withdraw(*ta);
        QVERIFY(a && a->outcome == Decision::Outcome::Cancelled);
        QVERIFY(!b);
        QCOMPARE(broker.pending().size(), 1);
        QCOMPARE(broker.pending().first().mergedCount, 1);
        broker.withdraw(*ta); // twice: nothing more happens
        QCOMPARE(broker.pending().size(), 1);
        QVERIFY(broker
                    .decide(ta->id,
                        Decision::approve({ QStringLiteral("files:read") }, Duration::Once, QStringLiteral("cli")))
                    .ok());
        QVERIFY(b && b->approved()); // the one left gets `once`
        // The last requester leaving cancels the request itself.
        std::optional<Decision> c;
        auto tc = broker.enqueue(request(QStringLiteral("b")), [&](const Decision &d) { c = d; });
        QVERIFY(tc.ok());
        broker.withdraw(*tc);
        QVERIFY(c && c->outcome == Decision::Outcome::Cancelled);
        QVERIFY(broker.pending().isEmpty());
    }

    // Issue 9 R5: token and exec requests of different processes are never merged: a process
    // may not ride on the prompt another one raised. The prompt shows every merged chain.
    void testR5_localRequestsOfDifferentProcessesAreNotMerged()
    {
        ConsentBroker::Limits limits;
        limits.maxNewPerClientPerMinute = 100;
        ConsentBroker broker(*m_db, *m_audit, m_clock, limits);
        const auto local = [this](qint64 pid, const QString &exe) {
            ConsentRequest r = request(QStringLiteral("a"));
            r.path = Path::Token;
            r.requester.redirectUri.clear();
            r.requester.processChain = { ProcessFact { pid, exe, QStringLiteral("agent") } };
            return r;
        };
        auto one = broker.submit(local(100, QStringLiteral("/usr/bin/agent")), [](const Decision &) {});
        auto other = broker.submit(local(200, QStringLiteral("/usr/bin/agent")), [](const Decision &) {});
        auto same = broker.submit(local(100, QStringLiteral("/usr/bin/agent")), [](const Decision &) {});
        QVERIFY(one.ok() && other.ok() && same.ok());
        QVERIFY(*other != *one);
        QCOMPARE(*same, *one);
        QCOMPARE(broker.pending().size(), 2);

        // /authorize: the same program listening on the redirect port merges across pids (a
        // restarted client), and every chain is shown; another program does not merge.
        ConsentRequest viaBrowser = request(QStringLiteral("b"));
        viaBrowser.requester.processChain
            = { ProcessFact { 300, QStringLiteral("/usr/bin/client"), QStringLiteral("client") } };
        auto first = broker.submit(viaBrowser, [](const Decision &) {});
        viaBrowser.requester.processChain
            = { ProcessFact { 301, QStringLiteral("/usr/bin/client"), QStringLiteral("client") } };
        auto restarted = broker.submit(viaBrowser, [](const Decision &) {});
        viaBrowser.requester.processChain
            = { ProcessFact { 302, QStringLiteral("/tmp/evil"), QStringLiteral("client") } };
        auto foreign = broker.submit(viaBrowser, [](const Decision &) {});
        QVERIFY(first.ok() && restarted.ok() && foreign.ok());
        QCOMPARE(*restarted, *first);
        QVERIFY(*foreign != *first);
        const std::optional<ConsentRequest> merged = broker.find(*first);
        QVERIFY(merged);
        QCOMPARE(merged->mergedCount, 2);
        QCOMPARE(merged->mergedChains.size(), 1);
        QCOMPARE(merged->mergedChains.first().first().pid, 301);
        const QJsonObject shown = merged->toJson();
        QCOMPARE(shown.value(QStringLiteral("merged")).toInt(), 2);
        QCOMPARE(shown.value(QStringLiteral("mergedChains"))
                     .toArray()
                     .first()
                     .toArray()
                     .first()
                     .toObject()
                     .value(QStringLiteral("pid"))
                     .toInteger(),
            301);
    }

    // Issue 9 R5: how many requesters one prompt gathers is bounded; one more is told why.
    void testR5_mergedRequestersAreBounded()
    {
        ConsentBroker::Limits limits;
        limits.maxMergedPerRequest = 3;
        ConsentBroker broker(*m_db, *m_audit, m_clock, limits);
        int answered = 0;
        for (int i = 0; i < 3; ++i)
            QVERIFY(broker.submit(request(QStringLiteral("a")), [&](const Decision &) { ++answered; }).ok());
        bool called = false;
        auto excess = broker.submit(request(QStringLiteral("a")), [&](const Decision &) { called = true; });
        QVERIFY(!excess.ok());
        QCOMPARE(excess.error().code, QStringLiteral("throttled"));
        QVERIFY(excess.error().message.contains(QStringLiteral("3 times")));
        QCOMPARE(broker.pending().first().mergedCount, 3);
        QVERIFY(ConsentBroker::Limits {}.maxMergedPerRequest >= 16); // the default fits R7b's 16 per client
        broker.cancel(broker.pending().first().id);
        QCOMPARE(answered, 3);
        QVERIFY(!called);
    }

    void testThrottlePendingPerClient()
    {
        ConsentBroker::Limits limits;
        limits.maxPendingPerClient = 2;
        limits.maxNewPerClientPerMinute = 100;
        ConsentBroker broker(*m_db, *m_audit, m_clock, limits);
        QVERIFY(broker.submit(request(QStringLiteral("a"), { QStringLiteral("files:read") }), [](const Decision &) {})
                    .ok());
        QVERIFY(broker.submit(request(QStringLiteral("a"), { QStringLiteral("files:write") }), [](const Decision &) {})
                    .ok());
        bool called = false;
        auto third = broker.submit(
            request(QStringLiteral("a"), { QStringLiteral("files:read"), QStringLiteral("files:write") }),
            [&](const Decision &) { called = true; });
        QVERIFY(!third.ok());
        QCOMPARE(third.error().code, QStringLiteral("throttled"));
        QVERIFY(!called);
        // Another client is not affected.
        QVERIFY(broker.submit(request(QStringLiteral("b")), [](const Decision &) {}).ok());
    }

    void testThrottlePromptRate()
    {
        ConsentBroker broker(*m_db, *m_audit, m_clock);
        const int perMinute = broker.limits().maxNewPerClientPerMinute;
        QStringList ids;
        for (int i = 0; i < perMinute; ++i) {
            auto id = broker.submit(
                request(QStringLiteral("a"), { QStringLiteral("s%1").arg(i) }), [](const Decision &) {});
            QVERIFY(id.ok());
            QVERIFY(broker
                        .decide(*id,
                            Decision::approve({ QStringLiteral("s%1").arg(i) }, Duration::Once, QStringLiteral("cli")))
                        .ok());
        }
        auto over = broker.submit(request(QStringLiteral("a"), { QStringLiteral("more") }), [](const Decision &) {});
        QCOMPARE(over.error().code, QStringLiteral("throttled"));
        m_clock.advanceSecs(61);
        QVERIFY(broker.submit(request(QStringLiteral("a"), { QStringLiteral("more") }), [](const Decision &) {}).ok());
    }

    void testDenialCooldown()
    {
        ConsentBroker broker(*m_db, *m_audit, m_clock);
        for (int i = 0; i < broker.limits().denialsBeforeCooldown; ++i) {
            auto id = broker.submit(
                request(QStringLiteral("a"), { QStringLiteral("s%1").arg(i) }), [](const Decision &) {});
            QVERIFY(id.ok());
            QVERIFY(broker.decide(*id, Decision::deny(QStringLiteral("desktop"))).ok());
            m_clock.advanceSecs(30); // keep under the per-minute prompt rate
        }
        auto again = broker.submit(request(QStringLiteral("a"), { QStringLiteral("again") }), [](const Decision &) {});
        QCOMPARE(again.error().code, QStringLiteral("throttled"));
        m_clock.advanceSecs(broker.limits().cooldownSecs + 1);
        QVERIFY(broker.submit(request(QStringLiteral("a"), { QStringLiteral("again") }), [](const Decision &) {}).ok());
    }

    void testFreezeDeniesPendingAndRefusesNew()
    {
        ConsentBroker broker(*m_db, *m_audit, m_clock);
        QSignalSpy frozen(&broker, &ConsentBroker::frozenChanged);
        std::optional<Decision> got;
        QVERIFY(broker.submit(request(QStringLiteral("a")), [&](const Decision &d) { got = d; }).ok());
        QVERIFY(broker.setFrozen(true, QStringLiteral("user")).ok());
        QCOMPARE(frozen.count(), 1);
        QVERIFY(got);
        QCOMPARE(got->outcome, Decision::Outcome::Frozen);
        auto refused = broker.submit(request(QStringLiteral("b")), [](const Decision &) {});
        QCOMPARE(refused.error().code, QStringLiteral("frozen"));
        QVERIFY(broker.setFrozen(false, QStringLiteral("user")).ok());
        QVERIFY(broker.submit(request(QStringLiteral("b")), [](const Decision &) {}).ok());
    }

    void testFreezeSurvivesRestart()
    {
        {
            ConsentBroker broker(*m_db, *m_audit, m_clock);
            QVERIFY(broker.setFrozen(true, QStringLiteral("user")).ok());
        }
        ConsentBroker again(*m_db, *m_audit, m_clock);
        QVERIFY(again.isFrozen());
        QCOMPARE(
            again.submit(request(QStringLiteral("a")), [](const Decision &) {}).error().code, QStringLiteral("frozen"));
        QVERIFY(again.setFrozen(false, QStringLiteral("user")).ok());
        ConsentBroker third(*m_db, *m_audit, m_clock);
        QVERIFY(!third.isFrozen());
    }

    void testDestructionAnswersEveryone()
    {
        std::optional<Decision> got;
        {
            ConsentBroker broker(*m_db, *m_audit, m_clock);
            QVERIFY(broker.submit(request(QStringLiteral("a")), [&](const Decision &d) { got = d; }).ok());
        }
        QVERIFY(got);
        QCOMPARE(got->outcome, Decision::Outcome::Cancelled);
    }

    void testCloseStaleAfterRestart()
    {
        QString id;
        {
            // Destruction answers the requester but (like a crash) leaves the row pending.
            ConsentBroker broker(*m_db, *m_audit, m_clock);
            auto r = broker.submit(request(QStringLiteral("a")), [](const Decision &) {});
            QVERIFY(r.ok());
            id = *r;
        }
        QCOMPARE((*Store::ConsentRequestStore(*m_db).find(id))->status, Store::ConsentStatus::Pending);
        ConsentBroker next(*m_db, *m_audit, m_clock);
        QVERIFY(next.closeStale().ok());
        QCOMPARE((*Store::ConsentRequestStore(*m_db).find(id))->status, Store::ConsentStatus::Expired);
        QVERIFY(next.pending().isEmpty());
    }

    void testPromptTimeoutSetter()
    {
        // Declared before the broker: its destructor answers what is still pending, and the
        // answer must land in a live object (it carries the request id, a heap string, since R5).
        std::optional<Decision> first;
        std::optional<Decision> second;
        ConsentBroker broker(*m_db, *m_audit, m_clock);
        auto a = broker.submit(request(QStringLiteral("a")), [&](const Decision &d) { first = d; });
        QVERIFY(a.ok());
        // The setting applies to new requests; one already on screen keeps its deadline.
        broker.setPromptTimeoutSecs(30);
        QCOMPARE(broker.limits().promptTimeoutSecs, 30);
        auto b = broker.submit(request(QStringLiteral("b")), [&](const Decision &d) { second = d; });
        QVERIFY(b.ok());
        QCOMPARE(broker.find(*b)->expiresAtMs - broker.find(*b)->createdAtMs, qint64(30'000));
        QCOMPARE(broker.find(*a)->expiresAtMs - broker.find(*a)->createdAtMs, qint64(120'000));
        m_clock.advanceSecs(30);
        broker.expireDue();
        QVERIFY(second);
        QCOMPARE(second->outcome, Decision::Outcome::TimedOut);
        QVERIFY(!first);
        QCOMPARE((*Store::ConsentRequestStore(*m_db).find(*b))->expiresAt
                - (*Store::ConsentRequestStore(*m_db).find(*b))->createdAt,
            qint64(30));

        broker.setPromptTimeoutSecs(0);
        QCOMPARE(broker.limits().promptTimeoutSecs, 1);
        broker.setPromptTimeoutSecs(10'000'000);
        QCOMPARE(broker.limits().promptTimeoutSecs, 86400);
    }

    // The person's timeout is kept in settings and outlives a restart (headless too).
    void testPromptTimeoutFromSettings()
    {
        {
            ConsentBroker fresh(*m_db, *m_audit, m_clock);
            QCOMPARE(fresh.limits().promptTimeoutSecs, 120);
        }
        QVERIFY(Store::SettingsStore(*m_db).set(
            QString::fromLatin1(ConsentBroker::PromptTimeoutSettingKey), QStringLiteral("45")));
        ConsentBroker broker(*m_db, *m_audit, m_clock);
        QCOMPARE(broker.limits().promptTimeoutSecs, 45);
        QVERIFY(Store::SettingsStore(*m_db).set(
            QString::fromLatin1(ConsentBroker::PromptTimeoutSettingKey), QStringLiteral("not a number")));
        ConsentBroker ignoring(*m_db, *m_audit, m_clock);
        QCOMPARE(ignoring.limits().promptTimeoutSecs, 120);
    }
};

QTEST_GUILESS_MAIN(TestConsentBroker)
#include "tst_consentbroker.moc"
