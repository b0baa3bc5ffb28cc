// SPDX-License-Identifier: GPL-3.0-or-later
// security-cases.md group D (authorization endpoint and redirect URIs), end to end through the
// real authorization server. The parsing rules themselves are unit-tested in tst_canonical.
#include "asfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Tessera;
using namespace Tessera::Test;
using namespace Qt::Literals::StringLiterals;

namespace {

// An answer shown in the browser, never sent to the client: no Location, an HTML page.
bool isLocalErrorPage(const HttpReply &r)
{
    return r.status == 400 && !r.hasHeader("location") && r.header("content-type").startsWith("text/html")
        && r.header("x-frame-options") == "DENY" && r.header("referrer-policy") == "no-referrer";
}

// security-cases D3: parser-confusion spellings of a loopback redirect URI.
const QStringList kConfusedRedirects {
    u"http://127.0.0.1:80@evil.example/cb"_s,
    u"http://127.0.0.1@a@evil.example/cb"_s,
    u"http://127.0.0.1%2F@evil/"_s,
    u"http://127.0.0.1.evil.example/cb"_s,
    u"http://127.0.0.1\\@evil/"_s,
    u"http://2130706433/cb"_s,
    u"http://0x7f.1/cb"_s,
    u"http://127.0.0.1./cb"_s,
    u"http://127.0.0.1:53682/cb/..;/x"_s,
    u"http://127.0.0.1:53682/cb/..%3B/x"_s,
    u"http://evil.example#@127.0.0.1:53682/cb"_s,
    u"http://127.0.0.1:53682@evil.example:53682/cb"_s,
    u"http://[::ffff:127.0.0.1]:53682/cb"_s,
    u"http://127.1:53682/cb"_s,
    u"HTTP://127.0.0.1:53682/cb"_s,
    u" http://127.0.0.1:53682/cb"_s,
    u"http://127.0.0.1:53682/cb\t"_s,
    u"http:/127.0.0.1:53682/cb"_s,
    u"http:127.0.0.1:53682/cb"_s,
    u"//127.0.0.1:53682/cb"_s,
};

} // namespace

class TestSecurityAuthorize : public QObject
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

    // D1 (RFC 6749 §4.1.2.1, RFC 9700 §4.11.2): unknown client or unregistered redirect_uri ->
    // an error page here, never a redirect, never a prompt; even when something else is wrong too.
    // Issue 9 R7b: merged prompts must not pile up authorization transactions without end.
    void testR7_authorizationTransactionsAreBounded()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        QList<Pkce> pkces;
        const int cap = OAuth::AuthorizeEndpoint::MaxTransactionsPerClient;
        for (int i = 0; i < cap; ++i) {
            pkces.append(Pkce::fresh());
            const HttpReply r = f.getAuthorize(f.authorizeParams(client, pkces.last()));
            QCOMPARE(r.status, 200); // a waiting page: merged into one prompt
        }
        QCOMPARE(f.server->authorizeEndpoint().pendingTransactions(), cap);
        QCOMPARE(f.pendingConsents(), 1);
        // One more is told why, and nothing is created.
        const HttpReply excess = f.getAuthorize(f.authorizeParams(client, Pkce::fresh()));
        AS_TRY(redirect, parseRedirect(excess));
        QCOMPARE(redirect.error(), u"temporarily_unavailable"_s);
        QVERIFY(redirect.value(u"error_description"_s).contains(u"finish or close them"_s));
        QCOMPARE(f.server->authorizeEndpoint().pendingTransactions(), cap);
        // A reload of a waiting one is found through the index and still gets its waiting page.
        const HttpReply reload = f.getAuthorize(f.authorizeParams(client, pkces.first()));
        QCOMPARE(reload.status, 200);
        QCOMPARE(f.server->authorizeEndpoint().pendingTransactions(), cap);
        // Another client is not starved by this one.
        AS_TRY(other, f.registerClient());
        QCOMPARE(f.getAuthorize(f.authorizeParams(other, Pkce::fresh())).status, 200);
        // When the transactions end (timed out and swept), the client may start again.
        f.clock.advanceSecs(f.broker->limits().promptTimeoutSecs + 121);
        f.broker->expireDue(); // each answer (access_denied) waits a minute for its browser to collect it
        f.clock.advanceSecs(OAuth::ServerContext::CodeLifetimeSecs + 1);
        f.server->authorizeEndpoint().sweep();
        QCOMPARE(f.server->authorizeEndpoint().pendingTransactions(), 0);
        QCOMPARE(f.getAuthorize(f.authorizeParams(client, Pkce::fresh())).status, 200);
    }

    // Issue 9 R5: identical concurrent authorizations (two tabs, a client that restarted its
    // flow) are one prompt, and its one approval makes one grant that every requester shares.
    // Each used to make its own grant, superseding the one before and killing its code.
    void testR5_mergedAuthorizationsShareOneGrant()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        const Pkce first = Pkce::fresh();
        const Pkce second = Pkce::fresh();
        AS_TRY(a, f.begin(f.authorizeParams(client, first)));
        AS_TRY(b, f.begin(f.authorizeParams(client, second)));
        QCOMPARE(b.consentId, a.consentId);
        QCOMPARE(f.pendingConsents(), 1);
        QCOMPARE(f.broker->find(a.consentId)->mergedCount, 2);

        AS_TRY(toA, f.approve(a));
        const std::optional<HttpReply> forB = b.waiter->readReply(3000);
        QVERIFY(forB);
        AS_TRY(toB, parseRedirect(*forB));
        QVERIFY(!toA.code().isEmpty());
        QVERIFY(!toB.code().isEmpty());
        QCOMPARE(f.scalar(u"SELECT count(*) FROM grants WHERE client_id = ?"_s, { client.id }), qint64(1));
        // Both codes redeem, in either order, each with its own verifier, into the one grant.
        AS_TRY(tokensB, f.redeem(client, toB.code(), second));
        AS_TRY(tokensA, f.redeem(client, toA.code(), first));
        QVERIFY(f.isActive(tokensA.accessToken));
        QVERIFY(f.isActive(tokensB.accessToken));
        const auto grantA = f.grantOfAccessToken(tokensA.accessToken);
        const auto grantB = f.grantOfAccessToken(tokensB.accessToken);
        QVERIFY(grantA && grantB);
        QCOMPARE(grantA->id, grantB->id);
        AS_TRY(refreshedA, f.refresh(client, tokensA.refreshToken));
        AS_TRY(refreshedB, f.refresh(client, tokensB.refreshToken));
        QVERIFY(f.isActive(refreshedA.accessToken) && f.isActive(refreshedB.accessToken));
    }

    // Issue 9 R5: "Only this once" is one authorization: the newest requester gets the code,
    // the others an access_denied that says why. It used to hand every merged requester a code.
    void testR5_onceAnswersExactlyOneAuthorization()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        const Pkce older = Pkce::fresh();
        const Pkce newer = Pkce::fresh();
        AS_TRY(a, f.begin(f.authorizeParams(client, older)));
        AS_TRY(b, f.begin(f.authorizeParams(client, newer)));
        QCOMPARE(b.consentId, a.consentId);
        AS_TRY(toA, f.approve(a, {}, Consent::Duration::Once));
        const std::optional<HttpReply> forB = b.waiter->readReply(3000);
        QVERIFY(forB);
        AS_TRY(toB, parseRedirect(*forB));
        QCOMPARE(toA.error(), u"access_denied"_s);
        QVERIFY(toA.code().isEmpty());
        QVERIFY2(toA.value(u"error_description"_s).contains(u"approved once"_s),
            qPrintable(toA.value(u"error_description"_s)));
        QVERIFY(!toB.code().isEmpty());
        QCOMPARE(f.scalar(u"SELECT count(*) FROM grants WHERE client_id = ?"_s, { client.id }), qint64(1));
        QCOMPARE(f.scalar(u"SELECT count(*) FROM authorization_codes WHERE client_id = ?"_s, { client.id }), qint64(1));
        AS_TRY(tokens, f.redeem(client, toB.code(), newer));
        QVERIFY(f.isActive(tokens.accessToken));
    }

    // Issue 9 R5: a merged requester answered after the person revoked the approval's grant gets
    // no code and no new grant behind their back.
    void testR5_sharedGrantRevokedMeanwhileIsNotRemade()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(resource, f.addResource(u"shared"_s, u"http://127.0.0.1:7411/mcp"_s));
        OAuth::GrantService &grants = f.server->grants();
        Consent::Decision d = Consent::Decision::approve({ u"read"_s }, Consent::Duration::OneHour, u"desktop"_s);
        d.requestId = u"consent-request-1"_s;
        int made = 0;
        const auto make = [&]() -> Result<Store::Grant> {
            ++made;
            return grants.grantFromApproval(client.id, resource, d.scopes, d.duration, u"user"_s);
        };
        AS_TRY(one, grants.sharedGrant(d, make));
        AS_TRY(again, grants.sharedGrant(d, make));
        QCOMPARE(again.id, one.id);
        QCOMPARE(made, 1);
        AS_TRY(revoked, grants.revokeGrant(one.id, u"revoked"_s, u"user"_s));
        QVERIFY(revoked);
        const auto late = grants.sharedGrant(d, make);
        QVERIFY(!late.ok());
        QCOMPARE(late.error().code, u"grant_revoked"_s);
        QCOMPARE(made, 1);
        // Another approval is another grant.
        d.requestId = u"consent-request-2"_s;
        AS_TRY(other, grants.sharedGrant(d, make));
        QVERIFY(other.id != one.id);
        QCOMPARE(made, 2);
    }

    // Issue 9 R7a: held /authorize/wait requests are parked: at most
    // HttpLimits::maxParkedConnections of them hold a connection, and the one parked longest gives
    // its slot back with a page that asks again. 64 held waits used to fill the 64-connection cap,
    // and /token and metadata answered 503 for everyone until the prompts timed out.
    void testR7_parkedWaitsCannotStarveTheServer()
    {
        AsFixture &f = *m_f;
        const Http::HttpLimits limits;
        AS_TRY(person, f.registerClient());
        const Pkce personPkce = Pkce::fresh();
        AS_TRY(personWait, f.begin(f.authorizeParams(person, personPkce)));

        // Four applications each hold the most waits they may (R7b): 64 in all.
        std::vector<PendingAuthorization> flood;
        for (int c = 0; c < 4; ++c) {
            AS_TRY(client, f.registerClient());
            for (int i = 0; i < OAuth::AuthorizeEndpoint::MaxTransactionsPerClient; ++i) {
                AS_TRY(pending, f.begin(f.authorizeParams(client, Pkce::fresh())));
                flood.push_back(std::move(pending));
            }
        }
        QCOMPARE(int(flood.size()), limits.maxConnections);

        // Everything else is still served, at once.
        QCOMPARE(f.get("/.well-known/oauth-authorization-server").status, 200);
        const HttpReply token = f.refreshReply(person, u"nope"_s);
        QCOMPARE(token.status, 400); // an answer about the request, not 503
        AS_TRY(other, f.registerClient());
        QCOMPARE(f.getAuthorize(f.authorizeParams(other, Pkce::fresh())).status, 200);

        // The oldest waits were released with a page that asks again; the newest are still held.
        const auto released = personWait.waiter->readReply(2000);
        QVERIFY2(released, "the person's held wait was dropped without an answer");
        QCOMPARE(released->status, 200);
        const QString page = QString::fromUtf8(released->body);
        QVERIFY(page.contains(u"Still waiting for your answer"_s));
        QVERIFY(page.contains(u"content=\""_s + QString::number(OAuth::AuthorizeEndpoint::StillWaitingRetrySecs)
            + u";url="_s + QString::fromLatin1(personWait.waitPath).toHtmlEscaped() + u"\""_s));
        int releasedFlood = 0, heldFlood = 0;
        for (PendingAuthorization &p : flood) {
            if (auto r = p.waiter->readReply(releasedFlood + heldFlood < 48 ? 2000 : 100)) {
                QCOMPARE(r->status, 200);
                ++releasedFlood;
            } else {
                ++heldFlood;
            }
        }
        QCOMPARE(heldFlood, limits.maxParkedConnections);
        QCOMPARE(releasedFlood, limits.maxConnections - limits.maxParkedConnections);

        // Nothing was lost: approved while its browser was between waits, the answer is kept and
        // the person's next wait collects the code, which redeems.
        QVERIFY(f.broker->decide(
            personWait.consentId, Consent::Decision::approve({ u"read"_s }, Consent::Duration::OneHour, u"desktop"_s)));
        RawClient again;
        QVERIFY(again.connectTo(f.port()));
        again.send("GET " + personWait.waitPath + " HTTP/1.1\r\nHost: " + f.host() + "\r\nCookie: " + personWait.cookie
            + "\r\n\r\n");
        const auto answer = again.readReply(3000);
        QVERIFY(answer);
        AS_TRY(redirect, parseRedirect(*answer));
        QVERIFY(!redirect.code().isEmpty());
        AS_TRY(tokens, f.redeem(person, redirect.code(), personPkce));
        QVERIFY(!tokens.accessToken.isEmpty());
    }

    void testD1_noRedirectOnBadClientOrUri_data()
    {
        QTest::addColumn<QString>("clientId"); // "<client>": the registered one; "<none>": omitted
        QTest::addColumn<QString>("redirectUri"); // "<client>": its own
        QTest::addColumn<QString>("otherParam"); // name=value set as well, may be empty
        QTest::newRow("unknown client") << u"no-such-client"_s << u"<client>"_s << QString();
        QTest::newRow("unknown client, evil redirect")
            << u"no-such-client"_s << u"https://evil.example/cb"_s << QString();
        QTest::newRow("missing client_id") << u"<none>"_s << u"<client>"_s << QString();
        QTest::newRow("empty client_id") << QString() << u"<client>"_s << QString();
        QTest::newRow("client_id of another kind")
            << u"https://127.0.0.1:1/client.json"_s << u"<client>"_s << QString();
        QTest::newRow("unregistered path") << u"<client>"_s << u"http://127.0.0.1:53682/evil"_s << QString();
        QTest::newRow("evil https host") << u"<client>"_s << u"https://evil.example/cb"_s << QString();
        QTest::newRow("javascript") << u"<client>"_s << u"javascript:alert(document.domain)"_s << QString();
        QTest::newRow("another client's redirect") << u"<client>"_s << u"http://127.0.0.1:53682/other"_s << QString();
        QTest::newRow("empty redirect_uri") << u"<client>"_s << QString() << QString();
        QTest::newRow("bad redirect and response_type=token")
            << u"<client>"_s << u"https://evil.example/cb"_s << u"response_type=token"_s;
        QTest::newRow("bad redirect and no PKCE")
            << u"<client>"_s << u"https://evil.example/cb"_s << u"code_challenge="_s;
        QTest::newRow("unknown client and bad scope") << u"no-such-client"_s << u"<client>"_s << u"scope=*"_s;
    }
    void testD1_noRedirectOnBadClientOrUri()
    {
        QFETCH(QString, clientId);
        QFETCH(QString, redirectUri);
        QFETCH(QString, otherParam);
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(other,
            f.registerClient(QJsonObject { { u"redirect_uris"_s, QJsonArray { u"http://127.0.0.1/other"_s } } }));
        Q_UNUSED(other);
        Params q = f.authorizeParams(client, Pkce::fresh());
        if (clientId == u"<none>"_s)
            q.remove(u"client_id"_s);
        else if (clientId != u"<client>"_s)
            q.set(u"client_id"_s, clientId);
        if (redirectUri != u"<client>"_s)
            q.set(u"redirect_uri"_s, redirectUri);
        if (!otherParam.isEmpty())
            q.set(otherParam.section(u'=', 0, 0), otherParam.section(u'=', 1));
        const HttpReply r = f.getAuthorize(q);
        QVERIFY2(isLocalErrorPage(r), r.statusLine.constData());
        QVERIFY(!r.body.contains("evil.example"));
        QCOMPARE(f.pendingConsents(), 0);
        QCOMPARE(f.server->authorizeEndpoint().pendingTransactions(), 0);
    }

    // D2 (RFC 8252 §7.3): exact match except the port, for loopback.
    void testD2_loopbackPortExactMatch_data()
    {
        QTest::addColumn<QString>("requested");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("any port") << u"http://127.0.0.1:53682/cb"_s << true;
        QTest::newRow("another port") << u"http://127.0.0.1:1/cb"_s << true;
        QTest::newRow("no port") << u"http://127.0.0.1/cb"_s << true;
        QTest::newRow("other path") << u"http://127.0.0.1:53682/cb2"_s << false;
        QTest::newRow("trailing slash") << u"http://127.0.0.1:53682/cb/"_s << false;
        QTest::newRow("upper case path") << u"http://127.0.0.1:53682/CB"_s << false;
        QTest::newRow("query added") << u"http://127.0.0.1:53682/cb?x=1"_s << false;
        QTest::newRow("empty query") << u"http://127.0.0.1:53682/cb?"_s << false;
        QTest::newRow("dot segments") << u"http://127.0.0.1:53682/x/../cb"_s << false;
        QTest::newRow("encoded path") << u"http://127.0.0.1:53682/%63b"_s << false;
        QTest::newRow("https") << u"https://127.0.0.1:53682/cb"_s << false;
        QTest::newRow("localhost instead of 127.0.0.1") << u"http://localhost:53682/cb"_s << false;
        QTest::newRow("::1 instead of 127.0.0.1") << u"http://[::1]:53682/cb"_s << false;
        QTest::newRow("empty fragment") << u"http://127.0.0.1:53682/cb#"_s << false;
        QTest::newRow("port 0") << u"http://127.0.0.1:0/cb"_s << false;
        QTest::newRow("port 65536") << u"http://127.0.0.1:65536/cb"_s << false;
    }
    void testD2_loopbackPortExactMatch()
    {
        QFETCH(QString, requested);
        QFETCH(bool, accepted);
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        Params q = f.authorizeParams(client, Pkce::fresh());
        q.set(u"redirect_uri"_s, requested);
        if (!accepted) {
            const HttpReply r = f.getAuthorize(q);
            QVERIFY2(isLocalErrorPage(r), r.statusLine.constData());
            QCOMPARE(f.pendingConsents(), 0);
            return;
        }
        AS_TRY(redirect, f.authorize(q));
        QCOMPARE(redirect.target, requested);
        QVERIFY(!redirect.code().isEmpty());
    }

    // D3: parser confusion, raw and percent-encoded once and twice: refused at registration and,
    // for a registered client, at /authorize without a redirect.
    void testD3_redirectParserConfusion_data()
    {
        QTest::addColumn<QString>("uri");
        for (const QString &uri : kConfusedRedirects) {
            QTest::addRow("%s", qPrintable(uri)) << uri;
            const QString once = QString::fromLatin1(QUrl::toPercentEncoding(uri, "/:"));
            QTest::addRow("once: %s", qPrintable(once)) << once;
            QTest::addRow("twice: %s", qPrintable(uri)) << QString::fromLatin1(QUrl::toPercentEncoding(once, "/:"));
        }
        // Only the dangerous part encoded.
        QTest::newRow("encoded @") << u"http://127.0.0.1%40evil.example/cb"_s;
        QTest::newRow("encoded : and @") << u"http://127.0.0.1%3A80%40evil.example/cb"_s;
        QTest::newRow("double-encoded slash") << u"http://127.0.0.1%252F@evil/"_s;
        QTest::newRow("encoded dot segment") << u"http://127.0.0.1:53682/x/%2E%2E/cb"_s;
        QTest::newRow("encoded backslash") << u"http://127.0.0.1%5C@evil/"_s;
    }
    void testD3_redirectParserConfusion()
    {
        QFETCH(QString, uri);
        AsFixture &f = *m_f;
        const qint64 clients = f.clientCount();
        const HttpReply reg = f.post("/register", "application/json",
            QJsonDocument(QJsonObject { { u"redirect_uris"_s, QJsonArray { uri } },
                              { u"token_endpoint_auth_method"_s, u"none"_s } })
                .toJson(QJsonDocument::Compact));
        QCOMPARE(reg.status, 400);
        QCOMPARE(AsFixture::json(reg).value(u"error"_s).toString(), u"invalid_redirect_uri"_s);
        QCOMPARE(f.clientCount(), clients);

        AS_TRY(client, f.registerClient());
        Params q = f.authorizeParams(client, Pkce::fresh());
        q.set(u"redirect_uri"_s, uri);
        const HttpReply r = f.getAuthorize(q);
        QVERIFY2(isLocalErrorPage(r), r.statusLine.constData());
        QCOMPARE(f.pendingConsents(), 0);
    }

    // D4 (RFC 6749 §3.1.2.3): no redirect_uri and several registered -> invalid_request here.
    void testD4_missingRedirectUri()
    {
        AsFixture &f = *m_f;
        AS_TRY(two,
            f.registerClient(QJsonObject {
                { u"redirect_uris"_s, QJsonArray { u"http://127.0.0.1/cb"_s, u"http://127.0.0.1/other"_s } } }));
        Params q = f.authorizeParams(two, Pkce::fresh());
        q.remove(u"redirect_uri"_s);
        const HttpReply r = f.getAuthorize(q);
        QVERIFY2(isLocalErrorPage(r), r.statusLine.constData());
        QCOMPARE(f.pendingConsents(), 0);

        // One registered: it is the one (control).
        AS_TRY(one, f.registerClient());
        Params single = f.authorizeParams(one, Pkce::fresh());
        single.remove(u"redirect_uri"_s);
        AS_TRY(redirect, f.authorize(single));
        QCOMPARE(redirect.target, u"http://127.0.0.1/cb"_s);
    }

    // D5 (RFC 9207): every redirect, success or terminal error, carries exactly one iss equal to
    // the metadata issuer, which never follows the Host header.
    void testD5_issuerInEveryRedirect()
    {
        AsFixture &f = *m_f;
        const HttpReply metaReply = f.get("/.well-known/oauth-authorization-server");
        QCOMPARE(metaReply.status, 200);
        const QJsonObject metadata = AsFixture::json(metaReply);
        QCOMPARE(metadata.value(u"issuer"_s).toString(), f.issuer());
        QCOMPARE(metadata.value(u"authorization_response_iss_parameter_supported"_s).toBool(), true);

        AS_TRY(client, f.registerClient());
        QList<Redirect> redirects;
        // Success with a prompt, and (covered by the grant) success without one.
        {
            AS_TRY(r, f.authorize(f.authorizeParams(client, Pkce::fresh())));
            redirects << r;
            AS_TRY(covered, parseRedirect(f.getAuthorize(f.authorizeParams(client, Pkce::fresh()))));
            QVERIFY(!covered.code().isEmpty());
            redirects << covered;
        }
        // Denied, and timed out.
        AS_TRY(newcomer, f.registerClient());
        {
            Params q = f.authorizeParams(newcomer, Pkce::fresh());
            AS_TRY(p, f.begin(q));
            AS_TRY(denied, f.decide(p, Consent::Decision::deny(u"desktop"_s)));
            QCOMPARE(denied.error(), u"access_denied"_s);
            redirects << denied;
            AS_TRY(p2, f.begin(f.authorizeParams(newcomer, Pkce::fresh())));
            f.clock.advanceSecs(f.broker->limits().promptTimeoutSecs + 1);
            f.broker->expireDue();
            const std::optional<HttpReply> w = p2.waiter->readReply(3000);
            QVERIFY(w);
            AS_TRY(timedOut, parseRedirect(*w));
            QCOMPARE(timedOut.error(), u"access_denied"_s);
            redirects << timedOut;
        }
        // Errors sent back to the client.
        const QList<QPair<QString, QString>> errors { { u"response_type"_s, u"token"_s }, { u"scope"_s, u"*"_s },
            { u"resource"_s, u"http://127.0.0.1:9/none"_s }, { u"code_challenge"_s, u"short"_s },
            { u"code_challenge_method"_s, u"plain"_s } };
        for (const auto &[name, value] : errors) {
            Params q = f.authorizeParams(newcomer, Pkce::fresh());
            q.set(name, value);
            AS_TRY(e, parseRedirect(f.getAuthorize(q)));
            QVERIFY(!e.error().isEmpty());
            redirects << e;
        }
        for (const Redirect &r : redirects) {
            QCOMPARE(r.status, 303);
            QCOMPARE(r.count(u"iss"_s), 1);
            QCOMPARE(r.value(u"iss"_s), f.issuer());
            QCOMPARE(r.count(u"state"_s), 1);
            QVERIFY(r.value(u"state"_s).startsWith(u"st-"_s));
            QCOMPARE(r.count(u"code"_s) + r.count(u"error"_s), 1);
        }

        // Another accepted spelling of our own host changes nothing; a foreign Host is refused.
        const HttpReply viaLocalhost = f.send("GET /.well-known/oauth-authorization-server HTTP/1.1\r\nHost: localhost:"
            + QByteArray::number(f.port()) + "\r\n\r\n");
        QCOMPARE(viaLocalhost.status, 200);
        QCOMPARE(AsFixture::json(viaLocalhost), metadata);
        const HttpReply spoofed = f.send("GET /.well-known/oauth-authorization-server HTTP/1.1\r\nHost: evil.example:"
            + QByteArray::number(f.port()) + "\r\nX-Forwarded-Host: evil.example\r\n\r\n");
        QCOMPARE(spoofed.status, 421);
        QVERIFY(spoofed.body.isEmpty());
        const HttpReply forwarded = f.get("/.well-known/oauth-authorization-server",
            "X-Forwarded-Host: evil.example\r\nX-Forwarded-Proto: https\r\nForwarded: host=evil.example\r\n");
        QCOMPARE(AsFixture::json(forwarded), metadata);
        for (const QString &endpoint : { u"authorization_endpoint"_s, u"token_endpoint"_s, u"jwks_uri"_s })
            QVERIFY(metadata.value(endpoint).toString().startsWith(f.issuer() + u'/'));
    }

    // D6: only response_type=code; never a token in a fragment.
    void testD6_responseTypeRestriction_data()
    {
        QTest::addColumn<QString>("responseType"); // "<none>": omitted
        QTest::addColumn<QString>("error");
        for (const QString &t : { u"token"_s, u"id_token"_s, u"code token"_s, u"code id_token"_s, u"none"_s, u"CODE"_s,
                 u"code "_s, u"code code"_s, QString() })
            QTest::addRow("%s", qPrintable(t.isEmpty() ? u"(empty)"_s : t)) << t << u"unsupported_response_type"_s;
        QTest::newRow("omitted") << u"<none>"_s << u"invalid_request"_s;
    }
    void testD6_responseTypeRestriction()
    {
        QFETCH(QString, responseType);
        QFETCH(QString, error);
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        Params q = f.authorizeParams(client, Pkce::fresh());
        if (responseType == u"<none>"_s)
            q.remove(u"response_type"_s);
        else
            q.set(u"response_type"_s, responseType);
        AS_TRY(r, parseRedirect(f.getAuthorize(q)));
        QCOMPARE(r.error(), error);
        QVERIFY(!r.location.contains('#'));
        for (const QString &leak : { u"access_token"_s, u"id_token"_s, u"code"_s, u"token_type"_s })
            QCOMPARE(r.count(leak), 0);
        QCOMPARE(f.pendingConsents(), 0);
    }

    // D7 (RFC 9700 §4.12, §4.2.4): 303 redirects, no-referrer HTML pages without third-party
    // content, and the code_challenge never echoed anywhere.
    void testD7_redirectMechanicsAndLeakage()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient(QJsonObject { { u"client_name"_s, u"Agent <b>bold</b>"_s } }));
        const Pkce pkce = Pkce::fresh();
        const Params q = f.authorizeParams(client, pkce);
        AS_TRY(pending, f.begin(q));
        AS_TRY(redirect, f.approve(pending));
        AS_TRY(tokens, f.redeem(client, redirect.code(), pkce));
        Params bad = f.authorizeParams(client, pkce);
        bad.set(u"redirect_uri"_s, u"http://127.0.0.1:53682/nope"_s);
        const HttpReply errorPage = f.getAuthorize(bad);
        Params deniedQuery = f.authorizeParams(client, Pkce::fresh());
        deniedQuery.set(u"response_type"_s, u"token"_s);
        const HttpReply errorRedirect = f.getAuthorize(deniedQuery);

        QCOMPARE(redirect.status, 303);
        QCOMPARE(errorRedirect.status, 303);
        for (const HttpReply *page : std::initializer_list<const HttpReply *> { &pending.page, &errorPage }) {
            QVERIFY(page->header("content-type").startsWith("text/html"));
            QCOMPARE(page->header("referrer-policy"), QByteArray("no-referrer"));
            QVERIFY(page->header("content-security-policy").contains("default-src 'none'"));
            for (const QByteArray &external :
                { QByteArray("http:"), QByteArray("https:"), QByteArray("<script"), QByteArray("<img"),
                    QByteArray("<link"), QByteArray("<iframe"), QByteArray("src="), QByteArray("//") })
                QVERIFY2(!page->body.contains(external), external.constData());
        }
        QVERIFY(pending.page.body.contains("Agent &lt;b&gt;bold&lt;/b&gt;")); // the name, escaped
        for (const HttpReply *r :
            std::initializer_list<const HttpReply *> { &pending.page, &errorPage, &errorRedirect, &tokens.reply }) {
            QCOMPARE(r->header("referrer-policy"), QByteArray("no-referrer"));
            QVERIFY(!r->body.contains(pkce.challenge));
            for (const auto &[name, value] : r->headers)
                QVERIFY(!value.contains(pkce.challenge));
        }
        QVERIFY(!redirect.location.contains(pkce.challenge));
        QVERIFY(!redirect.location.contains("code_challenge"));
        QCOMPARE(tokens.json.keys(),
            QStringList({ u"access_token"_s, u"expires_in"_s, u"refresh_token"_s, u"scope"_s, u"token_type"_s }));
    }

    // D8 (RFC 8707): the resource must be registered, fragment-free and canonical; omitted means
    // the only resource there is; the token's aud is exactly it.
    void testD8_resourceIndicators_data()
    {
        QTest::addColumn<QString>("resource"); // "<none>": omitted
        QTest::addColumn<bool>("secondResource");
        QTest::addColumn<QString>("error"); // empty: accepted
        QTest::newRow("fragment") << u"http://127.0.0.1:7400/mcp#frag"_s << false << u"invalid_target"_s;
        QTest::newRow("empty fragment") << u"http://127.0.0.1:7400/mcp#"_s << false << u"invalid_target"_s;
        QTest::newRow("not registered") << u"http://127.0.0.1:7400/other"_s << false << u"invalid_target"_s;
        QTest::newRow("other scheme") << u"https://127.0.0.1:7400/mcp"_s << false << u"invalid_target"_s;
        QTest::newRow("sub path") << u"http://127.0.0.1:7400/mcp/admin"_s << false << u"invalid_target"_s;
        QTest::newRow("user info") << u"http://user@127.0.0.1:7400/mcp"_s << false << u"invalid_target"_s;
        QTest::newRow("relative") << u"/mcp"_s << false << u"invalid_target"_s;
        QTest::newRow("empty") << QString() << false << u"invalid_target"_s;
        QTest::newRow("omitted, one resource") << u"<none>"_s << false << QString();
        QTest::newRow("omitted, two resources") << u"<none>"_s << true << u"invalid_target"_s;
        QTest::newRow("exact") << u"http://127.0.0.1:7400/mcp"_s << true << QString();
        QTest::newRow("canonical spelling") << u"HTTP://127.0.0.1:7400/mcp"_s << true << QString();
    }
    void testD8_resourceIndicators()
    {
        QFETCH(QString, resource);
        QFETCH(bool, secondResource);
        QFETCH(QString, error);
        AsFixture &f = *m_f;
        if (secondResource) {
            AS_TRY(other, f.addResource(u"other"_s, u"http://127.0.0.1:7401/other"_s));
            Q_UNUSED(other);
        }
        AS_TRY(client, f.registerClient());
        const Pkce pkce = Pkce::fresh();
        Params q = f.authorizeParams(client, pkce);
        if (resource == u"<none>"_s)
            q.remove(u"resource"_s);
        else
            q.set(u"resource"_s, resource);
        if (!error.isEmpty()) {
            AS_TRY(r, parseRedirect(f.getAuthorize(q)));
            QCOMPARE(r.error(), error);
            QCOMPARE(f.pendingConsents(), 0);
            return;
        }
        AS_TRY(pending, f.begin(q));
        QCOMPARE(f.broker->find(pending.consentId)->resourceUri, f.resource.uri);
        AS_TRY(redirect, f.approve(pending));
        // At /token the resource must be the code's (RFC 8707 §2.2); a failure consumes nothing.
        Params wrong = f.redemption(client, redirect.code(), pkce);
        wrong.set(u"resource"_s, u"http://127.0.0.1:7401/other"_s);
        const HttpReply refused = f.token(client, wrong);
        QCOMPARE(refused.status, 400);
        QCOMPARE(AsFixture::json(refused).value(u"error"_s).toString(), u"invalid_target"_s);
        AS_TRY(tokens, f.redeem(client, redirect.code(), pkce));
        QCOMPARE(AsFixture::jwtClaims(tokens.accessToken).value(u"aud"_s).toString(), f.resource.uri);
    }

    // D9: "*" and unknown scopes are invalid_scope; no scope means the resource's default
    // (read-only); high-risk scopes are flagged; the token carries what was approved, nothing more.
    void testD9_scopeLeastPrivilege_data()
    {
        QTest::addColumn<QString>("scope");
        for (const QString &s : { u"*"_s, u"delete"_s, u"read delete"_s, u"READ"_s, u"read*"_s, u"mcp:*"_s,
                 u"read  write"_s, u" read"_s, u"read\u00e9"_s })
            QTest::addRow("%s", qPrintable(s)) << s;
        QStringList many;
        for (int i = 0; i < 65; ++i)
            many << u"read"_s;
        QTest::newRow("65 tokens") << many.join(u' ');
    }
    void testD9_scopeLeastPrivilege()
    {
        QFETCH(QString, scope);
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        Params q = f.authorizeParams(client, Pkce::fresh());
        q.set(u"scope"_s, scope);
        AS_TRY(r, parseRedirect(f.getAuthorize(q)));
        QCOMPARE(r.error(), u"invalid_scope"_s);
        QCOMPARE(r.value(u"iss"_s), f.issuer());
        QCOMPARE(f.pendingConsents(), 0);
    }

    void testD9_defaultAndPartialConsent()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        // Omitted scope: the resource's default, and only that is shown.
        {
            const Pkce pkce = Pkce::fresh();
            AS_TRY(pending, f.begin(f.authorizeParams(client, pkce)));
            QCOMPARE(f.broker->find(pending.consentId)->scopeNames(), QStringList { u"read"_s });
            AS_TRY(redirect, f.approve(pending, {}, Consent::Duration::Once));
            AS_TRY(tokens, f.redeem(client, redirect.code(), pkce));
            QCOMPARE(tokens.scope, u"read"_s);
        }
        // Partial consent: asked read write admin (write and admin flagged high-risk), approved read.
        AS_TRY(other, f.registerClient());
        const Pkce pkce = Pkce::fresh();
        Params q = f.authorizeParams(other, pkce);
        q.set(u"scope"_s, u"read write admin offline_access"_s);
        AS_TRY(pending, f.begin(q));
        const auto shown = f.broker->find(pending.consentId);
        QVERIFY(shown);
        QCOMPARE(shown->scopeNames(), QStringList({ u"admin"_s, u"read"_s, u"write"_s }));
        for (const Consent::ScopeItem &item : shown->scopes)
            QCOMPARE(item.highRisk, item.name != u"read"_s);
        AS_TRY(redirect, f.approve(pending, { u"read"_s }));
        AS_TRY(tokens, f.redeem(other, redirect.code(), pkce));
        QCOMPARE(tokens.scope, u"read"_s);
        QCOMPARE(AsFixture::jwtClaims(tokens.accessToken).value(u"scope"_s).toString(), u"read"_s);
        QCOMPARE(AsFixture::json(f.introspect(tokens.accessToken)).value(u"scope"_s).toString(), u"read"_s);
        QCOMPARE(f.grantOfAccessToken(tokens.accessToken)->scopes, QStringList { u"read"_s });
        // An approval cannot name more than was asked.
        AS_TRY(third, f.registerClient());
        AS_TRY(p3, f.begin(f.authorizeParams(third, Pkce::fresh())));
        QVERIFY(!f.broker->decide(p3.consentId,
            Consent::Decision::approve({ u"read"_s, u"admin"_s }, Consent::Duration::OneHour, u"desktop"_s)));
    }
};

QTEST_GUILESS_MAIN(TestSecurityAuthorize)
#include "tst_security_authorize.moc"
