// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QList>
#include <QString>

namespace Tessera::Store {
class AuditLog;
class Database;
} // namespace Tessera::Store

namespace Tessera::OAuth {

/**
 * @brief The settings a person changes, one rule for every front end (issue 10.4): the Settings
 * page and `tessera-cli settings set` both validate here and store through set(), which writes
 * the value and its `settings.changed` event in one transaction. Start at login is not here:
 * it is a file in the person's autostart folder, not a stored setting.
 */
class SettingsService
{
public:
    struct Definition
    {
        QString key; ///< as stored (settings table) and as `tessera-cli settings set` names it
        QString description; ///< for `tessera-cli settings`
        QString fallback; ///< the value when none is stored
    };
    static constexpr const char *PortKey = "server.port";
    static constexpr const char *DefaultDurationKey = "consent.defaultDuration";
    static constexpr const char *PromptTimeoutKey = "consent.promptTimeoutSecs"; // ConsentBroker reads it
    static constexpr const char *DefaultTokenLifetimeKey = "resource.defaultTokenLifetimeSecs";
    static constexpr int MinPort = 1024;
    static constexpr int MaxPort = 65535;
    static constexpr int MinPromptTimeoutSecs = 15;
    static constexpr int MaxPromptTimeoutSecs = 3600;
    static constexpr int DefaultPromptTimeoutSecs = 120;
    static constexpr int MinTokenLifetimeSecs = 60;
    static constexpr int MaxTokenLifetimeSecs = 3600;

    SettingsService(Store::Database &db, Store::AuditLog &audit) : m_db(db), m_audit(audit) { }

    [[nodiscard]] static const QList<Definition> &definitions();
    /** @brief The canonical form of @p value for @p key, or `invalid_setting` / `unknown_setting` saying why. */
    [[nodiscard]] static Result<QString> validate(const QString &key, const QString &value);
    /** @brief The stored value, or the definition's fallback (also when what is stored is no longer valid). */
    [[nodiscard]] Result<QString> value(const QString &key) const;
    /**
     * @brief Validates, stores and audits (`settings.changed`, by @p actor) in one transaction.
     * Returns whether anything changed: setting the value already in force writes nothing.
     */
    [[nodiscard]] Result<bool> set(const QString &key, const QString &value, const QString &actor);

private:
    Store::Database &m_db;
    Store::AuditLog &m_audit;
};

} // namespace Tessera::OAuth
