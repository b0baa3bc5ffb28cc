// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/ecdsasig.h"
#include "crypto/eckey.h"
#include "crypto/encoding.h"
#include "crypto/jws.h"
#include "support/testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <openssl/evp.h>

#include <optional>

using namespace Tessera::Crypto;

namespace {

QByteArray b64(const QByteArray &data)
{
    return base64UrlEncode(data);
}

QByteArray hex(const char *h)
{
    return QByteArray::fromHex(h);
}

// Order n of P-256 (SEC 2 §2.4.2).
const QByteArray P256N = hex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");

QByteArray hmacSha256(const QByteArray &secret, const QByteArray &data)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    size_t len = 0;
    if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.constData(), static_cast<size_t>(secret.size()),
            reinterpret_cast<const unsigned char *>(data.constData()), static_cast<size_t>(data.size()), out,
            sizeof out, &len))
        return {};
    return QByteArray(reinterpret_cast<const char *>(out), static_cast<qsizetype>(len));
}

} // namespace

class TestJws : public QObject
{
    Q_OBJECT

    std::optional<SigningKey> m_key;
    std::optional<SigningKey> m_otherKey;
    std::optional<VerificationKey> m_vk;

    [[nodiscard]] KeyLookup lookup() const
    {
        return [this](const QString &kid) -> const VerificationKey * { return kid == m_vk->kid() ? &*m_vk : nullptr; };
    }

    // A token over arbitrary header bytes, validly ES256-signed, so that each rejection below
    // is caused by the one thing it changes and not by a bad signature.
    [[nodiscard]] QByteArray craft(
        const QByteArray &headerJson, const QByteArray &payload, const SigningKey *key = nullptr) const
    {
        const QByteArray input = b64(headerJson) + '.' + b64(payload);
        const auto sig = (key ? key : &*m_key)->signEs256(input);
        return sig.ok() ? input + '.' + b64(*sig) : QByteArray();
    }

    [[nodiscard]] QByteArray kidHeader(const QByteArray &extra = {}) const
    {
        return "{\"alg\":\"ES256\",\"kid\":\"" + m_key->kid().toLatin1() + '"' + extra + '}';
    }

    [[nodiscard]] QByteArray withRawSignature(const QByteArray &raw) const
    {
        const QByteArray token = craft(kidHeader(), "{}");
        return token.left(token.lastIndexOf('.') + 1) + b64(raw);
    }

private Q_SLOTS:
    void initTestCase()
    {
        auto key = SigningKey::generate();
        auto other = SigningKey::generate();
        QVERIFY(key.ok() && other.ok());
        m_key.emplace(std::move(*key));
        m_otherKey.emplace(std::move(*other));
        auto vk = m_key->verificationKey();
        QVERIFY(vk.ok());
        m_vk.emplace(*vk);
    }

    void testRfc7515AppendixA3()
    {
        const QJsonObject data
            = QJsonDocument::fromJson(Tessera::Test::readTestData(QStringLiteral("crypto/rfc7515-a3.json"))).object();
        const QByteArray token = data.value(QStringLiteral("token")).toString().toLatin1();
        auto key = VerificationKey::fromJwk(data.value(QStringLiteral("publicJwk")).toObject());
        QVERIFY(key.ok());

        // A.3 has no kid: the caller pins the single key and opts out of the kid requirement.
        int calls = 0;
        const KeyLookup pinned = [&](const QString &kid) -> const VerificationKey * {
            ++calls;
            return kid.isEmpty() ? &*key : nullptr;
        };
        const auto verified = verifyCompact(token, pinned, JwsVerifyOptions { .requireKid = false });
        QVERIFY2(verified.ok(), qPrintable(verified.ok() ? QString() : verified.error().toString()));
        QCOMPARE(calls, 1);
        QCOMPARE(verified->header, QJsonObject({ { QStringLiteral("alg"), QStringLiteral("ES256") } }));
        QCOMPARE(verified->payload,
            QByteArray("{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}"));

        // The product path requires a kid, so the same token is refused by default.
        QCOMPARE(verifyCompact(token, pinned).error().code, QStringLiteral("jws_missing_kid"));

        // One changed payload byte breaks the published signature.
        QByteArray tampered = token;
        tampered[30] = tampered[30] == 'A' ? 'B' : 'A';
        QCOMPARE(verifyCompact(tampered, pinned, JwsVerifyOptions { .requireKid = false }).error().code,
            QStringLiteral("jws_bad_signature"));

        // The published signature octets (A.3.1) are R || S.
        QByteArray octets;
        for (const QJsonValue v : data.value(QStringLiteral("signatureOctets")).toArray())
            octets.append(static_cast<char>(v.toInt()));
        QCOMPARE(octets.size(), Es256SignatureSize);
        QCOMPARE(base64UrlDecode(token.mid(token.lastIndexOf('.') + 1)).value(), octets);
        const auto der = es256RawToDer(octets);
        QVERIFY(der.ok());
        QCOMPARE(es256DerToRaw(*der).value(), octets);
    }

    void testSignVerifyRoundTrip()
    {
        // alg and kid supplied by the caller are overridden.
        const QJsonObject header { { QStringLiteral("typ"), QStringLiteral("at+jwt") },
            { QStringLiteral("alg"), QStringLiteral("HS256") }, { QStringLiteral("kid"), QStringLiteral("evil") } };
        static const char raw[] = "arbitrary \x00\xff bytes";
        const QByteArray payload(raw, sizeof raw - 1);
        const auto token = signCompact(header, payload, *m_key);
        QVERIFY(token.ok());
        QCOMPARE(token->count('.'), 2);

        const auto verified = verifyCompact(*token, lookup());
        QVERIFY2(verified.ok(), qPrintable(verified.ok() ? QString() : verified.error().toString()));
        QCOMPARE(verified->payload, payload);
        QCOMPARE(verified->kid, m_key->kid());
        QCOMPARE(verified->header.value(QStringLiteral("alg")).toString(), QStringLiteral("ES256"));
        QCOMPARE(verified->header.value(QStringLiteral("kid")).toString(), m_key->kid());
        QCOMPARE(verified->header.value(QStringLiteral("typ")).toString(), QStringLiteral("at+jwt"));
    }

    void testCraftedControlVerifies()
    {
        // The helper used by the rejection table produces tokens that do verify.
        QVERIFY(verifyCompact(craft(kidHeader(), "{\"a\":1}"), lookup()).ok());
        QVERIFY(verifyCompact(
            withRawSignature(base64UrlDecode(craft(kidHeader(), "{}").split('.').at(2)).value()), lookup())
                    .ok());
    }

    void testSignRefusesUnsupportedHeaders_data()
    {
        QTest::addColumn<QString>("name");
        for (const char *n : { "crit", "jku", "x5u", "jwk", "x5c", "b64" })
            QTest::newRow(n) << QString::fromLatin1(n);
    }
    void testSignRefusesUnsupportedHeaders()
    {
        QFETCH(QString, name);
        const auto token = signCompact(QJsonObject { { name, QStringLiteral("x") } }, "{}", *m_key);
        QVERIFY(!token.ok());
        QCOMPARE(token.error().code, QStringLiteral("jws_unsupported_header"));
    }

    void testDerRawConversion_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<QByteArray>("der");
        const QByteArray ones = QByteArray(32, '\x01');
        // High bit set: DER needs a 0x00 sign byte, 33 content bytes.
        const QByteArray highR = hex("80") + QByteArray(31, '\x01');
        QTest::newRow("R high bit") << highR + ones << hex("3045022100") + highR + hex("0220") + ones;
        // Leading zero byte in raw form: DER is minimal (31 bytes), raw is left-padded back to 32.
        const QByteArray shortR = hex("007f") + QByteArray(30, '\xff');
        QTest::newRow("R leading zero") << shortR + ones << hex("3043021f") + shortR.mid(1) + hex("0220") + ones;
        // Leading zero, then high bit: DER keeps exactly one 0x00 sign byte.
        const QByteArray zeroHighS = hex("0080") + QByteArray(30, '\0');
        QTest::newRow("S leading zero then high bit")
            << ones + zeroHighS << hex("30440220") + ones + hex("0220") + zeroHighS;
        // R = 1, S = n - 1: the extremes of the valid range.
        const QByteArray rOne = QByteArray(31, '\0') + hex("01");
        const QByteArray nMinus1 = hex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632550");
        QTest::newRow("R=1 S=n-1") << rOne + nMinus1 << hex("3026020101022100") + nMinus1;
        // Both with many leading zeros.
        const QByteArray tiny = QByteArray(30, '\0') + hex("0102");
        QTest::newRow("both short") << tiny + tiny << hex("3008020201020202") + hex("0102");
    }
    void testDerRawConversion()
    {
        QFETCH(QByteArray, raw);
        QFETCH(QByteArray, der);
        QCOMPARE(raw.size(), 64);
        const auto toDer = es256RawToDer(raw);
        QVERIFY(toDer.ok());
        QCOMPARE(toDer->toHex(), der.toHex());
        const auto toRaw = es256DerToRaw(der);
        QVERIFY(toRaw.ok());
        QCOMPARE(toRaw->toHex(), raw.toHex());
    }

    void testRawToDerRejects_data()
    {
        QTest::addColumn<QByteArray>("raw");
        const QByteArray ones = QByteArray(32, '\x01');
        QTest::newRow("63 bytes") << QByteArray(63, '\x01');
        QTest::newRow("65 bytes") << QByteArray(65, '\x01');
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("R=0") << QByteArray(32, '\0') + ones;
        QTest::newRow("S=0") << ones + QByteArray(32, '\0');
        QTest::newRow("R=n") << P256N + ones;
        QTest::newRow("S=n") << ones + P256N;
        QTest::newRow("S=n+1") << ones + hex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632552");
        QTest::newRow("S all ff") << ones + QByteArray(32, '\xff');
    }
    void testRawToDerRejects()
    {
        QFETCH(QByteArray, raw);
        const auto der = es256RawToDer(raw);
        QVERIFY(!der.ok());
        QCOMPARE(der.error().code, QStringLiteral("ecdsa_bad_signature"));
    }

    void testDerToRawRejects_data()
    {
        QTest::addColumn<QByteArray>("der");
        const QByteArray ones = QByteArray(32, '\x01');
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("garbage") << QByteArray("not der");
        QTest::newRow("R 33 significant bytes") << hex("3045022101") + ones + hex("0220") + ones;
        QTest::newRow("trailing byte") << hex("30440220") + ones + hex("0220") + ones + hex("00");
        QTest::newRow("R zero") << hex("3025020100") + hex("0220") + ones;
        QTest::newRow("R negative") << hex("30250201ff") + hex("0220") + ones;
        QTest::newRow("S = n") << hex("30450220") + ones + hex("022100") + P256N;
        QTest::newRow("one integer") << hex("30220220") + ones;
    }
    void testDerToRawRejects()
    {
        QFETCH(QByteArray, der);
        QVERIFY(!es256DerToRaw(der).ok());
    }

    void testRejections_data()
    {
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<QString>("code");
        const QByteArray kid = m_key->kid().toLatin1();
        const QByteArray payload = "{\"sub\":\"x\"}";
        const QByteArray good = craft(kidHeader(), payload);
        const QList<QByteArray> parts = good.split('.');
        const QByteArray ones = QByteArray(32, '\x01');

        // RFC 8725 §2.1 / §3.1: the algorithm is never the token's choice.
        QTest::newRow("alg none, empty signature") << b64("{\"alg\":\"none\",\"kid\":\"" + kid + "\"}") + '.' + parts[1]
                + '.' << QStringLiteral("jws_bad_alg");
        QTest::newRow("alg none, valid signature")
            << craft("{\"alg\":\"none\",\"kid\":\"" + kid + "\"}", payload) << QStringLiteral("jws_bad_alg");
        QTest::newRow("alg None") << craft("{\"alg\":\"None\",\"kid\":\"" + kid + "\"}", payload)
                                  << QStringLiteral("jws_bad_alg");
        // Algorithm confusion: HMAC keyed with public key bytes an attacker can download.
        const QByteArray hsInput = b64("{\"alg\":\"HS256\",\"kid\":\"" + kid + "\",\"typ\":\"JWT\"}") + '.' + parts[1];
        const QByteArray jwkBytes = QJsonDocument(m_key->publicJwk()).toJson(QJsonDocument::Compact);
        QTest::newRow("alg HS256 keyed with public JWK")
            << hsInput + '.' + b64(hmacSha256(jwkBytes, hsInput)) << QStringLiteral("jws_bad_alg");
        const QByteArray point = hex("04")
            + base64UrlDecode(m_key->publicJwk().value(QStringLiteral("x")).toString().toLatin1()).value()
            + base64UrlDecode(m_key->publicJwk().value(QStringLiteral("y")).toString().toLatin1()).value();
        QTest::newRow("alg HS256 keyed with public point")
            << hsInput + '.' + b64(hmacSha256(point, hsInput)) << QStringLiteral("jws_bad_alg");
        QTest::newRow("alg ES384") << craft("{\"alg\":\"ES384\",\"kid\":\"" + kid + "\"}", payload)
                                   << QStringLiteral("jws_bad_alg");
        QTest::newRow("alg RS256") << craft("{\"alg\":\"RS256\",\"kid\":\"" + kid + "\"}", payload)
                                   << QStringLiteral("jws_bad_alg");
        QTest::newRow("alg lower case") << craft("{\"alg\":\"es256\",\"kid\":\"" + kid + "\"}", payload)
                                        << QStringLiteral("jws_bad_alg");
        QTest::newRow("alg missing") << craft("{\"kid\":\"" + kid + "\"}", payload) << QStringLiteral("jws_bad_alg");
        QTest::newRow("alg array") << craft("{\"alg\":[\"ES256\"],\"kid\":\"" + kid + "\"}", payload)
                                   << QStringLiteral("jws_bad_alg");

        QTest::newRow("missing kid") << craft("{\"alg\":\"ES256\"}", payload) << QStringLiteral("jws_missing_kid");
        QTest::newRow("unknown kid") << craft("{\"alg\":\"ES256\",\"kid\":\"no-such-key\"}", payload)
                                     << QStringLiteral("jws_unknown_kid");
        QTest::newRow("kid path") << craft("{\"alg\":\"ES256\",\"kid\":\"../../../../etc/passwd\"}", payload)
                                  << QStringLiteral("jws_unknown_kid");
        QTest::newRow("kid sql") << craft("{\"alg\":\"ES256\",\"kid\":\"x' OR '1'='1\"}", payload)
                                 << QStringLiteral("jws_unknown_kid");
        QTest::newRow("kid number") << craft("{\"alg\":\"ES256\",\"kid\":1}", payload)
                                    << QStringLiteral("jws_malformed");
        QTest::newRow("kid empty") << craft("{\"alg\":\"ES256\",\"kid\":\"\"}", payload)
                                   << QStringLiteral("jws_malformed");
        QTest::newRow("signed by another key")
            << craft(kidHeader(), payload, &*m_otherKey) << QStringLiteral("jws_bad_signature");

        // Keys never come from the token (RFC 8725 §3.10).
        QTest::newRow("jku") << craft(kidHeader(",\"jku\":\"https://attacker.example/jwks\""), payload)
                             << QStringLiteral("jws_unsupported_header");
        QTest::newRow("x5u") << craft(kidHeader(",\"x5u\":\"https://attacker.example/cert\""), payload)
                             << QStringLiteral("jws_unsupported_header");
        QTest::newRow("jwk") << craft(kidHeader(",\"jwk\":" + jwkBytes), payload)
                             << QStringLiteral("jws_unsupported_header");
        QTest::newRow("x5c") << craft(kidHeader(",\"x5c\":[\"MIIB\"]"), payload)
                             << QStringLiteral("jws_unsupported_header");
        QTest::newRow("crit") << craft(kidHeader(",\"crit\":[\"exp\"],\"exp\":1"), payload)
                              << QStringLiteral("jws_unsupported_header");
        QTest::newRow("b64 false") << craft(kidHeader(",\"b64\":false"), payload)
                                   << QStringLiteral("jws_unsupported_header");

        QTest::newRow("2 parts") << parts[0] + '.' + parts[1] << QStringLiteral("jws_malformed");
        QTest::newRow("4 parts") << good + '.' + parts[2] << QStringLiteral("jws_malformed");
        QTest::newRow("trailing dot") << good + '.' << QStringLiteral("jws_malformed");
        QTest::newRow("1 part") << parts[0] << QStringLiteral("jws_malformed");
        QTest::newRow("empty") << QByteArray() << QStringLiteral("jws_malformed");
        QTest::newRow("JWE-like 5 parts") << parts[0] + "...." << QStringLiteral("jws_malformed");
        QTest::newRow("padded header") << parts[0] + "=." + parts[1] + '.' + parts[2]
                                       << QStringLiteral("jws_malformed");
        QTest::newRow("payload with +") << parts[0] + '.' + parts[1] + "+." + parts[2]
                                        << QStringLiteral("jws_malformed");
        QTest::newRow("signature with /") << parts[0] + '.' + parts[1] + '.' + parts[2].left(parts[2].size() - 2) + "/A"
                                          << QStringLiteral("jws_malformed");
        QTest::newRow("space in token") << parts[0] + ". " + parts[1] + '.' + parts[2]
                                        << QStringLiteral("jws_malformed");
        QTest::newRow("header not json") << craft("alg=ES256", payload) << QStringLiteral("jws_malformed");
        QTest::newRow("header array") << craft("[\"ES256\"]", payload) << QStringLiteral("jws_malformed");
        QTest::newRow("header string") << craft("\"ES256\"", payload) << QStringLiteral("jws_malformed");
        // QJsonDocument keeps the last duplicate; {"alg":"none","alg":"ES256"} must not pass.
        QTest::newRow("duplicate alg") << craft("{\"alg\":\"none\",\"alg\":\"ES256\",\"kid\":\"" + kid + "\"}", payload)
                                       << QStringLiteral("jws_malformed");
        QTest::newRow("duplicate kid") << craft("{\"alg\":\"ES256\",\"kid\":\"other\",\"kid\":\"" + kid + "\"}",
            payload) << QStringLiteral("jws_malformed");
        QTest::newRow("trailing garbage after header json")
            << craft(kidHeader() + "xyz", payload) << QStringLiteral("jws_malformed");
        QTest::newRow("second object after header")
            << craft(kidHeader() + "{}", payload) << QStringLiteral("jws_malformed");

        // RFC 7518 §3.4: exactly 64 bytes, R and S in [1, n-1].
        const QByteArray sig = base64UrlDecode(parts[2]).value();
        QTest::newRow("63-byte signature") << withRawSignature(sig.left(63)) << QStringLiteral("jws_bad_signature");
        QTest::newRow("65-byte signature") << withRawSignature(sig + '\0') << QStringLiteral("jws_bad_signature");
        QTest::newRow("DER signature") << withRawSignature(es256RawToDer(sig).value())
                                       << QStringLiteral("jws_bad_signature");
        QTest::newRow("empty signature") << parts[0] + '.' + parts[1] + '.' << QStringLiteral("jws_bad_signature");
        QTest::newRow("R=0") << withRawSignature(QByteArray(32, '\0') + sig.mid(32))
                             << QStringLiteral("jws_bad_signature");
        QTest::newRow("S=0") << withRawSignature(sig.left(32) + QByteArray(32, '\0'))
                             << QStringLiteral("jws_bad_signature");
        QTest::newRow("S=n") << withRawSignature(sig.left(32) + P256N) << QStringLiteral("jws_bad_signature");
        QTest::newRow("R=n") << withRawSignature(P256N + sig.mid(32)) << QStringLiteral("jws_bad_signature");
        QTest::newRow("all-zero signature")
            << withRawSignature(QByteArray(64, '\0')) << QStringLiteral("jws_bad_signature");
        QTest::newRow("R=S=1") << withRawSignature(QByteArray(31, '\0') + hex("01") + QByteArray(31, '\0') + hex("01"))
                               << QStringLiteral("jws_bad_signature");

        QTest::newRow("tampered payload")
            << parts[0] + '.' + b64("{\"sub\":\"y\"}") + '.' + parts[2] << QStringLiteral("jws_bad_signature");
        QTest::newRow("tampered header") << b64(kidHeader(",\"typ\":\"JWT\"")) + '.' + parts[1] + '.' + parts[2]
                                         << QStringLiteral("jws_bad_signature");

        QTest::newRow("over 16 KiB") << craft(kidHeader(",\"pad\":\"" + QByteArray(MaxJwsSize, 'a') + '"'), payload)
                                     << QStringLiteral("jws_too_large");
    }
    void testRejections()
    {
        QFETCH(QByteArray, token);
        QFETCH(QString, code);
        const auto r = verifyCompact(token, lookup());
        QVERIFY2(!r.ok(), "token was accepted");
        QCOMPARE(r.error().code, code);
        // Errors never echo the token.
        if (token.size() > 8)
            QVERIFY(!r.error().toString().contains(QString::fromLatin1(token.left(8))));
    }

    void testKidIsPassedVerbatim()
    {
        QStringList seen;
        const KeyLookup recording = [&](const QString &kid) -> const VerificationKey * {
            seen << kid;
            return nullptr;
        };
        const QString odd = QStringLiteral("k\u00e9y/../\"x\"");
        QJsonObject header { { QStringLiteral("alg"), QStringLiteral("ES256") }, { QStringLiteral("kid"), odd } };
        const QByteArray token = craft(QJsonDocument(header).toJson(QJsonDocument::Compact), "{}");
        QCOMPARE(verifyCompact(token, recording).error().code, QStringLiteral("jws_unknown_kid"));
        QCOMPARE(seen, QStringList { odd });
        QCOMPARE(verifyCompact(token, KeyLookup()).error().code, QStringLiteral("jws_unknown_kid"));
    }

    void testLookupNotConsultedForBadAlg()
    {
        int calls = 0;
        const KeyLookup counting = [&](const QString &) -> const VerificationKey * {
            ++calls;
            return &*m_vk;
        };
        QVERIFY(!verifyCompact(craft("{\"alg\":\"none\",\"kid\":\"x\"}", "{}"), counting).ok());
        QVERIFY(!verifyCompact(craft(kidHeader(",\"jku\":\"https://a.example\""), "{}"), counting).ok());
        QCOMPARE(calls, 0);
    }
};

QTEST_GUILESS_MAIN(TestJws)
#include "tst_jws.moc"
