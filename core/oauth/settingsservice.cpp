// SPDX-License-Identifier: GPL-3.0-or-later
#include "oauth/settingsservice.h"

#include "consent/consentbroker.h"
#include "consent/consentrequest.h"
#include "store/auditlog.h"
#include "store/database.h"
#include "store/settingsstore.h"

#include <QJsonObject>

namespace Tessera::OAuth {

namespace {

Result<QString> integerIn(const QString &value, int min, int max, const QString &why)
{
    bool ok = false;
    const int n = value.trimmed().toInt(&ok);
    if (!ok || n < min || n > max)
        return Error::make(QStringLiteral("invalid_setting"), why);
    return QString::number(n);
}

} // namespace

static_assert(std::string_view(SettingsService::PromptTimeoutKey)
        == std::string_view(Consent::ConsentBroker::PromptTimeoutSettingKey),
    "the broker reads the prompt timeout the person sets");

const QList<SettingsService::Definition> &SettingsService::definitions()
{
    static const QList<Definition> all {
        { QString::fromLatin1(PortKey), QStringLiteral("Loopback port of the authorization server (after a restart)"),
            QString() },
        { QString::fromLatin1(DefaultDurationKey),
            QStringLiteral("Duration the prompt offers first: once, 1h, 1d, forever"), QStringLiteral("1h") },
        { QString::fromLatin1(PromptTimeoutKey), QStringLiteral("Seconds a request waits for you before it is denied"),
            QString::number(DefaultPromptTimeoutSecs) },
        { QString::fromLatin1(DefaultTokenLifetimeKey),
            QStringLiteral("Access token lifetime new resources start with (seconds)"), QStringLiteral("300") },
    };
    return all;
}

Result<QString> SettingsService::validate(const QString &key, const QString &value)
{
    if (key == QLatin1String(PortKey))
        return integerIn(
            value, MinPort, MaxPort, QStringLiteral("Choose a port between %1 and %2.").arg(MinPort).arg(MaxPort));
    if (key == QLatin1String(DefaultDurationKey)) {
        const auto parsed = Consent::durationFromString(value.trimmed());
        if (!parsed)
            return Error::make(
                QStringLiteral("invalid_setting"), QStringLiteral("A duration is once, 1h, 1d or forever."));
        return Consent::durationToString(*parsed);
    }
    if (key == QLatin1String(PromptTimeoutKey))
        return integerIn(value, MinPromptTimeoutSecs, MaxPromptTimeoutSecs,
            QStringLiteral("A prompt waits between %1 seconds and %2 minutes.")
                .arg(MinPromptTimeoutSecs)
                .arg(MaxPromptTimeoutSecs / 60));
    if (key == QLatin1String(DefaultTokenLifetimeKey))
        return integerIn(value, MinTokenLifetimeSecs, MaxTokenLifetimeSecs,
            QStringLiteral("Access tokens live between 1 minute and 1 hour (60–3600 seconds)."));
    QStringList known;
    for (const Definition &d : definitions())
        known.append(d.key);
    return Error::make(QStringLiteral("unknown_setting"),
        QStringLiteral("There is no setting \"%1\"; the settings are %2.").arg(key, known.join(QStringLiteral(", "))));
}

Result<QString> SettingsService::value(const QString &key) const
{
    const Definition *def = nullptr;
    for (const Definition &d : definitions())
        def = d.key == key ? &d : def;
    if (!def)
        return validate(key, QString()).error();
    auto stored = Store::SettingsStore(m_db).get(key);
    if (!stored)
        return stored.error();
    if (!stored->has_value())
        return def->fallback;
    auto valid = validate(key, **stored);
    return valid ? *valid : def->fallback;
}

Result<bool> SettingsService::set(const QString &key, const QString &value, const QString &actor)
{
    auto canonical = validate(key, value);
    if (!canonical)
        return canonical.error();
    auto current = this->value(key);
    if (!current)
        return current.error();
    if (*current == *canonical)
        return false;
    auto tx = Store::Transaction::begin(m_db);
    if (!tx)
        return tx.error();
    if (Status s = Store::SettingsStore(m_db).set(key, *canonical); !s)
        return s.error();
    auto audited = m_audit.append({ QStringLiteral("settings.changed"), actor, {}, {}, {},
        QJsonObject { { QStringLiteral("key"), key }, { QStringLiteral("value"), *canonical } } });
    if (!audited)
        return audited.error();
    if (Status s = tx->commit(); !s)
        return s.error();
    return true;
}

} // namespace Tessera::OAuth
