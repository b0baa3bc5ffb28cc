// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QPointer>
#include <QUrl>
#include <QtQml/qqmlregistration.h>

#include <functional>

class QQmlEngine;
class QJSEngine;
class QTimer;

namespace Tessera::Store {
class Database;
}

namespace Tessera::App {

class AuditListModel;
class DashboardContext;

/**
 * @brief QML singleton `Dashboard`: the clock the countdowns tick on, whether revocation is
 * possible, the audit chain's verification, export, clipboard, and time formatting.
 *
 * Chain verification and export read a whole log (a million events take seconds), so they
 * run on a second, read-only connection in a worker thread; the window stays responsive.
 * (An in-memory database has no second connection: there they run inline.)
 */
class DashboardController : public QObject
{
    Q_OBJECT
    QML_NAMED_ELEMENT(Dashboard)
    QML_SINGLETON
    /** Unix seconds, ticking once a second: bind countdowns to it. */
    Q_PROPERTY(qint64 now READ now NOTIFY nowChanged)
    Q_PROPERTY(bool revocationAvailable READ revocationAvailable NOTIFY servicesChanged)
    Q_PROPERTY(QString revocationUnavailableReason READ revocationUnavailableReason NOTIFY servicesChanged)
    /** "unknown", "verifying", "ok", "broken" or "error". */
    Q_PROPERTY(QString chainState READ chainState NOTIFY chainChanged)
    Q_PROPERTY(QString chainMessage READ chainMessage NOTIFY chainChanged)
    Q_PROPERTY(qint64 chainEvents READ chainEvents NOTIFY chainChanged)
    Q_PROPERTY(qint64 chainCheckedAt READ chainCheckedAt NOTIFY chainChanged)
    Q_PROPERTY(bool exporting READ exporting NOTIFY exportingChanged)
    Q_PROPERTY(QString issuer READ issuer CONSTANT)

public:
    explicit DashboardController(DashboardContext *context, QObject *parent = nullptr);
    ~DashboardController() override;

    static DashboardController *create(QQmlEngine *, QJSEngine *);
    static void setInstance(DashboardController *instance);

    [[nodiscard]] qint64 now() const { return m_now; }
    [[nodiscard]] bool revocationAvailable() const;
    [[nodiscard]] QString revocationUnavailableReason() const;
    [[nodiscard]] QString chainState() const { return m_chainState; }
    [[nodiscard]] QString chainMessage() const { return m_chainMessage; }
    [[nodiscard]] qint64 chainEvents() const { return m_chainEvents; }
    [[nodiscard]] qint64 chainCheckedAt() const { return m_chainCheckedAt; }
    [[nodiscard]] bool exporting() const { return m_exporting; }
    [[nodiscard]] QString issuer() const;

    /** @brief Re-computes the whole audit hash chain in the background. */
    Q_INVOKABLE void verifyChain();
    /**
     * @brief Writes the events @p model currently shows (its filters, every page) to @p file
     * as "jsonl" or "csv"; exportFinished() reports the outcome.
     */
    Q_INVOKABLE void exportAudit(const QUrl &file, const QString &format, Tessera::App::AuditListModel *model);
    Q_INVOKABLE void copyText(const QString &text) const;

    /** @brief Local date and time, e.g. "27 Nov 2026, 14:05". 0 gives "—". */
    [[nodiscard]] Q_INVOKABLE QString formatDateTime(qint64 secs) const;
    /** @brief Local date and time with seconds, for audit events (Unix ms). */
    [[nodiscard]] Q_INVOKABLE QString formatTimestampMs(qint64 ms) const;
    /** @brief "just now", "5 min ago", "in 3 h", "2 days ago" relative to now. */
    [[nodiscard]] Q_INVOKABLE QString formatRelative(qint64 secs) const;
    /**
     * @brief When something already happened (revoked, last used, last seen): formatRelative(),
     * but a moment ahead of this view's clock (it ticks; the event came after the tick) reads
     * "just now", never "in a moment" (issue 10.6).
     */
    [[nodiscard]] Q_INVOKABLE QString formatAgo(qint64 secs) const;
    /** @brief Time left until @p expiresAt: "59:03", "3 h 12 min", "2 days"; "expired" when past. */
    [[nodiscard]] Q_INVOKABLE QString formatCountdown(qint64 expiresAt) const;
    /** @brief A length of time: "45 s", "5 min", "1 h", "2 h 30 min", "1 day". */
    [[nodiscard]] Q_INVOKABLE static QString formatSeconds(qint64 secs);
    /** @brief 1234567 -> "1,234,567" in the person's locale. */
    [[nodiscard]] Q_INVOKABLE static QString formatCount(qint64 n);

    /** @brief Tests: wait for background work (verification, export) to end. */
    [[nodiscard]] bool waitForIdle(int timeoutMs);

Q_SIGNALS:
    void nowChanged();
    void servicesChanged();
    void chainChanged();
    void exportingChanged();
    void exportFinished(bool ok, const QString &message, const QUrl &file);

private:
    using ReadJob = std::function<QVariantMap(Store::Database &)>;
    /** Runs @p job on a read connection (worker thread when the database is a file), then @p done here. */
    void runRead(ReadJob job, std::function<void(const QVariantMap &)> done);
    void tick();
    void setChain(const QString &state, const QString &message, qint64 events);

    QPointer<DashboardContext> m_context;
    QTimer *m_clock;
    qint64 m_now = 0;
    QString m_chainState = QStringLiteral("unknown");
    QString m_chainMessage;
    qint64 m_chainEvents = 0;
    qint64 m_chainCheckedAt = 0;
    bool m_exporting = false;
    int m_running = 0;
};

} // namespace Tessera::App
