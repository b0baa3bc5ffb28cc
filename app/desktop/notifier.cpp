// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop/notifier.h"

#include "common/logging.h"
#include "desktop/consentcontroller.h"

#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QTimer>

namespace Tessera::App {

namespace {
const QString Service = QStringLiteral("org.freedesktop.Notifications");
const QString Path = QStringLiteral("/org/freedesktop/Notifications");
const QString Interface = QStringLiteral("org.freedesktop.Notifications");
} // namespace

Notifier::Notifier(const QDBusConnection &bus, QObject *parent)
    : QObject(parent), m_bus(bus), m_trailing(new QTimer(this)), m_grace(new QTimer(this))
{
    m_trailing->setSingleShot(true);
    connect(m_trailing, &QTimer::timeout, this, &Notifier::send);
    m_grace->setSingleShot(true);
    connect(m_grace, &QTimer::timeout, this, &Notifier::checkController);
    if (!m_bus.isConnected())
        return;
    // Any sender: the service name's owner is what the spec promises, and we check the id.
    m_bus.connect(
        QString(), Path, Interface, QStringLiteral("ActionInvoked"), this, SLOT(onActionInvoked(uint, QString)));
    m_bus.connect(
        QString(), Path, Interface, QStringLiteral("NotificationClosed"), this, SLOT(onNotificationClosed(uint, uint)));
}

Notifier::~Notifier() = default;

void Notifier::watch(ConsentController *controller)
{
    m_controller = controller;
    connect(controller, &ConsentController::requestArrived, this, [this] { m_grace->start(m_graceMs); });
    // The person got to the prompt by other means: the count in the bubble is stale, not wrong;
    // it goes away when they act on it or it expires on its own.
}

void Notifier::checkController()
{
    if (m_controller && m_controller->hasRequest() && !m_controller->windowActive())
        notifyPending(m_controller->count());
}

void Notifier::notifyPending(int count)
{
    m_pendingCount = count;
    if (m_trailing->isActive())
        return; // the scheduled update will carry the latest count
    const qint64 sinceLast = m_lastSent.isValid() ? m_lastSent.elapsed() : qint64(m_minIntervalMs);
    if (sinceLast >= m_minIntervalMs)
        send();
    else
        m_trailing->start(int(m_minIntervalMs - sinceLast));
}

void Notifier::send()
{
    if (!m_bus.isConnected()) {
        if (!m_loggedUnavailable)
            qCInfo(lcApp) << "no D-Bus session bus; desktop notifications are off";
        m_loggedUnavailable = true;
        return;
    }
    m_lastSent.start();
    QDBusMessage call = QDBusMessage::createMethodCall(Service, Path, Interface, QStringLiteral("Notify"));
    const QString summary = tr("An agent asks for access");
    // Fixed text only: no client-supplied name, so no markup to escape and nothing to spoof.
    const QString body = m_pendingCount == 1
        ? tr("1 request is waiting for your decision in Tessera.")
        : tr("%1 requests are waiting for your decision in Tessera.").arg(m_pendingCount);
    // "default" is a click on the bubble itself. Deliberately no approve action.
    const QStringList actions { QStringLiteral("default"), tr("Open Tessera"), QStringLiteral("open"), tr("Open") };
    const QVariantMap hints { { QStringLiteral("desktop-entry"), QStringLiteral("org.tessera.Tessera") },
        { QStringLiteral("urgency"), QVariant::fromValue<uchar>(1) } };
    call << QStringLiteral("Tessera") << m_notificationId << QStringLiteral("org.tessera.Tessera") << summary << body
         << actions << hints << int(-1);
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher *w) {
        w->deleteLater();
        const QDBusPendingReply<uint> reply = *w;
        if (reply.isError()) {
            if (!m_loggedUnavailable)
                qCInfo(lcApp).noquote() << "desktop notifications unavailable:" << reply.error().name();
            m_loggedUnavailable = true;
            return;
        }
        m_notificationId = reply.value();
    });
}

void Notifier::onActionInvoked(uint id, const QString &action)
{
    if (id == 0 || id != m_notificationId)
        return;
    if (action == QStringLiteral("default") || action == QStringLiteral("open"))
        Q_EMIT openRequested();
}

void Notifier::onNotificationClosed(uint id, uint)
{
    if (id != 0 && id == m_notificationId)
        m_notificationId = 0; // a new bubble next time, not an update of a dismissed one
}

} // namespace Tessera::App
