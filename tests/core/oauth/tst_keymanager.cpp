// SPDX-License-Identifier: GPL-3.0-or-later
// Signing keys: created on first start, private half only in the (here in-memory) keychain,
// public JWK in the database, rotation keeps the old key published, fail closed.
// The real Secret Service path is covered by tests/app/tst_headless.
#include "crypto/encoding.h"
#include "crypto/jwt.h"
#include "oauth/keymanager.h"
#include "store/auditlog.h"
#include "store/database.h"
#include "store/signingkeystore.h"
#include "support/fakeclock.h"
#include "support/testsupport.h"
#include "vault/memorysecretstore.h"

#include <QDir>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace Tessera;
using namespace Tessera::OAuth;

class TestKeyManager : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<Store::Database> m_db;
    std::unique_ptr<Store::AuditLog> m_audit;
    Test::FakeClock m_clock;
    std::unique_ptr<Vault::MemorySecretStore> m_vault;
    int m_run = 0;

    Status loadSync(KeyManager &km)
    {
        std::optional<Status> result;
        km.load([&](Status s) { result = s; });
        if (!QTest::qWaitFor([&] { return result.has_value(); }, 5000))
            return Error::make(QStringLiteral("test_timeout"), QStringLiteral("load() never called back"));
        return *result;
    }
    Status rotateSync(KeyManager &km)
    {
        std::optional<Status> result;
        km.rotate(QStringLiteral("test"), [&](Status s) { result = s; });
        if (!QTest::qWaitFor([&] { return result.has_value(); }, 5000))
            return Error::make(QStringLiteral("test_timeout"), QStringLiteral("rotate() never called back"));
        return *result;
    }
    QByteArray vaultValue(const QString &key)
    {
        std::optional<Result<QByteArray>> r;
        m_vault->read(key, [&](Result<QByteArray> v) { r = std::move(v); });
        if (!QTest::qWaitFor([&] { return r.has_value(); }, 5000))
            return {};
        return r && r->ok() ? r->value() : QByteArray();
    }
    static QStringList kids(const QJsonObject &jwks)
    {
        QStringList out;
        for (const QJsonValue &k : jwks.value(QStringLiteral("keys")).toArray())
            out << k.toObject().value(QStringLiteral("kid")).toString();
        return out;
    }

private Q_SLOTS:
    void init()
    {
        m_audit.reset();
        m_db.reset();
        auto db = Store::Database::open(m_dir.path() + QStringLiteral("/k%1.db").arg(++m_run));
        QVERIFY(db.ok());
        m_db = std::move(*db);
        m_audit = std::make_unique<Store::AuditLog>(*m_db, m_clock);
        m_vault = std::make_unique<Vault::MemorySecretStore>();
    }

    void testFirstStartCreatesKeyOnlyInKeychain()
    {
        KeyManager km(*m_db, *m_audit, *m_vault, m_clock);
        QVERIFY(loadSync(km).ok());
        QVERIFY(km.isReady());
        const QString kid = km.activeKid();
        QCOMPARE(kid.size(), 43); // RFC 7638 thumbprint, base64url SHA-256
        QCOMPARE(m_vault->keys(), QStringList { KeyManager::keychainKey(kid) });

        const QByteArray der = vaultValue(KeyManager::keychainKey(kid));
        QVERIFY(!der.isEmpty());
        QCOMPARE(km.activeKey()->toPkcs8Der(), der);
        // The database never sees the private key, in any encoding.
        for (const QString &f : QDir(m_dir.path()).entryList({ QStringLiteral("k%1.db*").arg(m_run) })) {
            const QString path = m_dir.path() + u'/' + f;
            QVERIFY(!Test::fileContains(path, der.mid(der.size() - 40, 32)));
            QVERIFY(!Test::fileContains(path, Crypto::base64UrlEncode(der)));
            QVERIFY(!Test::fileContains(path, der.toBase64()));
            QVERIFY(!Test::fileContains(path, "\"d\""));
        }
        auto stored = Store::SigningKeyStore(*m_db).active();
        QVERIFY(stored.ok() && stored->has_value());
        QCOMPARE((*stored)->kid, kid);

        const QJsonObject jwks = km.jwks();
        QCOMPARE(kids(jwks), QStringList { kid });
        const QJsonObject jwk = jwks.value(QStringLiteral("keys")).toArray().first().toObject();
        for (const char *priv : { "d", "p", "q", "dp", "dq", "qi", "k" })
            QVERIFY(!jwk.contains(QLatin1String(priv)));
        QCOMPARE(jwk.value(QStringLiteral("alg")).toString(), QStringLiteral("ES256"));
        QCOMPARE(jwk.value(QStringLiteral("use")).toString(), QStringLiteral("sig"));
    }

    void testSecondStartLoadsSameKey()
    {
        QString kid;
        {
            KeyManager km(*m_db, *m_audit, *m_vault, m_clock);
            QVERIFY(loadSync(km).ok());
            kid = km.activeKid();
        }
        KeyManager again(*m_db, *m_audit, *m_vault, m_clock);
        QVERIFY(loadSync(again).ok());
        QCOMPARE(again.activeKid(), kid);
        QCOMPARE(m_vault->keys().size(), 1);
    }

    void testKeychainUnavailableFailsClosed()
    {
        m_vault->setMode(Vault::MemorySecretStore::Mode::Unavailable);
        KeyManager km(*m_db, *m_audit, *m_vault, m_clock);
        const Status s = loadSync(km);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, QStringLiteral("keychain_unavailable"));
        QVERIFY(!km.isReady());
        QVERIFY(km.activeKey() == nullptr);
        // Nothing was published whose private half is nowhere.
        QVERIFY(Store::SigningKeyStore(*m_db).list()->isEmpty());
        QVERIFY(km.jwks().value(QStringLiteral("keys")).toArray().isEmpty());
    }

    void testLockedKeychainOnLaterStartFailsClosed()
    {
        {
            KeyManager km(*m_db, *m_audit, *m_vault, m_clock);
            QVERIFY(loadSync(km).ok());
        }
        m_vault->setMode(Vault::MemorySecretStore::Mode::Denied);
        KeyManager km(*m_db, *m_audit, *m_vault, m_clock);
        const Status s = loadSync(km);
        QCOMPARE(s.error().code, QStringLiteral("access_denied"));
        QVERIFY(!km.isReady());
        QCOMPARE(Store::SigningKeyStore(*m_db).list()->size(), 1); // no replacement made behind a locked keychain
    }

    void testKeyLostFromKeychainIsReplacedAndOldStaysPublished()
    {
        QString oldKid;
        {
            KeyManager km(*m_db, *m_audit, *m_vault, m_clock);
            QVERIFY(loadSync(km).ok());
            oldKid = km.activeKid();
        }
        bool removed = false;
        m_vault->remove(KeyManager::keychainKey(oldKid), [&](Status) { removed = true; });
        QTRY_VERIFY(removed);

        KeyManager km(*m_db, *m_audit, *m_vault, m_clock);
        QVERIFY(loadSync(km).ok());
        QVERIFY(km.activeKid() != oldKid);
        QCOMPARE(kids(km.jwks()), (QStringList { km.activeKid(), oldKid }));
        QVERIFY(km.verificationKey(oldKid) != nullptr);
        auto page = m_audit->query({});
        QVERIFY(page.ok());
        QCOMPARE(page->events.first().kind, QStringLiteral("signing_key.created"));
        QCOMPARE(page->events.first().detailsObject().value(QStringLiteral("retired")).toString(), oldKid);
    }

    void testCorruptKeychainEntryFailsClosed()
    {
        QString kid;
        {
            KeyManager km(*m_db, *m_audit, *m_vault, m_clock);
            QVERIFY(loadSync(km).ok());
            kid = km.activeKid();
        }
        bool written = false;
        m_vault->write(KeyManager::keychainKey(kid), QByteArray("not a key"), [&](Status) { written = true; });
        QTRY_VERIFY(written);
        KeyManager km(*m_db, *m_audit, *m_vault, m_clock);
        QCOMPARE(loadSync(km).error().code, QStringLiteral("signing_key_corrupt"));
        QVERIFY(!km.isReady());
    }

    void testRotationPublishesOldKeyUntilItsTokensExpire()
    {
        KeyManager km(*m_db, *m_audit, *m_vault, m_clock);
        QVERIFY(loadSync(km).ok());
        const QString oldKid = km.activeKid();

        Crypto::AccessTokenClaims claims;
        claims.iss = QStringLiteral("http://127.0.0.1:7391");
        claims.sub = QStringLiteral("user");
        claims.aud = QStringLiteral("http://127.0.0.1:8931/mcp");
        claims.clientId = QStringLiteral("c");
        claims.iat = m_clock.nowSecs();
        claims.exp = m_clock.nowSecs() + 300;
        claims.jti = QStringLiteral("j");
        auto token = Crypto::signAccessToken(claims, *km.activeKey());
        QVERIFY(token.ok());

        QVERIFY(rotateSync(km).ok());
        QVERIFY(km.activeKid() != oldKid);
        QCOMPARE(kids(km.jwks()).size(), 2);
        const auto lookup = [&](const QString &kid) { return km.verificationKey(kid); };
        Crypto::JwtValidation v { claims.iss, claims.aud, QByteArray("at+jwt"), m_clock.nowSecs(), 0 };
        QVERIFY(Crypto::verifyJwt(*token, lookup, v).ok()); // old token still verifies

        m_clock.advanceSecs(KeyManager::MaxTokenLifetimeSecs + 61);
        km.purgeRetired();
        QCOMPARE(kids(km.jwks()), QStringList { km.activeKid() });
        QTRY_COMPARE(m_vault->keys(), QStringList { KeyManager::keychainKey(km.activeKid()) });
    }
};

QTEST_GUILESS_MAIN(TestKeyManager)
#include "tst_keymanager.moc"
