// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/revokedtokenstore.h"

#include "store/database.h"

namespace Tessera::Store {

Status RevokedTokenStore::add(const QString &jti, qint64 expiresAt, qint64 nowSecs)
{
    auto q = m_db.prepare(QStringLiteral("INSERT INTO revoked_access_tokens (jti, expires_at, revoked_at) VALUES (?, "
                                         "?, ?) ON CONFLICT(jti) DO NOTHING"));
    if (!q)
        return q.error();
    q->bindText(jti).bindInt(expiresAt).bindInt(nowSecs);
    return q->exec();
}

Result<bool> RevokedTokenStore::isRevoked(const QString &jti)
{
    auto q = m_db.prepare(QStringLiteral("SELECT 1 FROM revoked_access_tokens WHERE jti = ?"));
    if (!q)
        return q.error();
    q->bindText(jti);
    if (Status s = q->exec(); !s)
        return s.error();
    const bool found = q->next();
    if (Status s = q->status(); !s)
        return s.error();
    return found;
}

Result<int> RevokedTokenStore::purge(qint64 nowSecs)
{
    auto q = m_db.prepare(QStringLiteral("DELETE FROM revoked_access_tokens WHERE expires_at <= ?"));
    if (!q)
        return q.error();
    q->bindInt(nowSecs);
    if (Status s = q->exec(); !s)
        return s.error();
    return q->rowsAffected();
}

} // namespace Tessera::Store
