// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "store/records.h"

#include <QLatin1String>
#include <QString>

namespace Tessera {
class Clock;
}
namespace Tessera::Store {
class AuditLog;
class Database;
} // namespace Tessera::Store

namespace Tessera::OAuth {

class GrantService;

/**
 * @brief Adds, changes and removes resources: the one place for it (issue 10.4). The
 * dashboard and `tessera-cli resource` both call it, so their audit trails are the same.
 *
 * Every change is begin -> change -> audit -> commit in one SQLite transaction: an audit write
 * that fails rolls the change back. Removal revokes each active grant on the resource with its
 * own `grant.revoked` event before the resource goes (the store would delete them by cascade,
 * silently).
 */
class ResourceService
{
public:
    /** @brief What happens to the introspection secret (RFC 7662 §2.1 client authentication). */
    enum class Introspection
    {
        Off, ///< the resource may not introspect
        Keep, ///< keep the secret it has (none on add: a new one is issued)
        Renew, ///< issue a new secret; the old one stops working
    };

    struct Saved
    {
        Store::Resource resource;
        QString introspectionSecret; ///< set only when one was issued: shown once, never stored
    };

    ResourceService(Store::Database &db, Store::AuditLog &audit, const Clock &clock)
        : m_db(db), m_audit(audit), m_clock(clock)
    { }

    /**
     * @brief Registers @p resource (audited `resource.added`). Empty default scopes become the
     * low-risk ones (least privilege, security-cases D9).
     */
    [[nodiscard]] Result<Saved> add(Store::Resource resource, Introspection introspection, const QString &actor);
    /** @brief Replaces resource @p resource.id (audited `resource.updated`). */
    [[nodiscard]] Result<Saved> update(Store::Resource resource, Introspection introspection, const QString &actor);
    /**
     * @brief Revokes the resource's active grants through @p grants (each `grant.revoked` with
     * @p reason), then deletes it (`resource.removed`, with how many grants were revoked), all
     * in one transaction. Returns that number; `not_found` if there is no such resource, and
     * `revocation_unavailable` if it has active grants and @p grants is null (the server is not
     * running yet: revocation goes through the GrantService only).
     */
    [[nodiscard]] Result<int> remove(
        qint64 resourceId, const QString &reason, const QString &actor, GrantService *grants);

    static constexpr QLatin1String RevocationUnavailable { "revocation_unavailable" };

private:
    [[nodiscard]] Result<Saved> save(Store::Resource resource, Introspection introspection, const QString &actor);

    Store::Database &m_db;
    Store::AuditLog &m_audit;
    const Clock &m_clock;
};

} // namespace Tessera::OAuth
