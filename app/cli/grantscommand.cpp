// SPDX-License-Identifier: GPL-3.0-or-later
// tessera-cli grants | revoke | freeze | unfreeze | clients | client add | client forget.
#include "cli.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>

namespace Tessera::Cli {
namespace {

int runGrants(Context &ctx, const QStringList &args)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("state"), QStringLiteral("active, expired, revoked or any (default any)"),
        QStringLiteral("state"), QStringLiteral("any") });
    p.addOption({ QStringLiteral("client"), QStringLiteral("Only this client's grants"), QStringLiteral("client-id") });
    if (auto stop = parseArgs(ctx, p, args, QStringLiteral("grants"), QStringLiteral("Lists grants, newest first.")))
        return *stop;
    QJsonObject params { { QStringLiteral("state"), p.value(QStringLiteral("state")) } };
    if (p.isSet(QStringLiteral("client")))
        params.insert(QStringLiteral("client"), p.value(QStringLiteral("client")));
    auto r = callOperator(ctx, QStringLiteral("grants"), params);
    if (!r)
        return ctx.fail(r.error());
    if (ctx.json) {
        ctx.printJson(*r);
        return 0;
    }
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QList<QStringList> rows;
    for (const QJsonValue &v : r->toArray()) {
        const QJsonObject g = v.toObject();
        QStringList scopes;
        for (const QJsonValue &s : g.value(QStringLiteral("scopes")).toArray())
            scopes << s.toString();
        const QJsonValue exp = g.value(QStringLiteral("expiresAt"));
        rows.append({ g.value(QStringLiteral("id")).toString(), g.value(QStringLiteral("clientName")).toString(),
            g.value(QStringLiteral("resourceName")).toString(), scopes.join(u' '),
            g.value(QStringLiteral("state")).toString(),
            exp.isNull() ? QStringLiteral("until revoked") : humanDuration(exp.toInteger() - now),
            QString::number(g.value(QStringLiteral("useCount")).toInteger()) });
    }
    ctx.out << (rows.isEmpty() ? own(QStringLiteral("No grants.\n"))
                               : table({ QStringLiteral("ID"), QStringLiteral("AGENT"), QStringLiteral("RESOURCE"),
                                           QStringLiteral("SCOPES"), QStringLiteral("STATE"), QStringLiteral("EXPIRES"),
                                           QStringLiteral("USES") },
                                   rows));
    return 0;
}

int runRevoke(Context &ctx, const QStringList &args)
{
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("grant"), QStringLiteral("The grant id to revoke"));
    p.addOption(
        { QStringLiteral("client"), QStringLiteral("Revoke every grant of this client"), QStringLiteral("client-id") });
    p.addOption({ QStringLiteral("all"), QStringLiteral("Revoke every grant") });
    if (auto stop = parseArgs(ctx, p, args, QStringLiteral("revoke"),
            QStringLiteral(
                "Revokes a grant, every grant of a client, or all grants (exec grants included: ids exec-...).\n"
                "Refresh tokens stop working at once;\n"
                "access tokens already issued are reported inactive by introspection and expire within\n"
                "their lifetime (default 5 minutes).")))
        return *stop;
    const int forms = int(p.positionalArguments().size() == 1) + int(p.isSet(QStringLiteral("client")))
        + int(p.isSet(QStringLiteral("all")));
    if (forms != 1 || p.positionalArguments().size() > 1)
        return ctx.usage(QStringLiteral("revoke"), QStringLiteral("give one of: GRANT_ID, --client ID, --all"));
    QJsonObject params;
    if (p.isSet(QStringLiteral("all")))
        params.insert(QStringLiteral("all"), true);
    else if (p.isSet(QStringLiteral("client")))
        params.insert(QStringLiteral("client"), p.value(QStringLiteral("client")));
    else
        params.insert(QStringLiteral("grant"), p.positionalArguments().first());
    // Exec grants (`tessera-cli exec-grants`, ids "exec-...") are revoked on their own method;
    // --client and --all revoke both kinds.
    const bool execGrant = params.value(QStringLiteral("grant")).toString().startsWith(QStringLiteral("exec-"));
    auto r = callOperator(ctx, execGrant ? QStringLiteral("exec.revoke") : QStringLiteral("revoke"), params);
    if (!r)
        return ctx.fail(r.error());
    if (!params.contains(QStringLiteral("grant"))) {
        auto e = callOperator(ctx, QStringLiteral("exec.revoke"), params);
        if (!e)
            return ctx.fail(e.error());
        r = QJsonValue(QJsonObject { { QStringLiteral("revoked"),
            r->toObject().value(QStringLiteral("revoked")).toInt()
                + e->toObject().value(QStringLiteral("revoked")).toInt() } });
    }
    if (ctx.json)
        ctx.printJson(*r);
    else
        ctx.out << "Revoked " << r->toObject().value(QStringLiteral("revoked")).toInt() << " grant(s).\n";
    return 0;
}

int runFreeze(Context &ctx, const QStringList &args, bool frozen)
{
    QCommandLineParser p;
    const QString name = frozen ? QStringLiteral("freeze") : QStringLiteral("unfreeze");
    if (auto stop = parseArgs(ctx, p, args, name,
            frozen ? QStringLiteral("Kill switch: denies pending requests, refuses new ones and stops issuing tokens.")
                   : QStringLiteral("Ends a freeze.")))
        return *stop;
    auto r = callOperator(ctx, QStringLiteral("freeze"), { { QStringLiteral("frozen"), frozen } });
    if (!r)
        return ctx.fail(r.error());
    if (ctx.json)
        ctx.printJson(*r);
    else if (!frozen)
        ctx.out << "Tessera is no longer frozen.\n";
    else {
        ctx.out << "Tessera is frozen: no token is issued or refreshed, and introspection, token and exec refuse,\n"
                   "until you run `tessera-cli unfreeze`.\n";
        // R11: say exactly what a freeze cannot stop.
        const qint64 last = r->toObject().value(QStringLiteral("lastAccessTokenExpiresAt")).toInteger();
        if (last > 0)
            ctx.out << "Access tokens already issued keep working at servers that check them themselves until "
                    << QDateTime::fromSecsSinceEpoch(last).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                    << " (the last one expires then).\n";
        else
            ctx.out << "No access token issued earlier is still valid.\n";
    }
    return 0;
}

int runClients(Context &ctx, const QStringList &args)
{
    QCommandLineParser p;
    if (auto stop
        = parseArgs(ctx, p, args, QStringLiteral("clients"), QStringLiteral("Lists registered clients (agents).")))
        return *stop;
    auto r = callOperator(ctx, QStringLiteral("clients"));
    if (!r)
        return ctx.fail(r.error());
    if (ctx.json) {
        ctx.printJson(*r);
        return 0;
    }
    QList<QStringList> rows;
    for (const QJsonValue &v : r->toArray()) {
        const QJsonObject c = v.toObject();
        const QString kind = c.value(QStringLiteral("kind")).toString();
        // Raw: table() escapes each cell once.
        rows.append({ c.value(QStringLiteral("clientId")).toString(), kind,
            u'"' + c.value(QStringLiteral("name")).toString() + QStringLiteral("\" (") + QLatin1String(nameNote(kind))
                + u')',
            humanTime(c.value(QStringLiteral("lastSeenAt"))) });
    }
    ctx.out << (rows.isEmpty() ? own(QStringLiteral("No clients.\n"))
                               : table({ QStringLiteral("CLIENT ID"), QStringLiteral("KIND"), QStringLiteral("NAME"),
                                           QStringLiteral("LAST SEEN") },
                                   rows));
    return 0;
}

int runClientForget(Context &ctx, const QStringList &args)
{
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("client-id"), QStringLiteral("The client to forget"));
    if (auto stop = parseArgs(ctx, p, args.mid(1), QStringLiteral("client forget"),
            QStringLiteral("Forgets a client: revokes its grants and deletes its registration. It may register "
                           "again, and is then asked about anew.")))
        return *stop;
    if (p.positionalArguments().size() != 1)
        return ctx.usage(QStringLiteral("client forget"), QStringLiteral("needs exactly one client ID"));
    const QString clientId = p.positionalArguments().first();
    auto r = callOperator(ctx, QStringLiteral("client.forget"), { { QStringLiteral("client"), clientId } });
    if (!r)
        return ctx.fail(r.error());
    if (ctx.json) {
        ctx.printJson(*r);
        return 0;
    }
    ctx.out << "Forgot " << clientId
            << "; grants revoked: " << r->toObject().value(QStringLiteral("grantsRevoked")).toInt() << '\n';
    return 0;
}

int runClient(Context &ctx, const QStringList &args)
{
    if (args.value(1) == QStringLiteral("forget"))
        return runClientForget(ctx, args);
    if (args.value(1) != QStringLiteral("add")) {
        ctx.err << "Usage: tessera-cli client add --name NAME --redirect-uri URI... [--confidential]\n"
                   "       tessera-cli client forget CLIENT_ID\n";
        return args.value(1) == QStringLiteral("--help") ? 0 : 2;
    }
    QCommandLineParser p;
    p.addOption({ QStringLiteral("name"),
        QStringLiteral("Client name (you chose it, so it is not marked self-asserted)"), QStringLiteral("name") });
    p.addOption(
        { QStringLiteral("redirect-uri"), QStringLiteral("Allowed redirect URI (repeatable)"), QStringLiteral("uri") });
    p.addOption({ QStringLiteral("confidential"), QStringLiteral("Issue a client secret (printed once)") });
    if (auto stop = parseArgs(
            ctx, p, args.mid(1), QStringLiteral("client add"), QStringLiteral("Pre-registers an OAuth client.")))
        return *stop;
    if (!p.isSet(QStringLiteral("name")) || !p.isSet(QStringLiteral("redirect-uri")))
        return ctx.usage(QStringLiteral("client add"), QStringLiteral("needs --name and at least one --redirect-uri"));
    auto r = callOperator(ctx, QStringLiteral("client.add"),
        { { QStringLiteral("name"), p.value(QStringLiteral("name")) },
            { QStringLiteral("redirectUris"), QJsonArray::fromStringList(p.values(QStringLiteral("redirect-uri"))) },
            { QStringLiteral("confidential"), p.isSet(QStringLiteral("confidential")) } });
    if (!r)
        return ctx.fail(r.error());
    if (ctx.json) {
        ctx.printJson(*r);
        return 0;
    }
    ctx.out << "client_id      " << r->toObject().value(QStringLiteral("clientId")).toString() << '\n';
    if (r->toObject().contains(QStringLiteral("clientSecret")))
        ctx.out << "client_secret  " << r->toObject().value(QStringLiteral("clientSecret")).toString()
                << "  (shown once)\n";
    return 0;
}

const bool r1 = registerCommand({ QStringLiteral("grants"), QStringLiteral("List grants"), runGrants });
const bool r2 = registerCommand({ QStringLiteral("revoke"),
    QStringLiteral("Revoke a grant, a client's grants, or all: revoke ID|--client ID|--all"), runRevoke });
const bool r3
    = registerCommand({ QStringLiteral("freeze"), QStringLiteral("Kill switch: refuse everything until unfrozen"),
        [](Context &ctx, const QStringList &args) { return runFreeze(ctx, args, true); } });
const bool r4 = registerCommand({ QStringLiteral("unfreeze"), QStringLiteral("End a freeze"),
    [](Context &ctx, const QStringList &args) { return runFreeze(ctx, args, false); } });
const bool r5
    = registerCommand({ QStringLiteral("clients"), QStringLiteral("List registered clients (agents)"), runClients });
const bool r6 = registerCommand({ QStringLiteral("client"),
    QStringLiteral("Pre-register or forget a client: client add --name N --redirect-uri U | client forget ID"),
    runClient });

} // namespace
} // namespace Tessera::Cli
