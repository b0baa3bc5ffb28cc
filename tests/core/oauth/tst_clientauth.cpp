// SPDX-License-Identifier: GPL-3.0-or-later
// Token-endpoint client authentication (RFC 6749 §2.3, §5.2; mcp-authorization.md §1.4, OA-06;
// security-cases.md F5, H1), against clients registered through ClientRegistration in a real
// SQLite database.
#include "http/request.h"
#include "http/response.h"
#include "oauth/clientauth.h"
#include "oauth/clientregistration.h"
#include "store/auditlog.h"
#include "store/clientstore.h"
#include "store/database.h"
#include "support/fakeclock.h"

#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

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

// What the TS SDK sends: btoa(`${id}:${secret}`), no form-encoding.
QString tsBasic(const QString &id, const QString &secret)
{
    return u"Basic "_s + QString::fromLatin1((id + u':' + secret).toUtf8().toBase64());
}

// What the Python SDK sends: quote(id, safe='') ":" quote(secret, safe='').
QString pythonBasic(const QString &id, const QString &secret)
{
    const QByteArray encoded = QUrl::toPercentEncoding(id, "-._~") + ':' + QUrl::toPercentEncoding(secret, "-._~");
    return u"Basic "_s + QString::fromLatin1(encoded.toBase64());
}

// Every byte percent-encoded: proves the decoder really form-decodes.
QString fullyEncodedBasic(const QString &id, const QString &secret)
{
    const auto enc = [](const QString &s) {
        QByteArray out;
        for (char c : s.toUtf8())
            out += '%' + QByteArray::number(static_cast<uchar>(c), 16).rightJustified(2, '0').toUpper();
        return out;
    };
    return u"Basic "_s + QString::fromLatin1(QByteArray(enc(id) + ':' + enc(secret)).toBase64());
}

} // namespace

class TestClientAuth : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    int m_n = 0;
    std::unique_ptr<Store::Database> m_db;
    std::unique_ptr<Test::FakeClock> m_clock;
    std::unique_ptr<Store::AuditLog> m_audit;
    std::unique_ptr<ClientRegistration> m_reg;
    std::unique_ptr<Store::ClientStore> m_store;
    RegistrationResult m_public;
    RegistrationResult m_basic;
    RegistrationResult m_post;

    RegistrationResult registered(const char *method)
    {
        const QByteArray body = js("{'redirect_uris':['http://127.0.0.1/cb'],'token_endpoint_auth_method':'")
            + QByteArray(method) + "\"}";
        auto r = m_reg->registerClient(body);
        if (!r)
            qFatal("registration failed: %s", qPrintable(r.error().description));
        return std::move(r).value();
    }

    Result<AuthenticatedClient, ClientAuthError> auth(
        std::optional<QString> header, std::optional<QString> id, std::optional<QString> secret)
    {
        return authenticateClient(
            ClientCredentials { std::move(header), std::move(id), std::move(secret) }, *m_store, *m_clock);
    }

private Q_SLOTS:
    void init()
    {
        auto db = Store::Database::open(m_dir.filePath(u"auth%1.db"_s.arg(++m_n)));
        QVERIFY(db);
        m_db = std::move(db).value();
        m_clock = std::make_unique<Test::FakeClock>();
        m_audit = std::make_unique<Store::AuditLog>(*m_db, *m_clock);
        m_reg = std::make_unique<ClientRegistration>(*m_db, *m_audit, *m_clock);
        m_store = std::make_unique<Store::ClientStore>(*m_db);
        m_public = registered("none");
        m_basic = registered("client_secret_basic");
        m_post = registered("client_secret_post");
    }
    void cleanup()
    {
        m_store.reset();
        m_reg.reset();
        m_audit.reset();
        m_db.reset();
    }

    void testNone()
    {
        const auto r = auth(std::nullopt, m_public.client.clientId, std::nullopt);
        QVERIFY(r);
        QCOMPARE(r->method, u"none"_s);
        QCOMPARE(r->client.clientId, m_public.client.clientId);
    }

    // OA-06: the same client through TS-style and Python-style Basic credentials.
    void testBasicEncodings_data()
    {
        QTest::addColumn<int>("style");
        QTest::newRow("TS btoa(id:secret)") << 0;
        QTest::newRow("Python quote(id):quote(secret)") << 1;
        QTest::newRow("every byte percent-encoded") << 2;
    }
    void testBasicEncodings()
    {
        QFETCH(int, style);
        const QString id = m_basic.client.clientId;
        const QString secret = m_basic.clientSecret;
        const QString header = style == 0 ? tsBasic(id, secret)
            : style == 1                  ? pythonBasic(id, secret)
                                          : fullyEncodedBasic(id, secret);
        const auto r = auth(header, std::nullopt, std::nullopt);
        QVERIFY2(r, qPrintable(r ? QString() : r.error().error.debug));
        QCOMPARE(r->method, u"client_secret_basic"_s);
        QCOMPARE(r->client.clientId, id);
        // Tessera's alphabet needs no encoding: TS and Python send identical bytes.
        if (style == 1)
            QCOMPARE(pythonBasic(id, secret), tsBasic(id, secret));
    }

    void testBasicSchemeCaseInsensitive()
    {
        QString header = tsBasic(m_basic.client.clientId, m_basic.clientSecret);
        header.replace(0, 5, u"bAsIc"_s);
        QVERIFY(auth(header, std::nullopt, std::nullopt));
    }

    // The Python SDK repeats client_id in the body under Basic.
    void testBasicWithMatchingBodyClientId()
    {
        const auto r
            = auth(tsBasic(m_basic.client.clientId, m_basic.clientSecret), m_basic.client.clientId, std::nullopt);
        QVERIFY(r);
        QCOMPARE(r->method, u"client_secret_basic"_s);
    }

    void testBasicWithOtherBodyClientId()
    {
        const auto r
            = auth(tsBasic(m_basic.client.clientId, m_basic.clientSecret), m_post.client.clientId, std::nullopt);
        QVERIFY(!r);
        QCOMPARE(r.error().error.error, u"invalid_request"_s);
        QCOMPARE(r.error().error.httpStatus, 400);
    }

    // RFC 6749 §2.3: one method per request.
    void testBasicAndBodySecret()
    {
        const auto r = auth(
            tsBasic(m_basic.client.clientId, m_basic.clientSecret), m_basic.client.clientId, m_basic.clientSecret);
        QVERIFY(!r);
        QCOMPARE(r.error().error.error, u"invalid_request"_s);
    }

    void testPost()
    {
        const auto r = auth(std::nullopt, m_post.client.clientId, m_post.clientSecret);
        QVERIFY(r);
        QCOMPARE(r->method, u"client_secret_post"_s);
    }

    // F5: the method used must be the registered one.
    void testMethodMismatch_data()
    {
        QTest::addColumn<QString>("which"); // registered method of the client used
        QTest::addColumn<QString>("how"); // method the request uses
        QTest::addColumn<bool>("challenge");
        QTest::newRow("basic client, id only") << u"basic"_s << u"none"_s << false;
        QTest::newRow("basic client, post") << u"basic"_s << u"post"_s << false;
        QTest::newRow("post client, id only") << u"post"_s << u"none"_s << false;
        QTest::newRow("post client, basic") << u"post"_s << u"basic"_s << true;
        QTest::newRow("public client, post with secret") << u"public"_s << u"post"_s << false;
        QTest::newRow("public client, basic") << u"public"_s << u"basic"_s << true;
    }
    void testMethodMismatch()
    {
        QFETCH(QString, which);
        QFETCH(QString, how);
        QFETCH(bool, challenge);
        const RegistrationResult &c = which == u"basic"_s ? m_basic : which == u"post"_s ? m_post : m_public;
        // A public client has no secret: use another client's real secret to make the point.
        const QString secret = c.clientSecret.isEmpty() ? m_post.clientSecret : c.clientSecret;
        Result<AuthenticatedClient, ClientAuthError> r = how == u"none"_s
            ? auth(std::nullopt, c.client.clientId, std::nullopt)
            : how == u"post"_s ? auth(std::nullopt, c.client.clientId, secret)
                               : auth(tsBasic(c.client.clientId, secret), std::nullopt, std::nullopt);
        QVERIFY(!r);
        QCOMPARE(r.error().error.error, u"invalid_client"_s);
        QCOMPARE(r.error().error.httpStatus, 401);
        QCOMPARE(r.error().basicChallenge, challenge);
    }

    void testWrongSecret()
    {
        QString wrong = m_basic.clientSecret;
        wrong[wrong.size() - 1] = wrong.back() == u'A' ? u'B' : u'A';
        const auto basic = auth(tsBasic(m_basic.client.clientId, wrong), std::nullopt, std::nullopt);
        QVERIFY(!basic);
        QCOMPARE(basic.error().error.error, u"invalid_client"_s);
        QVERIFY(basic.error().basicChallenge);
        QCOMPARE(ClientAuthError::wwwAuthenticate(), u"Basic realm=\"tessera\""_s);

        const auto post = auth(std::nullopt, m_post.client.clientId, m_basic.clientSecret);
        QVERIFY(!post);
        QCOMPARE(post.error().error.error, u"invalid_client"_s);
        QVERIFY(!post.error().basicChallenge);

        // The stored hash itself is not a password.
        const QString hashHex = QString::fromLatin1(m_post.client.secretHash.toHex());
        QVERIFY(!auth(std::nullopt, m_post.client.clientId, hashHex));
        QVERIFY(!auth(std::nullopt, m_post.client.clientId, m_post.clientSecret + u"x"_s));
        QVERIFY(!auth(std::nullopt, m_post.client.clientId, m_post.clientSecret.left(42)));
        QVERIFY(!auth(std::nullopt, m_post.client.clientId, u""_s));
    }

    void testUnknownClient()
    {
        const auto post = auth(std::nullopt, u"dcr_doesnotexist"_s, std::nullopt);
        QVERIFY(!post);
        QCOMPARE(post.error().error.error, u"invalid_client"_s);
        QCOMPARE(post.error().error.httpStatus, 401);
        QVERIFY(!post.error().basicChallenge);
        const auto basic = auth(tsBasic(u"dcr_doesnotexist"_s, u"s"_s), std::nullopt, std::nullopt);
        QVERIFY(!basic);
        QVERIFY(basic.error().basicChallenge);
    }

    void testExpiredUnconsentedRegistration()
    {
        m_clock->advanceSecs(3599);
        QVERIFY(auth(std::nullopt, m_public.client.clientId, std::nullopt));
        QVERIFY(m_store->markConsented(m_post.client.clientId));
        m_clock->advanceSecs(1);
        const auto expired = auth(std::nullopt, m_public.client.clientId, std::nullopt);
        QVERIFY(!expired);
        QCOMPARE(expired.error().error.error, u"invalid_client"_s);
        QVERIFY(!auth(tsBasic(m_basic.client.clientId, m_basic.clientSecret), std::nullopt, std::nullopt));
        // Consented: no longer expires.
        QVERIFY(auth(std::nullopt, m_post.client.clientId, m_post.clientSecret));
    }

    void testNoCredentials()
    {
        const auto r = auth(std::nullopt, std::nullopt, std::nullopt);
        QVERIFY(!r);
        QCOMPARE(r.error().error.error, u"invalid_client"_s);
        const auto empty = auth(std::nullopt, u""_s, std::nullopt);
        QVERIFY(!empty);
        QCOMPARE(empty.error().error.error, u"invalid_client"_s);
    }

    void testSecretWithoutClientId()
    {
        const auto r = auth(std::nullopt, std::nullopt, m_post.clientSecret);
        QVERIFY(!r);
        QCOMPARE(r.error().error.error, u"invalid_request"_s);
    }

    void testMalformedAuthorizationHeader_data()
    {
        QTest::addColumn<QString>("header");
        QTest::newRow("bearer") << u"Bearer abc"_s;
        QTest::newRow("scheme only") << u"Basic"_s;
        QTest::newRow("scheme and space") << u"Basic "_s;
        QTest::newRow("not base64") << u"Basic !!!"_s;
        QTest::newRow("base64url alphabet")
            << u"Basic "_s + QString::fromLatin1(QByteArray("a?b:c>d").toBase64(QByteArray::Base64UrlEncoding));
        QTest::newRow("no colon") << u"Basic "_s + QString::fromLatin1(QByteArray("nocolon").toBase64());
        QTest::newRow("bad percent") << u"Basic "_s + QString::fromLatin1(QByteArray("id%zz:secret").toBase64());
        QTest::newRow("truncated percent") << u"Basic "_s + QString::fromLatin1(QByteArray("id:secret%4").toBase64());
        QTest::newRow("control char") << u"Basic "_s + QString::fromLatin1(QByteArray("id%0A:secret").toBase64());
        QTest::newRow("invalid utf8") << u"Basic "_s + QString::fromLatin1(QByteArray("id%C0%AF:secret").toBase64());
        QTest::newRow("two tokens") << u"Basic YTpi YTpi"_s;
        QTest::newRow("huge") << u"Basic "_s + QString(5000, u'A');
    }
    void testMalformedAuthorizationHeader()
    {
        QFETCH(QString, header);
        const auto r = auth(header, std::nullopt, std::nullopt);
        QVERIFY(!r);
        QCOMPARE(r.error().error.error, u"invalid_client"_s);
        QCOMPARE(r.error().error.httpStatus, 401);
        QVERIFY(r.error().basicChallenge);
    }

    void testDecodeBasicCredentials()
    {
        const auto plain = decodeBasicCredentials(u"Basic "_s + QString::fromLatin1(QByteArray("a:b:c").toBase64()));
        QVERIFY(plain);
        QCOMPARE(plain->first, u"a"_s);
        QCOMPARE(plain->second, u"b:c"_s); // split at the first colon only
        const auto plus
            = decodeBasicCredentials(u"Basic "_s + QString::fromLatin1(QByteArray("a+b:%2B%3A").toBase64()));
        QVERIFY(plus);
        QCOMPARE(plus->first, u"a b"_s);
        QCOMPARE(plus->second, u"+:"_s);
        const auto utf8 = decodeBasicCredentials(u"Basic "_s + QString::fromLatin1(QByteArray("%C3%A9:x").toBase64()));
        QVERIFY(utf8);
        QCOMPARE(utf8->first, u"\u00e9"_s);
    }

    // The request-level entry that /token and /revoke share: credentials come from the one
    // Authorization header and the form, whichever encoding the SDK used. (The clients exist only
    // after init(), so the rows name a request shape and the test builds it.)
    void testAuthenticateRequest_data()
    {
        QTest::addColumn<QString>("shape");
        QTest::addColumn<QString>("method"); // empty: refused
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("challenge");
        QTest::newRow("basic, TS encoding") << u"basic-ts"_s << u"client_secret_basic"_s << 200 << false;
        QTest::newRow("basic, Python encoding + client_id in body")
            << u"basic-python"_s << u"client_secret_basic"_s << 200 << false;
        QTest::newRow("post") << u"post"_s << u"client_secret_post"_s << 200 << false;
        QTest::newRow("none") << u"none"_s << u"none"_s << 200 << false;
        QTest::newRow("two Authorization headers") << u"basic-twice"_s << QString() << 400 << false;
        QTest::newRow("basic with a wrong secret") << u"basic-wrong"_s << QString() << 401 << true;
        QTest::newRow("bearer instead of basic") << u"bearer"_s << QString() << 401 << true;
        QTest::newRow("post with a wrong secret") << u"post-wrong"_s << QString() << 401 << false;
        QTest::newRow("nothing") << u"nothing"_s << QString() << 401 << false;
    }
    void testAuthenticateRequest()
    {
        QFETCH(QString, shape);
        QFETCH(QString, method);
        QFETCH(int, status);
        QFETCH(bool, challenge);
        const QString basicId = m_basic.client.clientId;
        const QByteArray ts = tsBasic(basicId, m_basic.clientSecret).toLatin1();
        Http::Request request;
        request.method = "POST";
        if (shape == u"basic-ts"_s) {
            request.headers.append("Authorization", ts);
        } else if (shape == u"basic-python"_s) {
            request.headers.append("Authorization", pythonBasic(basicId, m_basic.clientSecret).toLatin1());
            request.body = "client_id=" + basicId.toLatin1();
        } else if (shape == u"post"_s || shape == u"post-wrong"_s) {
            request.body = "client_id=" + QUrl::toPercentEncoding(m_post.client.clientId) + "&client_secret="
                + (shape == u"post"_s ? QUrl::toPercentEncoding(m_post.clientSecret) : QByteArray("x"));
        } else if (shape == u"none"_s) {
            request.body = "client_id=" + m_public.client.clientId.toLatin1();
        } else if (shape == u"basic-twice"_s) {
            request.headers.append("Authorization", ts);
            request.headers.append("Authorization", ts);
        } else if (shape == u"basic-wrong"_s) {
            request.headers.append("Authorization", tsBasic(basicId, u"nope"_s).toLatin1());
        } else if (shape == u"bearer"_s) {
            request.headers.append("Authorization", "Bearer abc");
        }
        auto form = request.bodyForm();
        QVERIFY(form);
        const auto r = authenticateRequest(request, *form, *m_store, *m_clock);
        if (!method.isEmpty()) {
            QVERIFY2(r, qPrintable(r ? QString() : r.error().error.description));
            QCOMPARE(r->method, method);
            return;
        }
        QVERIFY(!r);
        const Http::Response response = clientAuthErrorResponse(r.error());
        QCOMPARE(response.status, status);
        QCOMPARE(response.contentType, QByteArray("application/json"));
        bool hasChallenge = false;
        for (const auto &[name, value] : response.headers)
            hasChallenge = hasChallenge || (name == "WWW-Authenticate" && value.startsWith("Basic "));
        QCOMPARE(hasChallenge, challenge);
    }

    void testCimdStyleClientWithNone()
    {
        // A CIMD client (stored by the lead) authenticates with its URL and method none.
        Store::Client c;
        c.clientId = u"https://client.example/oauth/metadata.json"_s;
        c.kind = Store::ClientKind::Cimd;
        c.redirectUris = { u"http://127.0.0.1/cb"_s };
        c.createdAt = m_clock->nowSecs();
        QVERIFY(m_store->insert(c));
        const auto r = auth(std::nullopt, c.clientId, std::nullopt);
        QVERIFY(r);
        QCOMPARE(r->client.kind, Store::ClientKind::Cimd);
    }
};

QTEST_GUILESS_MAIN(TestClientAuth)
#include "tst_clientauth.moc"
