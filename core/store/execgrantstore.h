// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "store/grantstore.h"
#include "store/records.h"

#include <optional>

namespace Tessera::Store {

class Database;

/**
 * @brief What an approved `tessera-cli exec` leaves: one caller executable (a local client) may
 * run one command line with one set of secrets, until the grant expires or is revoked.
 */
struct ExecGrant
{
    QString id; ///< "exec-" + random, so that `tessera-cli revoke ID` can tell it from an OAuth grant
    QString clientId; ///< the local client of the caller executable
    QString callerExe; ///< that executable's path, as /proc reported it
    QStringList command; ///< argv; argv[0] is the absolute path that was resolved
    QStringList secrets; ///< canonical "name=ENV" pairs (sorted, unique)
    qint64 createdAt = 0;
    std::optional<qint64> expiresAt; ///< empty: until revoked
    QString duration; ///< "1h", "1d", "forever"
    std::optional<qint64> lastUsedAt;
    qint64 useCount = 0;
    GrantState state = GrantState::Active;
    std::optional<qint64> revokedAt;
    QString revokedReason;

    QString clientName; ///< filled in by reads (joined), ignored by writes

    [[nodiscard]] bool isExpired(qint64 nowSecs) const { return expiresAt && *expiresAt <= nowSecs; }
    [[nodiscard]] bool isActive(qint64 nowSecs) const { return state == GrantState::Active && !isExpired(nowSecs); }
    /** @brief The secret names of the pairs. */
    [[nodiscard]] QStringList secretNames() const;
    bool operator==(const ExecGrant &) const = default;
};

/** @brief Filters for ExecGrantStore::list. Newest first. */
struct ExecGrantQuery
{
    QString clientId; ///< empty: any client
    QString secretName; ///< empty: any secret
    GrantQuery::State state = GrantQuery::State::Any;
    qint64 nowSecs = 0;
    int limit = 500;
};

/** @brief Exec grants (table exec_grants, migration 0003). */
class ExecGrantStore
{
public:
    explicit ExecGrantStore(Database &db) : m_db(db) { }

    /** @brief "name=ENV" pairs sorted and de-duplicated: the form stored and matched. */
    [[nodiscard]] static QStringList canonicalSecrets(const QStringList &pairs);

    /** @brief Stores a new active grant. invalid_argument; store_error on an unknown client. */
    [[nodiscard]] Status create(const ExecGrant &grant);
    [[nodiscard]] Result<std::optional<ExecGrant>> find(const QString &id);
    /**
     * @brief The active, unexpired grant of @p clientId for exactly this command line and exactly
     * this secret set, the longest-lived one if several; or none.
     */
    [[nodiscard]] Result<std::optional<ExecGrant>> findActive(
        const QString &clientId, const QStringList &command, const QStringList &secretPairs, qint64 nowSecs);
    [[nodiscard]] Result<QList<ExecGrant>> list(const ExecGrantQuery &query);
    /** @brief last_used_at = now, use_count + 1. grant_unknown. */
    [[nodiscard]] Status recordUse(const QString &id, qint64 nowSecs);
    /** @brief Revokes one grant; true if it was active. grant_unknown. */
    [[nodiscard]] Result<bool> revoke(const QString &id, const QString &reason, qint64 nowSecs);
    [[nodiscard]] Result<int> revokeForClient(const QString &clientId, const QString &reason, qint64 nowSecs);
    /** @brief Revokes every active grant that hands out the secret @p name. */
    [[nodiscard]] Result<int> revokeUsingSecret(const QString &name, const QString &reason, qint64 nowSecs);
    [[nodiscard]] Result<int> revokeAll(const QString &reason, qint64 nowSecs);

private:
    [[nodiscard]] Result<int> revokeWhere(
        const QString &where, const QString &arg, const QString &reason, qint64 nowSecs);

    Database &m_db;
};

} // namespace Tessera::Store
