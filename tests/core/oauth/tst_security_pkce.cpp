// SPDX-License-Identifier: GPL-3.0-or-later
// security-cases.md group E (PKCE and authorization codes), end to end through the real
// authorization server: /authorize, the consent broker, /token and /introspect.
#include "asfixture.h"

#include "crypto/hash.h"
#include "crypto/pkce.h"
#include "store/authorizationcodestore.h"
#include "store/grantstore.h"

#include <QJsonArray>
#include <QTest>

using namespace Tessera;
using namespace Tessera::Test;
using namespace Qt::Literals::StringLiterals;

namespace { } // namespace

class TestSecurityPkce : public QObject
{
    Q_OBJECT

    std::unique_ptr<AsFixture> m_f;

    [[nodiscard]] qint64 unconsumedCodes()
    {
        return m_f->scalar(QStringLiteral("SELECT count(*) FROM authorization_codes WHERE consumed_at IS NULL"));
    }

private Q_SLOTS:
    void init()
    {
        m_f = std::make_unique<AsFixture>();
        QVERIFY2(m_f->setup(), qPrintable(m_f->setup().ok() ? QString() : m_f->setup().error().toString()));
    }
    void cleanup() { m_f.reset(); }

    // E1 (OAuth 2.1 §4.1.1): no code_challenge -> invalid_request to the client, no prompt.
    void testE1_pkceRequired()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        Params q = f.authorizeParams(client, Pkce::fresh());
        q.remove(QStringLiteral("code_challenge"));
        AS_TRY(redirect, parseRedirect(f.getAuthorize(q)));
        QCOMPARE(redirect.target, client.redirectUri);
        QCOMPARE(redirect.error(), QStringLiteral("invalid_request"));
        QVERIFY(redirect.code().isEmpty());
        QCOMPARE(f.pendingConsents(), 0);

        q.remove(QStringLiteral("code_challenge_method"));
        AS_TRY(bare, parseRedirect(f.getAuthorize(q)));
        QCOMPARE(bare.error(), QStringLiteral("invalid_request"));
        QCOMPARE(f.pendingConsents(), 0);
    }

    // E2: S256 only; "plain", an omitted method (RFC 7636 §4.3 defaults it to plain) and unknown
    // methods are refused before any prompt.
    void testE2_s256Only_data()
    {
        QTest::addColumn<QString>("method"); // "<none>": parameter omitted
        QTest::addColumn<bool>("plainChallenge"); // challenge = verifier, as plain would have it
        QTest::newRow("plain") << u"plain"_s << true;
        QTest::newRow("plain with S256-shaped challenge") << u"plain"_s << false;
        QTest::newRow("omitted (defaults to plain)") << u"<none>"_s << false;
        QTest::newRow("omitted, plain challenge") << u"<none>"_s << true;
        QTest::newRow("S512") << u"S512"_s << false;
        QTest::newRow("lower-case s256") << u"s256"_s << false;
        QTest::newRow("S256 with a space") << u"S256 "_s << false;
        QTest::newRow("empty") << QString() << false;
    }
    void testE2_s256Only()
    {
        QFETCH(QString, method);
        QFETCH(bool, plainChallenge);
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        const Pkce pkce = Pkce::fresh();
        Params q = f.authorizeParams(client, pkce);
        if (plainChallenge)
            q.set(QStringLiteral("code_challenge"), QString::fromLatin1(pkce.verifier));
        if (method == u"<none>"_s)
            q.remove(QStringLiteral("code_challenge_method"));
        else
            q.set(QStringLiteral("code_challenge_method"), method);
        AS_TRY(redirect, parseRedirect(f.getAuthorize(q)));
        QCOMPARE(redirect.error(), QStringLiteral("invalid_request"));
        QCOMPARE(f.pendingConsents(), 0);

        const QJsonObject metadata = AsFixture::json(f.get("/.well-known/oauth-authorization-server"));
        QCOMPARE(metadata.value(QStringLiteral("code_challenge_methods_supported")).toArray(),
            QJsonArray { QStringLiteral("S256") });
    }

    // E3 (RFC 7636 §4.1-4.2): a challenge that is not 43 canonical base64url characters is refused
    // at /authorize ...
    void testE3_challengeFormat_data()
    {
        QTest::addColumn<QString>("challenge");
        const QString good = QString::fromLatin1(Pkce::fresh().challenge);
        QTest::newRow("42 characters") << good.left(42);
        QTest::newRow("44 characters") << good + u'A';
        QTest::newRow("padded") << good + u'=';
        QTest::newRow("standard base64 '+'") << u'+' + good.mid(1);
        QTest::newRow("standard base64 '/'") << u'/' + good.mid(1);
        // 43 characters carry 258 bits; the last character of an encoded 32-byte value has its
        // low two bits zero ("A", "E", ...). "B" is not canonical.
        QTest::newRow("non-canonical last character") << good.left(42) + u'B';
        QTest::newRow("dot (verifier alphabet)") << u'.' + good.mid(1);
        QTest::newRow("128 characters") << QString(128, u'A');
        QTest::newRow("empty") << QString();
    }
    void testE3_challengeFormat()
    {
        QFETCH(QString, challenge);
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        Params q = f.authorizeParams(client, Pkce::fresh());
        q.set(QStringLiteral("code_challenge"), challenge);
        AS_TRY(redirect, parseRedirect(f.getAuthorize(q)));
        QCOMPARE(redirect.error(), QStringLiteral("invalid_request"));
        QCOMPARE(f.pendingConsents(), 0);
    }

    // ... and a verifier outside 43..128 characters of [A-Za-z0-9-._~] is invalid_grant at /token
    // even when its S256 hash is exactly the challenge (the format is checked, not just the hash).
    void testE3_verifierFormat_data()
    {
        QTest::addColumn<QByteArray>("verifier");
        QTest::newRow("42 characters") << QByteArray(42, 'a');
        QTest::newRow("129 characters") << QByteArray(129, 'a');
        QTest::newRow("'+' inside") << QByteArray(42, 'a') + '+';
        QTest::newRow("space inside") << QByteArray(42, 'a') + ' ';
        QTest::newRow("'%' inside") << QByteArray(42, 'a') + '%';
        QTest::newRow("non-ASCII") << QByteArray(42, 'a') + "\xc3\xa9";
    }
    void testE3_verifierFormat()
    {
        QFETCH(QByteArray, verifier);
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        const Pkce pkce { verifier, Crypto::s256Challenge(verifier) };
        QVERIFY(Crypto::isValidS256Challenge(pkce.challenge));
        AS_TRY(redirect, f.authorize(f.authorizeParams(client, pkce)));
        QVERIFY(!redirect.code().isEmpty());
        const HttpReply r = f.token(client, f.redemption(client, redirect.code(), pkce));
        QCOMPARE(r.status, 400);
        QCOMPARE(errorOf(r), QStringLiteral("invalid_grant"));
        QCOMPARE(unconsumedCodes(), 1);
    }

    // E4: wrong or missing code_verifier -> invalid_grant. Documented choice (TokenEndpoint): the
    // bindings (client, redirect_uri, verifier, resource) are checked BEFORE the code is consumed,
    // so a failed redemption does NOT burn the code: the legitimate client, holding the right
    // verifier, can still redeem it afterwards. (An attacker without the verifier gains nothing
    // by trying: every wrong guess is invalid_grant and the code still dies after 60 s.)
    void testE4_wrongOrMissingVerifierDoesNotConsumeCode()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        const Pkce pkce = Pkce::fresh();
        AS_TRY(redirect, f.authorize(f.authorizeParams(client, pkce)));
        const QString code = redirect.code();
        QVERIFY(!code.isEmpty());

        const QList<std::optional<QByteArray>> wrong { Pkce::fresh().verifier, std::nullopt, QByteArray(),
            pkce.challenge, pkce.verifier.left(42) + (pkce.verifier.endsWith('a') ? "b" : "a") };
        for (const std::optional<QByteArray> &verifier : wrong) {
            Params form = f.redemption(client, code, pkce);
            if (verifier)
                form.set(QStringLiteral("code_verifier"), QString::fromLatin1(*verifier));
            else
                form.remove(QStringLiteral("code_verifier"));
            const HttpReply r = f.token(client, form);
            QCOMPARE(r.status, 400);
            QCOMPARE(errorOf(r), QStringLiteral("invalid_grant"));
            QVERIFY(!AsFixture::json(r).contains(QStringLiteral("access_token")));
        }
        QCOMPARE(unconsumedCodes(), 1);
        AS_TRY(tokens, f.redeem(client, code, pkce));
        QVERIFY(f.isActive(tokens.accessToken));
    }

    // E5: a verifier for a code issued without a challenge can never happen, because no path
    // issues such a code: the store refuses it, and /authorize demands S256 even when an active
    // grant would answer at once without a prompt (the shortcut runs after the PKCE checks).
    void testE5_noCodeWithoutChallenge()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(tokens, f.issueTokens(client, QStringLiteral("read")));
        QVERIFY(f.isActive(tokens.accessToken));

        // The covering grant answers at once for a proper request (control) ...
        const Pkce covered = Pkce::fresh();
        Params q = f.authorizeParams(client, covered);
        q.set(QStringLiteral("scope"), QStringLiteral("read"));
        AS_TRY(direct, parseRedirect(f.getAuthorize(q)));
        QVERIFY(!direct.code().isEmpty());

        // ... but never without S256.
        const qint64 codesBefore = f.scalar(QStringLiteral("SELECT count(*) FROM authorization_codes"));
        for (const QString &method : { QStringLiteral("<none>"), QStringLiteral("plain") }) {
            Params bad = f.authorizeParams(client, Pkce::fresh());
            bad.set(QStringLiteral("scope"), QStringLiteral("read"));
            bad.remove(QStringLiteral("code_challenge"));
            if (method == QStringLiteral("<none>"))
                bad.remove(QStringLiteral("code_challenge_method"));
            else
                bad.set(QStringLiteral("code_challenge_method"), method);
            AS_TRY(refused, parseRedirect(f.getAuthorize(bad)));
            QCOMPARE(refused.error(), QStringLiteral("invalid_request"));
            QVERIFY(refused.code().isEmpty());
        }
        QCOMPARE(f.scalar(QStringLiteral("SELECT count(*) FROM authorization_codes")), codesBefore);

        // The schema itself holds only 43-character challenges.
        Store::AuthorizationCode c;
        c.codeHash = Crypto::sha256("downgrade");
        c.grantId = f.grantOfAccessToken(tokens.accessToken)->id;
        c.clientId = client.id;
        c.redirectUri = client.redirectUri;
        c.resource = f.resource.uri;
        c.scopes = { QStringLiteral("read") };
        c.createdAt = f.clock.nowSecs();
        c.expiresAt = c.createdAt + 60;
        QVERIFY(!Store::AuthorizationCodeStore(*f.db).insert(c).ok());
    }

    // E6 (RFC 6749 §4.1.2): a replayed code is invalid_grant, immediately, after 1 s and after
    // 30 s, and everything the first redemption issued dies: the refresh token, the grant and so
    // the access token at introspection.
    void testE6_codeReplayRevokesFirstTokens_data()
    {
        QTest::addColumn<int>("delaySecs");
        QTest::newRow("immediately") << 0;
        QTest::newRow("after 1 s") << 1;
        QTest::newRow("after 30 s") << 30;
    }
    void testE6_codeReplayRevokesFirstTokens()
    {
        QFETCH(int, delaySecs);
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        const Pkce pkce = Pkce::fresh();
        AS_TRY(redirect, f.authorize(f.authorizeParams(client, pkce)));
        AS_TRY(first, f.redeem(client, redirect.code(), pkce));
        QVERIFY(!first.refreshToken.isEmpty());
        QVERIFY(f.isActive(first.accessToken));

        f.clock.advanceSecs(delaySecs);
        const HttpReply replay = f.token(client, f.redemption(client, redirect.code(), pkce));
        QCOMPARE(replay.status, 400);
        QCOMPARE(errorOf(replay), QStringLiteral("invalid_grant"));
        QVERIFY(!AsFixture::json(replay).contains(QStringLiteral("access_token")));

        QVERIFY(!f.isActive(first.accessToken));
        const HttpReply refreshed = f.refreshReply(client, first.refreshToken);
        QCOMPARE(refreshed.status, 400);
        QCOMPARE(errorOf(refreshed), QStringLiteral("invalid_grant"));
        const auto grant = f.grantOfAccessToken(first.accessToken);
        QVERIFY(grant);
        QCOMPARE(grant->state, Store::GrantState::Revoked);
    }

    // E7: a code is bound to its client and its redirect_uri (RFC 6749 §4.1.3). Failed attempts
    // change nothing: the rightful client redeems afterwards.
    void testE7_codeBoundToClientAndRedirectUri()
    {
        AsFixture &f = *m_f;
        AS_TRY(alice, f.registerClient());
        AS_TRY(mallory, f.registerClient());
        const Pkce pkce = Pkce::fresh();
        AS_TRY(redirect, f.authorize(f.authorizeParams(alice, pkce)));
        const QString code = redirect.code();

        const HttpReply stolen = f.token(mallory, f.redemption(mallory, code, pkce));
        QCOMPARE(stolen.status, 400);
        QCOMPARE(errorOf(stolen), QStringLiteral("invalid_grant"));

        for (const QString &other :
            { QStringLiteral("http://127.0.0.1:53683/cb"), QStringLiteral("http://127.0.0.1:53682/cb/"),
                QStringLiteral("http://127.0.0.1/cb"), QStringLiteral("http://localhost:53682/cb") }) {
            Params form = f.redemption(alice, code, pkce);
            form.set(QStringLiteral("redirect_uri"), other);
            const HttpReply r = f.token(alice, form);
            QCOMPARE(r.status, 400);
            QCOMPARE(errorOf(r), QStringLiteral("invalid_grant"));
        }
        // The request carried a port the registration does not: redirect_uri is required.
        Params omitted = f.redemption(alice, code, pkce);
        omitted.remove(QStringLiteral("redirect_uri"));
        const HttpReply r = f.token(alice, omitted);
        QCOMPARE(r.status, 400);
        QCOMPARE(errorOf(r), QStringLiteral("invalid_request"));

        QCOMPARE(unconsumedCodes(), 1);
        AS_TRY(tokens, f.redeem(alice, code, pkce));
        QCOMPARE(AsFixture::jwtClaims(tokens.accessToken).value(QStringLiteral("client_id")).toString(), alice.id);
    }

    // E8: codes live 60 s (the FAPI test value).
    void testE8_codeExpiry()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        const Pkce late = Pkce::fresh();
        AS_TRY(expired, f.authorize(f.authorizeParams(client, late), {}, Consent::Duration::Once));
        const Pkce inTime = Pkce::fresh();
        AS_TRY(fresh, f.authorize(f.authorizeParams(client, inTime), {}, Consent::Duration::Once));

        f.clock.advanceSecs(59);
        AS_TRY(tokens, f.redeem(client, fresh.code(), inTime));
        QVERIFY(!tokens.accessToken.isEmpty());

        f.clock.advanceSecs(2); // 61 s
        const HttpReply r = f.token(client, f.redemption(client, expired.code(), late));
        QCOMPARE(r.status, 400);
        QCOMPARE(errorOf(r), QStringLiteral("invalid_grant"));
    }

    // E9 (RFC 9700 §2.1.1): a challenge that already led to a code is refused (invalid_request),
    // for any client and even where an active grant would answer at once; a reload of a request
    // that is still waiting is the same request (no second prompt).
    void testE9_constantChallengeRefused()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(other, f.registerClient());
        const Pkce pkce = Pkce::fresh();
        Params q = f.authorizeParams(client, pkce);

        AS_TRY(pending, f.begin(q));
        q.set(QStringLiteral("state"), QStringLiteral("reloaded"));
        const HttpReply reload = f.getAuthorize(q);
        QCOMPARE(reload.status, 200);
        QCOMPARE(f.pendingConsents(), 1);
        AS_TRY(first, f.approve(pending));
        QVERIFY(!first.code().isEmpty());

        // The client now holds a grant covering "read": the shortcut still refuses the old challenge.
        q.set(QStringLiteral("state"), QStringLiteral("again"));
        AS_TRY(again, parseRedirect(f.getAuthorize(q)));
        QCOMPARE(again.error(), QStringLiteral("invalid_request"));
        QCOMPARE(again.value(QStringLiteral("state")), QStringLiteral("again"));
        QVERIFY(again.code().isEmpty());

        AS_TRY(elsewhere, parseRedirect(f.getAuthorize(f.authorizeParams(other, pkce))));
        QCOMPARE(elsewhere.error(), QStringLiteral("invalid_request"));
        QCOMPARE(f.pendingConsents(), 0);

        // A fresh challenge works at once (the grant covers it).
        AS_TRY(fresh, parseRedirect(f.getAuthorize(f.authorizeParams(client, Pkce::fresh()))));
        QVERIFY(!fresh.code().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestSecurityPkce)
#include "tst_security_pkce.moc"
