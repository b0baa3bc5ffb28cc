// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 11.1 against a REAL, independent authorization server: node oidc-provider 8.8.1 as an MCP
// AS, protecting the repo's sample MCP server (tests/interop/upstream/upstream-as.mjs), with the
// browser leg in headless Chromium (tests/interop/upstream/authorize.mjs; the AS's interaction
// is completed programmatically, see there). Plain HTTP on loopback.
//
// discover (401 -> PRM -> RFC 8414 404 -> OpenID discovery) -> DCR -> authorize -> callback
// (state, iss) -> code exchange -> MCP request with the token -> refresh (rotation) -> old
// refresh token refused -> revoke -> revoked refresh token refused.
#include "support/testsupport.h"
#include "upstream/discovery.h"
#include "upstream/oauthclient.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <optional>

using namespace Tessera;
using namespace Tessera::Upstream;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr int WaitMs = 30000;

template<typename T> Result<T> await(std::function<void(std::function<void(Result<T>)>)> start)
{
    std::optional<Result<T>> out;
    start([&out](Result<T> r) { out = std::move(r); });
    if (!QTest::qWaitFor([&out] { return out.has_value(); }, WaitMs))
        return Error::make(u"test_timeout"_s, u"no answer"_s);
    return std::move(*out);
}

// Tessera's loopback callback for the test: records the first request target, answers a page.
class CallbackServer : public QObject
{
public:
    CallbackServer()
    {
        QVERIFY(m_server.listen(QHostAddress::LocalHost));
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                connect(s, &QTcpSocket::readyRead, s, [this, s] {
                    const QByteArray head = s->readAll();
                    const QList<QByteArray> line = head.left(head.indexOf('\r')).split(' ');
                    if (line.size() == 3 && line[0] == "GET" && line[1].startsWith("/connect/callback") && !target)
                        target = line[1];
                    s->write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 9\r\nConnection: "
                             "close\r\n\r\nSigned in");
                    s->disconnectFromHost();
                });
            }
        });
    }
    [[nodiscard]] QString redirectUri() const
    {
        return u"http://127.0.0.1:%1/connect/callback"_s.arg(m_server.serverPort());
    }
    std::optional<QByteArray> target;

private:
    QTcpServer m_server;
};

} // namespace

class TestUpstreamOidcProvider : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        m_as.setProgram(u"node"_s);
        m_as.setArguments({ Test::sourcePath(u"tests/interop/upstream/upstream-as.mjs"_s) });
        m_as.setProcessChannelMode(QProcess::SeparateChannels);
        m_as.start();
        QVERIFY2(m_as.waitForStarted(10000), "node did not start");
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT(
            (out += m_as.readAllStandardOutput()).contains('\n') || m_as.state() != QProcess::Running, 20000);
        const QByteArray line = out.left(out.indexOf('\n'));
        QVERIFY2(line.startsWith('{'), QByteArray(out + m_as.readAllStandardError()).constData());
        const QJsonObject info = QJsonDocument::fromJson(line).object();
        m_issuer = info.value("issuer"_L1).toString();
        m_mcpUrl = QUrl(info.value("mcpUrl"_L1).toString());
        QVERIFY(!m_issuer.isEmpty() && m_mcpUrl.isValid());
    }
    void cleanupTestCase()
    {
        m_as.closeWriteChannel(); // the script stops when stdin closes
        if (!m_as.waitForFinished(5000))
            m_as.kill();
    }

    void testI11_fullFlowAgainstOidcProvider()
    {
        UpstreamHttp http;
        Discovery discovery(http);
        Result<DiscoveryResult> found = await<DiscoveryResult>([&](auto done) { discovery.discover(m_mcpUrl, done); });
        QVERIFY2(found.ok(), qPrintable(found.ok() ? QString() : found.error().toString()));
        QCOMPARE(found->challengedScope, u"files:read"_s);
        QCOMPARE(found->resourceMetadataUrl.path(), u"/.well-known/oauth-protected-resource/mcp"_s);
        QCOMPARE(found->serverMetadata.issuer, m_issuer);
        // oidc-provider serves no RFC 8414 document: the 404 falls through to OpenID discovery.
        QCOMPARE(found->serverMetadataUrl.path(), u"/.well-known/openid-configuration"_s);
        QVERIFY(found->serverMetadata.issParameterSupported);
        QVERIFY(!found->serverMetadata.revocationEndpoint.isEmpty());

        OAuthClient client(http, *found);
        CallbackServer callback;
        Result<ClientCredentials> creds = await<ClientCredentials>(
            [&](auto done) { client.registerClient(callback.redirectUri(), u"Tessera test"_s, done); });
        QVERIFY2(creds.ok(), qPrintable(creds.ok() ? QString() : creds.error().toString()));
        QCOMPARE(creds->authMethod, u"none"_s);

        Result<PendingAuthorization> pending = client.beginAuthorization(*creds, callback.redirectUri());
        QVERIFY(pending.ok());
        QCOMPARE(pending->scope, u"files:read"_s);

        QProcess browser;
        browser.setProgram(u"node"_s);
        browser.setArguments({ Test::sourcePath(u"tests/interop/upstream/authorize.mjs"_s) });
        browser.start();
        QVERIFY(browser.waitForStarted(10000));
        browser.write(pending->authorizationUrl.toEncoded() + '\n' + callback.redirectUri().toUtf8() + '\n');
        browser.closeWriteChannel();
        QTRY_VERIFY_WITH_TIMEOUT(browser.state() == QProcess::NotRunning, 45000);
        QVERIFY2(browser.exitCode() == 0, browser.readAllStandardError().constData());
        QVERIFY(callback.target.has_value());

        const QUrl redirected(u"http://127.0.0.1"_s + QString::fromLatin1(*callback.target));
        QVERIFY2(redirected.query().contains(u"iss="_s), "oidc-provider sends RFC 9207 iss");
        // A mix-up (the same redirect, claimed for another issuer) is refused before the code is used.
        PendingAuthorization otherIssuer = *pending;
        otherIssuer.issuer = m_issuer + u"/"_s;
        QCOMPARE(OAuthClient::validateCallback(otherIssuer, redirected).error().code, u"upstream_iss_mismatch"_s);
        Result<QString> code = OAuthClient::validateCallback(*pending, redirected);
        QVERIFY2(code.ok(), qPrintable(code.ok() ? QString() : code.error().toString()));

        Result<TokenSet> tokens
            = await<TokenSet>([&](auto done) { client.exchangeCode(*creds, *pending, *code, done); });
        QVERIFY2(tokens.ok(), qPrintable(tokens.ok() ? QString() : tokens.error().toString()));
        QVERIFY(!tokens->refreshToken.isEmpty());
        QVERIFY(tokens->expiresIn > 0 && tokens->expiresIn <= 60);
        QVERIFY(tokens->scope.contains(u"files:read"_s));
        QCOMPARE(mcpStatus(http, tokens->accessToken), 200);

        Result<TokenSet> refreshed
            = await<TokenSet>([&](auto done) { client.refresh(*creds, tokens->refreshToken, done); });
        QVERIFY2(refreshed.ok(), qPrintable(refreshed.ok() ? QString() : refreshed.error().toString()));
        QVERIFY(refreshed->refreshTokenRotated);
        QVERIFY(refreshed->refreshToken != tokens->refreshToken);
        QVERIFY(refreshed->accessToken != tokens->accessToken);
        QCOMPARE(mcpStatus(http, refreshed->accessToken), 200);

        Result<void> revoked
            = await<void>([&](auto done) { client.revoke(*creds, refreshed->refreshToken, u"refresh_token"_s, done); });
        QVERIFY2(revoked.ok(), qPrintable(revoked.ok() ? QString() : revoked.error().toString()));
        Result<TokenSet> afterRevoke
            = await<TokenSet>([&](auto done) { client.refresh(*creds, refreshed->refreshToken, done); });
        QVERIFY(!afterRevoke.ok());
        QCOMPARE(afterRevoke.error().code, u"upstream_needs_sign_in"_s);
        QVERIFY(afterRevoke.error().message.contains(u"tessera-cli connect --again"_s));
        // The rotated-out refresh token is refused as well.
        Result<TokenSet> old = await<TokenSet>([&](auto done) { client.refresh(*creds, tokens->refreshToken, done); });
        QCOMPARE(old.error().code, u"upstream_needs_sign_in"_s);
        // The code is single use at the AS (last: a replay also revokes the grant, RFC 9700 §4.2.4).
        Result<TokenSet> replay
            = await<TokenSet>([&](auto done) { client.exchangeCode(*creds, *pending, *code, done); });
        QCOMPARE(replay.error().code, u"upstream_needs_sign_in"_s);
    }

private:
    int mcpStatus(UpstreamHttp &http, const QString &accessToken)
    {
        const QByteArray body
            = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
              "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"0\"}}}";
        Result<HttpResponse> r = await<HttpResponse>([&](auto done) {
            http.send("POST", m_mcpUrl,
                { { "Content-Type", "application/json" }, { "Accept", "application/json, text/event-stream" },
                    { "Authorization", "Bearer " + accessToken.toLatin1() } },
                body, done);
        });
        return r.ok() ? r->status : -1;
    }

    QProcess m_as;
    QString m_issuer;
    QUrl m_mcpUrl;
};

QTEST_GUILESS_MAIN(TestUpstreamOidcProvider)
#include "tst_upstream_oidcprovider.moc"
