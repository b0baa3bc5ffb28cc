// SPDX-License-Identifier: GPL-3.0-or-later
// Cross-checks Tessera's ES256 JWTs against jose (Node), an independent JOSE implementation.
// Needs `npm ci` in tests/interop; without it the test fails (it is never skipped).
#include "common/clock.h"
#include "crypto/encoding.h"
#include "crypto/jwt.h"
#include "support/testsupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Tessera::Crypto;

namespace {

const QString Issuer = QStringLiteral("http://127.0.0.1:7391");
const QString Audience = QStringLiteral("http://127.0.0.1:8931/mcp");
const QString InteropDir = Tessera::Test::sourcePath(QStringLiteral("tests/interop"));

struct NodeRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestJoseInterop : public QObject
{
    Q_OBJECT

    QString m_node;
    QTemporaryDir m_dir;

    // Paths only on argv: tokens and keys stay in files.
    NodeRun runNode(const QString &script, const QStringList &args)
    {
        QProcess p;
        p.setWorkingDirectory(InteropDir);
        p.setProgram(m_node);
        p.setArguments(QStringList { InteropDir + QStringLiteral("/jose/") + script } + args);
        p.start();
        NodeRun run;
        if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit) {
            p.kill();
            p.waitForFinished();
            run.err = "node did not finish: " + p.errorString().toUtf8();
            return run;
        }
        run.exitCode = p.exitCode();
        run.out = p.readAllStandardOutput();
        run.err = p.readAllStandardError();
        return run;
    }

    [[nodiscard]] QString path(const char *name) const { return m_dir.filePath(QLatin1String(name)); }

    [[nodiscard]] static AccessTokenClaims claims()
    {
        const qint64 now = Tessera::SystemClock::instance().nowSecs();
        AccessTokenClaims c;
        c.iss = Issuer;
        c.sub = QStringLiteral("tessera-user");
        c.aud = Audience;
        c.clientId = QStringLiteral("tessera-client");
        c.scope = QStringLiteral("files:read files:write");
        c.iat = now;
        c.exp = now + 300;
        c.jti = QStringLiteral("tessera-jti-1");
        return c;
    }

    // Signs claims() with a new key; writes the JWKS and the token; returns the token.
    QByteArray writeTesseraToken(const QString &jwksPath, const QString &tokenPath)
    {
        auto key = SigningKey::generate();
        if (!key)
            return {};
        const QJsonObject jwks { { QStringLiteral("keys"), QJsonArray { key->publicJwk() } } };
        auto token = signAccessToken(claims(), *key);
        if (!token || !writeFile(jwksPath, QJsonDocument(jwks).toJson()) || !writeFile(tokenPath, *token))
            return {};
        return *token;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_node = QStandardPaths::findExecutable(QStringLiteral("node"));
        if (m_node.isEmpty())
            QFAIL("`node` (Node.js 20 or later) is not on PATH; install it, then run `npm ci` in tests/interop.");
        if (!QFile::exists(InteropDir + QStringLiteral("/node_modules/jose/package.json")))
            QFAIL("tests/interop/node_modules is missing: run `npm ci` in tests/interop first.");
        QVERIFY(m_dir.isValid());
    }

    void testTesseraTokenVerifiedByJose()
    {
        const QByteArray token = writeTesseraToken(path("jwks.json"), path("token"));
        QVERIFY(!token.isEmpty());
        const NodeRun run
            = runNode(QStringLiteral("verify.mjs"), { path("jwks.json"), path("token"), Issuer, Audience });
        QVERIFY2(run.exitCode == 0, run.err.constData());

        const QJsonObject verified = QJsonDocument::fromJson(run.out).object();
        const AccessTokenClaims c = claims();
        QCOMPARE(verified.value(QStringLiteral("iss")).toString(), Issuer);
        QCOMPARE(verified.value(QStringLiteral("aud")).toString(), Audience);
        QCOMPARE(verified.value(QStringLiteral("sub")).toString(), c.sub);
        QCOMPARE(verified.value(QStringLiteral("client_id")).toString(), c.clientId);
        QCOMPARE(verified.value(QStringLiteral("scope")).toString(), c.scope);
        QCOMPARE(verified.value(QStringLiteral("jti")).toString(), c.jti);
        QVERIFY(verified.value(QStringLiteral("exp")).toInteger() > verified.value(QStringLiteral("iat")).toInteger());
    }

    void testJoseTokenVerifiedByTessera()
    {
        const NodeRun run
            = runNode(QStringLiteral("sign.mjs"), { path("jose-jwk.json"), path("jose-token"), Issuer, Audience });
        QVERIFY2(run.exitCode == 0, run.err.constData());

        const QJsonObject jwk = QJsonDocument::fromJson(readFile(path("jose-jwk.json"))).object();
        const auto key = VerificationKey::fromJwk(jwk);
        QVERIFY2(key.ok(), qPrintable(key.ok() ? QString() : key.error().toString()));
        // jose's RFC 7638 thumbprint (its kid) equals ours for the same EC key.
        QCOMPARE(key->kid(), jwk.value(QStringLiteral("kid")).toString());
        QCOMPARE(key->thumbprint(), key->kid());

        const QByteArray token = readFile(path("jose-token"));
        const KeyLookup lookup
            = [&key](const QString &kid) -> const VerificationKey * { return kid == key->kid() ? &*key : nullptr; };
        JwtValidation v;
        v.issuer = Issuer;
        v.audience = Audience;
        v.nowSecs = Tessera::SystemClock::instance().nowSecs();
        v.leewaySecs = 5;
        const auto claims = verifyJwt(token, lookup, v);
        QVERIFY2(claims.ok(), qPrintable(claims.ok() ? QString() : claims.error().toString()));
        QCOMPARE(claims->value(QStringLiteral("sub")).toString(), QStringLiteral("jose-user"));
        QCOMPARE(claims->value(QStringLiteral("client_id")).toString(), QStringLiteral("jose-client"));
        QCOMPARE(claims->value(QStringLiteral("jti")).toString(), QStringLiteral("jose-jti-1"));

        // And the same token for another audience is refused by Tessera.
        v.audience = QStringLiteral("http://127.0.0.1:1/other");
        QCOMPARE(verifyJwt(token, lookup, v).error().code, QStringLiteral("jwt_bad_audience"));
    }

    void testTamperedTesseraTokenRejectedByJose()
    {
        const QByteArray token = writeTesseraToken(path("jwks2.json"), path("token2"));
        QVERIFY(!token.isEmpty());
        // Same header and signature, payload with another subject.
        const QList<QByteArray> parts = token.split('.');
        QCOMPARE(parts.size(), 3);
        QJsonObject payload = QJsonDocument::fromJson(base64UrlDecode(parts[1]).value()).object();
        payload.insert(QStringLiteral("sub"), QStringLiteral("admin"));
        const QByteArray tampered
            = parts[0] + '.' + base64UrlEncode(QJsonDocument(payload).toJson(QJsonDocument::Compact)) + '.' + parts[2];
        QVERIFY(writeFile(path("tampered"), tampered));

        // Control: the untampered token passes with the same JWKS.
        const NodeRun ok
            = runNode(QStringLiteral("verify.mjs"), { path("jwks2.json"), path("token2"), Issuer, Audience });
        QVERIFY2(ok.exitCode == 0, ok.err.constData());

        const NodeRun run
            = runNode(QStringLiteral("verify.mjs"), { path("jwks2.json"), path("tampered"), Issuer, Audience });
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("ERR_JWS_SIGNATURE_VERIFICATION_FAILED"), run.err.constData());
        QVERIFY(run.out.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestJoseInterop)
#include "tst_jose_interop.moc"
