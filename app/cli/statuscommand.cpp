// SPDX-License-Identifier: GPL-3.0-or-later
// tessera-cli status: is Tessera running, and is it able to do its job?
#include "cli.h"

#include <QCommandLineParser>
#include <QJsonObject>

namespace Tessera::Cli {
namespace {

int runStatus(Context &ctx, const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Shows whether Tessera is running and able to issue tokens.\n"
                       "Exit codes: 0 ready, 1 starting or failed, 5 not running, 6 keychain unavailable."));
    parser.addHelpOption();
    if (!parser.parse(args))
        return ctx.usage(QStringLiteral("status"), parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        ctx.out << own(parser.helpText().replace(QStringLiteral("tessera-cli"), QStringLiteral("tessera-cli status")));
        return 0;
    }
    if (!parser.positionalArguments().isEmpty())
        return ctx.usage(QStringLiteral("status"), QStringLiteral("takes no arguments"));

    auto client = ctx.connectClient();
    if (!client)
        return ctx.fail(client.error());
    auto reply = client->call(QStringLiteral("status"));
    if (!reply)
        return ctx.fail(reply.error());
    const QJsonObject s = reply->toObject();
    const QString state = s.value(QStringLiteral("state")).toString();

    if (ctx.json) {
        ctx.printJson(s);
    } else {
        ctx.out << "Tessera " << s.value(QStringLiteral("version")).toString() << " is running ("
                << s.value(QStringLiteral("mode")).toString() << ", pid " << s.value(QStringLiteral("pid")).toInteger()
                << ")\n";
        const QList<QStringList> rows {
            { QStringLiteral("state"), state + QStringLiteral(" — ") + s.value(QStringLiteral("message")).toString() },
            { QStringLiteral("issuer"), s.value(QStringLiteral("issuer")).toString() },
            { QStringLiteral("database"), s.value(QStringLiteral("database")).toString() },
            { QStringLiteral("sockets"), s.value(QStringLiteral("runtimeDir")).toString() },
            { QStringLiteral("keychain"), s.value(QStringLiteral("keychainService")).toString() },
            { QStringLiteral("signing key"),
                s.value(QStringLiteral("signingKid")).toString().isEmpty()
                    ? QStringLiteral("none loaded")
                    : s.value(QStringLiteral("signingKid")).toString()
                        + QStringLiteral(" (ES256, private half in the keychain)") },
            { QStringLiteral("uptime"),
                QString::number(s.value(QStringLiteral("uptimeSecs")).toInteger()) + QStringLiteral(" s") },
        };
        for (const QStringList &row : rows)
            ctx.out << "  " << row.at(0).leftJustified(12) << row.at(1) << '\n';
        ctx.out.flush();
    }
    if (state == QStringLiteral("ready"))
        return static_cast<int>(Ipc::ExitCode::Ok);
    if (state == QStringLiteral("keychain_unavailable"))
        return static_cast<int>(Ipc::ExitCode::KeychainUnavailable);
    return static_cast<int>(Ipc::ExitCode::Failure);
}

const bool registered = registerCommand({ QStringLiteral("status"),
    QStringLiteral("Show whether Tessera is running and able to issue tokens"), runStatus });

} // namespace
} // namespace Tessera::Cli
