// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "store/records.h"

#include <optional>

namespace Tessera::Store {

class Database;

/** @brief Where a grant page ends: pass it back as GrantQuery::after for the next page. */
struct GrantCursor
{
    qint64 key = 0; ///< created_at, or last_used_at (-1 for never) with Order::LastUsed
    QString id;
    bool operator==(const GrantCursor &) const = default;
};

/** @brief Filters and paging for GrantStore::list (the dashboard). Newest first. */
struct GrantQuery
{
    enum class State
    {
        Any,
        Active, ///< not revoked and not expired at nowSecs
        Expired, ///< not revoked, expires_at <= nowSecs
        Revoked,
    };
    enum class Order
    {
        Created, ///< created_at DESC, id DESC
        LastUsed, ///< last_used_at DESC (never used last), id DESC
    };

    QString clientId; ///< empty: any client
    std::optional<qint64> resourceId;
    State state = State::Any;
    Order order = Order::Created;
    qint64 nowSecs = 0; ///< the "now" that Active and Expired are judged against
    int limit = 100;
    int offset = 0; ///< only when after is empty; prefer the keyset cursor for deep pages
    std::optional<GrantCursor> after;
};

/** @brief The executable that held the loopback redirect port when a grant was approved (R4). */
struct GrantReceiver
{
    QString grantId;
    QString exePath;
    quint64 exeDevice = 0;
    quint64 exeInode = 0;
    qint64 recordedAt = 0;
};

struct GrantPage
{
    QList<Grant> grants;
    std::optional<GrantCursor> next; ///< empty on the last page
};

/**
 * @brief Grants: what a consent decision leaves.
 *
 * Revoking a grant in the same transaction revokes its refresh families (refresh fails at
 * once) and deletes its not-yet-redeemed authorization codes. Expiry is computed against the
 * caller's now, never stored.
 */
class GrantStore
{
public:
    explicit GrantStore(Database &db) : m_db(db) { }

    /** @brief Stores a new active grant (scopes canonicalized). invalid_argument; store_error on unknown
     * client/resource. */
    [[nodiscard]] Status create(const Grant &grant);
    [[nodiscard]] Result<std::optional<Grant>> find(const QString &id);
    /** @brief All grants of one client, newest first. */
    [[nodiscard]] Result<QList<Grant>> listForClient(const QString &clientId);
    /**
     * @brief An active, unexpired grant of @p clientId for @p resourceId whose scopes include
     * every one of @p scopes; the longest-lived such grant, or none.
     */
    [[nodiscard]] Result<std::optional<Grant>> findActiveCovering(
        const QString &clientId, qint64 resourceId, const QStringList &scopes, qint64 nowSecs);
    /** @brief last_used_at = now, use_count + 1. grant_unknown. */
    [[nodiscard]] Status recordUse(const QString &id, qint64 nowSecs);
    /** @brief Revokes one grant; true if it was active, false if already revoked. grant_unknown. */
    [[nodiscard]] Result<bool> revoke(const QString &id, const QString &reason, qint64 nowSecs);
    /** @brief Revokes every active grant of a client; returns how many. */
    [[nodiscard]] Result<int> revokeAllForClient(const QString &clientId, const QString &reason, qint64 nowSecs);
    /** @brief One page of grants (index-backed for every filter and order). */
    [[nodiscard]] Result<GrantPage> list(const GrantQuery &query);
    /** @brief How many grants match the filters of @p query (paging ignored). */
    [[nodiscard]] Result<qint64> count(const GrantQuery &query);

    /** @brief Records (or replaces) the grant's receiver. invalid_argument (empty path, inode 0); grant_unknown. */
    [[nodiscard]] Status setReceiver(const GrantReceiver &receiver);
    /** @brief The receiver recorded for @p grantId, if any. */
    [[nodiscard]] Result<std::optional<GrantReceiver>> receiver(const QString &grantId);

private:
    [[nodiscard]] Result<int> revokeWhere(
        const QString &where, const QString &arg, const QString &reason, qint64 nowSecs);

    Database &m_db;
};

} // namespace Tessera::Store
