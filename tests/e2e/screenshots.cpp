// SPDX-License-Identifier: GPL-3.0-or-later
// tessera-screenshots: renders the consent prompt in set scenarios, and dashboard pages, to
// PNG for review (packaging/screenshots.sh drives it). The whole desktop app runs in this
// process on private directories (DesktopHarness).
//
//   tessera-screenshots --out DIR [--dark] [--suffix S] [--prompt NAME]... [--page NAME]...
//   tessera-screenshots --list-prompts | --list-pages
//
// Pages: Main.qml may offer `function pageNames()` (a list of strings) and `function
// showPage(name)`; --page NAME calls showPage(NAME) and grabs the main window, --list-pages
// prints pageNames(). Without them, --page renders the main window as it opens.
#include "application.h"
#include "consent/consentbroker.h"
#include "desktop/consentcontroller.h"
#include "desktopharness.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDeadlineTimer>
#include <QDir>
#include <QMetaEnum>
#include <QPalette>
#include <QQuickWindow>
#include <QThread>
#include <QTimer>
#include <QtQml/qqmlextensionplugin.h>

#include <cstdio>

Q_IMPORT_QML_PLUGIN(Tessera_AppPlugin)
Q_IMPORT_QML_PLUGIN(Tessera_UiPlugin)

using namespace Tessera;

namespace {

const QStringList PromptScenarios {
    QStringLiteral("single"),
    QStringLiteral("stepup"),
    QStringLiteral("hostile"),
    QStringLiteral("queue"),
};

QPalette darkPalette()
{
    // A dark system palette, as a dark desktop theme hands it to Qt.
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x30), base(0x1f, 0x20, 0x22), text(0xe6, 0xe6, 0xe6);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x8a, 0x8a));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x35, 0x37, 0x3a));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Light, QColor(0x45, 0x47, 0x4a));
    p.setColor(QPalette::Midlight, QColor(0x3c, 0x3e, 0x41));
    p.setColor(QPalette::Mid, QColor(0x25, 0x26, 0x28));
    p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1a));
    p.setColor(QPalette::Shadow, Qt::black);
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x7e, 0xc6));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6c, 0xb4, 0xff));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x80, 0x80, 0x80));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x80, 0x80, 0x80));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x80, 0x80, 0x80));
    return p;
}

/**
 * The Qt Quick Controls of Qt 6.4 take their palette from the platform theme, not from
 * QGuiApplication::palette(), so a palette set by this tool reaches SystemPalette (Theme)
 * but not the controls. A dark desktop theme gives both the same one; so give the windows'
 * palettes the same colours too, role by role, through the QQuickPalette property.
 */
void applyPalette(QQuickWindow *window, const QPalette &palette)
{
    QObject *quickPalette = window ? window->property("palette").value<QObject *>() : nullptr;
    if (!quickPalette)
        return;
    const QMetaEnum roles = QMetaEnum::fromType<QPalette::ColorRole>();
    for (int i = 0; i < roles.keyCount(); ++i) {
        const auto role = QPalette::ColorRole(roles.value(i));
        if (role == QPalette::NColorRoles || role == QPalette::NoRole)
            continue;
        QByteArray name(roles.key(i));
        name[0] = char(QChar::toLower(uchar(name[0])));
        quickPalette->setProperty(name.constData(), palette.color(QPalette::Active, role));
    }
    if (QObject *disabled = quickPalette->property("disabled").value<QObject *>()) {
        for (const auto role : { QPalette::WindowText, QPalette::Text, QPalette::ButtonText })
            disabled->setProperty(role == QPalette::WindowText ? "windowText"
                    : role == QPalette::Text                   ? "text"
                                                               : "buttonText",
                palette.color(QPalette::Disabled, role));
    }
}

void spin(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

Consent::ProcessFact fact(qint64 pid, const char *exe, const char *comm)
{
    return Consent::ProcessFact { pid, QString::fromLatin1(exe), QString::fromLatin1(comm) };
}

bool submitScenario(Test::DesktopHarness &h, const QString &name)
{
    using Consent::ScopeItem;
    if (name == QStringLiteral("single")) {
        Consent::ConsentRequest r = h.request(QStringLiteral("https://claude.ai/oauth/mcp-client.json"));
        r.requester.clientKind = QStringLiteral("cimd");
        r.requester.clientName = QStringLiteral("Claude Code");
        r.requester.clientUri = QStringLiteral("https://claude.ai");
        r.requester.verifiedDomain = QStringLiteral("claude.ai");
        r.requester.processChain
            = { fact(48213, "/usr/lib/node_modules/@anthropic-ai/claude-code/bin/claude", "claude"),
                  fact(48100, "/usr/bin/bash", "bash"),
                  fact(47988, "/usr/libexec/gnome-terminal-server", "gnome-terminal-") };
        return !h.submit(r).isEmpty();
    }
    if (name == QStringLiteral("stepup")) {
        Consent::ConsentRequest r = h.request(QStringLiteral("8a1f0c2e-vscode"));
        r.requester.clientName = QStringLiteral("VS Code agent mode");
        r.requester.redirectUri = QStringLiteral("http://127.0.0.1:33418/oauth/callback");
        r.requester.processChain = { fact(51230, "/usr/share/code/code", "code") };
        r.requester.previousExecutable = QStringLiteral("/opt/visual-studio-code/code");
        r.scopes = { ScopeItem {
                         QStringLiteral("files:read"), QStringLiteral("Read files in ~/work/tessera"), false, true },
            ScopeItem { QStringLiteral("files:write"), QStringLiteral("Create, change and delete files"), true, false },
            ScopeItem { QStringLiteral("files:list"), QStringLiteral("List folders"), false, false } };
        // R10: the held scope ends in 40 minutes unless the person extends it.
        r.heldUntil.insert(QStringLiteral("files:read"), QDateTime::currentSecsSinceEpoch() + 40 * 60);
        return !h.submit(r).isEmpty();
    }
    if (name == QStringLiteral("hostile")) {
        Consent::ConsentRequest r = h.request(QStringLiteral("c9d2-unknown"));
        r.requester.clientName = QStringLiteral("<b>Cl\u0430ude Desktop</b> \u202Efdp.exe\u202C (official) "
                                                "<img src=\"https://evil.example/logo.png\"> Anthropic verified "
                                                "agent — please approve all scopes for the best experience");
        r.requester.clientUri = QStringLiteral("https://claude.ai.evil.example/");
        r.requester.redirectUri = QStringLiteral("http://localhost:8080/callback");
        r.requester.localhostName = true;
        r.requester.newClient = true;
        return !h.submit(r).isEmpty();
    }
    if (name == QStringLiteral("queue")) {
        Consent::ConsentRequest a = h.request(QStringLiteral("claude-desktop"));
        a.requester.clientName = QStringLiteral("Claude Desktop");
        a.requester.processChain = { fact(48213, "/usr/bin/node", "node") };
        Consent::ConsentRequest b = h.request(QStringLiteral("cursor"));
        b.requester.clientName = QStringLiteral("Cursor");
        b.requester.newClient = true;
        b.requester.processChain = { fact(50211, "/opt/cursor/cursor", "cursor") };
        Consent::ConsentRequest c = h.request(QStringLiteral("goose"));
        c.requester.clientName = QStringLiteral("Goose");
        c.scopes = { ScopeItem { QStringLiteral("files:list"), QStringLiteral("List folders"), false, false } };
        c.requester.processChain = { fact(50400, "/usr/local/bin/goose", "goose") };
        // The first one asked twice (restarted: the same program, another process): merged,
        // counted, and both processes named (R5).
        Consent::ConsentRequest again = a;
        again.requester.processChain = { fact(48890, "/usr/bin/node", "node") };
        return !h.submit(a).isEmpty() && !h.submit(again).isEmpty() && !h.submit(b).isEmpty() && !h.submit(c).isEmpty();
    }
    return false;
}

bool save(QQuickWindow *window, const QString &path)
{
    if (!Test::waitForFrame(window)) {
        std::fprintf(stderr, "no frame from the window for %s\n", qPrintable(path));
        return false;
    }
    const QImage image = window->grabWindow();
    if (image.isNull() || !image.save(path)) {
        std::fprintf(stderr, "cannot write %s\n", qPrintable(path));
        return false;
    }
    std::printf("%s\n", qPrintable(path));
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    QApplication qapp(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Renders Tessera's consent prompt and pages to PNG."));
    parser.addHelpOption();
    parser.addOptions({
        { QStringLiteral("out"), QStringLiteral("Directory for the PNG files."), QStringLiteral("dir"),
            QStringLiteral(".") },
        { QStringLiteral("dark"), QStringLiteral("Use a dark system palette.") },
        { QStringLiteral("suffix"), QStringLiteral("Appended to each file name (e.g. -dark)."),
            QStringLiteral("text") },
        { QStringLiteral("prompt"), QStringLiteral("Prompt scenario to render (repeatable)."), QStringLiteral("name") },
        { QStringLiteral("page"), QStringLiteral("Dashboard page to render (repeatable)."), QStringLiteral("name") },
        { QStringLiteral("list-prompts"), QStringLiteral("Print the prompt scenarios.") },
        { QStringLiteral("list-pages"), QStringLiteral("Print the pages Main.qml offers (pageNames()).") },
    });
    parser.process(qapp);

    if (parser.isSet(QStringLiteral("list-prompts"))) {
        for (const QString &s : PromptScenarios)
            std::printf("%s\n", qPrintable(s));
        return 0;
    }
    if (parser.isSet(QStringLiteral("dark")))
        QApplication::setPalette(darkPalette());

    Test::DesktopHarness harness;
    if (!harness.start())
        return 1;
    harness.seedHistory();
    QQuickWindow *main = harness.mainWindow();
    if (parser.isSet(QStringLiteral("dark"))) {
        applyPalette(main, darkPalette());
        applyPalette(harness.promptWindow(), darkPalette());
    }

    if (parser.isSet(QStringLiteral("list-pages"))) {
        QVariant names;
        if (!QMetaObject::invokeMethod(main, "pageNames", Q_RETURN_ARG(QVariant, names)))
            return 0; // Main.qml offers no pages (yet): nothing to list
        for (const QString &n : names.toStringList())
            std::printf("%s\n", qPrintable(n));
        return 0;
    }

    const QString out = parser.value(QStringLiteral("out"));
    const QString suffix = parser.value(QStringLiteral("suffix"));
    QDir().mkpath(out);
    int failures = 0;

    for (const QString &page : parser.values(QStringLiteral("page"))) {
        QMetaObject::invokeMethod(main, "showPage", Q_ARG(QVariant, page));
        main->show();
        spin(300);
        failures += save(main, out + QStringLiteral("/page-") + page + suffix + QStringLiteral(".png")) ? 0 : 1;
    }

    for (const QString &scenario : parser.values(QStringLiteral("prompt"))) {
        if (!PromptScenarios.contains(scenario)) {
            std::fprintf(stderr, "unknown prompt scenario %s\n", qPrintable(scenario));
            ++failures;
            continue;
        }
        for (const Consent::ConsentRequest &r : harness.app()->consentBroker()->pending())
            harness.app()->consentBroker()->cancel(r.id);
        if (!submitScenario(harness, scenario)) {
            ++failures;
            continue;
        }
        QQuickWindow *prompt = harness.promptWindow();
        // Armed, as the person sees it after the first second.
        QDeadlineTimer armed(5000);
        while (!harness.consent()->armed() && !armed.hasExpired())
            spin(50);
        spin(200);
        failures += save(prompt, out + QStringLiteral("/prompt-") + scenario + suffix + QStringLiteral(".png")) ? 0 : 1;
    }
    return failures == 0 ? 0 : 1;
}
