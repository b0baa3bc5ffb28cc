// SPDX-License-Identifier: GPL-3.0-or-later
// SettingsController on a real SQLite file: validation, persistence, audit, the prompt timeout
// reaching the broker, and the XDG autostart entry (Desktop Entry Exec quoting).
#include "desktop/settingscontroller.h"
#include "modeltestenv.h"
#include "store/settingsstore.h"

#include <QFile>
#include <QSignalSpy>

using namespace Tessera;
using App::SettingsController;

class TestSettingsController : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<Test::ModelTestEnv> m_env;
    QTemporaryDir m_config;

    QString stored(const QString &key)
    {
        return Store::SettingsStore(*m_env->db).value(key, QString()).valueOr(QString());
    }
    int settingsAudits()
    {
        Store::AuditFilter f;
        f.kind = QStringLiteral("settings.changed");
        f.actor = QStringLiteral("user");
        return int(m_env->audit->query(f)->events.size());
    }

private Q_SLOTS:
    void initTestCase() { qputenv("XDG_CONFIG_HOME", m_config.path().toUtf8()); }
    void init()
    {
        m_env = std::make_unique<Test::ModelTestEnv>();
        QVERIFY(m_env->open());
    }
    void cleanup() { m_env.reset(); }

    void testDefaults()
    {
        SettingsController s(m_env->context.get());
        QCOMPARE(s.port(), 7391);
        QCOMPARE(s.currentPort(), 7391);
        QVERIFY(!s.portRestartNeeded());
        QCOMPARE(s.defaultDuration(), QStringLiteral("1h"));
        QCOMPARE(s.promptTimeoutSecs(), 120);
        QCOMPARE(s.defaultTokenLifetimeSecs(), 300);
        QVERIFY(!s.startAtLogin());
        QCOMPARE(s.autostartPath(), m_config.path() + QStringLiteral("/autostart/org.tessera.Tessera.desktop"));
    }

    void testPromptTimeoutReachesTheBroker()
    {
        SettingsController s(m_env->context.get());
        QSignalSpy changed(&s, &SettingsController::changed);
        const int audits = settingsAudits();
        QVERIFY(s.setPromptTimeoutSecs(45));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(s.promptTimeoutSecs(), 45);
        QCOMPARE(m_env->broker->limits().promptTimeoutSecs, 45);
        QCOMPARE(stored(QStringLiteral("consent.promptTimeoutSecs")), QStringLiteral("45"));
        QCOMPARE(settingsAudits(), audits + 1);

        QVERIFY(!s.setPromptTimeoutSecs(5));
        QVERIFY(!s.lastError().isEmpty());
        QCOMPARE(m_env->broker->limits().promptTimeoutSecs, 45);
        QVERIFY(!s.setPromptTimeoutSecs(7200));
        QCOMPARE(s.promptTimeoutSecs(), 45);

        // A restart: the broker reads the stored value itself (headless too), and applying it
        // again from the settings changes nothing.
        Consent::ConsentBroker fresh(*m_env->db, *m_env->audit, m_env->clock);
        QCOMPARE(fresh.limits().promptTimeoutSecs, 45);
        App::DashboardContext::Parts parts;
        parts.database = m_env->db.get();
        parts.auditLog = m_env->audit.get();
        parts.broker = &fresh;
        App::DashboardContext context(parts, {});
        SettingsController(&context).applyToBroker();
        QCOMPARE(fresh.limits().promptTimeoutSecs, 45);
    }

    void testPortNeedsRestart()
    {
        SettingsController s(m_env->context.get());
        QVERIFY(s.setPort(8123));
        QCOMPARE(s.port(), 8123);
        QCOMPARE(s.currentPort(), 7391);
        QVERIFY(s.portRestartNeeded());
        QCOMPARE(stored(QStringLiteral("server.port")), QStringLiteral("8123"));
        QVERIFY(!s.setPort(80));
        QVERIFY(!s.setPort(70000));
        QCOMPARE(s.port(), 8123);
        QVERIFY(s.setPort(7391));
        QVERIFY(!s.portRestartNeeded());
    }

    void testDurationAndLifetime()
    {
        SettingsController s(m_env->context.get());
        QVERIFY(s.setDefaultDuration(QStringLiteral("1d")));
        QCOMPARE(s.defaultDuration(), QStringLiteral("1d"));
        QVERIFY(s.setDefaultDuration(QStringLiteral("until_revoked")));
        QCOMPARE(s.defaultDuration(), QStringLiteral("forever"));
        QCOMPARE(stored(QStringLiteral("consent.defaultDuration")), QStringLiteral("forever"));
        QVERIFY(!s.setDefaultDuration(QStringLiteral("2w")));
        QCOMPARE(s.defaultDuration(), QStringLiteral("forever"));

        QVERIFY(s.setDefaultTokenLifetimeSecs(600));
        QCOMPARE(s.defaultTokenLifetimeSecs(), 600);
        QVERIFY(!s.setDefaultTokenLifetimeSecs(30));
        QVERIFY(!s.setDefaultTokenLifetimeSecs(3601));
        QCOMPARE(stored(QStringLiteral("resource.defaultTokenLifetimeSecs")), QStringLiteral("600"));
    }

    void testStartAtLogin()
    {
        SettingsController s(m_env->context.get());
        s.setExecutableForTesting(QStringLiteral("/opt/My Tools/bin/tessera"));
        QVERIFY(s.setStartAtLogin(true));
        QVERIFY(s.startAtLogin());
        QFile f(s.autostartPath());
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(f.readAll());
        QVERIFY(text.startsWith(QStringLiteral("[Desktop Entry]\n")));
        QVERIFY(text.contains(QStringLiteral("\nType=Application\n")));
        QVERIFY(text.contains(QStringLiteral("\nExec=\"/opt/My Tools/bin/tessera\"\n")));
        f.close();
        QVERIFY(s.setStartAtLogin(false));
        QVERIFY(!s.startAtLogin());
        QVERIFY(!QFile::exists(s.autostartPath()));
        QVERIFY(s.setStartAtLogin(false)); // nothing to remove is fine

        s.setExecutableForTesting(QStringLiteral("/tmp/evil\nExec=rm -rf ~"));
        QVERIFY(!s.setStartAtLogin(true));
        QVERIFY(!QFile::exists(s.autostartPath()));
    }

    void testExecQuoting_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("exec");
        QTest::newRow("plain") << "/usr/bin/tessera"
                               << "Exec=/usr/bin/tessera\n";
        QTest::newRow("space") << "/opt/a b/tessera"
                               << "Exec=\"/opt/a b/tessera\"\n";
        // Desktop Entry spec: inside quotes $, `, " and \ take a backslash, then the string
        // escape doubles every backslash; % is always doubled.
        QTest::newRow("dollar") << "/opt/$HOME/tessera"
                                << "Exec=\"/opt/\\\\$HOME/tessera\"\n";
        QTest::newRow("quote") << "/opt/\"x\"/t"
                               << "Exec=\"/opt/\\\\\"x\\\\\"/t\"\n";
        QTest::newRow("percent") << "/opt/100%/t"
                                 << "Exec=/opt/100%%/t\n";
    }
    void testExecQuoting()
    {
        QFETCH(QString, path);
        QFETCH(QString, exec);
        QVERIFY2(SettingsController::autostartEntry(path).contains(QStringLiteral("\n") + exec),
            qPrintable(SettingsController::autostartEntry(path)));
    }
};

QTEST_MAIN(TestSettingsController)
#include "tst_settingscontroller.moc"
