// SPDX-License-Identifier: GPL-3.0-or-later
// The tray on the real composition root (Application with an in-memory keychain): its
// state follows the queue and the freeze switch, its menu opens the prompt and freezes.
#include "application.h"
#include "consent/consentbroker.h"
#include "desktop/consentcontroller.h"
#include "desktop/statuscontroller.h"
#include "desktop/trayicon.h"
#include "store/clientstore.h"
#include "store/database.h"
#include "store/resourcestore.h"
#include "support/tesserainstance.h"
#include "vault/memorysecretstore.h"

#include <QAction>
#include <QMenu>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Tessera;
using App::TrayIcon;

class TestTrayIcon : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<App::Application> m_app;
    App::StatusController *m_status = nullptr;
    App::ConsentController *m_consent = nullptr;
    TrayIcon *m_tray = nullptr;

    QAction *action(const QString &startsWith) const
    {
        for (QAction *a : m_tray->menu()->actions()) {
            if (a->text().startsWith(startsWith))
                return a;
        }
        return nullptr;
    }

    QString submit(const QString &clientId)
    {
        Consent::ConsentRequest r;
        r.requester.clientId = clientId;
        r.requester.clientName = clientId;
        r.requester.redirectUri = QStringLiteral("http://127.0.0.1:5000/cb");
        r.resourceId = 1;
        r.resourceUri = QStringLiteral("http://127.0.0.1:8931/mcp");
        r.scopes = { Consent::ScopeItem { QStringLiteral("files:read"), {}, false, false } };
        auto id = m_app->consentBroker()->submit(r, [](const Consent::Decision &) {});
        return id ? *id : QString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        Locations where;
        where.dataDir = m_dir.path() + QStringLiteral("/data");
        where.configDir = m_dir.path() + QStringLiteral("/config");
        where.runtimeDir = m_dir.path() + QStringLiteral("/run");
        where.keychainService = QStringLiteral("org.tessera.TrayTest");
        where.port = Test::TesseraInstance::freePort();
        m_app = std::make_unique<App::Application>(where, App::Application::Mode::Desktop);
        m_app->setSecretStoreForTesting(new Vault::MemorySecretStore(m_app.get()));
        QVERIFY(m_app->acquireInstance().ok());
        m_app->start();
        QTRY_COMPARE_WITH_TIMEOUT(m_app->state(), App::Application::State::Ready, 10000);

        Store::Resource res;
        res.uri = QStringLiteral("http://127.0.0.1:8931/mcp");
        res.name = QStringLiteral("files");
        res.displayName = QStringLiteral("Files");
        res.scopes = { { QStringLiteral("files:read"), QStringLiteral("Read"), Store::Risk::Low } };
        QVERIFY(Store::ResourceStore(*m_app->database()).add(res, 0).ok());
        for (const char *id : { "agent-a", "agent-b" }) {
            Store::Client c;
            c.clientId = QString::fromLatin1(id);
            c.clientName = c.clientId;
            c.redirectUris = { QStringLiteral("http://127.0.0.1/cb") };
            QVERIFY(Store::ClientStore(*m_app->database()).insert(c).ok());
        }

        m_status = new App::StatusController(m_app.get(), this);
        m_consent
            = new App::ConsentController(m_app->consentBroker(), m_app->database(), SystemClock::instance(), this);
        m_tray = new TrayIcon(m_app.get(), this);
        QCOMPARE(m_tray->state(), TrayIcon::State::Normal);
        m_tray->attach(m_consent, m_status);
    }

    void cleanupTestCase()
    {
        delete m_tray;
        delete m_consent;
        delete m_status;
        m_app.reset();
    }

    void testStatesFollowQueueAndFreeze()
    {
        QCOMPARE(m_tray->state(), TrayIcon::State::Normal);
        const QImage normal = m_tray->icon().pixmap(32, 32).toImage();
        QVERIFY(!normal.isNull());
        QVERIFY(!action(QStringLiteral("No pending"))->isEnabled());

        QSignalSpy changed(m_tray, &TrayIcon::stateChanged);
        QVERIFY(!submit(QStringLiteral("agent-a")).isEmpty());
        QVERIFY(!submit(QStringLiteral("agent-b")).isEmpty());
        QCOMPARE(m_tray->state(), TrayIcon::State::Pending);
        QVERIFY(changed.size() >= 1);
        QVERIFY2(m_tray->toolTip().contains(QStringLiteral("2 requests")), qPrintable(m_tray->toolTip()));
        const QImage pending = m_tray->icon().pixmap(32, 32).toImage();
        QVERIFY(pending != normal);
        QAction *open = action(QStringLiteral("Pending requests (2)"));
        QVERIFY(open);
        QVERIFY(open->isEnabled());

        // The menu entry brings the prompt.
        QSignalSpy prompt(m_consent, &App::ConsentController::promptRequested);
        open->trigger();
        QCOMPARE(prompt.size(), 1);

        // Freeze from the tray: the broker refuses everything and answers what waits.
        QAction *freeze = action(QStringLiteral("Freeze all access"));
        QVERIFY(freeze && freeze->isCheckable() && !freeze->isChecked());
        freeze->trigger();
        QVERIFY(m_app->consentBroker()->isFrozen());
        QCOMPARE(m_consent->count(), 0);
        QCOMPARE(m_tray->state(), TrayIcon::State::Frozen);
        QVERIFY(m_tray->toolTip().contains(QStringLiteral("frozen")));
        const QImage frozen = m_tray->icon().pixmap(32, 32).toImage();
        QVERIFY(frozen != normal && frozen != pending);
        QAction *unfreeze = action(QStringLiteral("Frozen"));
        QVERIFY(unfreeze && unfreeze->isChecked());

        unfreeze->trigger();
        QVERIFY(!m_app->consentBroker()->isFrozen());
        QCOMPARE(m_tray->state(), TrayIcon::State::Normal);
        QVERIFY(action(QStringLiteral("Freeze all access")));
    }
};

QTEST_MAIN(TestTrayIcon)
#include "tst_trayicon.moc"
