// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDBusConnection>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

class QTimer;

namespace Tessera::App {

class ConsentController;

/**
 * @brief A desktop notification (org.freedesktop.Notifications over D-Bus) when requests
 * wait and the prompt is not in front, e.g. when the window manager refused to raise it.
 *
 * One notification, updated in place (replaces_id), at most one D-Bus call per
 * minIntervalMs; its only action opens the prompt. It never approves and never shows
 * client-supplied text (a notification cannot mark a name as unverified). Without a
 * notification service it logs once and stays quiet.
 */
class Notifier : public QObject
{
    Q_OBJECT
public:
    static constexpr int DefaultGraceMs = 800;
    static constexpr int DefaultMinIntervalMs = 15000;

    explicit Notifier(const QDBusConnection &bus, QObject *parent = nullptr);
    ~Notifier() override;

    /** @brief Notify when @p controller queues a request and its window is not in front after graceMs. */
    void watch(ConsentController *controller);
    void setGraceMs(int ms) { m_graceMs = ms; }
    void setMinIntervalMs(int ms) { m_minIntervalMs = ms; }

    /** @brief Shows (or updates) "@p count requests waiting", rate-limited. */
    void notifyPending(int count);

Q_SIGNALS:
    /** @brief The person clicked the notification: show the prompt. */
    void openRequested();

private Q_SLOTS:
    void onActionInvoked(uint id, const QString &action);
    void onNotificationClosed(uint id, uint reason);

private:
    void send();
    void checkController();

    QDBusConnection m_bus;
    QPointer<ConsentController> m_controller;
    uint m_notificationId = 0;
    int m_pendingCount = 0;
    int m_graceMs = DefaultGraceMs;
    int m_minIntervalMs = DefaultMinIntervalMs;
    bool m_loggedUnavailable = false;
    QElapsedTimer m_lastSent;
    QTimer *m_trailing; ///< sends the latest count once the interval has passed
    QTimer *m_grace;
};

} // namespace Tessera::App
