// SPDX-License-Identifier: GPL-3.0-or-later
// Qt Quick Tests of the dashboard pages (tst_*.qml in this folder), against the real
// composition root: an Application with a seeded SQLite file, an in-memory secret store and
// a real AuthorizationServer on a free loopback port.
#include "application.h"
#include "dashboardfixture.h"
#include "desktop/dashboardcontext.h"
#include "desktop/dashboardcontroller.h"
#include "desktop/settingscontroller.h"
#include "desktop/statuscontroller.h"
#include "fixtureobject.h"
#include "support/tesserainstance.h"
#include "vault/memorysecretstore.h"

#include <QDateTime>
#include <QQmlEngine>
#include <QTemporaryDir>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest/quicktest.h>

#include <memory>

Q_IMPORT_QML_PLUGIN(Tessera_AppPlugin)
Q_IMPORT_QML_PLUGIN(Tessera_UiPlugin)
Q_IMPORT_QML_PLUGIN(Tessera_DashboardTestPlugin)

using namespace Tessera;

class Setup : public QObject
{
    Q_OBJECT
public Q_SLOTS:
    void applicationAvailable()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        // Start at login writes here, not into the real home.
        qputenv("XDG_CONFIG_HOME", QString(m_dir->path() + QStringLiteral("/xdg-config")).toUtf8());
        Locations l;
        l.dataDir = m_dir->path() + QStringLiteral("/data");
        l.configDir = m_dir->path() + QStringLiteral("/config");
        l.runtimeDir = m_dir->path() + QStringLiteral("/run");
        l.keychainService = QStringLiteral("org.tessera.QuickTest");
        l.port = Test::TesseraInstance::freePort();
        if (!l.ensureDirectories().ok())
            qFatal("cannot create the test directories");
        auto demo = Test::seedDemo(l.databasePath(), QDateTime::currentMSecsSinceEpoch());
        if (!demo)
            qFatal("cannot seed the demo database: %s", qPrintable(demo.error().message));

        m_vault = std::make_unique<Vault::MemorySecretStore>();
        m_app = std::make_unique<App::Application>(l, App::Application::Mode::Desktop);
        m_app->setSecretStoreForTesting(m_vault.get());
        m_app->start();
        if (!QTest::qWaitFor([this] { return m_app->state() == App::Application::State::Ready; }, 10000))
            qFatal("the application did not become ready: %s", qPrintable(m_app->statusMessage()));

        m_status = new App::StatusController(m_app.get(), m_app.get());
        App::StatusController::setInstance(m_status);
        m_context = new App::DashboardContext(m_app.get(), m_app.get());
        App::DashboardContext::setInstance(m_context);
        m_dashboard = new App::DashboardController(m_context, m_app.get());
        App::DashboardController::setInstance(m_dashboard);
        m_settings = new App::SettingsController(m_context, m_app.get());
        m_settings->setExecutableForTesting(QStringLiteral("/opt/Tessera Test/bin/tessera"));
        App::SettingsController::setInstance(m_settings);
        m_fixture = new Test::FixtureObject(m_app.get(), *demo, m_dir->path(), m_app.get());
        Test::FixtureObject::setInstance(m_fixture);
    }

    void qmlEngineAvailable(QQmlEngine *engine) { engine->addImportPath(QStringLiteral("qrc:/qt/qml")); }

    void cleanupTestCase()
    {
        m_app.reset();
        m_vault.reset();
        m_dir.reset();
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Vault::MemorySecretStore> m_vault;
    std::unique_ptr<App::Application> m_app;
    App::StatusController *m_status = nullptr;
    App::DashboardContext *m_context = nullptr;
    App::DashboardController *m_dashboard = nullptr;
    App::SettingsController *m_settings = nullptr;
    Test::FixtureObject *m_fixture = nullptr;
};

QUICK_TEST_MAIN_WITH_SETUP(tst_dashboard_qml, Setup)

#include "tst_dashboard_qml.moc"
