// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/locations.h"
#include "support/testsupport.h"

#include <QCommandLineParser>
#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Tessera;

class TestLocations : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init()
    {
        for (const char *v : { "TESSERA_DATA_DIR", "TESSERA_CONFIG_DIR", "TESSERA_RUNTIME_DIR", "TESSERA_PORT",
                 "TESSERA_KEYCHAIN_SERVICE" })
            qunsetenv(v);
    }

    void testDefaultsFollowXdg()
    {
        qputenv("XDG_DATA_HOME", "/xdg/data");
        qputenv("XDG_CONFIG_HOME", "/xdg/config");
        qputenv("XDG_RUNTIME_DIR", "/xdg/run");
        auto l = Locations::resolve(nullptr);
        QVERIFY(l.ok());
        QCOMPARE(l->dataDir, QStringLiteral("/xdg/data/tessera"));
        QCOMPARE(l->configDir, QStringLiteral("/xdg/config/tessera"));
        QCOMPARE(l->runtimeDir, QStringLiteral("/xdg/run/tessera"));
        QCOMPARE(l->port, Locations::DefaultPort);
        QCOMPARE(l->issuer(), QStringLiteral("http://127.0.0.1:7391"));
        QCOMPARE(l->databasePath(), QStringLiteral("/xdg/data/tessera/tessera.db"));
        QCOMPARE(l->keychainService, QStringLiteral("org.tessera.Tessera"));
    }

    void testRelativeXdgIgnored()
    {
        // XDG Base Directory spec: relative paths are invalid and must be ignored.
        qputenv("XDG_DATA_HOME", "relative/data");
        auto l = Locations::resolve(nullptr);
        QVERIFY(l.ok());
        QCOMPARE(l->dataDir, QDir::homePath() + QStringLiteral("/.local/share/tessera"));
    }

    void testEnvironmentOverrides()
    {
        qputenv("TESSERA_DATA_DIR", "/t/data");
        qputenv("TESSERA_PORT", "8123");
        auto l = Locations::resolve(nullptr);
        QVERIFY(l.ok());
        QCOMPARE(l->dataDir, QStringLiteral("/t/data"));
        QCOMPARE(l->issuer(), QStringLiteral("http://127.0.0.1:8123"));
    }

    void testFlagsBeatEnvironment()
    {
        qputenv("TESSERA_PORT", "8123");
        QCommandLineParser p;
        Locations::addOptions(p);
        QVERIFY(p.parse({ QStringLiteral("tessera"), QStringLiteral("--port"), QStringLiteral("9000"),
            QStringLiteral("--runtime-dir"), QStringLiteral("/r/") }));
        auto l = Locations::resolve(&p);
        QVERIFY(l.ok());
        QCOMPARE(l->port, quint16(9000));
        QCOMPARE(l->runtimeDir, QStringLiteral("/r"));
        QCOMPARE(l->clientSocketPath(), QStringLiteral("/r/client.sock"));
    }

    void testInvalidPort_data()
    {
        QTest::addColumn<QByteArray>("port");
        QTest::newRow("zero") << QByteArray("0");
        QTest::newRow("too big") << QByteArray("65536");
        QTest::newRow("text") << QByteArray("http");
        QTest::newRow("negative") << QByteArray("-1");
    }
    void testInvalidPort()
    {
        QFETCH(QByteArray, port);
        qputenv("TESSERA_PORT", port);
        auto l = Locations::resolve(nullptr);
        QVERIFY(!l.ok());
        QCOMPARE(l.error().code, QStringLiteral("invalid_port"));
    }

    void testPrivateDirectory()
    {
        QTemporaryDir tmp;
        const QString dir = tmp.path() + QStringLiteral("/a/b");
        QVERIFY(ensurePrivateDirectory(dir).ok());
        QCOMPARE(Test::fileMode(dir), 0700);
        // A directory that exists too open is tightened, not trusted as it is.
        QVERIFY(::chmod(QFile::encodeName(dir).constData(), 0755) == 0);
        QVERIFY(ensurePrivateDirectory(dir).ok());
        QCOMPARE(Test::fileMode(dir), 0700);
    }

    void testPrivateDirectoryRejectsFile()
    {
        QTemporaryDir tmp;
        QFile f(tmp.path() + QStringLiteral("/file"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        Status s = ensurePrivateDirectory(f.fileName());
        QVERIFY(!s.ok());
    }
};

QTEST_GUILESS_MAIN(TestLocations)
#include "tst_locations.moc"
