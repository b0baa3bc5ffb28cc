// SPDX-License-Identifier: GPL-3.0-or-later
// tessera-cli token | whoami: access tokens for local tools that do not speak OAuth.
#include "cli.h"
#include "localaccesscli.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonObject>

#include <sys/prctl.h>

namespace Tessera::Cli {
namespace {

int runToken(Context &ctx, const QStringList &args)
{
    QCommandLineParser p;
    p.addOption({ QStringLiteral("resource"), QStringLiteral("The resource (MCP server) URI the token is for"),
        QStringLiteral("uri") });
    p.addOption({ QStringLiteral("scope"),
        QStringLiteral("A scope to ask for (repeatable); default: the resource's default scopes"),
        QStringLiteral("scope") });
    p.addOption({ QStringLiteral("ask"), QStringLiteral("Ask the person again after a revocation") });
    p.addOption(
        { QStringLiteral("no-prompt"), QStringLiteral("Fail (exit 3) instead of asking when not yet approved") });
    if (auto stop = parseArgs(ctx, p, args, QStringLiteral("token"),
            QStringLiteral(
                "Prints an access token for the resource on stdout, and nothing else.\n\n"
                "The first call asks the person (desktop prompt or `tessera-cli watch`); once approved, later\n"
                "calls are silent until the grant ends: Tessera keeps this caller's refresh token in the\n"
                "keychain (client-token/<client>/<resource>) and refreshes it itself. The refresh token never\n"
                "leaves Tessera. After `tessera-cli revoke` the call fails with exit code 3 until you run it\n"
                "with --ask.\n\n"
                "The caller is the program that started tessera-cli (shells skipped): each executable is its own\n"
                "client (kind local). `tessera-cli whoami` shows what Tessera sees.\n\n"
                "  curl -H \"Authorization: Bearer $(tessera-cli token --resource http://127.0.0.1:8931/mcp)\" ...\n\n"
                "--json prints the token response (access_token, token_type, expires_in, scope).\n"
                "Exit codes: 0 ok, 1 failure, 2 usage, 3 denied or revoked, 4 nobody answered in time,\n"
                "5 Tessera not running, 6 keychain unavailable.")))
        return *stop;
    if (!p.isSet(QStringLiteral("resource")) || !p.positionalArguments().isEmpty())
        return ctx.usage(QStringLiteral("token"), QStringLiteral("needs --resource URI and no other arguments"));
    if (p.isSet(QStringLiteral("ask")) && p.isSet(QStringLiteral("no-prompt")))
        return ctx.usage(QStringLiteral("token"), QStringLiteral("--ask and --no-prompt contradict each other"));
    auto r = callClientWaiting(ctx, QStringLiteral("token"),
        { { QStringLiteral("resource"), p.value(QStringLiteral("resource")) },
            { QStringLiteral("scopes"), QJsonArray::fromStringList(p.values(QStringLiteral("scope"))) },
            { QStringLiteral("ask"), p.isSet(QStringLiteral("ask")) },
            { QStringLiteral("noPrompt"), p.isSet(QStringLiteral("no-prompt")) } });
    if (!r)
        return ctx.fail(r.error());
    QJsonObject response = r->toObject();
    response.remove(QStringLiteral("refresh_token")); // Tessera never sends one; belt and braces
    if (ctx.json)
        ctx.printJson(response);
    else
        ctx.out << response.value(QStringLiteral("access_token")).toString() << '\n';
    ctx.out.flush();
    return 0;
}

int runWhoami(Context &ctx, const QStringList &args)
{
    QCommandLineParser p;
    if (auto stop = parseArgs(ctx, p, args, QStringLiteral("whoami"),
            QStringLiteral("Shows the caller chain Tessera sees on the client socket, and the local client\n"
                           "`token` and `exec` requests from here are attributed to.")))
        return *stop;
    if (!p.positionalArguments().isEmpty())
        return ctx.usage(QStringLiteral("whoami"), QStringLiteral("takes no arguments"));
    auto r = callClient(ctx, QStringLiteral("whoami"));
    if (!r)
        return ctx.fail(r.error());
    if (ctx.json) {
        QJsonObject o = r->toObject();
        o.insert(QStringLiteral("cliDumpable"), ::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0); // R9: false
        ctx.printJson(o);
        return 0;
    }
    const QJsonObject o = r->toObject();
    ctx.out << "client   " << o.value(QStringLiteral("clientId")).toString() << " (kind local)\n";
    ctx.out << "caller   " << pathText(o.value(QStringLiteral("callerExe")).toString()) << " (pid "
            << o.value(QStringLiteral("callerPid")).toInteger() << ")\n";
    ctx.out << "chain    (nearest first; pids and executables as /proc reported them)\n";
    for (const QJsonValue &v : o.value(QStringLiteral("chain")).toArray()) {
        const QJsonObject pr = v.toObject();
        const bool caller
            = pr.value(QStringLiteral("pid")).toInteger() == o.value(QStringLiteral("callerPid")).toInteger();
        ctx.out << (caller ? "  > " : "    ")
                << QString::number(pr.value(QStringLiteral("pid")).toInteger()).rightJustified(7) << "  "
                << pathText(pr.value(QStringLiteral("exe")).toString()) << '\n';
    }
    ctx.out.flush();
    return 0;
}

const bool r1 = registerCommand({ QStringLiteral("token"),
    QStringLiteral("Print an access token: token --resource URI [--scope S]..."), runToken });
const bool r2 = registerCommand(
    { QStringLiteral("whoami"), QStringLiteral("Show the caller chain Tessera sees for this terminal"), runWhoami });

} // namespace
} // namespace Tessera::Cli
