// SPDX-License-Identifier: GPL-3.0-or-later
#include "dashboardfixture.h"

#include "crypto/hash.h"
#include "store/auditlog.h"
#include "store/clientstore.h"
#include "store/database.h"
#include "store/grantstore.h"
#include "store/resourcestore.h"
#include "support/fakeclock.h"

#include <QJsonArray>
#include <QJsonObject>

namespace Tessera::Test {

namespace {

struct Seeder
{
    Store::Database &db;
    Store::AuditLog &audit;
    FakeClock &clock;
    qint64 nowMs;
    int events = 0;
    qint64 lastMs = 0; ///< audit times only move forward, like the real log's

    void at(qint64 minutesAgo) { clock.setMs(nowMs - minutesAgo * 60'000); }

    Status log(const QString &kind, const QString &actor, const QString &client, const QString &resource,
        const QString &grant, const QJsonObject &details)
    {
        if (clock.nowMs() <= lastMs)
            clock.setMs(lastMs + 1000);
        lastMs = clock.nowMs();
        auto e = audit.append({ kind, actor, client, resource, grant, details });
        if (!e)
            return e.error();
        ++events;
        return {};
    }

    Result<qint64> resource(const QString &name, const QString &display, const QString &uri, qint64 lifetime,
        QList<Store::ResourceScope> scopes, QStringList defaults, const QByteArray &introspectionSecret = {})
    {
        Store::Resource r;
        r.name = name;
        r.displayName = display;
        r.uri = uri;
        r.tokenLifetimeSecs = lifetime;
        r.scopes = std::move(scopes);
        r.defaultScopes = std::move(defaults);
        if (!introspectionSecret.isEmpty())
            r.introspectionSecretHash = Crypto::sha256(introspectionSecret);
        auto added = Store::ResourceStore(db).add(r, clock.nowSecs());
        if (!added)
            return added.error();
        QStringList names;
        for (const auto &s : std::as_const(added->scopes))
            names.append(s.name);
        if (Status s = log(QStringLiteral("resource.added"), QStringLiteral("operator"), {}, added->uri, {},
                QJsonObject { { QStringLiteral("name"), name }, { QStringLiteral("scopes"), int(names.size()) } });
            !s)
            return s.error();
        return added->id;
    }

    Result<QString> client(const QString &id, Store::ClientKind kind, const QString &name, QStringList redirects,
        const QJsonObject &metadata, bool consented)
    {
        Store::Client c;
        c.clientId = id;
        c.kind = kind;
        c.clientName = name;
        c.redirectUris = std::move(redirects);
        c.metadata = metadata;
        c.createdAt = clock.nowSecs();
        c.lastSeenAt = clock.nowSecs();
        c.consented = consented;
        if (!consented)
            c.expiresAt = clock.nowSecs() + 86400;
        if (Status s = Store::ClientStore(db).insert(c); !s)
            return s.error();
        if (Status s = log(QStringLiteral("client.registered"),
                kind == Store::ClientKind::Preregistered ? QStringLiteral("operator") : QStringLiteral("client:") + id,
                id, {}, {},
                QJsonObject { { QStringLiteral("kind"), Store::clientKindToString(kind) },
                    { QStringLiteral("client_name"), name },
                    { QStringLiteral("redirect_uris"), QJsonArray::fromStringList(c.redirectUris) } });
            !s)
            return s.error();
        return id;
    }

    Status seen(const QString &clientId, const QString &exe)
    {
        if (!exe.isEmpty()) {
            if (Status s = Store::ClientStore(db).recordExecutable(clientId, exe, clock.nowSecs()); !s)
                return s;
        }
        return Store::ClientStore(db).updateLastSeen(clientId, clock.nowSecs());
    }

    // A request, its approval and the grant it left, as the broker and GrantService record them.
    Result<QString> grant(const QString &clientId, qint64 resourceId, const QString &resourceUri, QStringList scopes,
        const QString &duration, std::optional<qint64> lifetimeSecs)
    {
        const QJsonArray scopeArray = QJsonArray::fromStringList(scopes);
        const QString request = QStringLiteral("req%1").arg(events);
        if (Status s
            = log(QStringLiteral("consent.requested"), QStringLiteral("client:") + clientId, clientId, resourceUri, {},
                QJsonObject { { QStringLiteral("request"), request },
                    { QStringLiteral("path"), QStringLiteral("authorize") },
                    { QStringLiteral("scopes"), scopeArray } });
            !s)
            return s.error();
        clock.advanceSecs(9);
        if (Status s = log(QStringLiteral("consent.approved"), QStringLiteral("user"), clientId, resourceUri, {},
                QJsonObject { { QStringLiteral("request"), request },
                    { QStringLiteral("decision"),
                        QJsonObject { { QStringLiteral("outcome"), QStringLiteral("approved") },
                            { QStringLiteral("by"), QStringLiteral("desktop") },
                            { QStringLiteral("scopes"), scopeArray }, { QStringLiteral("duration"), duration } } } });
            !s)
            return s.error();
        Store::Grant g;
        g.id = QStringLiteral("g") + QString::number(nowMs % 100000) + u'-' + QString::number(events);
        g.clientId = clientId;
        g.resourceId = resourceId;
        g.scopes = scopes;
        g.createdAt = clock.nowSecs();
        if (lifetimeSecs)
            g.expiresAt = g.createdAt + *lifetimeSecs;
        g.duration = duration;
        if (Status s = Store::GrantStore(db).create(g); !s)
            return s.error();
        if (Status s = Store::ClientStore(db).markConsented(clientId); !s)
            return s.error();
        if (Status s = log(QStringLiteral("grant.created"), QStringLiteral("user"), clientId, resourceUri, g.id,
                QJsonObject { { QStringLiteral("scopes"), scopeArray }, { QStringLiteral("duration"), duration },
                    { QStringLiteral("supersedes"), QString() } });
            !s)
            return s.error();
        if (Status s = log(QStringLiteral("code.issued"), QStringLiteral("system"), clientId, resourceUri, g.id,
                QJsonObject { { QStringLiteral("scopes"), scopeArray } });
            !s)
            return s.error();
        return g.id;
    }

    // Token use: what the token endpoint records (the first issue, then refreshes).
    Status use(const QString &grantId, const QString &clientId, const QString &resourceUri, int times,
        qint64 everyMinutes, qint64 lastMinutesAgo)
    {
        for (int i = 0; i < times; ++i) {
            at(lastMinutesAgo + qint64(times - 1 - i) * everyMinutes);
            if (Status s = Store::GrantStore(db).recordUse(grantId, clock.nowSecs()); !s)
                return s;
            // Only the last few uses are logged one by one (and never before what the log
            // already holds); the counter carries the rest.
            if (times - i <= 4 && clock.nowMs() > lastMs) {
                if (Status s = log(i == 0 ? QStringLiteral("token.issued") : QStringLiteral("token.refreshed"),
                        QStringLiteral("client:") + clientId, clientId, resourceUri, grantId, QJsonObject {});
                    !s)
                    return s;
            }
        }
        return {};
    }
};

} // namespace

Result<DemoData> seedDemo(const QString &path, qint64 nowMs)
{
    auto opened = Store::Database::open(path);
    if (!opened)
        return opened.error();
    Store::Database &db = **opened;
    FakeClock clock(nowMs);
    Store::AuditLog audit(db, clock);
    Seeder s { db, audit, clock, nowMs };
    DemoData d;
    const auto low = Store::Risk::Low;
    const auto high = Store::Risk::High;

#define TRY_ASSIGN(lhs, expr)                                                                                          \
    do {                                                                                                               \
        auto r_ = (expr);                                                                                              \
        if (!r_)                                                                                                       \
            return r_.error();                                                                                         \
        lhs = *r_;                                                                                                     \
    } while (0)
#define TRY(expr)                                                                                                      \
    do {                                                                                                               \
        if (Status st_ = (expr); !st_)                                                                                 \
            return st_.error();                                                                                        \
    } while (0)

    s.at(4380); // about three days ago
    TRY_ASSIGN(d.filesResource,
        s.resource(QStringLiteral("files"), QStringLiteral("Files (home folder)"),
            QStringLiteral("http://127.0.0.1:8931/mcp"), 300,
            { { QStringLiteral("files:read"), QStringLiteral("Read files in your home folder"), low },
                { QStringLiteral("files:write"), QStringLiteral("Create, change and delete files"), high } },
            { QStringLiteral("files:read") }));
    TRY_ASSIGN(d.githubResource,
        s.resource(QStringLiteral("github"), QStringLiteral("GitHub tools"),
            QStringLiteral("http://127.0.0.1:8765/mcp"), 600,
            { { QStringLiteral("repo:read"), QStringLiteral("Read repositories and issues"), low },
                { QStringLiteral("issues:write"), QStringLiteral("Open and comment on issues"), high },
                { QStringLiteral("pr:write"), QStringLiteral("Open and merge pull requests"), high } },
            { QStringLiteral("repo:read") }));
    TRY_ASSIGN(d.calendarResource,
        s.resource(QStringLiteral("calendar"), QStringLiteral("Calendar"), QStringLiteral("http://127.0.0.1:9300/mcp"),
            900,
            { { QStringLiteral("calendar:read"), QStringLiteral("See your events"), low },
                { QStringLiteral("calendar:write"), QStringLiteral("Create and move events"), high } },
            { QStringLiteral("calendar:read") }, QByteArrayLiteral("demo-introspection-secret")));
    TRY_ASSIGN(d.notesResource,
        s.resource(QStringLiteral("notes"), QStringLiteral("Notes"), QStringLiteral("http://localhost:7777/notes"), 300,
            { { QStringLiteral("notes:read"), QStringLiteral("Read your notes"), low },
                { QStringLiteral("notes:write"), QStringLiteral("Write notes"), high } },
            {}));

    s.at(4300);
    TRY_ASSIGN(d.goose,
        s.client(QStringLiteral("pre_wQ4v1xk7ZbN2"), Store::ClientKind::Preregistered, QStringLiteral("Goose"),
            { QStringLiteral("http://127.0.0.1:5555/callback") }, {}, true));
    s.at(4200);
    TRY_ASSIGN(d.claudeCode,
        s.client(QStringLiteral("dcr_3f9Kq2LmX8vT1pRz"), Store::ClientKind::Dcr, QStringLiteral("Claude Code"),
            { QStringLiteral("http://127.0.0.1/callback") },
            QJsonObject { { QStringLiteral("client_uri"), QStringLiteral("https://claude.com/claude-code") } }, false));
    TRY(s.seen(d.claudeCode, QStringLiteral("/home/alex/.local/share/claude/versions/2.0.31/claude")));
    TRY_ASSIGN(d.claudeGithubGrant,
        s.grant(d.claudeCode, d.githubResource, QStringLiteral("http://127.0.0.1:8765/mcp"),
            { QStringLiteral("repo:read") }, QStringLiteral("forever"), std::nullopt));

    s.at(3000);
    TRY_ASSIGN(d.cursor,
        s.client(QStringLiteral("dcr_Vb7nW2cQe5yHk0Ls"), Store::ClientKind::Dcr, QStringLiteral("Cursor"),
            { QStringLiteral("http://127.0.0.1/oauth/callback") }, {}, false));
    TRY(s.seen(d.cursor, QStringLiteral("/opt/Cursor/cursor")));
    TRY_ASSIGN(d.cursorGithubGrant,
        s.grant(d.cursor, d.githubResource, QStringLiteral("http://127.0.0.1:8765/mcp"),
            { QStringLiteral("issues:write"), QStringLiteral("repo:read") }, QStringLiteral("1d"), 86400));
    TRY(s.use(d.cursorGithubGrant, d.cursor, QStringLiteral("http://127.0.0.1:8765/mcp"), 31, 2, 2920));

    s.at(2900);
    TRY_ASSIGN(d.backupScript,
        s.client(QStringLiteral("local-Xq3L9dPz7mKc2VbR8nYt1w"), Store::ClientKind::Local,
            QStringLiteral("nightly-backup"), {},
            QJsonObject { { QStringLiteral("executable"), QStringLiteral("/home/alex/bin/nightly-backup") } }, false));
    TRY(s.seen(d.backupScript, QStringLiteral("/home/alex/bin/nightly-backup")));
    TRY_ASSIGN(d.backupNotesGrant,
        s.grant(d.backupScript, d.notesResource, QStringLiteral("http://localhost:7777/notes"),
            { QStringLiteral("notes:read") }, QStringLiteral("forever"), std::nullopt));
    TRY(s.use(d.backupNotesGrant, d.backupScript, QStringLiteral("http://localhost:7777/notes"), 3, 400, 1500));

    s.at(1400);
    TRY(s.log(QStringLiteral("grant.revoked"), QStringLiteral("user"), d.cursor,
        QStringLiteral("http://127.0.0.1:8765/mcp"), d.cursorGithubGrant,
        QJsonObject { { QStringLiteral("reason"), QStringLiteral("revoked by the person (dashboard)") } }));
    {
        auto r = Store::GrantStore(db).revoke(
            d.cursorGithubGrant, QStringLiteral("revoked by the person (dashboard)"), clock.nowSecs());
        if (!r)
            return r.error();
    }

    s.at(900);
    TRY_ASSIGN(d.gooseCalendarGrant,
        s.grant(d.goose, d.calendarResource, QStringLiteral("http://127.0.0.1:9300/mcp"),
            { QStringLiteral("calendar:read"), QStringLiteral("calendar:write") }, QStringLiteral("once"), 900));
    TRY(s.use(d.gooseCalendarGrant, d.goose, QStringLiteral("http://127.0.0.1:9300/mcp"), 1, 1, 899));

    s.at(720);
    TRY_ASSIGN(d.vscode,
        s.client(QStringLiteral("https://vscode.dev/oauth/client-metadata.json"), Store::ClientKind::Cimd,
            QStringLiteral("Visual Studio Code"), { QStringLiteral("http://127.0.0.1:33418/") },
            QJsonObject { { QStringLiteral("client_uri"), QStringLiteral("https://code.visualstudio.com") } }, false));
    TRY(s.seen(d.vscode, QStringLiteral("/usr/share/code/code")));
    TRY_ASSIGN(d.vscodeCalendarGrant,
        s.grant(d.vscode, d.calendarResource, QStringLiteral("http://127.0.0.1:9300/mcp"),
            { QStringLiteral("calendar:read") }, QStringLiteral("1h"), 3600));
    TRY(s.use(d.vscodeCalendarGrant, d.vscode, QStringLiteral("http://127.0.0.1:9300/mcp"), 12, 4, 670));
    s.at(600);
    TRY_ASSIGN(d.vscodeFilesGrant,
        s.grant(d.vscode, d.filesResource, QStringLiteral("http://127.0.0.1:8931/mcp"),
            { QStringLiteral("files:read") }, QStringLiteral("1d"), 86400));
    TRY(s.use(d.vscodeFilesGrant, d.vscode, QStringLiteral("http://127.0.0.1:8931/mcp"), 36, 8, 300));

    s.at(240);
    TRY_ASSIGN(d.lookalike,
        s.client(QStringLiteral("dcr_aN5cT0rBq8WmE4Ud"), Store::ClientKind::Dcr, QStringLiteral("Claude Desktop"),
            { QStringLiteral("http://localhost:8080/callback") }, {}, false));
    TRY(s.log(QStringLiteral("consent.requested"), QStringLiteral("client:") + d.lookalike, d.lookalike,
        QStringLiteral("http://127.0.0.1:8931/mcp"), {},
        QJsonObject { { QStringLiteral("request"), QStringLiteral("reqX") },
            { QStringLiteral("path"), QStringLiteral("authorize") },
            { QStringLiteral("scopes"),
                QJsonArray { QStringLiteral("files:read"), QStringLiteral("files:write") } } }));
    s.clock.advanceSecs(14);
    TRY(s.log(QStringLiteral("consent.denied"), QStringLiteral("user"), d.lookalike,
        QStringLiteral("http://127.0.0.1:8931/mcp"), {},
        QJsonObject { { QStringLiteral("request"), QStringLiteral("reqX") },
            { QStringLiteral("decision"),
                QJsonObject { { QStringLiteral("outcome"), QStringLiteral("denied") },
                    { QStringLiteral("by"), QStringLiteral("desktop") } } } }));

    s.at(130);
    TRY(s.log(QStringLiteral("settings.changed"), QStringLiteral("user"), {}, {}, {},
        QJsonObject { { QStringLiteral("key"), QStringLiteral("consent.defaultDuration") },
            { QStringLiteral("value"), QStringLiteral("1h") } }));

    s.at(57);
    TRY(s.seen(d.claudeCode, QStringLiteral("/home/alex/.local/share/claude/versions/2.0.31/claude")));
    TRY_ASSIGN(d.claudeNotesGrant,
        s.grant(d.claudeCode, d.notesResource, QStringLiteral("http://localhost:7777/notes"),
            { QStringLiteral("notes:read") }, QStringLiteral("1h"), 3600));
    TRY(s.use(d.claudeNotesGrant, d.claudeCode, QStringLiteral("http://localhost:7777/notes"), 2, 20, 30));
    s.at(20);
    TRY(s.seen(d.claudeCode, QStringLiteral("/usr/bin/node")));
    TRY_ASSIGN(d.claudeFilesGrant,
        s.grant(d.claudeCode, d.filesResource, QStringLiteral("http://127.0.0.1:8931/mcp"),
            { QStringLiteral("files:read"), QStringLiteral("files:write") }, QStringLiteral("1h"), 3600));
    TRY(s.use(d.claudeFilesGrant, d.claudeCode, QStringLiteral("http://127.0.0.1:8931/mcp"), 142, 0, 1));
    TRY(s.use(d.claudeGithubGrant, d.claudeCode, QStringLiteral("http://127.0.0.1:8765/mcp"), 9, 1, 5));
    TRY(s.seen(d.claudeCode, QStringLiteral("/home/alex/.local/share/claude/versions/2.0.31/claude")));
    s.at(1);
    TRY(s.log(QStringLiteral("authorization.covered"), QStringLiteral("client:") + d.claudeCode, d.claudeCode,
        QStringLiteral("http://127.0.0.1:8931/mcp"), d.claudeFilesGrant,
        QJsonObject { { QStringLiteral("scopes"), QJsonArray { QStringLiteral("files:read") } } }));
#undef TRY
#undef TRY_ASSIGN

    d.activeGrants = 5; // claude x3, vscode files, backup notes
    d.auditEvents = s.events;
    return d;
}

} // namespace Tessera::Test
