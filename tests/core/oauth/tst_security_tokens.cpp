// SPDX-License-Identifier: GPL-3.0-or-later
// security-cases.md group F (refresh, revocation, introspection, JWT/JWKS) and the freeze switch,
// end to end through the real authorization server.
#include "asfixture.h"

#include "crypto/eckey.h"
#include "crypto/encoding.h"
#include "oauth/introspection.h"
#include "oauth/servercontext.h"
#include "store/grantstore.h"
#include "store/refreshtokenstore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QSet>
#include <QTest>

using namespace Tessera;
using namespace Tessera::Test;
using namespace Qt::Literals::StringLiterals;

namespace {

QByteArray b64(const QByteArray &data)
{
    return Crypto::base64UrlEncode(data);
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// Refresh tokens that are current (not rotated) in a family that is not revoked (and, added
// below, not expired): the ones a client could still use.
constexpr auto kLiveRefreshTokens = "SELECT count(*) FROM refresh_tokens t JOIN refresh_families f ON f.id = "
                                    "t.family_id WHERE t.rotated_at IS NULL AND f.revoked_at IS NULL";

} // namespace

class TestSecurityTokens : public QObject
{
    Q_OBJECT

    std::unique_ptr<AsFixture> m_f;

    [[nodiscard]] qint64 liveRefreshTokens()
    {
        return m_f->scalar(QString::fromLatin1(kLiveRefreshTokens) + u" AND t.expires_at > "_s
            + QString::number(m_f->clock.nowSecs()));
    }
    [[nodiscard]] qint64 refreshTokenRows()
    {
        return m_f->scalar(QStringLiteral("SELECT count(*) FROM refresh_tokens"));
    }
    [[nodiscard]] qint64 auditEvents(const QString &kind, const QString &detailsLike = u"%"_s)
    {
        return m_f->scalar(
            u"SELECT count(*) FROM audit_events WHERE kind = ? AND details LIKE ?"_s, { kind, detailsLike });
    }

private Q_SLOTS:
    void init()
    {
        m_f = std::make_unique<AsFixture>();
        QVERIFY2(m_f->setup(), qPrintable(m_f->setup().ok() ? QString() : m_f->setup().error().toString()));
    }
    void cleanup() { m_f.reset(); }

    // F1 (RFC 9700 §4.14.2): RT1 -> RT2 -> RT3; RT1 again (its successor RT2 was used, so it is
    // retired; past the retry window) is reuse: invalid_grant, and the whole grant dies (RT3 too;
    // its access tokens read inactive).
    void testF1_refreshReuseRevokesGrant()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(t1, f.issueTokens(client));
        AS_TRY(t2, f.refresh(client, t1.refreshToken));
        QVERIFY(!t2.refreshToken.isEmpty());
        QVERIFY(t2.refreshToken != t1.refreshToken);
        QVERIFY(f.isActive(t2.accessToken));
        AS_TRY(t3, f.refresh(client, t2.refreshToken));

        f.clock.advanceMs(OAuth::ServerContext::RefreshRetryWindowMs + 1);
        const HttpReply reuse = f.refreshReply(client, t1.refreshToken);
        QCOMPARE(reuse.status, 400);
        QCOMPARE(errorOf(reuse), QStringLiteral("invalid_grant"));

        const HttpReply successor = f.refreshReply(client, t3.refreshToken);
        QCOMPARE(successor.status, 400);
        QCOMPARE(errorOf(successor), QStringLiteral("invalid_grant"));
        QCOMPARE(f.grantOfAccessToken(t3.accessToken)->state, Store::GrantState::Revoked);
        QVERIFY(!f.isActive(t3.accessToken));
        QVERIFY(!f.isActive(t2.accessToken));
        QVERIFY(!f.isActive(t1.accessToken));
        QCOMPARE(liveRefreshTokens(), 0);
    }

    // F1, the documented retry window (ServerContext::RefreshRetryWindowMs): the same client
    // presenting RT1 again within 2 s gets the identical response, and nothing forks: one live
    // refresh token, no third token minted. Another client gets nothing from the window. Just past
    // it, RT1 (RT2 unused) is a retry through the persisted grace: a new RT2', and RT2 is retired,
    // so presenting RT2 is reuse.
    void testF1_retryWindowIsExactAndDoesNotFork()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(mallory, f.registerClient());
        AS_TRY(t1, f.issueTokens(client));
        AS_TRY(t2, f.refresh(client, t1.refreshToken));
        QCOMPARE(refreshTokenRows(), 2);

        f.clock.advanceMs(OAuth::ServerContext::RefreshRetryWindowMs - 1);
        AS_TRY(retry, f.refresh(client, t1.refreshToken));
        QCOMPARE(retry.reply.body, t2.reply.body);
        QCOMPARE(refreshTokenRows(), 2);
        QCOMPARE(liveRefreshTokens(), 1);

        const HttpReply stranger = f.refreshReply(mallory, t1.refreshToken);
        QCOMPARE(stranger.status, 400);
        QCOMPARE(errorOf(stranger), QStringLiteral("invalid_grant"));
        QCOMPARE(liveRefreshTokens(), 1);

        f.clock.advanceMs(2);
        AS_TRY(fresh, f.refresh(client, t1.refreshToken));
        QVERIFY(fresh.refreshToken != t2.refreshToken);
        QVERIFY(fresh.refreshToken != t1.refreshToken);
        QCOMPARE(refreshTokenRows(), 3);
        QCOMPARE(liveRefreshTokens(), 1);
        const HttpReply reuse = f.refreshReply(client, t2.refreshToken);
        QCOMPARE(reuse.status, 400);
        QCOMPARE(errorOf(reuse), QStringLiteral("invalid_grant"));
        QCOMPARE(liveRefreshTokens(), 0);
        QCOMPARE(f.refreshReply(client, fresh.refreshToken).status, 400);
        QCOMPARE(f.refreshReply(client, t1.refreshToken).status, 400);
    }

    // F1, the window's other edge: the cached answer for RT1 is replayed only while the RT2 it
    // handed out is the family's live token. RT1 -> RT2 -> RT3, then RT1 inside the 2 s is reuse:
    // invalid_grant, family and grant revoked (RT3 and its access token die too).
    void testF1_retryWindowEndsOnceSuccessorIsUsed()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(t1, f.issueTokens(client));
        AS_TRY(t2, f.refresh(client, t1.refreshToken));
        // Before RT2 is used, a retry of RT1 is the same answer, word for word.
        AS_TRY(retry, f.refresh(client, t1.refreshToken));
        QCOMPARE(retry.reply.body, t2.reply.body);
        AS_TRY(t3, f.refresh(client, t2.refreshToken));
        QVERIFY(t3.refreshToken != t2.refreshToken);
        QCOMPARE(liveRefreshTokens(), 1);
        QVERIFY(f.isActive(t3.accessToken));

        f.clock.advanceMs(1); // well inside RefreshRetryWindowMs
        const HttpReply reuse = f.refreshReply(client, t1.refreshToken);
        QCOMPARE(reuse.status, 400);
        QCOMPARE(errorOf(reuse), QStringLiteral("invalid_grant"));
        QVERIFY(!reuse.body.contains("refresh_token\""));
        QCOMPARE(liveRefreshTokens(), 0);
        QCOMPARE(f.scalar(u"SELECT count(*) FROM refresh_families WHERE revoked_at IS NULL"_s), 0);
        QCOMPARE(f.grantOfAccessToken(t3.accessToken)->state, Store::GrantState::Revoked);
        QVERIFY(!f.isActive(t3.accessToken));
        QCOMPARE(errorOf(f.refreshReply(client, t3.refreshToken)), QStringLiteral("invalid_grant"));
        // RT2, the token whose answer RT1 would have replayed, is dead as well.
        QCOMPARE(errorOf(f.refreshReply(client, t2.refreshToken)), QStringLiteral("invalid_grant"));
    }

    // F1 + F5: once the family is revoked (here: RFC 7009 revocation of RT2), the window does not
    // bring it back: RT1 within 2 s is invalid_grant, not the cached RT2 answer.
    void testF1_retryWindowEndsWhenFamilyRevoked()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(t1, f.issueTokens(client));
        AS_TRY(t2, f.refresh(client, t1.refreshToken));
        QCOMPARE(f.revoke(client, t2.refreshToken).status, 200);
        const HttpReply retry = f.refreshReply(client, t1.refreshToken);
        QCOMPARE(retry.status, 400);
        QCOMPARE(errorOf(retry), QStringLiteral("invalid_grant"));
        QVERIFY(retry.body != t2.reply.body);
        QCOMPARE(liveRefreshTokens(), 0);
    }

    // Issue 10.5: an answer lost after its rotation committed. Past the in-memory retry window,
    // the retry with RT1 works through the persisted grace (a fresh RT2', audited as a retry),
    // RT2' works, and then RT1, whose successor was used, is reuse: family and grant revoked.
    void testI10_lostAnswerRetryWorksThenPredecessorIsReuse()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(t1, f.issueTokens(client));
        const Status lost = f.refreshAnswerLost(client, t1.refreshToken);
        QVERIFY2(lost, qPrintable(lost ? QString() : lost.error().toString()));
        QCOMPARE(refreshTokenRows(), 2);
        f.clock.advanceSecs(30); // a client that timed out and tries again later

        AS_TRY(t2, f.refresh(client, t1.refreshToken));
        QVERIFY(t2.refreshToken != t1.refreshToken);
        QVERIFY(f.isActive(t2.accessToken));
        QCOMPARE(refreshTokenRows(), 3);
        QCOMPARE(liveRefreshTokens(), 1);
        QCOMPARE(auditEvents(u"token.refreshed"_s, u"%\"retry\":true%"_s), 1);
        QCOMPARE(auditEvents(u"refresh.reuse_detected"_s), 0);

        f.clock.advanceSecs(30);
        AS_TRY(t3, f.refresh(client, t2.refreshToken));
        QVERIFY(f.isActive(t3.accessToken));
        QCOMPARE(auditEvents(u"token.refreshed"_s, u"%\"retry\":true%"_s), 1);

        f.clock.advanceSecs(30);
        const HttpReply reuse = f.refreshReply(client, t1.refreshToken);
        QCOMPARE(reuse.status, 400);
        QCOMPARE(errorOf(reuse), QStringLiteral("invalid_grant"));
        QCOMPARE(auditEvents(u"refresh.reuse_detected"_s), 1);
        QCOMPARE(f.grantOfAccessToken(t3.accessToken)->state, Store::GrantState::Revoked);
        QVERIFY(!f.isActive(t3.accessToken));
        QCOMPARE(errorOf(f.refreshReply(client, t3.refreshToken)), QStringLiteral("invalid_grant"));
        QCOMPARE(liveRefreshTokens(), 0);
    }

    // Issue 10.5: two lost answers, then the third retry. Using the lost answers' access tokens
    // does not end the grace (only a refresh with the successor does); only the last successor
    // is alive, and a successor retired by a retry is reuse.
    void testI10_retryTwiceOnlyLastSuccessorAlive()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(t1, f.issueTokens(client));
        AS_TRY(lost1, f.refresh(client, t1.refreshToken)); // answered, but the client never saw it
        QVERIFY(f.isActive(lost1.accessToken));
        f.clock.advanceMs(OAuth::ServerContext::RefreshRetryWindowMs + 1);
        AS_TRY(lost2, f.refresh(client, t1.refreshToken));
        QVERIFY(lost2.refreshToken != lost1.refreshToken);
        QVERIFY(f.isActive(lost2.accessToken));
        f.clock.advanceMs(OAuth::ServerContext::RefreshRetryWindowMs + 1);
        AS_TRY(last, f.refresh(client, t1.refreshToken));
        QVERIFY(last.refreshToken != lost2.refreshToken && last.refreshToken != lost1.refreshToken);

        QCOMPARE(refreshTokenRows(), 4);
        QCOMPARE(liveRefreshTokens(), 1);
        QCOMPARE(m_f->scalar(u"SELECT count(*) FROM refresh_tokens WHERE retired_at IS NOT NULL"_s), 2);
        QCOMPARE(
            m_f->scalar(u"SELECT count(*) FROM refresh_tokens WHERE rotated_at IS NOT NULL AND retired_at IS NULL"_s),
            1); // RT1, in grace

        const HttpReply reuse = f.refreshReply(client, lost1.refreshToken);
        QCOMPARE(reuse.status, 400);
        QCOMPARE(errorOf(reuse), QStringLiteral("invalid_grant"));
        QCOMPARE(auditEvents(u"refresh.reuse_detected"_s), 1);
        QCOMPARE(liveRefreshTokens(), 0);
        QCOMPARE(errorOf(f.refreshReply(client, last.refreshToken)), QStringLiteral("invalid_grant"));
        QCOMPARE(errorOf(f.refreshReply(client, t1.refreshToken)), QStringLiteral("invalid_grant"));
        QVERIFY(!f.isActive(last.accessToken));
    }

    // Issue 10.5: Tessera restarts (database re-opened, new server: the in-memory retry answers
    // are gone) between the lost answer and the retry. The retry gets through at once; after
    // another restart RT1, whose successor was used meanwhile, is still reuse.
    void testI10_restartBetweenLostAnswerAndRetry()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(t1, f.issueTokens(client));
        const Status lost = f.refreshAnswerLost(client, t1.refreshToken);
        QVERIFY2(lost, qPrintable(lost ? QString() : lost.error().toString()));
        const Status restarted = f.restart();
        QVERIFY2(restarted, qPrintable(restarted ? QString() : restarted.error().toString()));

        AS_TRY(t2, f.refresh(client, t1.refreshToken)); // well inside the 2 s, but nothing cached
        QVERIFY(f.isActive(t2.accessToken));
        QCOMPARE(refreshTokenRows(), 3);
        QCOMPARE(liveRefreshTokens(), 1);
        AS_TRY(t3, f.refresh(client, t2.refreshToken));

        const Status again = f.restart();
        QVERIFY2(again, qPrintable(again ? QString() : again.error().toString()));
        QCOMPARE(errorOf(f.refreshReply(client, t1.refreshToken)), QStringLiteral("invalid_grant"));
        QCOMPARE(f.grantOfAccessToken(t3.accessToken)->state, Store::GrantState::Revoked);
        QCOMPARE(liveRefreshTokens(), 0);
    }

    // Issue 10.5: the grace is bounded (RefreshTokenStore::GraceSecs, 24 h from the first
    // rotation, retries do not extend it): just inside, a retry works; at the limit, the
    // predecessor is reuse even though its successor was never used.
    void testI10_graceEndsAfterGraceSecs()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(t1, f.issueTokens(client, u"read"_s, Consent::Duration::UntilRevoked));
        const Status lost = f.refreshAnswerLost(client, t1.refreshToken);
        QVERIFY2(lost, qPrintable(lost ? QString() : lost.error().toString()));
        f.clock.advanceSecs(Store::RefreshTokenStore::GraceSecs - 1);
        AS_TRY(t2, f.refresh(client, t1.refreshToken));
        QVERIFY(f.isActive(t2.accessToken));
        f.clock.advanceSecs(1);
        const HttpReply late = f.refreshReply(client, t1.refreshToken);
        QCOMPARE(late.status, 400);
        QCOMPARE(errorOf(late), QStringLiteral("invalid_grant"));
        QCOMPARE(auditEvents(u"refresh.reuse_detected"_s), 1);
        QCOMPARE(errorOf(f.refreshReply(client, t2.refreshToken)), QStringLiteral("invalid_grant"));
        QCOMPARE(liveRefreshTokens(), 0);
    }

    // F2: refreshes of one token in flight at once on separate connections: all get the same
    // answer (or fail); never two different live successors.
    void testF2_concurrentRefreshDoesNotFork()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(t1, f.issueTokens(client));
        Params form { { u"grant_type"_s, u"refresh_token"_s }, { u"refresh_token"_s, t1.refreshToken },
            { u"client_id"_s, client.id } };
        const QByteArray request = postRequest("/token", f.port(), "application/x-www-form-urlencoded", form.encoded());

        std::vector<std::unique_ptr<RawClient>> racers;
        for (int i = 0; i < 4; ++i) {
            racers.push_back(std::make_unique<RawClient>());
            QVERIFY(racers.back()->connectTo(f.port()));
        }
        for (auto &racer : racers)
            racer->send(request);
        QSet<QString> successors;
        for (auto &racer : racers) {
            const std::optional<HttpReply> reply = racer->readReply();
            QVERIFY(reply);
            if (reply->status == 200)
                successors.insert(AsFixture::json(*reply).value(u"refresh_token"_s).toString());
            else
                QCOMPARE(errorOf(*reply), QStringLiteral("invalid_grant"));
        }
        QCOMPARE(successors.size(), 1);
        QCOMPARE(liveRefreshTokens(), 1);
        QCOMPARE(refreshTokenRows(), 2);
        AS_TRY(next, f.refresh(client, *successors.begin()));
        QVERIFY(f.isActive(next.accessToken));
    }

    // F3 (RFC 6749 §6): another client presenting the refresh token gets invalid_grant, whatever
    // else it adds (scope, resource), and learns nothing; the rightful client is unaffected.
    void testF3_refreshBoundToClient()
    {
        AsFixture &f = *m_f;
        AS_TRY(alice, f.registerClient());
        AS_TRY(mallory, f.registerClient());
        AS_TRY(confidential,
            f.registerClient(QJsonObject { { u"token_endpoint_auth_method"_s, u"client_secret_basic"_s } }));
        QVERIFY(!confidential.secret.isEmpty());
        AS_TRY(t1, f.issueTokens(alice));

        const QList<Params> attempts { Params {}, Params { { u"scope"_s, u"read"_s } },
            Params { { u"scope"_s, u"admin"_s } }, Params { { u"scope"_s, u"read write admin"_s } },
            Params { { u"resource"_s, u"http://127.0.0.1:9/elsewhere"_s } } };
        for (const TestClient &thief : { mallory, confidential }) {
            for (const Params &extra : attempts) {
                const HttpReply r = f.refreshReply(thief, t1.refreshToken, extra);
                QCOMPARE(r.status, 400);
                QCOMPARE(errorOf(r), QStringLiteral("invalid_grant"));
                // Word for word what an unknown token gets: no oracle.
                QCOMPARE(r.body, f.refreshReply(thief, u"unknown-token"_s, extra).body);
            }
        }
        QCOMPARE(liveRefreshTokens(), 1);
        AS_TRY(t2, f.refresh(alice, t1.refreshToken));
        QVERIFY(f.isActive(t2.accessToken));
    }

    // F4: a refresh may narrow the scope, never widen it or change the resource. A failed refresh
    // rotates nothing, and the family keeps the granted scope for later refreshes.
    void testF4_noEscalationOnRefresh()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(other, f.addResource(u"other"_s, u"http://127.0.0.1:7401/other"_s));
        AS_TRY(t1, f.issueTokens(client, u"read write"_s));
        QCOMPARE(t1.scope, u"read write"_s);

        for (const QString &scope : { u"read write admin"_s, u"admin"_s, u"delete"_s, u"*"_s }) {
            const HttpReply r = f.refreshReply(client, t1.refreshToken, Params { { u"scope"_s, scope } });
            QCOMPARE(r.status, 400);
            QCOMPARE(errorOf(r), QStringLiteral("invalid_scope"));
        }
        for (const QString &resource :
            { other.uri, u"http://127.0.0.1:7400/mcp#frag"_s, u"not a uri"_s, u"http://127.0.0.1:7400/mcp/admin"_s }) {
            const HttpReply r = f.refreshReply(client, t1.refreshToken, Params { { u"resource"_s, resource } });
            QCOMPARE(r.status, 400);
            QCOMPARE(errorOf(r), QStringLiteral("invalid_target"));
        }
        QCOMPARE(refreshTokenRows(), 1);

        AS_TRY(narrow, f.refresh(client, t1.refreshToken, Params { { u"scope"_s, u"read"_s } }));
        QCOMPARE(narrow.scope, u"read"_s);
        QCOMPARE(AsFixture::jwtClaims(narrow.accessToken).value(u"scope"_s).toString(), u"read"_s);
        QCOMPARE(AsFixture::json(f.introspect(narrow.accessToken)).value(u"scope"_s).toString(), u"read"_s);
        // The same resource spelled differently is the same resource (RFC 8707 canonical form).
        f.clock.advanceSecs(3);
        AS_TRY(
            wide, f.refresh(client, narrow.refreshToken, Params { { u"resource"_s, u"HTTP://127.0.0.1:7400/mcp"_s } }));
        QCOMPARE(wide.scope, u"read write"_s);
        QCOMPARE(AsFixture::jwtClaims(wide.accessToken).value(u"aud"_s).toString(), f.resource.uri);
    }

    // F5 (RFC 7009), the five cases.
    void testF5_revokingRefreshTokenRevokesGrant()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(t, f.issueTokens(client));
        const HttpReply r = f.revoke(client, t.refreshToken, u"refresh_token"_s);
        QCOMPARE(r.status, 200);
        QCOMPARE(f.refreshReply(client, t.refreshToken).status, 400);
        QVERIFY(!f.isActive(t.accessToken));
        QCOMPARE(f.grantOfAccessToken(t.accessToken)->state, Store::GrantState::Revoked);
    }
    void testF5_revokingAccessTokenKeepsRefreshToken()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(t, f.issueTokens(client));
        // token_type_hint is only a hint: a wrong one changes nothing.
        QCOMPARE(f.revoke(client, t.accessToken, u"refresh_token"_s).status, 200);
        QVERIFY(!f.isActive(t.accessToken));
        AS_TRY(next, f.refresh(client, t.refreshToken));
        QVERIFY(f.isActive(next.accessToken));
        QVERIFY(!f.isActive(t.accessToken));
    }
    void testF5_unknownTokenIs200()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(t, f.issueTokens(client));
        const QString forged = t.accessToken.left(t.accessToken.lastIndexOf(u'.') + 1) + u"AAAA"_s;
        for (const QString &garbage :
            { u"x"_s, u"not-a-token-at-all"_s, QString(4000, u'a'), forged, u"eyJhbGciOiJub25lIn0.e30."_s }) {
            const HttpReply r = f.revoke(client, garbage);
            QCOMPARE(r.status, 200);
            QVERIFY(r.body.isEmpty());
        }
        QVERIFY(f.isActive(t.accessToken));
    }
    void testF5_otherClientCannotRevoke()
    {
        AsFixture &f = *m_f;
        AS_TRY(alice, f.registerClient());
        AS_TRY(mallory, f.registerClient());
        AS_TRY(t, f.issueTokens(alice));
        // 200 (RFC 7009 §2.2 tells a prober nothing) and no effect.
        QCOMPARE(f.revoke(mallory, t.refreshToken).status, 200);
        QCOMPARE(f.revoke(mallory, t.accessToken).status, 200);
        QVERIFY(f.isActive(t.accessToken));
        AS_TRY(next, f.refresh(alice, t.refreshToken));
        QVERIFY(f.isActive(next.accessToken));
    }
    void testF5_mismatchedClientAuthenticationRejected()
    {
        AsFixture &f = *m_f;
        AS_TRY(confidential,
            f.registerClient(QJsonObject { { u"token_endpoint_auth_method"_s, u"client_secret_basic"_s } }));
        AS_TRY(pub, f.registerClient());
        AS_TRY(t, f.issueTokens(confidential));
        AS_TRY(p, f.issueTokens(pub));

        TestClient asPublic = confidential; // client_id only, no secret
        asPublic.authMethod = u"none"_s;
        TestClient asPost = confidential; // the secret in the body instead of Basic
        asPost.authMethod = u"client_secret_post"_s;
        TestClient wrongSecret = confidential;
        wrongSecret.secret = u"guess"_s;
        TestClient publicWithSecret = pub;
        publicWithSecret.authMethod = u"client_secret_post"_s;
        publicWithSecret.secret = u"made-up"_s;
        for (const TestClient &c : { asPublic, asPost, wrongSecret }) {
            const HttpReply r = f.revoke(c, t.refreshToken);
            QCOMPARE(r.status, 401);
            QCOMPARE(errorOf(r), QStringLiteral("invalid_client"));
        }
        const HttpReply r = f.revoke(publicWithSecret, p.refreshToken);
        QVERIFY2(r.status == 401 || r.status == 400, r.statusLine.constData());
        QVERIFY(errorOf(r) == u"invalid_client"_s || errorOf(r) == u"invalid_request"_s);
        QVERIFY(f.isActive(t.accessToken));
        QVERIFY(f.isActive(p.accessToken));
        AS_TRY(next, f.refresh(confidential, t.refreshToken));
        QVERIFY(f.isActive(next.accessToken));
    }

    // F6 (RFC 7662 §2.1, §4): callers authenticate; every inactive answer is exactly
    // {"active":false}; guessing is rate-limited.
    void testF6_introspectionRequiresResourceCredentials()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(t, f.issueTokens(client));
        AS_TRY(noSecret, f.addResource(u"nosecret"_s, u"http://127.0.0.1:7402/n"_s));
        Q_UNUSED(noSecret);
        const Params form { { u"token"_s, t.accessToken } };
        const QList<QByteArray> headers { QByteArray(),
            "Authorization: Basic " + QByteArray("mcp:wrong").toBase64() + "\r\n",
            "Authorization: Basic " + QByteArray("nobody:" + QByteArray(AsFixture::IntrospectionSecret)).toBase64()
                + "\r\n",
            "Authorization: Basic " + QByteArray("nosecret:").toBase64() + "\r\n",
            "Authorization: Bearer " + t.accessToken.toLatin1() + "\r\n",
            "Authorization: Basic " + QByteArray("mcp").toBase64() + "\r\n" };
        for (const QByteArray &h : headers) {
            const HttpReply r = f.postForm("/introspect", form, h);
            QCOMPARE(r.status, 401);
            QVERIFY(r.header("www-authenticate").startsWith("Basic"));
            QVERIFY(!r.body.contains("active"));
        }
        // Two Authorization headers are not a credential either.
        const HttpReply twice = f.postForm("/introspect", form,
            "Authorization: Basic " + QByteArray("mcp:" + QByteArray(AsFixture::IntrospectionSecret)).toBase64()
                + "\r\nAuthorization: Basic " + QByteArray("mcp:wrong").toBase64() + "\r\n");
        QCOMPARE(twice.status, 401);
        QVERIFY(f.isActive(t.accessToken));
    }

    void testF6_inactiveIsExactlyActiveFalse()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(other, f.addResource(u"other"_s, u"http://127.0.0.1:7401/other"_s, { u"read"_s }, 300, "other-secret"));
        AS_TRY(t, f.issueTokens(client));
        AS_TRY(revokedLater, f.issueTokens(client));

        const HttpReply active = f.introspect(t.accessToken);
        QCOMPARE(active.status, 200);
        const QJsonObject a = AsFixture::json(active);
        QCOMPARE(a.value(u"active"_s).toBool(), true);
        QCOMPARE(a.value(u"client_id"_s).toString(), client.id);
        QCOMPARE(a.value(u"aud"_s).toString(), f.resource.uri);
        QCOMPARE(a.value(u"iss"_s).toString(), f.issuer());
        QVERIFY(a.contains(u"exp"_s));
        QCOMPARE(active.header("cache-control"), QByteArray("no-store"));

        const auto expectInactive
            = [&](const HttpReply &r) { return r.status == 200 && r.body == QByteArray("{\"active\":false}"); };
        // Another resource's caller may not read this resource's tokens.
        QVERIFY(expectInactive(f.introspect(t.accessToken, other.name, "other-secret")));
        // Garbage.
        QVERIFY(expectInactive(f.introspect(u"garbage"_s)));
        // Revoked access token.
        QCOMPARE(f.revoke(client, revokedLater.accessToken).status, 200);
        QVERIFY(expectInactive(f.introspect(revokedLater.accessToken)));
        // Revoked grant.
        QVERIFY(f.isActive(t.accessToken));
        QCOMPARE(f.revoke(client, t.refreshToken).status, 200);
        QVERIFY(expectInactive(f.introspect(t.accessToken)));
        // Expired.
        AS_TRY(fresh, f.issueTokens(client, u"read"_s));
        QVERIFY(f.isActive(fresh.accessToken));
        f.clock.advanceSecs(fresh.expiresIn);
        QVERIFY(expectInactive(f.introspect(fresh.accessToken)));
    }

    void testF6_scanningIsRateLimited()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(t, f.issueTokens(client));
        const auto probe = [&f](const QString &token) { return f.introspect(token); };
        for (int i = 0; i < OAuth::IntrospectionEndpoint::MaxInactivePerMinute; ++i) {
            const HttpReply r = probe(u"guess-%1"_s.arg(i));
            QCOMPARE(r.status, 200);
            if (i == 0) // active answers are not counted
                QVERIFY(AsFixture::json(probe(t.accessToken)).value(u"active"_s).toBool());
        }
        const HttpReply limited = probe(u"one-more"_s);
        QCOMPARE(limited.status, 429);
        QVERIFY(limited.header("retry-after").toInt() > 0);
        QCOMPARE(probe(t.accessToken).status, 429); // no oracle while blocked
        f.clock.advanceSecs(61);
        QVERIFY(AsFixture::json(probe(t.accessToken)).value(u"active"_s).toBool());
    }

    // F7 (RFC 8725, RFC 9068 §4): tokens that are not exactly ours are inactive at /introspect.
    // Each row forges from a real token; the control row proves the forging harness itself works.
    void testF7_jwtValidationAttacks_data()
    {
        QTest::addColumn<QString>("attack");
        QTest::addColumn<bool>("active");
        QTest::newRow("control: re-signed as issued") << u"control"_s << true;
        for (const QString &a : { u"alg none"_s, u"alg none with signature"_s, u"alg NONE"_s, u"HS256 keyed with JWK"_s,
                 u"HS256 keyed with point"_s, u"ES384 label"_s, u"kid unknown"_s, u"kid path"_s, u"kid sql"_s,
                 u"kid missing"_s, u"jku header"_s, u"x5u header"_s, u"embedded jwk"_s, u"crit header"_s,
                 u"other key, our kid"_s, u"typ JWT"_s, u"typ missing"_s, u"iss other"_s, u"iss trailing slash"_s,
                 u"aud other resource"_s, u"aud array of other"_s, u"exp past"_s, u"exp missing"_s, u"exp string"_s,
                 u"nbf future"_s, u"iat future"_s, u"duplicate aud claim"_s, u"duplicate exp claim"_s,
                 u"trailing data"_s, u"trailing object"_s, u"id token shaped"_s, u"client_id missing"_s,
                 u"jti missing"_s, u"signature flipped"_s, u"signature truncated"_s, u"four parts"_s })
            QTest::newRow(qPrintable(a)) << a << false;
    }
    void testF7_jwtValidationAttacks()
    {
        QFETCH(QString, attack);
        QFETCH(bool, active);
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(other, f.addResource(u"other"_s, u"http://127.0.0.1:7401/other"_s));
        AS_TRY(t, f.issueTokens(client));
        QJsonObject header = AsFixture::jwtHeader(t.accessToken);
        QJsonObject claims = AsFixture::jwtClaims(t.accessToken);
        const Crypto::SigningKey &key = *f.keys->activeKey();
        QCOMPARE(header.value(u"kid"_s).toString(), key.kid());
        const qint64 now = f.clock.nowSecs();
        std::optional<Crypto::SigningKey> attackerKey;
        QByteArray payload;
        enum class Sig
        {
            Es256,
            None,
            Hs256Jwk,
            Hs256Point,
            Attacker
        } sig
            = Sig::Es256;

        if (attack == u"alg none"_s || attack == u"alg none with signature"_s || attack == u"alg NONE"_s) {
            header.insert(u"alg"_s, attack == u"alg NONE"_s ? u"NONE"_s : u"none"_s);
            sig = attack == u"alg none"_s ? Sig::None : Sig::Es256;
        } else if (attack == u"HS256 keyed with JWK"_s || attack == u"HS256 keyed with point"_s) {
            header.insert(u"alg"_s, u"HS256"_s);
            sig = attack == u"HS256 keyed with JWK"_s ? Sig::Hs256Jwk : Sig::Hs256Point;
        } else if (attack == u"ES384 label"_s) {
            header.insert(u"alg"_s, u"ES384"_s);
        } else if (attack == u"kid unknown"_s) {
            header.insert(u"kid"_s, u"no-such-kid"_s);
        } else if (attack == u"kid path"_s) {
            header.insert(u"kid"_s, u"../../../../../dev/null"_s);
        } else if (attack == u"kid sql"_s) {
            header.insert(u"kid"_s, u"' OR '1'='1"_s);
        } else if (attack == u"kid missing"_s) {
            header.remove(u"kid"_s);
        } else if (attack == u"jku header"_s) {
            header.insert(u"jku"_s, u"https://evil.example/jwks.json"_s);
        } else if (attack == u"x5u header"_s) {
            header.insert(u"x5u"_s, u"https://evil.example/cert.pem"_s);
        } else if (attack == u"embedded jwk"_s || attack == u"other key, our kid"_s) {
            auto generated = Crypto::SigningKey::generate();
            QVERIFY(generated);
            attackerKey.emplace(std::move(*generated));
            if (attack == u"embedded jwk"_s) {
                header.insert(u"jwk"_s, attackerKey->publicJwk());
                header.insert(u"kid"_s, attackerKey->kid());
            }
            sig = Sig::Attacker;
        } else if (attack == u"crit header"_s) {
            header.insert(u"crit"_s, QJsonArray { u"exp"_s });
        } else if (attack == u"typ JWT"_s) {
            header.insert(u"typ"_s, u"JWT"_s);
        } else if (attack == u"typ missing"_s) {
            header.remove(u"typ"_s);
        } else if (attack == u"iss other"_s) {
            claims.insert(u"iss"_s, u"http://127.0.0.1:1"_s);
        } else if (attack == u"iss trailing slash"_s) {
            claims.insert(u"iss"_s, QString(f.issuer() + u'/'));
        } else if (attack == u"aud other resource"_s) {
            claims.insert(u"aud"_s, other.uri);
        } else if (attack == u"aud array of other"_s) {
            claims.insert(u"aud"_s, QJsonArray { other.uri });
        } else if (attack == u"exp past"_s) {
            claims.insert(u"exp"_s, now - 1);
        } else if (attack == u"exp missing"_s) {
            claims.remove(u"exp"_s);
        } else if (attack == u"exp string"_s) {
            claims.insert(u"exp"_s, QString::number(now + 300));
        } else if (attack == u"nbf future"_s) {
            claims.insert(u"nbf"_s, now + 60);
        } else if (attack == u"iat future"_s) {
            claims.insert(u"iat"_s, now + 60);
        } else if (attack == u"duplicate aud claim"_s) {
            // The first spelling is right; a parser that keeps the last would read another audience,
            // one that keeps the first would accept: either way the token is not I-JSON.
            payload = compact(claims);
            payload.chop(1);
            payload += ",\"aud\":\"" + other.uri.toUtf8() + "\"}";
        } else if (attack == u"duplicate exp claim"_s) {
            payload = compact(claims);
            payload.chop(1);
            payload += ",\"exp\":" + QByteArray::number(now + 100000) + "}";
        } else if (attack == u"trailing data"_s) {
            payload = compact(claims) + "x";
        } else if (attack == u"trailing object"_s) {
            payload = compact(claims) + "{}";
        } else if (attack == u"id token shaped"_s) {
            header.insert(u"typ"_s, u"JWT"_s);
            claims = QJsonObject { { u"iss"_s, f.issuer() }, { u"sub"_s, claims.value(u"sub"_s) },
                { u"aud"_s, client.id }, { u"nonce"_s, u"n-0S6_WzA2Mj"_s }, { u"auth_time"_s, now }, { u"iat"_s, now },
                { u"exp"_s, now + 300 } };
        } else if (attack == u"client_id missing"_s) {
            claims.remove(u"client_id"_s);
        } else if (attack == u"jti missing"_s) {
            claims.remove(u"jti"_s);
        }

        if (payload.isEmpty())
            payload = compact(claims);
        const QByteArray signingInput = b64(compact(header)) + '.' + b64(payload);
        QByteArray token;
        switch (sig) {
        case Sig::None:
            token = signingInput + '.';
            break;
        case Sig::Hs256Jwk:
            token = signingInput + '.'
                + b64(QMessageAuthenticationCode::hash(
                    signingInput, compact(key.publicJwk()), QCryptographicHash::Sha256));
            break;
        case Sig::Hs256Point: {
            const QByteArray point = "\x04"
                + Crypto::base64UrlDecode(key.publicJwk().value(u"x"_s).toString().toLatin1()).valueOr(QByteArray())
                + Crypto::base64UrlDecode(key.publicJwk().value(u"y"_s).toString().toLatin1()).valueOr(QByteArray());
            token = signingInput + '.'
                + b64(QMessageAuthenticationCode::hash(signingInput, point, QCryptographicHash::Sha256));
            break;
        }
        case Sig::Es256:
        case Sig::Attacker: {
            auto s = (sig == Sig::Attacker ? *attackerKey : key).signEs256(signingInput);
            QVERIFY(s);
            token = signingInput + '.' + b64(*s);
            break;
        }
        }
        if (attack == u"signature flipped"_s)
            token[token.size() - 3] = token.at(token.size() - 3) == 'A' ? 'B' : 'A';
        else if (attack == u"signature truncated"_s)
            token.chop(4);
        else if (attack == u"four parts"_s)
            token += ".e30";

        const HttpReply r = f.introspect(QString::fromLatin1(token));
        QCOMPARE(r.status, 200);
        if (active) {
            QVERIFY(AsFixture::json(r).value(u"active"_s).toBool());
        } else {
            QCOMPARE(r.body, QByteArray("{\"active\":false}"));
        }
        // The genuine token stays good either way.
        QVERIFY(f.isActive(t.accessToken));
    }

    // F8: the JWKS holds public members only, unique kids with alg and use; after rotation the old
    // key stays published, its tokens stay active until they expire, and the key leaves the JWKS
    // only after the longest token lifetime. Emergency revoke-all (GrantService::revokeAll plus a
    // rotation) kills every refresh token and access token.
    void testF8_jwksHygieneAndRotation()
    {
        AsFixture &f = *m_f;
        const auto jwksKids = [&f]() {
            QStringList kids;
            const HttpReply r = f.get("/jwks");
            for (const QJsonValue &v : AsFixture::json(r).value(u"keys"_s).toArray()) {
                const QJsonObject k = v.toObject();
                for (const QString &priv : { u"d"_s, u"p"_s, u"q"_s, u"dp"_s, u"dq"_s, u"qi"_s, u"k"_s, u"oth"_s })
                    if (k.contains(priv))
                        return QStringList { u"PRIVATE MEMBER "_s + priv };
                for (const QString &member : k.keys())
                    if (!QStringList { u"kty"_s, u"crv"_s, u"x"_s, u"y"_s, u"kid"_s, u"alg"_s, u"use"_s }.contains(
                            member))
                        return QStringList { u"UNEXPECTED MEMBER "_s + member };
                if (k.value(u"alg"_s) != u"ES256"_s || k.value(u"use"_s) != u"sig"_s || k.value(u"kty"_s) != u"EC"_s)
                    return QStringList { u"BAD alg/use/kty"_s };
                kids << k.value(u"kid"_s).toString();
            }
            return kids;
        };
        const HttpReply jwks = f.get("/jwks");
        QCOMPARE(jwks.status, 200);
        QVERIFY(jwks.header("content-type").startsWith("application/json"));
        const QString kid1 = f.keys->activeKid();
        QCOMPARE(jwksKids(), QStringList { kid1 });

        AS_TRY(client, f.registerClient());
        AS_TRY(old, f.issueTokens(client));
        QCOMPARE(AsFixture::jwtHeader(old.accessToken).value(u"kid"_s).toString(), kid1);

        QVERIFY(f.rotateKey());
        const QString kid2 = f.keys->activeKid();
        QVERIFY(kid2 != kid1);
        QStringList kids = jwksKids();
        kids.sort();
        QStringList expected { kid1, kid2 };
        expected.sort();
        QCOMPARE(kids, expected);
        QCOMPARE(QSet<QString>(kids.begin(), kids.end()).size(), 2);
        QVERIFY(f.isActive(old.accessToken));
        AS_TRY(fresh, f.refresh(client, old.refreshToken));
        QCOMPARE(AsFixture::jwtHeader(fresh.accessToken).value(u"kid"_s).toString(), kid2);

        f.clock.advanceSecs(old.expiresIn);
        QVERIFY(!f.isActive(old.accessToken));
        QVERIFY(jwksKids().contains(kid1)); // still published for tokens that may live longer
        f.clock.advanceSecs(OAuth::KeyManager::MaxTokenLifetimeSecs);
        f.server->maintain();
        QCOMPARE(jwksKids(), QStringList { kid2 });

        // Emergency: revoke everything and rotate.
        AS_TRY(a, f.issueTokens(client));
        AS_TRY(other, f.registerClient());
        AS_TRY(b, f.issueTokens(other));
        AS_TRY(revoked, f.server->grants().revokeAll(u"emergency"_s, u"operator"_s));
        QVERIFY(revoked >= 2);
        QVERIFY(f.rotateKey());
        QCOMPARE(liveRefreshTokens(), 0);
        for (const Tokens *t : { &a, &b }) {
            QVERIFY(!f.isActive(t->accessToken));
            QCOMPARE(f.refreshReply(t == &a ? client : other, t->refreshToken).status, 400);
        }
    }

    // F9 (RFC 6749 §5.1, RFC 9068 §2.2): token responses are JSON, not cacheable, short-lived and
    // carry every required claim.
    void testF9_tokenResponseHygiene()
    {
        AsFixture &f = *m_f;
        AS_TRY(shortLived, f.addResource(u"short"_s, u"http://127.0.0.1:7403/s"_s, { u"read"_s }, 120));
        AS_TRY(longLived, f.addResource(u"long"_s, u"http://127.0.0.1:7404/l"_s, { u"read"_s }, 86400));
        AS_TRY(client, f.registerClient());

        const auto checkHeaders = [](const HttpReply &r) {
            return r.header("content-type").startsWith("application/json") && r.header("cache-control") == "no-store"
                && r.header("pragma") == "no-cache";
        };
        for (const Store::Resource *res : { &f.resource, &shortLived, &longLived }) {
            const Pkce pkce = Pkce::fresh();
            Params q = f.authorizeParams(client, pkce);
            q.set(u"resource"_s, res->uri);
            AS_TRY(redirect, f.authorize(q));
            AS_TRY(t, f.redeem(client, redirect.code(), pkce));
            AS_TRY(r, f.refresh(client, t.refreshToken));
            for (const Tokens *tokens : { &t, &r }) {
                QVERIFY(checkHeaders(tokens->reply));
                QCOMPARE(tokens->json.value(u"token_type"_s).toString(), u"Bearer"_s);
                const qint64 lifetime = qMin(res->tokenLifetimeSecs, OAuth::KeyManager::MaxTokenLifetimeSecs);
                QCOMPARE(tokens->expiresIn, lifetime);
                const QJsonObject h = AsFixture::jwtHeader(tokens->accessToken);
                QCOMPARE(h.value(u"typ"_s).toString(), u"at+jwt"_s);
                QCOMPARE(h.value(u"alg"_s).toString(), u"ES256"_s);
                QCOMPARE(h.value(u"kid"_s).toString(), f.keys->activeKid());
                const QJsonObject c = AsFixture::jwtClaims(tokens->accessToken);
                QCOMPARE(c.value(u"iss"_s).toString(), f.issuer());
                QCOMPARE(c.value(u"aud"_s).toString(), res->uri);
                QCOMPARE(c.value(u"sub"_s).toString(), u"local:tester"_s);
                QCOMPARE(c.value(u"client_id"_s).toString(), client.id);
                QCOMPARE(c.value(u"iat"_s).toInteger(), f.clock.nowSecs());
                QCOMPARE(c.value(u"exp"_s).toInteger() - c.value(u"iat"_s).toInteger(), lifetime);
                QVERIFY(!c.value(u"jti"_s).toString().isEmpty());
                QCOMPARE(c.value(u"scope"_s).toString(), u"read"_s);
            }
            QVERIFY(AsFixture::jwtClaims(t.accessToken).value(u"jti"_s)
                != AsFixture::jwtClaims(r.accessToken).value(u"jti"_s));
        }
        // Errors are not cacheable either.
        const HttpReply e = f.refreshReply(client, u"nope"_s);
        QCOMPARE(e.status, 400);
        QVERIFY(checkHeaders(e));

        // A "once" approval: no refresh token, and the token ends with the grant.
        const Pkce pkce = Pkce::fresh();
        AS_TRY(other, f.registerClient());
        Params q = f.authorizeParams(other, pkce);
        q.set(u"resource"_s, shortLived.uri);
        AS_TRY(once, f.authorize(q, {}, Consent::Duration::Once));
        AS_TRY(t, f.redeem(other, once.code(), pkce));
        QVERIFY(t.refreshToken.isEmpty());
        QVERIFY(!t.json.contains(u"refresh_token"_s));
        QVERIFY(t.expiresIn <= shortLived.tokenLifetimeSecs);
    }

    // The kill switch end to end: frozen -> /authorize is access_denied (with iss), a pending
    // request is denied, refresh is temporarily_unavailable and rotates nothing, introspection says
    // inactive; unfrozen -> the same refresh token works.
    void testFreeze_endToEnd()
    {
        AsFixture &f = *m_f;
        AS_TRY(client, f.registerClient());
        AS_TRY(t, f.issueTokens(client));
        AS_TRY(newcomer, f.registerClient());
        AS_TRY(pending, f.begin(f.authorizeParams(newcomer, Pkce::fresh())));

        QVERIFY(f.broker->setFrozen(true, u"test"_s).ok());
        const std::optional<HttpReply> waited = pending.waiter->readReply(3000);
        QVERIFY(waited);
        AS_TRY(denied, parseRedirect(*waited));
        QCOMPARE(denied.error(), u"access_denied"_s);
        QCOMPARE(denied.value(u"iss"_s), f.issuer());

        // Even a request an active grant would answer at once.
        AS_TRY(refused, parseRedirect(f.getAuthorize(f.authorizeParams(client, Pkce::fresh()))));
        QCOMPARE(refused.error(), u"access_denied"_s);
        QCOMPARE(refused.count(u"iss"_s), 1);
        QCOMPARE(refused.value(u"iss"_s), f.issuer());
        QCOMPARE(f.pendingConsents(), 0);

        const qint64 rows = refreshTokenRows();
        const HttpReply r = f.refreshReply(client, t.refreshToken);
        QCOMPARE(r.status, 503);
        QCOMPARE(errorOf(r), u"temporarily_unavailable"_s);
        QCOMPARE(refreshTokenRows(), rows);
        QCOMPARE(liveRefreshTokens(), 1);
        QCOMPARE(f.introspect(t.accessToken).body, QByteArray("{\"active\":false}"));

        QVERIFY(f.broker->setFrozen(false, u"test"_s).ok());
        QVERIFY(f.isActive(t.accessToken));
        AS_TRY(after, f.refresh(client, t.refreshToken));
        QVERIFY(f.isActive(after.accessToken));
    }
};

QTEST_GUILESS_MAIN(TestSecurityTokens)
#include "tst_security_tokens.moc"
