// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/eckey.h"
#include "crypto/encoding.h"
#include "support/testsupport.h"

#include <QJsonDocument>
#include <QTest>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <optional>

using namespace Tessera::Crypto;

namespace {

QJsonObject testData(const char *file)
{
    return QJsonDocument::fromJson(Tessera::Test::readTestData(QStringLiteral("crypto/") + QLatin1String(file)))
        .object();
}

// PKCS#8 PrivateKeyInfo (RFC 5208) around a SEC 1 ECPrivateKey without the optional public key:
// SEQ { INTEGER 0, SEQ { OID id-ecPublicKey, OID prime256v1 }, OCTET STRING { SEQ { INTEGER 1, OCTET STRING d } } }
QByteArray p256Pkcs8FromScalar(const QByteArray &d)
{
    return QByteArray::fromHex("304102010030130607"
                               "2a8648ce3d0201"
                               "0608"
                               "2a8648ce3d030107"
                               "042730250201010420")
        + d;
}

QByteArray opensslPkcs8(const char *type, const char *group)
{
    EVP_PKEY *key
        = group ? EVP_PKEY_Q_keygen(nullptr, nullptr, type, group) : EVP_PKEY_Q_keygen(nullptr, nullptr, type);
    if (!key)
        return {};
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(key);
    unsigned char *der = nullptr;
    const int len = p8 ? i2d_PKCS8_PRIV_KEY_INFO(p8, &der) : 0;
    QByteArray out = len > 0 ? QByteArray(reinterpret_cast<const char *>(der), len) : QByteArray();
    OPENSSL_free(der);
    PKCS8_PRIV_KEY_INFO_free(p8);
    EVP_PKEY_free(key);
    return out;
}

} // namespace

class TestEcKey : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void testGenerateRoundTrip()
    {
        auto key = SigningKey::generate();
        QVERIFY(key.ok());
        const QByteArray der = key->toPkcs8Der();
        QVERIFY(!der.isEmpty());
        auto again = SigningKey::fromPkcs8Der(der);
        QVERIFY(again.ok());
        QCOMPARE(again->kid(), key->kid());
        QCOMPARE(again->publicJwk(), key->publicJwk());
        QCOMPARE(again->toPkcs8Der(), der);

        // A signature by the reloaded key verifies with the original's public half.
        const auto sig = again->signEs256("hello");
        QVERIFY(sig.ok());
        const auto vk = key->verificationKey();
        QVERIFY(vk.ok());
        QVERIFY(vk->verifyEs256("hello", *sig));
        QVERIFY(!vk->verifyEs256("hellO", *sig));
    }

    void testTwoKeysDiffer()
    {
        auto a = SigningKey::generate();
        auto b = SigningKey::generate();
        QVERIFY(a.ok() && b.ok());
        QVERIFY(a->kid() != b->kid());
        QVERIFY(a->toPkcs8Der() != b->toPkcs8Der());
    }

    void testPublicJwkShape()
    {
        auto key = SigningKey::generate();
        QVERIFY(key.ok());
        const QJsonObject jwk = key->publicJwk();
        // RFC 7518 §6.2.1 plus kid/alg/use; never "d" or any other private member.
        QStringList keys = jwk.keys();
        keys.sort();
        QCOMPARE(keys,
            QStringList({ QStringLiteral("alg"), QStringLiteral("crv"), QStringLiteral("kid"), QStringLiteral("kty"),
                QStringLiteral("use"), QStringLiteral("x"), QStringLiteral("y") }));
        QCOMPARE(jwk.value(QStringLiteral("kty")).toString(), QStringLiteral("EC"));
        QCOMPARE(jwk.value(QStringLiteral("crv")).toString(), QStringLiteral("P-256"));
        QCOMPARE(jwk.value(QStringLiteral("alg")).toString(), QStringLiteral("ES256"));
        QCOMPARE(jwk.value(QStringLiteral("use")).toString(), QStringLiteral("sig"));
        QCOMPARE(jwk.value(QStringLiteral("kid")).toString(), key->kid());
        for (const char *c : { "x", "y" }) {
            const QString v = jwk.value(QLatin1String(c)).toString();
            QCOMPARE(v.size(), 43);
            const auto decoded = base64UrlDecode(v.toLatin1());
            QVERIFY(decoded.ok());
            QCOMPARE(decoded->size(), 32);
        }
        // The kid is the RFC 7638 thumbprint of the published key.
        QCOMPARE(jwkThumbprint(jwk), key->kid());
        QCOMPARE(key->kid().size(), 43);

        auto vk = VerificationKey::fromJwk(jwk);
        QVERIFY(vk.ok());
        QCOMPARE(vk->kid(), key->kid());
        QCOMPARE(vk->publicJwk(), jwk);
    }

    void testRfc7638Example()
    {
        const QJsonObject data = testData("rfc7638-example.json");
        const QJsonObject jwk = data.value(QStringLiteral("jwk")).toObject();
        QVERIFY(!jwk.isEmpty());
        // RFC 7638 §3.1: required members only, lexicographic order, no whitespace.
        const QByteArray expectedInput
            = "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"" + jwk.value(QStringLiteral("n")).toString().toLatin1() + "\"}";
        QCOMPARE(jwkThumbprintInput(jwk), expectedInput);
        QCOMPARE(jwkThumbprint(jwk), data.value(QStringLiteral("thumbprint")).toString());
        QCOMPARE(jwkThumbprint(jwk), QStringLiteral("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"));
    }

    void testEcThumbprintInput()
    {
        const QJsonObject jwk = testData("rfc7515-a3.json").value(QStringLiteral("publicJwk")).toObject();
        QJsonObject decorated = jwk;
        decorated.insert(QStringLiteral("kid"), QStringLiteral("ignored"));
        decorated.insert(QStringLiteral("alg"), QStringLiteral("ES256"));
        const QByteArray expected
            = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
              "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}";
        QCOMPARE(jwkThumbprintInput(jwk), expected);
        QCOMPARE(jwkThumbprintInput(decorated), expected);
        QCOMPARE(jwkThumbprint(decorated), jwkThumbprint(jwk));
    }

    void testThumbprintInputRejects()
    {
        QVERIFY(jwkThumbprintInput(QJsonObject {}).isEmpty());
        QVERIFY(jwkThumbprintInput(QJsonObject { { QStringLiteral("kty"), QStringLiteral("oct") } }).isEmpty());
        QVERIFY(jwkThumbprintInput(
            QJsonObject { { QStringLiteral("kty"), QStringLiteral("EC") },
                { QStringLiteral("crv"), QStringLiteral("P-256") }, { QStringLiteral("x"), QStringLiteral("AA") } })
                    .isEmpty());
        QVERIFY(jwkThumbprint(QJsonObject {}).isEmpty());
    }

    void testRfc7515A3PrivateKey()
    {
        // The A.3 private scalar, wrapped as PKCS#8, must yield exactly the published public key.
        const QJsonObject data = testData("rfc7515-a3.json");
        const auto d = base64UrlDecode(data.value(QStringLiteral("d")).toString().toLatin1());
        QVERIFY(d.ok());
        QCOMPARE(d->size(), 32);
        auto key = SigningKey::fromPkcs8Der(p256Pkcs8FromScalar(*d));
        QVERIFY2(key.ok(), qPrintable(key.ok() ? QString() : key.error().toString()));
        const QJsonObject published = data.value(QStringLiteral("publicJwk")).toObject();
        QCOMPARE(key->publicJwk().value(QStringLiteral("x")), published.value(QStringLiteral("x")));
        QCOMPARE(key->publicJwk().value(QStringLiteral("y")), published.value(QStringLiteral("y")));
        QCOMPARE(key->kid(), jwkThumbprint(published));
    }

    void testPkcs8Rejects_data()
    {
        QTest::addColumn<QByteArray>("der");
        QTest::addColumn<QString>("code");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("eckey_malformed");
        QTest::newRow("garbage") << QByteArray("not a key at all") << QStringLiteral("eckey_malformed");
        QTest::newRow("P-384") << opensslPkcs8("EC", "P-384") << QStringLiteral("eckey_wrong_type");
        QTest::newRow("secp256k1") << opensslPkcs8("EC", "secp256k1") << QStringLiteral("eckey_wrong_type");
        QTest::newRow("Ed25519") << opensslPkcs8("ED25519", nullptr) << QStringLiteral("eckey_wrong_type");
        QTest::newRow("X25519") << opensslPkcs8("X25519", nullptr) << QStringLiteral("eckey_wrong_type");
        // d = 0 and d = n are not private keys.
        QTest::newRow("zero scalar") << p256Pkcs8FromScalar(QByteArray(32, '\0')) << QString();
        QTest::newRow("scalar n") << p256Pkcs8FromScalar(
            QByteArray::fromHex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551"))
                                  << QString();
    }
    void testPkcs8Rejects()
    {
        QFETCH(QByteArray, der);
        QFETCH(QString, code);
        const auto key = SigningKey::fromPkcs8Der(der);
        QVERIFY(!key.ok());
        if (!code.isEmpty())
            QCOMPARE(key.error().code, code);
    }

    void testPkcs8RejectsTrailingBytes()
    {
        auto key = SigningKey::generate();
        QVERIFY(key.ok());
        const QByteArray der = key->toPkcs8Der();
        QVERIFY(SigningKey::fromPkcs8Der(der).ok());
        QCOMPARE(SigningKey::fromPkcs8Der(QByteArray(der + '\0')).error().code, QStringLiteral("eckey_malformed"));
        QCOMPARE(SigningKey::fromPkcs8Der(der.chopped(1)).error().code, QStringLiteral("eckey_malformed"));
    }

    void testJwkRejects_data()
    {
        QTest::addColumn<QJsonObject>("jwk");
        QTest::addColumn<QString>("code");
        const QJsonObject good = testData("rfc7515-a3.json").value(QStringLiteral("publicJwk")).toObject();
        auto with = [&good](const char *name, const QJsonValue &v) {
            QJsonObject o = good;
            o.insert(QLatin1String(name), v);
            return o;
        };
        auto without = [&good](const char *name) {
            QJsonObject o = good;
            o.remove(QLatin1String(name));
            return o;
        };
        const QString x = good.value(QStringLiteral("x")).toString();
        const QString y = good.value(QStringLiteral("y")).toString();

        QTest::newRow("crv P-384") << with("crv", QStringLiteral("P-384")) << QStringLiteral("jwk_unsupported_curve");
        QTest::newRow("crv secp256k1") << with("crv", QStringLiteral("secp256k1"))
                                       << QStringLiteral("jwk_unsupported_curve");
        QTest::newRow("crv lower case") << with("crv", QStringLiteral("p-256"))
                                        << QStringLiteral("jwk_unsupported_curve");
        QTest::newRow("crv missing") << without("crv") << QStringLiteral("jwk_unsupported_curve");
        QTest::newRow("kty RSA") << with("kty", QStringLiteral("RSA")) << QStringLiteral("jwk_unsupported_key");
        QTest::newRow("kty oct") << with("kty", QStringLiteral("oct")) << QStringLiteral("jwk_unsupported_key");
        QTest::newRow("kty missing") << without("kty") << QStringLiteral("jwk_unsupported_key");
        QTest::newRow("x 31 bytes") << with("x", QString::fromLatin1(base64UrlEncode(QByteArray(31, '\x11'))))
                                    << QStringLiteral("jwk_bad_coordinate");
        QTest::newRow("x 33 bytes") << with("x", QString::fromLatin1(base64UrlEncode(QByteArray(33, '\x11'))))
                                    << QStringLiteral("jwk_bad_coordinate");
        QTest::newRow("y 31 bytes") << with("y", QString::fromLatin1(base64UrlEncode(QByteArray(31, '\x11'))))
                                    << QStringLiteral("jwk_bad_coordinate");
        QTest::newRow("x padded") << with("x", QString(x + QLatin1Char('='))) << QStringLiteral("jwk_bad_coordinate");
        // A.3 x has no "-" or "_"; the standard alphabet's "+" must still be refused.
        QTest::newRow("x standard base64")
            << with("x", QString(x).replace(0, 1, QLatin1Char('+'))) << QStringLiteral("jwk_bad_coordinate");
        QTest::newRow("x number") << with("x", 42) << QStringLiteral("jwk_bad_coordinate");
        QTest::newRow("y missing") << without("y") << QStringLiteral("jwk_bad_coordinate");
        // Flip the last byte of y: (x, y') is not on the curve.
        QByteArray yBytes = base64UrlDecode(y.toLatin1()).value();
        yBytes[31] = static_cast<char>(yBytes[31] ^ 0x01);
        QTest::newRow("point not on curve")
            << with("y", QString::fromLatin1(base64UrlEncode(yBytes))) << QStringLiteral("jwk_not_on_curve");
        QJsonObject zeroPoint = with("x", QString::fromLatin1(base64UrlEncode(QByteArray(32, '\0'))));
        zeroPoint.insert(QStringLiteral("y"), QString::fromLatin1(base64UrlEncode(QByteArray(32, '\0'))));
        QTest::newRow("x and y zero") << zeroPoint << QStringLiteral("jwk_not_on_curve");
        QTest::newRow("d present") << with("d", QStringLiteral("jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"))
                                   << QStringLiteral("jwk_private_member");
        QTest::newRow("empty d present") << with("d", QString()) << QStringLiteral("jwk_private_member");
        QTest::newRow("k present") << with("k", QStringLiteral("AAAA")) << QStringLiteral("jwk_private_member");
        QTest::newRow("p present") << with("p", QStringLiteral("AAAA")) << QStringLiteral("jwk_private_member");
        QTest::newRow("alg RS256") << with("alg", QStringLiteral("RS256")) << QStringLiteral("jwk_bad_alg");
        QTest::newRow("alg ES384") << with("alg", QStringLiteral("ES384")) << QStringLiteral("jwk_bad_alg");
        QTest::newRow("alg none") << with("alg", QStringLiteral("none")) << QStringLiteral("jwk_bad_alg");
        QTest::newRow("use enc") << with("use", QStringLiteral("enc")) << QStringLiteral("jwk_bad_use");
        QTest::newRow("kid number") << with("kid", 7) << QStringLiteral("jwk_malformed");
        QTest::newRow("kid empty") << with("kid", QString()) << QStringLiteral("jwk_malformed");
    }
    void testJwkRejects()
    {
        QFETCH(QJsonObject, jwk);
        QFETCH(QString, code);
        const auto key = VerificationKey::fromJwk(jwk);
        QVERIFY(!key.ok());
        QCOMPARE(key.error().code, code);
    }

    void testJwkAcceptsOptionalMembers()
    {
        QJsonObject jwk = testData("rfc7515-a3.json").value(QStringLiteral("publicJwk")).toObject();
        auto plain = VerificationKey::fromJwk(jwk);
        QVERIFY(plain.ok());
        // Without a kid member the key id is the thumbprint.
        QCOMPARE(plain->kid(), jwkThumbprint(jwk));
        QCOMPARE(plain->thumbprint(), jwkThumbprint(jwk));

        jwk.insert(QStringLiteral("kid"), QStringLiteral("e9bc097a-ce51-4036-9562-d2ade882db0d"));
        jwk.insert(QStringLiteral("alg"), QStringLiteral("ES256"));
        jwk.insert(QStringLiteral("use"), QStringLiteral("sig"));
        auto named = VerificationKey::fromJwk(jwk);
        QVERIFY(named.ok());
        QCOMPARE(named->kid(), QStringLiteral("e9bc097a-ce51-4036-9562-d2ade882db0d"));
        QCOMPARE(named->thumbprint(), plain->thumbprint());
        QVERIFY(!named->publicJwk().contains(QStringLiteral("d")));
    }

    void testVerificationKeyCopies()
    {
        auto key = SigningKey::generate();
        QVERIFY(key.ok());
        const auto sig = key->signEs256("data");
        QVERIFY(sig.ok());
        std::optional<VerificationKey> copy;
        {
            const auto vk = key->verificationKey();
            QVERIFY(vk.ok());
            copy.emplace(*vk);
        }
        // The copy keeps the shared EVP_PKEY alive after the original is gone.
        QVERIFY(copy->verifyEs256("data", *sig));
        VerificationKey moved = std::move(*copy);
        QVERIFY(moved.verifyEs256("data", *sig));
    }

    void testSignatureShape()
    {
        auto key = SigningKey::generate();
        QVERIFY(key.ok());
        const auto vk = key->verificationKey();
        QVERIFY(vk.ok());
        for (int i = 0; i < 50; ++i) {
            const QByteArray msg = QByteArray::number(i);
            const auto sig = key->signEs256(msg);
            QVERIFY(sig.ok());
            QCOMPARE(sig->size(), 64);
            QVERIFY(vk->verifyEs256(msg, *sig));
        }
    }
};

QTEST_GUILESS_MAIN(TestEcKey)
#include "tst_eckey.moc"
