// SPDX-License-Identifier: GPL-3.0-or-later
// KeychainSecretStore against a locked collection of the private gnome-keyring (KEYCHAIN): the
// unlock prompt cannot be shown (no display), and libsecret then reports a locked item as
// "not found" and a delete of it as success. The store must say access_denied instead, quickly.
#include "vault/keychainsecretstore.h"

#include "vaulttestutil.h"

#include <QDBusVariant>
#include <QTest>

using namespace Tessera;
using namespace Tessera::Vault;
using namespace Tessera::Vault::Test;
using namespace std::chrono_literals;

namespace {

constexpr qint64 boundMs = 20'000;

QDBusMessage serviceCall(const QString &method)
{
    return QDBusMessage::createMethodCall(QStringLiteral("org.freedesktop.secrets"),
        QStringLiteral("/org/freedesktop/secrets"), QStringLiteral("org.freedesktop.Secret.Service"), method);
}

} // namespace

class TestKeychainLocked : public QObject
{
    Q_OBJECT
private:
    QString m_service;
    QString m_collection;
    const QString m_key = QStringLiteral("signing-key/locked-away");

    bool collectionLocked() const
    {
        QDBusMessage get = QDBusMessage::createMethodCall(QStringLiteral("org.freedesktop.secrets"), m_collection,
            QStringLiteral("org.freedesktop.DBus.Properties"), QStringLiteral("Get"));
        get << QStringLiteral("org.freedesktop.Secret.Collection") << QStringLiteral("Locked");
        const QDBusMessage reply = QDBusConnection::sessionBus().call(get);
        return reply.type() == QDBusMessage::ReplyMessage
            && qvariant_cast<QDBusVariant>(reply.arguments().value(0)).variant().toBool();
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (!insideKeyringHarness())
            QFAIL("Run this test through ctest: it needs tests/support/with-keyring.sh.");
        QDBusConnection bus = QDBusConnection::sessionBus();
        QVERIFY(bus.isConnected());

        // gnome-keyring starts gcr-prompter by D-Bus activation with the bus's environment. Make
        // sure it finds no display even when ctest runs inside a desktop session, so no real
        // prompt can appear and wait for a person.
        qDBusRegisterMetaType<QMap<QString, QString>>();
        QDBusMessage env = QDBusMessage::createMethodCall(QStringLiteral("org.freedesktop.DBus"),
            QStringLiteral("/org/freedesktop/DBus"), QStringLiteral("org.freedesktop.DBus"),
            QStringLiteral("UpdateActivationEnvironment"));
        env << QVariant::fromValue(QMap<QString, QString> {
            { QStringLiteral("DISPLAY"), QString() }, { QStringLiteral("WAYLAND_DISPLAY"), QString() } });
        QCOMPARE(bus.call(env).type(), QDBusMessage::ReplyMessage);

        m_service = uniqueService();
        KeychainSecretStore store(m_service);
        const auto w = writeNow(store, m_key, "locked-secret-value");
        QVERIFY2(w.result && w.result->ok(), "could not store the test secret while unlocked");

        QDBusMessage alias = serviceCall(QStringLiteral("ReadAlias"));
        alias << QStringLiteral("default");
        const QDBusMessage aliasReply = bus.call(alias);
        QCOMPARE(aliasReply.type(), QDBusMessage::ReplyMessage);
        m_collection = qvariant_cast<QDBusObjectPath>(aliasReply.arguments().value(0)).path();
        QVERIFY(!m_collection.isEmpty() && m_collection != QLatin1String("/"));

        // org.freedesktop.Secret.Service.Lock: gnome-keyring locks without a prompt.
        QDBusMessage lock = serviceCall(QStringLiteral("Lock"));
        lock << QVariant::fromValue(QList<QDBusObjectPath> { QDBusObjectPath(m_collection) });
        const QDBusMessage lockReply = bus.call(lock);
        QCOMPARE(lockReply.type(), QDBusMessage::ReplyMessage);
        QCOMPARE(qvariant_cast<QDBusObjectPath>(lockReply.arguments().value(1)).path(), QStringLiteral("/"));
        QVERIFY(collectionLocked());
        const Items items = secretServiceItems(m_service, m_key);
        QVERIFY(items.ok);
        QCOMPARE(items.locked, 1);
    }

    void testReadLockedItemIsAccessDenied()
    {
        KeychainSecretStore store(m_service);
        store.setTimeout(std::chrono::milliseconds(boundMs));
        const auto r = readNow(store, m_key, boundMs + 5000);
        QCOMPARE(r.calls, 1);
        QVERIFY(r.result);
        QVERIFY(!r.result->ok());
        // libsecret says "not found" here; that must never reach the caller.
        QCOMPARE(r.code(), QString(Errors::AccessDenied));
        QVERIFY2(r.result->error().message.contains(QLatin1String("locked")), qPrintable(r.result->error().message));
        QVERIFY(r.elapsedMs < boundMs);
        QVERIFY(collectionLocked());
    }

    void testReadMissingWhileLockedIsNotFound()
    {
        KeychainSecretStore store(m_service);
        store.setTimeout(std::chrono::milliseconds(boundMs));
        const auto r = readNow(store, QStringLiteral("secret/never-written"), boundMs + 5000);
        QVERIFY(r.result);
        QCOMPARE(r.code(), QString(Errors::NotFound));
    }

    void testWriteWhileLockedIsAccessDenied()
    {
        KeychainSecretStore store(m_service);
        store.setTimeout(std::chrono::milliseconds(boundMs));
        const QString key = QStringLiteral("secret/new-while-locked");
        const auto w = writeNow(store, key, "never-stored-value", boundMs + 5000);
        QCOMPARE(w.calls, 1);
        QVERIFY(w.result);
        QCOMPARE(w.code(), QString(Errors::AccessDenied));
        QVERIFY(w.elapsedMs < boundMs);
        const Items items = secretServiceItems(m_service, key);
        QVERIFY(items.ok);
        QCOMPARE(items.unlocked + items.locked, 0);
    }

    void testRemoveWhileLockedIsAccessDenied()
    {
        KeychainSecretStore store(m_service);
        store.setTimeout(std::chrono::milliseconds(boundMs));
        const auto d = removeNow(store, m_key, boundMs + 5000);
        QCOMPARE(d.calls, 1);
        QVERIFY(d.result);
        // libsecret's clear "succeeds" without deleting the locked item.
        QCOMPARE(d.code(), QString(Errors::AccessDenied));
        const Items items = secretServiceItems(m_service, m_key);
        QVERIFY(items.ok);
        QCOMPARE(items.locked, 1);
    }

    void testProbePassesWhileLocked()
    {
        // Documented: a locked keychain passes the start-up probe; the unlock prompt comes with
        // the first real access, and a refused unlock is access_denied there.
        KeychainSecretStore store(m_service);
        store.setTimeout(std::chrono::milliseconds(boundMs));
        const auto p = probeNow(store, boundMs + 5000);
        QVERIFY(p.result);
        QVERIFY2(p.result->ok(), describe(*p.result).constData());
    }

    void testNothingOnDisk()
    {
        for (const QByteArray &v :
            { QByteArrayLiteral("locked-secret-value"), QByteArrayLiteral("never-stored-value") }) {
            const QStringList hits = filesContaining(v);
            QVERIFY2(hits.isEmpty(), qPrintable(hits.join(QLatin1Char(' '))));
        }
    }
};

QTEST_GUILESS_MAIN(TestKeychainLocked)
#include "tst_keychainlocked.moc"
