// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 9, class R10: a step-up never extends what was already held. Each scope keeps the
// lifetime the person gave it, unless the person chose to extend it (Decision::extendHeld).
#include "asfixture.h"

#include "oauth/grantservice.h"
#include "store/grantstore.h"
#include "store/resourcestore.h"

#include <QJsonArray>
#include <QTest>

using namespace Tessera;
using namespace Tessera::Test;

class TestSecurityStepUp : public QObject
{
    Q_OBJECT
private:
    std::optional<Store::Grant> activeGrant(AsFixture &f, const TestClient &c)
    {
        auto g = Store::GrantStore(*f.db).findActiveCovering(c.id, f.resource.id, {}, f.clock.nowSecs());
        return g && g->has_value() ? **g : std::optional<Store::Grant>();
    }

private Q_SLOTS:
    void testR10_stepUpKeepsHeldScopeLifetime()
    {
        AsFixture f;
        QVERIFY2(f.setup().ok(), qPrintable(f.setup().error().toString()));
        AS_TRY(client, f.registerClient());
        // The person grants the high-risk "admin" for one hour ...
        AS_TRY(first, f.issueTokens(client, QStringLiteral("admin"), Consent::Duration::OneHour));
        const qint64 approvedAt = f.clock.nowSecs();
        // ... and later a low-risk step-up ("read") until revoked.
        f.clock.advanceSecs(60);
        Pkce pkce = Pkce::fresh();
        Params q = f.authorizeParams(client, pkce);
        q.set(QStringLiteral("scope"), QStringLiteral("read"));
        AS_TRY(redirect, f.authorize(q, { QStringLiteral("read") }, Consent::Duration::UntilRevoked));
        QVERIFY2(!redirect.code().isEmpty(), redirect.location.constData());
        AS_TRY(tokens, f.redeem(client, redirect.code(), pkce));

        const std::optional<Store::Grant> g = activeGrant(f, client);
        QVERIFY(g);
        QCOMPARE(Store::canonicalScopes(g->scopes), QStringList({ QStringLiteral("admin"), QStringLiteral("read") }));
        QCOMPARE(g->scopeEnd(QStringLiteral("admin")), std::optional<qint64>(approvedAt + 3600)); // kept
        QCOMPARE(g->scopeEnd(QStringLiteral("read")), std::optional<qint64>()); // until revoked, as given
        QVERIFY(!g->expiresAt); // the grant lives as long as its longest scope

        // An access token never outlives a scope it carries.
        const QJsonObject claims = AsFixture::jwtClaims(first.accessToken);
        QVERIFY(claims.value(QStringLiteral("exp")).toInteger() <= approvedAt + 3600);

        // Past admin's hour: a refresh carries only "read", and admin needs the person again.
        f.clock.advanceSecs(3600);
        AS_TRY(readOnly, f.refresh(client, tokens.refreshToken));
        QCOMPARE(readOnly.scope, QStringLiteral("read"));
        QCOMPARE(AsFixture::jwtClaims(readOnly.accessToken).value(QStringLiteral("scope")).toString(),
            QStringLiteral("read"));
        Pkce again = Pkce::fresh();
        Params qa = f.authorizeParams(client, again);
        qa.set(QStringLiteral("scope"), QStringLiteral("admin"));
        AS_TRY(pending, f.begin(qa));
        QVERIFY(!pending.consentId.isEmpty()); // a prompt, not a silent code
        const auto shown = f.broker->find(pending.consentId);
        QVERIFY(shown);
        QCOMPARE(shown->newScopeNames(), QStringList { QStringLiteral("admin") });
    }

    void testR10_stepUpPromptShowsWhenHeldScopesEnd()
    {
        AsFixture f;
        QVERIFY2(f.setup().ok(), qPrintable(f.setup().error().toString()));
        AS_TRY(client, f.registerClient());
        AS_TRY(held, f.issueTokens(client, QStringLiteral("admin"), Consent::Duration::OneHour));
        QVERIFY(!held.accessToken.isEmpty());
        Pkce pkce = Pkce::fresh();
        Params q = f.authorizeParams(client, pkce);
        q.set(QStringLiteral("scope"), QStringLiteral("admin read"));
        q.set(QStringLiteral("prompt"), QStringLiteral("consent"));
        AS_TRY(pending, f.begin(q));
        const auto shown = f.broker->find(pending.consentId);
        QVERIFY(shown);
        QCOMPARE(shown->heldUntil.value(QStringLiteral("admin")), std::optional<qint64>(f.clock.nowSecs() + 3600));
        const QJsonObject json = shown->toJson();
        bool seen = false;
        for (const QJsonValue &s : json.value(QStringLiteral("scopes")).toArray()) {
            if (s[QStringLiteral("name")].toString() == QStringLiteral("admin")) {
                QCOMPARE(s[QStringLiteral("heldUntil")].toInteger(), f.clock.nowSecs() + 3600);
                seen = true;
            }
        }
        QVERIFY(seen);
    }

    void testR10_extendingHeldScopesIsAnExplicitChoice()
    {
        AsFixture f;
        QVERIFY2(f.setup().ok(), qPrintable(f.setup().error().toString()));
        AS_TRY(client, f.registerClient());
        AS_TRY(held, f.issueTokens(client, QStringLiteral("admin"), Consent::Duration::OneHour));
        QVERIFY(!held.accessToken.isEmpty());
        const qint64 t0 = f.clock.nowSecs();
        auto kept = f.server->grants().grantFromApproval(
            client.id, f.resource, { QStringLiteral("read") }, Consent::Duration::OneDay, QStringLiteral("user"));
        QVERIFY(kept.ok());
        QCOMPARE(kept->scopeEnd(QStringLiteral("admin")), std::optional<qint64>(t0 + 3600));
        QCOMPARE(kept->scopeEnd(QStringLiteral("read")), std::optional<qint64>(t0 + 86400));
        auto extended = f.server->grants().grantFromApproval(client.id, f.resource, { QStringLiteral("write") },
            Consent::Duration::OneDay, QStringLiteral("user"), /*extendHeld=*/true);
        QVERIFY(extended.ok());
        QCOMPARE(extended->scopeEnd(QStringLiteral("admin")), std::optional<qint64>(t0 + 86400));
        QVERIFY(extended->scopeExpiresAt.isEmpty()); // uniform again
        // Read back from SQLite: the per-scope ends survive a round trip.
        auto stored = Store::GrantStore(*f.db).find(kept->id);
        QVERIFY(stored.ok() && stored->has_value());
        QCOMPARE((*stored)->scopeEnd(QStringLiteral("admin")), std::optional<qint64>(t0 + 3600));
        QCOMPARE((*stored)->scopeEnd(QStringLiteral("read")), std::optional<qint64>(t0 + 86400));
    }
};

QTEST_GUILESS_MAIN(TestSecurityStepUp)
#include "tst_security_stepup.moc"
