// SPDX-License-Identifier: GPL-3.0-or-later
// tessera-cli resource add|list|show|remove|prm: the MCP servers Tessera protects.
#include "cli.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonObject>

namespace Tessera::Cli {
namespace {

const QString kUsage
    = QStringLiteral("Usage: tessera-cli resource add NAME --uri URI --scope SCOPE[:high][=Description]... [options]\n"
                     "       tessera-cli resource update NAME [--display-name T] [--token-lifetime SECS]\n"
                     "                [--scope SPEC]... [--default-scope S]... [--introspection | --no-introspection]\n"
                     "                [--renew-secret]\n"
                     "       tessera-cli resource list | show NAME | remove NAME | prm NAME\n\n"
                     "A resource is a protected local service, usually an MCP server, at an exact URI.\n"
                     "`prm NAME` prints the RFC 9728 protected-resource metadata the server should serve at\n"
                     "/.well-known/oauth-protected-resource<path>.\n");

/** "files:read", "files:write:high", "files:write:high=Write files" */
QJsonObject parseScopeSpec(const QString &spec)
{
    QString name = spec;
    QString description;
    const qsizetype eq = spec.indexOf(u'=');
    if (eq >= 0) {
        name = spec.left(eq);
        description = spec.mid(eq + 1);
    }
    QString risk = QStringLiteral("low");
    for (const QString &level : { QStringLiteral("high"), QStringLiteral("low") }) {
        if (name.endsWith(u':' + level)) {
            risk = level;
            name.chop(level.size() + 1);
        }
    }
    return QJsonObject { { QStringLiteral("name"), name }, { QStringLiteral("description"), description },
        { QStringLiteral("risk"), risk } };
}

void printResource(const Context &ctx, const QJsonObject &r)
{
    ctx.out << r.value(QStringLiteral("name")).toString() << "  " << r.value(QStringLiteral("uri")).toString() << '\n'
            << "  display name   " << r.value(QStringLiteral("displayName")).toString() << '\n'
            << "  token lifetime " << r.value(QStringLiteral("tokenLifetimeSecs")).toInteger() << " s\n"
            << "  introspection  " << (r.value(QStringLiteral("introspection")).toBool() ? "enabled" : "off") << '\n'
            << "  metadata URL   " << r.value(QStringLiteral("protectedResourceMetadataUrl")).toString() << '\n'
            << "  scopes:\n";
    const QJsonArray defaults = r.value(QStringLiteral("defaultScopes")).toArray();
    for (const QJsonValue &v : r.value(QStringLiteral("scopes")).toArray()) {
        const QJsonObject s = v.toObject();
        ctx.out << "    " << s.value(QStringLiteral("name")).toString().leftJustified(20) << ' '
                << s.value(QStringLiteral("risk")).toString().leftJustified(5)
                << (defaults.contains(s.value(QStringLiteral("name"))) ? "default  " : "         ")
                << s.value(QStringLiteral("description")).toString() << '\n';
    }
}

int add(Context &ctx, const QStringList &args)
{
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("name"), QStringLiteral("Short handle, e.g. files"));
    p.addOption({ QStringLiteral("uri"), QStringLiteral("Exact resource URI, e.g. http://127.0.0.1:8931/mcp"),
        QStringLiteral("uri") });
    p.addOption({ QStringLiteral("scope"),
        QStringLiteral("A scope: NAME, NAME:high (high risk) or NAME:high=Description. Repeat for more."),
        QStringLiteral("scope") });
    p.addOption({ QStringLiteral("default-scope"),
        QStringLiteral("Scope granted when a client asks for none (default: the low-risk ones). Repeatable."),
        QStringLiteral("scope") });
    p.addOption({ QStringLiteral("display-name"), QStringLiteral("Name shown to the person"), QStringLiteral("text") });
    p.addOption({ QStringLiteral("token-lifetime"), QStringLiteral("Access token lifetime in seconds (default 300)"),
        QStringLiteral("secs") });
    p.addOption({ QStringLiteral("introspection"),
        QStringLiteral("Give the resource server credentials for /introspect (the secret is printed once)") });
    if (auto stop = parseArgs(ctx, p, args, QStringLiteral("resource add"), kUsage))
        return *stop;
    if (p.positionalArguments().size() != 1 || !p.isSet(QStringLiteral("uri")) || !p.isSet(QStringLiteral("scope")))
        return ctx.usage(QStringLiteral("resource add"), QStringLiteral("needs NAME, --uri and at least one --scope"));
    QJsonArray scopes;
    for (const QString &spec : p.values(QStringLiteral("scope")))
        scopes.append(parseScopeSpec(spec));
    QJsonObject params { { QStringLiteral("name"), p.positionalArguments().first() },
        { QStringLiteral("uri"), p.value(QStringLiteral("uri")) }, { QStringLiteral("scopes"), scopes },
        { QStringLiteral("defaultScopes"), QJsonArray::fromStringList(p.values(QStringLiteral("default-scope"))) },
        { QStringLiteral("displayName"), p.value(QStringLiteral("display-name")) },
        { QStringLiteral("introspection"), p.isSet(QStringLiteral("introspection")) } };
    if (p.isSet(QStringLiteral("token-lifetime"))) {
        bool ok = false;
        const qint64 secs = p.value(QStringLiteral("token-lifetime")).toLongLong(&ok);
        if (!ok || secs <= 0)
            return ctx.usage(
                QStringLiteral("resource add"), QStringLiteral("--token-lifetime takes a number of seconds"));
        params.insert(QStringLiteral("tokenLifetimeSecs"), secs);
    }
    auto r = callOperator(ctx, QStringLiteral("resource.add"), params);
    if (!r)
        return ctx.fail(r.error());
    if (ctx.json) {
        ctx.printJson(*r);
        return 0;
    }
    ctx.out << "Added resource:\n";
    printResource(ctx, r->toObject());
    if (r->toObject().contains(QStringLiteral("introspectionSecret")))
        ctx.out << "\nIntrospection credentials (shown once; give them to the resource server):\n  user     "
                << r->toObject().value(QStringLiteral("name")).toString() << "\n  password "
                << r->toObject().value(QStringLiteral("introspectionSecret")).toString() << '\n';
    return 0;
}

int update(Context &ctx, const QStringList &args)
{
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("name"), QStringLiteral("The resource to change"));
    p.addOption({ QStringLiteral("scope"), QStringLiteral("Replace the scopes: NAME[:high][=Description]. Repeatable."),
        QStringLiteral("scope") });
    p.addOption({ QStringLiteral("default-scope"),
        QStringLiteral("Scope granted when a client asks for none. Repeatable."), QStringLiteral("scope") });
    p.addOption({ QStringLiteral("display-name"), QStringLiteral("Name shown to the person"), QStringLiteral("text") });
    p.addOption({ QStringLiteral("token-lifetime"), QStringLiteral("Access token lifetime in seconds"),
        QStringLiteral("secs") });
    p.addOption(
        { QStringLiteral("introspection"), QStringLiteral("Allow /introspect (a secret is printed once if new)") });
    p.addOption({ QStringLiteral("no-introspection"), QStringLiteral("Stop the resource server from introspecting") });
    p.addOption(
        { QStringLiteral("renew-secret"), QStringLiteral("Issue a new introspection secret; the old one stops") });
    if (auto stop = parseArgs(ctx, p, args, QStringLiteral("resource update"), kUsage))
        return *stop;
    if (p.positionalArguments().size() != 1)
        return ctx.usage(QStringLiteral("resource update"), QStringLiteral("needs the resource's NAME"));
    if (p.isSet(QStringLiteral("introspection")) && p.isSet(QStringLiteral("no-introspection")))
        return ctx.usage(
            QStringLiteral("resource update"), QStringLiteral("--introspection or --no-introspection, not both"));
    QJsonObject params { { QStringLiteral("name"), p.positionalArguments().first() } };
    if (p.isSet(QStringLiteral("display-name")))
        params.insert(QStringLiteral("displayName"), p.value(QStringLiteral("display-name")));
    if (p.isSet(QStringLiteral("token-lifetime"))) {
        bool ok = false;
        const qint64 secs = p.value(QStringLiteral("token-lifetime")).toLongLong(&ok);
        if (!ok || secs <= 0)
            return ctx.usage(
                QStringLiteral("resource update"), QStringLiteral("--token-lifetime takes a number of seconds"));
        params.insert(QStringLiteral("tokenLifetimeSecs"), secs);
    }
    if (p.isSet(QStringLiteral("scope"))) {
        QJsonArray scopes;
        for (const QString &spec : p.values(QStringLiteral("scope")))
            scopes.append(parseScopeSpec(spec));
        params.insert(QStringLiteral("scopes"), scopes);
    }
    if (p.isSet(QStringLiteral("default-scope")))
        params.insert(
            QStringLiteral("defaultScopes"), QJsonArray::fromStringList(p.values(QStringLiteral("default-scope"))));
    if (p.isSet(QStringLiteral("introspection")) || p.isSet(QStringLiteral("no-introspection")))
        params.insert(QStringLiteral("introspection"), p.isSet(QStringLiteral("introspection")));
    if (p.isSet(QStringLiteral("renew-secret")))
        params.insert(QStringLiteral("renewSecret"), true);
    auto r = callOperator(ctx, QStringLiteral("resource.update"), params);
    if (!r)
        return ctx.fail(r.error());
    if (ctx.json) {
        ctx.printJson(*r);
        return 0;
    }
    ctx.out << "Updated resource:\n";
    printResource(ctx, r->toObject());
    if (r->toObject().contains(QStringLiteral("introspectionSecret")))
        ctx.out << "\nNew introspection credentials (shown once; give them to the resource server):\n  user     "
                << r->toObject().value(QStringLiteral("name")).toString() << "\n  password "
                << r->toObject().value(QStringLiteral("introspectionSecret")).toString() << '\n';
    return 0;
}

int runResource(Context &ctx, const QStringList &args)
{
    const QString sub = args.value(1);
    if (sub.isEmpty() || sub == QStringLiteral("--help") || sub == QStringLiteral("-h")) {
        (sub.isEmpty() ? ctx.err : ctx.out) << own(kUsage);
        return sub.isEmpty() ? 2 : 0;
    }
    const QStringList rest = args.mid(1);
    if (sub == QStringLiteral("add"))
        return add(ctx, rest);
    if (sub == QStringLiteral("update"))
        return update(ctx, rest);
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("name"), QStringLiteral("The resource's name"));
    if (auto stop = parseArgs(ctx, p, rest, QStringLiteral("resource ") + sub, kUsage))
        return *stop;
    if (sub == QStringLiteral("list")) {
        auto r = callOperator(ctx, QStringLiteral("resource.list"));
        if (!r)
            return ctx.fail(r.error());
        if (ctx.json) {
            ctx.printJson(*r);
            return 0;
        }
        QList<QStringList> rows;
        for (const QJsonValue &v : r->toArray()) {
            const QJsonObject o = v.toObject();
            QStringList scopes;
            for (const QJsonValue &s : o.value(QStringLiteral("scopes")).toArray())
                scopes << s.toObject().value(QStringLiteral("name")).toString();
            rows.append({ o.value(QStringLiteral("name")).toString(), o.value(QStringLiteral("uri")).toString(),
                scopes.join(u' ') });
        }
        ctx.out << (rows.isEmpty()
                ? own(QStringLiteral("No resources. Add one with `tessera-cli resource add`.\n"))
                : table({ QStringLiteral("NAME"), QStringLiteral("URI"), QStringLiteral("SCOPES") }, rows));
        return 0;
    }
    const QStringList known { QStringLiteral("show"), QStringLiteral("remove"), QStringLiteral("prm") };
    if (!known.contains(sub))
        return ctx.usage(QStringLiteral("resource"), QStringLiteral("unknown subcommand \"%1\"").arg(sub));
    if (p.positionalArguments().size() != 1)
        return ctx.usage(QStringLiteral("resource ") + sub, QStringLiteral("needs exactly one NAME"));
    auto r = callOperator(
        ctx, QStringLiteral("resource.") + sub, { { QStringLiteral("name"), p.positionalArguments().first() } });
    if (!r)
        return ctx.fail(r.error());
    if (ctx.json || sub == QStringLiteral("prm")) {
        ctx.printJson(*r);
        return 0;
    }
    if (sub == QStringLiteral("show"))
        printResource(ctx, r->toObject());
    else
        ctx.out << (r->toObject().value(QStringLiteral("removed")).toBool() ? "Removed.\n" : "Nothing to remove.\n");
    return 0;
}

const bool registered = registerCommand({ QStringLiteral("resource"),
    QStringLiteral("Add, update, list, show or remove protected resources; print their metadata (prm)"), runResource });

} // namespace
} // namespace Tessera::Cli
