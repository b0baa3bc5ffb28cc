// SPDX-License-Identifier: GPL-3.0-or-later
// bench_dashboard: first-page and filter times of the dashboard models on a real SQLite file
// with 100k grants and 1M audit events (see README.md in this folder).
#include "common/clock.h"
#include "desktop/agentlistmodel.h"
#include "desktop/auditlistmodel.h"
#include "desktop/dashboardcontext.h"
#include "desktop/grantlistmodel.h"
#include "store/auditlog.h"
#include "store/database.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <cstdio>
#include <functional>
#include <memory>

using namespace Tessera;

namespace {

constexpr int kClients = 200;
constexpr int kResources = 20;

void die(const QString &what)
{
    std::fprintf(stderr, "bench_dashboard: %s\n", qPrintable(what));
    std::exit(1);
}

void check(const Status &s, const char *what)
{
    if (!s)
        die(QString::fromLatin1(what) + QStringLiteral(": ") + s.error().message);
}

Store::Query prepare(Store::Database &db, const QString &sql)
{
    auto q = db.prepare(sql);
    if (!q)
        die(q.error().message);
    return std::move(*q);
}

qint64 count(Store::Database &db, const QString &table)
{
    auto q = prepare(db, QStringLiteral("SELECT count(*) FROM ") + table);
    check(q.exec(), "count");
    return q.next() ? q.int64(0) : 0;
}

QString clientId(int i)
{
    return QStringLiteral("dcr_bench_%1").arg(i, 4, 10, QLatin1Char('0'));
}

QString resourceUri(int i)
{
    return QStringLiteral("http://127.0.0.1:%1/mcp").arg(9000 + i);
}

// Plain INSERTs in one transaction: the stores' one-row-at-a-time paths (audit chain hashing,
// FTS per append) would take most of an hour at this scale and measure nothing we show.
void seed(Store::Database &db, int grants, int events, qint64 nowSecs)
{
    QElapsedTimer t;
    t.start();
    check(db.exec(QStringLiteral("BEGIN IMMEDIATE")), "begin");
    for (int r = 1; r <= kResources; ++r) {
        auto q = prepare(db,
            QStringLiteral("INSERT INTO resources (uri, name, display_name, created_at, updated_at) "
                           "VALUES (?, ?, ?, ?, ?)"));
        q.bindText(resourceUri(r)).bindText(QStringLiteral("res%1").arg(r));
        q.bindText(QStringLiteral("Resource %1").arg(r)).bindInt(nowSecs - 400 * 86400).bindInt(nowSecs);
        check(q.exec(), "resource");
    }
    for (int c = 0; c < kClients; ++c) {
        auto q = prepare(db,
            QStringLiteral("INSERT INTO clients (client_id, kind, client_name, created_at, last_seen_at, consented) "
                           "VALUES (?, 'dcr', ?, ?, ?, 1)"));
        q.bindText(clientId(c)).bindText(QStringLiteral("Agent %1").arg(c));
        q.bindInt(nowSecs - 400 * 86400).bindInt(nowSecs - c * 60);
        check(q.exec(), "client");
    }
    const qint64 span = 365LL * 86400;
    for (int g = 0; g < grants; ++g) {
        // Spread over a year, newest last; a tenth revoked, "1h" grants older than an hour expired.
        const qint64 created = nowSecs - span + (span * g) / std::max(1, grants);
        const int kind = g % 4;
        const QString duration = kind == 0 ? QStringLiteral("1h")
            : kind == 1                    ? QStringLiteral("1d")
            : kind == 2                    ? QStringLiteral("forever")
                                           : QStringLiteral("once");
        const std::optional<qint64> expires = kind == 0 ? std::optional<qint64>(created + 3600)
            : kind == 1                                 ? std::optional<qint64>(created + 86400)
            : kind == 3                                 ? std::optional<qint64>(created + 60)
                                                        : std::nullopt;
        const bool revoked = g % 10 == 7;
        auto q = prepare(db,
            QStringLiteral("INSERT INTO grants (id, client_id, resource_id, scopes, created_at, expires_at, duration, "
                           "last_used_at, use_count, state, revoked_at, revoked_reason) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        q.bindText(QStringLiteral("g%1").arg(g, 7, 10, QLatin1Char('0'))).bindText(clientId(g % kClients));
        q.bindInt(1 + g % kResources).bindText(QStringLiteral("files:read files:write"));
        q.bindInt(created).bindIntOrNull(expires).bindText(duration);
        q.bindIntOrNull(g % 3 == 0 ? std::optional<qint64>() : std::optional<qint64>(created + 30));
        q.bindInt(g % 3 == 0 ? 0 : g % 97);
        q.bindText(revoked ? QStringLiteral("revoked") : QStringLiteral("active"));
        q.bindIntOrNull(revoked ? std::optional<qint64>(created + 120) : std::nullopt);
        if (revoked)
            q.bindText(QStringLiteral("revoked by the person (bench)"));
        else
            q.bindNull();
        check(q.exec(), "grant");
    }
    static const char *const kinds[] = { "token.refreshed", "token.issued", "grant.created", "consent.requested",
        "consent.approved", "code.issued", "consent.denied", "grant.revoked" };
    const QByteArray zero(32, '\0');
    const qint64 nowMs = nowSecs * 1000;
    const qint64 spanMs = span * 1000;
    for (int e = 1; e <= events; ++e) {
        const int k = (e * 7) % 8;
        const QString kind = QString::fromLatin1(kinds[k]);
        QJsonObject details;
        if (k >= 2 && k <= 4)
            details = { { QStringLiteral("request"), QStringLiteral("req%1").arg(e) },
                { QStringLiteral("scopes"), QJsonArray { QStringLiteral("files:read") } } };
        else if (k == 7)
            details = { { QStringLiteral("reason"), QStringLiteral("revoked by the person (bench)") } };
        const QString json = QString::fromUtf8(QJsonDocument(details).toJson(QJsonDocument::Compact));
        auto q = prepare(db,
            QStringLiteral("INSERT INTO audit_events (seq, ts, kind, actor, client_id, resource, grant_id, details, "
                           "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        q.bindInt(e).bindInt(nowMs - spanMs + (spanMs * e) / events).bindText(kind);
        q.bindText(QStringLiteral("client:") + clientId(e % kClients)).bindText(clientId(e % kClients));
        q.bindText(resourceUri(1 + e % kResources)).bindText(QStringLiteral("g%1").arg(e % std::max(1, grants)));
        q.bindText(json).bindBlob(zero).bindBlob(zero);
        check(q.exec(), "event");
        auto fts = prepare(db, QStringLiteral("INSERT INTO audit_search (rowid, details) VALUES (?, ?)"));
        fts.bindInt(e).bindText(json);
        check(fts.exec(), "search index");
    }
    check(db.exec(QStringLiteral("COMMIT")), "commit");
    check(db.exec(QStringLiteral("ANALYZE")), "analyze");
    std::printf("seeded %d grants and %d events in %.1f s\n", grants, events, double(t.elapsed()) / 1000.0);
}

double timeMs(const std::function<void()> &work)
{
    QElapsedTimer t;
    t.start();
    work();
    return double(t.nsecsElapsed()) / 1e6;
}

void row(const char *what, double ms, qint64 rows)
{
    std::printf("  %-46s %9.2f ms  %8lld rows\n", what, ms, static_cast<long long>(rows));
}

// Times @p work, then reads the row count (argument evaluation order would not guarantee that).
void measure(const char *what, const std::function<void()> &work, const std::function<qint64()> &rows)
{
    const double ms = timeMs(work);
    row(what, ms, rows());
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("First-page and filter times of the dashboard models."));
    parser.addHelpOption();
    parser.addOption({ QStringLiteral("db"), QStringLiteral("SQLite file to seed (or reuse if already seeded)."),
        QStringLiteral("path") });
    parser.addOption({ QStringLiteral("grants"), QStringLiteral("Grants to seed (default 100000)."),
        QStringLiteral("n"), QStringLiteral("100000") });
    parser.addOption({ QStringLiteral("events"), QStringLiteral("Audit events to seed (default 1000000)."),
        QStringLiteral("n"), QStringLiteral("1000000") });
    parser.process(app);

    QTemporaryDir tmp;
    const QString path = parser.isSet(QStringLiteral("db")) ? parser.value(QStringLiteral("db"))
                                                            : tmp.path() + QStringLiteral("/bench.db");
    const int grants = parser.value(QStringLiteral("grants")).toInt();
    const int events = parser.value(QStringLiteral("events")).toInt();
    const bool existed = QFileInfo::exists(path);

    auto opened = Store::Database::open(path);
    if (!opened)
        die(opened.error().message);
    Store::Database &db = **opened;
    const qint64 nowSecs = SystemClock::instance().nowSecs();
    if (!existed || count(db, QStringLiteral("grants")) == 0)
        seed(db, grants, events, nowSecs);
    std::printf("database %s: %lld grants, %lld audit events, %.0f MB\n", qPrintable(path),
        static_cast<long long>(count(db, QStringLiteral("grants"))),
        static_cast<long long>(count(db, QStringLiteral("audit_events"))), double(QFileInfo(path).size()) / 1e6);

    Store::AuditLog audit(db, SystemClock::instance());
    App::DashboardContext::Parts parts;
    parts.database = &db;
    parts.auditLog = &audit;
    App::DashboardContext context(parts, {});

    std::printf("\nGrants (page size 100)\n");
    std::unique_ptr<App::GrantListModel> g;
    double ms = timeMs([&] { g = std::make_unique<App::GrantListModel>(&context, nullptr); });
    row("first page, newest first", ms, g->rowCount());
    measure(
        "next page (fetchMore)", [&] { g->fetchMore({}); }, [&] { return qint64(g->rowCount()); });
    for (int i = 0; i < 48; ++i)
        g->fetchMore({});
    measure(
        "51st page (fetchMore, keyset)", [&] { g->fetchMore({}); }, [&] { return qint64(g->rowCount()); });
    measure(
        "filter: active", [&] { g->setStateFilter(QStringLiteral("active")); },
        [&] { return qint64(g->totalCount()); });
    measure(
        "filter: revoked", [&] { g->setStateFilter(QStringLiteral("revoked")); },
        [&] { return qint64(g->totalCount()); });
    measure(
        "filter: expired", [&] { g->setStateFilter(QStringLiteral("expired")); },
        [&] { return qint64(g->totalCount()); });
    g->setStateFilter(QStringLiteral("any"));
    measure(
        "filter: one agent", [&] { g->setClientFilter(clientId(42)); }, [&] { return qint64(g->totalCount()); });
    measure(
        "filter: one agent + one resource", [&] { g->setResourceFilter(3); }, [&] { return qint64(g->totalCount()); });
    g->setClientFilter({});
    g->setResourceFilter(0);
    measure(
        "sort: last used", [&] { g->setSortOrder(QStringLiteral("lastUsed")); },
        [&] { return qint64(g->totalCount()); });
    measure(
        "refresh (rows on screen + new above)", [&] { g->refresh(); }, [&] { return qint64(g->rowCount()); });

    std::printf("\nAgents\n");
    std::unique_ptr<App::AgentListModel> a;
    ms = timeMs([&] {
        a = std::make_unique<App::AgentListModel>(&context, nullptr);
        a->reload();
    });
    row("first page", ms, a->rowCount());

    std::printf("\nActivity (audit log, page size 100)\n");
    std::unique_ptr<App::AuditListModel> e;
    ms = timeMs([&] {
        e = std::make_unique<App::AuditListModel>(&context, nullptr);
        e->reload();
    });
    row("first page, newest first", ms, e->rowCount());
    measure(
        "next page (fetchMore)", [&] { e->fetchMore({}); }, [&] { return qint64(e->rowCount()); });
    measure(
        "facets (kinds, agents, resources)", [&] { e->reloadFacets(); }, [&] { return qint64(e->kinds().size()); });
    measure(
        "filter: kind consent.denied", [&] { e->setKindFilter(QStringLiteral("consent.denied")); },
        [&] { return qint64(e->rowCount()); });
    measure(
        "filter: + one agent", [&] { e->setClientFilter(clientId(18)); }, [&] { return qint64(e->rowCount()); });
    e->clearFilters();
    measure(
        "filter: one resource", [&] { e->setResourceFilter(resourceUri(5)); }, [&] { return qint64(e->rowCount()); });
    e->clearFilters();
    const qint64 nowMs = nowSecs * 1000;
    measure(
        "filter: one day, 200 days ago",
        [&] {
            e->setFromMs(nowMs - 201LL * 86400 * 1000);
            e->setToMs(nowMs - 200LL * 86400 * 1000);
        },
        [&] { return qint64(e->rowCount()); });
    e->clearFilters();
    measure(
        "search: rare text (\"req123454\")", [&] { e->setSearchText(QStringLiteral("req123454")); },
        [&] { return qint64(e->rowCount()); });
    measure(
        "search: common text (\"files:read\")", [&] { e->setSearchText(QStringLiteral("files:read")); },
        [&] { return qint64(e->rowCount()); });
    measure(
        "search: absent text (\"no such thing\")", [&] { e->setSearchText(QStringLiteral("no such thing")); },
        [&] { return qint64(e->rowCount()); });
    measure(
        "search: short text (\"1d\", no index)", [&] { e->setSearchText(QStringLiteral("1d")); },
        [&] { return qint64(e->rowCount()); });
    measure(
        "search + kind (\"bench\", grant.revoked)",
        [&] {
            e->setSearchText(QStringLiteral("bench"));
            e->setKindFilter(QStringLiteral("grant.revoked"));
        },
        [&] { return qint64(e->rowCount()); });
    return 0;
}
