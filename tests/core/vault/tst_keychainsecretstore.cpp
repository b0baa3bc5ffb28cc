// SPDX-License-Identifier: GPL-3.0-or-later
// KeychainSecretStore against a real gnome-keyring Secret Service on a private D-Bus session
// (tests/support/with-keyring.sh, registered with KEYCHAIN). Every stored item is checked in
// the Secret Service itself (secret-tool, SearchItems) and the throwaway HOME is scanned for the
// secret bytes, so a plaintext fallback could not pass unnoticed.
#include "vault/keychainsecretstore.h"

#include "vaulttestutil.h"

#include <QPointer>
#include <QRandomGenerator>
#include <QTest>

using namespace Tessera;
using namespace Tessera::Vault;
using namespace Tessera::Vault::Test;

class TestKeychainSecretStore : public QObject
{
    Q_OBJECT
private:
    QString m_service;

private Q_SLOTS:
    void initTestCase()
    {
        // Never touch a real keyring: only run inside the harness's private bus and HOME.
        if (!insideKeyringHarness())
            QFAIL("Run this test through ctest: it needs tests/support/with-keyring.sh.");
        QVERIFY(QDBusConnection::sessionBus().isConnected());
        m_service = uniqueService();
    }

    void testProbe()
    {
        KeychainSecretStore store(m_service);
        const auto p = probeNow(store);
        QVERIFY(p.result);
        QVERIFY2(p.result->ok(), describe(*p.result).constData());
    }

    void testRoundTrip_data()
    {
        QTest::addColumn<QByteArray>("secret");
        QByteArray all;
        for (int i = 0; i < 256; ++i)
            all.append(static_cast<char>(i));
        QByteArray random(4096, Qt::Uninitialized);
        for (char &c : random)
            c = static_cast<char>(QRandomGenerator::global()->bounded(256));
        QTest::newRow("text") << QByteArrayLiteral("tessera-secret-") + QUuid::createUuid().toByteArray();
        QTest::newRow("every byte value, NUL and 0xFF included") << all;
        QTest::newRow("NUL and 0xFF only") << QByteArray("\x00\xff\x00\xff", 4);
        QTest::newRow("4 KiB random") << random;
        QTest::newRow("empty") << QByteArray("", 0);
    }
    void testRoundTrip()
    {
        QFETCH(QByteArray, secret);
        KeychainSecretStore store(m_service);
        const QString key = QStringLiteral("secret/")
            + QString::fromLatin1(QTest::currentDataTag())
                  .replace(QLatin1Char(' '), QLatin1Char('-'))
                  .remove(QLatin1Char(','));
        QVERIFY(SecretStore::validateKey(key).ok());

        const auto w = writeNow(store, key, secret);
        QVERIFY(w.result);
        QVERIFY2(w.result->ok(), describe(*w.result).constData());

        const auto r = readNow(store, key);
        QVERIFY(r.result);
        QVERIFY2(r.result->ok(), describe(*r.result).constData());
        QCOMPARE(r.result->value(), secret);

        // The item is in the Secret Service, holding exactly these bytes...
        const Items items = secretServiceItems(m_service, key);
        QVERIFY(items.ok);
        QCOMPARE(items.unlocked, 1);
        const std::optional<QByteArray> viaLibsecret = secretToolLookup(m_service, key);
        QVERIFY(viaLibsecret);
        QCOMPARE(*viaLibsecret, secret);

        // ...and in no plain file of the throwaway HOME (the keyring file is encrypted).
        if (secret.size() >= 4) {
            const QStringList hits = filesContaining(secret);
            QVERIFY2(hits.isEmpty(), qPrintable(hits.join(QLatin1Char(' '))));
        }
    }

    void testOverwrite()
    {
        KeychainSecretStore store(m_service);
        const QString key = QStringLiteral("signing-key/overwrite");
        QVERIFY(writeNow(store, key, "first-value").result->ok());
        QVERIFY(writeNow(store, key, "second-value").result->ok());
        QCOMPARE(readNow(store, key).result->value(), QByteArrayLiteral("second-value"));
        const Items items = secretServiceItems(m_service, key);
        QVERIFY(items.ok);
        QCOMPARE(items.unlocked + items.locked, 1); // replaced, not added
    }

    void testRemove()
    {
        KeychainSecretStore store(m_service);
        const QString key = QStringLiteral("client-token/c1/https://mcp.example.com/mcp");
        QVERIFY(writeNow(store, key, "token-value").result->ok());
        QCOMPARE(secretServiceItems(m_service, key).unlocked, 1);

        const auto d = removeNow(store, key);
        QVERIFY2(d.result->ok(), describe(*d.result).constData());
        const Items items = secretServiceItems(m_service, key);
        QVERIFY(items.ok);
        QCOMPARE(items.unlocked + items.locked, 0);
        QCOMPARE(readNow(store, key).code(), QString(Errors::NotFound));
    }

    void testReadMissing()
    {
        KeychainSecretStore store(m_service);
        const auto r = readNow(store, QStringLiteral("secret/never-written"));
        QVERIFY(r.result);
        QVERIFY(!r.result->ok());
        QCOMPARE(r.code(), QString(Errors::NotFound));
        QVERIFY(r.result->error().message.contains(QLatin1String("secret/never-written")));
    }

    void testRemoveMissingSucceeds()
    {
        // Documented choice: remove() is idempotent.
        KeychainSecretStore store(m_service);
        const auto d = removeNow(store, QStringLiteral("secret/never-written"));
        QVERIFY(d.result);
        QVERIFY2(d.result->ok(), describe(*d.result).constData());
    }

    void testServicesAreSeparate()
    {
        KeychainSecretStore a(uniqueService());
        KeychainSecretStore b(uniqueService());
        const QString key = QStringLiteral("secret/shared-name");
        QVERIFY(writeNow(a, key, "value-of-a").result->ok());
        QCOMPARE(readNow(b, key).code(), QString(Errors::NotFound));
        QVERIFY(writeNow(b, key, "value-of-b").result->ok());
        QCOMPARE(readNow(a, key).result->value(), QByteArrayLiteral("value-of-a"));
        QCOMPARE(readNow(b, key).result->value(), QByteArrayLiteral("value-of-b"));
        QVERIFY(removeNow(b, key).result->ok());
        QCOMPARE(readNow(a, key).result->value(), QByteArrayLiteral("value-of-a"));
    }

    void testInvalidKeysRejected_data()
    {
        QTest::addColumn<QString>("key");
        QTest::newRow("no kind") << QStringLiteral("github");
        QTest::newRow("space") << QStringLiteral("secret/with space");
        QTest::newRow("control character") << QStringLiteral("secret/a\x01");
        QTest::newRow("too long") << (QStringLiteral("secret/") + QString(600, QLatin1Char('x')));
        QTest::newRow("empty") << QString();
    }
    void testInvalidKeysRejected()
    {
        QFETCH(QString, key);
        KeychainSecretStore store(m_service);
        const auto w = writeNow(store, key, "must-not-be-stored");
        QCOMPARE(w.calls, 1);
        QCOMPARE(w.code(), QString(Errors::InvalidKey));
        QCOMPARE(readNow(store, key).code(), QString(Errors::InvalidKey));
        QCOMPARE(removeNow(store, key).code(), QString(Errors::InvalidKey));
        const Items items = secretServiceItems(m_service, key);
        QVERIFY(items.ok);
        QCOMPARE(items.unlocked + items.locked, 0);
    }

    void testCallbackIsAsynchronousAndExactlyOnce()
    {
        KeychainSecretStore store(m_service);
        int calls = 0;
        store.write(QStringLiteral("secret/async"), "v", [&](Status) { ++calls; });
        store.read(QStringLiteral("secret/async"), [&](Result<QByteArray>) { ++calls; });
        store.read(QStringLiteral("bad key"), [&](Result<QByteArray>) { ++calls; });
        store.probe([&](Status) { ++calls; });
        QCOMPARE(calls, 0);
        QTRY_COMPARE_WITH_TIMEOUT(calls, 4, waitMs);
        QTest::qWait(200);
        QCOMPARE(calls, 4);
    }

    void testOperationsKeepCallOrder()
    {
        KeychainSecretStore store(m_service);
        const QString key = QStringLiteral("secret/order");
        QStringList log;
        store.write(key, "first", [&](Status s) { log << (s ? QStringLiteral("w1") : s.error().code); });
        store.write(key, "second", [&](Status s) { log << (s ? QStringLiteral("w2") : s.error().code); });
        store.read(key, [&](Result<QByteArray> r) { log << (r ? QString::fromLatin1(*r) : r.error().code); });
        store.remove(key, [&](Status s) { log << (s ? QStringLiteral("d") : s.error().code); });
        store.read(key, [&](Result<QByteArray> r) { log << (r ? QString::fromLatin1(*r) : r.error().code); });
        QTRY_COMPARE_WITH_TIMEOUT(log.size(), 5, waitMs);
        QCOMPARE(log,
            (QStringList { QStringLiteral("w1"), QStringLiteral("w2"), QStringLiteral("second"), QStringLiteral("d"),
                QStringLiteral("not_found") }));
    }

    void testStoreDestroyedWithJobsInFlight()
    {
        // Jobs are not parented to the store: deleting a running QtKeychain 0.13.2 job is a
        // use-after-free in its libsecret callback, which ASan reports. The store is destroyed
        // after a range of delays so that some of them hit a job while libsecret works on it.
        const QString key = QStringLiteral("secret/in-flight");
        int lateCalls = 0;
        for (const int delayMs : { 0, 1, 2, 3, 4, 6, 8, 12, 16 }) {
            auto deleted = std::make_shared<bool>(false);
            auto *store = new KeychainSecretStore(m_service);
            store->write(key, "late-value", [&, deleted](Status) { lateCalls += *deleted ? 1 : 0; });
            store->read(key, [&, deleted](Result<QByteArray>) { lateCalls += *deleted ? 1 : 0; });
            QTest::qWait(delayMs);
            delete store;
            *deleted = true;
        }
        // QtKeychain runs jobs one at a time, so once a later operation has finished the
        // orphaned ones have too.
        KeychainSecretStore other(m_service);
        const auto r = readNow(other, key);
        QVERIFY(r.result);
        QTest::qWait(100);
        QCOMPARE(lateCalls, 0);
        QVERIFY(removeNow(other, key).result->ok());
    }

    void testCallbackMayDestroyStore()
    {
        QPointer<KeychainSecretStore> store = new KeychainSecretStore(m_service);
        int calls = 0;
        store->probe([&](Status) {
            ++calls;
            delete store.data();
        });
        store->probe([&](Status) { ++calls; });
        QTRY_VERIFY_WITH_TIMEOUT(store.isNull(), waitMs);
        QTest::qWait(200);
        QCOMPARE(calls, 1);
    }

    void testNoPlaintextAnywhere()
    {
        // After everything above, no file in the private HOME/XDG dirs holds a value this test
        // wrote, and QtKeychain created no QSettings file for the service.
        for (const QByteArray &v : { QByteArrayLiteral("first-value"), QByteArrayLiteral("second-value"),
                 QByteArrayLiteral("token-value"), QByteArrayLiteral("value-of-a"), QByteArrayLiteral("value-of-b"),
                 QByteArrayLiteral("must-not-be-stored"), QByteArrayLiteral("late-value") }) {
            const QStringList hits = filesContaining(v);
            QVERIFY2(hits.isEmpty(),
                qPrintable(QString::fromLatin1(v) + QStringLiteral(": ") + hits.join(QLatin1Char(' '))));
        }
        for (const QString &path : privateFiles())
            QVERIFY2(!path.contains(QLatin1String("org.tessera.test")), qPrintable(path));
    }
};

QTEST_GUILESS_MAIN(TestKeychainSecretStore)
#include "tst_keychainsecretstore.moc"
