// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QString>

#include <optional>

namespace Tessera::Store {

class Database;

/** @brief What may be shown about one secret: never its value (that lives only in the keychain). */
struct SecretMeta
{
    QString name; ///< also the keychain key's last part: `secret/<name>`
    QString description;
    QString envVar; ///< the variable a child gets when `exec --secret NAME` names none
    qint64 createdAt = 0;
    qint64 updatedAt = 0; ///< when the value (or the metadata) last changed
    std::optional<qint64> lastUsedAt; ///< last time the value was handed to a command
    qint64 useCount = 0;
    bool operator==(const SecretMeta &) const = default;
};

/**
 * @brief Metadata of the secrets of `tessera-cli secret`: names, descriptions, default variables,
 * use counts. The values are in the keychain under `secret/<name>` and never pass through here.
 */
class SecretMetaStore
{
public:
    static constexpr int MaxDescriptionChars = 256;

    explicit SecretMetaStore(Database &db) : m_db(db) { }

    /** @brief A secret name: [A-Za-z0-9][A-Za-z0-9._-]{0,63} (it becomes part of a keychain key). */
    [[nodiscard]] static bool isValidName(const QString &name);
    /** @brief An environment variable name: [A-Za-z_][A-Za-z0-9_]{0,127}. */
    [[nodiscard]] static bool isValidEnvVar(const QString &name);
    /** @brief The variable for a secret nobody named one for: upper case, other characters as `_`. */
    [[nodiscard]] static QString defaultEnvVar(const QString &secretName);

    /**
     * @brief Creates the secret's record or updates it (description, variable, updatedAt);
     * createdAt, lastUsedAt and useCount are kept. Returns the stored record. invalid_argument.
     */
    [[nodiscard]] Result<SecretMeta> upsert(
        const QString &name, const QString &description, const QString &envVar, qint64 nowSecs);
    [[nodiscard]] Result<std::optional<SecretMeta>> find(const QString &name);
    /** @brief All secrets, by name. */
    [[nodiscard]] Result<QList<SecretMeta>> list();
    /** @brief Whether the record existed. */
    [[nodiscard]] Result<bool> remove(const QString &name);
    /** @brief last_used_at = now, use_count + 1; false if there is no such secret. */
    [[nodiscard]] Result<bool> recordUse(const QString &name, qint64 nowSecs);

private:
    Database &m_db;
};

} // namespace Tessera::Store
