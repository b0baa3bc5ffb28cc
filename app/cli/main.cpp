// SPDX-License-Identifier: GPL-3.0-or-later
// tessera-cli: the command-line face of a running Tessera.
#include "cli.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>
#include <sys/prctl.h>
#include <sys/stat.h>

using namespace Tessera;

namespace {

QString globalHelp()
{
    QString text = QStringLiteral("Usage: tessera-cli [global options] COMMAND [options]\n\n"
                                  "Talks to the running Tessera over its user-only sockets.\n\n"
                                  "Commands:\n");
    for (const Cli::Command &c : Cli::commands())
        text += QStringLiteral("  ") + c.name.leftJustified(12) + c.summary + u'\n';
    text += QStringLiteral(
        "\nGlobal options:\n"
        "  --json              Machine-readable output\n"
        "  --runtime-dir DIR   Where Tessera's sockets are (env TESSERA_RUNTIME_DIR)\n"
        "  -h, --help          This help; `tessera-cli COMMAND --help` for a command\n"
        "  -v, --version       Version\n\n"
        "Exit codes:\n"
        "  0 ok   1 failure   2 usage   3 denied   4 timeout   5 not running   6 keychain unavailable\n");
    return text;
}

} // namespace

int main(int argc, char **argv)
{
    ::umask(0077);
    // R9: tokens (token), secret values (secret set, exec) pass through this process: no core
    // dump and no same-user ptrace. A command started by exec is a new image and dumpable again.
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    QCoreApplication qapp(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("tessera-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TESSERA_VERSION));
    QTextStream out(stdout);
    QTextStream err(stderr);

    // Global options come before the command; everything from the command on is the command's.
    QStringList args = QCoreApplication::arguments();
    QStringList global { args.value(0) };
    qsizetype i = 1;
    for (; i < args.size(); ++i) {
        const QString &a = args.at(i);
        if (!a.startsWith(u'-'))
            break;
        global.append(a);
        if ((a == QStringLiteral("--runtime-dir") || a == QStringLiteral("--data-dir")
                || a == QStringLiteral("--config-dir") || a == QStringLiteral("--port")
                || a == QStringLiteral("--keychain-service"))
            && i + 1 < args.size())
            global.append(args.at(++i));
    }
    QStringList commandArgs = args.mid(i);
    // --json is global but people type it anywhere: take it from the command's arguments too,
    // but not from after "--", where the arguments belong to another program (`exec -- cmd --json`).
    const qsizetype endOfOptions = commandArgs.indexOf(QStringLiteral("--"));
    bool json = false;
    for (qsizetype k = (endOfOptions < 0 ? commandArgs.size() : endOfOptions) - 1; k >= 1; --k) {
        if (commandArgs.at(k) == QStringLiteral("--json")) {
            commandArgs.removeAt(k);
            json = true;
        }
    }
    if (json)
        global.append(QStringLiteral("--json"));

    QCommandLineParser parser;
    parser.addOption({ QStringLiteral("json"), QStringLiteral("Machine-readable output") });
    parser.addOption({ { QStringLiteral("h"), QStringLiteral("help") }, QStringLiteral("Help") });
    parser.addOption({ { QStringLiteral("v"), QStringLiteral("version") }, QStringLiteral("Version") });
    Locations::addOptions(parser);
    if (!parser.parse(global)) {
        err << "tessera-cli: " << parser.errorText() << "\n\n" << globalHelp();
        return static_cast<int>(Ipc::ExitCode::Usage);
    }
    if (parser.isSet(QStringLiteral("version"))) {
        out << "tessera-cli " << TESSERA_VERSION << '\n';
        return 0;
    }
    if (parser.isSet(QStringLiteral("help")) || commandArgs.isEmpty()) {
        (commandArgs.isEmpty() && !parser.isSet(QStringLiteral("help")) ? err : out) << globalHelp();
        return commandArgs.isEmpty() && !parser.isSet(QStringLiteral("help")) ? static_cast<int>(Ipc::ExitCode::Usage)
                                                                              : 0;
    }
    auto locations = Locations::resolve(&parser);
    if (!locations) {
        err << "tessera-cli: " << locations.error().message << '\n';
        return static_cast<int>(Ipc::ExitCode::Usage);
    }

    Cli::Context ctx { *locations, parser.isSet(QStringLiteral("json")), Cli::Printer(out), Cli::Printer(err) };
    for (const Cli::Command &c : Cli::commands()) {
        if (c.name == commandArgs.first())
            return c.run(ctx, commandArgs);
    }
    err << "tessera-cli: unknown command \"" << commandArgs.first() << "\".\n\n" << globalHelp();
    return static_cast<int>(Ipc::ExitCode::Usage);
}
