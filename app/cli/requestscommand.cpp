// SPDX-License-Identifier: GPL-3.0-or-later
// tessera-cli requests | approve | deny: decide pending consent requests from a terminal.
#include "cli.h"
#include "common/displaytext.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>

namespace Tessera::Cli {
namespace {

void printRequest(const Context &ctx, const QJsonObject &r)
{
    const QJsonObject who = r.value(QStringLiteral("requester")).toObject();
    const QJsonObject res = r.value(QStringLiteral("resource")).toObject();
    const qint64 left
        = (r.value(QStringLiteral("expiresAtMs")).toInteger() - QDateTime::currentMSecsSinceEpoch()) / 1000;
    ctx.out << r.value(QStringLiteral("id")).toString() << "  (" << r.value(QStringLiteral("path")).toString()
            << ", answer " << humanDuration(left) << ")\n";
    const QString kind = who.value(QStringLiteral("kind")).toString();
    ctx.out << "  who        \"" << who.value(QStringLiteral("name")).toString() << "\" (" << nameNote(kind)
            << "; client " << who.value(QStringLiteral("clientId")).toString() << ", " << kind << ")\n";
    if (!who.value(QStringLiteral("verifiedDomain")).toString().isEmpty())
        ctx.out << "  verified   metadata fetched from https://"
                << who.value(QStringLiteral("verifiedDomain")).toString() << '\n';
    bool lookalike = false;
    const auto printChain = [&](const QJsonArray &chain, const char *label) {
        for (const QJsonValue &p : chain) {
            const QJsonObject o = p.toObject();
            ctx.out << "  " << QString::fromLatin1(label).leftJustified(11)
                    << pathText(o.value(QStringLiteral("exe")).toString()) << " (pid "
                    << o.value(QStringLiteral("pid")).toInteger() << ")\n";
            lookalike = lookalike || hasLookalikeSlash(o.value(QStringLiteral("exe")).toString());
        }
    };
    printChain(who.value(QStringLiteral("processChain")).toArray(), "process");
    // R5: identical requests merged into this one, and who is behind each of them.
    if (const qint64 merged = r.value(QStringLiteral("merged")).toInteger(1); merged > 1) {
        ctx.out << "  asked      " << merged << " times; one answer covers all of them (once: only the newest)\n";
        for (const QJsonValue &c : r.value(QStringLiteral("mergedChains")).toArray())
            printChain(c.toArray(), "also from");
    }
    if (lookalike)
        ctx.out << "  warning    " << kLookalikeWarning << '\n';
    if (!who.value(QStringLiteral("redirectUri")).toString().isEmpty())
        ctx.out << "  sends to   " << who.value(QStringLiteral("redirectUri")).toString() << '\n';
    if (who.value(QStringLiteral("newClient")).toBool())
        ctx.out << "  warning    this agent has never been approved before\n";
    if (who.value(QStringLiteral("loopbackRedirect")).toBool())
        ctx.out << "  warning    loopback-only client: any local program could have registered it\n";
    for (const QJsonValue &w : who.value(QStringLiteral("receiverWarnings")).toArray())
        ctx.out << "  warning    " << w.toString() << '\n';
    // exec: what will run and which secrets it gets (names only; values never leave the keychain here).
    if (const QString command = who.value(QStringLiteral("commandLine")).toString(); !command.isEmpty()) {
        ctx.out << "  command    " << command << '\n';
        if (needsEscaping(command))
            ctx.out << "             " << kEscapeLegend << '\n';
    }
    for (const QJsonValue &s : r.value(QStringLiteral("secrets")).toArray())
        ctx.out << "  secret     " << s.toString() << '\n';
    if (!res.value(QStringLiteral("uri")).toString().isEmpty())
        ctx.out << "  resource   " << res.value(QStringLiteral("name")).toString() << " ("
                << res.value(QStringLiteral("uri")).toString() << ")\n";
    for (const QJsonValue &s : r.value(QStringLiteral("scopes")).toArray()) {
        const QJsonObject o = s.toObject();
        ctx.out << "  scope      " << o.value(QStringLiteral("name")).toString().leftJustified(20)
                << (o.value(QStringLiteral("risk")).toString() == QStringLiteral("high") ? " HIGH RISK "
                                                                                         : "           ")
                << (o.value(QStringLiteral("alreadyGranted")).toBool() ? "(already granted) " : "(new) ")
                << o.value(QStringLiteral("description")).toString() << '\n';
    }
    ctx.out << '\n';
}

int runRequests(Context &ctx, const QStringList &args)
{
    QCommandLineParser p;
    if (auto stop = parseArgs(ctx, p, args, QStringLiteral("requests"),
            QStringLiteral("Lists consent requests waiting for a decision. Decide with approve/deny.")))
        return *stop;
    auto r = callOperator(ctx, QStringLiteral("requests"));
    if (!r)
        return ctx.fail(r.error());
    if (ctx.json) {
        ctx.printJson(*r);
        return 0;
    }
    const QJsonArray list = r->toArray();
    if (list.isEmpty())
        ctx.out << "No requests are waiting.\n";
    for (const QJsonValue &v : list)
        printRequest(ctx, v.toObject());
    ctx.out.flush();
    return 0;
}

int runApprove(Context &ctx, const QStringList &args)
{
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("id"), QStringLiteral("Request id (or a unique prefix of 6+ characters)"));
    p.addOption({ QStringLiteral("scope"),
        QStringLiteral("Approve only this scope (repeatable); default: every requested scope"),
        QStringLiteral("scope") });
    p.addOption({ QStringLiteral("for"), QStringLiteral("How long: once, 1h, 1d or forever (default 1h)"),
        QStringLiteral("duration"), QStringLiteral("1h") });
    p.addOption({ QStringLiteral("extend-held"),
        QStringLiteral(
            "Step-up: give the permissions already granted this duration too (default: each keeps its own)") });
    if (auto stop = parseArgs(ctx, p, args, QStringLiteral("approve"),
            QStringLiteral("Approves a pending request, all or part of it, for a while.")))
        return *stop;
    if (p.positionalArguments().size() != 1)
        return ctx.usage(QStringLiteral("approve"), QStringLiteral("needs exactly one request id"));
    auto r = callOperator(ctx, QStringLiteral("approve"),
        { { QStringLiteral("id"), p.positionalArguments().first() },
            { QStringLiteral("scopes"), QJsonArray::fromStringList(p.values(QStringLiteral("scope"))) },
            { QStringLiteral("duration"), p.value(QStringLiteral("for")) },
            { QStringLiteral("extendHeld"), p.isSet(QStringLiteral("extend-held")) } });
    if (!r)
        return ctx.fail(r.error());
    if (ctx.json) {
        ctx.printJson(*r);
        return 0;
    }
    const QJsonObject d = r->toObject().value(QStringLiteral("decision")).toObject();
    QStringList scopes;
    for (const QJsonValue &s : d.value(QStringLiteral("scopes")).toArray())
        scopes << s.toString();
    // An exec request without a resource has no scopes: what was approved is the command.
    ctx.out << "Approved " << (scopes.isEmpty() ? QStringLiteral("the request") : scopes.join(QStringLiteral(", ")))
            << " for " << d.value(QStringLiteral("duration")).toString() << ".\n";
    return 0;
}

int runDeny(Context &ctx, const QStringList &args)
{
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("id"), QStringLiteral("Request id (or a unique prefix of 6+ characters)"));
    if (auto stop = parseArgs(ctx, p, args, QStringLiteral("deny"), QStringLiteral("Denies a pending request.")))
        return *stop;
    if (p.positionalArguments().size() != 1)
        return ctx.usage(QStringLiteral("deny"), QStringLiteral("needs exactly one request id"));
    auto r = callOperator(ctx, QStringLiteral("deny"), { { QStringLiteral("id"), p.positionalArguments().first() } });
    if (!r)
        return ctx.fail(r.error());
    if (ctx.json)
        ctx.printJson(*r);
    else
        ctx.out << "Denied.\n";
    return 0;
}

const bool registeredRequests = registerCommand(
    { QStringLiteral("requests"), QStringLiteral("List consent requests waiting for a decision"), runRequests });
const bool registeredApprove = registerCommand({ QStringLiteral("approve"),
    QStringLiteral("Approve a request: approve ID [--scope S]... [--for once|1h|1d|forever]"), runApprove });
const bool registeredDeny
    = registerCommand({ QStringLiteral("deny"), QStringLiteral("Deny a request: deny ID"), runDeny });

} // namespace
} // namespace Tessera::Cli
