// SPDX-License-Identifier: GPL-3.0-or-later
// security-cases.md group C (dynamic client registration, RFC 7591), end to end through the real
// authorization server: POST /register, then what the registration can and cannot do at
// /authorize and /token. The metadata rules themselves are unit-tested in tst_clientregistration.
#include "asfixture.h"

#include "oauth/clientregistration.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpServer>
#include <QTest>

using namespace Tessera;
using namespace Tessera::Test;
using namespace Qt::Literals::StringLiterals;

namespace {

QByteArray body(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QJsonObject withRedirects(const QJsonArray &uris)
{
    return QJsonObject { { u"redirect_uris"_s, uris }, { u"token_endpoint_auth_method"_s, u"none"_s } };
}

} // namespace

class TestSecurityRegistration : public QObject
{
    Q_OBJECT

    std::unique_ptr<AsFixture> m_f;

    // Registration refused with @p error and nothing stored.
    void expectRefused(const QJsonObject &request, const QString &error)
    {
        AsFixture &f = *m_f;
        const qint64 before = f.clientCount();
        const HttpReply r = f.post("/register", "application/json", body(request));
        QCOMPARE(r.status, 400);
        QCOMPARE(errorOf(r), error);
        QVERIFY(!AsFixture::json(r).contains(u"client_id"_s));
        QCOMPARE(f.clientCount(), before);
        QCOMPARE(f.pendingConsents(), 0);
    }

private Q_SLOTS:
    void init()
    {
        m_f = std::make_unique<AsFixture>();
        QVERIFY2(m_f->setup(), qPrintable(m_f->setup().ok() ? QString() : m_f->setup().error().toString()));
    }
    void cleanup() { m_f.reset(); }

    // C1: an allow-list of schemes after parsing: https, or http on loopback. Everything else is
    // invalid_redirect_uri, whatever its spelling, and one bad URI refuses the whole request.
    void testC1_dangerousRedirectSchemes_data()
    {
        QTest::addColumn<QString>("uri");
        for (const QString &uri : { u"javascript:alert(1)"_s, u"JaVaScRiPt:alert(1)"_s, u" javascript:alert(1)"_s,
                 u"java\tscript:alert(1)"_s, u"java\nscript:alert(1)"_s, u"\u0000javascript:alert(1)"_s,
                 u"javascript://127.0.0.1/%0aalert(1)"_s, u"data:text/html,<script>alert(1)</script>"_s,
                 u"vbscript:msgbox(1)"_s, u"file:///etc/passwd"_s, u"blob:http://127.0.0.1/x"_s,
                 u"ms-msdt:/id PCWDiagnostic"_s, u"ftp://127.0.0.1/cb"_s, u"ws://127.0.0.1/cb"_s,
                 u"com.example.app:/cb"_s, u"about:blank"_s, u"view-source:http://127.0.0.1/cb"_s })
            QTest::addRow("%s",
                qPrintable(QString(uri).replace(u'\t', u"\\t"_s).replace(u'\n', u"\\n"_s).replace(QChar(0), u"\\0"_s)))
                << uri;
    }
    void testC1_dangerousRedirectSchemes()
    {
        QFETCH(QString, uri);
        // U+0000 is refused by the JSON reader itself, anywhere in a body (I-JSON, B6), before any
        // member is looked at: that is invalid_client_metadata, not a verdict on the URI.
        const QString error = uri.contains(QChar(0)) ? u"invalid_client_metadata"_s : u"invalid_redirect_uri"_s;
        expectRefused(withRedirects(QJsonArray { uri }), error);
        expectRefused(withRedirects(QJsonArray { u"http://127.0.0.1/cb"_s, uri }), error);
    }

    // C2: plain http only on loopback; no wildcards or fragments. localhost is accepted and
    // flagged for the consent prompt, which also gets the exact redirect URI with its port.
    void testC2_nonLoopbackHttpWildcardFragment_data()
    {
        QTest::addColumn<QString>("uri");
        for (const QString &uri : { u"http://example.com/cb"_s, u"http://127.0.0.1/*"_s, u"http://127.0.0.1/cb#frag"_s,
                 u"http://127.0.0.1/cb#"_s, u"http://127.0.0.1:*/cb"_s, u"http://*.example.com/cb"_s,
                 u"https://*.example.com/cb"_s, u"http://192.168.1.10/cb"_s, u"http://10.0.0.1/cb"_s,
                 u"http://[::]/cb"_s, u"http://0.0.0.0/cb"_s, u"http://localhost.evil.example/cb"_s })
            QTest::addRow("%s", qPrintable(uri)) << uri;
    }
    void testC2_nonLoopbackHttpWildcardFragment()
    {
        QFETCH(QString, uri);
        expectRefused(withRedirects(QJsonArray { uri }), u"invalid_redirect_uri"_s);
    }

    void testC2_localhostAcceptedAndFlagged()
    {
        AsFixture &f = *m_f;
        AS_TRY(client,
            f.registerClient(QJsonObject { { u"redirect_uris"_s, QJsonArray { u"http://localhost:1234/cb"_s } } }));
        QCOMPARE(client.redirectUri, u"http://localhost:1234/cb"_s);
        Params q = f.authorizeParams(client, Pkce::fresh());
        q.set(u"redirect_uri"_s, u"http://localhost:40123/cb"_s);
        AS_TRY(pending, f.begin(q));
        const auto shown = f.broker->find(pending.consentId);
        QVERIFY(shown);
        QVERIFY(shown->requester.localhostName);
        QVERIFY(shown->requester.loopbackRedirect);
        QCOMPARE(shown->requester.redirectUri, u"http://localhost:40123/cb"_s);
        AS_TRY(redirect, f.approve(pending));
        QCOMPARE(redirect.target, u"http://localhost:40123/cb"_s);
    }

    // C3: only what Tessera offers: authorization_code (+ refresh_token), response type code,
    // and the three token endpoint auth methods of the metadata.
    void testC3_disallowedGrantsAndMethods_data()
    {
        QTest::addColumn<QString>("member");
        QTest::addColumn<QJsonValue>("value");
        const auto arr = [](std::initializer_list<QString> items) {
            QJsonArray a;
            for (const QString &i : items)
                a.append(i);
            return QJsonValue(a);
        };
        QTest::newRow("password") << u"grant_types"_s << arr({ u"password"_s });
        QTest::newRow("implicit") << u"grant_types"_s << arr({ u"implicit"_s });
        QTest::newRow("client_credentials") << u"grant_types"_s << arr({ u"client_credentials"_s });
        QTest::newRow("code + password") << u"grant_types"_s << arr({ u"authorization_code"_s, u"password"_s });
        QTest::newRow("device code") << u"grant_types"_s << arr({ u"urn:ietf:params:oauth:grant-type:device_code"_s });
        QTest::newRow("jwt bearer") << u"grant_types"_s << arr({ u"urn:ietf:params:oauth:grant-type:jwt-bearer"_s });
        QTest::newRow("refresh only") << u"grant_types"_s << arr({ u"refresh_token"_s });
        QTest::newRow("empty grant list") << u"grant_types"_s << arr({});
        QTest::newRow("response token") << u"response_types"_s << arr({ u"token"_s });
        QTest::newRow("response code token") << u"response_types"_s << arr({ u"code"_s, u"token"_s });
        QTest::newRow("response id_token") << u"response_types"_s << arr({ u"id_token"_s });
        QTest::newRow("response 'code token'") << u"response_types"_s << arr({ u"code token"_s });
        for (const QString &m : { u"private_key_jwt"_s, u"client_secret_jwt"_s, u"tls_client_auth"_s,
                 u"self_signed_tls_client_auth"_s, u"bogus"_s, QString(), u"NONE"_s })
            QTest::addRow("auth method '%s'", qPrintable(m)) << u"token_endpoint_auth_method"_s << QJsonValue(m);
    }
    void testC3_disallowedGrantsAndMethods()
    {
        QFETCH(QString, member);
        QFETCH(QJsonValue, value);
        QJsonObject request = withRedirects(QJsonArray { u"http://127.0.0.1/cb"_s });
        request.insert(member, value);
        expectRefused(request, u"invalid_client_metadata"_s);
    }

    // C3 at the token endpoint: grants that were not registered or are not offered get nothing.
    void testC3_tokenEndpointHonoursRegisteredGrants()
    {
        AsFixture &f = *m_f;
        AS_TRY(
            codeOnly, f.registerClient(QJsonObject { { u"grant_types"_s, QJsonArray { u"authorization_code"_s } } }));
        AS_TRY(tokens, f.issueTokens(codeOnly, u"read"_s));
        QVERIFY(tokens.refreshToken.isEmpty());
        const HttpReply refresh = f.refreshReply(codeOnly, u"anything"_s);
        QCOMPARE(refresh.status, 400);
        QCOMPARE(errorOf(refresh), u"unauthorized_client"_s);
        for (const QString &grant :
            { u"password"_s, u"client_credentials"_s, u"implicit"_s, u"urn:ietf:params:oauth:grant-type:device_code"_s,
                u"urn:ietf:params:oauth:grant-type:token-exchange"_s }) {
            const HttpReply r = f.token(codeOnly,
                Params { { u"grant_type"_s, grant }, { u"username"_s, u"u"_s }, { u"password"_s, u"p"_s },
                    { u"scope"_s, u"read"_s } });
            QCOMPARE(r.status, 400);
            QCOMPARE(errorOf(r), u"unsupported_grant_type"_s);
            QVERIFY(!AsFixture::json(r).contains(u"access_token"_s));
        }
    }

    // C4: self-asserted metadata may be registered, but it is shown as such, remote logos are
    // never fetched, and non-https links are refused.
    void testC4_selfAssertedIdentityMetadata()
    {
        AsFixture &f = *m_f;
        QTcpServer tracker; // stands in for https://evil/track.png: nothing may ever connect to it
        QVERIFY(tracker.listen(QHostAddress::LocalHost, 0));
        int fetches = 0;
        connect(&tracker, &QTcpServer::newConnection, this, [&fetches] { ++fetches; });
        const QString logo = u"https://127.0.0.1:%1/track.png"_s.arg(tracker.serverPort());

        for (const auto &[member, value] :
            QList<QPair<QString, QString>> { { u"client_uri"_s, u"file:///etc/passwd"_s },
                { u"client_uri"_s, u"ms-msdt:/id PCWDiagnostic /skip force"_s },
                { u"logo_uri"_s, u"http://127.0.0.1:1/track.png"_s },
                { u"logo_uri"_s, u"data:image/png;base64,AA=="_s }, { u"policy_uri"_s, u"javascript:alert(1)"_s },
                { u"tos_uri"_s, u"smb://evil/share"_s }, { u"client_uri"_s, u"\\\\evil\\share"_s } }) {
            QJsonObject request = withRedirects(QJsonArray { u"http://127.0.0.1/cb"_s });
            request.insert(member, value);
            expectRefused(request, u"invalid_client_metadata"_s);
        }

        AS_TRY(impostor,
            f.registerClient(QJsonObject { { u"client_name"_s, u"Claude Desktop"_s }, { u"logo_uri"_s, logo },
                { u"client_uri"_s, u"https://claude.ai"_s } }));
        AS_TRY(twin, f.registerClient(QJsonObject { { u"client_name"_s, u"Claude Desktop"_s } }));
        QVERIFY(impostor.id != twin.id); // a name is not an identity

        AS_TRY(pending, f.begin(f.authorizeParams(impostor, Pkce::fresh())));
        QVERIFY(pending.page.body.contains("Claude Desktop</span> (self-asserted name)"));
        QVERIFY(!pending.page.body.contains(logo.toUtf8()));
        QVERIFY(!pending.page.body.contains("claude.ai"));
        const auto shown = f.broker->find(pending.consentId);
        QVERIFY(shown);
        QCOMPARE(shown->requester.clientName, u"Claude Desktop"_s);
        QCOMPARE(shown->requester.clientKind, u"dcr"_s);
        QVERIFY(shown->requester.verifiedDomain.isEmpty()); // nothing about it was verified
        QVERIFY(shown->requester.newClient);
        AS_TRY(redirect, f.approve(pending));
        QVERIFY(!redirect.code().isEmpty());
        QTest::qWait(50);
        QCOMPARE(fetches, 0);
    }

    // C5: a registration flood gets 429 with Retry-After after maxPerMinute; registration alone
    // never raises a prompt; registrations nobody approved expire and are purged, so storage
    // stays bounded. RFC 7592 management is not offered: /register/{id} is 404.
    void testC5_registrationFlood()
    {
        AsFixture &f = *m_f;
        const int limit = f.server->registration().limits().maxPerMinute;
        QVERIFY(limit > 0 && limit < 1000);
        QList<TestClient> clients;
        int limited = 0;
        for (int i = 0; i < limit + 5; ++i) {
            const HttpReply r
                = f.post("/register", "application/json", body(withRedirects(QJsonArray { u"http://127.0.0.1/cb"_s })));
            if (i < limit) {
                QCOMPARE(r.status, 201);
                clients << TestClient { AsFixture::json(r).value(u"client_id"_s).toString(), {},
                    u"http://127.0.0.1:5000/cb"_s, u"none"_s };
                continue;
            }
            QCOMPARE(r.status, 429);
            const int retryAfter = r.header("retry-after").toInt();
            QVERIFY2(retryAfter >= 1 && retryAfter <= 60, r.header("retry-after").constData());
            QCOMPARE(errorOf(r), u"invalid_request"_s);
            ++limited;
        }
        QCOMPARE(limited, 5);
        QCOMPARE(f.clientCount(), qint64(limit));
        QCOMPARE(f.pendingConsents(), 0);

        // The window moves on.
        f.clock.advanceSecs(61);
        AS_TRY(later, f.registerClient());
        QCOMPARE(f.clientCount(), qint64(limit + 1));

        // One client gets approved; the others never do.
        AS_TRY(tokens, f.issueTokens(later, u"read"_s));
        QVERIFY(!tokens.accessToken.isEmpty());
        f.clock.advanceSecs(f.server->registration().limits().unconsentedTtlSecs + 1);
        // Expired, even before the purge: no prompt, no token.
        const HttpReply page = f.getAuthorize(f.authorizeParams(clients.first(), Pkce::fresh()));
        QCOMPARE(page.status, 400);
        QVERIFY(!page.hasHeader("location"));
        QCOMPARE(f.pendingConsents(), 0);
        const HttpReply token = f.token(clients.first(), f.redemption(clients.first(), u"x"_s, Pkce::fresh()));
        QCOMPARE(token.status, 401);
        QCOMPARE(errorOf(token), u"invalid_client"_s);

        f.server->maintain();
        QCOMPARE(f.clientCount(), qint64(1));
        QCOMPARE(f.scalar(u"SELECT count(*) FROM clients WHERE client_id = ?"_s, { later.id }), qint64(1));

        for (const QByteArray &method :
            { QByteArray("GET"), QByteArray("PUT"), QByteArray("DELETE"), QByteArray("POST") }) {
            const HttpReply r = f.send(method + " /register/" + later.id.toLatin1() + " HTTP/1.1\r\nHost: " + f.host()
                + "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
            QCOMPARE(r.status, 404);
        }
        QCOMPARE(f.clientCount(), qint64(1));
    }
};

QTEST_GUILESS_MAIN(TestSecurityRegistration)
#include "tst_security_registration.moc"
