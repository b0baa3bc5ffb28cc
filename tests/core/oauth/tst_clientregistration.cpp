// SPDX-License-Identifier: GPL-3.0-or-later
// RFC 7591 Dynamic Client Registration and pre-registration (ClientRegistration), on a real
// SQLite database. Cases follow security-cases.md B3–B6, C1–C5, G4 and mcp-authorization.md
// §1.2 (DCR response), §1.4 (Python default method), §1.6 (VS Code body), AS-15, AS-22.
#include "crypto/hash.h"
#include "oauth/clientregistration.h"
#include "store/auditlog.h"
#include "store/clientstore.h"
#include "store/database.h"
#include "support/fakeclock.h"
#include "support/testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

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

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QJsonObject minimal()
{
    return QJsonObject { { u"redirect_uris"_s, QJsonArray { u"http://127.0.0.1/callback"_s } },
        { u"token_endpoint_auth_method"_s, u"none"_s } };
}

QByteArray minimalWith(const QString &member, const QJsonValue &value)
{
    QJsonObject o = minimal();
    o.insert(member, value);
    return json(o);
}

// Splices raw JSON text for one member into the minimal body (for values QJsonDocument cannot write).
QByteArray minimalWithRaw(const QByteArray &member, const QByteArray &rawValue)
{
    return js("{'redirect_uris':['http://127.0.0.1/callback'],'token_endpoint_auth_method':'none','") + member
        + "\":" + rawValue + "}";
}

bool containsNull(const QJsonValue &v)
{
    if (v.isNull() || v.isUndefined())
        return true;
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        return std::any_of(o.begin(), o.end(), [](const QJsonValue &x) { return containsNull(x); });
    }
    if (v.isArray()) {
        const QJsonArray a = v.toArray();
        return std::any_of(a.begin(), a.end(), [](const QJsonValue &x) { return containsNull(x); });
    }
    return false;
}

const QRegularExpression &unreserved()
{
    // mcp-authorization §0.2 item 9: only characters no Basic-auth encoding can disagree on.
    static const QRegularExpression re(u"^[A-Za-z0-9_-]+$"_s);
    return re;
}

} // namespace

class TestClientRegistration : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    int m_n = 0;
    std::unique_ptr<Store::Database> m_db;
    std::unique_ptr<Test::FakeClock> m_clock;
    std::unique_ptr<Store::AuditLog> m_audit;
    std::unique_ptr<ClientRegistration> m_reg;

    int clientCount()
    {
        auto list = Store::ClientStore(*m_db).list();
        return list ? static_cast<int>(list->size()) : -1;
    }
    qint64 auditCount()
    {
        auto head = m_audit->head();
        return head ? head->seq : -1;
    }

private Q_SLOTS:
    void init()
    {
        auto db = Store::Database::open(m_dir.filePath(u"reg%1.db"_s.arg(++m_n)));
        QVERIFY2(db, qPrintable(db ? QString() : db.error().toString()));
        m_db = std::move(db).value();
        m_clock = std::make_unique<Test::FakeClock>();
        m_audit = std::make_unique<Store::AuditLog>(*m_db, *m_clock);
        m_reg = std::make_unique<ClientRegistration>(*m_db, *m_audit, *m_clock);
    }
    void cleanup()
    {
        m_reg.reset();
        m_audit.reset();
        m_db.reset();
    }

    // mcp-authorization §1.6 / OA-08: VS Code's mix of https and loopback redirect URIs.
    void testVsCodeBody()
    {
        const auto r = m_reg->registerClient(Test::readTestData(u"oauth/dcr-vscode.json"_s));
        QVERIFY2(r, qPrintable(r ? QString() : r.error().description));
        const QJsonObject resp = r->response;
        QCOMPARE(resp.value(u"redirect_uris"_s).toArray().size(), 4);
        QCOMPARE(resp.value(u"redirect_uris"_s).toArray().at(0).toString(), u"https://insiders.vscode.dev/redirect"_s);
        QCOMPARE(resp.value(u"token_endpoint_auth_method"_s).toString(), u"none"_s);
        QCOMPARE(resp.value(u"application_type"_s).toString(), u"native"_s);
        QCOMPARE(resp.value(u"client_name"_s).toString(), u"Visual Studio Code"_s);
        QCOMPARE(resp.value(u"client_uri"_s).toString(), u"https://code.visualstudio.com"_s);
        QCOMPARE(resp.value(u"scope"_s).toString(), u"files:read"_s);
        QCOMPARE(resp.value(u"grant_types"_s).toArray(), (QJsonArray { u"authorization_code"_s, u"refresh_token"_s }));
        QCOMPARE(resp.value(u"client_id_issued_at"_s).toInteger(), m_clock->nowSecs());
        QVERIFY(!resp.contains(u"client_secret"_s));
        QVERIFY(!resp.contains(u"client_secret_expires_at"_s));
        QVERIFY(r->clientSecret.isEmpty());

        // Stored as an unconsented DCR registration that expires after the TTL.
        const auto stored = Store::ClientStore(*m_db).find(resp.value(u"client_id"_s).toString());
        QVERIFY(stored && stored->has_value());
        const Store::Client &c = **stored;
        QCOMPARE(c.kind, Store::ClientKind::Dcr);
        QCOMPARE(c.consented, false);
        QCOMPARE(c.expiresAt, std::optional<qint64>(m_clock->nowSecs() + 3600));
        QCOMPARE(c.clientName, u"Visual Studio Code"_s);
        QCOMPARE(c.redirectUris.size(), 4);
        QVERIFY(c.secretHash.isEmpty());
        QCOMPARE(c, r->client);
    }

    // RFC 7591 §3.2.1: the response echoes all registered metadata and what the AS assigned.
    void testResponseIsStoredMetadataPlusAssignedValues()
    {
        const auto r = m_reg->registerClient(Test::readTestData(u"oauth/dcr-vscode.json"_s));
        QVERIFY(r);
        QJsonObject expected = r->client.metadata;
        expected.insert(u"client_id"_s, r->client.clientId);
        expected.insert(u"client_id_issued_at"_s, m_clock->nowSecs());
        QCOMPARE(r->response, expected);
        QVERIFY(!containsNull(r->response));
    }

    void testTsSdkClientSecretPost()
    {
        const auto r = m_reg->registerClient(Test::readTestData(u"oauth/dcr-ts-sdk.json"_s));
        QVERIFY(r);
        QCOMPARE(r->response.value(u"token_endpoint_auth_method"_s).toString(), u"client_secret_post"_s);
        const QString secret = r->response.value(u"client_secret"_s).toString();
        QCOMPARE(secret, r->clientSecret);
        QVERIFY(secret.size() >= 43);
        QVERIFY(r->response.contains(u"client_secret_expires_at"_s));
        QCOMPARE(r->response.value(u"client_secret_expires_at"_s).toInteger(-1), 0);
        // Stored as SHA-256 only.
        const auto stored = Store::ClientStore(*m_db).find(r->client.clientId);
        QVERIFY(stored && stored->has_value());
        QCOMPARE((*stored)->secretHash, Crypto::sha256(secret.toLatin1()));
        QVERIFY(!Test::fileContains(m_db->path(), secret.toLatin1()));
    }

    // mcp-authorization §1.4: Python omits the method, expects a secret-based one back, and
    // sends no secret at all if the response does not name the method.
    void testPythonSdkDefaultMethodIsEchoed()
    {
        const auto r = m_reg->registerClient(Test::readTestData(u"oauth/dcr-python-sdk.json"_s));
        QVERIFY(r);
        QCOMPARE(r->response.value(u"token_endpoint_auth_method"_s).toString(), u"client_secret_basic"_s);
        QVERIFY(!r->clientSecret.isEmpty());
        QCOMPARE(r->client.tokenEndpointAuthMethod, u"client_secret_basic"_s);
    }

    // RFC 7591 §2 defaults, written out in the response.
    void testDefaultsAreExplicit()
    {
        const auto r = m_reg->registerClient(json(minimal()));
        QVERIFY(r);
        QCOMPARE(r->response.value(u"grant_types"_s).toArray(), QJsonArray { u"authorization_code"_s });
        QCOMPARE(r->response.value(u"response_types"_s).toArray(), QJsonArray { u"code"_s });
        QCOMPARE(r->response.value(u"token_endpoint_auth_method"_s).toString(), u"none"_s);
        QVERIFY(!r->response.contains(u"client_name"_s));
    }

    void testIdentifiersUseUnreservedAlphabet()
    {
        QSet<QString> ids;
        for (int i = 0; i < 5; ++i) {
            const auto r
                = m_reg->registerClient(minimalWith(u"token_endpoint_auth_method"_s, u"client_secret_basic"_s));
            QVERIFY(r);
            QVERIFY2(unreserved().match(r->client.clientId).hasMatch(), qPrintable(r->client.clientId));
            QVERIFY2(unreserved().match(r->clientSecret).hasMatch(), "secret alphabet");
            QVERIFY(r->client.clientId.size() >= 22);
            QVERIFY(!r->client.clientId.startsWith(u'-'));
            ids.insert(r->client.clientId);
        }
        QCOMPARE(ids.size(), 5);
    }

    void testAuditEventHasNoSecret()
    {
        const auto r = m_reg->registerClient(Test::readTestData(u"oauth/dcr-ts-sdk.json"_s));
        QVERIFY(r);
        Store::AuditFilter filter;
        filter.kind = u"client.registered"_s;
        const auto page = m_audit->query(filter);
        QVERIFY(page);
        QCOMPARE(page->events.size(), 1);
        const Store::AuditEvent &e = page->events.constFirst();
        QCOMPARE(e.clientId, r->client.clientId);
        QVERIFY(!e.details.contains(r->clientSecret.toLatin1()));
        QCOMPARE(e.detailsObject().value(u"kind"_s).toString(), u"dcr"_s);
        QCOMPARE(e.detailsObject().value(u"confidential"_s).toBool(), true);
    }

    void testRejected_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("error");

        const QString meta = u"invalid_client_metadata"_s;
        const QString redirect = u"invalid_redirect_uri"_s;
        QTest::newRow("not json") << QByteArray("{") << meta;
        QTest::newRow("top-level array") << QByteArray("[]") << meta;
        QTest::newRow("top-level string") << QByteArray("\"x\"") << meta;
        QTest::newRow("empty body") << QByteArray() << meta;
        // B4: a parser differential on duplicate members is impossible.
        QTest::newRow("duplicate redirect_uris (B4)")
            << QByteArray(js("{'redirect_uris':['http://127.0.0.1/a'],'redirect_uris':['https://evil.example/cb']}"))
            << meta;
        // B3: depth limit 8.
        QTest::newRow("depth 9 (B3)") << minimalWithRaw("x", "[[[[[[[[1]]]]]]]]") << meta;
        QTest::newRow("depth 10000 (B3)")
            << minimalWithRaw("x", QByteArray(10000, '[') + QByteArray(10000, ']')) << meta;
        QTest::newRow("larger than 16 KiB") << minimalWithRaw("x", '"' + QByteArray(17 * 1024, 'a') + '"') << meta;
        // B5: type confusion.
        QTest::newRow("1e400 (B5)") << minimalWithRaw("x", "1e400") << meta;
        QTest::newRow("1e400 in client_name") << minimalWithRaw("client_name", "1e400") << meta;
        QTest::newRow("redirect_uris missing") << QByteArray(js("{'client_name':'x'}")) << redirect;
        QTest::newRow("redirect_uris string (B5)") << QByteArray(js("{'redirect_uris':'http://127.0.0.1/cb'}")) << meta;
        QTest::newRow("redirect_uris null (B5)") << QByteArray(js("{'redirect_uris':null}")) << meta;
        QTest::newRow("redirect_uris object")
            << QByteArray(js("{'redirect_uris':{'a':'http://127.0.0.1/cb'}}")) << meta;
        QTest::newRow("redirect_uris empty") << QByteArray(js("{'redirect_uris':[]}")) << redirect;
        QTest::newRow("redirect_uris number item") << QByteArray(js("{'redirect_uris':[1]}")) << meta;
        QTest::newRow("redirect_uris nested array")
            << QByteArray(js("{'redirect_uris':[['http://127.0.0.1/cb']]}")) << meta;
        // C1: dangerous schemes, by allow-list.
        for (const char *uri : { "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
                 "java\\tscript:alert(1)", "data:text/html,x", "vbscript:x", "file:///etc/passwd",
                 "blob:https://a.example/x", "custom-app:/cb", "ms-msdt:/id" }) {
            QTest::newRow(qPrintable(u"C1 "_s + QString::fromLatin1(uri)))
                << QByteArray(js("{'redirect_uris':['") + QByteArray(uri) + js("']}")) << redirect;
        }
        // C2: plain http off loopback, wildcards, fragments.
        for (const char *uri : { "http://example.com/cb", "http://127.0.0.1/*", "http://127.0.0.1/cb#frag",
                 "http://192.168.1.10/cb", "http://127.0.0.1:80@evil.example/cb", "http://2130706433/cb" }) {
            QTest::newRow(qPrintable(u"C2/D3 "_s + QString::fromLatin1(uri)))
                << QByteArray(js("{'redirect_uris':['") + QByteArray(uri) + js("']}")) << redirect;
        }
        QTest::newRow("one bad among good") << QByteArray(
            js("{'redirect_uris':['http://127.0.0.1/cb','https://ok.example/cb','http://evil.example/cb']}"))
                                            << redirect;
        // C3: grants, response types, auth methods.
        for (const char *grant :
            { "password", "implicit", "client_credentials", "urn:ietf:params:oauth:grant-type:device_code",
                "urn:ietf:params:oauth:grant-type:token-exchange", "" }) {
            QTest::newRow(qPrintable(u"C3 grant "_s + QString::fromLatin1(grant))) << minimalWith(u"grant_types"_s,
                QJsonArray { u"authorization_code"_s, QString::fromLatin1(grant) }) << meta;
        }
        QTest::newRow("grant_types string") << minimalWith(u"grant_types"_s, u"authorization_code"_s) << meta;
        QTest::newRow("grant_types empty") << minimalWith(u"grant_types"_s, QJsonArray {}) << meta;
        QTest::newRow("grant_types refresh only")
            << minimalWith(u"grant_types"_s, QJsonArray { u"refresh_token"_s }) << meta;
        QTest::newRow("response_types token") << minimalWith(u"response_types"_s, QJsonArray { u"token"_s }) << meta;
        QTest::newRow("response_types code token")
            << minimalWith(u"response_types"_s, QJsonArray { u"code"_s, u"token"_s }) << meta;
        QTest::newRow("response_types null") << minimalWith(u"response_types"_s, QJsonValue()) << meta;
        for (const char *method : { "private_key_jwt", "client_secret_jwt", "tls_client_auth", "", "NONE" }) {
            QTest::newRow(qPrintable(u"C3 method "_s + QString::fromLatin1(method)))
                << minimalWith(u"token_endpoint_auth_method"_s, QString::fromLatin1(method)) << meta;
        }
        QTest::newRow("method number") << minimalWith(u"token_endpoint_auth_method"_s, 1) << meta;
        QTest::newRow("application_type desktop") << minimalWith(u"application_type"_s, u"desktop"_s) << meta;
        QTest::newRow("application_type array") << minimalWith(u"application_type"_s, QJsonArray { u"web"_s }) << meta;
        // B6 / G4: names shown to a person.
        QTest::newRow("client_name NUL (B6)") << minimalWithRaw("client_name", js("'Agent\\u0000'")) << meta;
        QTest::newRow("client_name RLO (B6)") << minimalWithRaw("client_name", js("'Agent\\u202Eexe.txt'")) << meta;
        QTest::newRow("client_name zero-width space") << minimalWithRaw("client_name", js("'Cl\\u200Baude'")) << meta;
        QTest::newRow("client_name zero-width joiner") << minimalWithRaw("client_name", js("'Cl\\u200Daude'")) << meta;
        QTest::newRow("client_name BOM") << minimalWithRaw("client_name", js("'Cl\\uFEFFaude'")) << meta;
        QTest::newRow("client_name bidi isolate")
            << minimalWithRaw("client_name", js("'\\u2066Claude\\u2069'")) << meta;
        QTest::newRow("client_name lone surrogate (B6)") << minimalWithRaw("client_name", js("'Agent\\uD800'")) << meta;
        QTest::newRow("client_name overlong UTF-8 (B6)")
            << minimalWithRaw("client_name", QByteArray("\"Agent\xC0\xAF\"")) << meta;
        QTest::newRow("client_name newline") << minimalWithRaw("client_name", js("'Agent\\nApproved'")) << meta;
        QTest::newRow("client_name tab") << minimalWithRaw("client_name", js("'Agent\\tX'")) << meta;
        QTest::newRow("client_name line separator") << minimalWithRaw("client_name", js("'A\\u2028B'")) << meta;
        QTest::newRow("client_name private use") << minimalWithRaw("client_name", js("'A\\uE000'")) << meta;
        QTest::newRow("client_name hangul filler") << minimalWithRaw("client_name", js("'A\\u3164B'")) << meta;
        QTest::newRow("client_name zalgo")
            << minimalWithRaw("client_name", js("'Z\\u0301\\u0302\\u0303\\u0304\\u0305\\u0306\\u0307'")) << meta;
        QTest::newRow("client_name leading mark") << minimalWithRaw("client_name", js("'\\u0301Claude'")) << meta;
        QTest::newRow("client_name 129 chars (G4)") << minimalWith(u"client_name"_s, QString(129, u'a')) << meta;
        QTest::newRow("client_name 1 MB (B5)") << minimalWith(u"client_name"_s, QString(1024 * 1024, u'a')) << meta;
        QTest::newRow("client_name empty") << minimalWith(u"client_name"_s, u""_s) << meta;
        QTest::newRow("client_name spaces") << minimalWith(u"client_name"_s, u"   "_s) << meta;
        QTest::newRow("client_name number") << minimalWith(u"client_name"_s, 42) << meta;
        QTest::newRow("client_name null (B5)") << minimalWith(u"client_name"_s, QJsonValue()) << meta;
        // C4 / G8: links are https or nothing.
        for (const char *member : { "client_uri", "logo_uri", "policy_uri", "tos_uri" }) {
            for (const char *uri : { "file:///etc/passwd", "ms-msdt:/id PCWDiagnostic", "javascript:alert(1)",
                     "http://example.com/", "smb://host/share", "https://user:pw@example.com/", "https:///nohost",
                     "https://exa mple.com/", "" }) {
                QTest::newRow(qPrintable(QString::fromLatin1(member) + u' ' + QString::fromLatin1(uri)))
                    << minimalWith(QString::fromLatin1(member), QString::fromLatin1(uri)) << meta;
            }
        }
        QTest::newRow("logo_uri array") << minimalWith(u"logo_uri"_s, QJsonArray { u"https://a.example/l.png"_s })
                                        << meta;
        QTest::newRow("scope double space") << minimalWith(u"scope"_s, u"a  b"_s) << meta;
        QTest::newRow("scope quote") << minimalWith(u"scope"_s, u"a\"b"_s) << meta;
        QTest::newRow("scope array") << minimalWith(u"scope"_s, QJsonArray { u"a"_s }) << meta;
        QTest::newRow("scope 100000 tokens (B5)")
            << minimalWith(u"scope"_s, QStringList(100000, u"s"_s).join(u' ').left(15000)) << meta;
        QTest::newRow("contacts string") << minimalWith(u"contacts"_s, u"a@example.com"_s) << meta;
        QTest::newRow("contacts number item") << minimalWith(u"contacts"_s, QJsonArray { 1 }) << meta;
        QTest::newRow("contacts too many")
            << minimalWith(u"contacts"_s, QJsonArray::fromStringList(QStringList(9, u"a"_s))) << meta;
        QTest::newRow("software_id number") << minimalWith(u"software_id"_s, 5) << meta;
        QTest::newRow("software_version bool") << minimalWith(u"software_version"_s, true) << meta;
    }
    void testRejected()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, error);
        const int clientsBefore = clientCount();
        const qint64 auditBefore = auditCount();
        const auto r = m_reg->registerClient(body);
        QVERIFY(!r);
        QCOMPARE(r.error().error, error);
        QCOMPARE(r.error().httpStatus, 400);
        QVERIFY(!r.error().description.isEmpty());
        // B5: nothing is partially stored.
        QCOMPARE(clientCount(), clientsBefore);
        QCOMPARE(auditCount(), auditBefore);
    }

    // B5: 10,000 redirect URIs never reach per-item work.
    void testRedirectUriCountCheckedFirst()
    {
        QJsonArray many;
        many.append(u"javascript:alert(1)"_s); // would be reported if items were looked at first
        for (int i = 1; i < 17; ++i)
            many.append(u"http://127.0.0.1/cb%1"_s.arg(i));
        const auto r = m_reg->registerClient(json(QJsonObject { { u"redirect_uris"_s, many } }));
        QVERIFY(!r);
        QCOMPARE(r.error().error, u"invalid_redirect_uri"_s);
        QVERIFY2(r.error().description.contains(u"At most 16"_s), qPrintable(r.error().description));

        QJsonArray tenThousand;
        for (int i = 0; i < 10000; ++i)
            tenThousand.append(u"http://127.0.0.1/"_s);
        const auto big = m_reg->registerClient(json(QJsonObject { { u"redirect_uris"_s, tenThousand } }));
        QVERIFY(!big);
        QCOMPARE(clientCount(), 0);

        QJsonArray sixteen;
        for (int i = 0; i < 16; ++i)
            sixteen.append(u"http://127.0.0.1/cb%1"_s.arg(i));
        QVERIFY(m_reg->registerClient(json(QJsonObject { { u"redirect_uris"_s, sixteen } })));
    }

    void testBadRedirectUriIsNamed()
    {
        const auto r = m_reg->registerClient(
            QByteArray(js("{'redirect_uris':['http://127.0.0.1/cb','http://evil.example/cb']}")));
        QVERIFY(!r);
        QVERIFY2(r.error().description.contains(u"redirect_uris[1]"_s), qPrintable(r.error().description));
        QVERIFY2(r.error().description.contains(u"http://evil.example/cb"_s), qPrintable(r.error().description));
    }

    // AS-15: web + loopback is accepted (see the decision in clientregistration.h).
    void testWebApplicationWithLoopbackAccepted()
    {
        const auto r = m_reg->registerClient(minimalWith(u"application_type"_s, u"web"_s));
        QVERIFY(r);
        QCOMPARE(r->response.value(u"application_type"_s).toString(), u"web"_s);
    }

    // C2: localhost is accepted (and flagged by the consent UI, not here).
    void testLocalhostAndIpv6LoopbackAccepted()
    {
        const auto r
            = m_reg->registerClient(QByteArray(js("{'redirect_uris':['http://localhost:1234/cb','http://[::1]/"
                                                  "cb','http://127.0.0.1/'],'token_endpoint_auth_method':'none'}")));
        QVERIFY(r);
        QCOMPARE(r->client.redirectUris.size(), 3);
    }

    void testDuplicateRedirectUrisAndGrantsCollapse()
    {
        QJsonObject o = minimal();
        o.insert(u"redirect_uris"_s, QJsonArray { u"http://127.0.0.1/cb"_s, u"http://127.0.0.1/cb"_s });
        o.insert(u"grant_types"_s, QJsonArray { u"authorization_code"_s, u"refresh_token"_s, u"authorization_code"_s });
        const auto r = m_reg->registerClient(json(o));
        QVERIFY(r);
        QCOMPARE(r->client.redirectUris, QStringList { u"http://127.0.0.1/cb"_s });
        QCOMPARE(r->response.value(u"grant_types"_s).toArray().size(), 2);
    }

    void testClientNameNormalized_data()
    {
        QTest::addColumn<QByteArray>("raw");
        QTest::addColumn<QString>("expected");
        QTest::newRow("NFC") << QByteArray(js("'Cafe\\u0301 Agent'")) << u"Caf\u00e9 Agent"_s;
        QTest::newRow("whitespace collapsed") << QByteArray(js("'  My\\u00A0  Agent '")) << u"My Agent"_s;
        QTest::newRow("emoji kept") << QByteArray(js("'Agent \\uD83E\\uDD16'")) << u"Agent \U0001F916"_s;
        QTest::newRow("emoji with VS16 kept") << QByteArray(js("'I \\u2764\\uFE0F it'")) << u"I \u2764\uFE0F it"_s;
        // G4: homoglyphs cannot be told apart here; the consent UI marks the name unverified.
        QTest::newRow("cyrillic a kept") << QByteArray(js("'Cl\\u0430ude'")) << u"Cl\u0430ude"_s;
        QTest::newRow("accents") << QByteArray(js("'Zoë Ωmega'")) << u"Zo\u00eb \u03a9mega"_s;
        QTest::newRow("128 chars") << ('"' + QByteArray(128, 'n') + '"') << QString(128, u'n');
    }
    void testClientNameNormalized()
    {
        QFETCH(QByteArray, raw);
        QFETCH(QString, expected);
        const auto r = m_reg->registerClient(minimalWithRaw("client_name", raw));
        QVERIFY2(r, qPrintable(r ? QString() : r.error().description));
        QCOMPARE(r->client.clientName, expected);
        QCOMPARE(r->response.value(u"client_name"_s).toString(), expected);
    }

    void testNormalizePlainText()
    {
        QCOMPARE(normalizePlainText(u"a"_s, 1).valueOr(QString()), u"a"_s);
        QVERIFY(!normalizePlainText(u"ab"_s, 1));
        // Length counts code points, not UTF-16 units.
        QCOMPARE(normalizePlainText(u"\U0001F916\U0001F916"_s, 2).valueOr(QString()), u"\U0001F916\U0001F916"_s);
        QVERIFY(!normalizePlainText(u"\U0001F916\U0001F916\U0001F916"_s, 2));
        QString lone;
        lone.append(QChar(0xDC00));
        QVERIFY(!normalizePlainText(lone, 10));
        QCOMPARE(normalizePlainText(lone, 10).error().code, u"invalid_text"_s);
        QVERIFY(!normalizePlainText(u"a\u0085b"_s, 10)); // NEL, a C1 control
        QVERIFY(!normalizePlainText(u"a\u00ADb"_s, 10)); // soft hyphen (format)
        QVERIFY(!normalizePlainText(u"a\uFFFEb"_s, 10)); // noncharacter
        QVERIFY(!normalizePlainText(u"\uFEFFClaude"_s, 10)); // a leading BOM is a format character too
        // Up to 4 stacked combining marks (x has no precomposed forms with these).
        QVERIFY(normalizePlainText(u"x\u0301\u0302\u0303\u0304"_s, 10));
        QVERIFY(!normalizePlainText(u"x\u0301\u0302\u0303\u0304\u0305"_s, 10));
    }

    // RFC 7591 §2: unknown members may be ignored; kept ones are echoed exactly as stored.
    void testUnknownMembersKeptOrDropped()
    {
        QJsonObject o = minimal();
        o.insert(u"x_text"_s, u"  hello  world "_s);
        o.insert(u"x_number"_s, 3.5);
        o.insert(u"x_bool"_s, true);
        o.insert(u"x_list"_s, QJsonArray { u"a"_s, u"b"_s });
        o.insert(u"client_name#ja-Jpan-JP"_s, u"エージェント"_s);
        o.insert(u"x_object"_s, QJsonObject { { u"a"_s, 1 } });
        o.insert(u"x_null"_s, QJsonValue());
        o.insert(u"x_mixed_list"_s, QJsonArray { u"a"_s, 1 });
        o.insert(u"x_rlo"_s, u"a\u202Eb"_s);
        o.insert(u"x bad name"_s, u"v"_s);
        o.insert(u"jwks_uri"_s, u"https://keys.example/jwks"_s);
        o.insert(u"software_statement"_s, u"eyJhbGciOiJub25lIn0.e30."_s);
        o.insert(u"client_id"_s, u"chosen-by-client"_s);
        o.insert(u"client_secret"_s, u"chosen-secret"_s);
        o.insert(u"client_id_issued_at"_s, 1);
        o.insert(u"registration_access_token"_s, u"rat"_s);
        const auto r = m_reg->registerClient(json(o));
        QVERIFY2(r, qPrintable(r ? QString() : r.error().description));
        const QJsonObject m = r->client.metadata;
        QCOMPARE(m.value(u"x_text"_s).toString(), u"hello world"_s);
        QCOMPARE(m.value(u"x_number"_s).toDouble(), 3.5);
        QCOMPARE(m.value(u"x_bool"_s).toBool(), true);
        QCOMPARE(m.value(u"x_list"_s).toArray(), (QJsonArray { u"a"_s, u"b"_s }));
        QCOMPARE(m.value(u"client_name#ja-Jpan-JP"_s).toString(), u"エージェント"_s);
        for (const QString &dropped : { u"x_object"_s, u"x_null"_s, u"x_mixed_list"_s, u"x_rlo"_s, u"x bad name"_s,
                 u"jwks_uri"_s, u"software_statement"_s, u"client_id"_s, u"client_secret"_s, u"client_id_issued_at"_s,
                 u"registration_access_token"_s }) {
            QVERIFY2(!m.contains(dropped), qPrintable(dropped));
        }
        QVERIFY(r->client.clientId != u"chosen-by-client"_s);
        QCOMPARE(r->response.value(u"client_id"_s).toString(), r->client.clientId);
        QCOMPARE(r->response.value(u"client_id_issued_at"_s).toInteger(), m_clock->nowSecs());
        QVERIFY(!r->response.contains(u"client_secret"_s)); // public client: the request's secret is ignored
        QVERIFY(!r->response.contains(u"registration_access_token"_s));
        QVERIFY(!containsNull(r->response));
    }

    void testAllKnownMembersEchoed()
    {
        QJsonObject o = minimal();
        o.insert(u"client_name"_s, u"Agent"_s);
        o.insert(u"client_uri"_s, u"https://agent.example/"_s);
        o.insert(u"logo_uri"_s, u"https://agent.example/logo.png"_s);
        o.insert(u"policy_uri"_s, u"https://agent.example/policy"_s);
        o.insert(u"tos_uri"_s, u"https://agent.example/tos"_s);
        o.insert(u"scope"_s, u"write read read"_s);
        o.insert(u"contacts"_s, QJsonArray { u"ops@agent.example"_s });
        o.insert(u"software_id"_s, u"4NRB1-0XZABZI9E6-5SM3R"_s);
        o.insert(u"software_version"_s, u"2.1"_s);
        o.insert(u"application_type"_s, u"native"_s);
        const auto r = m_reg->registerClient(json(o));
        QVERIFY(r);
        for (const QString &k : { u"client_name"_s, u"client_uri"_s, u"logo_uri"_s, u"policy_uri"_s, u"tos_uri"_s,
                 u"contacts"_s, u"software_id"_s, u"software_version"_s, u"application_type"_s }) {
            QCOMPARE(r->response.value(k), o.value(k));
        }
        QCOMPARE(r->response.value(u"scope"_s).toString(), u"read write"_s); // canonical
    }

    // C5: bounded registrations per minute; failures do not count.
    void testRateLimit()
    {
        for (int i = 0; i < 25; ++i)
            QVERIFY(!m_reg->registerClient(QByteArray("{")));
        QCOMPARE(m_reg->retryAfterSecs(), 0);
        for (int i = 0; i < 10; ++i) {
            QVERIFY2(m_reg->registerClient(json(minimal())), qPrintable(QString::number(i)));
            m_clock->advanceSecs(1);
        }
        const auto limited = m_reg->registerClient(json(minimal()));
        QVERIFY(!limited);
        QCOMPARE(limited.error().httpStatus, 429);
        QCOMPARE(limited.error().error, u"invalid_request"_s);
        QCOMPARE(clientCount(), 10);
        // The oldest registration happened 10 s ago; it leaves the window in 50 s.
        QCOMPARE(m_reg->retryAfterSecs(), 50);
        m_clock->advanceSecs(49);
        QVERIFY(!m_reg->registerClient(json(minimal())));
        m_clock->advanceSecs(1);
        QCOMPARE(m_reg->retryAfterSecs(), 0);
        QVERIFY(m_reg->registerClient(json(minimal())));
        QVERIFY(!m_reg->registerClient(json(minimal())));
        // Pre-registration by the person is not rate limited.
        QVERIFY(m_reg->addPreregistered(u"CLI client"_s, { u"http://127.0.0.1/cb"_s }, false));
    }

    void testPreregistered()
    {
        const auto conf = m_reg->addPreregistered(u"Build bot"_s, { u"http://127.0.0.1:9000/callback"_s }, true);
        QVERIFY2(conf, qPrintable(conf ? QString() : conf.error().description));
        QCOMPARE(conf->client.kind, Store::ClientKind::Preregistered);
        QVERIFY(conf->client.consented);
        QVERIFY(!conf->client.expiresAt);
        QCOMPARE(conf->client.tokenEndpointAuthMethod, u"client_secret_basic"_s);
        QVERIFY(!conf->clientSecret.isEmpty());
        QCOMPARE(conf->client.secretHash, Crypto::sha256(conf->clientSecret.toLatin1()));
        QVERIFY(conf->client.clientId.startsWith(u"pre_"_s));
        QCOMPARE(conf->response.value(u"grant_types"_s).toArray(),
            (QJsonArray { u"authorization_code"_s, u"refresh_token"_s }));

        const auto pub = m_reg->addPreregistered(u"Script"_s, { u"http://localhost/cb"_s }, false);
        QVERIFY(pub);
        QCOMPARE(pub->client.tokenEndpointAuthMethod, u"none"_s);
        QVERIFY(pub->clientSecret.isEmpty());
        QVERIFY(pub->client.secretHash.isEmpty());

        const auto bad = m_reg->addPreregistered(u"Bad"_s, { u"http://evil.example/cb"_s }, false);
        QVERIFY(!bad);
        QCOMPARE(bad.error().error, u"invalid_redirect_uri"_s);
        const auto badName = m_reg->addPreregistered(u"Bad\u202E"_s, { u"http://127.0.0.1/cb"_s }, false);
        QVERIFY(!badName);
        QCOMPARE(clientCount(), 2);

        Store::AuditFilter filter;
        filter.kind = u"client.registered"_s;
        filter.actor = u"operator"_s;
        QCOMPARE(m_audit->query(filter)->events.size(), 2);
    }

    // C5: unconsented registrations expire; storage stays bounded.
    void testPurgeExpired()
    {
        const auto a = m_reg->registerClient(json(minimal()));
        const auto b = m_reg->registerClient(json(minimal()));
        const auto pre = m_reg->addPreregistered(u"Kept"_s, { u"http://127.0.0.1/cb"_s }, false);
        QVERIFY(a && b && pre);
        Store::ClientStore store(*m_db);
        QVERIFY(store.markConsented(b->client.clientId));

        m_clock->advanceSecs(3599);
        QCOMPARE(m_reg->purgeExpired().valueOr(-1), 0);
        m_clock->advanceSecs(1);
        QCOMPARE(m_reg->purgeExpired().valueOr(-1), 1);
        QVERIFY(!store.find(a->client.clientId)->has_value());
        QVERIFY(store.find(b->client.clientId)->has_value());
        QVERIFY(store.find(pre->client.clientId)->has_value());
        QCOMPARE(m_reg->purgeExpired().valueOr(-1), 0);

        Store::AuditFilter filter;
        filter.kind = u"client.expired"_s;
        const auto page = m_audit->query(filter);
        QVERIFY(page);
        QCOMPARE(page->events.size(), 1);
        QCOMPARE(page->events.constFirst().detailsObject().value(u"count"_s).toInt(), 1);
    }

    void testCustomLimits()
    {
        ClientRegistration::Limits limits;
        limits.maxPerMinute = 1;
        limits.unconsentedTtlSecs = 60;
        limits.maxRedirectUris = 1;
        limits.maxNameChars = 4;
        ClientRegistration reg(*m_db, *m_audit, *m_clock, limits);
        QVERIFY(!reg.registerClient(minimalWith(u"client_name"_s, u"Agent"_s)));
        QVERIFY(!reg.registerClient(
            minimalWith(u"redirect_uris"_s, QJsonArray { u"http://127.0.0.1/a"_s, u"http://127.0.0.1/b"_s })));
        const auto ok = reg.registerClient(minimalWith(u"client_name"_s, u"Agnt"_s));
        QVERIFY(ok);
        QCOMPARE(ok->client.expiresAt, std::optional<qint64>(m_clock->nowSecs() + 60));
        QCOMPARE(reg.registerClient(json(minimal())).error().httpStatus, 429);

        limits.maxPerMinute = 0; // registration switched off
        ClientRegistration off(*m_db, *m_audit, *m_clock, limits);
        QCOMPARE(off.retryAfterSecs(), 60);
        QCOMPARE(off.registerClient(json(minimal())).error().httpStatus, 429);
    }
};

QTEST_GUILESS_MAIN(TestClientRegistration)
#include "tst_clientregistration.moc"
