// SPDX-License-Identifier: GPL-3.0-or-later
// `tessera`: the desktop app; `tessera --headless` runs the same services without UI.
#include "application.h"
#include "desktop/desktopshell.h"
#include "ipc/ipcclient.h"
#include "unixsignals.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QtQml/qqmlextensionplugin.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <sys/prctl.h>
#include <sys/stat.h>

Q_IMPORT_QML_PLUGIN(Tessera_AppPlugin)
Q_IMPORT_QML_PLUGIN(Tessera_UiPlugin)

using namespace Tessera;

namespace {

bool hasFlag(int argc, char **argv, const char *flag)
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], flag) == 0)
            return true;
    }
    return false;
}

bool hasDisplay()
{
    return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
        || !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

void printErr(const QString &text)
{
    std::fprintf(stderr, "tessera: %s\n", qPrintable(text));
}

/** A second start: ask the running instance to show its window, then leave. */
int handOverToRunningInstance(const Locations &locations, const QString &why)
{
    auto client = Ipc::IpcClient::connectTo(locations.operatorSocketPath(), 2000);
    if (!client) {
        printErr(why + QStringLiteral(" It does not answer on its socket yet; try again in a moment."));
        return 1;
    }
    auto shown = client->call(QStringLiteral("show"));
    if (shown) {
        std::printf("Tessera is already running; asked it to show its window.\n");
        return 0;
    }
    std::printf("%s\n", qPrintable(why + u' ' + shown.error().message));
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    // Everything Tessera creates (database, sockets, lock, logs) is for this user only.
    ::umask(0077);
    // R9: no core dump holds the signing key or a live token, and same-user ptrace is refused
    // (prctl(2) PR_SET_DUMPABLE; the kernel also makes /proc/<pid>/mem root's). Before any secret.
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    qSetMessagePattern(QStringLiteral("%{if-category}%{category}: %{endif}%{message}"));
    // Decide before any Q*Application exists: a GUI application aborts without a display.
    bool headless = hasFlag(argc, argv, "--headless");
    bool fellBackToHeadless = false;
    if (!headless && !hasDisplay() && !hasFlag(argc, argv, "--help") && !hasFlag(argc, argv, "--version")) {
        headless = true;
        fellBackToHeadless = true;
    }
    std::unique_ptr<QCoreApplication> qapp;
    if (headless)
        qapp = std::make_unique<QCoreApplication>(argc, argv);
    else
        qapp = std::make_unique<QApplication>(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("tessera"));
    QCoreApplication::setOrganizationName(QStringLiteral("Tessera"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TESSERA_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Tessera: consent and agent-permission manager; a local OAuth 2.1 authorization server for MCP."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption(
        { QStringLiteral("headless"), QStringLiteral("Run the services without a window; approve with tessera-cli.") });
    Locations::addOptions(parser);
    parser.process(*qapp);

    auto locations = Locations::resolve(&parser);
    if (!locations) {
        printErr(locations.error().message);
        return 2;
    }
    if (fellBackToHeadless)
        printErr(QStringLiteral("no display found; running headless. Approve requests with `tessera-cli`."));

    App::Application app(*locations, headless ? App::Application::Mode::Headless : App::Application::Mode::Desktop);
    if (Status s = app.acquireInstance(); !s) {
        if (s.error().code == QStringLiteral("already_running"))
            return handOverToRunningInstance(*locations, s.error().message);
        printErr(s.error().message);
        return 1;
    }

    App::UnixSignals signals;
    QObject::connect(&signals, &App::UnixSignals::terminationRequested, qapp.get(), [] { QCoreApplication::quit(); });

    app.start();
    if (app.state() == App::Application::State::Failed)
        return 1;
    // After start(): the database and the consent broker exist (the keychain may still be on its way).
    std::unique_ptr<App::DesktopShell> shell;
    if (!headless)
        shell = std::make_unique<App::DesktopShell>(&app);
    if (headless) {
        std::fprintf(stderr, "tessera: headless; issuer %s; sockets in %s\n", qPrintable(locations->issuer()),
            qPrintable(locations->runtimeDir));
    }
    return QCoreApplication::exec();
}
