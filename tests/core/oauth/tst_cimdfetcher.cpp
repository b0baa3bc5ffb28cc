// SPDX-License-Identifier: GPL-3.0-or-later
// Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document-00) fetched over
// real TLS from a local QSslServer. The CA and server certificates are throwaway ones generated
// with the openssl CLI into a temporary directory when the test starts; nothing secret is in the
// repository. Cases: mcp-authorization.md AS-06..AS-11, security-cases.md §3 (SSRF against the AS).
//
// Only loopback servers of this test are ever connected to. Addresses in private or link-local
// ranges are only passed where the fetcher refuses them before any socket exists, and the test
// allowance additionally fences every connection to the one allowed loopback port.
#include "oauth/cimdfetcher.h"
#include "support/fakeclock.h"
#include "support/testsupport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QProcess>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace Tessera;
using namespace Tessera::OAuth;
using namespace Qt::Literals::StringLiterals;

namespace {

// JSON written with single quotes (turned into double quotes), so that no raw string literal
// trips moc's brace matching.
QByteArray js(const char *text)
{
    return QByteArray(text).replace('\'', '"');
}

using FetchResult = Result<Store::Client, OAuthError>;

struct Outcome
{
    std::optional<FetchResult> result;
    qint64 elapsedMs = -1;
};

// Runs the event loop until the callback arrives (or @p waitMs passes).
Outcome fetchAndWait(CimdFetcher &fetcher, const QString &url, int waitMs = 10000)
{
    auto state = std::make_shared<Outcome>();
    QElapsedTimer timer;
    timer.start();
    fetcher.fetch(url, [state, timer](FetchResult r) {
        state->result.emplace(std::move(r));
        state->elapsedMs = timer.elapsed();
    });
    (void)QTest::qWaitFor([state] { return state->result.has_value(); }, waitMs);
    return *state;
}

QByteArray httpResponse(int status, const QByteArray &contentType, const QByteArray &body,
    const QByteArray &extraHeaders = {}, bool withLength = true)
{
    QByteArray r = "HTTP/1.1 " + QByteArray::number(status) + " X\r\n";
    if (!contentType.isEmpty())
        r += "Content-Type: " + contentType + "\r\n";
    if (withLength)
        r += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    r += extraHeaders;
    r += "Connection: close\r\n\r\n";
    return r + body;
}

QByteArray chunked(const QByteArray &body, int chunkSize)
{
    QByteArray out;
    for (qsizetype i = 0; i < body.size(); i += chunkSize) {
        const QByteArray part = body.mid(i, chunkSize);
        out += QByteArray::number(part.size(), 16) + "\r\n" + part + "\r\n";
    }
    return out + "0\r\n\r\n";
}

// A loopback HTTPS server that serves one configured answer per connection.
class DocServer : public QObject
{
public:
    enum class Mode
    {
        Respond, ///< write `response`, then close
        Silent, ///< finish TLS, read the request, never answer
        Trickle, ///< write `response` (head), then `trickleChunk` bytes every 20 ms up to `trickleTotal`
    };

    Mode mode = Mode::Respond;
    QByteArray response;
    int trickleChunk = 1024;
    qint64 trickleTotal = 0;

    int connections = 0; ///< TCP connections accepted (TLS handshakes started)
    QList<QByteArray> requests;
    qint64 trickled = 0; ///< body bytes written in Trickle mode
    bool peerClosed = false;

    bool start(const QSslCertificate &cert, const QSslKey &key)
    {
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        config.setLocalCertificate(cert);
        config.setPrivateKey(key);
        config.setPeerVerifyMode(QSslSocket::VerifyNone);
        m_server.setSslConfiguration(config);
        connect(&m_server, &QSslServer::startedEncryptionHandshake, this, [this] { ++connections; });
        connect(&m_server, &QTcpServer::pendingConnectionAvailable, this, [this] { accept(); });
        return m_server.listen(QHostAddress::LocalHost, 0);
    }
    [[nodiscard]] quint16 port() const { return m_server.serverPort(); }

private:
    void accept()
    {
        while (QTcpSocket *plain = m_server.nextPendingConnection()) {
            auto *socket = qobject_cast<QSslSocket *>(plain);
            auto buffer = std::make_shared<QByteArray>();
            connect(socket, &QSslSocket::disconnected, this, [this, socket] {
                peerClosed = true;
                socket->deleteLater();
            });
            connect(socket, &QSslSocket::readyRead, this, [this, socket, buffer] {
                buffer->append(socket->readAll());
                if (!buffer->contains("\r\n\r\n") || buffer->isEmpty())
                    return;
                requests.append(*buffer);
                buffer->clear();
                serve(socket);
            });
        }
    }

    void serve(QSslSocket *socket)
    {
        switch (mode) {
        case Mode::Silent:
            return;
        case Mode::Respond:
            socket->write(response);
            socket->disconnectFromHost();
            return;
        case Mode::Trickle: {
            socket->write(response);
            auto *timer = new QTimer(socket);
            connect(timer, &QTimer::timeout, socket, [this, socket, timer] {
                if (socket->state() != QAbstractSocket::ConnectedState || trickled >= trickleTotal) {
                    timer->stop();
                    if (socket->state() == QAbstractSocket::ConnectedState)
                        socket->disconnectFromHost();
                    return;
                }
                socket->write(QByteArray(trickleChunk, 'x'));
                trickled += trickleChunk;
            });
            timer->start(20);
            return;
        }
        }
    }

    QSslServer m_server;
};

} // namespace

class TestCimdFetcher : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_pkiDir;
    QList<QSslCertificate> m_ca;
    QSslCertificate m_localhostCert;
    QSslKey m_localhostKey;
    QSslCertificate m_wrongCert;
    QSslKey m_wrongKey;

    std::unique_ptr<Test::FakeClock> m_clock;
    std::unique_ptr<DocServer> m_server;
    std::unique_ptr<CimdFetcher> m_fetcher;

    static CimdFetcher::Limits testLimits()
    {
        CimdFetcher::Limits limits;
        limits.timeoutMs = 1500; // the default is 5 s; the bound is what is tested
        return limits;
    }

    QString url(const QString &path = u"/client.json"_s) const
    {
        return u"https://localhost:%1%2"_s.arg(m_server->port()).arg(path);
    }

    QByteArray validDocument() const
    {
        return Test::readTestData(u"oauth/cimd-valid.json"_s).replace("@CLIENT_ID@", url().toLatin1());
    }

    bool openssl(const QStringList &args)
    {
        QProcess p;
        p.setWorkingDirectory(m_pkiDir.path());
        p.start(u"openssl"_s, args);
        if (!p.waitForFinished(30000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
            qWarning("openssl %s failed: %s", qPrintable(args.join(u' ')), p.readAllStandardError().constData());
            return false;
        }
        return true;
    }

    bool makeLeaf(const QString &name)
    {
        QFile ext(m_pkiDir.filePath(name + u".ext"_s));
        if (!ext.open(QIODevice::WriteOnly))
            return false;
        ext.write("subjectAltName=DNS:" + name.toLatin1()
            + "\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage="
              "serverAuth\n");
        ext.close();
        return openssl({ u"req"_s, u"-new"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s,
                   u"-nodes"_s, u"-keyout"_s, name + u".key"_s, u"-out"_s, name + u".csr"_s, u"-subj"_s,
                   u"/CN="_s + name })
            && openssl({ u"x509"_s, u"-req"_s, u"-in"_s, name + u".csr"_s, u"-CA"_s, u"ca.crt"_s, u"-CAkey"_s,
                u"ca.key"_s, u"-CAcreateserial"_s, u"-out"_s, name + u".crt"_s, u"-days"_s, u"2"_s, u"-extfile"_s,
                name + u".ext"_s });
    }

    QSslKey readKey(const QString &name)
    {
        QFile f(m_pkiDir.filePath(name + u".key"_s));
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return QSslKey(f.readAll(), QSsl::Ec, QSsl::Pem);
    }

    QSslCertificate readCert(const QString &name)
    {
        const auto certs = QSslCertificate::fromPath(m_pkiDir.filePath(name + u".crt"_s));
        return certs.isEmpty() ? QSslCertificate() : certs.constFirst();
    }

    void startServer(const QSslCertificate &cert, const QSslKey &key)
    {
        m_server = std::make_unique<DocServer>();
        QVERIFY(m_server->start(cert, key));
        m_fetcher->setTestAllowance(u"localhost"_s, m_server->port(), m_ca);
    }

    void expectRefusedWithoutConnecting(const Outcome &o)
    {
        QVERIFY(o.result.has_value());
        QVERIFY(!*o.result);
        QCOMPARE(o.result->error().error, u"invalid_client"_s);
        QCOMPARE(m_server->connections, 0);
        QVERIFY2(o.elapsedMs < 1000, qPrintable(QString::number(o.elapsedMs)));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_pkiDir.isValid());
        QVERIFY(openssl({ u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:prime256v1"_s,
            u"-nodes"_s, u"-keyout"_s, u"ca.key"_s, u"-out"_s, u"ca.crt"_s, u"-days"_s, u"2"_s, u"-subj"_s,
            u"/CN=Tessera Test CA"_s, u"-addext"_s, u"basicConstraints=critical,CA:TRUE"_s, u"-addext"_s,
            u"keyUsage=critical,keyCertSign,cRLSign"_s }));
        QVERIFY(makeLeaf(u"localhost"_s));
        QVERIFY(makeLeaf(u"wrong.example"_s));
        m_ca = { readCert(u"ca"_s) };
        m_localhostCert = readCert(u"localhost"_s);
        m_localhostKey = readKey(u"localhost"_s);
        m_wrongCert = readCert(u"wrong.example"_s);
        m_wrongKey = readKey(u"wrong.example"_s);
        QVERIFY(!m_ca.constFirst().isNull());
        QVERIFY(!m_localhostCert.isNull() && !m_localhostKey.isNull());
        QVERIFY(!m_wrongCert.isNull() && !m_wrongKey.isNull());
        QVERIFY(QSslSocket::supportsSsl());
    }

    void init()
    {
        m_clock = std::make_unique<Test::FakeClock>();
        m_fetcher = std::make_unique<CimdFetcher>(*m_clock, testLimits());
        startServer(m_localhostCert, m_localhostKey);
    }
    void cleanup()
    {
        m_fetcher.reset();
        m_server.reset();
    }

    // AS-05/AS-06: a valid document becomes a cimd client.
    void testValidDocument()
    {
        m_server->response = httpResponse(200, "application/json; charset=utf-8", validDocument());
        const Outcome o = fetchAndWait(*m_fetcher, url());
        QVERIFY(o.result.has_value());
        QVERIFY2(*o.result, qPrintable(o.result->ok() ? QString() : o.result->error().description));
        const Store::Client &c = o.result->value();
        QCOMPARE(c.clientId, url());
        QCOMPARE(c.kind, Store::ClientKind::Cimd);
        QCOMPARE(c.clientName, u"Claude Code"_s);
        QCOMPARE(c.redirectUris, (QStringList { u"http://localhost/callback"_s, u"http://127.0.0.1/callback"_s }));
        QCOMPARE(c.tokenEndpointAuthMethod, u"none"_s);
        QVERIFY(c.secretHash.isEmpty());
        QVERIFY(!c.consented);
        QVERIFY(!c.expiresAt);
        QCOMPARE(c.createdAt, m_clock->nowSecs());
        QCOMPARE(c.metadata.value(u"client_uri"_s).toString(), u"https://claude.ai"_s);
        QVERIFY(!c.metadata.contains(u"client_id"_s));
        QCOMPARE(CimdFetcher::verifiedHost(c.clientId), u"localhost"_s);

        // A minimal GET: no cookies, no credentials.
        QCOMPARE(m_server->connections, 1);
        QCOMPARE(m_server->requests.size(), 1);
        const QByteArray request = m_server->requests.constFirst();
        QVERIFY2(request.startsWith("GET /client.json HTTP/1.1\r\n"), request.constData());
        QVERIFY(request.contains(QByteArray("\r\nHost: localhost:" + QByteArray::number(m_server->port()) + "\r\n")));
        QVERIFY(request.contains("\r\nAccept: application/json\r\n"));
        QVERIFY(!request.toLower().contains("cookie"));
        QVERIFY(!request.toLower().contains("authorization"));
    }

    void testCallbackIsAlwaysAsynchronous()
    {
        m_server->response = httpResponse(200, "application/json", validDocument(), "Cache-Control: max-age=60\r\n");
        QVERIFY(fetchAndWait(*m_fetcher, url()).result->ok());
        bool called = false;
        m_fetcher->fetch(url(), [&called](const FetchResult &) { called = true; }); // cached
        QVERIFY(!called);
        m_fetcher->fetch(u"ftp://x/y"_s, [&called](const FetchResult &) { called = true; }); // invalid
        QVERIFY(!called);
        QTRY_VERIFY(called);
    }

    void testQueryIsSent()
    {
        const QString withQuery = url(u"/meta?v=2"_s);
        m_server->response = httpResponse(200, "application/json",
            Test::readTestData(u"oauth/cimd-valid.json"_s).replace("@CLIENT_ID@", withQuery.toLatin1()));
        const Outcome o = fetchAndWait(*m_fetcher, withQuery);
        QVERIFY(o.result && o.result->ok());
        QVERIFY(m_server->requests.constFirst().startsWith("GET /meta?v=2 HTTP/1.1\r\n"));
    }

    // AS-07: client_id compared as a plain string.
    void testClientIdMismatch_data()
    {
        QTest::addColumn<QString>("documentClientId");
        QTest::newRow("trailing slash") << u"@URL@/"_s;
        QTest::newRow("upper-case host") << u"https://LOCALHOST:@PORT@/client.json"_s;
        QTest::newRow("other path") << u"https://localhost:@PORT@/other.json"_s;
        QTest::newRow("empty query added") << u"https://localhost:@PORT@/client.json?"_s;
        QTest::newRow("other host") << u"https://evil.example/client.json"_s;
    }
    void testClientIdMismatch()
    {
        QFETCH(QString, documentClientId);
        documentClientId.replace(u"@URL@"_s, url()).replace(u"@PORT@"_s, QString::number(m_server->port()));
        QByteArray doc = validDocument();
        doc.replace(url().toLatin1(), documentClientId.toLatin1());
        m_server->response = httpResponse(200, "application/json", doc);
        const Outcome o = fetchAndWait(*m_fetcher, url());
        QVERIFY(o.result && !*o.result);
        QCOMPARE(o.result->error().error, u"invalid_client"_s);
        QVERIFY2(o.result->error().description.contains(u"client_id"_s), qPrintable(o.result->error().description));
    }

    // AS-10 and CIMD-00 §4.1.
    void testInvalidDocuments_data()
    {
        QTest::addColumn<QByteArray>("document");
        const QByteArray uris = js("'redirect_uris':['http://127.0.0.1/cb']");
        const QByteArray id = js("'client_id':'@URL@'");
        const QByteArray name = js("'client_name':'Agent'");
        QTest::newRow("no client_name") << "{" + id + "," + uris + "}";
        QTest::newRow("no redirect_uris") << "{" + id + "," + name + "}";
        QTest::newRow("no client_id") << "{" + name + "," + uris + "}";
        QTest::newRow("client_id number") << "{\"client_id\":1," + name + "," + uris + "}";
        QTest::newRow("bad redirect") << "{" + id + "," + name + js(",'redirect_uris':['http://evil.example/cb']}");
        QTest::newRow("client_secret") << "{" + id + "," + name + "," + uris + js(",'client_secret':'s'}");
        QTest::newRow("client_secret_expires_at")
            << "{" + id + "," + name + "," + uris + js(",'client_secret_expires_at':0}");
        QTest::newRow("client_secret_basic")
            << "{" + id + "," + name + "," + uris + js(",'token_endpoint_auth_method':'client_secret_basic'}");
        QTest::newRow("client_secret_post")
            << "{" + id + "," + name + "," + uris + js(",'token_endpoint_auth_method':'client_secret_post'}");
        QTest::newRow("private_key_jwt") << "{" + id + "," + name + "," + uris
                + js(",'token_endpoint_auth_method':'private_key_jwt','jwks_uri':'https://k.example/j'}");
        QTest::newRow("control character in name") << "{" + id + js(",'client_name':'A\\u202Eb',") + uris + "}";
        QTest::newRow("duplicate member") << "{" + id + "," + name + "," + uris + "," + uris + "}";
        QTest::newRow("array") << QByteArray("[]");
        QTest::newRow("trailing garbage") << "{" + id + "," + name + "," + uris + "}x";
        QTest::newRow("no code grant") << "{" + id + "," + name + "," + uris + js(",'grant_types':['refresh_token']}");
        QTest::newRow("deep") << "{" + id + "," + name + "," + uris + js(",'x':[[[[[[[[1]]]]]]]]}");
    }
    void testInvalidDocuments()
    {
        QFETCH(QByteArray, document);
        document.replace("@URL@", url().toLatin1());
        m_server->response = httpResponse(200, "application/json", document);
        const Outcome o = fetchAndWait(*m_fetcher, url());
        QVERIFY(o.result && !*o.result);
        QCOMPARE(o.result->error().error, u"invalid_client"_s);
    }

    // A document is published for every AS: unsupported grant types are dropped, not fatal.
    void testUnsupportedGrantTypesDropped()
    {
        QByteArray doc = validDocument();
        doc.replace(js("'grant_types': ['authorization_code', 'refresh_token']"),
            js("'grant_types': ['authorization_code', 'refresh_token', "
               "'urn:ietf:params:oauth:grant-type:device_code']"));
        QVERIFY(doc.contains("device_code"));
        m_server->response = httpResponse(200, "application/json", doc);
        const Outcome o = fetchAndWait(*m_fetcher, url());
        QVERIFY(o.result && o.result->ok());
        QCOMPARE(o.result->value().metadata.value(u"grant_types"_s).toArray().size(), 2);
    }

    void testContentTypes_data()
    {
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("application/json") << QByteArray("application/json") << true;
        QTest::newRow("with charset") << QByteArray("application/json; charset=utf-8") << true;
        QTest::newRow("upper case") << QByteArray("Application/JSON") << true;
        QTest::newRow("+json") << QByteArray("application/oauth-client-metadata+json") << true;
        QTest::newRow("text/html") << QByteArray("text/html") << false;
        QTest::newRow("text/plain") << QByteArray("text/plain") << false;
        QTest::newRow("bare +json") << QByteArray("application/+json") << false;
        QTest::newRow("missing") << QByteArray() << false;
    }
    void testContentTypes()
    {
        QFETCH(QByteArray, contentType);
        QFETCH(bool, accepted);
        m_server->response = httpResponse(200, contentType, validDocument());
        const Outcome o = fetchAndWait(*m_fetcher, url());
        QVERIFY(o.result.has_value());
        QCOMPARE(o.result->ok(), accepted);
    }

    // AS-10: an HTML page is not a document, whatever it claims to be.
    void testHtmlBody()
    {
        const QByteArray html = "<!doctype html><html><body>Sign in</body></html>";
        m_server->response = httpResponse(200, "text/html; charset=utf-8", html);
        auto o = fetchAndWait(*m_fetcher, url());
        QVERIFY(o.result && !*o.result);
        m_server->response = httpResponse(200, "application/json", html);
        o = fetchAndWait(*m_fetcher, url());
        QVERIFY(o.result && !*o.result);
        QCOMPARE(o.result->error().error, u"invalid_client"_s);
    }

    void testStatusCodes_data()
    {
        QTest::addColumn<int>("status");
        QTest::newRow("404") << 404;
        QTest::newRow("500") << 500;
        QTest::newRow("204") << 204;
        QTest::newRow("401") << 401;
    }
    void testStatusCodes()
    {
        QFETCH(int, status);
        m_server->response = httpResponse(status, "application/json", validDocument());
        const Outcome o = fetchAndWait(*m_fetcher, url());
        QVERIFY(o.result && !*o.result);
    }

    // Redirects are not followed (see cimdfetcher.h).
    void testRedirectNotFollowed()
    {
        m_server->response
            = httpResponse(302, "text/html", "moved", "Location: " + url(u"/elsewhere.json"_s).toLatin1() + "\r\n");
        const Outcome o = fetchAndWait(*m_fetcher, url());
        QVERIFY(o.result && !*o.result);
        QVERIFY2(o.result->error().description.contains(u"redirect"_s), qPrintable(o.result->error().description));
        QCOMPARE(m_server->connections, 1);
        QCOMPARE(m_server->requests.size(), 1);
    }

    // CIMD-00 §6.6: a 6 KiB document is refused from its Content-Length, before the body is read.
    void testOversizedBodyRefusedFromContentLength()
    {
        m_server->mode = DocServer::Mode::Trickle;
        m_server->response = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 6144\r\n\r\n";
        m_server->trickleChunk = 512;
        m_server->trickleTotal = 6144;
        const Outcome o = fetchAndWait(*m_fetcher, url());
        QVERIFY(o.result && !*o.result);
        QVERIFY2(o.result->error().description.contains(u"larger than"_s), qPrintable(o.result->error().description));
        QVERIFY2(m_server->trickled < 6144, qPrintable(QString::number(m_server->trickled)));
        QVERIFY(o.elapsedMs < 1000);
    }

    // Without a Content-Length the fetch stops as soon as the cap is passed.
    void testOversizedStreamStopsEarly()
    {
        m_server->mode = DocServer::Mode::Trickle;
        m_server->response = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";
        m_server->trickleChunk = 1024;
        m_server->trickleTotal = 64 * 1024;
        const Outcome o = fetchAndWait(*m_fetcher, url());
        QVERIFY(o.result && !*o.result);
        QVERIFY2(o.result->error().description.contains(u"larger than"_s), qPrintable(o.result->error().description));
        QTRY_VERIFY(m_server->peerClosed);
        QVERIFY2(m_server->trickled < 16 * 1024, qPrintable(QString::number(m_server->trickled)));
    }

    void testChunkedDocument()
    {
        m_server->response = httpResponse(
            200, "application/json", chunked(validDocument(), 50), "Transfer-Encoding: chunked\r\n", false);
        const Outcome o = fetchAndWait(*m_fetcher, url());
        QVERIFY(o.result);
        QVERIFY2(o.result->ok(), qPrintable(o.result->ok() ? QString() : o.result->error().debug));
    }

    void testChunkedOversized()
    {
        m_server->response = httpResponse(200, "application/json",
            chunked(QByteArray(6 * 1024, ' ') + validDocument(), 1000), "Transfer-Encoding: chunked\r\n", false);
        const Outcome o = fetchAndWait(*m_fetcher, url());
        QVERIFY(o.result && !*o.result);
        QVERIFY(o.result->error().description.contains(u"larger than"_s));
    }

    void testCloseDelimitedDocument()
    {
        m_server->response = httpResponse(200, "application/json", validDocument(), {}, false);
        const Outcome o = fetchAndWait(*m_fetcher, url());
        QVERIFY(o.result && o.result->ok());
    }

    void testMalformedResponses_data()
    {
        QTest::addColumn<QByteArray>("response");
        QTest::newRow("length and chunked")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                          "2\r\nTransfer-Encoding: chunked\r\n\r\n{}");
        QTest::newRow("two lengths") << QByteArray(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}");
        QTest::newRow("obs-fold") << QByteArray(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n folded\r\nContent-Length: 2\r\n\r\n{}");
        QTest::newRow("bare LF") << QByteArray(
            "HTTP/1.1 200 OK\nContent-Type: application/json\nContent-Length: 2\n\r\n\r\n{}");
        QTest::newRow("not http") << QByteArray("SSH-2.0-OpenSSH\r\n\r\n");
        QTest::newRow("gzip") << QByteArray(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip\r\n\r\n{}");
        QTest::newRow("headers too large") << QByteArray(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Pad: " + QByteArray(9000, 'a') + "\r\n\r\n{}");
        QTest::newRow("truncated body") << QByteArray(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{}");
        QTest::newRow("two content types")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Type: "
                          "text/html\r\nContent-Length: 2\r\n\r\n{}");
    }
    void testMalformedResponses()
    {
        QFETCH(QByteArray, response);
        m_server->response = response;
        const Outcome o = fetchAndWait(*m_fetcher, url());
        QVERIFY(o.result && !*o.result);
        QCOMPARE(o.result->error().error, u"invalid_client"_s);
    }

    // A server that never answers: the fetch ends within the bound.
    void testTimeoutSilentTlsServer()
    {
        m_server->mode = DocServer::Mode::Silent;
        const Outcome o = fetchAndWait(*m_fetcher, url());
        QVERIFY(o.result && !*o.result);
        QVERIFY2(o.elapsedMs >= 1400 && o.elapsedMs < 3500, qPrintable(QString::number(o.elapsedMs)));
        QCOMPARE(m_server->connections, 1);
    }

    void testTimeoutServerWithoutTls()
    {
        QTcpServer plain;
        QVERIFY(plain.listen(QHostAddress::LocalHost, 0));
        int accepted = 0;
        connect(&plain, &QTcpServer::newConnection, this, [&] {
            while (plain.nextPendingConnection())
                ++accepted;
        });
        m_fetcher->setTestAllowance(u"localhost"_s, plain.serverPort(), m_ca);
        const Outcome o = fetchAndWait(*m_fetcher, u"https://localhost:%1/client.json"_s.arg(plain.serverPort()));
        QVERIFY(o.result && !*o.result);
        QVERIFY2(o.elapsedMs >= 1400 && o.elapsedMs < 3500, qPrintable(QString::number(o.elapsedMs)));
        QCOMPARE(accepted, 1);
    }

    void testDefaultTimeoutIsFiveSeconds()
    {
        QCOMPARE(CimdFetcher::Limits {}.timeoutMs, 5000);
        QCOMPARE(CimdFetcher::Limits {}.maxBodyBytes, 5 * 1024);
    }

    // AS-08: max-age=60 → no connection within 60 s; after 61 s a new fetch.
    void testCacheMaxAge()
    {
        m_server->response = httpResponse(200, "application/json", validDocument(), "Cache-Control: max-age=60\r\n");
        QVERIFY(fetchAndWait(*m_fetcher, url()).result->ok());
        QCOMPARE(m_server->connections, 1);
        m_clock->advanceSecs(59);
        const Outcome cached = fetchAndWait(*m_fetcher, url());
        QVERIFY(cached.result && cached.result->ok());
        QCOMPARE(cached.result->value().clientName, u"Claude Code"_s);
        QCOMPARE(m_server->connections, 1);
        QCOMPARE(m_fetcher->cacheSize(), 1);
        m_clock->advanceSecs(2);
        QVERIFY(fetchAndWait(*m_fetcher, url()).result->ok());
        QCOMPARE(m_server->connections, 2);
    }

    void testCacheNoStore_data()
    {
        QTest::addColumn<QByteArray>("cacheControl");
        QTest::newRow("no-store") << QByteArray("Cache-Control: no-store\r\n");
        QTest::newRow("no-cache") << QByteArray("Cache-Control: no-cache\r\n");
        QTest::newRow("max-age=0") << QByteArray("Cache-Control: max-age=0\r\n");
        QTest::newRow("max-age and no-store")
            << QByteArray("Cache-Control: max-age=600\r\nCache-Control: no-store\r\n");
    }
    void testCacheNoStore()
    {
        QFETCH(QByteArray, cacheControl);
        m_server->response = httpResponse(200, "application/json", validDocument(), cacheControl);
        QVERIFY(fetchAndWait(*m_fetcher, url()).result->ok());
        QVERIFY(fetchAndWait(*m_fetcher, url()).result->ok());
        QCOMPARE(m_server->connections, 2);
        QCOMPARE(m_fetcher->cacheSize(), 0);
    }

    void testCacheLifetimeCapped()
    {
        m_server->response
            = httpResponse(200, "application/json", validDocument(), "Cache-Control: max-age=31536000\r\n");
        QVERIFY(fetchAndWait(*m_fetcher, url()).result->ok());
        m_clock->advanceSecs(24 * 3600 - 1);
        QVERIFY(fetchAndWait(*m_fetcher, url()).result->ok());
        QCOMPARE(m_server->connections, 1);
        m_clock->advanceSecs(1);
        QVERIFY(fetchAndWait(*m_fetcher, url()).result->ok());
        QCOMPARE(m_server->connections, 2);
    }

    // CIMD-00 §4.4: errors and invalid documents are never cached.
    void testErrorsNotCached()
    {
        m_server->response = httpResponse(500, "application/json", "{}", "Cache-Control: max-age=600\r\n");
        QVERIFY(!*fetchAndWait(*m_fetcher, url()).result);
        m_server->response
            = httpResponse(200, "application/json", "{\"client_id\":\"x\"}", "Cache-Control: max-age=600\r\n");
        QVERIFY(!*fetchAndWait(*m_fetcher, url()).result);
        QCOMPARE(m_fetcher->cacheSize(), 0);
        m_server->response = httpResponse(200, "application/json", validDocument(), "Cache-Control: max-age=600\r\n");
        QVERIFY(fetchAndWait(*m_fetcher, url()).result->ok());
        QCOMPARE(m_server->connections, 3);
    }

    void testConcurrentFetchesShareOneConnection()
    {
        m_server->response = httpResponse(200, "application/json", validDocument(), "Cache-Control: no-store\r\n");
        int ok = 0;
        for (int i = 0; i < 3; ++i)
            m_fetcher->fetch(url(), [&ok](const FetchResult &r) { ok += r.ok() ? 1 : 0; });
        QTRY_COMPARE(ok, 3);
        QCOMPARE(m_server->connections, 1);
    }

    // SSRF (AS-11): refused before any connection, quickly.
    void testSsrfRefused_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<bool>("byAddress"); // refused by address vetting (not URL syntax)
        QTest::newRow("127.0.0.1") << u"https://127.0.0.1:@PORT@/x"_s << true;
        QTest::newRow("127.0.0.2") << u"https://127.0.0.2:@PORT@/x"_s << true;
        QTest::newRow("[::1]") << u"https://[::1]:@PORT@/x"_s << true;
        QTest::newRow("[::ffff:127.0.0.1]") << u"https://[::ffff:127.0.0.1]:@PORT@/x"_s << true;
        QTest::newRow("0.0.0.0") << u"https://0.0.0.0:@PORT@/x"_s << true;
        QTest::newRow("0x7f000001") << u"https://0x7f000001:@PORT@/x"_s << false;
        QTest::newRow("2130706433") << u"https://2130706433:@PORT@/x"_s << false;
        QTest::newRow("0177.0.0.1") << u"https://0177.0.0.1:@PORT@/x"_s << false;
        QTest::newRow("127.1") << u"https://127.1:@PORT@/x"_s << false;
        QTest::newRow("localhost, other port") << u"https://localhost:1/x"_s << true;
        QTest::newRow("metadata service") << u"https://169.254.169.254/latest"_s << true;
        QTest::newRow("10.0.0.1") << u"https://10.0.0.1/x"_s << true;
        QTest::newRow("192.168.1.1") << u"https://192.168.1.1/x"_s << true;
        QTest::newRow("fe80::1") << u"https://[fe80::1]/x"_s << true;
        QTest::newRow("fd00::1") << u"https://[fd00::1]/x"_s << true;
        QTest::newRow("http") << u"http://localhost:@PORT@/client.json"_s << false;
    }
    void testSsrfRefused()
    {
        QFETCH(QString, target);
        QFETCH(bool, byAddress);
        target.replace(u"@PORT@"_s, QString::number(m_server->port()));
        if (byAddress) {
            const QUrl parsed(target);
            const QHostAddress literal(parsed.host());
            if (!literal.isNull())
                QVERIFY2(CimdFetcher::isForbiddenAddress(literal), "vetting must refuse it before any fetch");
        }
        const Outcome o = fetchAndWait(*m_fetcher, target);
        expectRefusedWithoutConnecting(o);
        if (byAddress)
            QVERIFY2(o.result->error().debug.startsWith(u"forbidden address"_s), qPrintable(o.result->error().debug));
    }

    // A host name that resolves to loopback is refused like the address itself.
    void testLocalhostRefusedWithoutTestAllowance()
    {
        CimdFetcher plain(*m_clock, testLimits());
        m_server->response = httpResponse(200, "application/json", validDocument());
        const Outcome o = fetchAndWait(plain, url());
        expectRefusedWithoutConnecting(o);
        QVERIFY2(o.result->error().debug.startsWith(u"forbidden address"_s), qPrintable(o.result->error().debug));
    }

    void testCertificateForAnotherName()
    {
        startServer(m_wrongCert, m_wrongKey);
        m_server->response = httpResponse(200, "application/json", validDocument());
        const Outcome o = fetchAndWait(*m_fetcher, url());
        QVERIFY(o.result && !*o.result);
        QVERIFY2(o.result->error().description.contains(u"TLS"_s), qPrintable(o.result->error().description));
        QVERIFY(m_server->requests.isEmpty());
    }

    void testUntrustedCertificate()
    {
        m_fetcher->setTestAllowance(u"localhost"_s, m_server->port(), {});
        m_server->response = httpResponse(200, "application/json", validDocument());
        const Outcome o = fetchAndWait(*m_fetcher, url());
        QVERIFY(o.result && !*o.result);
        QVERIFY(o.result->error().description.contains(u"TLS"_s));
        QVERIFY(m_server->requests.isEmpty());
    }

    void testClientIdUrlRules_data()
    {
        QTest::addColumn<QString>("clientId");
        QTest::addColumn<bool>("valid");
        QTest::newRow("plain") << u"https://app.example/oauth/client.json"_s << true;
        QTest::newRow("port") << u"https://app.example:8443/client"_s << true;
        QTest::newRow("query (SHOULD NOT, allowed)") << u"https://app.example/client?v=1"_s << true;
        QTest::newRow("claude code") << u"https://claude.ai/oauth/claude-code-client-metadata"_s << true;
        QTest::newRow("http") << u"http://app.example/client.json"_s << false;
        QTest::newRow("no path") << u"https://app.example"_s << false;
        QTest::newRow("root path") << u"https://app.example/"_s << false;
        QTest::newRow("fragment") << u"https://app.example/c#x"_s << false;
        QTest::newRow("empty fragment") << u"https://app.example/c#"_s << false;
        QTest::newRow("userinfo") << u"https://user:pw@app.example/c"_s << false;
        QTest::newRow("user only") << u"https://user@app.example/c"_s << false;
        QTest::newRow("dot-dot") << u"https://app.example/a/../c"_s << false;
        QTest::newRow("dot") << u"https://app.example/./c"_s << false;
        QTest::newRow("encoded dot-dot") << u"https://app.example/a/%2e%2e/c"_s << false;
        QTest::newRow("upper-case host") << u"https://App.Example/c"_s << false;
        QTest::newRow("upper-case scheme") << u"HTTPS://app.example/c"_s << false;
        QTest::newRow("trailing dot") << u"https://app.example./c"_s << false;
        QTest::newRow("space") << u"https://app.example/a b"_s << false;
        QTest::newRow("backslash") << u"https://app.example\\@evil/c"_s << false;
        QTest::newRow("non-ascii") << u"https://bücher.example/c"_s << false;
        QTest::newRow("too long") << (u"https://app.example/"_s + QString(2100, u'a')) << false;
        QTest::newRow("relative") << u"/client.json"_s << false;
        QTest::newRow("urn") << u"urn:example:client"_s << false;
        QTest::newRow("empty") << QString() << false;
    }
    void testClientIdUrlRules()
    {
        QFETCH(QString, clientId);
        QFETCH(bool, valid);
        const auto r = CimdFetcher::parseClientIdUrl(clientId);
        QCOMPARE(r.ok(), valid);
        if (!valid)
            QCOMPARE(r.error().error, u"invalid_client"_s);
    }

    void testForbiddenAddresses_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<bool>("forbidden");
        for (const char *a : { "127.0.0.1", "127.255.255.254", "10.1.2.3", "172.16.0.1", "172.31.255.255",
                 "192.168.1.1", "100.64.0.1", "100.127.255.255", "169.254.169.254", "0.0.0.0", "0.1.2.3", "224.0.0.1",
                 "239.255.255.250", "255.255.255.255", "240.0.0.1", "192.0.0.8", "192.0.2.1", "198.51.100.1",
                 "203.0.113.5", "198.18.0.1", "198.19.255.255", "192.88.99.1", "::", "::1", "::ffff:127.0.0.1",
                 "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::127.0.0.1", "::8.8.8.8", "fe80::1", "fe80::1%1",
                 "febf::1", "fc00::1", "fd12:3456::1", "ff02::1", "fec0::1", "64:ff9b::7f00:1", "64:ff9b::a00:1",
                 "64:ff9b:1::1", "2002:7f00:1::1", "2002:a00:1::1", "2001:db8::1", "2001::1", "2001:0:4136:e378::1",
                 "3fff::1", "100::1", "::ffff:0:7f00:1", "4000::1", "1000::1" }) {
            QTest::newRow(a) << QString::fromLatin1(a) << true;
        }
        for (const char *a :
            { "8.8.8.8", "93.184.216.34", "1.1.1.1", "172.32.0.1", "172.15.255.255", "100.128.0.1", "100.63.255.255",
                "169.253.0.1", "192.167.1.1", "223.255.255.254", "::ffff:8.8.8.8", "64:ff9b::808:808",
                "2002:808:808::1", "2606:4700:4700::1111", "2a00:1450:4001::1", "2001:4860:4860::8888" }) {
            QTest::newRow(a) << QString::fromLatin1(a) << false;
        }
    }
    void testForbiddenAddresses()
    {
        QFETCH(QString, address);
        QFETCH(bool, forbidden);
        const QHostAddress a(address);
        QVERIFY2(!a.isNull(), qPrintable(address));
        QCOMPARE(CimdFetcher::isForbiddenAddress(a), forbidden);
    }

    void testCacheLifetime_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<qint64>("secs");
        QTest::newRow("absent: default") << QByteArray() << qint64(300);
        QTest::newRow("max-age") << QByteArray("max-age=60") << qint64(60);
        QTest::newRow("public, max-age") << QByteArray("public, max-age=120") << qint64(120);
        QTest::newRow("quoted") << QByteArray("max-age=\"90\"") << qint64(90);
        QTest::newRow("upper case") << QByteArray("Max-Age=30") << qint64(30);
        QTest::newRow("two max-age: smaller") << QByteArray("max-age=60, max-age=30") << qint64(30);
        QTest::newRow("capped") << QByteArray("max-age=999999999") << qint64(86400);
        QTest::newRow("no-store") << QByteArray("no-store") << qint64(0);
        QTest::newRow("no-cache") << QByteArray("no-cache") << qint64(0);
        QTest::newRow("no-cache=field") << QByteArray("no-cache=\"set-cookie\"") << qint64(0);
        QTest::newRow("max-age=0") << QByteArray("max-age=0") << qint64(0);
        QTest::newRow("invalid") << QByteArray("max-age=abc") << qint64(0);
        QTest::newRow("negative") << QByteArray("max-age=-5") << qint64(0);
        QTest::newRow("no-store wins") << QByteArray("max-age=60, no-store") << qint64(0);
        QTest::newRow("private") << QByteArray("private, max-age=60") << qint64(60);
    }
    void testCacheLifetime()
    {
        QFETCH(QByteArray, header);
        QFETCH(qint64, secs);
        QCOMPARE(CimdFetcher::cacheLifetimeSecs(header, CimdFetcher::Limits {}), secs);
    }

    void testIsClientIdUrl()
    {
        QVERIFY(CimdFetcher::isClientIdUrl(u"https://claude.ai/oauth/claude-code-client-metadata"_s));
        QVERIFY(!CimdFetcher::isClientIdUrl(u"dcr_abc"_s));
        QVERIFY(!CimdFetcher::isClientIdUrl(u"http://x/y"_s));
    }

    void testTooManyConcurrentFetches()
    {
        CimdFetcher::Limits limits = testLimits();
        limits.maxConcurrentFetches = 1;
        CimdFetcher fetcher(*m_clock, limits);
        fetcher.setTestAllowance(u"localhost"_s, m_server->port(), m_ca);
        m_server->mode = DocServer::Mode::Silent;
        bool firstDone = false;
        fetcher.fetch(url(), [&firstDone](const FetchResult &) { firstDone = true; });
        const Outcome second = fetchAndWait(fetcher, url(u"/other.json"_s));
        QVERIFY(second.result && !*second.result);
        QCOMPARE(second.result->error().error, u"temporarily_unavailable"_s);
        QTRY_VERIFY_WITH_TIMEOUT(firstDone, 5000);
    }
};

QTEST_GUILESS_MAIN(TestCimdFetcher)
#include "tst_cimdfetcher.moc"
