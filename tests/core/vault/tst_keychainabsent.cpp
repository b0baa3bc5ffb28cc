// SPDX-License-Identifier: GPL-3.0-or-later
// KeychainSecretStore on a private D-Bus session where no Secret Service exists or can be
// activated (with-keyring.sh --no-keyring, registered with NO_KEYCHAIN): every operation fails
// closed with keychain_unavailable, quickly, and nothing reaches the disk. Then a Secret Service
// that never answers: the operation still ends within its timeout.
#include "vault/keychainsecretstore.h"

#include "vaulttestutil.h"

#include <QDBusConnectionInterface>
#include <QDBusVirtualObject>
#include <QTest>
#include <QTimer>

using namespace Tessera;
using namespace Tessera::Vault;
using namespace Tessera::Vault::Test;
using namespace std::chrono_literals;

namespace {

// Generous for ASan builds; without the D-Bus pre-check libsecret fails fast here too, but a
// hang anywhere would blow far past it.
constexpr qint64 quickMs = 3000;

const QByteArray secretValue = QByteArrayLiteral("absent-keychain-secret-7c1f0e");

// Owns org.freedesktop.secrets but holds every call until release(): a Secret Service that
// hangs (or an unlock prompt nobody answers).
class SilentSecretService : public QDBusVirtualObject
{
public:
    QString introspect(const QString &) const override { return {}; }
    bool handleMessage(const QDBusMessage &message, const QDBusConnection &connection) override
    {
        ++calls;
        if (released) {
            connection.send(errorFor(message));
            return true;
        }
        message.setDelayedReply(true);
        held.append(message);
        return true;
    }
    void release()
    {
        released = true;
        for (const QDBusMessage &m : std::as_const(held))
            QDBusConnection::sessionBus().send(errorFor(m));
        held.clear();
    }
    int calls = 0;

private:
    static QDBusMessage errorFor(const QDBusMessage &m)
    {
        return m.createErrorReply(QStringLiteral("org.freedesktop.DBus.Error.Failed"),
            QStringLiteral("This test Secret Service refuses everything."));
    }
    QList<QDBusMessage> held;
    bool released = false;
};

} // namespace

class TestKeychainAbsent : public QObject
{
    Q_OBJECT
private:
    QString m_service;

    static void verifyUnavailable(const std::optional<Status> &s)
    {
        QVERIFY(s);
        QVERIFY(!s->ok());
        QCOMPARE(s->error().code, QString(Errors::KeychainUnavailable));
        QVERIFY2(s->error().message.contains(QLatin1String("Secret Service")), qPrintable(s->error().message));
        QVERIFY2(s->error().message.contains(QLatin1String("plain files")), qPrintable(s->error().message));
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!insideKeyringHarness())
            QFAIL("Run this test through ctest: it needs tests/support/with-keyring.sh --no-keyring.");
        QDBusConnection bus = QDBusConnection::sessionBus();
        QVERIFY(bus.isConnected());
        const QString secrets = QStringLiteral("org.freedesktop.secrets");
        QVERIFY2(!bus.interface()->isServiceRegistered(secrets).value(), "a Secret Service is on this bus");
        QVERIFY2(!bus.interface()->activatableServiceNames().value().contains(secrets),
            "a Secret Service is activatable on this bus");
        m_service = uniqueService();
    }

    void testWriteFailsClosed()
    {
        KeychainSecretStore store(m_service);
        const auto w = writeNow(store, QStringLiteral("signing-key/k1"), secretValue);
        QCOMPARE(w.calls, 1);
        verifyUnavailable(w.result);
        QVERIFY2(w.elapsedMs < quickMs, qPrintable(QString::number(w.elapsedMs)));
    }

    void testReadFailsClosed()
    {
        KeychainSecretStore store(m_service);
        const auto r = readNow(store, QStringLiteral("signing-key/k1"));
        QCOMPARE(r.calls, 1);
        QVERIFY(r.result);
        QVERIFY(!r.result->ok());
        // Not "not_found": a missing keychain must never look like a missing key.
        QCOMPARE(r.code(), QString(Errors::KeychainUnavailable));
        QVERIFY(r.result->error().message.contains(QLatin1String("plain files")));
        QVERIFY2(r.elapsedMs < quickMs, qPrintable(QString::number(r.elapsedMs)));
    }

    void testRemoveFailsClosed()
    {
        KeychainSecretStore store(m_service);
        const auto d = removeNow(store, QStringLiteral("signing-key/k1"));
        QCOMPARE(d.calls, 1);
        verifyUnavailable(d.result);
        QVERIFY2(d.elapsedMs < quickMs, qPrintable(QString::number(d.elapsedMs)));
    }

    void testProbeFailsClosed()
    {
        KeychainSecretStore store(m_service);
        const auto p = probeNow(store);
        QCOMPARE(p.calls, 1);
        verifyUnavailable(p.result);
        QVERIFY2(p.elapsedMs < quickMs, qPrintable(QString::number(p.elapsedMs)));
    }

    void testManyOperationsAllFailClosed()
    {
        KeychainSecretStore store(m_service);
        int unavailable = 0;
        int other = 0;
        for (int i = 0; i < 20; ++i) {
            store.write(QStringLiteral("secret/s%1").arg(i), secretValue,
                [&](Status s) { (!s && s.error().code == Errors::KeychainUnavailable ? unavailable : other)++; });
        }
        QTRY_COMPARE_WITH_TIMEOUT(unavailable + other, 20, 10'000);
        QCOMPARE(unavailable, 20);
    }

    void testNothingWrittenToDisk()
    {
        const QStringList hits = filesContaining(secretValue);
        QVERIFY2(hits.isEmpty(), qPrintable(hits.join(QLatin1Char(' '))));
        // No QSettings "plaintext fallback" file for the service either.
        for (const QString &path : privateFiles())
            QVERIFY2(!path.contains(m_service), qPrintable(path));
    }

    void testSilentSecretServiceIsBoundedByTimeout()
    {
        SilentSecretService fake;
        QDBusConnection bus = QDBusConnection::sessionBus();
        QVERIFY(bus.registerVirtualObject(QStringLiteral("/org/freedesktop/secrets"), &fake, QDBusConnection::SubPath));
        QVERIFY(bus.registerService(QStringLiteral("org.freedesktop.secrets")));

        KeychainSecretStore store(m_service);
        store.setTimeout(1500ms);
        int readCalls = 0;
        std::optional<Result<QByteArray>> result;
        qint64 elapsedMs = -1;
        QElapsedTimer t;
        t.start();
        store.read(QStringLiteral("signing-key/k1"), [&](Result<QByteArray> r) {
            ++readCalls;
            elapsedMs = t.elapsed();
            result = std::move(r);
        });
        QTRY_VERIFY_WITH_TIMEOUT(readCalls > 0, 15'000);
        QVERIFY(result);
        QCOMPARE(result->error().code, QString(Errors::KeychainUnavailable));
        QVERIFY2(
            result->error().message.contains(QLatin1String("did not answer")), qPrintable(result->error().message));
        QVERIFY2(elapsedMs >= 1400 && elapsedMs < 1500 + quickMs, qPrintable(QString::number(elapsedMs)));
        QVERIFY(fake.calls > 0); // libsecret really was waiting on the fake

        // Let the stuck job end. QtKeychain runs one job at a time, so the probe below runs
        // only after it: a refusing Secret Service is keychain_error, and never a success.
        fake.release();
        const auto p = probeNow(store, 15'000);
        QCOMPARE(p.calls, 1);
        QVERIFY(p.result);
        QVERIFY(!p.result->ok());
        QCOMPARE(p.code(), QString(Errors::KeychainError));
        QTest::qWait(100);
        QCOMPARE(readCalls, 1); // the late answer of the timed-out read was not delivered again

        bus.unregisterService(QStringLiteral("org.freedesktop.secrets"));
        bus.unregisterObject(QStringLiteral("/org/freedesktop/secrets"), QDBusConnection::UnregisterTree);
    }
};

QTEST_GUILESS_MAIN(TestKeychainAbsent)
#include "tst_keychainabsent.moc"
