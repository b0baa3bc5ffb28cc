// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/authorizationcodestore.h"
#include "store/refreshtokenstore.h"
#include "store/storeerror.h"
#include "storetestutil.h"
#include "support/testsupport.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Tessera;
using namespace Tessera::Store;
using namespace Tessera::Store::TestUtil;

class TestAuthorizationCodeStore : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    Seeded m_s;
    QString m_path;
    int m_n = 0;

    AuthorizationCode code(const QByteArray &plain, qint64 expiresAt = kNow + 60) const
    {
        return AuthorizationCode { sha(plain), QStringLiteral("g1"), QStringLiteral("c1"),
            QStringLiteral("http://127.0.0.1:4567/callback"), challenge(), QStringLiteral("http://127.0.0.1:8931/mcp"),
            { QStringLiteral("write"), QStringLiteral("read") }, kNow, expiresAt, {}, {} };
    }

private Q_SLOTS:
    void init()
    {
        m_path = m_dir.filePath(QStringLiteral("a%1.db").arg(++m_n));
        m_s = seed(m_path);
        QVERIFY(m_s.db);
        QVERIFY(GrantStore(*m_s.db).create(makeGrant(QStringLiteral("g1"), QStringLiteral("c1"), m_s.resourceId,
            { QStringLiteral("read"), QStringLiteral("write") })));
    }
    void cleanup() { m_s.db.reset(); }

    void testConsumeOnce()
    {
        AuthorizationCodeStore store(*m_s.db);
        QVERIFY(store.insert(code("the-code")));
        auto c = store.consume(sha("the-code"), kNow + 5);
        QVERIFY(c);
        QCOMPARE(c->grantId, QStringLiteral("g1"));
        QCOMPARE(c->clientId, QStringLiteral("c1"));
        QCOMPARE(c->redirectUri, QStringLiteral("http://127.0.0.1:4567/callback"));
        QCOMPARE(c->codeChallenge, challenge());
        QCOMPARE(c->resource, QStringLiteral("http://127.0.0.1:8931/mcp"));
        QCOMPARE(c->scopes, (QStringList { QStringLiteral("read"), QStringLiteral("write") }));
        QCOMPARE(c->consumedAt, std::optional<qint64>(kNow + 5));
        QCOMPARE(store.find(sha("the-code"))->value().consumedAt, std::optional<qint64>(kNow + 5));
    }

    void testReplayReportsWhatToRevoke()
    {
        // RFC 6749 §4.1.2, security-cases E6: immediately, after 1 s and after 30 s.
        AuthorizationCodeStore store(*m_s.db);
        QVERIFY(store.insert(code("replayed")));
        QVERIFY(store.consume(sha("replayed"), kNow));
        RefreshFamily fam { QStringLiteral("fam-1"), QStringLiteral("g1"), QStringLiteral("c1"),
            QStringLiteral("http://127.0.0.1:8931/mcp"), {}, kNow, {}, {} };
        QVERIFY(RefreshTokenStore(*m_s.db).createFamily(fam, sha("rt"), kNow + 3600));
        QVERIFY(store.setFamily(sha("replayed"), QStringLiteral("fam-1")));
        for (qint64 after : { 0, 1, 30, 3600 }) {
            auto again = store.consume(sha("replayed"), kNow + after);
            QVERIFY(!again);
            QCOMPARE(again.error().code(), QString(ErrorCode::CodeReplayed));
            QCOMPARE(again.error().grantId, QStringLiteral("g1"));
            QCOMPARE(again.error().familyId, QStringLiteral("fam-1"));
            QCOMPARE(again.error().clientId, QStringLiteral("c1"));
        }
        // The first redemption stays recorded as it was.
        QCOMPARE(store.find(sha("replayed"))->value().consumedAt, std::optional<qint64>(kNow));
    }

    void testReplayBeforeFamilyIsKnown()
    {
        AuthorizationCodeStore store(*m_s.db);
        QVERIFY(store.insert(code("early")));
        QVERIFY(store.consume(sha("early"), kNow));
        auto again = store.consume(sha("early"), kNow);
        QVERIFY(!again);
        QCOMPARE(again.error().code(), QString(ErrorCode::CodeReplayed));
        QCOMPARE(again.error().grantId, QStringLiteral("g1"));
        QVERIFY(again.error().familyId.isEmpty());
    }

    void testExpired()
    {
        AuthorizationCodeStore store(*m_s.db);
        QVERIFY(store.insert(code("late", kNow + 60)));
        auto atExpiry = store.consume(sha("late"), kNow + 60);
        QVERIFY(!atExpiry);
        QCOMPARE(atExpiry.error().code(), QString(ErrorCode::CodeExpired));
        QVERIFY(atExpiry.error().grantId.isEmpty());
        // An expired code is not consumed by the attempt.
        QVERIFY(!store.find(sha("late"))->value().consumedAt);
        QVERIFY(store.insert(code("in-time", kNow + 60)));
        QVERIFY(store.consume(sha("in-time"), kNow + 59));
    }

    void testReplayOfExpiredCodeIsStillAReplay()
    {
        AuthorizationCodeStore store(*m_s.db);
        QVERIFY(store.insert(code("used", kNow + 60)));
        QVERIFY(store.consume(sha("used"), kNow + 1));
        auto late = store.consume(sha("used"), kNow + 600);
        QVERIFY(!late);
        QCOMPARE(late.error().code(), QString(ErrorCode::CodeReplayed));
    }

    void testUnknown()
    {
        AuthorizationCodeStore store(*m_s.db);
        auto c = store.consume(sha("never-issued"), kNow);
        QVERIFY(!c);
        QCOMPARE(c.error().code(), QString(ErrorCode::CodeUnknown));
        QCOMPARE(
            store.setFamily(sha("never-issued"), QStringLiteral("f")).error().code, QString(ErrorCode::CodeUnknown));
    }

    void testInsertValidation()
    {
        AuthorizationCodeStore store(*m_s.db);
        AuthorizationCode badHash = code("x");
        badHash.codeHash = "plain-code-not-a-hash";
        QCOMPARE(store.insert(badHash).error().code, QString(ErrorCode::InvalidArgument));
        AuthorizationCode plainChallenge = code("y");
        plainChallenge.codeChallenge = QStringLiteral("plain");
        QCOMPARE(store.insert(plainChallenge).error().code, QString(ErrorCode::InvalidArgument));
        AuthorizationCode noResource = code("z");
        noResource.resource.clear();
        QCOMPARE(store.insert(noResource).error().code, QString(ErrorCode::InvalidArgument));
        AuthorizationCode unknownGrant = code("w");
        unknownGrant.grantId = QStringLiteral("ghost");
        QCOMPARE(store.insert(unknownGrant).error().code, QString(ErrorCode::StoreError));
        QVERIFY(store.insert(code("dup")));
        QVERIFY(!store.insert(code("dup")));
    }

    void testTwoConnectionsExactlyOneRedeems()
    {
        AuthorizationCodeStore store(*m_s.db);
        QVERIFY(store.insert(code("race")));
        auto other = openDb(m_path);
        QVERIFY(other);
        AuthorizationCodeStore otherStore(*other);
        auto first = otherStore.consume(sha("race"), kNow + 1);
        auto second = store.consume(sha("race"), kNow + 1);
        QCOMPARE(int(first.ok()) + int(second.ok()), 1);
        QCOMPARE(second.error().code(), QString(ErrorCode::CodeReplayed));
    }

    void testConsumeJoinsCallerTransaction()
    {
        AuthorizationCodeStore store(*m_s.db);
        QVERIFY(store.insert(code("tx")));
        {
            auto tx = Transaction::begin(*m_s.db);
            QVERIFY(tx);
            QVERIFY(store.consume(sha("tx"), kNow));
            // Rolled back with the caller's transaction (e.g. token issuance failed).
        }
        QVERIFY(!store.find(sha("tx"))->value().consumedAt);
        QVERIFY(store.consume(sha("tx"), kNow));
    }

    void testPurgeKeepsReplayWindow()
    {
        AuthorizationCodeStore store(*m_s.db);
        QVERIFY(store.insert(code("consumed", kNow + 60)));
        QVERIFY(store.consume(sha("consumed"), kNow + 1));
        QVERIFY(store.insert(code("unused", kNow + 60)));
        const qint64 window = AuthorizationCodeStore::ReplayWindowSecs;
        QCOMPARE(*store.purgeExpired(kNow + 61), 0);
        QCOMPARE(*store.purgeExpired(kNow + 60 + window - 1), 0);
        QCOMPARE(
            store.consume(sha("consumed"), kNow + 60 + window - 1).error().code(), QString(ErrorCode::CodeReplayed));
        QCOMPARE(*store.purgeExpired(kNow + 60 + window), 2);
        QCOMPARE(store.consume(sha("consumed"), kNow + 60 + window).error().code(), QString(ErrorCode::CodeUnknown));
    }

    void testOnlyTheHashIsStored()
    {
        AuthorizationCodeStore store(*m_s.db);
        QVERIFY(store.insert(code("plaintext-code-value-1234")));
        QVERIFY(store.consume(sha("plaintext-code-value-1234"), kNow));
        m_s.db.reset(); // checkpoint the WAL into the file
        QVERIFY(!Test::fileContains(m_path, "plaintext-code-value-1234"));
        QVERIFY(Test::fileContains(m_path, sha("plaintext-code-value-1234")));
    }
};

QTEST_GUILESS_MAIN(TestAuthorizationCodeStore)
#include "tst_authorizationcodestore.moc"
