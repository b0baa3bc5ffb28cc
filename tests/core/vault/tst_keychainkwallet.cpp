// SPDX-License-Identifier: GPL-3.0-or-later
// QtKeychain 0.13.2 on a KDE Plasma 5 session talks to kwalletd5 instead of the Secret Service,
// and on that path it reads (and "migrates") secrets from a plaintext QSettings file even with
// insecureFallback() off. This test plays kwalletd5 on the private bus (KEYCHAIN), plants such a
// file, and checks that KeychainSecretStore never reads from or writes to it.
#include "vault/keychainsecretstore.h"

#include "support/testsupport.h"
#include "vaulttestutil.h"

#include <QSettings>
#include <QTest>

using namespace Tessera;
using namespace Tessera::Vault;
using namespace Tessera::Vault::Test;

namespace {

const QString kwalletService = QStringLiteral("org.kde.kwalletd5");
const QString kwalletPath = QStringLiteral("/modules/kwalletd5");

} // namespace

// The part of org.kde.KWallet that QtKeychain 0.13.2 calls.
class FakeKWallet : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.kde.KWallet")
public:
    QHash<QString, QByteArray> entries; // "<folder>\n<key>" -> value
    QStringList calls;

public Q_SLOTS:
    QString networkWallet()
    {
        calls << QStringLiteral("networkWallet");
        return QStringLiteral("kdewallet");
    }
    int open(const QString &, qlonglong, const QString &)
    {
        calls << QStringLiteral("open");
        return 7;
    }
    int entryType(int, const QString &folder, const QString &key, const QString &)
    {
        calls << QStringLiteral("entryType");
        return entries.contains(folder + QLatin1Char('\n') + key) ? 2 /* Stream */ : 0 /* Unknown */;
    }
    QByteArray readEntry(int, const QString &folder, const QString &key, const QString &)
    {
        calls << QStringLiteral("readEntry");
        return entries.value(folder + QLatin1Char('\n') + key);
    }
    QString readPassword(int, const QString &folder, const QString &key, const QString &)
    {
        calls << QStringLiteral("readPassword");
        return QString::fromUtf8(entries.value(folder + QLatin1Char('\n') + key));
    }
    int writeEntry(int, const QString &folder, const QString &key, const QByteArray &value, const QString &)
    {
        calls << QStringLiteral("writeEntry");
        entries.insert(folder + QLatin1Char('\n') + key, value);
        return 0;
    }
    int writePassword(int, const QString &folder, const QString &key, const QString &value, const QString &)
    {
        calls << QStringLiteral("writePassword");
        entries.insert(folder + QLatin1Char('\n') + key, value.toUtf8());
        return 0;
    }
    int removeEntry(int, const QString &folder, const QString &key, const QString &)
    {
        calls << QStringLiteral("removeEntry");
        entries.remove(folder + QLatin1Char('\n') + key);
        return 0;
    }
};

class TestKeychainKWallet : public QObject
{
    Q_OBJECT
private:
    FakeKWallet m_wallet;
    QString m_service;
    QString m_plantedFile;
    const QString m_plantedKey = QStringLiteral("secret/planted");
    const QByteArray m_plantedValue = QByteArrayLiteral("planted-plaintext-value-4e2b");

private Q_SLOTS:
    void initTestCase()
    {
        if (!insideKeyringHarness())
            QFAIL("Run this test through ctest: it needs tests/support/with-keyring.sh.");
        // QtKeychain picks its backend once per process, from these variables (keychain_unix.cpp).
        qputenv("XDG_CURRENT_DESKTOP", "KDE");
        qputenv("KDE_SESSION_VERSION", "5");

        QDBusConnection bus = QDBusConnection::sessionBus();
        QVERIFY(bus.registerObject(kwalletPath, &m_wallet, QDBusConnection::ExportAllSlots));
        QVERIFY(bus.registerService(kwalletService));

        // A plaintext entry where QtKeychain's PlainTextStore looks: QSettings(service).
        m_service = uniqueService();
        QSettings planted(m_service);
        planted.setValue(m_plantedKey + QStringLiteral("/type"), 2);
        planted.setValue(m_plantedKey + QStringLiteral("/data"), m_plantedValue);
        planted.sync();
        QCOMPARE(planted.status(), QSettings::NoError);
        m_plantedFile = planted.fileName();
        QVERIFY(fileContains(m_plantedFile));
    }

    void testPlaintextEntryIsNeverRead()
    {
        KeychainSecretStore store(m_service);
        const auto r = readNow(store, m_plantedKey);
        QVERIFY(r.result);
        QVERIFY2(!r.result->ok(), "QtKeychain returned the plaintext entry");
        QCOMPARE(r.code(), QString(Errors::NotFound));
        // The KWallet path really ran (otherwise this test would prove nothing).
        QVERIFY2(m_wallet.calls.contains(QStringLiteral("open")), qPrintable(m_wallet.calls.join(QLatin1Char(','))));
        QVERIFY(m_wallet.calls.contains(QStringLiteral("entryType")));
        // ...and did not "migrate" the entry out of the file either.
        QVERIFY(fileContains(m_plantedFile));
        QVERIFY(m_wallet.entries.isEmpty());
    }

    void testRoundTripThroughKWallet()
    {
        KeychainSecretStore store(m_service);
        const QString key = QStringLiteral("secret/in-wallet");
        static const char raw[] = "kwallet-value\x00\xff-91d3";
        const QByteArray value(raw, sizeof(raw) - 1);
        QVERIFY(writeNow(store, key, value).result->ok());
        QCOMPARE(m_wallet.entries.value(m_service + QLatin1Char('\n') + key), value);
        QCOMPARE(readNow(store, key).result->value(), value);
        QVERIFY(removeNow(store, key).result->ok());
        QVERIFY(m_wallet.entries.isEmpty());
        QVERIFY(m_wallet.calls.contains(QStringLiteral("removeEntry")));

        const QStringList hits = filesContaining(value);
        QVERIFY2(hits.isEmpty(), qPrintable(hits.join(QLatin1Char(' '))));
    }

    void testPlantedFileUntouched()
    {
        QSettings planted(m_service);
        QCOMPARE(planted.value(m_plantedKey + QStringLiteral("/data")).toByteArray(), m_plantedValue);
        QCOMPARE(planted.allKeys().size(), 2);
    }

private:
    bool fileContains(const QString &path) const { return Tessera::Test::fileContains(path, m_plantedValue); }
};

QTEST_GUILESS_MAIN(TestKeychainKWallet)
#include "tst_keychainkwallet.moc"
