// SPDX-License-Identifier: GPL-3.0-or-later
#include "oauth/execgrantservice.h"

#include "common/clock.h"
#include "store/auditlog.h"
#include "store/database.h"
#include "store/execgrantstore.h"

#include <QJsonObject>

namespace Tessera::OAuth {

Result<int> ExecGrantService::revokeForClient(const QString &clientId, const QString &reason, const QString &actor)
{
    auto tx = Store::Transaction::begin(m_db);
    if (!tx)
        return tx.error();
    Store::ExecGrantStore store(m_db);
    const qint64 now = m_clock.nowSecs();
    auto n = clientId.isEmpty() ? store.revokeAll(reason, now) : store.revokeForClient(clientId, reason, now);
    if (!n)
        return n.error();
    if (auto a = m_audit.append({ QStringLiteral("exec_grant.revoked_all"), actor, clientId, {}, {},
            QJsonObject { { QStringLiteral("reason"), reason }, { QStringLiteral("grants"), *n } } });
        !a)
        return a.error();
    if (Status s = tx->commit(); !s)
        return s.error();
    return *n;
}

} // namespace Tessera::OAuth
