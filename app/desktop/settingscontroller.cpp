// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop/settingscontroller.h"

#include "common/logging.h"
#include "consent/consentbroker.h"
#include "consent/consentrequest.h"
#include "desktop/dashboardcontext.h"
#include "oauth/settingsservice.h"
#include "store/auditlog.h"
#include "store/database.h"
#include "store/settingsstore.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJSEngine>
#include <QSaveFile>

namespace Tessera::App {

namespace {
QPointer<SettingsController> s_instance;

const QString kAutostartFile = QStringLiteral("org.tessera.Tessera.desktop");

// Desktop Entry Specification 1.5, "The Exec key": an argument with a reserved character is
// quoted, and inside quotes ", `, $ and \ take a backslash; then the general string escape
// doubles every backslash again. '%' is a field code unless doubled.
QString quoteExecArgument(const QString &arg)
{
    static const QString reserved = QStringLiteral(" \t\n\"'\\><~|&;$*?#()`");
    QString escaped = arg;
    escaped.replace(u'%', QStringLiteral("%%"));
    const bool needsQuotes = std::any_of(arg.begin(), arg.end(), [](QChar c) { return reserved.contains(c); });
    if (needsQuotes) {
        QString quoted;
        for (const QChar c : std::as_const(escaped)) {
            if (c == u'"' || c == u'`' || c == u'$' || c == u'\\')
                quoted.append(u'\\');
            quoted.append(c);
        }
        escaped = u'"' + quoted + u'"';
    }
    return escaped.replace(u'\\', QStringLiteral("\\\\"));
}
} // namespace

SettingsController::SettingsController(DashboardContext *context, QObject *parent)
    : QObject(parent), m_context(context), m_exePath(QCoreApplication::applicationFilePath())
{ }

SettingsController *SettingsController::create(QQmlEngine *, QJSEngine *)
{
    Q_ASSERT(s_instance);
    QJSEngine::setObjectOwnership(s_instance.data(), QJSEngine::CppOwnership);
    return s_instance.data();
}

void SettingsController::setInstance(SettingsController *instance)
{
    s_instance = instance;
}

QString SettingsController::stored(const char *key, const QString &fallback) const
{
    if (!m_context || !m_context->database())
        return fallback;
    return Store::SettingsStore(*m_context->database()).value(QString::fromLatin1(key), fallback).valueOr(fallback);
}

bool SettingsController::store(const char *key, const QString &value)
{
    if (!m_context || !m_context->database() || !m_context->auditLog()) {
        setLastError(tr("Tessera is not ready."));
        return false;
    }
    // One rule with tessera-cli settings set (issue 10.4): validated, stored and audited together.
    auto changed = OAuth::SettingsService(*m_context->database(), *m_context->auditLog())
                       .set(QString::fromLatin1(key), value, QStringLiteral("user"));
    if (!changed) {
        setLastError(changed.error().message);
        return false;
    }
    setLastError({});
    Q_EMIT this->changed();
    return true;
}

int SettingsController::currentPort() const
{
    return m_context ? m_context->port() : 0;
}

int SettingsController::port() const
{
    bool ok = false;
    const int p = stored(PortKey, QString()).toInt(&ok);
    return ok && p >= MinPort && p <= MaxPort ? p : currentPort();
}

bool SettingsController::setPort(int port)
{
    if (port < MinPort || port > MaxPort) {
        setLastError(tr("Choose a port between %1 and %2.").arg(MinPort).arg(MaxPort));
        return false;
    }
    if (port == this->port())
        return true;
    return store(PortKey, QString::number(port));
}

QString SettingsController::defaultDuration() const
{
    const QString d = stored(DefaultDurationKey, QStringLiteral("1h"));
    const auto parsed = Consent::durationFromString(d);
    return parsed ? Consent::durationToString(*parsed) : QStringLiteral("1h");
}

bool SettingsController::setDefaultDuration(const QString &duration)
{
    const auto parsed = Consent::durationFromString(duration);
    if (!parsed) {
        setLastError(tr("A duration is once, 1h, 1d or forever."));
        return false;
    }
    const QString canonical = Consent::durationToString(*parsed);
    if (canonical == defaultDuration())
        return true;
    return store(DefaultDurationKey, canonical);
}

int SettingsController::defaultTokenLifetimeSecs() const
{
    bool ok = false;
    const int secs = stored(DefaultTokenLifetimeKey, QStringLiteral("300")).toInt(&ok);
    return ok && secs >= 1 && secs <= 3600 ? secs : 300;
}

bool SettingsController::setDefaultTokenLifetimeSecs(int secs)
{
    if (secs < 60 || secs > 3600) {
        setLastError(tr("Access tokens live between 1 minute and 1 hour (60–3600 seconds)."));
        return false;
    }
    if (secs == defaultTokenLifetimeSecs())
        return true;
    return store(DefaultTokenLifetimeKey, QString::number(secs));
}

int SettingsController::promptTimeoutSecs() const
{
    bool ok = false;
    const int secs = stored(PromptTimeoutKey, QString::number(DefaultPromptTimeoutSecs)).toInt(&ok);
    return ok && secs >= MinPromptTimeoutSecs && secs <= MaxPromptTimeoutSecs ? secs : DefaultPromptTimeoutSecs;
}

bool SettingsController::setPromptTimeoutSecs(int secs)
{
    if (secs < MinPromptTimeoutSecs || secs > MaxPromptTimeoutSecs) {
        setLastError(tr("A prompt waits between %1 seconds and %2 minutes.")
                         .arg(MinPromptTimeoutSecs)
                         .arg(MaxPromptTimeoutSecs / 60));
        return false;
    }
    if (secs == promptTimeoutSecs())
        return true;
    if (!store(PromptTimeoutKey, QString::number(secs)))
        return false;
    applyToBroker();
    return true;
}

void SettingsController::applyToBroker()
{
    if (m_context && m_context->broker())
        m_context->broker()->setPromptTimeoutSecs(promptTimeoutSecs());
}

QString SettingsController::defaultAutostartPath()
{
    QString config = qEnvironmentVariable("XDG_CONFIG_HOME");
    // XDG Base Directory: a relative path is invalid and must be ignored.
    if (config.isEmpty() || !QDir::isAbsolutePath(config))
        config = QDir::homePath() + QStringLiteral("/.config");
    return config + QStringLiteral("/autostart/") + kAutostartFile;
}

QString SettingsController::autostartPath() const
{
    return defaultAutostartPath();
}

QString SettingsController::autostartEntry(const QString &exePath)
{
    return QStringLiteral("[Desktop Entry]\n"
                          "Type=Application\n"
                          "Name=Tessera\n"
                          "Comment=Approve, limit and revoke what AI agents may access\n"
                          "Exec=%1\n"
                          "Icon=org.tessera.Tessera\n"
                          "Terminal=false\n"
                          "X-GNOME-Autostart-enabled=true\n")
        .arg(quoteExecArgument(exePath));
}

bool SettingsController::startAtLogin() const
{
    QFile f(autostartPath());
    if (!f.open(QIODevice::ReadOnly))
        return false;
    // Another tool may have switched it off without deleting it.
    const QByteArray text = f.readAll();
    return !text.contains("\nHidden=true") && !text.contains("\nX-GNOME-Autostart-enabled=false");
}

bool SettingsController::setStartAtLogin(bool on)
{
    const QString path = autostartPath();
    if (!on) {
        if (QFile::exists(path) && !QFile::remove(path)) {
            setLastError(tr("Could not remove %1.").arg(path));
            return false;
        }
    } else {
        if (m_exePath.isEmpty() || std::any_of(m_exePath.begin(), m_exePath.end(), [](QChar c) { return c < u' '; })) {
            setLastError(tr("Tessera cannot tell where its own program is, so it cannot start itself at login."));
            return false;
        }
        if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
            setLastError(tr("Could not create %1.").arg(QFileInfo(path).absolutePath()));
            return false;
        }
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(autostartEntry(m_exePath).toUtf8()) < 0 || !file.commit()) {
            setLastError(tr("Could not write %1.").arg(path));
            return false;
        }
    }
    if (m_context && m_context->auditLog()) {
        // The file is written already (the change happened); an unrecorded change is said, not hidden.
        auto audited
            = m_context->auditLog()->append({ QStringLiteral("settings.changed"), QStringLiteral("user"), {}, {}, {},
                QJsonObject { { QStringLiteral("key"), QStringLiteral("desktop.startAtLogin") },
                    { QStringLiteral("value"), on ? QStringLiteral("true") : QStringLiteral("false") } } });
        if (!audited) {
            setLastError(tr("Start at login was changed, but the change could not be written to the activity log: %1")
                             .arg(audited.error().message));
            Q_EMIT changed();
            return true;
        }
    }
    setLastError({});
    Q_EMIT changed();
    return true;
}

void SettingsController::setLastError(const QString &message)
{
    if (!message.isEmpty())
        qCWarning(lcApp).noquote() << "settings:" << message;
    if (message == m_lastError)
        return;
    m_lastError = message;
    Q_EMIT lastErrorChanged();
}

} // namespace Tessera::App
