// SPDX-License-Identifier: GPL-3.0-or-later
#include "httptestharness.h"
#include "support/httptestclient.h"

#include <QCryptographicHash>
#include <QNetworkInterface>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryFile>
#include <QTest>

#include <unistd.h>

using namespace Tessera;
using namespace Tessera::Http;
using namespace Tessera::Test;

namespace {

const QByteArray FormType = "application/x-www-form-urlencoded";

QByteArray withHost(const QByteArray &requestLine, const QByteArray &host, const QByteArray &extra = {})
{
    return requestLine + "\r\nHost: " + host + "\r\n" + extra + "\r\n";
}

} // namespace

class TestLoopbackServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // ---- A1 bind-loopback-only -------------------------------------------------------------

    void testListensOnLoopbackOnly()
    {
        Harness h;
        // RFC 8252 §8.3: the only listener on the port is 127.0.0.1 (0100007F), none on tcp6.
        QCOMPARE(listeningAddresses(QStringLiteral("/proc/net/tcp"), h.port()), (QList<QByteArray> { "0100007F" }));
        QVERIFY(listeningAddresses(QStringLiteral("/proc/net/tcp6"), h.port()).isEmpty());

        // A non-loopback address of this machine, if any, is refused.
        int tried = 0;
        for (const QHostAddress &address : QNetworkInterface::allAddresses()) {
            if (address.isLoopback() || address.isLinkLocal())
                continue;
            RawClient lan;
            QVERIFY2(!lan.connectTo(h.port(), address, 2000), qPrintable(address.toString()));
            QCOMPARE(lan.socket().error(), QAbstractSocket::ConnectionRefusedError);
            ++tried;
        }
        qInfo("non-loopback addresses tried: %d", tried);
        QCOMPARE(h.totalCalls(), 0);
    }

    void testIpv6AlsoListensOnLoopbackOnly()
    {
        Harness h(shortLimits(), true);
        QCOMPARE(listeningAddresses(QStringLiteral("/proc/net/tcp"), h.port()), (QList<QByteArray> { "0100007F" }));
        QCOMPARE(listeningAddresses(QStringLiteral("/proc/net/tcp6"), h.port()),
            (QList<QByteArray> { "00000000000000000000000001000000" }));
        RawClient v6;
        QVERIFY(v6.connectTo(h.port(), QHostAddress(QHostAddress::LocalHostIPv6)));
        const auto reply = v6.exchange(withHost("GET /ok HTTP/1.1", "[::1]:" + QByteArray::number(h.port())));
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        QVERIFY(h.server.allowedHosts().contains("[::1]:" + QByteArray::number(h.port())));
    }

    // ---- A8 port squatting -----------------------------------------------------------------

    void testPortInUseFailsClosed_data()
    {
        QTest::addColumn<QHostAddress>("squatterAddress");
        QTest::addColumn<bool>("ipv6");
        QTest::newRow("squatter on 127.0.0.1") << QHostAddress(QHostAddress::LocalHost) << false;
        QTest::newRow("squatter on 0.0.0.0") << QHostAddress(QHostAddress::AnyIPv4) << false;
        QTest::newRow("squatter on [::1], we want both") << QHostAddress(QHostAddress::LocalHostIPv6) << true;
    }

    void testPortInUseFailsClosed()
    {
        QFETCH(QHostAddress, squatterAddress);
        QFETCH(bool, ipv6);
        QTcpServer squatter;
        QVERIFY(squatter.listen(squatterAddress, 0));
        const quint16 port = squatter.serverPort();

        LoopbackServer server;
        server.setListenIpv6(ipv6);
        QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(QStringLiteral("another program is using it")));
        const Status status = server.listen(port);
        QVERIFY(!status.ok());
        QCOMPARE(status.error().code, QStringLiteral("port_in_use"));
        QVERIFY(status.error().message.contains(QString::number(port)));
        QVERIFY(!server.isListening());
        QCOMPARE(server.port(), quint16(0));
        // Nothing of ours stays bound: only the squatter's listener remains, and no other port was taken.
        const int ours = listeningAddresses(QStringLiteral("/proc/net/tcp"), port).size()
            + listeningAddresses(QStringLiteral("/proc/net/tcp6"), port).size();
        QCOMPARE(ours, 1);
    }

    void testFixedPortRequired()
    {
        LoopbackServer server;
        const Status status = server.listen(0);
        QCOMPARE(status.error().code, QStringLiteral("invalid_port"));
        QVERIFY(!server.isListening());
    }

    void testListenTwiceAndInvalidLimits()
    {
        Harness h;
        QCOMPARE(h.server.listen(h.port()).error().code, QStringLiteral("already_listening"));
        HttpLimits bad;
        bad.maxUriBytes = bad.maxHeaderBytes;
        LoopbackServer server(bad);
        server.setAllowEphemeralPortForTesting(true);
        QCOMPARE(server.listen(0).error().code, QStringLiteral("invalid_limits"));
    }

    // ---- A2 Host allow-list (DNS rebinding) ---------------------------------------------------

    void testHostAllowList_data()
    {
        QTest::addColumn<QByteArray>("host"); // "%P" becomes the port; "-" means no Host header
        QTest::addColumn<int>("status");
        QTest::newRow("127.0.0.1:P") << QByteArray("127.0.0.1:%P") << 200;
        QTest::newRow("localhost:P") << QByteArray("localhost:%P") << 200;
        QTest::newRow("attacker.example:P") << QByteArray("attacker.example:%P") << 421;
        QTest::newRow("0.0.0.0:P") << QByteArray("0.0.0.0:%P") << 421;
        QTest::newRow("127.0.0.2:P") << QByteArray("127.0.0.2:%P") << 421;
        QTest::newRow("decimal 2130706433:P") << QByteArray("2130706433:%P") << 421;
        QTest::newRow("hex 0x7f000001:P") << QByteArray("0x7f000001:%P") << 421;
        QTest::newRow("short 127.1:P") << QByteArray("127.1:%P") << 421;
        QTest::newRow("[::ffff:127.0.0.1]:P") << QByteArray("[::ffff:127.0.0.1]:%P") << 421;
        QTest::newRow("[::1]:P not bound") << QByteArray("[::1]:%P") << 421;
        QTest::newRow("trailing dot localhost.:P") << QByteArray("localhost.:%P") << 421;
        QTest::newRow("trailing dot 127.0.0.1.:P") << QByteArray("127.0.0.1.:%P") << 421;
        QTest::newRow("no port") << QByteArray("127.0.0.1") << 421;
        QTest::newRow("other port") << QByteArray("127.0.0.1:1") << 421;
        QTest::newRow("upper-case LOCALHOST") << QByteArray("LOCALHOST:%P") << 421;
        QTest::newRow("userinfo") << QByteArray("evil@127.0.0.1:%P") << 421;
        QTest::newRow("empty") << QByteArray("") << 421;
        QTest::newRow("missing") << QByteArray("-") << 421;
    }

    void testHostAllowList()
    {
        QFETCH(QByteArray, host);
        QFETCH(int, status);
        Harness h;
        host.replace("%P", QByteArray::number(h.port()));
        const QByteArray request = host == "-"
            ? QByteArray("GET /.well-known/oauth-authorization-server HTTP/1.1\r\n\r\n")
            : withHost("GET /.well-known/oauth-authorization-server HTTP/1.1", host);
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        const auto reply = client.exchange(request);
        QVERIFY(reply);
        QCOMPARE(reply->status, status);
        if (status == 421) {
            // security-cases A2: no body, and the handler never ran.
            QVERIFY(reply->body.isEmpty());
            QCOMPARE(reply->header("Content-Length"), QByteArray("0"));
            QCOMPARE(h.totalCalls(), 0);
            QVERIFY(client.waitClosed());
        } else {
            QCOMPARE(h.totalCalls(), 1);
        }
    }

    // ---- A3 Origin allow-list ---------------------------------------------------------------

    void testOriginAllowList_data()
    {
        QTest::addColumn<QByteArray>("headers"); // extra header lines; %P = port
        QTest::addColumn<QByteArray>("host");
        QTest::addColumn<int>("status");
        QTest::newRow("no Origin (native client)") << QByteArray() << QByteArray("127.0.0.1:%P") << 200;
        QTest::newRow("own origin") << QByteArray("Origin: http://127.0.0.1:%P\r\n") << QByteArray("127.0.0.1:%P")
                                    << 200;
        QTest::newRow("foreign https") << QByteArray("Origin: https://evil.example\r\n") << QByteArray("127.0.0.1:%P")
                                       << 403;
        QTest::newRow("foreign on our port")
            << QByteArray("Origin: http://evil.example:%P\r\n") << QByteArray("127.0.0.1:%P") << 403;
        // After DNS rebinding Origin and Host agree; Host fails first, and Origin alone would fail too.
        QTest::newRow("rebinding pair") << QByteArray("Origin: http://evil.example:%P\r\n")
                                        << QByteArray("evil.example:%P") << 421;
        QTest::newRow("null") << QByteArray("Origin: null\r\n") << QByteArray("127.0.0.1:%P") << 403;
        QTest::newRow("https own host") << QByteArray("Origin: https://127.0.0.1:%P\r\n") << QByteArray("127.0.0.1:%P")
                                        << 403;
        QTest::newRow("own origin with slash")
            << QByteArray("Origin: http://127.0.0.1:%P/\r\n") << QByteArray("127.0.0.1:%P") << 403;
        QTest::newRow("other port") << QByteArray("Origin: http://127.0.0.1:1\r\n") << QByteArray("127.0.0.1:%P")
                                    << 403;
        // Without [::1]:PORT bound, a squatter there could serve http://localhost:PORT pages.
        QTest::newRow("localhost origin, v4 only")
            << QByteArray("Origin: http://localhost:%P\r\n") << QByteArray("127.0.0.1:%P") << 403;
        QTest::newRow("Origin == Host is no trust")
            << QByteArray("Origin: http://localhost:%P\r\n") << QByteArray("localhost:%P") << 403;
        QTest::newRow("two Origins") << QByteArray("Origin: http://127.0.0.1:%P\r\nOrigin: https://evil.example\r\n")
                                     << QByteArray("127.0.0.1:%P") << 403;
        QTest::newRow("CORS origin of another route")
            << QByteArray("Origin: http://localhost:6274\r\n") << QByteArray("127.0.0.1:%P") << 403;
    }

    void testOriginAllowList()
    {
        QFETCH(QByteArray, headers);
        QFETCH(QByteArray, host);
        QFETCH(int, status);
        Harness h;
        const QByteArray port = QByteArray::number(h.port());
        headers.replace("%P", port);
        host.replace("%P", port);
        for (const QByteArray &path : { QByteArray("/token"), QByteArray("/register") }) {
            const QByteArray type = path == "/token" ? FormType : QByteArray("application/json");
            const QByteArray body = path == "/token" ? QByteArray("grant_type=x") : QByteArray("{}");
            const QByteArray request = "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + headers
                + "Content-Type: " + type + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n"
                + body;
            RawClient client;
            QVERIFY(client.connectTo(h.port()));
            const auto reply = client.exchange(request);
            QVERIFY(reply);
            QCOMPARE(reply->status, status == 200 && path == "/register" ? 201 : status);
            QVERIFY(!reply->hasHeaderPrefix("Access-Control-"));
            if (status != 200)
                QVERIFY(client.waitClosed());
        }
        QCOMPARE(h.totalCalls(), status == 200 ? 2 : 0);
    }

    void testLocalhostOriginTrustedWhenIpv6IsOurs()
    {
        Harness h(shortLimits(), true);
        QVERIFY(h.server.ownOrigins().contains("http://localhost:" + QByteArray::number(h.port())));
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        const auto reply = client.exchange(postRequest(
            "/token", h.port(), FormType, "a=b", "Origin: http://localhost:" + QByteArray::number(h.port()) + "\r\n"));
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
    }

    // ---- A4 content type, GET with query: no side effects -----------------------------------

    void testSimpleRequestsNeverReachHandlers_data()
    {
        QTest::addColumn<QByteArray>("request"); // %H = host:port
        QTest::addColumn<int>("status");
        QTest::newRow("register text/plain") << QByteArray(
            "POST /register HTTP/1.1\r\nHost: %H\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}")
                                             << 415;
        QTest::newRow("token multipart") << QByteArray("POST /token HTTP/1.1\r\nHost: %H\r\nContent-Type: "
                                                       "multipart/form-data; boundary=x\r\nContent-Length: 2\r\n\r\nab")
                                         << 415;
        QTest::newRow("token text/plain")
            << QByteArray("POST /token HTTP/1.1\r\nHost: %H\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nab")
            << 415;
        QTest::newRow("token no content type")
            << QByteArray("POST /token HTTP/1.1\r\nHost: %H\r\nContent-Length: 2\r\n\r\nab") << 415;
        QTest::newRow("token two content types") << QByteArray(
            "POST /token HTTP/1.1\r\nHost: %H\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Type: "
            "text/plain\r\nContent-Length: 2\r\n\r\nab")
                                                 << 415;
        QTest::newRow("token malformed content type") << QByteArray(
            "POST /token HTTP/1.1\r\nHost: %H\r\nContent-Type: application/x-www-form-urlencoded/x\r\nContent-Length: "
            "2\r\n\r\nab") << 415;
        QTest::newRow("GET register?query")
            << QByteArray("GET /register?redirect_uris=x HTTP/1.1\r\nHost: %H\r\n\r\n") << 405;
        QTest::newRow("GET token?grant_type")
            << QByteArray("GET /token?grant_type=client_credentials HTTP/1.1\r\nHost: %H\r\n\r\n") << 405;
        QTest::newRow("POST token?code") << QByteArray(
            "POST /token?code=abc HTTP/1.1\r\nHost: %H\r\nContent-Type: "
            "application/x-www-form-urlencoded\r\nContent-Length: 2\r\n\r\nab")
                                         << 400;
        QTest::newRow("POST token? empty query") << QByteArray(
            "POST /token? HTTP/1.1\r\nHost: %H\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
            "2\r\n\r\nab") << 400;
        QTest::newRow("GET introspect?token")
            << QByteArray("GET /introspect?token=abc HTTP/1.1\r\nHost: %H\r\n\r\n") << 404;
    }

    void testSimpleRequestsNeverReachHandlers()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        Harness h;
        request.replace("%H", h.hostPort());
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        const auto reply = client.exchange(request);
        QVERIFY(reply);
        QCOMPARE(reply->status, status);
        QCOMPARE(h.totalCalls(), 0);
        if (status == 405)
            QCOMPARE(reply->header("Allow"), QByteArray("POST"));
    }

    void testContentTypeParametersAccepted()
    {
        Harness h;
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        auto reply = client.exchange(postRequest("/register", h.port(), "Application/JSON; charset=utf-8", "{}"));
        QVERIFY(reply);
        QCOMPARE(reply->status, 201);
        reply = client.exchange(
            postRequest("/token", h.port(), "application/x-www-form-urlencoded;charset=UTF-8", "a=b"));
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        QCOMPARE(h.totalCalls(), 2);
    }

    // ---- A5 CORS ----------------------------------------------------------------------------

    void testCorsPreflightFromEvilOriginGetsNothing()
    {
        Harness h;
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        const auto reply = client.exchange(withHost("OPTIONS /token HTTP/1.1", h.hostPort(),
            "Origin: https://evil.example\r\nAccess-Control-Request-Method: POST\r\n"));
        QVERIFY(reply);
        QCOMPARE(reply->status, 403);
        QVERIFY(!reply->hasHeaderPrefix("Access-Control-"));
        QCOMPARE(h.totalCalls(), 0);
    }

    void testNoCorsOnNonCorsRoutes()
    {
        Harness h;
        const QByteArray own = "Origin: http://" + h.hostPort() + "\r\n";
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        // OPTIONS on a route without CORS is not a method it has.
        auto reply = client.exchange(
            withHost("OPTIONS /token HTTP/1.1", h.hostPort(), own + "Access-Control-Request-Method: POST\r\n"));
        QVERIFY(reply);
        QCOMPARE(reply->status, 405);
        QCOMPARE(reply->header("Allow"), QByteArray("POST"));
        QVERIFY(!reply->hasHeaderPrefix("Access-Control-"));
        // RFC 9700 §2.6: no CORS at all at the authorization endpoint, whatever is asked.
        RawClient authorize;
        QVERIFY(authorize.connectTo(h.port()));
        reply = authorize.exchange(
            withHost("OPTIONS /authorize HTTP/1.1", h.hostPort(), own + "Access-Control-Request-Method: GET\r\n"));
        QVERIFY(reply);
        QCOMPARE(reply->status, 405);
        QVERIFY(!reply->hasHeaderPrefix("Access-Control-"));
        RawClient get;
        QVERIFY(get.connectTo(h.port()));
        reply = get.exchange(withHost("GET /authorize?response_type=code HTTP/1.1", h.hostPort(), own));
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        QVERIFY(!reply->hasHeaderPrefix("Access-Control-"));
        QVERIFY(!reply->hasHeader("Vary"));
    }

    void testPublicMetadataCors()
    {
        Harness h;
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        // A browser-based client (MCP Inspector) reads metadata: ACAO *, never credentials.
        auto reply = client.exchange(withHost("GET /.well-known/oauth-authorization-server HTTP/1.1", h.hostPort(),
            "Origin: http://localhost:6274\r\nMCP-Protocol-Version: 2025-11-25\r\n"));
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        QCOMPARE(reply->header("Access-Control-Allow-Origin"), QByteArray("*"));
        QVERIFY(!reply->hasHeader("Access-Control-Allow-Credentials"));
        QCOMPARE(reply->header("Cache-Control"), QByteArray("public, max-age=60"));
        // mcp-authorization.md §4 #15: the preflight for MCP-Protocol-Version is granted.
        reply = client.exchange(withHost("OPTIONS /.well-known/oauth-authorization-server HTTP/1.1", h.hostPort(),
            "Origin: http://localhost:6274\r\nAccess-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: "
            "mcp-protocol-version\r\n"));
        QVERIFY(reply);
        QCOMPARE(reply->status, 204);
        QCOMPARE(reply->header("Access-Control-Allow-Origin"), QByteArray("*"));
        QCOMPARE(reply->header("Access-Control-Allow-Methods"), QByteArray("GET"));
        QCOMPARE(reply->header("Access-Control-Allow-Headers"), QByteArray("mcp-protocol-version"));
        QVERIFY(!reply->hasHeader("Access-Control-Allow-Credentials"));
        QVERIFY(!reply->hasHeader("Content-Length"));
        // The connection survived both (keep-alive), and only the GET ran a handler.
        QVERIFY(!client.isClosed());
        QCOMPARE(h.totalCalls(), 1);
        // A header not on the list, or a method the path does not have, is refused without CORS headers.
        reply = client.exchange(withHost("OPTIONS /.well-known/oauth-authorization-server HTTP/1.1", h.hostPort(),
            "Origin: http://localhost:6274\r\nAccess-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: "
            "x-evil\r\n"));
        QVERIFY(reply);
        QCOMPARE(reply->status, 403);
        QVERIFY(!reply->hasHeaderPrefix("Access-Control-"));
        RawClient other;
        QVERIFY(other.connectTo(h.port()));
        reply = other.exchange(withHost("OPTIONS /.well-known/oauth-authorization-server HTTP/1.1", h.hostPort(),
            "Origin: http://localhost:6274\r\nAccess-Control-Request-Method: POST\r\n"));
        QVERIFY(reply);
        QCOMPARE(reply->status, 403);
        QVERIFY(!reply->hasHeaderPrefix("Access-Control-"));
        // Origin: null is refused even on public routes.
        RawClient null;
        QVERIFY(null.connectTo(h.port()));
        reply = null.exchange(
            withHost("GET /.well-known/oauth-authorization-server HTTP/1.1", h.hostPort(), "Origin: null\r\n"));
        QVERIFY(reply);
        QCOMPARE(reply->status, 403);
    }

    void testAllowedOriginsCors()
    {
        Harness h;
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        auto reply = client.exchange(withHost("OPTIONS /mcp HTTP/1.1", h.hostPort(),
            "Origin: http://localhost:6274\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: "
            "authorization, content-type\r\n"));
        QVERIFY(reply);
        QCOMPARE(reply->status, 204);
        QCOMPARE(reply->header("Access-Control-Allow-Origin"), QByteArray("http://localhost:6274"));
        QCOMPARE(reply->header("Access-Control-Allow-Headers"), QByteArray("authorization, content-type"));
        QVERIFY(reply->header("Vary").contains("Origin"));
        reply = client.exchange(
            postRequest("/mcp", h.port(), "application/json", "{}", "Origin: http://localhost:6274\r\n"));
        QVERIFY(reply);
        QCOMPARE(reply->status, 401);
        QCOMPARE(reply->header("Access-Control-Allow-Origin"), QByteArray("http://localhost:6274"));
        QCOMPARE(reply->header("Access-Control-Expose-Headers"), QByteArray("WWW-Authenticate"));
        QCOMPARE(reply->header("Vary"), QByteArray("Origin"));
        QVERIFY(reply->header("WWW-Authenticate").startsWith("Bearer "));
        QVERIFY(!reply->hasHeader("Access-Control-Allow-Credentials"));
        // Another origin: 403 before the handler, no CORS headers.
        RawClient evil;
        QVERIFY(evil.connectTo(h.port()));
        reply = evil.exchange(
            postRequest("/mcp", h.port(), "application/json", "{}", "Origin: http://localhost:6275\r\n"));
        QVERIFY(reply);
        QCOMPARE(reply->status, 403);
        QVERIFY(!reply->hasHeaderPrefix("Access-Control-"));
        QCOMPARE(h.calls.value("POST /mcp"), 1);
    }

    // ---- A6 Fetch Metadata and framing headers ----------------------------------------------

    void testFetchMetadata_data()
    {
        QTest::addColumn<QByteArray>("headers");
        QTest::addColumn<int>("status");
        QTest::newRow("no Fetch Metadata") << QByteArray() << 200;
        QTest::newRow("navigate document")
            << QByteArray("Sec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: document\r\nSec-Fetch-Site: cross-site\r\n")
            << 200;
        QTest::newRow("navigate only") << QByteArray("Sec-Fetch-Mode: navigate\r\n") << 200;
        QTest::newRow("img") << QByteArray("Sec-Fetch-Mode: no-cors\r\nSec-Fetch-Dest: image\r\n") << 403;
        QTest::newRow("iframe") << QByteArray("Sec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: iframe\r\n") << 403;
        QTest::newRow("frame") << QByteArray("Sec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: frame\r\n") << 403;
        QTest::newRow("fetch no-cors") << QByteArray("Sec-Fetch-Mode: no-cors\r\nSec-Fetch-Dest: empty\r\n") << 403;
        QTest::newRow("fetch cors") << QByteArray("Sec-Fetch-Mode: cors\r\nSec-Fetch-Dest: empty\r\n") << 403;
        QTest::newRow("dest image alone") << QByteArray("Sec-Fetch-Dest: image\r\n") << 403;
        QTest::newRow("two modes") << QByteArray("Sec-Fetch-Mode: navigate\r\nSec-Fetch-Mode: cors\r\n") << 403;
    }

    void testFetchMetadata()
    {
        QFETCH(QByteArray, headers);
        QFETCH(int, status);
        Harness h;
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        const auto reply = client.exchange(
            withHost("GET /authorize?response_type=code&client_id=c HTTP/1.1", h.hostPort(), headers));
        QVERIFY(reply);
        QCOMPARE(reply->status, status);
        // A refused embedding never raises a consent prompt: the handler did not run.
        QCOMPARE(h.calls.value("GET /authorize"), status == 200 ? 1 : 0);
    }

    // Issue 10.3: a route that admits fetch probes lets a program's fetch() (mode cors, no or
    // empty Dest) reach its handler; every other non-navigation, and any page's Origin, is still
    // refused before it; a route cannot admit probes without being navigation-only.
    void testI10_fetchProbesReachOnlyAdmittingRoutes_data()
    {
        QTest::addColumn<QByteArray>("headers");
        QTest::addColumn<int>("status");
        QTest::newRow("cors, no Dest (Node fetch)") << QByteArray("Sec-Fetch-Mode: cors\r\n") << 200;
        QTest::newRow("cors, Dest empty") << QByteArray("Sec-Fetch-Mode: cors\r\nSec-Fetch-Dest: empty\r\n") << 200;
        QTest::newRow("navigate document")
            << QByteArray("Sec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: document\r\n") << 200;
        QTest::newRow("cors from a page")
            << QByteArray("Sec-Fetch-Mode: cors\r\nOrigin: http://evil.example\r\n") << 403;
        QTest::newRow("cors, Dest image") << QByteArray("Sec-Fetch-Mode: cors\r\nSec-Fetch-Dest: image\r\n") << 403;
        QTest::newRow("cors, two Dest") << QByteArray(
            "Sec-Fetch-Mode: cors\r\nSec-Fetch-Dest: empty\r\nSec-Fetch-Dest: empty\r\n")
                                        << 403;
        QTest::newRow("cors twice") << QByteArray("Sec-Fetch-Mode: cors\r\nSec-Fetch-Mode: cors\r\n") << 403;
        QTest::newRow("no-cors") << QByteArray("Sec-Fetch-Mode: no-cors\r\nSec-Fetch-Dest: empty\r\n") << 403;
        QTest::newRow("iframe") << QByteArray("Sec-Fetch-Mode: navigate\r\nSec-Fetch-Dest: iframe\r\n") << 403;
        QTest::newRow("websocket") << QByteArray("Sec-Fetch-Mode: websocket\r\n") << 403;
    }
    void testI10_fetchProbesReachOnlyAdmittingRoutes()
    {
        QFETCH(QByteArray, headers);
        QFETCH(int, status);
        Harness h;
        RouteOptions probes;
        probes.navigationOnly = true;
        probes.allowQuery = true;
        probes.admitFetchProbes = true;
        h.add("GET", "/probe", probes, [](const Request &, Responder r) { r.send(Response::json(400, {})); });
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        const auto reply = client.exchange(withHost("GET /probe?client_id=c HTTP/1.1", h.hostPort(), headers));
        QVERIFY(reply);
        QCOMPARE(reply->status, status == 200 ? 400 : status);
        QCOMPARE(h.calls.value("GET /probe"), status == 200 ? 1 : 0);
        // The same request to a navigation-only route that does not admit probes: refused unless navigate.
        RawClient other;
        QVERIFY(other.connectTo(h.port()));
        const auto plain = other.exchange(withHost("GET /authorize?x=1 HTTP/1.1", h.hostPort(), headers));
        QVERIFY(plain);
        QCOMPARE(h.calls.value("GET /authorize"), headers.contains("navigate\r\nSec-Fetch-Dest: document") ? 1 : 0);

        RouteOptions notNavigation;
        notNavigation.admitFetchProbes = true;
        QCOMPARE(h.server
                     .route(
                         "GET", "/x", [](const Request &, Responder) {}, notNavigation)
                     .error()
                     .code,
            QStringLiteral("route_invalid"));
    }

    void testSecurityHeaders()
    {
        Harness h;
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        // HTML (RFC 9700 §4.16): not frameable, no script, style only by hash.
        auto reply = client.exchange(withHost("GET /authorize?x=1 HTTP/1.1", h.hostPort()));
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        QCOMPARE(reply->header("X-Frame-Options"), QByteArray("DENY"));
        const QByteArray csp = reply->header("Content-Security-Policy");
        QVERIFY(csp.contains("frame-ancestors 'none'"));
        QVERIFY(csp.contains("default-src 'none'"));
        QVERIFY(csp.contains("base-uri 'none'"));
        QVERIFY(csp.contains("form-action 'self'"));
        QVERIFY(!csp.contains("unsafe-inline"));
        const QByteArray hash = QCryptographicHash::hash("p{}", QCryptographicHash::Sha256).toBase64();
        QVERIFY(csp.contains(QByteArray("style-src 'sha256-" + hash + "'")));
        QCOMPARE(reply->header("Content-Type"), QByteArray("text/html; charset=utf-8"));
        QCOMPARE(reply->header("X-Content-Type-Options"), QByteArray("nosniff"));
        QCOMPARE(reply->header("Referrer-Policy"), QByteArray("no-referrer"));
        QCOMPARE(reply->header("Cache-Control"), QByteArray("no-store"));
        QVERIFY(reply->header("Date").endsWith(" GMT"));
        // JSON and errors carry the common ones, and no framing headers.
        for (const QByteArray &request :
            { postRequest("/token", h.port(), FormType, "a=b"), withHost("GET /nothing HTTP/1.1", h.hostPort()) }) {
            RawClient c;
            QVERIFY(c.connectTo(h.port()));
            reply = c.exchange(request);
            QVERIFY(reply);
            QCOMPARE(reply->header("X-Content-Type-Options"), QByteArray("nosniff"));
            QCOMPARE(reply->header("Referrer-Policy"), QByteArray("no-referrer"));
            QCOMPARE(reply->header("Cache-Control"), QByteArray("no-store"));
            QCOMPARE(reply->header("Content-Type"), QByteArray("application/json"));
            QVERIFY(!reply->hasHeader("X-Frame-Options"));
        }
        // Error bodies name a code and a sentence, nothing internal.
        QVERIFY(reply);
        QCOMPARE(reply->status, 404);
        QCOMPARE(reply->body,
            QByteArray("{\"error\":\"not_found\",\"error_description\":\"There is nothing at this path.\"}"));
    }

    // ---- B7 framing and routing over real sockets --------------------------------------------

    void testFramingRejectedAndClosed_data()
    {
        QTest::addColumn<QByteArray>("request"); // %H = host:port
        QTest::addColumn<int>("status");
        QTest::newRow("CL + TE") << QByteArray(
            "POST /token HTTP/1.1\r\nHost: %H\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
            "3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
                                 << 400;
        QTest::newRow("two CL same") << QByteArray(
            "POST /token HTTP/1.1\r\nHost: %H\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
            "3\r\nContent-Length: 3\r\n\r\nabc")
                                     << 400;
        QTest::newRow("two CL different")
            << QByteArray("POST /token HTTP/1.1\r\nHost: %H\r\nContent-Type: "
                          "application/x-www-form-urlencoded\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde")
            << 400;
        // RFC 9112 §6.1 / §6.3: only exactly chunked frames a request body.
        QTest::newRow("TE chunked, gzip") << QByteArray(
            "POST /token HTTP/1.1\r\nHost: %H\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: "
            "chunked, gzip\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
                                          << 400;
        QTest::newRow("TE gzip, chunked") << QByteArray(
            "POST /token HTTP/1.1\r\nHost: %H\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: "
            "gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
                                          << 501;
        QTest::newRow("TE chunked twice") << QByteArray(
            "POST /token HTTP/1.1\r\nHost: %H\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: "
            "chunked\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
                                          << 400;
        // A malformed chunked body: the handler never runs.
        QTest::newRow("chunk size 0x3") << QByteArray(
            "POST /token HTTP/1.1\r\nHost: %H\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: "
            "chunked\r\n\r\n0x3\r\nabc\r\n0\r\n\r\n")
                                        << 400;
        QTest::newRow("chunk bare LF") << QByteArray(
            "POST /token HTTP/1.1\r\nHost: %H\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: "
            "chunked\r\n\r\n3\nabc\r\n0\r\n\r\n")
                                       << 400;
        QTest::newRow("chunk longer than declared") << QByteArray(
            "POST /token HTTP/1.1\r\nHost: %H\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: "
            "chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n") << 400;
        QTest::newRow("trailer without colon") << QByteArray(
            "POST /token HTTP/1.1\r\nHost: %H\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: "
            "chunked\r\n\r\n3\r\nabc\r\n0\r\nGET /ok HTTP/1.1\r\n\r\n")
                                               << 400;
        QTest::newRow("obs-fold") << QByteArray(
            "POST /token HTTP/1.1\r\nHost: %H\r\nContent-Type: application/x-www-form-urlencoded\r\nX-A: a\r\n  "
            "b\r\nContent-Length: 3\r\n\r\nabc")
                                  << 400;
        QTest::newRow("bare LF") << QByteArray("GET /ok HTTP/1.1\nHost: %H\n\n") << 400;
        QTest::newRow("unknown method") << QByteArray("FOO /token HTTP/1.1\r\nHost: %H\r\n\r\n") << 501;
        QTest::newRow("invalid method") << QByteArray("P@ST /token HTTP/1.1\r\nHost: %H\r\n\r\n") << 400;
        QTest::newRow("absolute-form") << QByteArray("GET http://%H/ok HTTP/1.1\r\nHost: %H\r\n\r\n") << 400;
        QTest::newRow("asterisk-form") << QByteArray("OPTIONS * HTTP/1.1\r\nHost: %H\r\n\r\n") << 400;
        QTest::newRow("HTTP/2.0") << QByteArray("GET /ok HTTP/2.0\r\nHost: %H\r\n\r\n") << 505;
        QTest::newRow("two Host") << QByteArray("GET /ok HTTP/1.1\r\nHost: %H\r\nHost: %H\r\n\r\n") << 400;
    }

    void testFramingRejectedAndClosed()
    {
        QFETCH(QByteArray, request);
        QFETCH(int, status);
        Harness h;
        request.replace("%H", h.hostPort());
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        // A valid request queued behind the bad one must not be served from the same connection.
        const auto reply = client.exchange(request + withHost("GET /ok HTTP/1.1", h.hostPort()));
        QVERIFY(reply);
        QCOMPARE(reply->status, status);
        QCOMPARE(reply->header("Connection"), QByteArray("close"));
        QVERIFY(client.waitClosed());
        QVERIFY(!client.pending().contains("HTTP/1.1"));
        QCOMPARE(h.totalCalls(), 0);
    }

    void testExactRouting_data()
    {
        QTest::addColumn<QByteArray>("requestLine");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("allow");
        QTest::newRow("/token/") << QByteArray("POST /token/ HTTP/1.1") << 404 << QByteArray();
        QTest::newRow("//token") << QByteArray("POST //token HTTP/1.1") << 404 << QByteArray();
        QTest::newRow("/TOKEN") << QByteArray("POST /TOKEN HTTP/1.1") << 404 << QByteArray();
        QTest::newRow("/token%2F") << QByteArray("POST /token%2F HTTP/1.1") << 404 << QByteArray();
        QTest::newRow("/%74oken") << QByteArray("POST /%74oken HTTP/1.1") << 404 << QByteArray();
        QTest::newRow("/a/../token") << QByteArray("POST /a/../token HTTP/1.1") << 404 << QByteArray();
        QTest::newRow("/./token") << QByteArray("POST /./token HTTP/1.1") << 404 << QByteArray();
        QTest::newRow("/token;x") << QByteArray("POST /token;x HTTP/1.1") << 404 << QByteArray();
        QTest::newRow("PUT /token") << QByteArray("PUT /token HTTP/1.1") << 405 << QByteArray("POST");
        QTest::newRow("DELETE /token") << QByteArray("DELETE /token HTTP/1.1") << 405 << QByteArray("POST");
        QTest::newRow("TRACE /token") << QByteArray("TRACE /token HTTP/1.1") << 405 << QByteArray("POST");
        QTest::newRow("PATCH /token") << QByteArray("PATCH /token HTTP/1.1") << 405 << QByteArray("POST");
        QTest::newRow("GET /token") << QByteArray("GET /token HTTP/1.1") << 405 << QByteArray("POST");
        QTest::newRow("HEAD /token") << QByteArray("HEAD /token HTTP/1.1") << 405 << QByteArray("POST");
        QTest::newRow("HEAD not derived from GET")
            << QByteArray("HEAD /authorize HTTP/1.1") << 405 << QByteArray("GET");
        QTest::newRow("POST metadata") << QByteArray("POST /.well-known/oauth-authorization-server HTTP/1.1") << 405
                                       << QByteArray("GET, OPTIONS");
        QTest::newRow("POST /ok") << QByteArray("POST /ok HTTP/1.1") << 405 << QByteArray("GET, HEAD");
    }

    void testExactRouting()
    {
        QFETCH(QByteArray, requestLine);
        QFETCH(int, status);
        QFETCH(QByteArray, allow);
        Harness h;
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        const auto reply = client.exchange(
            withHost(requestLine, h.hostPort(), "Content-Type: application/x-www-form-urlencoded\r\n"), 3000,
            requestLine.startsWith("HEAD"));
        QVERIFY(reply);
        QCOMPARE(reply->status, status);
        QCOMPARE(reply->header("Allow"), allow);
        QCOMPARE(h.totalCalls(), 0);
    }

    // ---- Connection behaviour ---------------------------------------------------------------

    void testKeepAliveSequentialRequests()
    {
        Harness h;
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        for (int i = 0; i < 5; ++i) {
            const auto reply = client.exchange(postRequest("/token", h.port(), FormType, "n=" + QByteArray::number(i)));
            QVERIFY(reply);
            QCOMPARE(reply->status, 200);
            QVERIFY(!reply->hasHeader("Connection"));
            QCOMPARE(h.lastRequest->sequence, quint64(i + 1));
            QCOMPARE(h.lastRequest->body, "n=" + QByteArray::number(i));
        }
        QVERIFY(!client.isClosed());
        QCOMPARE(h.calls.value("POST /token"), 5);
        QCOMPARE(h.server.connectionCount(), 1);
    }

    void testPipelinedRequestsAnsweredInOrder()
    {
        Harness h;
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        client.send(postRequest("/token", h.port(), FormType, "a=1") + withHost("GET /ok HTTP/1.1", h.hostPort())
            + postRequest("/register", h.port(), "application/json", "{}"));
        QList<int> statuses;
        for (int i = 0; i < 3; ++i) {
            const auto reply = client.readReply();
            QVERIFY(reply);
            statuses.append(reply->status);
        }
        QCOMPARE(statuses, (QList<int> { 200, 200, 201 }));
    }

    // ---- Chunked request bodies (RFC 9112 §7.1) ----------------------------------------------

    void testChunked_bodyReachesHandler()
    {
        Harness h;
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        // The head and each chunk arrive separately, as a streaming client sends them.
        const QList<QByteArray> pieces = { "POST /token HTTP/1.1\r\nHost: " + h.hostPort()
                + "\r\nContent-Type: " + FormType + "\r\nTransfer-Encoding: chunked\r\n\r\n",
            "18\r\ngrant_type=", "refresh_token\r\n", "0F;note=\"no meaning\"\r\n&refresh_token=\r\n", "2\r\nrt",
            "\r\n0\r\nX-Trailer: dropped\r\n", "\r\n" };
        for (const QByteArray &piece : pieces) {
            QCOMPARE(h.totalCalls(), 0);
            client.send(piece);
            QTest::qWait(20);
        }
        auto reply = client.readReply();
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        QVERIFY(!reply->hasHeader("Connection"));
        QVERIFY(h.lastRequest);
        // The handler sees the decoded body, exactly as if it had come with a Content-Length.
        QCOMPARE(h.lastRequest->body, QByteArray("grant_type=refresh_token&refresh_token=rt"));
        QCOMPARE(h.lastRequest->bodyForm()->value(u"refresh_token"), std::optional<QString>(QStringLiteral("rt")));
        QCOMPARE(h.lastRequest->headers.value("transfer-encoding"), QByteArray("chunked"));
        QVERIFY(!h.lastRequest->headers.contains("x-trailer"));
        // Keep-alive: the next request on the connection, with a Content-Length, is served.
        reply = client.exchange(postRequest("/token", h.port(), FormType, "a=b"));
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        QCOMPARE(h.lastRequest->body, QByteArray("a=b"));
        // Pipelined chunked requests, in one write, each with exactly its own body.
        const QByteArray chunkedPost = "POST /token HTTP/1.1\r\nHost: " + h.hostPort() + "\r\nContent-Type: " + FormType
            + "\r\nTransfer-Encoding: chunked\r\n\r\n";
        client.send(chunkedPost + "3\r\nn=1\r\n0\r\n\r\n" + chunkedPost + "3\r\nn=2\r\n0\r\n\r\n"
            + withHost("GET /ok HTTP/1.1", h.hostPort()));
        QList<int> statuses;
        for (int i = 0; i < 3; ++i) {
            reply = client.readReply();
            QVERIFY(reply);
            statuses.append(reply->status);
        }
        QCOMPARE(statuses, (QList<int> { 200, 200, 200 }));
        QCOMPARE(h.lastRequest->body, QByteArray("n=2"));
        QCOMPARE(h.calls.value("POST /token"), 4);
        QCOMPARE(h.calls.value("GET /ok"), 1);
        QVERIFY(!client.isClosed());
    }

    void testChunked_emptyAndAtLimit()
    {
        Harness h;
        const qint64 limit = h.server.limits().maxBodyBytes;
        const QByteArray head = "POST /token HTTP/1.1\r\nHost: " + h.hostPort() + "\r\nContent-Type: " + FormType
            + "\r\nTransfer-Encoding: chunked\r\n\r\n";
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        auto reply = client.exchange(head + "0\r\n\r\n");
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        QVERIFY(h.lastRequest->body.isEmpty());
        // Exactly the cap, in two chunks, is accepted; one byte more is 413.
        const QByteArray half(limit / 2, 'x');
        const QByteArray hex = QByteArray::number(limit / 2, 16);
        reply = client.exchange(head + hex + "\r\n" + half + "\r\n" + hex + "\r\n" + half + "\r\n0\r\n\r\n");
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        QCOMPARE(h.lastRequest->body.size(), limit);
        reply = client.exchange(head + hex + "\r\n" + half + "\r\n" + hex + "\r\n" + half + "\r\n1\r\n");
        QVERIFY(reply);
        QCOMPARE(reply->status, 413);
        QCOMPARE(reply->header("Connection"), QByteArray("close"));
        QCOMPARE(h.calls.value("POST /token"), 2);
    }

    // A gate that answers a chunked request itself never reads its body, so it must close:
    // otherwise the unread body would be parsed as the next request (request smuggling, B7).
    void testChunked_answeredByGateCloses_data()
    {
        QTest::addColumn<QByteArray>("head"); // %H = host:port
        QTest::addColumn<int>("status");
        QTest::newRow("415 wrong type") << QByteArray(
            "POST /token HTTP/1.1\r\nHost: %H\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
                                        << 415;
        QTest::newRow("404 unknown path")
            << QByteArray("POST /nothing HTTP/1.1\r\nHost: %H\r\nTransfer-Encoding: chunked\r\n\r\n") << 404;
        QTest::newRow("421 bad host") << QByteArray(
            "POST /token HTTP/1.1\r\nHost: evil.example\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            "Transfer-Encoding: chunked\r\n\r\n")
                                      << 421;
        QTest::newRow("405 wrong method")
            << QByteArray("PUT /token HTTP/1.1\r\nHost: %H\r\nTransfer-Encoding: chunked\r\n\r\n") << 405;
        // Preflights are answered without a handler and would otherwise keep the connection open.
        QTest::newRow("204 plain OPTIONS")
            << QByteArray("OPTIONS /mcp HTTP/1.1\r\nHost: %H\r\nTransfer-Encoding: chunked\r\n\r\n") << 204;
        QTest::newRow("204 allowed preflight")
            << QByteArray("OPTIONS /mcp HTTP/1.1\r\nHost: %H\r\nOrigin: http://localhost:6274\r\n"
                          "Access-Control-Request-Method: POST\r\nTransfer-Encoding: chunked\r\n\r\n")
            << 204;
    }

    void testChunked_answeredByGateCloses()
    {
        QFETCH(QByteArray, head);
        QFETCH(int, status);
        Harness h;
        head.replace("%H", h.hostPort());
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        // The "body" is a complete request: if it were parsed, /ok would be called.
        const auto reply = client.exchange(head + withHost("GET /ok HTTP/1.1", h.hostPort()));
        QVERIFY(reply);
        QCOMPARE(reply->status, status);
        QCOMPARE(reply->header("Connection"), QByteArray("close"));
        QVERIFY(client.waitClosed());
        QVERIFY(!client.pending().contains("HTTP/1.1"));
        QCOMPARE(h.totalCalls(), 0);
    }

    void testChunked_expectContinue()
    {
        Harness h;
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        client.send("POST /token HTTP/1.1\r\nHost: " + h.hostPort() + "\r\nContent-Type: " + FormType
            + "\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n");
        const auto interim = client.readReply();
        QVERIFY(interim);
        QCOMPARE(interim->status, 100);
        QCOMPARE(h.totalCalls(), 0);
        client.send("3\r\na=b\r\n0\r\n\r\n");
        const auto reply = client.readReply();
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        QCOMPARE(h.lastRequest->body, QByteArray("a=b"));
        // Refused by a gate: the final status instead of 100, and the connection closes.
        RawClient refused;
        QVERIFY(refused.connectTo(h.port()));
        const auto final = refused.exchange("POST /token HTTP/1.1\r\nHost: " + h.hostPort()
            + "\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n");
        QVERIFY(final);
        QCOMPARE(final->status, 415);
        QCOMPARE(final->header("Connection"), QByteArray("close"));
        QVERIFY(refused.waitClosed());
        QCOMPARE(h.calls.value("POST /token"), 1);
    }

    void testConnectionCloseAndHttp10()
    {
        Harness h;
        for (const QByteArray &request : { withHost("GET /ok HTTP/1.1", h.hostPort(), "Connection: close\r\n"),
                 withHost("GET /ok HTTP/1.0", h.hostPort()) }) {
            RawClient client;
            QVERIFY(client.connectTo(h.port()));
            const auto reply = client.exchange(request);
            QVERIFY(reply);
            QCOMPARE(reply->status, 200);
            QCOMPARE(reply->header("Connection"), QByteArray("close"));
            QCOMPARE(reply->body, QByteArray("ok"));
            QVERIFY(client.waitClosed());
        }
    }

    void testMaxRequestsPerConnection()
    {
        HttpLimits limits = shortLimits();
        limits.maxRequestsPerConnection = 3;
        Harness h(limits);
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        for (int i = 1; i <= 3; ++i) {
            const auto reply = client.exchange(withHost("GET /ok HTTP/1.1", h.hostPort()));
            QVERIFY(reply);
            QCOMPARE(reply->status, 200);
            QCOMPARE(reply->hasHeader("Connection"), i == 3);
        }
        QVERIFY(client.waitClosed());
    }

    void testDeferredResponseIsNotIdle()
    {
        HttpLimits limits = shortLimits();
        limits.idleTimeoutMs = 100;
        limits.headerTimeoutMs = 100;
        Harness h(limits);
        h.deferMs = 400;
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        QElapsedTimer timer;
        timer.start();
        const auto reply = client.exchange(withHost("GET /defer HTTP/1.1", h.hostPort()), 3000);
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        QCOMPARE(reply->body, QByteArray("late"));
        QVERIFY(timer.elapsed() >= 380);
        // Back to idle after the answer: now the idle timeout applies.
        QVERIFY(client.waitClosed(1000));
    }

    // Issue 9 R7a: requests parked by their handler (a long poll) have their own cap below the
    // connection cap, and give their slot back, with the answer they were parked with, when the
    // server needs it. Without that, parked requests alone turned every new connection into 503.
    void testR7_parkedRequestsMakeRoom()
    {
        HttpLimits limits = shortLimits();
        limits.maxConnections = 6;
        limits.maxParkedConnections = 3;
        Harness h(limits);
        h.add("GET", "/park", {}, [&](const Request &, Responder r) {
            r.park(Response { 200, "text/plain", "ask again", {}, {} });
            h.held.push_back(std::move(r));
        });
        auto open = [&](const QByteArray &path) {
            auto client = std::make_unique<RawClient>();
            if (client->connectTo(h.port()))
                client->send(withHost("GET " + path + " HTTP/1.1", h.hostPort()));
            return client;
        };
        // Five parked: the two parked longest were released with their answer and closed.
        std::vector<std::unique_ptr<RawClient>> parked;
        for (int i = 0; i < 5; ++i) {
            parked.push_back(open("/park"));
            QTRY_COMPARE(h.held.size(), size_t(i + 1));
        }
        for (int i = 0; i < 2; ++i) {
            const auto reply = parked[i]->readReply(2000);
            QVERIFY2(reply, "a parked request past the cap is answered, not dropped");
            QCOMPARE(reply->status, 200);
            QCOMPARE(reply->body, QByteArray("ask again"));
            QVERIFY(reply->header("connection").contains("close"));
            QVERIFY(!h.held[size_t(i)].isConnected()); // the handler sees a client that left
        }
        for (int i = 2; i < 5; ++i)
            QVERIFY(h.held[size_t(i)].isConnected());
        // The handler answering a released request later is a harmless no-op.
        h.held[0].send(Response::empty(204));
        QTRY_COMPARE(h.server.connectionCount(), 3);

        // Three requests a handler works on (not parked) fill the cap with the three parked.
        std::vector<std::unique_ptr<RawClient>> busy;
        for (int i = 0; i < 3; ++i) {
            busy.push_back(open("/hold"));
            QTRY_COMPARE(h.held.size(), size_t(6 + i));
        }
        QCOMPARE(h.server.connectionCount(), 6);
        // At the cap a new request is served: the oldest parked request gives way, not it.
        RawClient newcomer;
        QVERIFY(newcomer.connectTo(h.port()));
        const auto ok = newcomer.exchange(withHost("GET /ok HTTP/1.1", h.hostPort()), 2000);
        QVERIFY(ok);
        QCOMPARE(ok->status, 200);
        const auto released = parked[2]->readReply(2000);
        QVERIFY(released);
        QCOMPARE(released->body, QByteArray("ask again"));
        QVERIFY(h.held[3].isConnected() && h.held[4].isConnected());
        for (size_t i = 5; i < 8; ++i)
            QVERIFY(h.held[i].isConnected()); // work in progress is never evicted

        // Answering a parked request normally still works, and it is no longer parked.
        h.held[4].send(Response { 200, "text/plain", "decided", {}, {} });
        const auto decided = parked[4]->readReply(2000);
        QVERIFY(decided);
        QCOMPARE(decided->body, QByteArray("decided"));
        QVERIFY(!decided->header("connection").contains("close"));

        // The parked cap must leave room for everything else.
        HttpLimits bad = shortLimits();
        bad.maxParkedConnections = bad.maxConnections;
        QVERIFY(!bad.validate());
        bad.maxParkedConnections = 0;
        QVERIFY(!bad.validate());
    }

    void testDroppedResponderAnswers500()
    {
        Harness h;
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        QTest::ignoreMessage(QtWarningMsg, "A request handler dropped its responder without answering; sending 500.");
        const auto reply = client.exchange(withHost("GET /drop HTTP/1.1", h.hostPort()), 2000);
        QVERIFY(reply);
        QCOMPARE(reply->status, 500);
        // The connection stays usable.
        const auto next = client.exchange(withHost("GET /ok HTTP/1.1", h.hostPort()));
        QVERIFY(next);
        QCOMPARE(next->status, 200);
    }

    void testSecondSendIgnored()
    {
        Harness h;
        h.add("GET", "/twice", {}, [](const Request &, Responder r) {
            r.send(Response { 200, "text/plain", "first", {}, {} });
            QVERIFY(!r.isPending());
            r.send(Response { 200, "text/plain", "second", {}, {} });
        });
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        QTest::ignoreMessage(QtWarningMsg, "Responder::send() called on an answered or empty responder; ignored.");
        const auto reply = client.exchange(withHost("GET /twice HTTP/1.1", h.hostPort()));
        QVERIFY(reply);
        QCOMPARE(reply->body, QByteArray("first"));
        QTest::qWait(50);
        QVERIFY(!client.pending().contains("second"));
    }

    void testClientGoneWhileDeferred()
    {
        Harness h;
        int disconnects = 0;
        h.add("GET", "/watch", {}, [&](const Request &, Responder r) {
            r.onDisconnected([&] { ++disconnects; });
            QVERIFY(r.isConnected());
            h.held.push_back(std::move(r));
        });
        {
            RawClient client;
            QVERIFY(client.connectTo(h.port()));
            client.send(withHost("GET /watch HTTP/1.1", h.hostPort()));
            QTRY_COMPARE(h.held.size(), size_t(1));
        } // the client goes away without waiting
        QTRY_COMPARE(disconnects, 1);
        QVERIFY(!h.held.front().isConnected());
        QVERIFY(h.held.front().isPending());
        // Answering afterwards is a harmless no-op (ASan would catch a use-after-free here).
        h.held.front().send(Response::empty(204));
        QVERIFY(!h.held.front().isPending());
        int late = 0;
        h.held.front().onDisconnected([&] { ++late; });
        QCOMPARE(late, 0); // answered responders take no callbacks
        QTRY_COMPARE(h.server.connectionCount(), 0);
    }

    void testInvalidHandlerResponseBecomes500_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<QByteArray>("value");
        QTest::newRow("header injection") << QByteArray("X-A") << QByteArray("a\r\nSet-Cookie: x=y");
        QTest::newRow("reserved Content-Length") << QByteArray("Content-Length") << QByteArray("1");
        QTest::newRow("reserved Cache-Control") << QByteArray("Cache-Control") << QByteArray("public");
        QTest::newRow("reserved CORS") << QByteArray("Access-Control-Allow-Origin") << QByteArray("*");
        QTest::newRow("bad name") << QByteArray("X A") << QByteArray("1");
    }

    void testInvalidHandlerResponseBecomes500()
    {
        QFETCH(QByteArray, name);
        QFETCH(QByteArray, value);
        Harness h;
        h.add("GET", "/bad", {},
            [&](const Request &, Responder r) { r.send(Response::empty(200).withHeader(name, value)); });
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("invalid response from a handler")));
        const auto reply = client.exchange(withHost("GET /bad HTTP/1.1", h.hostPort()));
        QVERIFY(reply);
        QCOMPARE(reply->status, 500);
        QVERIFY(!reply->headers.contains(qMakePair(name, value)));
        QVERIFY(!reply->hasHeader("Set-Cookie"));
        QVERIFY(!reply->hasHeader("X-A"));
    }

    void testRedirectHelper()
    {
        Harness h;
        h.add("GET", "/r303", {}, [](const Request &, Responder r) {
            r.send(Response::redirect(303, QUrl(QStringLiteral("http://127.0.0.1:33418/cb?code=abc&state=x"))));
        });
        h.add("GET", "/r307", {}, [](const Request &, Responder r) {
            r.send(Response::redirect(307, QUrl(QStringLiteral("http://127.0.0.1:33418/cb"))));
        });
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        auto reply = client.exchange(withHost("GET /r303 HTTP/1.1", h.hostPort()));
        QVERIFY(reply);
        QCOMPARE(reply->status, 303);
        QCOMPARE(reply->header("Location"), QByteArray("http://127.0.0.1:33418/cb?code=abc&state=x"));
        QCOMPARE(reply->header("Cache-Control"), QByteArray("no-store"));
        QCOMPARE(reply->header("Referrer-Policy"), QByteArray("no-referrer"));
        // RFC 9700 §4.12: 307 would replay a POST body to the client.
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("Refusing to build a redirect")));
        reply = client.exchange(withHost("GET /r307 HTTP/1.1", h.hostPort()));
        QVERIFY(reply);
        QCOMPARE(reply->status, 500);
        QVERIFY(!reply->hasHeader("Location"));
    }

    void testHeadRoute()
    {
        Harness h;
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        auto reply = client.exchange(withHost("HEAD /ok HTTP/1.1", h.hostPort()), 3000, true);
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        QCOMPARE(reply->header("Content-Length"), QByteArray("2"));
        // No body followed the head: the next bytes are the next response's status line.
        reply = client.exchange(withHost("GET /ok HTTP/1.1", h.hostPort()));
        QVERIFY(reply);
        QCOMPARE(reply->statusLine, QByteArray("HTTP/1.1 200 OK"));
        QCOMPARE(reply->body, QByteArray("ok"));
    }

    void testExpectContinue()
    {
        Harness h;
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        client.send("POST /token HTTP/1.1\r\nHost: " + h.hostPort()
            + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\nExpect: "
              "100-continue\r\n\r\n");
        auto interim = client.readReply();
        QVERIFY(interim);
        QCOMPARE(interim->status, 100);
        QCOMPARE(h.totalCalls(), 0);
        client.send("a=b");
        const auto reply = client.readReply();
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        // A request the gates refuse gets its final status instead of 100, and its body is never read.
        RawClient refused;
        QVERIFY(refused.connectTo(h.port()));
        const auto final = refused.exchange("POST /token HTTP/1.1\r\nHost: " + h.hostPort()
            + "\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
        QVERIFY(final);
        QCOMPARE(final->status, 415);
    }

    void testRequestValue()
    {
        Harness h;
        std::optional<Request> seen;
        RouteOptions options;
        options.allowQuery = true;
        h.add("POST", "/echo", options, [&](const Request &request, Responder r) {
            seen = request;
            r.send(Response::empty(204));
        });
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        const auto reply = client.exchange("POST /echo?a=1&b=%2F HTTP/1.1\r\nHost: " + h.hostPort()
            + "\r\nX-Twice: 1\r\nx-twice: 2\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: "
              "7\r\n\r\nk=v&w=x");
        QVERIFY(reply);
        QCOMPARE(reply->status, 204);
        QVERIFY(!reply->hasHeader("Content-Length"));
        QVERIFY(seen);
        QCOMPARE(seen->method, QByteArray("POST"));
        QCOMPARE(seen->target, QByteArray("/echo?a=1&b=%2F"));
        QCOMPARE(seen->path, QByteArray("/echo"));
        QCOMPARE(seen->query, QByteArray("a=1&b=%2F"));
        QVERIFY(seen->hasQuery);
        QCOMPARE(seen->headers.count("X-TWICE"), 2);
        QCOMPARE(seen->mediaType(), QByteArray("application/x-www-form-urlencoded"));
        QCOMPARE(seen->queryForm()->value(u"b"), std::optional<QString>(QStringLiteral("/")));
        QCOMPARE(seen->bodyForm()->value(u"w"), std::optional<QString>(QStringLiteral("x")));
        QCOMPARE(seen->peer.address, QHostAddress(QHostAddress::LocalHost));
        QCOMPARE(seen->peer.port, client.socket().localPort());
        QCOMPARE(seen->peer.uid, qint64(::geteuid()));
        QVERIFY(seen->peer.inode > 0);
        QVERIFY(seen->connectionId > 0);
        QCOMPARE(seen->sequence, quint64(1));
    }

    void testRouteValidation()
    {
        LoopbackServer server;
        const Handler noop = [](const Request &, Responder) {};
        QCOMPARE(server.route("OPTIONS", "/x", noop).error().code, QStringLiteral("route_invalid"));
        QCOMPARE(server.route("TRACE", "/x", noop).error().code, QStringLiteral("route_invalid"));
        QCOMPARE(server.route("get", "/x", noop).error().code, QStringLiteral("route_invalid"));
        QCOMPARE(server.route("GET", "x", noop).error().code, QStringLiteral("route_invalid"));
        QCOMPARE(server.route("GET", "/x?y", noop).error().code, QStringLiteral("route_invalid"));
        QCOMPARE(server.route("GET", "/x", nullptr).error().code, QStringLiteral("route_invalid"));
        RouteOptions publicPost = RouteOptions::publicMetadata();
        QCOMPARE(server.route("POST", "/x", noop, publicPost).error().code, QStringLiteral("route_invalid"));
        RouteOptions corsAuthorize;
        corsAuthorize.navigationOnly = true;
        corsAuthorize.cors = CorsPolicy::AllowedOrigins;
        corsAuthorize.corsOrigins = { "http://localhost:1" };
        QCOMPARE(server.route("GET", "/authorize", noop, corsAuthorize).error().code, QStringLiteral("route_invalid"));
        for (const QByteArray &origin : { QByteArray("*"), QByteArray("null"), QByteArray("http://a/"),
                 QByteArray("http://a/path"), QByteArray("ftp://a"), QByteArray("http://u@a") }) {
            RouteOptions o;
            o.cors = CorsPolicy::AllowedOrigins;
            o.corsOrigins = { origin };
            QVERIFY2(!server.route("POST", "/o", noop, o).ok(), origin.constData());
        }
        RouteOptions emptyList;
        emptyList.cors = CorsPolicy::AllowedOrigins;
        QVERIFY(!server.route("POST", "/o", noop, emptyList).ok());
        RouteOptions badType;
        badType.requiredContentType = "application/json; charset=utf-8";
        QVERIFY(!server.route("POST", "/t", noop, badType).ok());
        QVERIFY(server.route("GET", "/x", noop).ok());
        QCOMPARE(server.route("GET", "/x", noop).error().code, QStringLiteral("route_duplicate"));
        QVERIFY(server.route("POST", "/x", noop).ok());
    }

    // A route's options can change while serving (an edited CORS allow-list): the next request
    // sees them; the same validation applies; only existing routes can be changed.
    void testSetRouteOptions()
    {
        Harness h;
        const auto preflight = [&h](const QByteArray &origin) {
            RawClient c;
            if (!c.connectTo(h.port()))
                return HttpReply {};
            return c
                .exchange(withHost("OPTIONS /token HTTP/1.1", h.hostPort(),
                    "Origin: " + origin + "\r\nAccess-Control-Request-Method: POST\r\n"))
                .value_or(HttpReply {});
        };
        QCOMPARE(preflight("http://localhost:6274").status, 403); // /token has no CORS yet: a foreign Origin

        RouteOptions o;
        o.requiredContentType = "application/x-www-form-urlencoded";
        o.cors = CorsPolicy::AllowedOrigins;
        o.corsOrigins = { "http://localhost:6274" };
        QVERIFY(h.server.setRouteOptions("POST", "/token", o).ok());
        HttpReply r = preflight("http://localhost:6274");
        QCOMPARE(r.status, 204);
        QCOMPARE(r.header("Access-Control-Allow-Origin"), QByteArray("http://localhost:6274"));
        QCOMPARE(preflight("http://localhost:6275").status, 403);

        RouteOptions bad = o;
        bad.corsOrigins = { "*" };
        QCOMPARE(h.server.setRouteOptions("POST", "/token", bad).error().code, QStringLiteral("route_invalid"));
        QCOMPARE(preflight("http://localhost:6274").status, 204); // the valid options stay
        QCOMPARE(h.server.setRouteOptions("GET", "/token", o).error().code, QStringLiteral("route_missing"));
        QCOMPARE(h.server.setRouteOptions("POST", "/nowhere", o).error().code, QStringLiteral("route_missing"));

        RouteOptions plain;
        plain.requiredContentType = "Application/X-WWW-Form-Urlencoded"; // stored lower-cased, as by route()
        QVERIFY(h.server.setRouteOptions("POST", "/token", plain).ok());
        QCOMPARE(preflight("http://localhost:6274").status, 403);
        RawClient c;
        QVERIFY(c.connectTo(h.port()));
        const auto posted = c.exchange(postRequest("/token", h.port(), "application/x-www-form-urlencoded", "a=b"));
        QVERIFY(posted);
        QCOMPARE(posted->status, 200);
    }

    void testCustomErrorRenderer()
    {
        Harness h;
        h.server.setErrorRenderer([](int status, const Error &error) {
            return Response { status, "text/plain", error.code.toUtf8(), {}, {} };
        });
        RawClient client;
        QVERIFY(client.connectTo(h.port()));
        auto reply = client.exchange(postRequest("/token", h.port(), "text/plain", "x"));
        QVERIFY(reply);
        QCOMPARE(reply->status, 415);
        QCOMPARE(reply->body, QByteArray("unsupported_media_type"));
        // 421 stays bodiless whatever the renderer does.
        RawClient rebound;
        QVERIFY(rebound.connectTo(h.port()));
        reply = rebound.exchange(withHost("GET /ok HTTP/1.1", "evil.example"));
        QVERIFY(reply);
        QCOMPARE(reply->status, 421);
        QVERIFY(reply->body.isEmpty());
    }

    // A real client: curl (as the conformance runner and users would), when installed.
    void testCurlInterop()
    {
        const QString curl = QStandardPaths::findExecutable(QStringLiteral("curl"));
        if (curl.isEmpty())
            QSKIP("curl is not installed");
        Harness h;
        auto run = [&](const QStringList &args) {
            QProcess p;
            p.start(curl,
                QStringList { QStringLiteral("-sS"), QStringLiteral("-o"), QStringLiteral("-"), QStringLiteral("-w"),
                    QStringLiteral("\n%{http_code}") }
                    + args);
            // The server lives on this thread's event loop: wait by spinning it, not by blocking.
            if (!QTest::qWaitFor([&] { return p.state() == QProcess::NotRunning; }, 10000))
                return QByteArray("timeout");
            return p.readAllStandardOutput();
        };
        const QString base = QStringLiteral("http://127.0.0.1:%1").arg(h.port());
        QByteArray out = run({ base + QStringLiteral("/.well-known/oauth-authorization-server") });
        QVERIFY2(out.endsWith("\n200"), out.constData());
        QVERIFY(out.startsWith("{\"issuer\""));
        out = run({ QStringLiteral("-d"), QStringLiteral("grant_type=authorization_code&code=x"),
            base + QStringLiteral("/token") });
        QVERIFY2(out.endsWith("\n200"), out.constData());
        QCOMPARE(h.lastRequest->body, QByteArray("grant_type=authorization_code&code=x"));
        out = run({ QStringLiteral("-H"), QStringLiteral("Host: evil.example"), base + QStringLiteral("/ok") });
        QVERIFY2(out.endsWith("\n421"), out.constData());
        // A 1 MiB upload: 413 as soon as curl has sent the head.
        QTemporaryFile big;
        QVERIFY(big.open());
        big.write(QByteArray(1024 * 1024, 'a'));
        big.flush();
        out = run(
            { QStringLiteral("--data-binary"), QLatin1Char('@') + big.fileName(), base + QStringLiteral("/token") });
        QVERIFY2(out.endsWith("\n413"), out.constData());
        QCOMPARE(h.calls.value("POST /token"), 1);
    }

    // curl -T - uploads stdin with Transfer-Encoding: chunked (and Expect: 100-continue).
    void testChunked_curlUploadFromStdin()
    {
        const QString curl = QStandardPaths::findExecutable(QStringLiteral("curl"));
        if (curl.isEmpty())
            QSKIP("curl is not installed");
        Harness h;
        auto run = [&](const QByteArray &input) {
            QProcess p;
            p.start(curl,
                { QStringLiteral("-sS"), QStringLiteral("-o"), QStringLiteral("-"), QStringLiteral("-w"),
                    QStringLiteral("\n%{http_code}"), QStringLiteral("-X"), QStringLiteral("POST"),
                    QStringLiteral("-H"), QStringLiteral("Content-Type: application/x-www-form-urlencoded"),
                    QStringLiteral("-T"), QStringLiteral("-"),
                    QStringLiteral("http://127.0.0.1:%1/token").arg(h.port()) });
            p.write(input);
            p.closeWriteChannel();
            if (!QTest::qWaitFor([&] { return p.state() == QProcess::NotRunning; }, 10000))
                return QByteArray("timeout");
            return p.readAllStandardOutput();
        };
        QByteArray out = run("grant_type=authorization_code&code=x");
        QVERIFY2(out.endsWith("\n200"), out.constData());
        QCOMPARE(h.lastRequest->body, QByteArray("grant_type=authorization_code&code=x"));
        QCOMPARE(h.lastRequest->headers.value("transfer-encoding"), QByteArray("chunked"));
        QVERIFY(!h.lastRequest->headers.contains("content-length"));
        // 1 MiB on stdin: 413 once the chunk sizes pass the cap, and the handler never runs.
        out = run(QByteArray(1024 * 1024, 'a'));
        QVERIFY2(out.endsWith("\n413"), out.constData());
        QCOMPARE(h.calls.value("POST /token"), 1);
    }
};

QTEST_GUILESS_MAIN(TestLoopbackServer)
#include "tst_loopbackserver.moc"
