// SPDX-License-Identifier: GPL-3.0-or-later
#include "vault/secretservicebus.h"

#include "common/logging.h"
#include "vault/secretstore.h"

#include <QAbstractEventDispatcher>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusMetaType>
#include <QDBusObjectPath>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QLibrary>
#include <QThread>

namespace Tessera::Vault::Internal {

namespace {

const QString secretsName = QStringLiteral("org.freedesktop.secrets");
const QString secretsPath = QStringLiteral("/org/freedesktop/secrets");
const QString secretsInterface = QStringLiteral("org.freedesktop.Secret.Service");

Error unavailable(const QString &message)
{
    return Error::make(QString(Errors::KeychainUnavailable), message);
}

// Calls @p message on the session bus and hands the reply (or error) to @p handle from the event
// loop; dropped if @p context dies first. QDBusPendingCallWatcher queues finished() even when the
// call failed at once, so this never calls back re-entrantly.
void callAsync(
    QObject *context, const QDBusMessage &message, int timeoutMs, std::function<void(const QDBusMessage &)> handle)
{
    const QDBusPendingCall call = QDBusConnection::sessionBus().asyncCall(message, timeoutMs);
    auto *watcher = new QDBusPendingCallWatcher(call, context);
    QObject::connect(
        watcher, &QDBusPendingCallWatcher::finished, context, [handle = std::move(handle)](QDBusPendingCallWatcher *w) {
            w->deleteLater();
            handle(w->reply());
        });
}

QDBusMessage busDaemonCall(const QString &method)
{
    return QDBusMessage::createMethodCall(QStringLiteral("org.freedesktop.DBus"),
        QStringLiteral("/org/freedesktop/DBus"), QStringLiteral("org.freedesktop.DBus"), method);
}

void fail(QObject *context, const std::function<void(Status)> &done, Error error)
{
    QMetaObject::invokeMethod(
        context, [done, error = std::move(error)] { done(error); }, Qt::QueuedConnection);
}

void startService(QObject *context, int timeoutMs, std::function<void(Status)> done)
{
    QDBusMessage msg = busDaemonCall(QStringLiteral("StartServiceByName"));
    msg << secretsName << 0u;
    callAsync(context, msg, timeoutMs, [done = std::move(done)](const QDBusMessage &reply) {
        if (reply.type() == QDBusMessage::ReplyMessage) {
            qCDebug(lcVault) << "Secret Service activated";
            return done({});
        }
        qCWarning(lcVault) << "Secret Service activation failed:" << reply.errorName() << reply.errorMessage();
        done(unavailable(QStringLiteral("No keychain is available: the Secret Service could not be started (%1). "
                                        "Tessera will not store secrets in plain files.")
                             .arg(reply.errorMessage())));
    });
}

void checkActivatable(QObject *context, int timeoutMs, std::function<void(Status)> done)
{
    callAsync(context, busDaemonCall(QStringLiteral("ListActivatableNames")), timeoutMs,
        [context, timeoutMs, done = std::move(done)](const QDBusMessage &reply) {
            const QStringList names = reply.type() == QDBusMessage::ReplyMessage && !reply.arguments().isEmpty()
                ? reply.arguments().constFirst().toStringList()
                : QStringList();
            if (!names.contains(secretsName))
                return done(noSecretServiceError());
            startService(context, timeoutMs, done);
        });
}

bool libsecretLoadable()
{
    // QtKeychain 0.13.2 dlopens libsecret-1.so.0 at run time and, without it, reports only
    // "Unknown error" (or silently picks another backend): check up front.
    static const bool loadable = QLibrary(QStringLiteral("secret-1"), 0).load();
    return loadable;
}

bool eventLoopRunsGlib()
{
    // libsecret completes through the GLib main context. With QT_NO_GLIB=1 Qt's dispatcher does
    // not iterate it, and every QtKeychain job would wait forever.
    const QAbstractEventDispatcher *dispatcher = QAbstractEventDispatcher::instance(QThread::currentThread());
    return dispatcher && dispatcher->inherits("QEventDispatcherGlib");
}

} // namespace

Error noSecretServiceError()
{
    return unavailable(QStringLiteral("No keychain is available: Tessera needs a running Secret Service "
                                      "(GNOME Keyring or KWallet) and will not store secrets in plain files."));
}

void checkSecretService(QObject *context, int timeoutMs, std::function<void(Status)> done)
{
    if (!QDBusConnection::sessionBus().isConnected())
        return fail(context, done,
            unavailable(QStringLiteral("No keychain is available: there is no D-Bus session bus, so Tessera "
                                       "cannot reach the Secret Service (GNOME Keyring or KWallet); it will "
                                       "not store secrets in plain files.")));
    if (!libsecretLoadable())
        return fail(context, done,
            unavailable(QStringLiteral("No keychain is available: the libsecret library (Debian package "
                                       "libsecret-1-0) is not installed; Tessera will not store secrets in "
                                       "plain files.")));
    if (!eventLoopRunsGlib())
        return fail(context, done,
            unavailable(QStringLiteral("No keychain is available: the keychain library needs Qt's GLib event "
                                       "loop, which is turned off (unset QT_NO_GLIB); Tessera will not store "
                                       "secrets in plain files.")));

    QDBusMessage msg = busDaemonCall(QStringLiteral("NameHasOwner"));
    msg << secretsName;
    callAsync(context, msg, timeoutMs, [context, timeoutMs, done = std::move(done)](const QDBusMessage &reply) {
        if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().isEmpty()) {
            qCWarning(lcVault) << "NameHasOwner failed:" << reply.errorName() << reply.errorMessage();
            return done(noSecretServiceError());
        }
        if (reply.arguments().constFirst().toBool())
            return done({});
        checkActivatable(context, timeoutMs, done);
    });
}

void searchItems(QObject *context, const QMap<QString, QString> &attributes, int timeoutMs,
    std::function<void(Result<ItemCounts>)> done)
{
    [[maybe_unused]] static const auto registered = qDBusRegisterMetaType<QMap<QString, QString>>();

    QDBusMessage msg
        = QDBusMessage::createMethodCall(secretsName, secretsPath, secretsInterface, QStringLiteral("SearchItems"));
    msg << QVariant::fromValue(attributes);
    callAsync(context, msg, timeoutMs, [done = std::move(done)](const QDBusMessage &reply) {
        const QDBusPendingReply<QList<QDBusObjectPath>, QList<QDBusObjectPath>> r(reply);
        if (r.isError() || !r.isValid()) {
            const QString name = reply.errorName();
            qCWarning(lcVault) << "SearchItems failed:" << name << reply.errorMessage();
            if (name == QLatin1String("org.freedesktop.DBus.Error.ServiceUnknown")
                || name == QLatin1String("org.freedesktop.DBus.Error.NameHasNoOwner")
                || name == QLatin1String("org.freedesktop.DBus.Error.NoReply")
                || name == QLatin1String("org.freedesktop.DBus.Error.Disconnected"))
                return done(noSecretServiceError());
            return done(Error::make(QString(Errors::KeychainError),
                QStringLiteral("The keychain could not be searched: %1").arg(reply.errorMessage())));
        }
        done(ItemCounts { r.argumentAt<0>().size(), r.argumentAt<1>().size() });
    });
}

} // namespace Tessera::Vault::Internal
