// SPDX-License-Identifier: GPL-3.0-or-later
// No D-Bus session bus at all (DBUS_SESSION_BUS_ADDRESS points nowhere): the store fails closed
// with keychain_unavailable at once. Runs under with-keyring.sh --no-keyring for its throwaway HOME.
#include "vault/keychainsecretstore.h"

#include "vaulttestutil.h"

#include <QTest>

using namespace Tessera;
using namespace Tessera::Vault;
using namespace Tessera::Vault::Test;

class TestKeychainNoBus : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (!insideKeyringHarness())
            QFAIL("Run this test through ctest: it needs tests/support/with-keyring.sh --no-keyring.");
        // Before anything touches QtDBus, whose session connection is made once per process.
        const QByteArray nowhere = "unix:path=" + QFile::encodeName(QDir::homePath()) + "/no-bus-here";
        qputenv("DBUS_SESSION_BUS_ADDRESS", nowhere);
        QVERIFY(!QDBusConnection::sessionBus().isConnected());
    }

    void testEveryOperationFailsClosed()
    {
        KeychainSecretStore store(uniqueService());
        const auto w = writeNow(store, QStringLiteral("secret/nobus"), "nobus-secret-value", 10'000);
        QCOMPARE(w.calls, 1);
        QVERIFY(w.result);
        QCOMPARE(w.code(), QString(Errors::KeychainUnavailable));
        QVERIFY2(
            w.result->error().message.contains(QLatin1String("session bus")), qPrintable(w.result->error().message));
        QVERIFY2(w.elapsedMs < 3000, qPrintable(QString::number(w.elapsedMs)));
        QCOMPARE(readNow(store, QStringLiteral("secret/nobus"), 10'000).code(), QString(Errors::KeychainUnavailable));
        QCOMPARE(removeNow(store, QStringLiteral("secret/nobus"), 10'000).code(), QString(Errors::KeychainUnavailable));
        QCOMPARE(probeNow(store, 10'000).code(), QString(Errors::KeychainUnavailable));
        QVERIFY(filesContaining("nobus-secret-value").isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestKeychainNoBus)
#include "tst_keychainnobus.moc"
