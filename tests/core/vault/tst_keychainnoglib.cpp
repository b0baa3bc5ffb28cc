// SPDX-License-Identifier: GPL-3.0-or-later
// With QT_NO_GLIB=1 (set by CMake for this test) Qt's event loop does not run GLib callbacks, so
// libsecret, and every QtKeychain job with it, would wait forever. Runs against the real private
// Secret Service (KEYCHAIN): the store must refuse at once with keychain_unavailable.
#include "vault/keychainsecretstore.h"

#include "vaulttestutil.h"

#include <QAbstractEventDispatcher>
#include <QDBusConnectionInterface>
#include <QTest>

using namespace Tessera;
using namespace Tessera::Vault;
using namespace Tessera::Vault::Test;

class TestKeychainNoGlib : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        if (!insideKeyringHarness())
            QFAIL("Run this test through ctest: it needs tests/support/with-keyring.sh.");
        QCOMPARE(qgetenv("QT_NO_GLIB"), QByteArrayLiteral("1"));
        QVERIFY(!QAbstractEventDispatcher::instance()->inherits("QEventDispatcherGlib"));
        QVERIFY(
            QDBusConnection::sessionBus().interface()->isServiceRegistered(QStringLiteral("org.freedesktop.secrets")));
    }

    void testFailsClosedQuickly()
    {
        KeychainSecretStore store(uniqueService());
        const auto w = writeNow(store, QStringLiteral("secret/noglib"), "noglib-secret-value", 10'000);
        QCOMPARE(w.calls, 1);
        QVERIFY(w.result);
        QCOMPARE(w.code(), QString(Errors::KeychainUnavailable));
        QVERIFY2(
            w.result->error().message.contains(QLatin1String("QT_NO_GLIB")), qPrintable(w.result->error().message));
        QVERIFY2(w.elapsedMs < 3000, qPrintable(QString::number(w.elapsedMs)));

        const auto p = probeNow(store, 10'000);
        QCOMPARE(p.code(), QString(Errors::KeychainUnavailable));
        QVERIFY(filesContaining("noglib-secret-value").isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestKeychainNoGlib)
#include "tst_keychainnoglib.moc"
