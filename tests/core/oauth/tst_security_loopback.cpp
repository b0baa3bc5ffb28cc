// SPDX-License-Identifier: GPL-3.0-or-later
// security-cases.md group A (loopback exposure, DNS rebinding, browser-origin attacks), end to
// end through the real authorization server. The gates themselves are unit-tested on a bare
// LoopbackServer in tests/core/http (tst_loopbackserver, tst_peeridentity); here every attack
// carries an otherwise valid OAuth request and the test checks that nothing happened.
#include "asfixture.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkInterface>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTest>

using namespace Tessera;
using namespace Tessera::Test;
using namespace Qt::Literals::StringLiterals;

namespace {

// Every LISTEN socket of this process: "<hex address>:<hex port>" from /proc/net/tcp{,6},
// matched to our file descriptors by inode.
QStringList ourListeningSockets()
{
    QSet<QByteArray> inodes;
    const QDir fds(QStringLiteral("/proc/self/fd"));
    for (const QString &fd : fds.entryList(QDir::System | QDir::NoDotAndDotDot)) {
        const QString target = QFile::symLinkTarget(fds.filePath(fd));
        if (target.contains(QLatin1String("socket:[")))
            inodes.insert(target.section(u'[', 1).chopped(1).toLatin1());
    }
    QStringList out;
    for (const QString &table : { QStringLiteral("/proc/net/tcp"), QStringLiteral("/proc/net/tcp6") }) {
        QFile file(table);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QList<QByteArray> lines = file.readAll().split('\n');
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QList<QByteArray> cols = lines[i].simplified().split(' ');
            if (cols.size() > 9 && cols[3] == "0A" && inodes.contains(cols[9]))
                out << QString::fromLatin1(cols[1]);
        }
    }
    out.sort();
    return out;
}

QByteArray portHex(quint16 port)
{
    return QByteArray::number(port, 16).toUpper().rightJustified(4, '0');
}

} // namespace

class TestSecurityLoopback : public QObject
{
    Q_OBJECT

    std::unique_ptr<AsFixture> m_f;

private Q_SLOTS:
    void init()
    {
        m_f = std::make_unique<AsFixture>();
        QVERIFY2(m_f->setup(), qPrintable(m_f->setup().ok() ? QString() : m_f->setup().error().toString()));
    }
    void cleanup() { m_f.reset(); }

    // A1 (RFC 8252 §8.3, MCP Streamable HTTP): 127.0.0.1 only; nothing else answers.
    void testA1_bindLoopbackOnly()
    {
        AsFixture &f = *m_f;
        QCOMPARE(listeningAddresses(QStringLiteral("/proc/net/tcp"), f.port()), QList<QByteArray> { "0100007F" });
        QVERIFY(listeningAddresses(QStringLiteral("/proc/net/tcp6"), f.port()).isEmpty());
        // Every listening socket this process has is the server's one loopback socket (and the
        // fixture's stand-in for a client's redirect listener, on 127.0.0.1 too).
        QStringList expected { u"0100007F:"_s + QString::fromLatin1(portHex(f.port())),
            u"0100007F:"_s + QString::fromLatin1(portHex(f.redirectListener.serverPort())) };
        expected.sort();
        QCOMPARE(ourListeningSockets(), expected);

        const QString ss = QStandardPaths::findExecutable(QStringLiteral("ss"));
        if (!ss.isEmpty()) {
            QProcess p;
            p.start(ss, { QStringLiteral("-Hltn"), QStringLiteral("sport = :%1").arg(f.port()) });
            QVERIFY(p.waitForFinished(5000));
            const QStringList lines = QString::fromLatin1(p.readAllStandardOutput()).trimmed().split(u'\n');
            QCOMPARE(lines.size(), 1);
            QCOMPARE(lines.first().simplified().section(u' ', 3, 3), u"127.0.0.1:%1"_s.arg(f.port()));
        }

        QList<QHostAddress> others { QHostAddress(QStringLiteral("127.0.0.2")), QHostAddress::LocalHostIPv6 };
        for (const QHostAddress &a : QNetworkInterface::allAddresses()) {
            if (!a.isLoopback() && !a.isLinkLocal())
                others << a; // a LAN interface, where there is one
        }
        for (const QHostAddress &address : std::as_const(others)) {
            RawClient c;
            QVERIFY2(!c.connectTo(f.port(), address, 1000), qPrintable(address.toString()));
        }
        QCOMPARE(f.get("/.well-known/oauth-authorization-server").status, 200); // control
    }

    // A2 (DNS rebinding): only 127.0.0.1:PORT and localhost:PORT; anything else is 421 with no body,
    // for metadata and for every route that could change something.
    void testA2_hostHeaderAllowlist_data()
    {
        QTest::addColumn<QByteArray>("host"); // "<none>": no Host header; PORT is replaced
        QTest::addColumn<bool>("allowed");
        QTest::newRow("127.0.0.1:PORT") << QByteArray("127.0.0.1:PORT") << true;
        QTest::newRow("localhost:PORT") << QByteArray("localhost:PORT") << true;
        for (const QByteArray &h : { QByteArray("attacker.example:PORT"), QByteArray("0.0.0.0:PORT"),
                 QByteArray("127.0.0.2:PORT"), QByteArray("2130706433:PORT"), QByteArray("[::ffff:127.0.0.1]:PORT"),
                 QByteArray("<none>"), QByteArray(""), QByteArray("[::1]:PORT"), QByteArray("127.0.0.1"),
                 QByteArray("localhost"), QByteArray("127.0.0.1:1"), QByteArray("localhost.:PORT"),
                 QByteArray("127.1:PORT"), QByteArray("0x7f.0.0.1:PORT"), QByteArray("127.0.0.1:0PORT"),
                 QByteArray("127.0.0.1:PORT.attacker.example"), QByteArray("attacker.example@127.0.0.1:PORT"),
                 QByteArray("127.0.0.1:PORT:PORT"), QByteArray("127.0.0.1.:PORT"), QByteArray("localhost:PORT/x") })
            QTest::addRow("%s", h.constData()) << h << false;
    }
    void testA2_hostHeaderAllowlist()
    {
        QFETCH(QByteArray, host);
        QFETCH(bool, allowed);
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        const QByteArray port = QByteArray::number(f.port());
        const QByteArray hostLine
            = host == "<none>" ? QByteArray() : "Host: " + QByteArray(host).replace("PORT", port) + "\r\n";
        const auto request = [&](const QByteArray &line, const QByteArray &headers, const QByteArray &body = {}) {
            return f.send(line + " HTTP/1.1\r\n" + hostLine + headers
                + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        };

        const HttpReply metadata = request("GET /.well-known/oauth-authorization-server", {});
        const HttpReply reg = request("POST /register", "Content-Type: application/json\r\n",
            "{\"redirect_uris\":[\"http://127.0.0.1/cb\"],\"token_endpoint_auth_method\":\"none\"}");
        const HttpReply authorize = request("GET /authorize?" + f.authorizeParams(client, Pkce::fresh()).encoded(), {});
        const HttpReply token = request("POST /token", "Content-Type: application/x-www-form-urlencoded\r\n",
            Params {
                { u"grant_type"_s, u"refresh_token"_s }, { u"refresh_token"_s, u"x"_s }, { u"client_id"_s, client.id } }
                .encoded());
        if (allowed) {
            QCOMPARE(metadata.status, 200);
            QCOMPARE(AsFixture::json(metadata).value(u"issuer"_s).toString(), f.issuer());
            QCOMPARE(reg.status, 201);
            QCOMPARE(authorize.status, 200);
            QCOMPARE(f.pendingConsents(), 1);
            QCOMPARE(token.status, 400);
            return;
        }
        for (const HttpReply *r : { &metadata, &reg, &authorize, &token }) {
            QCOMPARE(r->status, 421);
            QVERIFY(r->body.isEmpty());
        }
        QCOMPARE(f.clientCount(), qint64(1));
        QCOMPARE(f.pendingConsents(), 0);
    }

    // A3 (MCP: a present, unlisted Origin is 403; never Origin == Host): valid requests to every
    // state-changing endpoint, each refused and without effect.
    void testA3_originCheck_data()
    {
        QTest::addColumn<QByteArray>("origin"); // PORT is replaced; "two" sends ours and an evil one
        QTest::addColumn<QByteArray>("host");
        QTest::addColumn<int>("status");
        const QByteArray ours = "127.0.0.1:PORT";
        QTest::newRow("evil https") << QByteArray("https://evil.example") << ours << 403;
        QTest::newRow("rebinding: Origin == Host")
            << QByteArray("http://evil.example:PORT") << QByteArray("evil.example:PORT") << 421;
        QTest::newRow("evil with our Host") << QByteArray("http://evil.example:PORT") << ours << 403;
        QTest::newRow("null") << QByteArray("null") << ours << 403;
        QTest::newRow("other local port") << QByteArray("http://127.0.0.1:1") << ours << 403;
        QTest::newRow("https on our port") << QByteArray("https://127.0.0.1:PORT") << ours << 403;
        QTest::newRow("localhost (IPv6 not ours)") << QByteArray("http://localhost:PORT") << ours << 403;
        QTest::newRow("suffix") << QByteArray("http://127.0.0.1:PORT.evil.example") << ours << 403;
        QTest::newRow("path appended") << QByteArray("http://127.0.0.1:PORT/x") << ours << 403;
        QTest::newRow("two Origin headers") << QByteArray("two") << ours << 403;
        QTest::newRow("empty") << QByteArray("") << ours << 403;
    }
    void testA3_originCheck()
    {
        QFETCH(QByteArray, origin);
        QFETCH(QByteArray, host);
        QFETCH(int, status);
        AsFixture &f = *m_f;
        const QByteArray port = QByteArray::number(f.port());
        AS_TRY(client, f.registerClient());
        AS_TRY(tokens, f.issueTokens(client));
        const Pkce pkce = Pkce::fresh();
        AS_TRY(code, f.authorize(f.authorizeParams(client, pkce)));

        const QByteArray originLines = origin == "two"
            ? QByteArray("Origin: http://127.0.0.1:" + port + "\r\nOrigin: https://evil.example\r\n")
            : QByteArray("Origin: " + QByteArray(origin).replace("PORT", port) + "\r\n");
        const auto post = [&](const QByteArray &path, const QByteArray &type, const QByteArray &body,
                              const QByteArray &extra = {}) {
            return f.send("POST " + path + " HTTP/1.1\r\nHost: " + QByteArray(host).replace("PORT", port) + "\r\n"
                + originLines + extra + "Content-Type: " + type
                + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        };
        const QByteArray form = "application/x-www-form-urlencoded";
        Params redemption = f.redemption(client, code.code(), pkce);
        redemption.add(u"client_id"_s, client.id);
        const QList<HttpReply> replies {
            post("/register", "application/json",
                "{\"redirect_uris\":[\"http://127.0.0.1/cb\"],\"token_endpoint_auth_method\":\"none\"}"),
            post("/token", form, redemption.encoded()),
            post("/revoke", form,
                Params { { u"token"_s, tokens.refreshToken }, { u"client_id"_s, client.id } }.encoded()),
            post("/introspect", form, Params { { u"token"_s, tokens.accessToken } }.encoded(),
                "Authorization: Basic " + QByteArray("mcp:" + QByteArray(AsFixture::IntrospectionSecret)).toBase64()
                    + "\r\n"),
        };
        for (const HttpReply &r : replies) {
            QCOMPARE(r.status, status);
            QVERIFY(!r.hasHeader("access-control-allow-origin"));
            QVERIFY(!r.body.contains("active") && !r.body.contains("access_token") && !r.body.contains("client_id"));
        }
        // Nothing happened: no client, the code is unconsumed, the refresh token alive.
        QCOMPARE(f.clientCount(), qint64(1));
        AS_TRY(redeemed, f.redeem(client, code.code(), pkce));
        AS_TRY(refreshed, f.refresh(client, tokens.refreshToken));
        QVERIFY(f.isActive(redeemed.accessToken));
        QVERIFY(f.isActive(refreshed.accessToken));

        // Control: our own origin is served.
        const HttpReply own = f.post("/register", "application/json",
            "{\"redirect_uris\":[\"http://127.0.0.1/cb\"],\"token_endpoint_auth_method\":\"none\"}",
            "Origin: http://127.0.0.1:" + port + "\r\n");
        QCOMPARE(own.status, 201);
    }

    // A4: what a browser may send without a preflight changes nothing: wrong media types are
    // 415, GETs on the POST endpoints are 405, and credentials in a query string are refused.
    void testA4_noSideEffectsViaSimpleRequestsOrGet()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(tokens, f.issueTokens(client));
        const Pkce pkce = Pkce::fresh();
        AS_TRY(code, f.authorize(f.authorizeParams(client, pkce)));
        Params redemption = f.redemption(client, code.code(), pkce);
        redemption.add(u"client_id"_s, client.id);
        const QByteArray registration
            = "{\"redirect_uris\":[\"http://127.0.0.1/cb\"],\"token_endpoint_auth_method\":\"none\"}";
        const QByteArray basic = "Authorization: Basic "
            + QByteArray("mcp:" + QByteArray(AsFixture::IntrospectionSecret)).toBase64() + "\r\n";

        for (const QByteArray &type : { QByteArray("text/plain"), QByteArray("text/plain;charset=UTF-8"),
                 QByteArray("application/x-www-form-urlencoded"), QByteArray("multipart/form-data; boundary=x") })
            QCOMPARE(f.post("/register", type, registration).status, 415);
        const QByteArray multipart
            = "--x\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nauthorization_code\r\n--x--\r\n";
        QCOMPARE(f.post("/token", "multipart/form-data; boundary=x", multipart).status, 415);
        QCOMPARE(f.post("/token", "text/plain", redemption.encoded()).status, 415);
        QCOMPARE(f.post("/token", "application/json", redemption.encoded()).status, 415);
        QCOMPARE(f.post("/revoke", "text/plain",
                      Params { { u"token"_s, tokens.refreshToken }, { u"client_id"_s, client.id } }.encoded())
                     .status,
            415);

        QCOMPARE(
            f.get("/register?" + Params { { u"redirect_uris"_s, u"http://127.0.0.1/cb"_s } }.encoded()).status, 405);
        QCOMPARE(f.get("/token?" + redemption.encoded()).status, 405);
        QCOMPARE(
            f.get("/revoke?" + Params { { u"token"_s, tokens.refreshToken }, { u"client_id"_s, client.id } }.encoded())
                .status,
            405);
        QCOMPARE(f.get("/introspect?token=" + tokens.accessToken.toLatin1(), basic).status, 405);
        // POST with the parameters in the query instead of the body.
        QCOMPARE(f.post("/token?" + redemption.encoded(), "application/x-www-form-urlencoded", {}).status, 400);
        QCOMPARE(f.post("/revoke?token=" + tokens.refreshToken.toLatin1(), "application/x-www-form-urlencoded",
                      "client_id=" + client.id.toLatin1())
                     .status,
            400);
        QCOMPARE(
            f.post("/introspect?token=" + tokens.accessToken.toLatin1(), "application/x-www-form-urlencoded", {}, basic)
                .status,
            400);
        // HEAD is never derived from GET: it cannot raise a prompt.
        RawClient head;
        QVERIFY(head.connectTo(f.port()));
        const std::optional<HttpReply> headReply = head.exchange("HEAD /authorize?"
                + f.authorizeParams(client, Pkce::fresh()).encoded() + " HTTP/1.1\r\nHost: " + f.host() + "\r\n\r\n",
            3000, true);
        QVERIFY(headReply);
        QCOMPARE(headReply->status, 405);

        QCOMPARE(f.clientCount(), qint64(1));
        QCOMPARE(f.pendingConsents(), 0);
        AS_TRY(redeemed, f.redeem(client, code.code(), pkce));
        AS_TRY(refreshed, f.refresh(client, tokens.refreshToken));
        QVERIFY(f.isActive(redeemed.accessToken));
        QVERIFY(f.isActive(refreshed.accessToken));
    }

    // A5 (RFC 9700 §2.6): no CORS at /authorize at all, and no Access-Control-Allow-Origin for
    // unknown origins anywhere; public metadata may say "*" but never with credentials.
    void testA5_corsPolicy()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        const auto noCors = [](const HttpReply &r) { return !r.hasHeaderPrefix("access-control-"); };
        for (const QByteArray &path : { QByteArray("/token"), QByteArray("/authorize"), QByteArray("/authorize/wait"),
                 QByteArray("/register"), QByteArray("/revoke"), QByteArray("/introspect") }) {
            const HttpReply preflight = f.send("OPTIONS " + path + " HTTP/1.1\r\nHost: " + f.host()
                + "\r\nOrigin: https://evil.example\r\nAccess-Control-Request-Method: POST\r\n"
                  "Access-Control-Request-Headers: content-type, authorization\r\n\r\n");
            QVERIFY2(preflight.status == 403 || preflight.status == 405, path.constData());
            QVERIFY2(noCors(preflight), path.constData());
        }
        const HttpReply page = f.getAuthorize(f.authorizeParams(client, Pkce::fresh()));
        QCOMPARE(page.status, 200);
        QVERIFY(noCors(page));
        const HttpReply fromEvil
            = f.getAuthorize(f.authorizeParams(client, Pkce::fresh()), "Origin: https://evil.example\r\n");
        QCOMPARE(fromEvil.status, 403);
        QVERIFY(noCors(fromEvil));
        QCOMPARE(f.pendingConsents(), 1);
        for (const QByteArray &path : { QByteArray("/.well-known/oauth-authorization-server"), QByteArray("/jwks") }) {
            const HttpReply r = f.get(path, "Origin: https://evil.example\r\n");
            QCOMPARE(r.status, 200);
            QVERIFY(!r.hasHeader("access-control-allow-origin") || r.header("access-control-allow-origin") == "*");
            QVERIFY(!r.hasHeader("access-control-allow-credentials"));
        }
    }

    // A3 + A5 for browser-based clients: /token, /register and /revoke answer CORS (preflight
    // included) only for origins on AuthorizationServer::setCorsAllowedOrigins(), empty by default;
    // metadata and JWKS are public; /authorize and /introspect never; the list changes live.
    void testA5_browserClientCorsAllowList()
    {
        AsFixture &f = *m_f;
        // A loopback origin counts only while a program of ours serves it (R3): this test does.
        QTcpServer inspectorServer;
        QVERIFY(inspectorServer.listen(QHostAddress::LocalHost, 0));
        const QByteArray inspectorPort = QByteArray::number(inspectorServer.serverPort());
        const QByteArray inspector = "http://localhost:" + inspectorPort;
        const QByteArray webApp = "https://app.example";
        AS_TRY(client, f.registerClient());
        AS_TRY(tokens, f.issueTokens(client));
        const auto preflight = [&f](const QByteArray &path, const QByteArray &origin, const QByteArray &headers = {}) {
            return f.send("OPTIONS " + path + " HTTP/1.1\r\nHost: " + f.host() + "\r\nOrigin: " + origin
                + "\r\nAccess-Control-Request-Method: POST\r\n"
                + (headers.isEmpty() ? QByteArray() : "Access-Control-Request-Headers: " + headers + "\r\n") + "\r\n");
        };
        const auto refreshFrom = [&f, &client](const QString &refreshToken, const QByteArray &origin) {
            return f.postForm("/token",
                Params { { u"grant_type"_s, u"refresh_token"_s }, { u"refresh_token"_s, refreshToken },
                    { u"client_id"_s, client.id } },
                "Origin: " + origin + "\r\n");
        };
        const auto expectRefusedOrigin = [](const HttpReply &r) {
            QCOMPARE(r.status, 403);
            QVERIFY(!r.hasHeaderPrefix("access-control-"));
            QCOMPARE(errorOf(r), u"origin_not_allowed"_s);
            QVERIFY2(AsFixture::json(r).value(u"error_description"_s).toString().contains(u"allow-list"_s),
                r.body.constData());
        };

        // Default: nobody. Preflights find no CORS route; the real request is refused, clearly.
        QVERIFY(f.server->corsAllowedOrigins().isEmpty());
        for (const QByteArray &path : { QByteArray("/token"), QByteArray("/register"), QByteArray("/revoke") }) {
            const HttpReply r = preflight(path, inspector, "content-type");
            QCOMPARE(r.status, 403); // a foreign Origin, refused before routing
            QVERIFY(!r.hasHeaderPrefix("access-control-"));
        }
        expectRefusedOrigin(refreshFrom(tokens.refreshToken, inspector));
        AS_TRY(stillAlive, f.refresh(client, tokens.refreshToken)); // the refused request changed nothing

        QVERIFY(f.server->setCorsAllowedOrigins({ QString::fromLatin1(inspector), QString::fromLatin1(webApp) }).ok());
        QCOMPARE(f.server->corsAllowedOrigins().size(), 2);
        for (const QByteArray &origin : { inspector, webApp }) {
            for (const QByteArray &path : { QByteArray("/token"), QByteArray("/register"), QByteArray("/revoke") }) {
                const HttpReply r = preflight(path, origin, "content-type, authorization");
                QCOMPARE(r.status, 204);
                QCOMPARE(r.header("access-control-allow-origin"), origin);
                QCOMPARE(r.header("access-control-allow-methods"), QByteArray("POST"));
                QCOMPARE(r.header("access-control-allow-headers"), QByteArray("content-type, authorization"));
                QVERIFY(r.header("vary").contains("Origin"));
                QVERIFY(!r.hasHeader("access-control-allow-credentials"));
            }
        }
        // Real requests: answered with the echoed origin, errors included (the page must read them).
        const HttpReply refreshed = refreshFrom(stillAlive.refreshToken, inspector);
        QCOMPARE(refreshed.status, 200);
        QCOMPARE(refreshed.header("access-control-allow-origin"), inspector);
        QCOMPARE(refreshed.header("vary"), QByteArray("Origin"));
        QCOMPARE(refreshed.header("cache-control"), QByteArray("no-store"));
        QVERIFY(!refreshed.hasHeader("access-control-allow-credentials"));
        const HttpReply failed = refreshFrom(u"unknown"_s, webApp);
        QCOMPARE(failed.status, 400);
        QCOMPARE(errorOf(failed), u"invalid_grant"_s);
        QCOMPARE(failed.header("access-control-allow-origin"), webApp);
        const HttpReply registered = f.post("/register", "application/json",
            "{\"redirect_uris\":[\"http://127.0.0.1/cb\"],\"token_endpoint_auth_method\":\"none\"}",
            "Origin: " + webApp + "\r\n");
        QCOMPARE(registered.status, 201);
        QCOMPARE(registered.header("access-control-allow-origin"), webApp);
        const HttpReply revoked = f.postForm("/revoke",
            Params { { u"token"_s, AsFixture::json(refreshed).value(u"refresh_token"_s).toString() },
                { u"client_id"_s, client.id } },
            "Origin: " + inspector + "\r\n");
        QCOMPARE(revoked.status, 200);
        QCOMPARE(revoked.header("access-control-allow-origin"), inspector);
        QVERIFY(!f.isActive(AsFixture::json(refreshed).value(u"access_token"_s).toString()));

        // Near misses of an allowed origin, and the routes that never do CORS.
        for (const QByteArray &origin :
            { QByteArray("http://localhost:" + QByteArray::number(inspectorServer.serverPort() + 1)),
                QByteArray("https://localhost:" + inspectorPort), QByteArray("http://127.0.0.1:" + inspectorPort),
                QByteArray("https://app.example.evil.example"), QByteArray("https://app.example:8443"),
                QByteArray("http://app.example"), QByteArray("null") }) {
            expectRefusedOrigin(refreshFrom(u"x"_s, origin));
            const HttpReply r = preflight("/token", origin);
            QCOMPARE(r.status, 403);
            QVERIFY(!r.hasHeaderPrefix("access-control-"));
        }
        for (const QByteArray &path : { QByteArray("/authorize"), QByteArray("/introspect") }) {
            const HttpReply r = preflight(path, inspector);
            QVERIFY2(r.status == 403 || r.status == 405, path.constData());
            QVERIFY(!r.hasHeaderPrefix("access-control-"));
        }
        const HttpReply authorize
            = f.getAuthorize(f.authorizeParams(client, Pkce::fresh()), "Origin: " + inspector + "\r\n");
        QCOMPARE(authorize.status, 403);
        QVERIFY(!authorize.hasHeaderPrefix("access-control-"));
        QCOMPARE(f.pendingConsents(), 0);
        expectRefusedOrigin(f.postForm("/introspect", Params { { u"token"_s, tokens.accessToken } },
            "Origin: " + inspector + "\r\nAuthorization: Basic "
                + QByteArray("mcp:" + QByteArray(AsFixture::IntrospectionSecret)).toBase64() + "\r\n"));
        // Public JSON stays "*" for everyone, allowed or not.
        for (const QByteArray &path : { QByteArray("/.well-known/oauth-authorization-server"), QByteArray("/jwks") }) {
            const HttpReply r = f.get(path, "Origin: https://anyone.example\r\n");
            QCOMPARE(r.status, 200);
            QCOMPARE(r.header("access-control-allow-origin"), QByteArray("*"));
            QVERIFY(!r.hasHeader("access-control-allow-credentials"));
        }

        // Emptied again: off at once.
        QVERIFY(f.server->setCorsAllowedOrigins({}).ok());
        QCOMPARE(preflight("/token", inspector).status, 403);
        expectRefusedOrigin(refreshFrom(u"x"_s, inspector));
    }

    // The allow-list takes web origins exactly as browsers send them, and plain http only on
    // loopback; a bad entry is refused by name and the previous list stays in force.
    void testA5_corsAllowListTakesOnlyOrigins()
    {
        AsFixture &f = *m_f;
        QVERIFY(f.server->setCorsAllowedOrigins({ u"http://localhost:6274"_s }).ok());
        for (const QString &bad : { u""_s, u"*"_s, u"null"_s, u"http://evil.example"_s, u"http://192.168.1.5:3000"_s,
                 u"https://app.example/"_s, u"https://app.example/path"_s, u"https://app.example?x"_s,
                 u"https://app.example:443"_s, u"http://localhost:80"_s, u"HTTPS://app.example"_s,
                 u"https://App.Example"_s, u"https://user@app.example"_s, u"javascript:alert(1)"_s, u"file:///etc"_s,
                 u" https://app.example"_s, u"https://app.example\n"_s, u"app.example"_s, u"ws://localhost:6274"_s }) {
            const Status s = f.server->setCorsAllowedOrigins({ u"https://ok.example"_s, bad });
            QVERIFY2(!s.ok(), qPrintable(bad));
            QCOMPARE(s.error().code, u"invalid_origin"_s);
            QVERIFY2(s.error().message.contains(bad.trimmed()), qPrintable(s.error().message));
            QCOMPARE(f.server->corsAllowedOrigins(), QStringList { u"http://localhost:6274"_s });
        }
        for (const QString &good : { u"http://127.0.0.1:6274"_s, u"http://[::1]:6274"_s, u"http://localhost"_s,
                 u"https://app.example"_s, u"https://app.example:8443"_s, u"https://xn--mnchen-3ya.example"_s })
            QVERIFY2(f.server->setCorsAllowedOrigins({ good }).ok(), qPrintable(good));
        // Set before start(): the routes are built with it. (Served by this test: R3.)
        QTcpServer inspectorServer;
        QVERIFY(inspectorServer.listen(QHostAddress::LocalHost, 0));
        const QByteArray inspector = "http://localhost:" + QByteArray::number(inspectorServer.serverPort());
        OAuth::AuthorizationServer second(f.server->context());
        second.setAllowEphemeralPortForTesting(true);
        QVERIFY(second.setCorsAllowedOrigins({ QString::fromLatin1(inspector) }).ok());
        QVERIFY(second.start(0).ok());
        RawClient c;
        QVERIFY(c.connectTo(second.port()));
        const auto r = c.exchange("OPTIONS /token HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(second.port())
            + "\r\nOrigin: " + inspector + "\r\nAccess-Control-Request-Method: POST\r\n\r\n");
        QVERIFY(r);
        QCOMPARE(r->status, 204);
        QCOMPARE(r->header("access-control-allow-origin"), inspector);
    }

    // A6 (RFC 9700 §4.16): /authorize loaded as a subresource (img, iframe, fetch) is refused
    // before any prompt; every HTML page forbids framing.
    void testR6_speculativeNavigationsRaiseNoPrompt_data()
    {
        QTest::addColumn<QByteArray>("headers");
        QTest::addColumn<bool>("allowed");
        const QByteArray nav("Sec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: document\r\nSec-Fetch-Site: cross-site\r\n");
        QTest::newRow("prefetch") << nav + "Sec-Purpose: prefetch\r\n" << false;
        QTest::newRow("prerender") << nav + "Sec-Purpose: prefetch;prerender\r\n" << false;
        QTest::newRow("anonymous proxy") << nav + "Sec-Purpose: prefetch; anonymous-client-ip\r\n" << false;
        QTest::newRow("legacy Purpose") << nav + "Purpose: prefetch\r\n" << false;
        QTest::newRow("X-Purpose preview") << nav + "X-Purpose: preview\r\n" << false;
        QTest::newRow("X-Moz prefetch") << nav + "X-Moz: prefetch\r\n" << false;
        QTest::newRow("no metadata, Purpose") << QByteArray("Purpose: prefetch\r\n") << false;
        QTest::newRow("real navigation") << nav << true;
    }
    void testR6_speculativeNavigationsRaiseNoPrompt()
    {
        QFETCH(QByteArray, headers);
        QFETCH(bool, allowed);
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        const int before = f.pendingConsents();
        const HttpReply r = f.getAuthorize(f.authorizeParams(client, Pkce::fresh()), headers);
        if (allowed) {
            QCOMPARE(r.status, 200);
            QCOMPARE(f.pendingConsents(), before + 1);
            return;
        }
        QCOMPARE(r.status, 503);
        QVERIFY(!r.hasHeader("set-cookie"));
        QVERIFY(!r.hasHeader("location"));
        QCOMPARE(f.pendingConsents(), before);
        // The wait route is navigation-only too: a prefetched wait changes nothing.
        const HttpReply wait = f.get("/authorize/wait?txn=x", headers);
        QCOMPARE(wait.status, 503);
    }

    void testA6_authorizeFetchMetadataAndFraming_data()
    {
        QTest::addColumn<QByteArray>("headers");
        QTest::addColumn<bool>("allowed");
        QTest::newRow("top-level navigation")
            << QByteArray("Sec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: document\r\n") << true;
        QTest::newRow("no fetch metadata") << QByteArray() << true;
        QTest::newRow("img") << QByteArray("Sec-Fetch-Mode: no-cors\r\nSec-Fetch-Dest: image\r\n") << false;
        QTest::newRow("iframe") << QByteArray("Sec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: iframe\r\n") << false;
        QTest::newRow("frame") << QByteArray("Sec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: frame\r\n") << false;
        QTest::newRow("embed") << QByteArray("Sec-Fetch-Mode: no-cors\r\nSec-Fetch-Dest: embed\r\n") << false;
        QTest::newRow("object") << QByteArray("Sec-Fetch-Mode: no-cors\r\nSec-Fetch-Dest: object\r\n") << false;
        QTest::newRow("script") << QByteArray("Sec-Fetch-Mode: no-cors\r\nSec-Fetch-Dest: script\r\n") << false;
        QTest::newRow("fetch cors") << QByteArray("Sec-Fetch-Mode: cors\r\nSec-Fetch-Dest: empty\r\n") << false;
        QTest::newRow("fetch no-cors") << QByteArray("Sec-Fetch-Mode: no-cors\r\nSec-Fetch-Dest: empty\r\n") << false;
        QTest::newRow("websocket") << QByteArray("Sec-Fetch-Mode: websocket\r\nSec-Fetch-Dest: websocket\r\n") << false;
        QTest::newRow("only Dest iframe") << QByteArray("Sec-Fetch-Dest: iframe\r\n") << false;
        QTest::newRow("only Mode cors") << QByteArray("Sec-Fetch-Mode: cors\r\n") << false;
        QTest::newRow("two Dest") << QByteArray("Sec-Fetch-Dest: document\r\nSec-Fetch-Dest: image\r\n") << false;
    }
    void testA6_authorizeFetchMetadataAndFraming()
    {
        QFETCH(QByteArray, headers);
        QFETCH(bool, allowed);
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        const HttpReply r = f.getAuthorize(f.authorizeParams(client, Pkce::fresh()), headers);
        if (!allowed) {
            QCOMPARE(r.status, 403);
            QVERIFY(!r.hasHeader("set-cookie"));
            QVERIFY(!r.hasHeader("location"));
            QCOMPARE(f.pendingConsents(), 0);
            QCOMPARE(f.server->authorizeEndpoint().pendingTransactions(), 0);
            return;
        }
        QCOMPARE(r.status, 200);
        QCOMPARE(f.pendingConsents(), 1);
        // The held wait request obeys the same gate: a framed one gets nothing.
        AS_TRY(pending, f.waitFor(r, client.id));
        const HttpReply framedWait = f.get(pending.waitPath,
            "Cookie: " + pending.cookie + "\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: iframe\r\n");
        QCOMPARE(framedWait.status, 403);
        const HttpReply unknownClient = f.get("/authorize?client_id=nobody&response_type=code");
        for (const HttpReply *html : { &r, &unknownClient }) {
            QVERIFY(html->header("content-type").startsWith("text/html"));
            QCOMPARE(html->header("x-frame-options"), QByteArray("DENY"));
            QVERIFY(html->header("content-security-policy").contains("frame-ancestors 'none'"));
        }
        AS_TRY(redirect, f.approve(pending));
        QVERIFY(!redirect.code().isEmpty());
    }

    // Issue 10.3: a program that probes the authorization URL with fetch() (mcp-remote, before it
    // opens the browser) gets a JSON OAuth error it acts on: invalid_client when its cached
    // registration is gone (unknown, or unconsented and expired), so it registers again;
    // navigation_required otherwise. Never a prompt, a transaction, a cookie or a redirect.
    void testI10_fetchProbeGetsJsonOAuthError_data()
    {
        QTest::addColumn<QString>("client"); // "known", "expired", "unknown", "none", "cimd"
        QTest::addColumn<QByteArray>("headers");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("error");
        const QByteArray node("Sec-Fetch-Mode: cors\r\nAccept: application/json\r\n"); // mcp-remote's fetch()
        const QByteArray empty("Sec-Fetch-Mode: cors\r\nSec-Fetch-Dest: empty\r\n");
        const QByteArray json("Accept: application/json\r\n"); // no Fetch Metadata (curl, older runtimes)
        QTest::newRow("unknown, Node fetch") << u"unknown"_s << node << 400 << u"invalid_client"_s;
        QTest::newRow("unknown, cors empty") << u"unknown"_s << empty << 400 << u"invalid_client"_s;
        QTest::newRow("unknown, Accept json") << u"unknown"_s << json << 400 << u"invalid_client"_s;
        QTest::newRow("unknown, json and */*")
            << u"unknown"_s << QByteArray("Accept: application/json, */*;q=0.5\r\n") << 400 << u"invalid_client"_s;
        QTest::newRow("unknown, html refused")
            << u"unknown"_s << QByteArray("Accept: text/html;q=0, application/json\r\n") << 400 << u"invalid_client"_s;
        QTest::newRow("expired, Node fetch") << u"expired"_s << node << 400 << u"invalid_client"_s;
        QTest::newRow("expired, Accept json") << u"expired"_s << json << 400 << u"invalid_client"_s;
        QTest::newRow("known, Node fetch") << u"known"_s << node << 403 << u"navigation_required"_s;
        QTest::newRow("known, Accept json") << u"known"_s << json << 403 << u"navigation_required"_s;
        QTest::newRow("no client_id") << u"none"_s << node << 400 << u"invalid_request"_s;
        QTest::newRow("metadata document, not fetched") << u"cimd"_s << node << 403 << u"navigation_required"_s;
    }
    void testI10_fetchProbeGetsJsonOAuthError()
    {
        QFETCH(QString, client);
        QFETCH(QByteArray, headers);
        QFETCH(int, status);
        QFETCH(QString, error);
        AsFixture &f = *m_f;
        AS_TRY(registered, f.registerClient());
        Params q = f.authorizeParams(registered, Pkce::fresh());
        if (client == u"unknown"_s)
            q.set(u"client_id"_s, u"forgotten-client-id"_s);
        else if (client == u"none"_s)
            q.remove(u"client_id"_s);
        else if (client == u"cimd"_s)
            q.set(u"client_id"_s, u"https://127.0.0.1:1/client.json"_s);
        else if (client == u"expired"_s)
            f.clock.advanceSecs(f.server->registration().limits().unconsentedTtlSecs + 1);
        const HttpReply r = f.getAuthorize(q, headers);
        QCOMPARE(r.status, status);
        QVERIFY2(r.header("content-type").startsWith("application/json"), r.header("content-type").constData());
        QCOMPARE(r.header("cache-control"), QByteArray("no-store"));
        const QJsonObject body = AsFixture::json(r);
        QCOMPARE(body.value(u"error"_s).toString(), error);
        QVERIFY(!body.value(u"error_description"_s).toString().isEmpty());
        QVERIFY(!r.hasHeader("set-cookie"));
        QVERIFY(!r.hasHeader("location"));
        QVERIFY(!r.hasHeader("access-control-allow-origin"));
        QCOMPARE(f.pendingConsents(), 0);
        QCOMPARE(f.server->authorizeEndpoint().pendingTransactions(), 0);
    }

    // Issue 10.3: people's browsers keep the HTML pages and the prompt; a page's own request
    // (any Origin, or a subresource) is still refused before the handler, the same for a
    // known and an unknown client, so it cannot even learn whether a client_id exists.
    void testI10_browsersKeepPagesAndPagesLearnNothing()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        const QByteArray browser("Sec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: document\r\nAccept: "
                                 "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n");
        for (const QByteArray &headers : { browser, QByteArray(), QByteArray("Accept: */*\r\n"),
                 QByteArray("Accept: application/json, text/html\r\n"),
                 QByteArray("Sec-Fetch-Mode: navigate\r\nAccept: application/json\r\n") }) {
            Params unknown = f.authorizeParams(client, Pkce::fresh());
            unknown.set(u"client_id"_s, u"forgotten-client-id"_s);
            const HttpReply page = f.getAuthorize(unknown, headers);
            QCOMPARE(page.status, 400);
            QVERIFY2(page.header("content-type").startsWith("text/html"), headers.constData());
        }
        const HttpReply prompt = f.getAuthorize(f.authorizeParams(client, Pkce::fresh()), browser);
        QCOMPARE(prompt.status, 200);
        QVERIFY(prompt.header("content-type").startsWith("text/html"));
        QCOMPARE(f.pendingConsents(), 1);

        for (const QByteArray &headers :
            { QByteArray("Sec-Fetch-Mode: cors\r\nSec-Fetch-Dest: empty\r\nOrigin: https://evil.example\r\n"),
                QByteArray("Sec-Fetch-Mode: no-cors\r\nSec-Fetch-Dest: empty\r\n"),
                QByteArray("Sec-Fetch-Mode: no-cors\r\nSec-Fetch-Dest: script\r\nAccept: application/json\r\n"),
                QByteArray("Sec-Fetch-Mode: cors\r\nSec-Fetch-Dest: image\r\n"),
                QByteArray("Sec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: iframe\r\nAccept: application/json\r\n") }) {
            Params unknown = f.authorizeParams(client, Pkce::fresh());
            unknown.set(u"client_id"_s, u"forgotten-client-id"_s);
            const HttpReply forUnknown = f.getAuthorize(unknown, headers);
            const HttpReply forKnown = f.getAuthorize(f.authorizeParams(client, Pkce::fresh()), headers);
            QCOMPARE(forUnknown.status, 403);
            QCOMPARE(forKnown.status, forUnknown.status);
            QCOMPARE(forKnown.body, forUnknown.body);
            QVERIFY(errorOf(forUnknown) != u"invalid_client"_s);
        }
        QCOMPARE(f.pendingConsents(), 1);
        QCOMPARE(f.server->authorizeEndpoint().pendingTransactions(), 1);
    }

    // A8 (RFC 8252 §7.3): a taken port fails closed, with a clear error, and nothing is left
    // listening anywhere else; the product never picks a port itself.
    void testA8_portSquatting()
    {
        AsFixture &f = *m_f;
        const QStringList listeningBefore = ourListeningSockets();
        OAuth::AuthorizationServer second(f.server->context());
        const Status s = second.start(f.port());
        QVERIFY(!s);
        QCOMPARE(s.error().code, u"port_in_use"_s);
        QVERIFY2(s.error().message.contains(QString::number(f.port())), qPrintable(s.error().message));
        QCOMPARE(second.port(), quint16(0));
        QCOMPARE(ourListeningSockets(), listeningBefore);
        QCOMPARE(f.get("/.well-known/oauth-authorization-server").status, 200); // the first one still serves

        // A squatter of another kind (any process holding the port, on loopback or a wildcard).
        for (const QHostAddress &address :
            { QHostAddress(QHostAddress::LocalHost), QHostAddress(QHostAddress::AnyIPv4) }) {
            QTcpServer squatter;
            QVERIFY(squatter.listen(address, 0));
            const QStringList withSquatter = ourListeningSockets();
            OAuth::AuthorizationServer victim(f.server->context());
            const Status taken = victim.start(squatter.serverPort());
            QVERIFY(!taken);
            QCOMPARE(taken.error().code, u"port_in_use"_s);
            QCOMPARE(victim.port(), quint16(0));
            QCOMPARE(ourListeningSockets(), withSquatter);
        }

        // Without the test switch there is no "any free port".
        OAuth::AuthorizationServer product(f.server->context());
        const Status ephemeral = product.start(0);
        QVERIFY(!ephemeral);
        QCOMPARE(ephemeral.error().code, u"invalid_port"_s);
        QCOMPARE(ourListeningSockets(), listeningBefore);
    }
};

QTEST_GUILESS_MAIN(TestSecurityLoopback)
#include "tst_security_loopback.moc"
