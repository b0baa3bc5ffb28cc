// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Shared by the dashboard model tests: a real SQLite file seeded with seedDemo(), the real
// stores, broker, key manager and the OAuth endpoints on one ServerContext, and a
// DashboardContext over them, all on a fake clock.

#include "consent/consentbroker.h"
#include "crypto/pkce.h"
#include "dashboardfixture.h"
#include "desktop/dashboardcontext.h"
#include "http/request.h"
#include "http/response.h"
#include "oauth/grantservice.h"
#include "oauth/introspection.h"
#include "oauth/keymanager.h"
#include "oauth/servercontext.h"
#include "oauth/tokenendpoint.h"
#include "store/auditlog.h"
#include "store/clientstore.h"
#include "store/database.h"
#include "store/resourcestore.h"
#include "support/fakeclock.h"
#include "vault/memorysecretstore.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <memory>

namespace Tessera::Test {

class ModelTestEnv
{
public:
    // Now: 2026-03-10T12:00:00Z; seedDemo() spreads its history over the days before.
    static constexpr qint64 NowMs = 1'773'144'000'000;

    ModelTestEnv() : clock(NowMs) { }

    /** Seeds, opens and wires everything; QVERIFY-style: check ok() afterwards. */
    bool open()
    {
        if (!dir.isValid())
            return false;
        path = dir.path() + QStringLiteral("/tessera.db");
        auto seeded = seedDemo(path, NowMs);
        if (!seeded) {
            qWarning("seed failed: %s", qPrintable(seeded.error().message));
            return false;
        }
        demo = *seeded;
        auto opened = Store::Database::open(path);
        if (!opened)
            return false;
        db = std::move(*opened);
        audit = std::make_unique<Store::AuditLog>(*db, clock);
        broker = std::make_unique<Consent::ConsentBroker>(*db, *audit, clock);
        vault = std::make_unique<Vault::MemorySecretStore>();
        keys = std::make_unique<OAuth::KeyManager>(*db, *audit, *vault, clock);
        bool loaded = false;
        keys->load([&loaded](Status s) { loaded = s.ok(); });
        if (!QTest::qWaitFor([&] { return loaded; }, 5000))
            return false;
        ctx = std::make_unique<OAuth::ServerContext>(OAuth::ServerContext { *db, *audit, clock, *keys, *broker,
            QStringLiteral("http://127.0.0.1:7391"), QStringLiteral("local:test") });
        grants = std::make_unique<OAuth::GrantService>(*ctx);
        token = std::make_unique<OAuth::TokenEndpoint>(*ctx);
        introspection = std::make_unique<OAuth::IntrospectionEndpoint>(*ctx);
        App::DashboardContext::Parts parts;
        parts.database = db.get();
        parts.auditLog = audit.get();
        parts.broker = broker.get();
        parts.clock = &clock;
        parts.issuer = ctx->issuer;
        parts.port = 7391;
        parts.dataDir = dir.path();
        context = std::make_unique<App::DashboardContext>(
            parts, [this] { return revocationReady ? grants.get() : nullptr; });
        return true;
    }

    struct Tokens
    {
        QString grantId;
        QString accessToken;
        QString refreshToken;
    };

    /**
     * A real authorization: approval -> code -> POST /token (PKCE), for a preregistered client
     * on the calendar resource (which may introspect with "demo-introspection-secret").
     */
    Tokens authorize()
    {
        Tokens out;
        Store::Client c;
        c.clientId = QStringLiteral("pre_tokenflow");
        c.kind = Store::ClientKind::Preregistered;
        c.clientName = QStringLiteral("Token flow");
        c.redirectUris = { QStringLiteral("http://127.0.0.1/cb") };
        c.createdAt = clock.nowSecs();
        if (!Store::ClientStore(*db).insert(c).ok())
            return out;
        auto resource = Store::ResourceStore(*db).find(demo.calendarResource);
        if (!resource || !resource->has_value())
            return out;
        auto grant = grants->grantFromApproval(c.clientId, **resource, { QStringLiteral("calendar:read") },
            Consent::Duration::OneHour, QStringLiteral("user"));
        if (!grant)
            return out;
        const QByteArray verifier = QByteArrayLiteral("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        OAuth::AuthorizationSnapshot s;
        s.clientId = c.clientId;
        s.redirectUri = QStringLiteral("http://127.0.0.1:40123/cb");
        s.resourceId = (*resource)->id;
        s.resourceUri = (*resource)->uri;
        s.scopes = { QStringLiteral("calendar:read") };
        s.codeChallenge = QString::fromLatin1(Crypto::s256Challenge(verifier));
        auto code = grants->issueCode(*grant, s);
        if (!code)
            return out;
        const QJsonObject issued = post(*token,
            { { QStringLiteral("grant_type"), QStringLiteral("authorization_code") }, { QStringLiteral("code"), *code },
                { QStringLiteral("redirect_uri"), s.redirectUri }, { QStringLiteral("client_id"), c.clientId },
                { QStringLiteral("code_verifier"), QString::fromLatin1(verifier) },
                { QStringLiteral("resource"), s.resourceUri } });
        out.grantId = grant->id;
        out.accessToken = issued.value(QStringLiteral("access_token")).toString();
        out.refreshToken = issued.value(QStringLiteral("refresh_token")).toString();
        return out;
    }

    /** POST /token grant_type=refresh_token: the JSON answer (error or new tokens). */
    QJsonObject refresh(const QString &refreshToken)
    {
        return post(*token,
            { { QStringLiteral("grant_type"), QStringLiteral("refresh_token") },
                { QStringLiteral("refresh_token"), refreshToken },
                { QStringLiteral("client_id"), QStringLiteral("pre_tokenflow") } });
    }

    /** POST /introspect as the calendar resource server. */
    QJsonObject introspect(const QString &accessToken)
    {
        Http::Request r = formRequest("/introspect", { { QStringLiteral("token"), accessToken } });
        r.headers.append("Authorization", "Basic " + QByteArray("calendar:demo-introspection-secret").toBase64());
        return QJsonDocument::fromJson(introspection->handle(r).body).object();
    }

    QTemporaryDir dir;
    QString path;
    FakeClock clock;
    DemoData demo;
    std::unique_ptr<Store::Database> db;
    std::unique_ptr<Store::AuditLog> audit;
    std::unique_ptr<Consent::ConsentBroker> broker;
    std::unique_ptr<Vault::MemorySecretStore> vault;
    std::unique_ptr<OAuth::KeyManager> keys;
    std::unique_ptr<OAuth::ServerContext> ctx;
    std::unique_ptr<OAuth::GrantService> grants;
    std::unique_ptr<OAuth::TokenEndpoint> token;
    std::unique_ptr<OAuth::IntrospectionEndpoint> introspection;
    std::unique_ptr<App::DashboardContext> context;
    bool revocationReady = true;

private:
    static Http::Request formRequest(const char *path, const QList<QPair<QString, QString>> &fields)
    {
        QByteArrayList pairs;
        for (const auto &f : fields)
            pairs.append(QUrl::toPercentEncoding(f.first) + '=' + QUrl::toPercentEncoding(f.second));
        Http::Request r;
        r.method = "POST";
        r.target = path;
        r.path = path;
        r.headers.append("Host", "127.0.0.1:7391");
        r.headers.append("Content-Type", "application/x-www-form-urlencoded");
        r.body = pairs.join('&');
        r.peer.address = QHostAddress::LocalHost;
        return r;
    }
    static QJsonObject post(OAuth::TokenEndpoint &endpoint, const QList<QPair<QString, QString>> &fields)
    {
        return QJsonDocument::fromJson(endpoint.handle(formRequest("/token", fields)).body).object();
    }
};

} // namespace Tessera::Test
