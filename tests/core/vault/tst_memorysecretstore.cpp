// SPDX-License-Identifier: GPL-3.0-or-later
// MemorySecretStore and the SecretStore contract it shares with the keychain store: asynchronous
// callbacks, exactly once, in call order, dropped after destruction; the key naming rule.
#include "vault/memorysecretstore.h"

#include "vaulttestutil.h"

#include <QPointer>
#include <QTest>

using namespace Tessera;
using namespace Tessera::Vault;
using namespace Tessera::Vault::Test;

class TestMemorySecretStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void testValidateKey_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<bool>("valid");
        // product.md "Names and places": keys name their kind.
        QTest::newRow("signing key") << QStringLiteral("signing-key/kid-2026-01") << true;
        QTest::newRow("secret") << QStringLiteral("secret/github") << true;
        QTest::newRow("client token, URL resource")
            << QStringLiteral("client-token/c_9f2a/https://mcp.example.com/mcp") << true;
        QTest::newRow("client token, plain resource") << QStringLiteral("client-token/cli/res") << true;
        QTest::newRow("512 characters") << (QStringLiteral("secret/") + QString(505, QLatin1Char('a'))) << true;
        QTest::newRow("513 characters") << (QStringLiteral("secret/") + QString(506, QLatin1Char('a'))) << false;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("no kind") << QStringLiteral("github") << false;
        QTest::newRow("unknown kind") << QStringLiteral("password/github") << false;
        QTest::newRow("kind only") << QStringLiteral("secret/") << false;
        QTest::newRow("kind without slash") << QStringLiteral("secret") << false;
        QTest::newRow("slash in secret name") << QStringLiteral("secret/a/b") << false;
        QTest::newRow("slash in kid") << QStringLiteral("signing-key/a/b") << false;
        QTest::newRow("client token without resource") << QStringLiteral("client-token/cli") << false;
        QTest::newRow("client token, empty resource") << QStringLiteral("client-token/cli/") << false;
        QTest::newRow("client token, empty client") << QStringLiteral("client-token//res") << false;
        QTest::newRow("space") << QStringLiteral("secret/my token") << false;
        QTest::newRow("tab") << QStringLiteral("secret/a\tb") << false;
        QTest::newRow("newline") << QStringLiteral("secret/a\nb") << false;
        QTest::newRow("NUL") << (QStringLiteral("secret/a") + QChar(0) + QStringLiteral("b")) << false;
        QTest::newRow("DEL") << (QStringLiteral("secret/a") + QChar(0x7f)) << false;
        QTest::newRow("non-ASCII") << (QStringLiteral("secret/caf") + QChar(0xe9)) << false;
        QTest::newRow("uppercase kind") << QStringLiteral("Secret/github") << false;
    }
    void testValidateKey()
    {
        QFETCH(QString, key);
        QFETCH(bool, valid);
        const Status s = SecretStore::validateKey(key);
        QCOMPARE(s.ok(), valid);
        if (!valid) {
            QCOMPARE(s.error().code, QString(Errors::InvalidKey));
            QVERIFY(s.error().message.endsWith(QLatin1Char('.')));
        }
    }

    void testRoundTrip_data()
    {
        QTest::addColumn<QByteArray>("secret");
        QByteArray all;
        for (int i = 0; i < 256; ++i)
            all.append(static_cast<char>(i));
        QTest::newRow("text") << QByteArrayLiteral("ghp_example");
        QTest::newRow("every byte value, NUL and 0xFF included") << all;
        QTest::newRow("4 KiB") << all.repeated(16);
        QTest::newRow("empty") << QByteArray("", 0);
    }
    void testRoundTrip()
    {
        QFETCH(QByteArray, secret);
        MemorySecretStore store;
        const auto w = writeNow(store, QStringLiteral("secret/x"), secret);
        QVERIFY(w.result && w.result->ok());
        QVERIFY(store.contains(QStringLiteral("secret/x")));
        const auto r = readNow(store, QStringLiteral("secret/x"));
        QVERIFY(r.result);
        QVERIFY(r.result->ok());
        QCOMPARE(r.result->value(), secret);
    }

    void testOverwriteAndRemove()
    {
        MemorySecretStore store;
        const QString key = QStringLiteral("signing-key/k1");
        QVERIFY(writeNow(store, key, "one").result->ok());
        QVERIFY(writeNow(store, key, "two").result->ok());
        QCOMPARE(readNow(store, key).result->value(), QByteArrayLiteral("two"));
        QCOMPARE(store.keys(), QStringList { key });

        QVERIFY(removeNow(store, key).result->ok());
        QVERIFY(!store.contains(key));
        const auto r = readNow(store, key);
        QCOMPARE(r.code(), QString(Errors::NotFound));
        QVERIFY(!r.result->error().message.isEmpty());
    }

    void testRemoveMissingSucceeds()
    {
        MemorySecretStore store;
        const auto s = removeNow(store, QStringLiteral("secret/never"));
        QVERIFY(s.result);
        QVERIFY(s.result->ok());
    }

    void testInvalidKeyRejectedOnEveryOperation()
    {
        MemorySecretStore store;
        const QString bad = QStringLiteral("secret/has space");
        QCOMPARE(writeNow(store, bad, "v").code(), QString(Errors::InvalidKey));
        QCOMPARE(readNow(store, bad).code(), QString(Errors::InvalidKey));
        QCOMPARE(removeNow(store, bad).code(), QString(Errors::InvalidKey));
        QVERIFY(store.keys().isEmpty());
    }

    void testCallbacksAreAsynchronous()
    {
        MemorySecretStore store;
        int calls = 0;
        store.write(QStringLiteral("secret/a"), "v", [&](Status) { ++calls; });
        store.read(QStringLiteral("secret/a"), [&](Result<QByteArray>) { ++calls; });
        store.remove(QStringLiteral("secret/a"), [&](Status) { ++calls; });
        store.probe([&](Status) { ++calls; });
        store.read(QStringLiteral("not a key"), [&](Result<QByteArray>) { ++calls; });
        QCOMPARE(calls, 0); // none ran inside its call
        QTRY_COMPARE(calls, 5);
        QTest::qWait(50);
        QCOMPARE(calls, 5); // and each exactly once
    }

    void testOperationsRunInCallOrder()
    {
        MemorySecretStore store;
        const QString key = QStringLiteral("secret/order");
        QStringList log;
        store.write(key, "first", [&](Status s) { log << (s.ok() ? QStringLiteral("w1") : QStringLiteral("w1!")); });
        store.write(key, "second", [&](Status s) { log << (s.ok() ? QStringLiteral("w2") : QStringLiteral("w2!")); });
        store.read(
            key, [&](Result<QByteArray> r) { log << QStringLiteral("r:") + QString::fromLatin1(r.valueOr("?")); });
        store.remove(key, [&](Status s) { log << (s.ok() ? QStringLiteral("d") : QStringLiteral("d!")); });
        store.read(key, [&](Result<QByteArray> r) { log << (r ? QStringLiteral("r:found") : r.error().code); });
        QTRY_COMPARE(log.size(), 5);
        QCOMPARE(log,
            (QStringList { QStringLiteral("w1"), QStringLiteral("w2"), QStringLiteral("r:second"), QStringLiteral("d"),
                QStringLiteral("not_found") }));
    }

    void testSimulatedFailures_data()
    {
        QTest::addColumn<MemorySecretStore::Mode>("mode");
        QTest::addColumn<QString>("code");
        QTest::newRow("unavailable") << MemorySecretStore::Mode::Unavailable << QString(Errors::KeychainUnavailable);
        QTest::newRow("denied") << MemorySecretStore::Mode::Denied << QString(Errors::AccessDenied);
    }
    void testSimulatedFailures()
    {
        QFETCH(MemorySecretStore::Mode, mode);
        QFETCH(QString, code);
        MemorySecretStore store;
        const QString key = QStringLiteral("secret/kept");
        QVERIFY(writeNow(store, key, "original").result->ok());

        store.setMode(mode);
        QCOMPARE(store.mode(), mode);
        const auto w = writeNow(store, key, "overwritten");
        QCOMPARE(w.code(), code);
        QVERIFY(!w.result->error().message.isEmpty());
        QCOMPARE(readNow(store, key).code(), code);
        QCOMPARE(removeNow(store, key).code(), code);
        QCOMPARE(probeNow(store).code(), code);
        // The key rule is checked before the keychain is asked, as in the real store.
        QCOMPARE(readNow(store, QStringLiteral("bad")).code(), QString(Errors::InvalidKey));

        // Nothing changed while failing.
        store.setMode(MemorySecretStore::Mode::Available);
        QVERIFY(probeNow(store).result->ok());
        QCOMPARE(readNow(store, key).result->value(), QByteArrayLiteral("original"));
    }

    void testModeAppliesWhenTheOperationRuns()
    {
        MemorySecretStore store;
        int denied = 0;
        store.setMode(MemorySecretStore::Mode::Denied);
        store.write(QStringLiteral("secret/a"), "v", [&](Status s) { denied += s.ok() ? 0 : 1; });
        store.setMode(MemorySecretStore::Mode::Available); // before the event loop runs it
        QTRY_VERIFY(store.contains(QStringLiteral("secret/a")));
        QCOMPARE(denied, 0);
    }

    void testCallbacksDroppedWhenStoreDestroyed()
    {
        auto *store = new MemorySecretStore;
        int calls = 0;
        store->write(QStringLiteral("secret/a"), "v", [&](Status) { ++calls; });
        store->read(QStringLiteral("secret/a"), [&](Result<QByteArray>) { ++calls; });
        delete store;
        QTest::qWait(50);
        QCOMPARE(calls, 0);
    }

    void testCallbackMayDestroyStore()
    {
        QPointer<MemorySecretStore> store = new MemorySecretStore;
        int calls = 0;
        store->probe([&](Status) {
            ++calls;
            delete store.data();
        });
        store->probe([&](Status) { ++calls; });
        QTRY_VERIFY(store.isNull());
        QTest::qWait(50);
        QCOMPARE(calls, 1);
    }
};

QTEST_GUILESS_MAIN(TestMemorySecretStore)
#include "tst_memorysecretstore.moc"
