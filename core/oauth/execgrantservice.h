// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QString>

namespace Tessera {
class Clock;
}
namespace Tessera::Store {
class AuditLog;
class Database;
} // namespace Tessera::Store

namespace Tessera::OAuth {

/**
 * @brief Revokes exec grants (`tessera-cli exec`): one place for tessera-cli and the
 * dashboard's "Revoke all" (issue 10.4), begin -> revoke -> audit -> commit.
 */
class ExecGrantService
{
public:
    ExecGrantService(Store::Database &db, Store::AuditLog &audit, const Clock &clock)
        : m_db(db), m_audit(audit), m_clock(clock)
    { }

    /**
     * @brief Revokes every active exec grant of @p clientId (all clients when empty), audited as
     * one `exec_grant.revoked_all` with the count, in one transaction. Returns the count.
     */
    [[nodiscard]] Result<int> revokeForClient(const QString &clientId, const QString &reason, const QString &actor);

private:
    Store::Database &m_db;
    Store::AuditLog &m_audit;
    const Clock &m_clock;
};

} // namespace Tessera::OAuth
