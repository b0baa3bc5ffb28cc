// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/encoding.h"
#include "crypto/jws.h"
#include "crypto/jwt.h"
#include "support/fakeclock.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <optional>

using namespace Tessera::Crypto;

namespace {
const QString Issuer = QStringLiteral("http://127.0.0.1:7391");
const QString Audience = QStringLiteral("http://127.0.0.1:8931/mcp");
} // namespace

class TestJwt : public QObject
{
    Q_OBJECT

    Tessera::Test::FakeClock m_clock;
    std::optional<SigningKey> m_key;
    std::optional<VerificationKey> m_vk;

    [[nodiscard]] KeyLookup lookup() const
    {
        return [this](const QString &kid) -> const VerificationKey * { return kid == m_vk->kid() ? &*m_vk : nullptr; };
    }

    [[nodiscard]] JwtValidation validation() const
    {
        JwtValidation v;
        v.issuer = Issuer;
        v.audience = Audience;
        v.nowSecs = m_clock.nowSecs();
        return v;
    }

    [[nodiscard]] AccessTokenClaims claims() const
    {
        AccessTokenClaims c;
        c.iss = Issuer;
        c.sub = QStringLiteral("user-1");
        c.aud = Audience;
        c.clientId = QStringLiteral("client-abc");
        c.scope = QStringLiteral("files:read files:write");
        c.iat = m_clock.nowSecs();
        c.exp = m_clock.nowSecs() + 300;
        c.jti = QStringLiteral("jti-123");
        return c;
    }

    // The claims signAccessToken() would write, as an object the tests can change.
    [[nodiscard]] QJsonObject claimsObject() const
    {
        const auto token = signAccessToken(claims(), *m_key);
        const QByteArray payload = token->split('.').at(1);
        return QJsonDocument::fromJson(base64UrlDecode(payload).value()).object();
    }

    [[nodiscard]] QByteArray sign(const QJsonObject &payload, const QString &typ = QStringLiteral("at+jwt")) const
    {
        QJsonObject header;
        if (!typ.isNull())
            header.insert(QStringLiteral("typ"), typ);
        return signCompact(header, QJsonDocument(payload).toJson(QJsonDocument::Compact), *m_key).value();
    }

    [[nodiscard]] QByteArray signRaw(const QByteArray &payload) const
    {
        return signCompact(QJsonObject { { QStringLiteral("typ"), QStringLiteral("at+jwt") } }, payload, *m_key)
            .value();
    }

private Q_SLOTS:
    void initTestCase()
    {
        auto key = SigningKey::generate();
        QVERIFY(key.ok());
        m_key.emplace(std::move(*key));
        auto vk = m_key->verificationKey();
        QVERIFY(vk.ok());
        m_vk.emplace(*vk);
    }

    void testClaimsRoundTrip()
    {
        const auto token = signAccessToken(claims(), *m_key);
        QVERIFY(token.ok());

        // RFC 9068 §2.1 header.
        const QJsonObject header = QJsonDocument::fromJson(base64UrlDecode(token->split('.').at(0)).value()).object();
        QCOMPARE(header,
            QJsonObject({ { QStringLiteral("alg"), QStringLiteral("ES256") },
                { QStringLiteral("typ"), QStringLiteral("at+jwt") }, { QStringLiteral("kid"), m_key->kid() } }));

        const auto verified = verifyJwt(*token, lookup(), validation());
        QVERIFY2(verified.ok(), qPrintable(verified.ok() ? QString() : verified.error().toString()));
        const QJsonObject &c = *verified;
        QCOMPARE(c.value(QStringLiteral("iss")).toString(), Issuer);
        QCOMPARE(c.value(QStringLiteral("sub")).toString(), QStringLiteral("user-1"));
        QCOMPARE(c.value(QStringLiteral("aud")).toString(), Audience);
        QCOMPARE(c.value(QStringLiteral("client_id")).toString(), QStringLiteral("client-abc"));
        QCOMPARE(c.value(QStringLiteral("scope")).toString(), QStringLiteral("files:read files:write"));
        QCOMPARE(c.value(QStringLiteral("jti")).toString(), QStringLiteral("jti-123"));
        QCOMPARE(c.value(QStringLiteral("iat")).toInteger(), m_clock.nowSecs());
        QCOMPARE(c.value(QStringLiteral("exp")).toInteger(), m_clock.nowSecs() + 300);
        QCOMPARE(c.size(), 8);

        // NumericDates are written as JSON integers.
        const QByteArray payload = base64UrlDecode(token->split('.').at(1)).value();
        QVERIFY(payload.contains(QByteArray("\"exp\":" + QByteArray::number(m_clock.nowSecs() + 300) + ',')));
    }

    void testEmptyScopeIsOmitted()
    {
        AccessTokenClaims c = claims();
        c.scope.clear();
        const auto token = signAccessToken(c, *m_key);
        QVERIFY(token.ok());
        const auto verified = verifyJwt(*token, lookup(), validation());
        QVERIFY(verified.ok());
        QVERIFY(!verified->contains(QStringLiteral("scope")));
    }

    void testSignRefusesBadClaims_data()
    {
        QTest::addColumn<int>("which");
        for (int i = 0; i < 8; ++i)
            QTest::newRow(QByteArray::number(i).constData()) << i;
    }
    void testSignRefusesBadClaims()
    {
        QFETCH(int, which);
        AccessTokenClaims c = claims();
        switch (which) {
        case 0:
            c.iss.clear();
            break;
        case 1:
            c.sub.clear();
            break;
        case 2:
            c.aud.clear();
            break;
        case 3:
            c.clientId.clear();
            break;
        case 4:
            c.jti.clear();
            break;
        case 5:
            c.iat = 0;
            break;
        case 6:
            c.exp = c.iat;
            break;
        case 7:
            c.exp = c.iat - 1;
            break;
        }
        const auto token = signAccessToken(c, *m_key);
        QVERIFY(!token.ok());
        QCOMPARE(token.error().code, QStringLiteral("jwt_bad_claims"));
    }

    void testTimeWindow_data()
    {
        QTest::addColumn<qint64>("advance");
        QTest::addColumn<qint64>("leeway");
        QTest::addColumn<QString>("code"); // empty: accepted
        QTest::newRow("just issued") << qint64(0) << qint64(0) << QString();
        QTest::newRow("one second before exp") << qint64(299) << qint64(0) << QString();
        // RFC 7519 §4.1.4: the current time must be before exp.
        QTest::newRow("at exp") << qint64(300) << qint64(0) << QStringLiteral("jwt_expired");
        QTest::newRow("after exp") << qint64(3600) << qint64(0) << QStringLiteral("jwt_expired");
        QTest::newRow("at exp within leeway") << qint64(300) << qint64(30) << QString();
        QTest::newRow("after leeway") << qint64(330) << qint64(30) << QStringLiteral("jwt_expired");
        QTest::newRow("clock behind, iat future") << qint64(-10) << qint64(0) << QStringLiteral("jwt_issued_in_future");
        QTest::newRow("clock behind within leeway") << qint64(-10) << qint64(30) << QString();
    }
    void testTimeWindow()
    {
        QFETCH(qint64, advance);
        QFETCH(qint64, leeway);
        QFETCH(QString, code);
        const auto token = signAccessToken(claims(), *m_key);
        QVERIFY(token.ok());
        JwtValidation v = validation();
        v.nowSecs += advance;
        v.leewaySecs = leeway;
        const auto r = verifyJwt(*token, lookup(), v);
        if (code.isEmpty()) {
            QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().toString()));
        } else {
            QVERIFY(!r.ok());
            QCOMPARE(r.error().code, code);
        }
    }

    void testClaimRejections_data()
    {
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<QString>("code");
        const qint64 now = m_clock.nowSecs();
        const QJsonObject base = claimsObject();
        auto with = [&base](const char *name, const QJsonValue &v) {
            QJsonObject o = base;
            o.insert(QLatin1String(name), v);
            return o;
        };
        auto without = [&base](const char *name) {
            QJsonObject o = base;
            o.remove(QLatin1String(name));
            return o;
        };

        QTest::newRow("control: accepted") << sign(base) << QString();
        QTest::newRow("nbf past accepted") << sign(with("nbf", now - 5)) << QString();
        QTest::newRow("nbf now accepted") << sign(with("nbf", now)) << QString();
        QTest::newRow("nbf future") << sign(with("nbf", now + 60)) << QStringLiteral("jwt_not_yet_valid");
        QTest::newRow("iat future") << sign(with("iat", now + 60)) << QStringLiteral("jwt_issued_in_future");
        QTest::newRow("expired") << sign(with("exp", now - 1)) << QStringLiteral("jwt_expired");
        QTest::newRow("wrong iss") << sign(with("iss", QStringLiteral("http://127.0.0.1:7392")))
                                   << QStringLiteral("jwt_bad_issuer");
        QTest::newRow("iss trailing slash")
            << sign(with("iss", QString(Issuer + QLatin1Char('/')))) << QStringLiteral("jwt_bad_issuer");
        QTest::newRow("iss missing") << sign(without("iss")) << QStringLiteral("jwt_bad_issuer");
        QTest::newRow("iss array") << sign(with("iss", QJsonArray { Issuer })) << QStringLiteral("jwt_bad_issuer");
        QTest::newRow("wrong aud") << sign(with("aud", QStringLiteral("http://127.0.0.1:9999/mcp")))
                                   << QStringLiteral("jwt_bad_audience");
        QTest::newRow("aud missing") << sign(without("aud")) << QStringLiteral("jwt_bad_audience");
        QTest::newRow("aud array containing it")
            << sign(with("aud", QJsonArray { QStringLiteral("https://other.example"), Audience })) << QString();
        QTest::newRow("aud array without it")
            << sign(with("aud", QJsonArray { QStringLiteral("https://other.example") }))
            << QStringLiteral("jwt_bad_audience");
        QTest::newRow("aud empty array") << sign(with("aud", QJsonArray {})) << QStringLiteral("jwt_bad_audience");
        QTest::newRow("aud array with number")
            << sign(with("aud", QJsonArray { Audience, 3 })) << QStringLiteral("jwt_bad_claim");
        QTest::newRow("aud number") << sign(with("aud", 3)) << QStringLiteral("jwt_bad_claim");
        QTest::newRow("missing exp") << sign(without("exp")) << QStringLiteral("jwt_missing_claim");
        QTest::newRow("missing iat") << sign(without("iat")) << QStringLiteral("jwt_missing_claim");
        // RFC 7519 §2: NumericDate is a JSON number, not a string.
        QTest::newRow("string exp") << sign(with("exp", QString::number(now + 300))) << QStringLiteral("jwt_bad_claim");
        QTest::newRow("string iat") << sign(with("iat", QString::number(now))) << QStringLiteral("jwt_bad_claim");
        QTest::newRow("string nbf") << sign(with("nbf", QString::number(now))) << QStringLiteral("jwt_bad_claim");
        QTest::newRow("null exp") << sign(with("exp", QJsonValue::Null)) << QStringLiteral("jwt_bad_claim");
        QTest::newRow("bool exp") << sign(with("exp", true)) << QStringLiteral("jwt_bad_claim");
        QTest::newRow("fractional exp accepted") << sign(with("exp", double(now) + 0.5)) << QString();
        QTest::newRow("missing sub") << sign(without("sub")) << QStringLiteral("jwt_missing_claim");
        QTest::newRow("missing jti") << sign(without("jti")) << QStringLiteral("jwt_missing_claim");
        QTest::newRow("missing client_id") << sign(without("client_id")) << QStringLiteral("jwt_missing_claim");
        QTest::newRow("client_id number") << sign(with("client_id", 7)) << QStringLiteral("jwt_bad_claim");
        QTest::newRow("scope array") << sign(with("scope", QJsonArray { QStringLiteral("a") }))
                                     << QStringLiteral("jwt_bad_claim");

        // RFC 9068 §4 / RFC 8725 §3.11: the header type keeps other JWTs out.
        QTest::newRow("typ JWT") << sign(base, QStringLiteral("JWT")) << QStringLiteral("jwt_bad_typ");
        QTest::newRow("typ missing") << sign(base, QString()) << QStringLiteral("jwt_bad_typ");
        QTest::newRow("typ application/jwt")
            << sign(base, QStringLiteral("application/jwt")) << QStringLiteral("jwt_bad_typ");
        QTest::newRow("typ at+jwt suffix junk")
            << sign(base, QStringLiteral("at+jwtx")) << QStringLiteral("jwt_bad_typ");
        // RFC 7515 §4.1.9: media type, case-insensitive, "application/" may be omitted.
        QTest::newRow("typ AT+JWT") << sign(base, QStringLiteral("AT+JWT")) << QString();
        QTest::newRow("typ application/at+jwt") << sign(base, QStringLiteral("application/at+jwt")) << QString();
        QTest::newRow("typ Application/At+Jwt") << sign(base, QStringLiteral("Application/At+Jwt")) << QString();

        // An OIDC ID token (typ JWT, no client_id, nonce/auth_time) must not pass as an access token.
        QJsonObject idToken = without("client_id");
        idToken.remove(QStringLiteral("scope"));
        idToken.insert(QStringLiteral("nonce"), QStringLiteral("n-0S6_WzA2Mj"));
        idToken.insert(QStringLiteral("auth_time"), now - 10);
        idToken.insert(QStringLiteral("azp"), QStringLiteral("client-abc"));
        QTest::newRow("id token shaped") << sign(idToken, QStringLiteral("JWT")) << QStringLiteral("jwt_bad_typ");
        QTest::newRow("id token shaped with at+jwt typ") << sign(idToken) << QStringLiteral("jwt_missing_claim");

        // Claims JSON must be unambiguous (RFC 7519 §4: duplicate claim names are rejected).
        const QByteArray good = QJsonDocument(base).toJson(QJsonDocument::Compact);
        QByteArray duplicateAud = good;
        duplicateAud.chop(1);
        duplicateAud += ",\"aud\":\"" + Audience.toLatin1() + "\"}";
        QByteArray duplicateExp = good;
        duplicateExp.chop(1);
        duplicateExp += ",\"exp\":" + QByteArray::number(now + 999999) + '}';
        QTest::newRow("duplicate aud claim") << signRaw(duplicateAud) << QStringLiteral("jwt_malformed");
        QTest::newRow("duplicate exp claim") << signRaw(duplicateExp) << QStringLiteral("jwt_malformed");
        QTest::newRow("trailing data after claims") << signRaw(good + "garbage") << QStringLiteral("jwt_malformed");
        QTest::newRow("claims not json") << signRaw("not json") << QStringLiteral("jwt_malformed");
        QTest::newRow("claims array") << signRaw("[]") << QStringLiteral("jwt_malformed");
        QTest::newRow("claims empty") << signRaw(QByteArray()) << QStringLiteral("jwt_malformed");
    }
    void testClaimRejections()
    {
        QFETCH(QByteArray, token);
        QFETCH(QString, code);
        QVERIFY(!token.isEmpty());
        const auto r = verifyJwt(token, lookup(), validation());
        if (code.isEmpty()) {
            QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().toString()));
        } else {
            QVERIFY2(!r.ok(), "token was accepted");
            QCOMPARE(r.error().code, code);
        }
    }

    void testJwsErrorsMapped_data()
    {
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<QString>("code");
        const QByteArray good = signAccessToken(claims(), *m_key).value();
        const QList<QByteArray> parts = good.split('.');
        const QByteArray noneToken = base64UrlEncode(QByteArray("{\"alg\":\"none\",\"typ\":\"at+jwt\",\"kid\":\""
                                         + m_key->kid().toLatin1() + "\"}"))
            + '.' + parts[1] + '.';
        QTest::newRow("alg none") << noneToken << QStringLiteral("jwt_bad_alg");
        QByteArray tampered = parts[0] + '.'
            + base64UrlEncode(QJsonDocument(claimsObject()).toJson(QJsonDocument::Indented)) + '.' + parts[2];
        QTest::newRow("bad signature") << tampered << QStringLiteral("jwt_bad_signature");
        QTest::newRow("malformed") << parts[0] + '.' + parts[1] << QStringLiteral("jwt_malformed");
        QTest::newRow("unknown kid") << signCompact(QJsonObject { { QStringLiteral("typ"), QStringLiteral("at+jwt") } },
            parts[1], SigningKey::generate().value())
                                            .value()
                                     << QStringLiteral("jwt_unknown_kid");
        QTest::newRow("too large") << QByteArray(MaxJwsSize + 1, 'a') << QStringLiteral("jwt_too_large");
    }
    void testJwsErrorsMapped()
    {
        QFETCH(QByteArray, token);
        QFETCH(QString, code);
        const auto r = verifyJwt(token, lookup(), validation());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, code);
    }

    void testIncompleteValidationFailsClosed_data()
    {
        QTest::addColumn<int>("which");
        for (int i = 0; i < 5; ++i)
            QTest::newRow(QByteArray::number(i).constData()) << i;
    }
    void testIncompleteValidationFailsClosed()
    {
        QFETCH(int, which);
        JwtValidation v = validation();
        switch (which) {
        case 0:
            v.issuer.clear();
            break;
        case 1:
            v.audience.clear();
            break;
        case 2:
            v.typ.clear();
            break;
        case 3:
            v.nowSecs = 0;
            break;
        case 4:
            v.leewaySecs = -1;
            break;
        }
        const auto r = verifyJwt(signAccessToken(claims(), *m_key).value(), lookup(), v);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("jwt_bad_validation"));
    }
};

QTEST_GUILESS_MAIN(TestJwt)
#include "tst_jwt.moc"
