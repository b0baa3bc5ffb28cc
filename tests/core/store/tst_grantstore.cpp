// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/authorizationcodestore.h"
#include "store/grantstore.h"
#include "store/refreshtokenstore.h"
#include "store/storeerror.h"
#include "storetestutil.h"

#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace Tessera;
using namespace Tessera::Store;
using namespace Tessera::Store::TestUtil;

class TestGrantStore : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    Seeded m_s;
    qint64 m_otherResource = 0;
    int m_n = 0;

    static QStringList ids(const QList<Grant> &grants)
    {
        QStringList out;
        for (const Grant &g : grants)
            out.append(g.id);
        return out;
    }

private Q_SLOTS:
    void init()
    {
        m_s = seed(m_dir.filePath(QStringLiteral("g%1.db").arg(++m_n)));
        QVERIFY(m_s.db);
        QVERIFY(ClientStore(*m_s.db).insert(makeClient(QStringLiteral("c2"))));
        auto r = ResourceStore(*m_s.db).add(makeResource(QStringLiteral("mail"), 8932), kNow);
        QVERIFY(r);
        m_otherResource = r->id;
    }
    void cleanup() { m_s.db.reset(); }

    void testCreateFindRoundTrip()
    {
        GrantStore store(*m_s.db);
        Grant g = makeGrant(QStringLiteral("g1"), QStringLiteral("c1"), m_s.resourceId,
            { QStringLiteral("write"), QStringLiteral("read"), QStringLiteral("read") }, kNow + 3600);
        QVERIFY(store.create(g));
        auto found = store.find(QStringLiteral("g1"));
        QVERIFY(found && found->has_value());
        const Grant &f = **found;
        QCOMPARE(f.scopes, (QStringList { QStringLiteral("read"), QStringLiteral("write") })); // canonical
        QCOMPARE(f.expiresAt, std::optional<qint64>(kNow + 3600));
        QCOMPARE(f.duration, QStringLiteral("1h"));
        QCOMPARE(f.state, GrantState::Active);
        QCOMPARE(f.useCount, 0);
        QVERIFY(!f.lastUsedAt);
        QCOMPARE(f.resourceUri, QStringLiteral("http://127.0.0.1:8931/mcp"));
        QCOMPARE(f.resourceName, QStringLiteral("files"));
        QCOMPARE(f.clientName, QStringLiteral("Agent c1"));
        QVERIFY(f.isActive(kNow));
        QVERIFY(!f.isActive(kNow + 3600)); // expired is computed: expires_at <= now
        QVERIFY(f.isExpired(kNow + 3600));
        QVERIFY(!store.find(QStringLiteral("nope"))->has_value());
    }

    void testCreateRejects()
    {
        GrantStore store(*m_s.db);
        Grant bad
            = makeGrant(QStringLiteral("b"), QStringLiteral("c1"), m_s.resourceId, { QStringLiteral("two words") });
        QCOMPARE(store.create(bad).error().code, QString(ErrorCode::InvalidArgument));
        Grant revoked = makeGrant(QStringLiteral("r"), QStringLiteral("c1"), m_s.resourceId, {});
        revoked.state = GrantState::Revoked;
        QCOMPARE(store.create(revoked).error().code, QString(ErrorCode::InvalidArgument));
        Grant noDuration = makeGrant(QStringLiteral("d"), QStringLiteral("c1"), m_s.resourceId, {});
        noDuration.duration.clear();
        QCOMPARE(store.create(noDuration).error().code, QString(ErrorCode::InvalidArgument));
        // Foreign keys: unknown client or resource.
        QCOMPARE(store.create(makeGrant(QStringLiteral("x"), QStringLiteral("ghost"), m_s.resourceId, {})).error().code,
            QString(ErrorCode::StoreError));
        QCOMPARE(store.create(makeGrant(QStringLiteral("y"), QStringLiteral("c1"), 999, {})).error().code,
            QString(ErrorCode::StoreError));
        QVERIFY(store.create(makeGrant(QStringLiteral("ok"), QStringLiteral("c1"), m_s.resourceId, {})));
        QVERIFY(
            !store.create(makeGrant(QStringLiteral("ok"), QStringLiteral("c1"), m_s.resourceId, {}))); // duplicate id
    }

    void testListForClient()
    {
        GrantStore store(*m_s.db);
        QVERIFY(store.create(makeGrant(QStringLiteral("a"), QStringLiteral("c1"), m_s.resourceId, {}, {}, kNow)));
        QVERIFY(store.create(makeGrant(QStringLiteral("b"), QStringLiteral("c1"), m_otherResource, {}, {}, kNow + 5)));
        QVERIFY(store.create(makeGrant(QStringLiteral("c"), QStringLiteral("c2"), m_s.resourceId, {}, {}, kNow + 9)));
        auto list = store.listForClient(QStringLiteral("c1"));
        QVERIFY(list);
        QCOMPARE(ids(*list), (QStringList { QStringLiteral("b"), QStringLiteral("a") }));
        QVERIFY(store.listForClient(QStringLiteral("nobody"))->isEmpty());
    }

    void testFindActiveCovering_data()
    {
        QTest::addColumn<QStringList>("granted");
        QTest::addColumn<std::optional<qint64>>("expiresAt");
        QTest::addColumn<bool>("revoked");
        QTest::addColumn<QStringList>("requested");
        QTest::addColumn<bool>("covered");
        const QStringList rw { QStringLiteral("read"), QStringLiteral("write") };
        const std::optional<qint64> never;
        QTest::newRow("equal") << rw << never << false << rw << true;
        QTest::newRow("subset requested") << rw << never << false << QStringList { QStringLiteral("read") } << true;
        QTest::newRow("superset requested") << QStringList { QStringLiteral("read") } << never << false << rw << false;
        QTest::newRow("disjoint") << QStringList { QStringLiteral("read") } << never << false
                                  << QStringList { QStringLiteral("admin") } << false;
        QTest::newRow("nothing requested") << rw << never << false << QStringList {} << true;
        QTest::newRow("requested order and duplicates")
            << rw << never << false
            << QStringList { QStringLiteral("write"), QStringLiteral("read"), QStringLiteral("write") } << true;
        QTest::newRow("unexpired") << rw << std::optional<qint64>(kNow + 1) << false << rw << true;
        QTest::newRow("expires exactly now") << rw << std::optional<qint64>(kNow) << false << rw << false;
        QTest::newRow("expired") << rw << std::optional<qint64>(kNow - 1) << false << rw << false;
        QTest::newRow("revoked") << rw << never << true << rw << false;
    }

    void testFindActiveCovering()
    {
        QFETCH(QStringList, granted);
        QFETCH(std::optional<qint64>, expiresAt);
        QFETCH(bool, revoked);
        QFETCH(QStringList, requested);
        QFETCH(bool, covered);
        GrantStore store(*m_s.db);
        QVERIFY(store.create(
            makeGrant(QStringLiteral("g"), QStringLiteral("c1"), m_s.resourceId, granted, expiresAt, kNow - 10)));
        if (revoked)
            QVERIFY(store.revoke(QStringLiteral("g"), QStringLiteral("user"), kNow - 5));
        auto found = store.findActiveCovering(QStringLiteral("c1"), m_s.resourceId, requested, kNow);
        QVERIFY(found);
        QCOMPARE(found->has_value(), covered);
        if (covered)
            QCOMPARE((*found)->id, QStringLiteral("g"));
        // Never across clients or resources.
        QVERIFY(!store.findActiveCovering(QStringLiteral("c2"), m_s.resourceId, requested, kNow)->has_value());
        QVERIFY(!store.findActiveCovering(QStringLiteral("c1"), m_otherResource, requested, kNow)->has_value());
    }

    void testFindActiveCoveringPrefersLongestLived()
    {
        GrantStore store(*m_s.db);
        const QStringList r { QStringLiteral("read") };
        QVERIFY(store.create(makeGrant(QStringLiteral("short"), QStringLiteral("c1"), m_s.resourceId, r, kNow + 60)));
        QVERIFY(store.create(makeGrant(QStringLiteral("long"), QStringLiteral("c1"), m_s.resourceId, r, kNow + 3600)));
        QVERIFY(store.create(makeGrant(QStringLiteral("narrow"), QStringLiteral("c1"), m_s.resourceId, {}, {})));
        auto found = store.findActiveCovering(QStringLiteral("c1"), m_s.resourceId, r, kNow);
        QVERIFY(found && found->has_value());
        QCOMPARE((*found)->id, QStringLiteral("long"));
        QVERIFY(store.create(makeGrant(QStringLiteral("forever"), QStringLiteral("c1"), m_s.resourceId, r, {})));
        QCOMPARE(store.findActiveCovering(QStringLiteral("c1"), m_s.resourceId, r, kNow)->value().id,
            QStringLiteral("forever"));
    }

    void testRecordUse()
    {
        GrantStore store(*m_s.db);
        QVERIFY(store.create(makeGrant(QStringLiteral("u"), QStringLiteral("c1"), m_s.resourceId, {})));
        QVERIFY(store.recordUse(QStringLiteral("u"), kNow + 1));
        QVERIFY(store.recordUse(QStringLiteral("u"), kNow + 2));
        const Grant g = store.find(QStringLiteral("u"))->value();
        QCOMPARE(g.useCount, 2);
        QCOMPARE(g.lastUsedAt, std::optional<qint64>(kNow + 2));
        QCOMPARE(store.recordUse(QStringLiteral("ghost"), kNow).error().code, QString(ErrorCode::GrantUnknown));
    }

    void testRevokeStopsRefreshAndPendingCodes()
    {
        GrantStore store(*m_s.db);
        RefreshTokenStore refresh(*m_s.db);
        AuthorizationCodeStore codes(*m_s.db);
        QVERIFY(store.create(
            makeGrant(QStringLiteral("g"), QStringLiteral("c1"), m_s.resourceId, { QStringLiteral("read") })));
        QVERIFY(store.create(makeGrant(QStringLiteral("other"), QStringLiteral("c1"), m_s.resourceId, {})));
        RefreshFamily fam { QStringLiteral("f"), QStringLiteral("g"), QStringLiteral("c1"),
            QStringLiteral("http://127.0.0.1:8931/mcp"), { QStringLiteral("read") }, kNow, {}, {} };
        QVERIFY(refresh.createFamily(fam, sha("rt"), kNow + 86400));
        fam.id = QStringLiteral("f-other");
        fam.grantId = QStringLiteral("other");
        QVERIFY(refresh.createFamily(fam, sha("rt-other"), kNow + 86400));
        AuthorizationCode pending { sha("pending"), QStringLiteral("g"), QStringLiteral("c1"),
            QStringLiteral("http://127.0.0.1/cb"), challenge(), QStringLiteral("http://127.0.0.1:8931/mcp"), {}, kNow,
            kNow + 60, {}, {} };
        QVERIFY(codes.insert(pending));
        AuthorizationCode used = pending;
        used.codeHash = sha("used");
        QVERIFY(codes.insert(used));
        QVERIFY(codes.consume(sha("used"), kNow + 1));

        auto revoked = store.revoke(QStringLiteral("g"), QStringLiteral("user"), kNow + 10);
        QVERIFY(revoked && *revoked);
        const Grant g = store.find(QStringLiteral("g"))->value();
        QCOMPARE(g.state, GrantState::Revoked);
        QCOMPARE(g.revokedAt, std::optional<qint64>(kNow + 10));
        QCOMPARE(g.revokedReason, QStringLiteral("user"));
        QVERIFY(!g.isActive(kNow));

        // Refresh fails at once; the pending code is gone; the consumed one stays for replay detection.
        auto rotated = refresh.rotate(sha("rt"), sha("rt2"), kNow + 86400, kNow + 11);
        QVERIFY(!rotated);
        QCOMPARE(rotated.error().code(), QString(ErrorCode::RefreshRevoked));
        QCOMPARE(refresh.findFamily(QStringLiteral("f"))->value().revokedReason, QStringLiteral("user"));
        QCOMPARE(codes.consume(sha("pending"), kNow + 11).error().code(), QString(ErrorCode::CodeUnknown));
        QCOMPARE(codes.consume(sha("used"), kNow + 11).error().code(), QString(ErrorCode::CodeReplayed));
        // The other grant is untouched.
        QVERIFY(refresh.rotate(sha("rt-other"), sha("rt-other2"), kNow + 86400, kNow + 11));

        auto again = store.revoke(QStringLiteral("g"), QStringLiteral("user"), kNow + 20);
        QVERIFY(again && !*again);
        QCOMPARE(store.find(QStringLiteral("g"))->value().revokedAt, std::optional<qint64>(kNow + 10));
        QCOMPARE(store.revoke(QStringLiteral("ghost"), QStringLiteral("user"), kNow).error().code,
            QString(ErrorCode::GrantUnknown));
    }

    void testRevokeAllForClient()
    {
        GrantStore store(*m_s.db);
        RefreshTokenStore refresh(*m_s.db);
        QVERIFY(store.create(makeGrant(QStringLiteral("a"), QStringLiteral("c1"), m_s.resourceId, {})));
        QVERIFY(store.create(makeGrant(QStringLiteral("b"), QStringLiteral("c1"), m_otherResource, {})));
        QVERIFY(store.create(makeGrant(QStringLiteral("c"), QStringLiteral("c2"), m_s.resourceId, {})));
        QVERIFY(store.revoke(QStringLiteral("b"), QStringLiteral("earlier"), kNow));
        RefreshFamily fam { QStringLiteral("fa"), QStringLiteral("a"), QStringLiteral("c1"), QStringLiteral("r"), {},
            kNow, {}, {} };
        QVERIFY(refresh.createFamily(fam, sha("a"), kNow + 100));
        auto n = store.revokeAllForClient(QStringLiteral("c1"), QStringLiteral("agent removed"), kNow + 1);
        QVERIFY(n);
        QCOMPARE(*n, 1); // b was already revoked
        QCOMPARE(store.find(QStringLiteral("a"))->value().state, GrantState::Revoked);
        QCOMPARE(store.find(QStringLiteral("b"))->value().revokedReason, QStringLiteral("earlier"));
        QCOMPARE(store.find(QStringLiteral("c"))->value().state, GrantState::Active);
        QVERIFY(refresh.findFamily(QStringLiteral("fa"))->value().revokedAt);
        QCOMPARE(*store.revokeAllForClient(QStringLiteral("c1"), QStringLiteral("again"), kNow + 2), 0);
    }

    void testListKeysetPaging()
    {
        GrantStore store(*m_s.db);
        QSet<QString> all;
        {
            auto tx = Transaction::begin(*m_s.db);
            QVERIFY(tx);
            for (int i = 0; i < 250; ++i) {
                // Several grants per second, so the id breaks ties.
                const QString id = QStringLiteral("g%1").arg(i, 3, 10, QLatin1Char('0'));
                QVERIFY(store.create(makeGrant(
                    id, i % 2 ? QStringLiteral("c1") : QStringLiteral("c2"), m_s.resourceId, {}, {}, kNow + i / 4)));
                all.insert(id);
            }
            QVERIFY(tx->commit());
        }
        GrantQuery q;
        q.limit = 100;
        QStringList seen;
        int pages = 0;
        for (;;) {
            auto page = store.list(q);
            QVERIFY(page);
            ++pages;
            seen += ids(page->grants);
            if (!page->next)
                break;
            q.after = page->next;
        }
        QCOMPARE(pages, 3);
        QCOMPARE(seen.size(), 250);
        QCOMPARE(QSet<QString>(seen.begin(), seen.end()), all);
        QCOMPARE(seen.first(), QStringLiteral("g249"));
        QCOMPARE(seen.last(), QStringLiteral("g000"));
        for (qsizetype i = 1; i < seen.size(); ++i)
            QVERIFY(seen.at(i - 1) > seen.at(i)); // created_at DESC, id DESC; ids sort like creation here

        // Offset paging gives the same order.
        GrantQuery byOffset;
        byOffset.limit = 100;
        byOffset.offset = 100;
        QCOMPARE(ids(store.list(byOffset)->grants), seen.mid(100, 100));
        QCOMPARE(*store.count(GrantQuery {}), 250);

        GrantQuery oneClient;
        oneClient.clientId = QStringLiteral("c1");
        oneClient.limit = 1000;
        auto c1 = store.list(oneClient);
        QVERIFY(c1);
        QCOMPARE(c1->grants.size(), 125);
        QVERIFY(!c1->next);
        QCOMPARE(*store.count(oneClient), 125);
    }

    void testListFilters()
    {
        GrantStore store(*m_s.db);
        QVERIFY(store.create(
            makeGrant(QStringLiteral("active"), QStringLiteral("c1"), m_s.resourceId, {}, kNow + 100, kNow)));
        QVERIFY(store.create(
            makeGrant(QStringLiteral("forever"), QStringLiteral("c1"), m_otherResource, {}, {}, kNow + 1)));
        QVERIFY(store.create(
            makeGrant(QStringLiteral("expired"), QStringLiteral("c2"), m_s.resourceId, {}, kNow - 1, kNow + 2)));
        QVERIFY(
            store.create(makeGrant(QStringLiteral("revoked"), QStringLiteral("c2"), m_s.resourceId, {}, {}, kNow + 3)));
        QVERIFY(store.revoke(QStringLiteral("revoked"), QStringLiteral("user"), kNow));

        auto run = [&](GrantQuery q) {
            q.nowSecs = kNow;
            auto page = store.list(q);
            return page ? ids(page->grants) : QStringList { QStringLiteral("<error>") };
        };
        GrantQuery q;
        QCOMPARE(run(q),
            (QStringList { QStringLiteral("revoked"), QStringLiteral("expired"), QStringLiteral("forever"),
                QStringLiteral("active") }));
        q.state = GrantQuery::State::Active;
        QCOMPARE(run(q), (QStringList { QStringLiteral("forever"), QStringLiteral("active") }));
        q.state = GrantQuery::State::Expired;
        QCOMPARE(run(q), (QStringList { QStringLiteral("expired") }));
        q.state = GrantQuery::State::Revoked;
        QCOMPARE(run(q), (QStringList { QStringLiteral("revoked") }));
        q.state = GrantQuery::State::Any;
        q.resourceId = m_s.resourceId;
        QCOMPARE(
            run(q), (QStringList { QStringLiteral("revoked"), QStringLiteral("expired"), QStringLiteral("active") }));
        q.clientId = QStringLiteral("c1");
        QCOMPARE(run(q), (QStringList { QStringLiteral("active") }));
        q.nowSecs = kNow;
        QCOMPARE(*store.count(q), 1);
        GrantQuery activeCount;
        activeCount.state = GrantQuery::State::Active;
        activeCount.nowSecs = kNow;
        QCOMPARE(*store.count(activeCount), 2);
    }

    void testListByLastUsed()
    {
        GrantStore store(*m_s.db);
        for (const char *id : { "never", "old", "recent", "never2" })
            QVERIFY(store.create(makeGrant(QLatin1String(id), QStringLiteral("c1"), m_s.resourceId, {})));
        QVERIFY(store.recordUse(QStringLiteral("old"), kNow + 1));
        QVERIFY(store.recordUse(QStringLiteral("recent"), kNow + 9));
        GrantQuery q;
        q.order = GrantQuery::Order::LastUsed;
        q.limit = 2;
        auto first = store.list(q);
        QVERIFY(first);
        QCOMPARE(ids(first->grants), (QStringList { QStringLiteral("recent"), QStringLiteral("old") }));
        QVERIFY(first->next);
        QCOMPARE(first->next->key, kNow + 1);
        q.after = first->next;
        auto second = store.list(q);
        QVERIFY(second);
        QCOMPARE(ids(second->grants), (QStringList { QStringLiteral("never2"), QStringLiteral("never") }));
        QVERIFY(!second->next);
    }

    void testListQueriesUseIndexes_data()
    {
        QTest::addColumn<QString>("sql");
        // The shapes GrantStore::list builds; none may sort in a temporary b-tree or scan the table.
        const QString select = QStringLiteral(
            "EXPLAIN QUERY PLAN SELECT g.id FROM grants g LEFT JOIN resources r ON r.id = g.resource_id "
            "LEFT JOIN clients c ON c.client_id = g.client_id ");
        QTest::newRow("created") << select + QStringLiteral("ORDER BY g.created_at DESC, g.id DESC LIMIT 101");
        QTest::newRow("created after") << select
                + QStringLiteral(
                    "WHERE (g.created_at, g.id) < (1, 'x') ORDER BY g.created_at DESC, g.id DESC LIMIT 101");
        QTest::newRow("client") << select
                + QStringLiteral("WHERE g.client_id = 'c1' ORDER BY g.created_at DESC, g.id DESC LIMIT 101");
        QTest::newRow("resource") << select
                + QStringLiteral("WHERE g.resource_id = 1 ORDER BY g.created_at DESC, g.id DESC LIMIT 101");
        QTest::newRow("active") << select
                + QStringLiteral("WHERE g.state = 'active' AND (g.expires_at IS NULL OR g.expires_at > 1) "
                                 "ORDER BY g.created_at DESC, g.id DESC LIMIT 101");
        QTest::newRow("expired") << select
                + QStringLiteral(
                    "WHERE g.state = 'active' AND g.expires_at <= 1 ORDER BY g.created_at DESC, g.id DESC LIMIT 101");
        QTest::newRow("revoked") << select
                + QStringLiteral("WHERE g.state = 'revoked' ORDER BY g.created_at DESC, g.id DESC LIMIT 101");
        QTest::newRow("last used") << select
                + QStringLiteral("ORDER BY ifnull(g.last_used_at, -1) DESC, g.id DESC LIMIT 101");
    }

    void testListQueriesUseIndexes()
    {
        QFETCH(QString, sql);
        auto q = m_s.db->prepare(sql);
        QVERIFY(q);
        QVERIFY(q->exec());
        QStringList plan;
        while (q->next())
            plan.append(q->text(3));
        const QString text = plan.join(u'\n');
        QVERIFY2(!text.contains(QStringLiteral("TEMP B-TREE")), qPrintable(text));
        QVERIFY2(
            !text.contains(QStringLiteral("SCAN g\n")) && !text.endsWith(QStringLiteral("SCAN g")), qPrintable(text));
    }
};

QTEST_GUILESS_MAIN(TestGrantStore)
#include "tst_grantstore.moc"
