// SPDX-License-Identifier: GPL-3.0-or-later
// Issue 9, class R11: freeze is what it says. Every path Tessera answers itself refuses at once,
// and what a freeze cannot stop (JWTs already out, checked by servers themselves) is known
// exactly: when the last one expires, also after a restart.
#include "asfixture.h"

#include "oauth/authorizationserver.h"

#include <QTest>

using namespace Tessera;
using namespace Tessera::Test;

class TestSecurityFreeze : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void testR11_freezeKnowsWhenTheLastTokenExpires()
    {
        AsFixture f;
        QVERIFY2(f.setup().ok(), qPrintable(f.setup().error().toString()));
        QCOMPARE(f.server->lastAccessTokenExpiresAt(), 0);
        AS_TRY(client, f.registerClient());
        AS_TRY(tokens, f.issueTokens(client, QStringLiteral("read")));
        const qint64 exp = AsFixture::jwtClaims(tokens.accessToken).value(QStringLiteral("exp")).toInteger();
        QVERIFY(exp > f.clock.nowSecs());
        QCOMPARE(f.server->lastAccessTokenExpiresAt(), exp);

        QVERIFY(f.broker->setFrozen(true, QStringLiteral("user")).ok());
        // Paths Tessera answers itself refuse at once: introspection and refresh.
        QVERIFY(!f.isActive(tokens.accessToken));
        QCOMPARE(errorOf(f.refreshReply(client, tokens.refreshToken)), QStringLiteral("temporarily_unavailable"));
        QCOMPARE(f.server->lastAccessTokenExpiresAt(), exp); // nothing new was issued

        // After a restart the bound comes from the audit log: never earlier than the real one.
        OAuth::AuthorizationServer restarted(
            OAuth::ServerContext { *f.db, *f.audit, f.clock, *f.keys, *f.broker, f.issuer(), QStringLiteral("u") });
        QVERIFY(restarted.lastAccessTokenExpiresAt() >= exp);
        QVERIFY(restarted.lastAccessTokenExpiresAt() <= f.clock.nowSecs() + 301);

        f.clock.advanceSecs(400); // past every token's life
        QCOMPARE(f.server->lastAccessTokenExpiresAt(), 0);
        QCOMPARE(restarted.lastAccessTokenExpiresAt(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSecurityFreeze)
#include "tst_security_freeze.moc"
