// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QString>

#include <optional>

namespace Tessera::Store {

class Database;

/** @brief Small persistent key/value settings (strings). Never secrets: those live in the keychain. */
class SettingsStore
{
public:
    explicit SettingsStore(Database &db) : m_db(db) { }

    /** @brief The value, or empty if the key was never set. */
    [[nodiscard]] Result<std::optional<QString>> get(const QString &key);
    /** @brief The value, or @p fallback if the key was never set. */
    [[nodiscard]] Result<QString> value(const QString &key, const QString &fallback);
    [[nodiscard]] Status set(const QString &key, const QString &value);
    /** @brief Whether the key existed. */
    [[nodiscard]] Result<bool> remove(const QString &key);

private:
    Database &m_db;
};

} // namespace Tessera::Store
