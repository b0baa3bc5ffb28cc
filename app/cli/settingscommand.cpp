// SPDX-License-Identifier: GPL-3.0-or-later
// tessera-cli settings [set KEY VALUE]: the Settings page's stored settings, from a terminal.
// The rules are core's (OAuth::SettingsService), so both front ends validate and audit alike.
#include "cli.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonObject>

namespace Tessera::Cli {
namespace {

int runSettings(Context &ctx, const QStringList &args)
{
    QCommandLineParser p;
    p.addPositionalArgument(QStringLiteral("set"), QStringLiteral("set KEY VALUE: change one setting"));
    if (auto stop = parseArgs(ctx, p, args, QStringLiteral("settings"),
            QStringLiteral("Lists Tessera's settings; `settings set KEY VALUE` changes one (audited).")))
        return *stop;
    const QStringList pos = p.positionalArguments();
    if (pos.isEmpty()) {
        auto r = callOperator(ctx, QStringLiteral("settings"));
        if (!r)
            return ctx.fail(r.error());
        if (ctx.json) {
            ctx.printJson(*r);
            return 0;
        }
        for (const QJsonValue &v : r->toArray()) {
            const QJsonObject o = v.toObject();
            const QString value = o.value(QStringLiteral("value")).toString();
            ctx.out << o.value(QStringLiteral("key")).toString().leftJustified(34) << ' '
                    << (value.isEmpty() ? QStringLiteral("(default)") : value).leftJustified(10) << ' '
                    << o.value(QStringLiteral("description")).toString() << '\n';
        }
        ctx.out.flush();
        return 0;
    }
    if (pos.first() != QStringLiteral("set") || pos.size() != 3)
        return ctx.usage(QStringLiteral("settings"), QStringLiteral("use `settings` or `settings set KEY VALUE`"));
    auto r = callOperator(ctx, QStringLiteral("settings.set"),
        { { QStringLiteral("key"), pos.at(1) }, { QStringLiteral("value"), pos.at(2) } });
    if (!r)
        return ctx.fail(r.error());
    if (ctx.json) {
        ctx.printJson(*r);
        return 0;
    }
    const QJsonObject o = r->toObject();
    ctx.out << (o.value(QStringLiteral("changed")).toBool() ? "Set " : "Unchanged: ")
            << o.value(QStringLiteral("key")).toString() << " = " << o.value(QStringLiteral("value")).toString()
            << ".\n";
    return 0;
}

const bool registered = registerCommand({ QStringLiteral("settings"),
    QStringLiteral("List settings, or change one: settings set KEY VALUE"), runSettings });

} // namespace
} // namespace Tessera::Cli
