// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QString>

namespace Tessera::Store {

class Database;

/** @brief The jtis of revoked access tokens, kept until the tokens would have expired. */
class RevokedTokenStore
{
public:
    explicit RevokedTokenStore(Database &db) : m_db(db) { }

    /** @brief Remembers @p jti as revoked until @p expiresAt (idempotent). */
    [[nodiscard]] Status add(const QString &jti, qint64 expiresAt, qint64 nowSecs);
    [[nodiscard]] Result<bool> isRevoked(const QString &jti);
    /** @brief Forgets entries whose tokens have expired; returns how many. */
    [[nodiscard]] Result<int> purge(qint64 nowSecs);

private:
    Database &m_db;
};

} // namespace Tessera::Store
