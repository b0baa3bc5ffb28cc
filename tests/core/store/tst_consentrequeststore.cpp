// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/consentrequeststore.h"
#include "store/storeerror.h"
#include "storetestutil.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace Tessera;
using namespace Tessera::Store;
using namespace Tessera::Store::TestUtil;

class TestConsentRequestStore : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    Seeded m_s;
    QString m_path;
    int m_n = 0;

    ConsentRequestRecord request(const QString &id, qint64 createdAt = kNow, qint64 ttl = 120,
        const QString &clientId = QStringLiteral("c1")) const
    {
        ConsentRequestRecord r;
        r.id = id;
        r.clientId = clientId;
        r.resourceId = m_s.resourceId;
        r.scopes = { QStringLiteral("write"), QStringLiteral("read") };
        r.path = ConsentPath::Authorize;
        r.snapshot = QJsonObject { { QStringLiteral("client_name"), QStringLiteral("Agent c1") },
            { QStringLiteral("new_scopes"), QJsonArray { QStringLiteral("write") } },
            { QStringLiteral("executable"), QStringLiteral("/usr/bin/code") } };
        r.createdAt = createdAt;
        r.expiresAt = createdAt + ttl;
        return r;
    }

    static QStringList ids(const QList<ConsentRequestRecord> &list)
    {
        QStringList out;
        for (const ConsentRequestRecord &r : list)
            out.append(r.id);
        return out;
    }

private Q_SLOTS:
    void init()
    {
        m_path = m_dir.filePath(QStringLiteral("cr%1.db").arg(++m_n));
        m_s = seed(m_path);
        QVERIFY(m_s.db);
        QVERIFY(ClientStore(*m_s.db).insert(makeClient(QStringLiteral("c2"))));
    }
    void cleanup() { m_s.db.reset(); }

    void testInsertFindRoundTrip()
    {
        ConsentRequestStore store(*m_s.db);
        const ConsentRequestRecord r = request(QStringLiteral("req-1"));
        QVERIFY(store.insert(r));
        auto found = store.find(QStringLiteral("req-1"));
        QVERIFY(found && found->has_value());
        ConsentRequestRecord expected = r;
        expected.scopes = canonicalScopes(r.scopes);
        QCOMPARE(**found, expected);
        QVERIFY(!store.find(QStringLiteral("nope"))->has_value());
    }

    void testPathsWithoutResource()
    {
        ConsentRequestStore store(*m_s.db);
        for (ConsentPath p : { ConsentPath::Authorize, ConsentPath::Token, ConsentPath::Secret, ConsentPath::Exec }) {
            ConsentRequestRecord r = request(consentPathToString(p));
            r.path = p;
            if (p == ConsentPath::Secret || p == ConsentPath::Exec) {
                r.resourceId.reset();
                r.scopes.clear();
            }
            QVERIFY(store.insert(r));
            const ConsentRequestRecord back = store.find(r.id)->value();
            QCOMPARE(back.path, p);
            QCOMPARE(back.resourceId, r.resourceId);
            QCOMPARE(consentPathFromString(consentPathToString(p)), std::optional<ConsentPath>(p));
        }
        QVERIFY(!consentPathFromString(u"browser"));
    }

    void testInsertRejects()
    {
        ConsentRequestStore store(*m_s.db);
        QCOMPARE(store.insert(request(QString())).error().code, QString(ErrorCode::InvalidArgument));
        QCOMPARE(store.insert(request(QStringLiteral("x"), kNow, 0)).error().code, QString(ErrorCode::InvalidArgument));
        ConsentRequestRecord decided = request(QStringLiteral("d"));
        decided.status = ConsentStatus::Approved;
        QCOMPARE(store.insert(decided).error().code, QString(ErrorCode::InvalidArgument));
        QVERIFY(store.insert(request(QStringLiteral("dup"))));
        QVERIFY(!store.insert(request(QStringLiteral("dup"))));
        QVERIFY(!store.insert(request(QStringLiteral("ghost-client"), kNow, 120, QStringLiteral("ghost"))));
    }

    void testListAndCountPending()
    {
        ConsentRequestStore store(*m_s.db);
        QVERIFY(store.insert(request(QStringLiteral("b"), kNow + 1)));
        QVERIFY(store.insert(request(QStringLiteral("a"), kNow)));
        QVERIFY(store.insert(request(QStringLiteral("other"), kNow + 2, 120, QStringLiteral("c2"))));
        QVERIFY(store.insert(request(QStringLiteral("stale"), kNow - 200, 100)));
        QVERIFY(store.insert(request(QStringLiteral("decided"), kNow)));
        QVERIFY(store.decide(QStringLiteral("decided"), ConsentStatus::Denied, {}, kNow));

        QCOMPARE(ids(*store.listPending(kNow)),
            (QStringList { QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("other") }));
        QCOMPARE(ids(*store.listPending(kNow, QStringLiteral("c1"))),
            (QStringList { QStringLiteral("a"), QStringLiteral("b") }));
        QCOMPARE(ids(*store.listPending(kNow + 120)), (QStringList { QStringLiteral("b"), QStringLiteral("other") }));
        QCOMPARE(*store.countPending(QStringLiteral("c1"), kNow), 2);
        QCOMPARE(*store.countPending(QStringLiteral("c2"), kNow), 1);
        QCOMPARE(*store.countPending(QStringLiteral("c1"), kNow + 121), 0);
    }

    void testDecide()
    {
        ConsentRequestStore store(*m_s.db);
        QVERIFY(store.insert(request(QStringLiteral("r"))));
        const QJsonObject decision { { QStringLiteral("scopes"), QJsonArray { QStringLiteral("read") } },
            { QStringLiteral("duration"), QStringLiteral("1h") } };
        QVERIFY(store.decide(QStringLiteral("r"), ConsentStatus::Approved, decision, kNow + 5));
        const ConsentRequestRecord r = store.find(QStringLiteral("r"))->value();
        QCOMPARE(r.status, ConsentStatus::Approved);
        QCOMPARE(r.decidedAt, std::optional<qint64>(kNow + 5));
        QCOMPARE(r.decision, decision);

        // Decided once: a second decision (even the same) is refused and changes nothing.
        const Status again = store.decide(QStringLiteral("r"), ConsentStatus::Denied, {}, kNow + 6);
        QVERIFY(!again);
        QCOMPARE(again.error().code, QString(ErrorCode::ConsentNotPending));
        QCOMPARE(store.find(QStringLiteral("r"))->value().status, ConsentStatus::Approved);

        QCOMPARE(store.decide(QStringLiteral("ghost"), ConsentStatus::Approved, {}, kNow).error().code,
            QString(ErrorCode::ConsentUnknown));
        QVERIFY(store.insert(request(QStringLiteral("p"))));
        QCOMPARE(store.decide(QStringLiteral("p"), ConsentStatus::Expired, {}, kNow).error().code,
            QString(ErrorCode::InvalidArgument));
        QCOMPARE(store.decide(QStringLiteral("p"), ConsentStatus::Pending, {}, kNow).error().code,
            QString(ErrorCode::InvalidArgument));
    }

    void testDecideAfterExpiry()
    {
        ConsentRequestStore store(*m_s.db);
        QVERIFY(store.insert(request(QStringLiteral("slow"), kNow, 60)));
        const Status late = store.decide(QStringLiteral("slow"), ConsentStatus::Approved, {}, kNow + 60);
        QVERIFY(!late);
        QCOMPARE(late.error().code, QString(ErrorCode::ConsentExpired));
        const ConsentRequestRecord r = store.find(QStringLiteral("slow"))->value();
        QCOMPARE(r.status, ConsentStatus::Expired);
        QVERIFY(r.decision.isEmpty());
        QCOMPARE(store.decide(QStringLiteral("slow"), ConsentStatus::Approved, {}, kNow).error().code,
            QString(ErrorCode::ConsentNotPending));
    }

    void testExpirePending()
    {
        ConsentRequestStore store(*m_s.db);
        QVERIFY(store.insert(request(QStringLiteral("one"), kNow, 10)));
        QVERIFY(store.insert(request(QStringLiteral("two"), kNow + 1, 10)));
        QVERIFY(store.insert(request(QStringLiteral("later"), kNow, 100)));
        QVERIFY(store.insert(request(QStringLiteral("done"), kNow, 10)));
        QVERIFY(store.decide(QStringLiteral("done"), ConsentStatus::Approved, {}, kNow + 1));
        auto expired = store.expirePending(kNow + 11);
        QVERIFY(expired);
        QCOMPARE(*expired, (QStringList { QStringLiteral("one"), QStringLiteral("two") }));
        QCOMPARE(store.find(QStringLiteral("one"))->value().status, ConsentStatus::Expired);
        QCOMPARE(store.find(QStringLiteral("one"))->value().decidedAt, std::optional<qint64>(kNow + 11));
        QCOMPARE(store.find(QStringLiteral("later"))->value().status, ConsentStatus::Pending);
        QCOMPARE(store.find(QStringLiteral("done"))->value().status, ConsentStatus::Approved);
        QVERIFY(store.expirePending(kNow + 11)->isEmpty());
    }

    void testDenyAllPending()
    {
        ConsentRequestStore store(*m_s.db);
        QVERIFY(store.insert(request(QStringLiteral("a"))));
        QVERIFY(store.insert(request(QStringLiteral("b"), kNow + 1, 120, QStringLiteral("c2"))));
        QVERIFY(store.insert(request(QStringLiteral("done"))));
        QVERIFY(store.decide(QStringLiteral("done"), ConsentStatus::Approved, {}, kNow));
        const QJsonObject why { { QStringLiteral("reason"), QStringLiteral("frozen") } };
        auto denied = store.denyAllPending(why, kNow + 2);
        QVERIFY(denied);
        QCOMPARE(*denied, (QStringList { QStringLiteral("a"), QStringLiteral("b") }));
        QCOMPARE(store.find(QStringLiteral("a"))->value().status, ConsentStatus::Denied);
        QCOMPARE(store.find(QStringLiteral("b"))->value().decision, why);
        QCOMPARE(store.find(QStringLiteral("done"))->value().status, ConsentStatus::Approved);
        QVERIFY(store.listPending(kNow)->isEmpty());
    }

    void testDetailsAreImmutable()
    {
        ConsentRequestStore store(*m_s.db);
        QVERIFY(store.insert(request(QStringLiteral("r"))));
        RawConnection raw(m_path);
        QVERIFY(!raw.exec(QStringLiteral("UPDATE consent_requests SET snapshot = '{}' WHERE id = 'r'")));
        QVERIFY(!raw.exec(QStringLiteral("UPDATE consent_requests SET scopes = 'admin' WHERE id = 'r'")));
        QVERIFY(!raw.exec(QStringLiteral("UPDATE consent_requests SET expires_at = expires_at + 999 WHERE id = 'r'")));
        QVERIFY(store.decide(QStringLiteral("r"), ConsentStatus::Denied, {}, kNow));
        QVERIFY(!raw.exec(QStringLiteral("UPDATE consent_requests SET status = 'approved' WHERE id = 'r'")));
        QCOMPARE(store.find(QStringLiteral("r"))->value().status, ConsentStatus::Denied);
    }
};

QTEST_GUILESS_MAIN(TestConsentRequestStore)
#include "tst_consentrequeststore.moc"
