// SPDX-License-Identifier: GPL-3.0-or-later
// render_pages: every dashboard page, rendered offscreen with seeded data, saved as PNG.
//
//   render_pages --out DIR [--dark] [--scale 2] [--size 1280x800]
//
// Runs the real composition root (Application with a seeded SQLite file, an in-memory secret
// store, a real AuthorizationServer on a free port) and the real Main.qml, then selects each
// page in turn and grabs the window (QQuickWindow::grabWindow). --dark gives the application
// a dark palette, as a dark desktop would; --scale sets QT_SCALE_FACTOR.
#include "application.h"
#include "dashboardfixture.h"
#include "desktop/dashboardcontext.h"
#include "desktop/dashboardcontroller.h"
#include "desktop/settingscontroller.h"
#include "desktop/statuscontroller.h"
#include "support/tesserainstance.h"
#include "vault/memorysecretstore.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QGuiApplication>
#include <QPalette>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QTest>
#include <QtQml/qqmlextensionplugin.h>

#include <cstdio>

Q_IMPORT_QML_PLUGIN(Tessera_AppPlugin)
Q_IMPORT_QML_PLUGIN(Tessera_UiPlugin)

using namespace Tessera;

namespace {

QPalette darkPalette()
{
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x31), base(0x1f, 0x21, 0x24), text(0xe8, 0xea, 0xed);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x3a, 0x3d, 0x42));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x8b, 0xd8));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x9a, 0xa0, 0xa6));
    p.setColor(QPalette::Light, QColor(0x4a, 0x4d, 0x52));
    p.setColor(QPalette::Midlight, QColor(0x40, 0x43, 0x48));
    p.setColor(QPalette::Mid, QColor(0x30, 0x33, 0x37));
    p.setColor(QPalette::Dark, QColor(0x18, 0x1a, 0x1c));
    p.setColor(QPalette::Shadow, Qt::black);
    p.setColor(QPalette::Link, QColor(0x8a, 0xb4, 0xf8));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x7a, 0x7f, 0x85));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x7a, 0x7f, 0x85));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x7a, 0x7f, 0x85));
    return p;
}

void settle(int ms)
{
    QTest::qWait(ms);
}

bool grab(QQuickWindow *window, const QString &path)
{
    settle(250);
    const QImage image = window->grabWindow();
    if (image.isNull() || !image.save(path)) {
        std::fprintf(stderr, "render_pages: could not save %s\n", qPrintable(path));
        return false;
    }
    std::printf("%s\n", qPrintable(path));
    return true;
}

void setProperty(QObject *root, const char *objectName, const char *property, const QVariant &value)
{
    if (QObject *o = root->findChild<QObject *>(QString::fromLatin1(objectName)))
        o->setProperty(property, value);
    else
        std::fprintf(stderr, "render_pages: no %s in the window\n", objectName);
}

} // namespace

int main(int argc, char **argv)
{
    // Before the application exists: platform and scale.
    for (int i = 1; i + 1 < argc; ++i) {
        if (qstrcmp(argv[i], "--scale") == 0)
            qputenv("QT_SCALE_FACTOR", argv[i + 1]);
    }
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication qapp(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({ QStringLiteral("out"), QStringLiteral("Folder for the PNG files."), QStringLiteral("dir") });
    parser.addOption({ QStringLiteral("dark"), QStringLiteral("Dark palette.") });
    parser.addOption({ QStringLiteral("scale"), QStringLiteral("QT_SCALE_FACTOR."), QStringLiteral("factor") });
    parser.addOption({ QStringLiteral("size"), QStringLiteral("Window size (logical)."), QStringLiteral("WxH"),
        QStringLiteral("1280x800") });
    parser.process(qapp);
    const QString out = parser.value(QStringLiteral("out"));
    if (out.isEmpty() || !QDir().mkpath(out)) {
        std::fprintf(stderr, "render_pages: give --out DIR\n");
        return 2;
    }
    const QStringList size = parser.value(QStringLiteral("size")).split(u'x');
    const int width = size.value(0).toInt(), height = size.value(1).toInt();
    const bool dark = parser.isSet(QStringLiteral("dark"));
    const QString suffix = (dark ? QStringLiteral("dark") : QStringLiteral("light"))
        + (parser.isSet(QStringLiteral("scale")) ? QStringLiteral("-x") + parser.value(QStringLiteral("scale"))
                                                 : QString())
        + (width != 1280 || height != 800 ? QStringLiteral("-%1x%2").arg(width).arg(height) : QString());

    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    if (dark)
        QGuiApplication::setPalette(darkPalette());

    QTemporaryDir dir;
    qputenv("XDG_CONFIG_HOME", QString(dir.path() + QStringLiteral("/xdg-config")).toUtf8());
    Locations l;
    l.dataDir = dir.path() + QStringLiteral("/data");
    l.configDir = dir.path() + QStringLiteral("/config");
    l.runtimeDir = dir.path() + QStringLiteral("/run");
    l.keychainService = QStringLiteral("org.tessera.Render");
    l.port = Test::TesseraInstance::freePort();
    if (!l.ensureDirectories().ok())
        return 1;
    auto demo = Test::seedDemo(l.databasePath(), QDateTime::currentMSecsSinceEpoch());
    if (!demo) {
        std::fprintf(stderr, "render_pages: %s\n", qPrintable(demo.error().message));
        return 1;
    }
    Vault::MemorySecretStore vault;
    App::Application app(l, App::Application::Mode::Desktop);
    app.setSecretStoreForTesting(&vault);
    app.start();
    if (!QTest::qWaitFor([&] { return app.state() == App::Application::State::Ready; }, 10000)) {
        std::fprintf(stderr, "render_pages: %s\n", qPrintable(app.statusMessage()));
        return 1;
    }
    auto *status = new App::StatusController(&app, &app);
    App::StatusController::setInstance(status);
    auto *context = new App::DashboardContext(&app, &app);
    App::DashboardContext::setInstance(context);
    auto *dashboard = new App::DashboardController(context, &app);
    App::DashboardController::setInstance(dashboard);
    auto *settings = new App::SettingsController(context, &app);
    App::SettingsController::setInstance(settings);
    dashboard->verifyChain();
    (void)dashboard->waitForIdle(10000);

    QQmlApplicationEngine engine;
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Tessera/Ui/Main.qml")));
    if (engine.rootObjects().isEmpty())
        return 1;
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    if (!window)
        return 1;
    window->resize(width, height);
    window->show();
    settle(500);

    const QStringList pages { QStringLiteral("agents"), QStringLiteral("grants"), QStringLiteral("resources"),
        QStringLiteral("activity"), QStringLiteral("settings") };
    setProperty(window, "agentList", "currentIndex", 0);
    setProperty(window, "resourceList", "currentIndex", 0);
    setProperty(window, "eventList", "currentIndex", 1);
    bool ok = true;
    for (const QString &page : pages) {
        QMetaObject::invokeMethod(window, "showPage", Q_ARG(QVariant, page));
        ok = grab(window, out + u'/' + page + u'-' + suffix + QStringLiteral(".png")) && ok;
    }
    // The states nobody may miss: frozen (with a waiting request denied), on the grants page.
    status->setFrozen(true);
    QMetaObject::invokeMethod(window, "showPage", Q_ARG(QVariant, QStringLiteral("grants")));
    ok = grab(window, out + QStringLiteral("/frozen-") + suffix + QStringLiteral(".png")) && ok;
    status->setFrozen(false);
    // The resource form with an error beside its field.
    QMetaObject::invokeMethod(window, "showPage", Q_ARG(QVariant, QStringLiteral("resources")));
    if (QObject *dialog = window->findChild<QObject *>(QStringLiteral("resourceDialog"))) {
        QMetaObject::invokeMethod(dialog, "openNew");
        settle(300);
        QObject *editor = dialog->property("editor").value<QObject *>();
        if (editor) {
            editor->setProperty("displayName", QStringLiteral("Mail"));
            editor->setProperty("name", QStringLiteral("mail"));
            editor->setProperty("uri", QStringLiteral("ftp://127.0.0.1:9400/mcp"));
        }
        QMetaObject::invokeMethod(dialog, "save");
        ok = grab(window, out + QStringLiteral("/resource-form-") + suffix + QStringLiteral(".png")) && ok;
    }
    return ok ? 0 : 1;
}
