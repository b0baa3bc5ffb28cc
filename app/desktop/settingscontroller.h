// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "consent/consentbroker.h"
#include "oauth/settingsservice.h"

#include <QObject>
#include <QPointer>
#include <QtQml/qqmlregistration.h>

class QQmlEngine;
class QJSEngine;

namespace Tessera::App {

class DashboardContext;

/**
 * @brief The Settings page: persistent settings (SettingsStore) and start at login.
 *
 * Each setter validates, stores, audits (settings.changed) and applies what can be applied
 * at once: the prompt timeout goes to the ConsentBroker for new requests; the port only after
 * a restart (portRestartNeeded says so); the default duration and token lifetime are read by
 * the prompt and the resource form. Start at login writes or removes an XDG autostart entry.
 */
class SettingsController : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
    Q_PROPERTY(int port READ port NOTIFY changed)
    /** The port Tessera serves now. */
    Q_PROPERTY(int currentPort READ currentPort CONSTANT)
    Q_PROPERTY(bool portRestartNeeded READ portRestartNeeded NOTIFY changed)
    /** "once", "1h", "1d" or "forever": what the prompt preselects. */
    Q_PROPERTY(QString defaultDuration READ defaultDuration NOTIFY changed)
    /** Access-token lifetime for resources added from now on. */
    Q_PROPERTY(int defaultTokenLifetimeSecs READ defaultTokenLifetimeSecs NOTIFY changed)
    Q_PROPERTY(int promptTimeoutSecs READ promptTimeoutSecs NOTIFY changed)
    Q_PROPERTY(bool startAtLogin READ startAtLogin NOTIFY changed)
    Q_PROPERTY(QString autostartPath READ autostartPath CONSTANT)
    Q_PROPERTY(QString lastError READ lastError NOTIFY lastErrorChanged)

public:
    // The rules live in core (OAuth::SettingsService); these names stay for the page and tests.
    static constexpr const char *PortKey = OAuth::SettingsService::PortKey;
    static constexpr const char *DefaultDurationKey = OAuth::SettingsService::DefaultDurationKey;
    static constexpr const char *PromptTimeoutKey = OAuth::SettingsService::PromptTimeoutKey;
    static constexpr const char *DefaultTokenLifetimeKey = OAuth::SettingsService::DefaultTokenLifetimeKey;
    static constexpr int MinPort = OAuth::SettingsService::MinPort;
    static constexpr int MaxPort = OAuth::SettingsService::MaxPort;
    static constexpr int MinPromptTimeoutSecs = OAuth::SettingsService::MinPromptTimeoutSecs;
    static constexpr int MaxPromptTimeoutSecs = OAuth::SettingsService::MaxPromptTimeoutSecs;
    static constexpr int DefaultPromptTimeoutSecs = OAuth::SettingsService::DefaultPromptTimeoutSecs;

    explicit SettingsController(DashboardContext *context, QObject *parent = nullptr);

    static SettingsController *create(QQmlEngine *, QJSEngine *);
    static void setInstance(SettingsController *instance);

    [[nodiscard]] int port() const;
    [[nodiscard]] int currentPort() const;
    [[nodiscard]] bool portRestartNeeded() const { return port() != currentPort(); }
    [[nodiscard]] QString defaultDuration() const;
    [[nodiscard]] int defaultTokenLifetimeSecs() const;
    [[nodiscard]] int promptTimeoutSecs() const;
    [[nodiscard]] bool startAtLogin() const;
    [[nodiscard]] QString autostartPath() const;
    [[nodiscard]] QString lastError() const { return m_lastError; }

    Q_INVOKABLE bool setPort(int port);
    Q_INVOKABLE bool setDefaultDuration(const QString &duration);
    Q_INVOKABLE bool setDefaultTokenLifetimeSecs(int secs);
    Q_INVOKABLE bool setPromptTimeoutSecs(int secs);
    Q_INVOKABLE bool setStartAtLogin(bool on);

    /** @brief Gives the ConsentBroker the stored prompt timeout (at start). */
    void applyToBroker();

    /** @brief The autostart entry's text for the executable @p exePath (Desktop Entry spec quoting). */
    [[nodiscard]] static QString autostartEntry(const QString &exePath);
    /** @brief $XDG_CONFIG_HOME/autostart/org.tessera.Tessera.desktop (~/.config when unset). */
    [[nodiscard]] static QString defaultAutostartPath();
    /** @brief Tests: write the autostart entry for this executable instead of the running one. */
    void setExecutableForTesting(const QString &exePath) { m_exePath = exePath; }

Q_SIGNALS:
    void changed();
    void lastErrorChanged();

private:
    [[nodiscard]] QString stored(const char *key, const QString &fallback) const;
    [[nodiscard]] bool store(const char *key, const QString &value);
    void setLastError(const QString &message);

    QPointer<DashboardContext> m_context;
    QString m_exePath;
    QString m_lastError;
};

} // namespace Tessera::App
