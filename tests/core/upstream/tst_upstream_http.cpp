// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 11.1: the upstream client's HTTP limits (size, time, redirects, transport rule) against a
// raw local TCP server that answers exactly what each case needs.
#include "upstream/discovery.h"
#include "upstream/upstreamhttp.h"

#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <optional>

using namespace Tessera;
using namespace Tessera::Upstream;
using namespace Qt::Literals::StringLiterals;

namespace {

// Answers every connection with @p response once a request's header block has arrived
// (an empty response: never answers). Counts connections.
class RawServer : public QObject
{
public:
    explicit RawServer(QByteArray response) : m_response(std::move(response))
    {
        QVERIFY(m_server.listen(QHostAddress::LocalHost));
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                ++connections;
                connect(s, &QTcpSocket::readyRead, s, [this, s] {
                    m_buffer += s->readAll();
                    if (m_buffer.contains("\r\n\r\n") && !m_response.isEmpty())
                        s->write(m_response);
                });
            }
        });
    }
    [[nodiscard]] QUrl url(const QString &path = u"/x"_s) const
    {
        return QUrl(u"http://127.0.0.1:%1%2"_s.arg(m_server.serverPort()).arg(path));
    }
    int connections = 0;

private:
    QTcpServer m_server;
    QByteArray m_response;
    QByteArray m_buffer;
};

Result<HttpResponse> get(UpstreamHttp &http, const QUrl &url)
{
    std::optional<Result<HttpResponse>> out;
    http.send("GET", url, {}, {}, [&out](Result<HttpResponse> r) { out = std::move(r); });
    if (!QTest::qWaitFor([&out] { return out.has_value(); }, 20000))
        return Error::make(u"test_no_answer"_s, u"no callback"_s);
    return std::move(*out);
}

} // namespace

class TestUpstreamHttp : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void testI11_okResponseAndChallenges()
    {
        RawServer server("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json; charset=utf-8\r\n"
                         "WWW-Authenticate: Basic realm=\"r\"\r\nWWW-Authenticate: Bearer scope=\"s\"\r\n"
                         "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
        UpstreamHttp http;
        Result<HttpResponse> r = get(http, server.url());
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().toString()));
        QCOMPARE(r->status, 401);
        QCOMPARE(r->contentType, QByteArray("application/json"));
        QCOMPARE(r->body, QByteArray("{}"));
        Result<QList<Challenge>> c = parseWwwAuthenticate(r->wwwAuthenticate);
        QVERIFY(c.ok());
        QCOMPARE(c->size(), 2);
        QCOMPARE((*findBearerChallenge(*c))->scope, u"s"_s);
    }

    void testI11_bodyLimitByContentLength()
    {
        RawServer server(
            "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\nConnection: close\r\n\r\n" + QByteArray(2000, 'x'));
        HttpLimits limits;
        limits.maxBodyBytes = 1000;
        UpstreamHttp http(limits);
        Result<HttpResponse> r = get(http, server.url());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, u"upstream_too_large"_s);
    }

    void testI11_bodyLimitWhileStreaming()
    {
        // No Content-Length: the limit applies to the bytes as they arrive.
        RawServer server("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + QByteArray(5000, 'x'));
        HttpLimits limits;
        limits.maxBodyBytes = 1000;
        UpstreamHttp http(limits);
        Result<HttpResponse> r = get(http, server.url());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, u"upstream_too_large"_s);
        // Exactly at the limit is accepted.
        RawServer exact("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n" + QByteArray(1000, 'x'));
        QCOMPARE(get(http, exact.url())->body.size(), 1000);
    }

    void testI11_timeout()
    {
        RawServer silent({});
        HttpLimits limits;
        limits.timeoutMs = 300;
        UpstreamHttp http(limits);
        QElapsedTimer t;
        t.start();
        Result<HttpResponse> r = get(http, silent.url());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, u"upstream_timeout"_s);
        QVERIFY(t.elapsed() >= 250 && t.elapsed() < 5000);
        QCOMPARE(http.inFlight(), 0);
    }

    void testI11_redirectNotFollowed()
    {
        RawServer target("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        RawServer redirect("HTTP/1.1 302 Found\r\nLocation: " + target.url().toEncoded()
            + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        UpstreamHttp http;
        Result<HttpResponse> r = get(http, redirect.url());
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, u"upstream_redirect"_s);
        QCOMPARE(target.connections, 0);
    }

    void testI11_httpOffLoopbackRefusedBeforeConnecting()
    {
        UpstreamHttp http;
        bool calledSynchronously = false;
        bool called = false;
        http.send("GET", QUrl(u"http://mcp.example.com/mcp"_s), {}, {}, [&](Result<HttpResponse> r) {
            called = true;
            QVERIFY(!r.ok());
            QCOMPARE(r.error().code, u"upstream_insecure_url"_s);
            QVERIFY(r.error().message.contains(u"https://"_s));
        });
        calledSynchronously = called;
        QVERIFY(!calledSynchronously); // always from the event loop
        QTRY_VERIFY(called);
    }

    void testI11_unreachable()
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close();
        UpstreamHttp http;
        Result<HttpResponse> r = get(http, QUrl(u"http://127.0.0.1:%1/x"_s.arg(port)));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, u"upstream_unreachable"_s);
    }

    void testI11_discoveryNotProtected()
    {
        RawServer open(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        UpstreamHttp http;
        Discovery discovery(http);
        std::optional<Result<DiscoveryResult>> out;
        discovery.discover(open.url(u"/mcp"_s), [&out](Result<DiscoveryResult> r) { out = std::move(r); });
        QTRY_VERIFY(out.has_value());
        QVERIFY(!out->ok());
        QCOMPARE(out->error().code, u"upstream_not_protected"_s);
    }
};

QTEST_GUILESS_MAIN(TestUpstreamHttp)
#include "tst_upstream_http.moc"
