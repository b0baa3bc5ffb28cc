// SPDX-License-Identifier: GPL-3.0-or-later
// security-cases.md group B (HTTP robustness and parser abuse), end to end through the real
// authorization server. The HTTP layer alone is covered in tests/core/http (tst_httplimits,
// tst_loopbackserver, tst_requestparser); here the same attacks go at the OAuth routes, and each
// test checks that no state changed (no client stored, no code consumed, no prompt).
#include "asfixture.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <algorithm>

using namespace Tessera;
using namespace Tessera::Test;
using namespace Qt::Literals::StringLiterals;

namespace {

QByteArray minimalRegistration()
{
    return "{\"redirect_uris\":[\"http://127.0.0.1/cb\"],\"token_endpoint_auth_method\":\"none\"}";
}

// minimalRegistration() with one more member, given as raw JSON text.
QByteArray registrationWith(const QByteArray &member, const QByteArray &rawValue)
{
    QByteArray b = minimalRegistration();
    b.chop(1);
    return b + ",\"" + member + "\":" + rawValue + "}";
}

} // namespace

class TestSecurityHttp : public QObject
{
    Q_OBJECT

    std::unique_ptr<AsFixture> m_f;

    // A code ready to redeem, for checking that a refused request consumed nothing.
    struct ReadyCode
    {
        TestClient client;
        Pkce pkce;
        QString code;
    };
    std::optional<ReadyCode> m_ready;

    void prepareCode()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        const Pkce pkce = Pkce::fresh();
        AS_TRY(redirect, f.authorize(f.authorizeParams(client, pkce)));
        QVERIFY(!redirect.code().isEmpty());
        m_ready = ReadyCode { client, pkce, redirect.code() };
    }
    [[nodiscard]] QByteArray readyRedemption() const
    {
        Params form = m_f->redemption(m_ready->client, m_ready->code, m_ready->pkce);
        form.add(u"client_id"_s, m_ready->client.id);
        return form.encoded();
    }
    [[nodiscard]] qint64 unconsumedCodes()
    {
        return m_f->scalar(u"SELECT count(*) FROM authorization_codes WHERE consumed_at IS NULL"_s);
    }
    void expectCodeStillRedeemable()
    {
        QCOMPARE(unconsumedCodes(), 1);
        AS_TRY(tokens, m_f->redeem(m_ready->client, m_ready->code, m_ready->pkce));
        QVERIFY(m_f->isActive(tokens.accessToken));
    }

private Q_SLOTS:
    void init()
    {
        m_ready.reset();
        if (QByteArray(QTest::currentTestFunction()) == "testB2_slowlorisAndConnectionCaps") {
            Http::HttpLimits limits;
            limits.headerTimeoutMs = 800;
            limits.bodyTimeoutMs = 800;
            limits.idleTimeoutMs = 800;
            limits.lingerMs = 100;
            m_f = std::make_unique<AsFixture>(AsFixture::Options { limits });
        } else {
            m_f = std::make_unique<AsFixture>();
        }
        QVERIFY2(m_f->setup(), qPrintable(m_f->setup().ok() ? QString() : m_f->setup().error().toString()));
    }
    void cleanup()
    {
        m_ready.reset();
        m_f.reset();
    }

    // B1: a declared length over the limit is 413 at once (before any body byte) and the
    // connection closes. That a stubborn 200 MB upload keeps RSS flat is the gate's business,
    // route-independent: tst_httplimits::testHugeUploadKeepsMemoryFlat.
    void testB1_declaredOversizeRefusedAtOnce()
    {
        AsFixture &f = *m_f;
        RawClient client;
        QVERIFY(client.connectTo(f.port()));
        QElapsedTimer timer;
        timer.start();
        const auto reply = client.exchange("POST /register HTTP/1.1\r\nHost: " + f.host()
            + "\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\n\r\n");
        QVERIFY(reply);
        QCOMPARE(reply->status, 413);
        QVERIFY2(timer.elapsed() < 1000, qPrintable(QString::number(timer.elapsed())));
        QVERIFY(client.waitClosed());
        // Just over 64 KiB, sent in full.
        const QByteArray big = registrationWith("client_name", '"' + QByteArray(64 * 1024, 'a') + '"');
        QCOMPARE(f.post("/register", "application/json", big).status, 413);
        // Under the HTTP limit but over the registration limit (16 KiB): 400, parsed no further.
        const QByteArray mid = registrationWith("x_pad", '"' + QByteArray(20 * 1024, 'a') + '"');
        const HttpReply r = f.post("/register", "application/json", mid);
        QCOMPARE(r.status, 400);
        QCOMPARE(errorOf(r), u"invalid_client_metadata"_s);
        QCOMPARE(f.clientCount(), qint64(0));
    }

    // B2: dribbling connections far beyond the cap do not stop legitimate token requests, and
    // they (and idle keep-alives) are closed by the header and idle timeouts.
    void testB2_slowlorisAndConnectionCaps()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(tokens, f.issueTokens(client));
        const QByteArray auth = "Authorization: Basic "
            + QByteArray("mcp:" + QByteArray(AsFixture::IntrospectionSecret)).toBase64() + "\r\n";
        const QByteArray introspection = postRequest("/introspect", f.port(), "application/x-www-form-urlencoded",
            Params { { u"token"_s, tokens.accessToken } }.encoded(), auth);

        DribblingConnections slow(f.port(), 200, "POST /token HTTP/1.1\r\nX-Slow: ");
        // Idle keep-alive connections that completed one request.
        std::vector<std::unique_ptr<RawClient>> idle;
        for (int i = 0; i < 10; ++i) {
            idle.push_back(std::make_unique<RawClient>());
            QVERIFY(idle.back()->connectTo(f.port()));
            const auto r = idle.back()->exchange(getRequest("/jwks", f.port()));
            QVERIFY(r && r->status == 200);
        }
        QTest::qWait(150);

        QList<qint64> latencies;
        for (int i = 0; i < 20; ++i) {
            RawClient legit;
            QElapsedTimer timer;
            timer.start();
            QVERIFY(legit.connectTo(f.port()));
            const auto reply = legit.exchange(introspection, 3000);
            QVERIFY(reply);
            QCOMPARE(reply->status, 200);
            QVERIFY(AsFixture::json(*reply).value(u"active"_s).toBool());
            latencies.append(timer.elapsed());
        }
        std::sort(latencies.begin(), latencies.end());
        qInfo() << "introspection latencies (ms) with 200 dribbling and 10 idle connections:" << latencies;
        // B2 asks for a p99 under 5 ms on a quiet machine; allow for sanitizers and shared cores.
        QVERIFY2(latencies.back() < 250, qPrintable(QString::number(latencies.back())));

        QTRY_VERIFY_WITH_TIMEOUT(slow.allClosed(), 4000);
        slow.stop();
        for (auto &c : idle)
            QVERIFY(c->waitClosed(3000));
        // The server still works (and nothing was ever handled on the dribbling connections).
        AS_TRY(again, f.refresh(client, tokens.refreshToken));
        QVERIFY(f.isActive(again.accessToken));
    }

    // B3: deep nesting is 400 invalid_client_metadata, never a crash; the server keeps working.
    void testB3_jsonDeepNesting_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("10,000-deep arrays") << QByteArray(10000, '[') + QByteArray(10000, ']');
        QTest::newRow("10,000-deep arrays, unclosed") << QByteArray(10000, '[');
        QTest::newRow("1,025-deep arrays") << QByteArray(1025, '[') + QByteArray(1025, ']');
        QByteArray objects;
        for (int i = 0; i < 1025; ++i)
            objects += "{\"a\":";
        objects += "1" + QByteArray(1025, '}');
        QTest::newRow("1,025-deep objects") << objects;
        QTest::newRow("1,025 deep in redirect_uris")
            << "{\"redirect_uris\":" + QByteArray(1025, '[') + "\"http://127.0.0.1/cb\"" + QByteArray(1025, ']') + "}";
        QTest::newRow("1,025 deep in an unknown member")
            << registrationWith("x_deep", QByteArray(1025, '[') + QByteArray(1025, ']'));
        QTest::newRow("just over the limit (9)") << registrationWith("x_deep", QByteArray(8, '[') + QByteArray(8, ']'));
    }
    void testB3_jsonDeepNesting()
    {
        QFETCH(QByteArray, body);
        AsFixture &f = *m_f;
        const HttpReply r = f.post("/register", "application/json", body);
        QCOMPARE(r.status, 400);
        QCOMPARE(errorOf(r), u"invalid_client_metadata"_s);
        QCOMPARE(f.clientCount(), qint64(0));
        AS_TRY(client, f.registerClient());
        QVERIFY(!client.id.isEmpty());
    }

    // B4 (RFC 6749 §3.1, RFC 7493): a repeated member or parameter is an error, never "first
    // wins" or "last wins", so no two parsers read the request differently.
    void testB4_duplicateJsonMembersAtRegister()
    {
        AsFixture &f = *m_f;
        for (const QByteArray &b :
            { QByteArray("{\"redirect_uris\":[\"http://127.0.0.1/cb\"],\"redirect_uris\":[\"https://evil.example/cb\"],"
                         "\"token_endpoint_auth_method\":\"none\"}"),
                QByteArray(
                    "{\"redirect_uris\":[\"https://evil.example/cb\"],\"redirect_uris\":[\"http://127.0.0.1/cb\"],"
                    "\"token_endpoint_auth_method\":\"none\"}"),
                registrationWith("token_endpoint_auth_method", "\"client_secret_basic\""),
                registrationWith("client_name", "\"a\",\"client_name\":\"b\""),
                registrationWith("x", "{\"y\":1,\"y\":2}") }) {
            const HttpReply r = f.post("/register", "application/json", b);
            QCOMPARE(r.status, 400);
            QCOMPARE(errorOf(r), u"invalid_client_metadata"_s);
        }
        QCOMPARE(f.clientCount(), qint64(0));
    }

    void testB4_duplicateFormParametersAtToken()
    {
        prepareCode();
        QVERIFY(m_ready);
        AsFixture &f = *m_f;
        const ReadyCode &c = *m_ready;
        const QString wrong = QString::fromLatin1(Pkce::fresh().verifier);
        const QString right = QString::fromLatin1(c.pkce.verifier);
        QList<Params> forms;
        for (const auto &[name, first, second] : QList<std::tuple<QString, QString, QString>> {
                 { u"grant_type"_s, u"authorization_code"_s, u"authorization_code"_s },
                 { u"grant_type"_s, u"authorization_code"_s, u"refresh_token"_s }, { u"code_verifier"_s, right, wrong },
                 { u"code_verifier"_s, wrong, right }, { u"code_verifier"_s, right, right },
                 { u"code"_s, c.code, u"other"_s },
                 { u"redirect_uri"_s, c.client.redirectUri, u"https://evil.example/cb"_s },
                 { u"client_id"_s, c.client.id, u"someone-else"_s } }) {
            Params form = f.redemption(c.client, c.code, c.pkce);
            form.set(u"client_id"_s, c.client.id);
            form.set(name, first);
            form.add(name, second);
            forms << form;
        }
        for (const Params &form : forms) {
            const HttpReply r = f.postForm("/token", form);
            QCOMPARE(r.status, 400);
            QCOMPARE(errorOf(r), u"invalid_request"_s);
            QVERIFY(!AsFixture::json(r).contains(u"access_token"_s));
        }
        // Spelled with different encodings, still the same name.
        const HttpReply encoded = f.post("/token", "application/x-www-form-urlencoded",
            readyRedemption() + "&code%5Fverifier=" + Pkce::fresh().verifier);
        QCOMPARE(encoded.status, 400);
        QCOMPARE(errorOf(encoded), u"invalid_request"_s);
        // Two Authorization headers.
        const HttpReply twoAuth = f.post("/token", "application/x-www-form-urlencoded", readyRedemption(),
            "Authorization: Basic " + QByteArray("a:b").toBase64() + "\r\nAuthorization: Basic "
                + QByteArray("c:d").toBase64() + "\r\n");
        QCOMPARE(twoAuth.status, 400);
        expectCodeStillRedeemable();
    }

    void testB4_duplicateParametersElsewhere()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(tokens, f.issueTokens(client));
        // /authorize with two redirect_uri (or two client_id): a local error, no redirect, no prompt.
        for (const auto &[name, second] :
            QList<QPair<QString, QString>> { { u"redirect_uri"_s, u"https://evil.example/cb"_s },
                { u"redirect_uri"_s, client.redirectUri }, { u"client_id"_s, u"other"_s }, { u"state"_s, u"x"_s },
                { u"code_challenge"_s, u"x"_s }, { u"response_type"_s, u"token"_s } }) {
            Params q = f.authorizeParams(client, Pkce::fresh());
            q.add(name, second);
            const HttpReply r = f.getAuthorize(q);
            QCOMPARE(r.status, 400);
            QVERIFY(!r.hasHeader("location"));
            QVERIFY(!r.body.contains("evil.example"));
        }
        QCOMPARE(f.pendingConsents(), 0);
        // /revoke and /introspect with two tokens: refused, nothing revoked.
        const HttpReply revoke = f.postForm("/revoke",
            Params {
                { u"token"_s, u"garbage"_s }, { u"token"_s, tokens.refreshToken }, { u"client_id"_s, client.id } });
        QCOMPARE(revoke.status, 400);
        const HttpReply introspect
            = f.postForm("/introspect", Params { { u"token"_s, tokens.accessToken }, { u"token"_s, u"garbage"_s } },
                "Authorization: Basic " + QByteArray("mcp:" + QByteArray(AsFixture::IntrospectionSecret)).toBase64()
                    + "\r\n");
        QCOMPARE(introspect.status, 400);
        QVERIFY(!introspect.body.contains("active"));
        AS_TRY(next, f.refresh(client, tokens.refreshToken));
        QVERIFY(f.isActive(next.accessToken));
    }

    // B5: wrong types and sizes are 400 (413 past the HTTP limit); nothing is partially stored.
    void testB5_typeAndSizeConfusion_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        const auto uris = [](int n) -> QByteArray {
            QByteArray list = "[";
            for (int i = 0; i < n; ++i)
                list += (i ? ",\"" : "\"") + QByteArray("http://127.0.0.1/cb") + QByteArray::number(i) + '"';
            return list + ']';
        };
        QTest::newRow("redirect_uris as a string")
            << QByteArray("{\"redirect_uris\":\"http://127.0.0.1/cb\",\"token_endpoint_auth_method\":\"none\"}") << 400;
        QTest::newRow("redirect_uris null") << QByteArray("{\"redirect_uris\":null}") << 400;
        QTest::newRow("redirect_uris [null]") << QByteArray("{\"redirect_uris\":[null]}") << 400;
        QTest::newRow("redirect_uris [1]") << QByteArray("{\"redirect_uris\":[1]}") << 400;
        QTest::newRow("redirect_uris {}") << QByteArray("{\"redirect_uris\":{}}") << 400;
        QTest::newRow("17 redirect_uris") << "{\"redirect_uris\":" + uris(17) + "}" << 400;
        QTest::newRow("10,000 redirect_uris") << "{\"redirect_uris\":" + uris(10000) + "}" << 413;
        QTest::newRow("1 MB client_name")
            << registrationWith("client_name", '"' + QByteArray(1 << 20, 'a') + '"') << 413;
        QTest::newRow("129-character client_name")
            << registrationWith("client_name", '"' + QByteArray(129, 'a') + '"') << 400;
        QTest::newRow("client_name 1e400") << registrationWith("client_name", "1e400") << 400;
        QTest::newRow("unknown member 1e400") << registrationWith("x_max_age", "1e400") << 400;
        QTest::newRow("unknown member -1e400") << registrationWith("x_max_age", "-1e400") << 400;
        QTest::newRow("client_name null") << registrationWith("client_name", "null") << 400;
        QTest::newRow("client_name object") << registrationWith("client_name", "{}") << 400;
        QTest::newRow("grant_types null") << registrationWith("grant_types", "null") << 400;
        QTest::newRow("grant_types string") << registrationWith("grant_types", "\"authorization_code\"") << 400;
        QTest::newRow("contacts of objects") << registrationWith("contacts", "[{}]") << 400;
        QByteArray manyScopes;
        for (int i = 0; i < 100000; ++i)
            manyScopes += i ? " s" : "s";
        QTest::newRow("scope with 100,000 tokens") << registrationWith("scope", '"' + manyScopes + '"') << 413;
        QByteArray someScopes;
        for (int i = 0; i < 65; ++i)
            someScopes += (i ? " s" : "s") + QByteArray::number(i);
        QTest::newRow("scope with 65 tokens") << registrationWith("scope", '"' + someScopes + '"') << 400;
        QTest::newRow("scope number") << registrationWith("scope", "1") << 400;
        QTest::newRow("body null") << QByteArray("null") << 400;
        QTest::newRow("body array") << QByteArray("[]") << 400;
        QTest::newRow("body string") << QByteArray("\"x\"") << 400;
        QTest::newRow("body number") << QByteArray("1") << 400;
        QTest::newRow("body empty") << QByteArray() << 400;
        QTest::newRow("trailing garbage") << minimalRegistration() + "x" << 400;
        QTest::newRow("two documents") << minimalRegistration() + minimalRegistration() << 400;
    }
    void testB5_typeAndSizeConfusion()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        AsFixture &f = *m_f;
        const HttpReply r = f.post("/register", "application/json", body);
        QCOMPARE(r.status, status);
        if (status == 400) {
            const QString e = errorOf(r);
            QVERIFY2(e == u"invalid_client_metadata"_s || e == u"invalid_redirect_uri"_s, qPrintable(e));
        }
        QCOMPARE(f.clientCount(), qint64(0));
        QCOMPARE(f.scalar(u"SELECT count(*) FROM audit_events WHERE kind = 'client.registered'"_s), qint64(0));
    }

    // B5 at /authorize: an oversized query is 414 and a huge state a local error; no prompt.
    void testB5_oversizedAuthorizeQuery()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        QStringList scopes;
        for (int i = 0; i < 100000; ++i)
            scopes << u"read"_s;
        Params q = f.authorizeParams(client, Pkce::fresh());
        q.set(u"scope"_s, scopes.join(u' '));
        QCOMPARE(f.getAuthorize(q).status, 414);
        q.set(u"scope"_s, u"read"_s);
        q.set(u"state"_s, QString(3000, u'x'));
        const HttpReply r = f.getAuthorize(q);
        QCOMPARE(r.status, 400);
        QVERIFY(!r.hasHeader("location"));
        QCOMPARE(f.pendingConsents(), 0);
    }

    // B6: control, bidi, zero-width, lone surrogates and invalid UTF-8 in client_name are refused
    // before anything is stored; what is accepted is NFC and escaped wherever it is shown.
    void testB6_invalidUnicodeAndControls_data()
    {
        QTest::addColumn<QByteArray>("rawName"); // JSON text of the value, quotes included
        QTest::newRow("NUL") << QByteArray("\"evil\\u0000name\"");
        QTest::newRow("BEL") << QByteArray("\"evil\\u0007name\"");
        QTest::newRow("raw control byte") << QByteArray("\"evil\x01name\"");
        QTest::newRow("right-to-left override") << QByteArray("\"Claude\\u202Eedoc\"");
        QTest::newRow("left-to-right isolate") << QByteArray("\"Claude\\u2066x\"");
        QTest::newRow("zero-width space") << QByteArray("\"Cl\\u200Baude\"");
        QTest::newRow("zero-width joiner") << QByteArray("\"Cl\\u200Daude\"");
        QTest::newRow("BOM") << QByteArray("\"\\uFEFFClaude\"");
        QTest::newRow("line separator") << QByteArray("\"Claude\\u2028Desktop\"");
        QTest::newRow("private use") << QByteArray("\"Claude\\uE000\"");
        QTest::newRow("lone high surrogate") << QByteArray("\"Claude\\uD800\"");
        QTest::newRow("lone low surrogate") << QByteArray("\"Claude\\uDC00\"");
        QTest::newRow("reversed surrogates") << QByteArray("\"\\uDC00\\uD800\"");
        QTest::newRow("overlong '/'") << QByteArray("\"Claude\xC0\xAF\"");
        QTest::newRow("overlong NUL") << QByteArray("\"Claude\xC0\x80\"");
        QTest::newRow("invalid byte") << QByteArray("\"Claude\xFF\"");
        QTest::newRow("encoded surrogate") << QByteArray("\"Claude\xED\xA0\x80\"");
        QTest::newRow("truncated sequence") << QByteArray("\"Claude\xE2\x82\"");
        QTest::newRow("noncharacter") << QByteArray("\"Claude\\uFFFF\"");
        QTest::newRow("combining flood") << QByteArray("\"A\\u0301\\u0301\\u0301\\u0301\\u0301\\u0301\"");
        QTest::newRow("only spaces") << QByteArray("\"   \"");
        QTest::newRow("hangul filler") << QByteArray("\"\\u3164\"");
    }
    void testB6_invalidUnicodeAndControls()
    {
        QFETCH(QByteArray, rawName);
        AsFixture &f = *m_f;
        const HttpReply r = f.post("/register", "application/json", registrationWith("client_name", rawName));
        QCOMPARE(r.status, 400);
        QCOMPARE(errorOf(r), u"invalid_client_metadata"_s);
        QCOMPARE(f.clientCount(), qint64(0));
    }

    void testB6_acceptedNamesAreNormalizedAndEscaped()
    {
        AsFixture &f = *m_f;
        AS_TRY(
            client, f.registerClient(QJsonObject { { u"client_name"_s, u"  Cafe\u0301   <script>x</script>  "_s } }));
        const QString stored = u"Caf\u00e9 <script>x</script>"_s;
        QCOMPARE(f.scalar(u"SELECT count(*) FROM clients WHERE client_name = ?"_s, { stored }), qint64(1));
        AS_TRY(pending, f.begin(f.authorizeParams(client, Pkce::fresh())));
        QCOMPARE(f.broker->find(pending.consentId)->requester.clientName, stored);
        QVERIFY(pending.page.body.contains(u"Caf\u00e9 &lt;script&gt;x&lt;/script&gt;"_s.toUtf8()));
        QVERIFY(!pending.page.body.contains("<script>"));

        // In a query string: NUL or invalid UTF-8 is refused before anything else.
        for (const QByteArray &bad : { QByteArray("%00"), QByteArray("%C0%AF"), QByteArray("%FF") }) {
            const HttpReply r = f.get("/authorize?" + f.authorizeParams(client, Pkce::fresh()).encoded() + "&x=" + bad);
            QCOMPARE(r.status, 400);
            QVERIFY(!r.hasHeader("location"));
            const HttpReply t = f.post("/token", "application/x-www-form-urlencoded",
                "grant_type=authorization_code&client_id=" + client.id.toLatin1() + "&code=" + bad);
            QCOMPARE(t.status, 400);
            QCOMPARE(errorOf(t), u"invalid_request"_s);
        }
        QCOMPARE(f.pendingConsents(), 1);
    }

    // B7 (RFC 9112 §6.3): ambiguous framing is 400 and closes the connection; routing is exact;
    // unsupported methods are 405 (501 for unknown ones). A smuggled redemption consumes nothing.
    void testB7_framingAndRoutingStrictness_data()
    {
        QTest::addColumn<QByteArray>("head"); // request line and headers, without Host/CL/CRLFCRLF
        QTest::addColumn<QByteArray>("extra"); // more header lines, each ending in CRLF
        QTest::addColumn<int>("status");
        QTest::addColumn<bool>("closes");
        const QByteArray form = "Content-Type: application/x-www-form-urlencoded\r\n";
        QTest::newRow("CL and TE") << QByteArray("POST /token HTTP/1.1") << form + "Transfer-Encoding: chunked\r\n"
                                   << 400 << true;
        QTest::newRow("two different CL") << QByteArray("POST /token HTTP/1.1") << form + "Content-Length: 5\r\n"
                                          << 400 << true;
        QTest::newRow("obs-fold") << QByteArray("POST /token HTTP/1.1") << form + "X-Folded: a\r\n b\r\n"
                                  << 400 << true;
        QTest::newRow("space before colon") << QByteArray("POST /token HTTP/1.1") << form + "X-A : b\r\n"
                                            << 400 << true;
        QTest::newRow("two Host") << QByteArray("POST /token HTTP/1.1") << form + "Host: evil.example\r\n"
                                  << 400 << true;
        QTest::newRow("absolute form") << QByteArray("POST http://evil.example/token HTTP/1.1") << form << 400 << true;
        for (const QByteArray &path :
            { QByteArray("/token/"), QByteArray("//token"), QByteArray("/TOKEN"), QByteArray("/token%2F"),
                QByteArray("/token;x"), QByteArray("/./token"), QByteArray("/%74oken"), QByteArray("/x/../token") })
            QTest::addRow("path %s", path.constData()) << "POST " + path + " HTTP/1.1" << form << 404 << false;
        for (const QByteArray &method :
            { QByteArray("PUT"), QByteArray("DELETE"), QByteArray("PATCH"), QByteArray("TRACE") })
            QTest::addRow("method %s", method.constData()) << method + " /token HTTP/1.1" << form << 405 << false;
        QTest::newRow("unknown method") << QByteArray("FOO /token HTTP/1.1") << form << 501 << true;
        QTest::newRow("wrong media type")
            << QByteArray("POST /token HTTP/1.1") << QByteArray("Content-Type: text/plain\r\n") << 415 << false;
        QTest::newRow("query on POST") << QByteArray("POST /token?x=1 HTTP/1.1") << form << 400 << false;
    }
    void testB7_framingAndRoutingStrictness()
    {
        QFETCH(QByteArray, head);
        QFETCH(QByteArray, extra);
        QFETCH(int, status);
        QFETCH(bool, closes);
        prepareCode();
        QVERIFY(m_ready);
        AsFixture &f = *m_f;
        const QByteArray body = readyRedemption();
        RawClient client;
        QVERIFY(client.connectTo(f.port()));
        const auto reply = client.exchange(head + "\r\nHost: " + f.host()
            + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n" + extra + "\r\n" + body);
        QVERIFY(reply);
        QCOMPARE(reply->status, status);
        if (status == 405)
            QCOMPARE(reply->header("allow"), QByteArray("POST"));
        if (closes)
            QVERIFY(client.waitClosed());
        expectCodeStillRedeemable();
    }
};

QTEST_GUILESS_MAIN(TestSecurityHttp)
#include "tst_security_http.moc"
