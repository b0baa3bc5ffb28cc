// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Helpers shared by the vault tests: wait for one SecretStore callback, look into the private
// Secret Service of tests/support/with-keyring.sh, and scan the throwaway HOME for leaked bytes.

#include "vault/secretstore.h"

#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusMetaType>
#include <QDBusObjectPath>
#include <QDBusReply>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTest>
#include <QUuid>

#include <optional>

namespace Tessera::Vault::Test {

constexpr int waitMs = 30'000;

/** What a helper reports when no callback came at all: fails every check made on it. */
inline Error noCallback(int timeoutMs)
{
    return Error::make(QStringLiteral("test_no_callback"), QStringLiteral("No callback within %1 ms.").arg(timeoutMs));
}

/** For QVERIFY2 messages, which are evaluated even when the check passes. */
template<typename R> inline QByteArray describe(const R &r)
{
    return r.ok() ? QByteArrayLiteral("ok") : r.error().toString().toUtf8();
}

/** One operation's result (a test_no_callback error if none came), callback count and time taken. */
template<typename T> struct Outcome
{
    std::optional<T> result;
    int calls = 0;
    qint64 elapsedMs = -1;

    /** The error code, or "ok": safe to compare whatever happened. */
    [[nodiscard]] QString code() const
    {
        if (!result)
            return QStringLiteral("none");
        return result->ok() ? QStringLiteral("ok") : result->error().code;
    }
};

/** Runs one read and waits (event loop spinning) for its callback. */
inline Outcome<Result<QByteArray>> readNow(SecretStore &store, const QString &key, int timeoutMs = waitMs)
{
    auto out = std::make_shared<Outcome<Result<QByteArray>>>();
    QElapsedTimer t;
    t.start();
    store.read(key, [out, t](Result<QByteArray> r) {
        ++out->calls;
        out->elapsedMs = t.elapsed();
        out->result = std::move(r);
    });
    if (!QTest::qWaitFor([&] { return out->calls > 0; }, timeoutMs))
        out->result = noCallback(timeoutMs);
    return *out;
}

template<typename Start> inline Outcome<Status> statusNow(Start start, int timeoutMs = waitMs)
{
    auto out = std::make_shared<Outcome<Status>>();
    QElapsedTimer t;
    t.start();
    start([out, t](Status s) {
        ++out->calls;
        out->elapsedMs = t.elapsed();
        out->result = std::move(s);
    });
    if (!QTest::qWaitFor([&] { return out->calls > 0; }, timeoutMs))
        out->result = noCallback(timeoutMs);
    return *out;
}

inline Outcome<Status> writeNow(
    SecretStore &store, const QString &key, const QByteArray &secret, int timeoutMs = waitMs)
{
    return statusNow([&](auto done) { store.write(key, secret, std::move(done)); }, timeoutMs);
}

inline Outcome<Status> removeNow(SecretStore &store, const QString &key, int timeoutMs = waitMs)
{
    return statusNow([&](auto done) { store.remove(key, std::move(done)); }, timeoutMs);
}

inline Outcome<Status> probeNow(SecretStore &store, int timeoutMs = waitMs)
{
    return statusNow([&](auto done) { store.probe(std::move(done)); }, timeoutMs);
}

inline QString uniqueService()
{
    return QStringLiteral("org.tessera.test.") + QUuid::createUuid().toString(QUuid::WithoutBraces);
}

/** True when HOME is the throwaway one of tests/support/with-keyring.sh. */
inline bool insideKeyringHarness()
{
    return QDir::homePath().contains(QLatin1String("/tessera-keyring."));
}

/** HOME and the XDG directories the harness points into its temporary directory. */
inline QStringList privateDirs()
{
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    QStringList dirs { QDir::homePath() };
    for (const char *name : { "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR" }) {
        const QString dir = env.value(QLatin1String(name));
        if (!dir.isEmpty())
            dirs << dir;
    }
    return dirs;
}

/** Every regular file below privateDirs(). */
inline QStringList privateFiles()
{
    QStringList files;
    for (const QString &dir : privateDirs()) {
        QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::NoSymLinks, QDirIterator::Subdirectories);
        while (it.hasNext())
            files << it.next();
    }
    return files;
}

/** Files below privateDirs() whose bytes contain @p needle or its base64 form. */
inline QStringList filesContaining(const QByteArray &needle)
{
    QStringList hits;
    for (const QString &path : privateFiles()) {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QByteArray bytes = f.readAll();
        if (bytes.contains(needle) || bytes.contains(needle.toBase64()))
            hits << path;
    }
    return hits;
}

struct Items
{
    bool ok = false;
    qsizetype unlocked = 0;
    qsizetype locked = 0;
};

/** Secret Service SearchItems for QtKeychain's attributes (user = key, server = service). */
inline Items secretServiceItems(const QString &service, const QString &key)
{
    qDBusRegisterMetaType<QMap<QString, QString>>();
    QDBusMessage msg = QDBusMessage::createMethodCall(QStringLiteral("org.freedesktop.secrets"),
        QStringLiteral("/org/freedesktop/secrets"), QStringLiteral("org.freedesktop.Secret.Service"),
        QStringLiteral("SearchItems"));
    const QMap<QString, QString> attributes { { QStringLiteral("user"), key }, { QStringLiteral("server"), service } };
    msg << QVariant::fromValue(attributes);
    const QDBusMessage reply = QDBusConnection::sessionBus().call(msg, QDBus::Block, 10'000);
    if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().size() != 2)
        return {};
    return { true, qdbus_cast<QList<QDBusObjectPath>>(reply.arguments().at(0)).size(),
        qdbus_cast<QList<QDBusObjectPath>>(reply.arguments().at(1)).size() };
}

/** The secret as libsecret's own secret-tool sees it (QtKeychain stores binary data base64-encoded). */
inline std::optional<QByteArray> secretToolLookup(const QString &service, const QString &key)
{
    QProcess p;
    p.start(QStringLiteral("secret-tool"),
        { QStringLiteral("lookup"), QStringLiteral("user"), key, QStringLiteral("server"), service,
            QStringLiteral("type"), QStringLiteral("base64") });
    if (!p.waitForFinished(20'000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return std::nullopt;
    return QByteArray::fromBase64(p.readAllStandardOutput().trimmed());
}

} // namespace Tessera::Vault::Test
