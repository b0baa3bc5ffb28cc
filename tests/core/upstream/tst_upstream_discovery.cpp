// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 11.1: the parsers and validators of the upstream OAuth client (no network).
#include "crypto/pkce.h"
#include "upstream/discovery.h"
#include "upstream/oauthclient.h"

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QUrlQuery>

using namespace Tessera;
using namespace Tessera::Upstream;
using namespace Qt::Literals::StringLiterals;

namespace {

const QString Issuer = u"http://127.0.0.1:9000"_s;

QJsonObject goodAsMetadata()
{
    return QJsonObject {
        { u"issuer"_s, Issuer },
        { u"authorization_endpoint"_s, QString(Issuer + u"/auth"_s) },
        { u"token_endpoint"_s, QString(Issuer + u"/token"_s) },
        { u"registration_endpoint"_s, QString(Issuer + u"/reg"_s) },
        { u"revocation_endpoint"_s, QString(Issuer + u"/token/revocation"_s) },
        { u"response_types_supported"_s, QJsonArray { u"code"_s } },
        { u"code_challenge_methods_supported"_s, QJsonArray { u"S256"_s } },
        { u"authorization_response_iss_parameter_supported"_s, true },
    };
}

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

DiscoveryResult discovered()
{
    DiscoveryResult d;
    d.mcpUrl = QUrl(u"http://127.0.0.1:9100/mcp"_s);
    d.resourceMetadata.resource = u"http://127.0.0.1:9100/mcp"_s;
    d.resourceMetadata.authorizationServers = { Issuer };
    d.resourceMetadata.scopesSupported = { u"files:read"_s, u"files:write"_s };
    d.serverMetadata = *validateAuthorizationServerMetadata(json(goodAsMetadata()), Issuer);
    d.challengedScope = u"files:read"_s;
    return d;
}

} // namespace

class TestUpstreamDiscovery : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void testI11_wwwAuthenticateParses_data()
    {
        QTest::addColumn<QList<QByteArray>>("fields");
        QTest::addColumn<int>("challenges");
        QTest::addColumn<QString>("resourceMetadata");
        QTest::addColumn<QString>("scope");
        QTest::newRow("quoted")
            << QList<QByteArray> { "Bearer resource_metadata=\"http://h/.well-known/oauth-protected-resource/mcp\", "
                                   "scope=\"a b\"" }
            << 1 << u"http://h/.well-known/oauth-protected-resource/mcp"_s << u"a b"_s;
        QTest::newRow("token values, odd case, BWS")
            << QList<QByteArray> { "bEaReR scope = files:read ,resource_metadata=http://h/x" } << 1 << u"http://h/x"_s
            << u"files:read"_s;
        QTest::newRow("quoted comma and escapes")
            << QList<QByteArray> { "Bearer scope=\"a,b \\\"c\\\" \\\\d\", error=\"invalid_token\"" } << 1 << QString()
            << u"a,b \"c\" \\d"_s;
        QTest::newRow("Basic first, then Bearer")
            << QList<QByteArray> { "Basic realm=\"x, y\", Bearer scope=\"s\", resource_metadata=\"http://h/m\"" } << 2
            << u"http://h/m"_s << u"s"_s;
        QTest::newRow("token68 then Bearer")
            << QList<QByteArray> { "Negotiate abc+/==, Bearer scope=s" } << 2 << QString() << u"s"_s;
        QTest::newRow("two field lines") << QList<QByteArray> { "DPoP algs=\"ES256\"", "Bearer scope=\"t\"" } << 2
                                         << QString() << u"t"_s;
        QTest::newRow("bare scheme, empty elements")
            << QList<QByteArray> { ", Bearer ,, Basic realm=r" } << 2 << QString() << QString();
    }
    void testI11_wwwAuthenticateParses()
    {
        QFETCH(QList<QByteArray>, fields);
        QFETCH(int, challenges);
        QFETCH(QString, resourceMetadata);
        QFETCH(QString, scope);
        Result<QList<Challenge>> parsed = parseWwwAuthenticate(fields);
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().toString()));
        QCOMPARE(parsed->size(), challenges);
        Result<std::optional<BearerChallenge>> bearer = findBearerChallenge(*parsed);
        QVERIFY(bearer.ok());
        QVERIFY(bearer->has_value());
        QCOMPARE((*bearer)->resourceMetadata.toString(), resourceMetadata);
        QCOMPARE((*bearer)->scope, scope);
    }

    void testI11_wwwAuthenticateRefuses_data()
    {
        QTest::addColumn<QByteArray>("field");
        QTest::newRow("unterminated quote") << QByteArray("Bearer scope=\"a");
        QTest::newRow("duplicate parameter") << QByteArray("Bearer scope=\"a\", SCOPE=\"b\"");
        QTest::newRow("no space after scheme") << QByteArray("Bearer=x");
        QTest::newRow("missing value") << QByteArray("Bearer scope=, error=x");
        QTest::newRow("garbage between params") << QByteArray("Bearer scope=\"a\" error=\"b\"");
        QTest::newRow("control char in quotes") << QByteArray("Bearer scope=\"a\x01\"");
        QTest::newRow("relative resource_metadata") << QByteArray("Bearer resource_metadata=\"/x\"");
        QTest::newRow("too long") << QByteArray("Bearer scope=\"" + QByteArray(9000, 'a') + "\"");
        QByteArray many = "Bearer a0=1";
        for (int i = 1; i < 40; ++i)
            many += ", a" + QByteArray::number(i) + "=1";
        QTest::newRow("too many params") << many;
    }
    void testI11_wwwAuthenticateRefuses()
    {
        QFETCH(QByteArray, field);
        Result<QList<Challenge>> parsed = parseWwwAuthenticate({ field });
        if (parsed.ok()) {
            Result<std::optional<BearerChallenge>> bearer = findBearerChallenge(*parsed);
            QVERIFY(!bearer.ok());
            QCOMPARE(bearer.error().code, u"upstream_bad_challenge"_s);
            return;
        }
        QCOMPARE(parsed.error().code, u"upstream_bad_challenge"_s);
    }

    void testI11_noBearerChallenge()
    {
        Result<QList<Challenge>> parsed = parseWwwAuthenticate({ "Basic realm=\"x\"" });
        QVERIFY(parsed.ok());
        QVERIFY(!findBearerChallenge(*parsed)->has_value());
    }

    void testI11_wellKnownUrlsInSpecOrder()
    {
        QCOMPARE(protectedResourceMetadataUrls(QUrl(u"https://h:8443/a/mcp/"_s)),
            (QList<QUrl> { QUrl(u"https://h:8443/.well-known/oauth-protected-resource/a/mcp"_s),
                QUrl(u"https://h:8443/.well-known/oauth-protected-resource"_s) }));
        QCOMPARE(protectedResourceMetadataUrls(QUrl(u"https://h/"_s)),
            (QList<QUrl> { QUrl(u"https://h/.well-known/oauth-protected-resource"_s) }));
        QCOMPARE(authorizationServerMetadataUrls(QUrl(u"https://as.example/tenant1"_s)),
            (QList<QUrl> { QUrl(u"https://as.example/.well-known/oauth-authorization-server/tenant1"_s),
                QUrl(u"https://as.example/.well-known/openid-configuration/tenant1"_s),
                QUrl(u"https://as.example/tenant1/.well-known/openid-configuration"_s) }));
        QCOMPARE(authorizationServerMetadataUrls(QUrl(u"https://as.example"_s)),
            (QList<QUrl> { QUrl(u"https://as.example/.well-known/oauth-authorization-server"_s),
                QUrl(u"https://as.example/.well-known/openid-configuration"_s) }));
    }

    void testI11_asMetadataAccepted()
    {
        Result<AuthorizationServerMetadata> m = validateAuthorizationServerMetadata(json(goodAsMetadata()), Issuer);
        QVERIFY2(m.ok(), qPrintable(m.ok() ? QString() : m.error().toString()));
        QCOMPARE(m->tokenEndpoint, QUrl(Issuer + u"/token"_s));
        QVERIFY(m->issParameterSupported);
    }

    void testI11_asMetadataRefused_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("code");
        auto without = [](const char *key) {
            QJsonObject o = goodAsMetadata();
            o.remove(QLatin1StringView(key));
            return json(o);
        };
        auto with = [](const char *key, const QJsonValue &v) {
            QJsonObject o = goodAsMetadata();
            o.insert(QLatin1StringView(key), v);
            return json(o);
        };
        QTest::newRow("issuer mismatch") << with("issuer", QString(Issuer + u"/"_s)) << u"upstream_issuer_mismatch"_s;
        QTest::newRow("issuer other host")
            << with("issuer", u"http://localhost:9000"_s) << u"upstream_issuer_mismatch"_s;
        QTest::newRow("no issuer") << without("issuer") << u"upstream_bad_as_metadata"_s;
        QTest::newRow("no authorization_endpoint")
            << without("authorization_endpoint") << u"upstream_bad_as_metadata"_s;
        QTest::newRow("no token_endpoint") << without("token_endpoint") << u"upstream_bad_as_metadata"_s;
        QTest::newRow("no PKCE methods") << without("code_challenge_methods_supported") << u"upstream_no_pkce"_s;
        QTest::newRow("plain only") << with("code_challenge_methods_supported", QJsonArray { u"plain"_s })
                                    << u"upstream_no_pkce"_s;
        QTest::newRow("no code response type")
            << with("response_types_supported", QJsonArray { u"token"_s }) << u"upstream_bad_as_metadata"_s;
        QTest::newRow("http token endpoint off loopback")
            << with("token_endpoint", u"http://as.example/token"_s) << u"upstream_insecure_url"_s;
        QTest::newRow("relative endpoint")
            << with("authorization_endpoint", u"/auth"_s) << u"upstream_bad_as_metadata"_s;
        QTest::newRow("iss flag not bool")
            << with("authorization_response_iss_parameter_supported", u"true"_s) << u"upstream_bad_as_metadata"_s;
        QTest::newRow("duplicate member")
            << QByteArray("{\"issuer\":\"x\",\"issuer\":\"http://127.0.0.1:9000\"}") << u"upstream_bad_as_metadata"_s;
        QTest::newRow("not json") << QByteArray("<html>") << u"upstream_bad_as_metadata"_s;
    }
    void testI11_asMetadataRefused()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, code);
        Result<AuthorizationServerMetadata> m = validateAuthorizationServerMetadata(body, Issuer);
        QVERIFY(!m.ok());
        QCOMPARE(m.error().code, code);
        QVERIFY(!m.error().message.isEmpty());
    }

    void testI11_resourceMetadata_data()
    {
        QTest::addColumn<QString>("resource");
        QTest::addColumn<QJsonValue>("servers");
        QTest::addColumn<QString>("code"); // empty: accepted
        const QJsonValue one = QJsonArray { Issuer };
        QTest::newRow("exact") << u"http://127.0.0.1:9100/mcp"_s << one << QString();
        QTest::newRow("trailing slash, upper-case host") << u"HTTP://127.0.0.1:9100/mcp/"_s << one << QString();
        QTest::newRow("origin prefix") << u"http://127.0.0.1:9100"_s << one << QString();
        QTest::newRow("other path") << u"http://127.0.0.1:9100/other"_s << one << u"upstream_resource_mismatch"_s;
        QTest::newRow("partial segment") << u"http://127.0.0.1:9100/mc"_s << one << u"upstream_resource_mismatch"_s;
        QTest::newRow("other port") << u"http://127.0.0.1:9101/mcp"_s << one << u"upstream_resource_mismatch"_s;
        QTest::newRow("no servers") << u"http://127.0.0.1:9100/mcp"_s << QJsonValue(QJsonArray {})
                                    << u"upstream_bad_resource_metadata"_s;
        QTest::newRow("servers missing") << u"http://127.0.0.1:9100/mcp"_s << QJsonValue()
                                         << u"upstream_bad_resource_metadata"_s;
        QTest::newRow("http AS off loopback")
            << u"http://127.0.0.1:9100/mcp"_s << QJsonValue(QJsonArray { u"http://as.example"_s })
            << u"upstream_insecure_url"_s;
        QTest::newRow("no resource") << QString() << one << u"upstream_bad_resource_metadata"_s;
    }
    void testI11_resourceMetadata()
    {
        QFETCH(QString, resource);
        QFETCH(QJsonValue, servers);
        QFETCH(QString, code);
        QJsonObject o;
        if (!resource.isEmpty())
            o.insert(u"resource"_s, resource);
        if (!servers.isUndefined() && !servers.isNull())
            o.insert(u"authorization_servers"_s, servers);
        Result<ProtectedResourceMetadata> m
            = validateProtectedResourceMetadata(json(o), QUrl(u"http://127.0.0.1:9100/mcp"_s));
        if (code.isEmpty()) {
            QVERIFY2(m.ok(), qPrintable(m.ok() ? QString() : m.error().toString()));
            return;
        }
        QVERIFY(!m.ok());
        QCOMPARE(m.error().code, code);
    }

    void testI11_transportRuleLoopbackException_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("allowed");
        QTest::newRow("https anywhere") << u"https://mcp.example.com/mcp"_s << true;
        QTest::newRow("http 127.0.0.1") << u"http://127.0.0.1:8080/x"_s << true;
        QTest::newRow("http 127.5.6.7") << u"http://127.5.6.7/x"_s << true;
        QTest::newRow("http [::1]") << u"http://[::1]:8080/x"_s << true;
        QTest::newRow("http localhost") << u"http://localhost:8080/x"_s << true;
        QTest::newRow("http remote") << u"http://mcp.example.com/mcp"_s << false;
        QTest::newRow("http LAN") << u"http://192.168.1.10/mcp"_s << false;
        QTest::newRow("http 127.0.0.1.evil") << u"http://127.0.0.1.evil.example/x"_s << false;
        QTest::newRow("http localhost.evil") << u"http://localhost.evil.example/x"_s << false;
        QTest::newRow("userinfo") << u"https://user:pw@mcp.example.com/"_s << false;
        QTest::newRow("ftp") << u"ftp://127.0.0.1/x"_s << false;
        QTest::newRow("relative") << u"/x"_s << false;
    }
    void testI11_transportRuleLoopbackException()
    {
        QFETCH(QString, url);
        QFETCH(bool, allowed);
        QCOMPARE(checkTransport(QUrl(url)).ok(), allowed);
    }

    void testI11_scopeSelection()
    {
        DiscoveryResult d = discovered();
        QCOMPARE(d.scopeToRequest(), u"files:read"_s);
        d.challengedScope.clear();
        QCOMPARE(d.scopeToRequest(), u"files:read files:write"_s);
        d.resourceMetadata.scopesSupported.clear();
        QCOMPARE(d.scopeToRequest(), QString());
    }

    void testI11_authorizationUrl()
    {
        UpstreamHttp http;
        OAuthClient client(http, discovered());
        const ClientCredentials creds { Issuer, u"cid"_s, {}, u"none"_s };
        Result<PendingAuthorization> p = client.beginAuthorization(creds, u"http://127.0.0.1:7391/connect/callback"_s);
        QVERIFY(p.ok());
        const QUrlQuery q(p->authorizationUrl);
        QCOMPARE(p->authorizationUrl.toString(QUrl::RemoveQuery), Issuer + u"/auth"_s);
        QCOMPARE(q.queryItemValue(u"response_type"_s), u"code"_s);
        QCOMPARE(q.queryItemValue(u"client_id"_s), u"cid"_s);
        QCOMPARE(q.queryItemValue(u"code_challenge_method"_s), u"S256"_s);
        QVERIFY(Crypto::verifyS256(p->codeVerifier.toLatin1(), q.queryItemValue(u"code_challenge"_s).toLatin1()));
        QCOMPARE(q.queryItemValue(u"state"_s), p->state);
        QVERIFY(p->state.size() >= 43);
        QCOMPARE(q.queryItemValue(u"resource"_s, QUrl::FullyDecoded), u"http://127.0.0.1:9100/mcp"_s);
        QCOMPARE(q.queryItemValue(u"redirect_uri"_s, QUrl::FullyDecoded), u"http://127.0.0.1:7391/connect/callback"_s);
        QCOMPARE(q.queryItemValue(u"scope"_s, QUrl::FullyDecoded), u"files:read"_s);
        QVERIFY(!p->authorizationUrl.toString().contains(p->codeVerifier));
        // Two authorizations never share state or verifier.
        Result<PendingAuthorization> p2 = client.beginAuthorization(creds, u"http://127.0.0.1:7391/connect/callback"_s);
        QVERIFY(p2->state != p->state && p2->codeVerifier != p->codeVerifier);
        // Credentials from another issuer are refused (SEP-2352), and so is an insecure callback.
        QCOMPARE(client.beginAuthorization({ u"https://other"_s, u"cid"_s, {}, u"none"_s }, u"http://127.0.0.1/cb"_s)
                     .error()
                     .code,
            u"upstream_wrong_issuer"_s);
        QCOMPARE(
            client.beginAuthorization(creds, u"http://evil.example/cb"_s).error().code, u"upstream_bad_redirect_uri"_s);
    }

    void testI11_callbackValidation_data()
    {
        QTest::addColumn<QString>("query"); // STATE and ISS are substituted
        QTest::addColumn<bool>("issRequired");
        QTest::addColumn<QString>("code"); // error code, or "" for success
        QTest::newRow("ok with iss") << u"code=abc&state=STATE&iss=ISS"_s << true << QString();
        QTest::newRow("ok without iss, not advertised") << u"code=abc&state=STATE"_s << false << QString();
        QTest::newRow("iss missing though advertised")
            << u"code=abc&state=STATE"_s << true << u"upstream_iss_missing"_s;
        QTest::newRow("iss mismatch") << u"code=abc&state=STATE&iss=http%3A%2F%2Fevil.example"_s << false
                                      << u"upstream_iss_mismatch"_s;
        QTest::newRow("iss mismatch trailing slash")
            << u"code=abc&state=STATE&iss=ISS%2F"_s << true << u"upstream_iss_mismatch"_s;
        QTest::newRow("iss mismatch on error")
            << u"error=access_denied&state=STATE&iss=http%3A%2F%2Fevil"_s << true << u"upstream_iss_mismatch"_s;
        QTest::newRow("state mismatch") << u"code=abc&state=other&iss=ISS"_s << true << u"upstream_state_mismatch"_s;
        QTest::newRow("state missing") << u"code=abc&iss=ISS"_s << true << u"upstream_state_mismatch"_s;
        QTest::newRow("duplicate code") << u"code=a&code=b&state=STATE&iss=ISS"_s << true << u"upstream_bad_callback"_s;
        QTest::newRow("access denied") << u"error=access_denied&state=STATE&iss=ISS"_s << true
                                       << u"upstream_authorization_denied"_s;
        QTest::newRow("other error") << u"error=invalid_scope&state=STATE&iss=ISS"_s << true
                                     << u"upstream_authorization_error"_s;
        QTest::newRow("no code") << u"state=STATE&iss=ISS"_s << true << u"upstream_bad_callback"_s;
    }
    void testI11_callbackValidation()
    {
        QFETCH(QString, query);
        QFETCH(bool, issRequired);
        QFETCH(QString, code);
        PendingAuthorization p;
        p.state = u"s-123_abc"_s;
        p.issuer = Issuer;
        p.issRequired = issRequired;
        query.replace(u"STATE"_s, p.state).replace(u"ISS"_s, QString::fromLatin1(QUrl::toPercentEncoding(Issuer)));
        QUrl callback(u"http://127.0.0.1:7391/connect/callback"_s);
        callback.setQuery(query, QUrl::StrictMode);
        Result<QString> r = OAuthClient::validateCallback(p, callback);
        if (code.isEmpty()) {
            QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().toString()));
            QCOMPARE(*r, u"abc"_s);
            return;
        }
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, code);
    }

    void testI11_tokenResponse_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("code");
        QTest::newRow("ok") << 200
                            << QByteArray("{\"access_token\":\"at\",\"token_type\":\"bearer\",\"expires_in\":60,"
                                          "\"refresh_token\":\"rt\",\"scope\":\"a\"}")
                            << QString();
        QTest::newRow("invalid_grant") << 400 << QByteArray("{\"error\":\"invalid_grant\"}")
                                       << u"upstream_needs_sign_in"_s;
        QTest::newRow("invalid_client") << 401 << QByteArray("{\"error\":\"invalid_client\"}")
                                        << u"upstream_client_rejected"_s;
        QTest::newRow("invalid_target") << 400 << QByteArray("{\"error\":\"invalid_target\"}")
                                        << u"upstream_invalid_target"_s;
        QTest::newRow("error in 200") << 200 << QByteArray("{\"error\":\"invalid_grant\"}")
                                      << u"upstream_needs_sign_in"_s;
        QTest::newRow("500 html") << 500 << QByteArray("<html>") << u"upstream_token_error"_s;
        QTest::newRow("no access_token") << 200 << QByteArray("{\"token_type\":\"Bearer\"}")
                                         << u"upstream_bad_token_response"_s;
        QTest::newRow("DPoP type") << 200 << QByteArray("{\"access_token\":\"a\",\"token_type\":\"DPoP\"}")
                                   << u"upstream_bad_token_response"_s;
        QTest::newRow("negative expiry") << 200
                                         << QByteArray(
                                                "{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":-1}")
                                         << u"upstream_bad_token_response"_s;
        QTest::newRow("string expiry")
            << 200 << QByteArray("{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"expires_in\":\"60\"}")
            << u"upstream_bad_token_response"_s;
        QTest::newRow("token too long") << 200
                                        << QByteArray("{\"access_token\":\"" + QByteArray(17000, 'a')
                                               + "\",\"token_type\":\"Bearer\"}")
                                        << u"upstream_bad_token_response"_s;
    }
    void testI11_tokenResponse()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(QString, code);
        HttpResponse response;
        response.status = status;
        response.body = body;
        Result<TokenSet> t = OAuthClient::parseTokenResponse(response, u"a b"_s, ClientLimits {});
        if (code.isEmpty()) {
            QVERIFY(t.ok());
            QCOMPARE(t->accessToken, u"at"_s);
            QCOMPARE(t->refreshToken, u"rt"_s);
            QCOMPARE(t->expiresIn, 60);
            QCOMPARE(t->scope, u"a"_s);
            return;
        }
        QVERIFY(!t.ok());
        QCOMPARE(t.error().code, code);
        QVERIFY(t.error().message.contains(u"connect --again"_s) || code != u"upstream_needs_sign_in"_s);
        QVERIFY(!t.error().message.contains(u"aaaa"_s));
    }

    void testI11_preRegisteredSecretFromStdin()
    {
        UpstreamHttp http;
        OAuthClient client(http, discovered());
        QBuffer in;
        in.setData("s3cret-value\n");
        in.open(QIODevice::ReadOnly);
        Result<ClientCredentials> c = client.preRegistered(u"my-client"_s, in);
        QVERIFY(c.ok());
        QCOMPARE(c->clientSecret, u"s3cret-value"_s);
        QCOMPARE(c->authMethod, u"client_secret_basic"_s);
        QCOMPARE(c->issuer, Issuer);

        QBuffer empty;
        empty.open(QIODevice::ReadOnly);
        QCOMPARE(client.preRegistered(u"my-client"_s, empty)->authMethod, u"none"_s);

        QBuffer tooLong;
        tooLong.setData(QByteArray(2000, 'x') + '\n');
        tooLong.open(QIODevice::ReadOnly);
        Result<ClientCredentials> bad = client.preRegistered(u"my-client"_s, tooLong);
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().code, u"upstream_bad_secret"_s);
        QVERIFY(!bad.error().message.contains(u"xxxx"_s));

        QBuffer control;
        control.setData("a\x01\n");
        control.open(QIODevice::ReadOnly);
        QCOMPARE(client.preRegistered(u"my-client"_s, control).error().code, u"upstream_bad_secret"_s);
        QCOMPARE(client.preRegistered(QString(), control).error().code, u"upstream_bad_client_id"_s);
    }
};

QTEST_GUILESS_MAIN(TestUpstreamDiscovery)
#include "tst_upstream_discovery.moc"
