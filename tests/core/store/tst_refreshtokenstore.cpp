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
        QCOMPARE((*info)->token, (RefreshToken { sha("rt1"), QStringLiteral("f1"), kNow, kNow + 3600, {}, {} }));
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
        QCOMPARE(fam->family.id, QStringLiteral("f"));
        QCOMPARE(fam->family.grantId, QStringLiteral("g1"));
        QCOMPARE(fam->family.scopes, QStringList { QStringLiteral("read") });
        QVERIFY(!fam->retry);
        QCOMPARE(store.findByHash(sha("rt1"))->value().token.rotatedAt, std::optional<qint64>(kNow + 10));
        const RefreshToken next = store.findByHash(sha("rt2"))->value().token;
        QCOMPARE(next, (RefreshToken { sha("rt2"), QStringLiteral("f"), kNow + 10, kNow + 7200, {}, {} }));
        QCOMPARE(currentTokens(QStringLiteral("f")), 1);
        QVERIFY(store.rotate(sha("rt2"), sha("rt3"), kNow + 7200, kNow + 20));
        QCOMPARE(currentTokens(QStringLiteral("f")), 1);
    }

    void testReuseRevokesWholeFamily()
    {
        // RFC 9700 §4.14.2, security-cases F1: RT1 -> RT2 -> RT2b (RT2 used, so RT1 is retired),
        // then RT1 again.
        RefreshTokenStore store(*m_s.db);
        QVERIFY(store.createFamily(family(QStringLiteral("f")), sha("rt1"), kNow + 3600));
        QVERIFY(store.createFamily(family(QStringLiteral("other")), sha("o1"), kNow + 3600));
        QVERIFY(store.rotate(sha("rt1"), sha("rt2b0"), kNow + 3600, kNow + 1));
        QVERIFY(store.rotate(sha("rt2b0"), sha("rt2"), kNow + 3600, kNow + 1));
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
        // The second rotation of rt1 is a retry (a is unused): it retires a. Never two valid tokens.
        RefreshTokenStore store(*m_s.db);
        QVERIFY(store.createFamily(family(QStringLiteral("f")), sha("rt1"), kNow + 100));
        auto a = store.rotate(sha("rt1"), sha("a"), kNow + 100, kNow);
        auto b = store.rotate(sha("rt1"), sha("b"), kNow + 100, kNow);
        QVERIFY(a && b);
        QVERIFY(!a->retry);
        QVERIFY(b->retry);
        QCOMPARE(currentTokens(QStringLiteral("f")), 1);
        QCOMPARE(store.findByHash(sha("a"))->value().token.retiredAt, std::optional<qint64>(kNow));
        QCOMPARE(store.rotate(sha("a"), sha("a2"), kNow + 100, kNow).error().code(), QString(ErrorCode::RefreshReused));
        QCOMPARE(
            store.rotate(sha("b"), sha("b2"), kNow + 100, kNow).error().code(), QString(ErrorCode::RefreshRevoked));
        QCOMPARE(currentTokens(QStringLiteral("f")), 1);
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
        QVERIFY(a && !a->retry);
        QVERIFY(b && b->retry); // the second connection sees the first one's rotation
        QCOMPARE(currentTokens(QStringLiteral("f")), 1);
        QVERIFY(otherStore.findByHash(sha("a"))->value().token.retiredAt);
        QCOMPARE(
            otherStore.rotate(sha("a"), sha("a2"), kNow + 100, kNow).error().code(), QString(ErrorCode::RefreshReused));
        QVERIFY(store.findFamily(QStringLiteral("f"))->value().revokedAt);
    }

    void testConcurrentRotationNeverForks()
    {
        // security-cases F2: two connections in two threads rotate the same token at once. They
        // serialise: one rotation, one retry that retires the first one's successor. Exactly one
        // of the two successors is alive; the other is reuse.
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
            std::atomic<int> retries { 0 };
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
                    ++(r->retry ? retries : successes);
                else
                    ++failures;
            };
            std::thread t1(worker, sha(fam.toUtf8() + "-a"));
            std::thread t2(worker, sha(fam.toUtf8() + "-b"));
            t1.join();
            t2.join();
            QCOMPARE(failures.load(), 0);
            QCOMPARE(successes.load(), 1);
            QCOMPARE(retries.load(), 1);
            QCOMPARE(currentTokens(fam), 1);
            RawConnection raw(m_path);
            QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM refresh_tokens WHERE family_id = ? AND "
                                               "retired_at IS NULL AND rotated_at IS NULL AND token_hash IN (?, ?)"),
                            { fam, sha(fam.toUtf8() + "-a"), sha(fam.toUtf8() + "-b") })
                         .toInt(),
                1);
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
        QVERIFY(store.rotate(sha("rt2"), sha("rt3"), kNow + 100, kNow)); // rt1 retired
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

    // Issue 10.5: a rotated token stays usable until its successor is first used. A retry retires
    // the unused successor (at most one alive) and keeps the grace counted from the first
    // rotation; the successor's first use retires the predecessor for good.
    void testI10_predecessorUsableUntilSuccessorUsed()
    {
        RefreshTokenStore store(*m_s.db);
        const qint64 exp = kNow + 10 * RefreshTokenStore::GraceSecs;
        QVERIFY(store.createFamily(family(QStringLiteral("f")), sha("rt1"), exp));
        auto first = store.rotate(sha("rt1"), sha("rt2"), exp, kNow + 1);
        QVERIFY(first && !first->retry);
        for (const auto &[next, at] : { std::pair { "rt3", kNow + 5 }, std::pair { "rt4", kNow + 3600 } }) {
            auto retry = store.rotate(sha("rt1"), sha(next), exp, at);
            QVERIFY(retry);
            QVERIFY(retry->retry);
            QCOMPARE(retry->family.id, QStringLiteral("f"));
            QCOMPARE(currentTokens(QStringLiteral("f")), 1);
        }
        const RefreshToken rt1 = store.findByHash(sha("rt1"))->value().token;
        QCOMPARE(rt1.rotatedAt, std::optional<qint64>(kNow + 1)); // the window is not extended
        QVERIFY(!rt1.retiredAt);
        QCOMPARE(store.findByHash(sha("rt2"))->value().token.retiredAt, std::optional<qint64>(kNow + 5));
        QCOMPARE(store.findByHash(sha("rt3"))->value().token.retiredAt, std::optional<qint64>(kNow + 3600));
        QVERIFY(!store.findByHash(sha("rt4"))->value().token.rotatedAt);

        // First use of rt4: rt1 is retired, rt4 is the one in grace now.
        auto used = store.rotate(sha("rt4"), sha("rt5"), exp, kNow + 3601);
        QVERIFY(used && !used->retry);
        QCOMPARE(store.findByHash(sha("rt1"))->value().token.retiredAt, std::optional<qint64>(kNow + 3601));
        QVERIFY(!store.findByHash(sha("rt4"))->value().token.retiredAt);
        RawConnection raw(m_path);
        QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM refresh_tokens WHERE family_id = 'f' AND "
                                           "rotated_at IS NOT NULL AND retired_at IS NULL"))
                     .toInt(),
            1);
        auto reuse = store.rotate(sha("rt1"), sha("rt6"), exp, kNow + 3602);
        QCOMPARE(reuse.error().code(), QString(ErrorCode::RefreshReused));
        QCOMPARE(store.findFamily(QStringLiteral("f"))->value().revokedReason, QString(RefreshTokenStore::ReuseReason));
        QCOMPARE(
            store.rotate(sha("rt5"), sha("rt7"), exp, kNow + 3603).error().code(), QString(ErrorCode::RefreshRevoked));
    }

    // A successor retired by a retry is dead: presenting it is reuse and revokes the family.
    void testI10_retiredSuccessorIsReuse()
    {
        RefreshTokenStore store(*m_s.db);
        QVERIFY(store.createFamily(family(QStringLiteral("f")), sha("rt1"), kNow + 3600));
        QVERIFY(store.rotate(sha("rt1"), sha("rt2"), kNow + 3600, kNow));
        QVERIFY(store.rotate(sha("rt1"), sha("rt3"), kNow + 3600, kNow + 1));
        auto reuse = store.rotate(sha("rt2"), sha("x"), kNow + 3600, kNow + 2);
        QCOMPARE(reuse.error().code(), QString(ErrorCode::RefreshReused));
        QCOMPARE(reuse.error().familyId, QStringLiteral("f"));
        QVERIFY(!store.findByHash(sha("x"))->has_value());
        QCOMPARE(store.rotate(sha("rt3"), sha("y"), kNow + 3600, kNow + 3).error().code(),
            QString(ErrorCode::RefreshRevoked));
        QCOMPARE(store.rotate(sha("rt1"), sha("z"), kNow + 3600, kNow + 3).error().code(),
            QString(ErrorCode::RefreshRevoked));
    }

    // The grace is bounded: GraceSecs after the first rotation the predecessor is reuse even if
    // its successor was never used; before that, its own expiry still applies (expired, nothing
    // changes).
    void testI10_graceIsBounded()
    {
        RefreshTokenStore store(*m_s.db);
        const qint64 grace = RefreshTokenStore::GraceSecs;
        const qint64 exp = kNow + 10 * grace;
        QVERIFY(store.createFamily(family(QStringLiteral("f")), sha("rt1"), exp));
        QVERIFY(store.rotate(sha("rt1"), sha("rt2"), exp, kNow));
        auto late = store.rotate(sha("rt1"), sha("rt3"), exp, kNow + grace - 1);
        QVERIFY(late && late->retry);
        auto tooLate = store.rotate(sha("rt1"), sha("rt4"), exp, kNow + grace);
        QCOMPARE(tooLate.error().code(), QString(ErrorCode::RefreshReused));
        QCOMPARE(store.findFamily(QStringLiteral("f"))->value().revokedAt, std::optional<qint64>(kNow + grace));

        QVERIFY(store.createFamily(family(QStringLiteral("short")), sha("s1"), kNow + 100));
        QVERIFY(store.rotate(sha("s1"), sha("s2"), exp, kNow));
        auto expired = store.rotate(sha("s1"), sha("s3"), exp, kNow + 100);
        QCOMPARE(expired.error().code(), QString(ErrorCode::RefreshExpired));
        QVERIFY(!store.findFamily(QStringLiteral("short"))->value().revokedAt);
        QVERIFY(!store.findByHash(sha("s2"))->value().token.rotatedAt); // still the current one
        QVERIFY(store.rotate(sha("s2"), sha("s4"), exp, kNow + 100));
    }

    void testI10_oneTokenInGraceEnforcedBySchema()
    {
        RefreshTokenStore store(*m_s.db);
        QVERIFY(store.createFamily(family(QStringLiteral("f")), sha("rt1"), kNow + 100));
        QVERIFY(store.rotate(sha("rt1"), sha("rt2"), kNow + 100, kNow));
        RawConnection raw(m_path);
        QVERIFY(!raw.exec(QStringLiteral("INSERT INTO refresh_tokens (token_hash, family_id, created_at, expires_at, "
                                         "rotated_at) VALUES (?, 'f', 0, 1, 0)"),
            { sha("second-grace") }));
        QVERIFY(!raw.exec(QStringLiteral("UPDATE refresh_tokens SET retired_at = 1 WHERE rotated_at IS NULL")));
        QVERIFY(raw.exec(QStringLiteral("INSERT INTO refresh_tokens (token_hash, family_id, created_at, expires_at, "
                                        "rotated_at, retired_at) VALUES (?, 'f', 0, 1, 0, 0)"),
            { sha("retired") }));
    }

    // Migration 0007: tokens rotated under the old rule were dead and stay dead (retired), so an
    // upgrade revives nothing; the current token keeps working.
    void testI10_migrationRetiresTokensRotatedBefore()
    {
        {
            RefreshTokenStore store(*m_s.db);
            QVERIFY(store.createFamily(family(QStringLiteral("f")), sha("rt1"), kNow + 3600));
            QVERIFY(store.rotate(sha("rt1"), sha("rt2"), kNow + 3600, kNow + 1));
            QVERIFY(store.rotate(sha("rt2"), sha("rt3"), kNow + 3600, kNow + 2));
        }
        m_s.db.reset();
        {
            // Back to schema 6: no retired_at, two rotated tokens, no grace index.
            RawConnection raw(m_path);
            QVERIFY2(raw.exec(QStringLiteral("DROP INDEX refresh_tokens_one_grace")), qPrintable(raw.lastError()));
            QVERIFY2(raw.exec(QStringLiteral("ALTER TABLE refresh_tokens DROP COLUMN retired_at")),
                qPrintable(raw.lastError()));
            QVERIFY(raw.exec(QStringLiteral("PRAGMA user_version = 6")));
        }
        m_s.db = openDb(m_path);
        QVERIFY(m_s.db);
        QCOMPARE(m_s.db->schemaVersion(), Database::latestSchemaVersion());
        RefreshTokenStore store(*m_s.db);
        QCOMPARE(store.findByHash(sha("rt1"))->value().token.retiredAt, std::optional<qint64>(kNow + 1));
        QCOMPARE(store.findByHash(sha("rt2"))->value().token.retiredAt, std::optional<qint64>(kNow + 2));
        QVERIFY(!store.findByHash(sha("rt3"))->value().token.retiredAt);
        QCOMPARE(store.rotate(sha("rt2"), sha("x"), kNow + 3600, kNow + 3).error().code(),
            QString(ErrorCode::RefreshReused));
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
