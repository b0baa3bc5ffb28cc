// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/auditlog.h"
#include "store/refreshtokenstore.h"
#include "store/storeerror.h"
#include "storetestutil.h"
#include "support/fakeclock.h"

#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <barrier>
#include <thread>

using namespace Tessera;
using namespace Tessera::Store;
using namespace Tessera::Store::TestUtil;

class TestRefreshTokenStore : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    Seeded m_s;
    QString m_path;
    int m_n = 0;

    static RefreshFamily family(const QString &id, const QString &grantId = QStringLiteral("g1"))
    {
        return RefreshFamily { id, grantId, QStringLiteral("c1"), QStringLiteral("http://127.0.0.1:8931/mcp"),
            { QStringLiteral("read") }, kNow, {}, {} };
    }

    int currentTokens(const QString &familyId)
    {
        RawConnection raw(m_path);
        return raw
            .scalar(QStringLiteral("SELECT count(*) FROM refresh_tokens WHERE family_id = ? AND rotated_at IS NULL"),
                { familyId })
            .toInt();
    }

private Q_SLOTS:
    void init()
    {
        m_path = m_dir.filePath(QStringLiteral("rt%1.db").arg(++m_n));
        m_s = seed(m_path);
        QVERIFY(m_s.db);
        GrantStore grants(*m_s.db);
        QVERIFY(grants.create(
            makeGrant(QStringLiteral("g1"), QStringLiteral("c1"), m_s.resourceId, { QStringLiteral("read") })));
        QVERIFY(grants.create(makeGrant(QStringLiteral("g2"), QStringLiteral("c1"), m_s.resourceId, {})));
    }
    void cleanup() { m_s.db.reset(); }

    void testCreateAndFind()
    {
        RefreshTokenStore store(*m_s.db);
        QVERIFY(store.createFamily(family(QStringLiteral("f1")), sha("rt1"), kNow + 3600));
        auto info = store.findByHash(sha("rt1"));
        QVERIFY(info && info->has_value());
        QCOMPARE((*info)->family, family(QStringLiteral("f1")));
        QCOMPARE((*info)->token, (RefreshToken { sha("rt1"), QStringLiteral("f1"), kNow, kNow + 3600, {} }));
        QVERIFY(!store.findByHash(sha("nope"))->has_value());
        QCOMPARE(store.findFamily(QStringLiteral("f1"))->value(), family(QStringLiteral("f1")));
        QVERIFY(!store.findFamily(QStringLiteral("nope"))->has_value());

        QCOMPARE(store.createFamily(family(QStringLiteral("f2")), "not-a-hash", kNow).error().code,
            QString(ErrorCode::InvalidArgument));
        QCOMPARE(
            store.createFamily(family(QString()), sha("x"), kNow).error().code, QString(ErrorCode::InvalidArgument));
        QVERIFY(!store.createFamily(family(QStringLiteral("f3"), QStringLiteral("ghost")), sha("y"), kNow)); // FK
        QVERIFY(!store.findFamily(QStringLiteral("f3"))->has_value()); // nothing half-written
    }

    void testRotate()
    {
        RefreshTokenStore store(*m_s.db);
        QVERIFY(store.createFamily(family(QStringLiteral("f")), sha("rt1"), kNow + 3600));
        auto fam = store.rotate(sha("rt1"), sha("rt2"), kNow + 7200, kNow + 10);
        QVERIFY(fam);
        QCOMPARE(fam->id, QStringLiteral("f"));
        QCOMPARE(fam->grantId, QStringLiteral("g1"));
        QCOMPARE(fam->scopes, QStringList { QStringLiteral("read") });
        QCOMPARE(store.findByHash(sha("rt1"))->value().token.rotatedAt, std::optional<qint64>(kNow + 10));
        const RefreshToken next = store.findByHash(sha("rt2"))->value().token;
        QCOMPARE(next, (RefreshToken { sha("rt2"), QStringLiteral("f"), kNow + 10, kNow + 7200, {} }));
        QCOMPARE(currentTokens(QStringLiteral("f")), 1);
        QVERIFY(store.rotate(sha("rt2"), sha("rt3"), kNow + 7200, kNow + 20));
        QCOMPARE(currentTokens(QStringLiteral("f")), 1);
    }

    void testReuseRevokesWholeFamily()
    {
        // RFC 9700 §4.14.2, security-cases F1: RT1 -> RT2, then RT1 again.
        RefreshTokenStore store(*m_s.db);
        QVERIFY(store.createFamily(family(QStringLiteral("f")), sha("rt1"), kNow + 3600));
        QVERIFY(store.createFamily(family(QStringLiteral("other")), sha("o1"), kNow + 3600));
        QVERIFY(store.rotate(sha("rt1"), sha("rt2"), kNow + 3600, kNow + 1));
        auto reuse = store.rotate(sha("rt1"), sha("rt2-attacker"), kNow + 3600, kNow + 2);
        QVERIFY(!reuse);
        QCOMPARE(reuse.error().code(), QString(ErrorCode::RefreshReused));
        QCOMPARE(reuse.error().familyId, QStringLiteral("f"));
        QCOMPARE(reuse.error().grantId, QStringLiteral("g1"));
        const RefreshFamily f = store.findFamily(QStringLiteral("f"))->value();
        QCOMPARE(f.revokedAt, std::optional<qint64>(kNow + 2));
        QCOMPARE(f.revokedReason, QString(RefreshTokenStore::ReuseReason));
        QVERIFY(!store.findByHash(sha("rt2-attacker"))->has_value());

        // The legitimate successor is dead too.
        auto successor = store.rotate(sha("rt2"), sha("rt3"), kNow + 3600, kNow + 3);
        QVERIFY(!successor);
        QCOMPARE(successor.error().code(), QString(ErrorCode::RefreshRevoked));
        // Presenting the old one again: still refused, revocation time unchanged.
        QCOMPARE(store.rotate(sha("rt1"), sha("rt4"), kNow + 3600, kNow + 4).error().code(),
            QString(ErrorCode::RefreshRevoked));
        QCOMPARE(store.findFamily(QStringLiteral("f"))->value().revokedAt, std::optional<qint64>(kNow + 2));
        // Other families are unaffected.
        QVERIFY(store.rotate(sha("o1"), sha("o2"), kNow + 3600, kNow + 5));
    }

    void testErrors()
    {
        RefreshTokenStore store(*m_s.db);
        QVERIFY(store.createFamily(family(QStringLiteral("f")), sha("rt1"), kNow + 100));
        QCOMPARE(store.rotate(sha("unknown"), sha("n"), kNow + 100, kNow).error().code(),
            QString(ErrorCode::RefreshUnknown));

        auto expired = store.rotate(sha("rt1"), sha("n"), kNow + 200, kNow + 100);
        QVERIFY(!expired);
        QCOMPARE(expired.error().code(), QString(ErrorCode::RefreshExpired));
        QVERIFY(!store.findByHash(sha("rt1"))->value().token.rotatedAt); // nothing changed
        QVERIFY(!store.findFamily(QStringLiteral("f"))->value().revokedAt);

        auto mismatch = store.rotate(sha("rt1"), sha("n"), kNow + 200, kNow, QStringLiteral("c2"));
        QVERIFY(!mismatch);
        QCOMPARE(mismatch.error().code(), QString(ErrorCode::RefreshClientMismatch));
        QVERIFY(mismatch.error().familyId.isEmpty()); // nothing about another client's family
        QVERIFY(!store.findByHash(sha("rt1"))->value().token.rotatedAt);
        QVERIFY(store.rotate(sha("rt1"), sha("n"), kNow + 200, kNow, QStringLiteral("c1")));

        QCOMPARE(store.rotate(sha("n"), "short", kNow + 200, kNow).error().code(), QString(ErrorCode::InvalidArgument));
        QCOMPARE(
            store.rotate(sha("n"), sha("n"), kNow + 200, kNow).error().code(), QString(ErrorCode::InvalidArgument));
    }

    void testRevokedFamilyAndGrant()
    {
        RefreshTokenStore store(*m_s.db);
        QVERIFY(store.createFamily(family(QStringLiteral("f")), sha("rt1"), kNow + 100));
        auto revoked = store.revokeFamily(QStringLiteral("f"), QStringLiteral("user"), kNow);
        QVERIFY(revoked && *revoked);
        QVERIFY(!*store.revokeFamily(QStringLiteral("f"), QStringLiteral("again"), kNow + 1));
        QCOMPARE(store.findFamily(QStringLiteral("f"))->value().revokedReason, QStringLiteral("user"));
        QCOMPARE(
            store.rotate(sha("rt1"), sha("n"), kNow + 100, kNow).error().code(), QString(ErrorCode::RefreshRevoked));

        // A grant revoked behind the family's back (or expired) stops refresh as well.
        QVERIFY(store.createFamily(family(QStringLiteral("g2f"), QStringLiteral("g2")), sha("g2t"), kNow + 100));
        RawConnection raw(m_path);
        QVERIFY(raw.exec(QStringLiteral("UPDATE grants SET state = 'revoked', revoked_at = 1 WHERE id = 'g2'")));
        QCOMPARE(
            store.rotate(sha("g2t"), sha("n2"), kNow + 100, kNow).error().code(), QString(ErrorCode::RefreshRevoked));
        QVERIFY(raw.exec(QStringLiteral("UPDATE grants SET expires_at = ? WHERE id = 'g1'"), { kNow + 50 }));
        QVERIFY(store.createFamily(family(QStringLiteral("f3")), sha("f3t"), kNow + 100));
        QCOMPARE(store.rotate(sha("f3t"), sha("n3"), kNow + 100, kNow + 50).error().code(),
            QString(ErrorCode::RefreshExpired));
    }

    void testRevokeForGrantAndAll()
    {
        RefreshTokenStore store(*m_s.db);
        QVERIFY(store.createFamily(family(QStringLiteral("a")), sha("a"), kNow + 100));
        QVERIFY(store.createFamily(family(QStringLiteral("b")), sha("b"), kNow + 100));
        QVERIFY(store.createFamily(family(QStringLiteral("c"), QStringLiteral("g2")), sha("c"), kNow + 100));
        QCOMPARE(*store.revokeFamiliesForGrant(QStringLiteral("g1"), QStringLiteral("grant revoked"), kNow), 2);
        QVERIFY(!store.findFamily(QStringLiteral("c"))->value().revokedAt);
        QCOMPARE(*store.revokeAllFamilies(QStringLiteral("emergency"), kNow + 1), 1);
        QCOMPARE(store.findFamily(QStringLiteral("a"))->value().revokedReason, QStringLiteral("grant revoked"));
        QCOMPARE(store.findFamily(QStringLiteral("c"))->value().revokedReason, QStringLiteral("emergency"));
        for (const char *t : { "a", "b", "c" })
            QCOMPARE(store.rotate(sha(t), sha(QByteArray(t) + "2"), kNow + 100, kNow + 2).error().code(),
                QString(ErrorCode::RefreshRevoked));
    }

    void testRotateTwiceSameConnection()
    {
        RefreshTokenStore store(*m_s.db);
        QVERIFY(store.createFamily(family(QStringLiteral("f")), sha("rt1"), kNow + 100));
        auto a = store.rotate(sha("rt1"), sha("a"), kNow + 100, kNow);
        auto b = store.rotate(sha("rt1"), sha("b"), kNow + 100, kNow);
        QCOMPARE(int(a.ok()) + int(b.ok()), 1);
        QCOMPARE(b.error().code(), QString(ErrorCode::RefreshReused));
        // Never two valid tokens: the winner's token died with the family.
        QCOMPARE(
            store.rotate(sha("a"), sha("a2"), kNow + 100, kNow).error().code(), QString(ErrorCode::RefreshRevoked));
        QVERIFY(currentTokens(QStringLiteral("f")) <= 1);
    }

    void testRotateFromTwoConnections()
    {
        RefreshTokenStore store(*m_s.db);
        QVERIFY(store.createFamily(family(QStringLiteral("f")), sha("rt1"), kNow + 100));
        auto other = openDb(m_path);
        QVERIFY(other);
        RefreshTokenStore otherStore(*other);
        auto a = otherStore.rotate(sha("rt1"), sha("a"), kNow + 100, kNow);
        auto b = store.rotate(sha("rt1"), sha("b"), kNow + 100, kNow);
        QVERIFY(a.ok());
        QCOMPARE(b.error().code(), QString(ErrorCode::RefreshReused));
        QCOMPARE(currentTokens(QStringLiteral("f")), 1);
        QVERIFY(store.findFamily(QStringLiteral("f"))->value().revokedAt);
    }

    void testConcurrentRotationExactlyOneSucceeds()
    {
        // security-cases F2: two connections in two threads rotate the same token at once.
        m_s.db.reset();
        for (int round = 0; round < 20; ++round) {
            const QString fam = QStringLiteral("race-%1").arg(round);
            const QByteArray token = sha(fam.toUtf8());
            {
                auto db = openDb(m_path);
                QVERIFY(db);
                QVERIFY(RefreshTokenStore(*db).createFamily(family(fam), token, kNow + 100));
            }
            std::atomic<int> successes { 0 };
            std::atomic<int> reused { 0 };
            std::atomic<int> failures { 0 };
            std::barrier start(2);
            auto worker = [&](const QByteArray &next) {
                auto db = Database::open(m_path);
                if (!db) {
                    ++failures;
                    start.arrive_and_drop();
                    return;
                }
                RefreshTokenStore store(**db);
                start.arrive_and_wait();
                auto r = store.rotate(token, next, kNow + 100, kNow);
                if (r)
                    ++successes;
                else if (r.error().code() == QString(ErrorCode::RefreshReused))
                    ++reused;
                else
                    ++failures;
            };
            std::thread t1(worker, sha(fam.toUtf8() + "-a"));
            std::thread t2(worker, sha(fam.toUtf8() + "-b"));
            t1.join();
            t2.join();
            QCOMPARE(failures.load(), 0);
            QCOMPARE(successes.load(), 1);
            QCOMPARE(reused.load(), 1);
            QVERIFY(currentTokens(fam) <= 1);
        }
    }

    void testOnlyOneCurrentTokenEnforcedBySchema()
    {
        RefreshTokenStore store(*m_s.db);
        QVERIFY(store.createFamily(family(QStringLiteral("f")), sha("rt1"), kNow + 100));
        RawConnection raw(m_path);
        QVERIFY(!raw.exec(QStringLiteral("INSERT INTO refresh_tokens (token_hash, family_id, created_at, expires_at) "
                                         "VALUES (?, 'f', 0, 1)"),
            { sha("second-current") }));
        QCOMPARE(currentTokens(QStringLiteral("f")), 1);
    }

    void testReuseInsideCallerTransactionWithAudit()
    {
        Test::FakeClock clock;
        AuditLog audit(*m_s.db, clock);
        RefreshTokenStore store(*m_s.db);
        QVERIFY(store.createFamily(family(QStringLiteral("f")), sha("rt1"), kNow + 100));
        QVERIFY(store.rotate(sha("rt1"), sha("rt2"), kNow + 100, kNow));
        {
            auto tx = Transaction::begin(*m_s.db);
            QVERIFY(tx);
            auto r = store.rotate(sha("rt1"), sha("x"), kNow + 100, kNow + 1);
            QCOMPARE(r.error().code(), QString(ErrorCode::RefreshReused));
            QVERIFY(audit.append({ QStringLiteral("refresh.reuse_detected"), QStringLiteral("system"),
                QStringLiteral("c1"), QStringLiteral("http://127.0.0.1:8931/mcp"), r.error().grantId,
                QJsonObject { { QStringLiteral("family"), r.error().familyId } } }));
            QVERIFY(tx->commit());
        }
        QVERIFY(store.findFamily(QStringLiteral("f"))->value().revokedAt);
        auto events = audit.query({});
        QVERIFY(events);
        QCOMPARE(events->events.size(), 1);
        QCOMPARE(events->events.first().grantId, QStringLiteral("g1"));
    }

    void testPurge()
    {
        RefreshTokenStore store(*m_s.db);
        const qint64 keep = RefreshTokenStore::RetentionSecs;
        QVERIFY(store.createFamily(family(QStringLiteral("live")), sha("live"), kNow + 10 * keep));
        QVERIFY(store.createFamily(family(QStringLiteral("expired")), sha("expired"), kNow + 10));
        QVERIFY(store.createFamily(family(QStringLiteral("revoked")), sha("revoked"), kNow + 10 * keep));
        QVERIFY(store.revokeFamily(QStringLiteral("revoked"), QStringLiteral("user"), kNow));
        QCOMPARE(*store.purge(kNow + keep), 1); // revoked exactly RetentionSecs ago
        QCOMPARE(*store.purge(kNow + 10 + keep), 1);
        QVERIFY(store.findFamily(QStringLiteral("live"))->has_value());
        QVERIFY(!store.findByHash(sha("expired"))->has_value());
        QVERIFY(!store.findFamily(QStringLiteral("revoked"))->has_value());
    }
};

QTEST_GUILESS_MAIN(TestRefreshTokenStore)
#include "tst_refreshtokenstore.moc"
