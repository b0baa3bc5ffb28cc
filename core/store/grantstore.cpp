// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/grantstore.h"

#include "store/database.h"
#include "store/storeerror.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace Tessera::Store {

namespace {
// LEFT JOIN keeps grants the outer loop, so ORDER BY ... LIMIT walks a grants index; the
// foreign keys guarantee the joined rows exist.
const QString kSelect = QStringLiteral(
    "SELECT g.id, g.client_id, g.resource_id, g.scopes, g.created_at, g.expires_at, g.duration, g.last_used_at, "
    "g.use_count, g.state, g.revoked_at, g.revoked_reason, r.uri, r.name, c.client_name, g.scope_expiry "
    "FROM grants g LEFT JOIN resources r ON r.id = g.resource_id LEFT JOIN clients c ON c.client_id = g.client_id ");

// scope_expiry (migration 0005): {scope: end or null}; NULL or empty when uniform.
QMap<QString, std::optional<qint64>> decodeScopeExpiry(const QString &text)
{
    QMap<QString, std::optional<qint64>> out;
    if (text.isEmpty())
        return out;
    const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
    for (auto it = o.begin(); it != o.end(); ++it)
        out.insert(it.key(), it->isNull() ? std::optional<qint64>() : std::optional<qint64>(it->toInteger()));
    return out;
}

QString encodeScopeExpiry(const QMap<QString, std::optional<qint64>> &ends)
{
    if (ends.isEmpty())
        return {};
    QJsonObject o;
    for (auto it = ends.begin(); it != ends.end(); ++it)
        o.insert(it.key(), *it ? QJsonValue(**it) : QJsonValue(QJsonValue::Null));
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

Grant readGrant(const Query &q)
{
    Grant g;
    g.id = q.text(0);
    g.clientId = q.text(1);
    g.resourceId = q.int64(2);
    g.scopes = splitScopes(q.text(3));
    g.createdAt = q.int64(4);
    g.expiresAt = q.optionalInt64(5);
    g.duration = q.text(6);
    g.lastUsedAt = q.optionalInt64(7);
    g.useCount = q.int64(8);
    g.state = q.text(9) == u"revoked" ? GrantState::Revoked : GrantState::Active;
    g.revokedAt = q.optionalInt64(10);
    g.revokedReason = q.text(11);
    g.resourceUri = q.text(12);
    g.resourceName = q.text(13);
    g.clientName = q.text(14);
    g.scopeExpiresAt = decodeScopeExpiry(q.text(15));
    return g;
}

Result<QList<Grant>> readAll(Query &q)
{
    QList<Grant> out;
    while (q.next())
        out.append(readGrant(q));
    if (Status s = q.status(); !s)
        return s.error();
    return out;
}

// WHERE clause (without paging) and the values it binds, in order.
struct Filter
{
    QString where;
    QList<QVariant> values;
};

Filter buildFilter(const GrantQuery &query)
{
    QStringList terms;
    Filter f;
    if (!query.clientId.isEmpty()) {
        terms.append(QStringLiteral("g.client_id = ?"));
        f.values.append(query.clientId);
    }
    if (query.resourceId) {
        terms.append(QStringLiteral("g.resource_id = ?"));
        f.values.append(QVariant::fromValue<qlonglong>(*query.resourceId));
    }
    switch (query.state) {
    case GrantQuery::State::Any:
        break;
    case GrantQuery::State::Active:
        terms.append(QStringLiteral("g.state = 'active' AND (g.expires_at IS NULL OR g.expires_at > ?)"));
        f.values.append(QVariant::fromValue<qlonglong>(query.nowSecs));
        break;
    case GrantQuery::State::Expired:
        terms.append(QStringLiteral("g.state = 'active' AND g.expires_at <= ?"));
        f.values.append(QVariant::fromValue<qlonglong>(query.nowSecs));
        break;
    case GrantQuery::State::Revoked:
        terms.append(QStringLiteral("g.state = 'revoked'"));
        break;
    }
    f.where = terms.join(QStringLiteral(" AND "));
    return f;
}

void bindAll(Query &q, const QList<QVariant> &values)
{
    for (const QVariant &v : values) {
        if (v.typeId() == QMetaType::QString)
            q.bindText(v.toString());
        else
            q.bindInt(v.toLongLong());
    }
}

Status validate(const Grant &g)
{
    if (g.id.isEmpty() || g.clientId.isEmpty())
        return storeError(ErrorCode::InvalidArgument, QStringLiteral("A grant needs an id and a client."));
    for (const QString &s : g.scopes) {
        if (!isValidScopeToken(s))
            return storeError(ErrorCode::InvalidArgument, QStringLiteral("A scope name is not a valid scope token."));
    }
    if (g.duration.isEmpty())
        return storeError(ErrorCode::InvalidArgument, QStringLiteral("A grant needs a duration label."));
    for (auto it = g.scopeExpiresAt.begin(); it != g.scopeExpiresAt.end(); ++it) {
        if (!g.scopes.contains(it.key()))
            return storeError(ErrorCode::InvalidArgument, QStringLiteral("A scope end names a scope the grant lacks."));
        // The grant lives as long as its longest-lived scope, never shorter.
        if (g.expiresAt && (!*it || **it > *g.expiresAt))
            return storeError(ErrorCode::InvalidArgument, QStringLiteral("A scope outlives its grant."));
    }
    if (g.state != GrantState::Active)
        return storeError(ErrorCode::InvalidArgument, QStringLiteral("A new grant must be active."));
    return {};
}
} // namespace

Status GrantStore::create(const Grant &grant)
{
    if (Status s = validate(grant); !s)
        return s;
    auto q = m_db.prepare(QStringLiteral(
        "INSERT INTO grants (id, client_id, resource_id, scopes, created_at, expires_at, duration, last_used_at, "
        "use_count, state, scope_expiry) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?)"));
    if (!q)
        return q.error();
    q->bindText(grant.id)
        .bindText(grant.clientId)
        .bindInt(grant.resourceId)
        .bindText(joinScopes(grant.scopes))
        .bindInt(grant.createdAt)
        .bindIntOrNull(grant.expiresAt)
        .bindText(grant.duration)
        .bindIntOrNull(grant.lastUsedAt)
        .bindInt(grant.useCount)
        .bindTextOrNull(encodeScopeExpiry(grant.scopeExpiresAt));
    return q->exec();
}

Result<std::optional<Grant>> GrantStore::find(const QString &id)
{
    auto q = m_db.prepare(kSelect + QStringLiteral("WHERE g.id = ?"));
    if (!q)
        return q.error();
    q->bindText(id);
    if (Status s = q->exec(); !s)
        return s.error();
    if (q->next())
        return std::optional<Grant>(readGrant(*q));
    if (Status s = q->status(); !s)
        return s.error();
    return std::optional<Grant>();
}

Result<QList<Grant>> GrantStore::listForClient(const QString &clientId)
{
    auto q = m_db.prepare(kSelect + QStringLiteral("WHERE g.client_id = ? ORDER BY g.created_at DESC, g.id DESC"));
    if (!q)
        return q.error();
    q->bindText(clientId);
    if (Status s = q->exec(); !s)
        return s.error();
    return readAll(*q);
}

Result<std::optional<Grant>> GrantStore::findActiveCovering(
    const QString &clientId, qint64 resourceId, const QStringList &scopes, qint64 nowSecs)
{
    auto q = m_db.prepare(kSelect
        + QStringLiteral("WHERE g.client_id = ? AND g.resource_id = ? AND g.state = 'active' "
                         "AND (g.expires_at IS NULL OR g.expires_at > ?) "
                         "ORDER BY g.expires_at IS NULL DESC, g.expires_at DESC, g.created_at DESC, g.id"));
    if (!q)
        return q.error();
    q->bindText(clientId).bindInt(resourceId).bindInt(nowSecs);
    if (Status s = q->exec(); !s)
        return s.error();
    const QStringList wanted = canonicalScopes(scopes);
    while (q->next()) {
        Grant g = readGrant(*q);
        if (scopesCover(g.scopesAt(nowSecs), wanted)) // R10: a scope past its own end covers nothing
            return std::optional<Grant>(std::move(g));
    }
    if (Status s = q->status(); !s)
        return s.error();
    return std::optional<Grant>();
}

Status GrantStore::recordUse(const QString &id, qint64 nowSecs)
{
    auto q = m_db.prepare(QStringLiteral("UPDATE grants SET last_used_at = ?, use_count = use_count + 1 WHERE id = ?"));
    if (!q)
        return q.error();
    q->bindInt(nowSecs).bindText(id);
    if (Status s = q->exec(); !s)
        return s;
    if (q->rowsAffected() == 0)
        return storeError(ErrorCode::GrantUnknown, QStringLiteral("No such grant."));
    return {};
}

Status GrantStore::setReceiver(const GrantReceiver &r)
{
    if (r.grantId.isEmpty() || r.exePath.isEmpty() || r.exeInode == 0)
        return storeError(
            ErrorCode::InvalidArgument, QStringLiteral("A grant receiver needs a grant, a path and an inode."));
    auto exists = find(r.grantId);
    if (!exists)
        return exists.error();
    if (!exists->has_value())
        return storeError(ErrorCode::GrantUnknown, QStringLiteral("No such grant."));
    auto q = m_db.prepare(QStringLiteral(
        "INSERT INTO grant_receivers (grant_id, exe_path, exe_device, exe_inode, recorded_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (grant_id) DO UPDATE SET exe_path = excluded.exe_path, exe_device = excluded.exe_device, "
        "exe_inode = excluded.exe_inode, recorded_at = excluded.recorded_at"));
    if (!q)
        return q.error();
    // SQLite integers are signed 64-bit: device and inode numbers are stored bit for bit.
    q->bindText(r.grantId)
        .bindText(r.exePath)
        .bindInt(qint64(r.exeDevice))
        .bindInt(qint64(r.exeInode))
        .bindInt(r.recordedAt);
    return q->exec();
}

Result<std::optional<GrantReceiver>> GrantStore::receiver(const QString &grantId)
{
    auto q = m_db.prepare(QStringLiteral(
        "SELECT grant_id, exe_path, exe_device, exe_inode, recorded_at FROM grant_receivers WHERE grant_id = ?"));
    if (!q)
        return q.error();
    q->bindText(grantId);
    if (Status s = q->exec(); !s)
        return s.error();
    if (q->next())
        return std::optional<GrantReceiver>(
            GrantReceiver { q->text(0), q->text(1), quint64(q->int64(2)), quint64(q->int64(3)), q->int64(4) });
    if (Status s = q->status(); !s)
        return s.error();
    return std::optional<GrantReceiver> {};
}

Result<int> GrantStore::revokeWhere(const QString &where, const QString &arg, const QString &reason, qint64 nowSecs)
{
    // Order matters: families and codes are found through the grants that are still active.
    const QString activeGrants = QStringLiteral("SELECT id FROM grants WHERE state = 'active' AND ") + where;
    {
        auto q = m_db.prepare(QStringLiteral("UPDATE refresh_families SET revoked_at = ?, revoked_reason = ? "
                                             "WHERE revoked_at IS NULL AND grant_id IN (")
            + activeGrants + u')');
        if (!q)
            return q.error();
        q->bindInt(nowSecs).bindText(reason).bindText(arg);
        if (Status s = q->exec(); !s)
            return s.error();
    }
    {
        auto q
            = m_db.prepare(QStringLiteral("DELETE FROM authorization_codes WHERE consumed_at IS NULL AND grant_id IN (")
                + activeGrants + u')');
        if (!q)
            return q.error();
        q->bindText(arg);
        if (Status s = q->exec(); !s)
            return s.error();
    }
    auto q = m_db.prepare(
        QStringLiteral(
            "UPDATE grants SET state = 'revoked', revoked_at = ?, revoked_reason = ? WHERE state = 'active' AND ")
        + where);
    if (!q)
        return q.error();
    q->bindInt(nowSecs).bindText(reason).bindText(arg);
    if (Status s = q->exec(); !s)
        return s.error();
    return q->rowsAffected();
}

Result<bool> GrantStore::revoke(const QString &id, const QString &reason, qint64 nowSecs)
{
    auto tx = Transaction::begin(m_db);
    if (!tx)
        return tx.error();
    auto existing = find(id);
    if (!existing)
        return existing.error();
    if (!existing->has_value())
        return storeError(ErrorCode::GrantUnknown, QStringLiteral("No such grant."));
    auto changed = revokeWhere(QStringLiteral("id = ?"), id, reason, nowSecs);
    if (!changed)
        return changed.error();
    if (Status s = tx->commit(); !s)
        return s.error();
    return *changed > 0;
}

Result<int> GrantStore::revokeAllForClient(const QString &clientId, const QString &reason, qint64 nowSecs)
{
    auto tx = Transaction::begin(m_db);
    if (!tx)
        return tx.error();
    auto changed = revokeWhere(QStringLiteral("client_id = ?"), clientId, reason, nowSecs);
    if (!changed)
        return changed.error();
    if (Status s = tx->commit(); !s)
        return s.error();
    return *changed;
}

Result<GrantPage> GrantStore::list(const GrantQuery &query)
{
    const QString key = query.order == GrantQuery::Order::LastUsed ? QStringLiteral("ifnull(g.last_used_at, -1)")
                                                                   : QStringLiteral("g.created_at");
    Filter f = buildFilter(query);
    QString where = f.where;
    if (query.after) {
        where += (where.isEmpty() ? QString() : QStringLiteral(" AND ")) + u'(' + key
            + QStringLiteral(", g.id) < (?, ?)");
        f.values.append(QVariant::fromValue<qlonglong>(query.after->key));
        f.values.append(query.after->id);
    }
    const int limit = std::clamp(query.limit, 1, 10000);
    QString sql = kSelect;
    if (!where.isEmpty())
        sql += QStringLiteral("WHERE ") + where + u' ';
    sql += QStringLiteral("ORDER BY ") + key + QStringLiteral(" DESC, g.id DESC LIMIT ?");
    if (!query.after)
        sql += QStringLiteral(" OFFSET ?");

    auto q = m_db.prepare(sql);
    if (!q)
        return q.error();
    bindAll(*q, f.values);
    // One extra row tells whether another page follows.
    q->bindInt(limit + 1);
    if (!query.after)
        q->bindInt(std::max(0, query.offset));
    if (Status s = q->exec(); !s)
        return s.error();
    auto grants = readAll(*q);
    if (!grants)
        return grants.error();

    GrantPage page;
    page.grants = std::move(*grants);
    if (page.grants.size() > limit) {
        page.grants.resize(limit);
        const Grant &last = page.grants.constLast();
        const qint64 k = query.order == GrantQuery::Order::LastUsed ? last.lastUsedAt.value_or(-1) : last.createdAt;
        page.next = GrantCursor { k, last.id };
    }
    return page;
}

Result<qint64> GrantStore::count(const GrantQuery &query)
{
    const Filter f = buildFilter(query);
    QString sql = QStringLiteral("SELECT count(*) FROM grants g");
    if (!f.where.isEmpty())
        sql += QStringLiteral(" WHERE ") + f.where;
    auto q = m_db.prepare(sql);
    if (!q)
        return q.error();
    bindAll(*q, f.values);
    if (Status s = q->exec(); !s)
        return s.error();
    if (q->next())
        return q->int64(0);
    if (Status s = q->status(); !s)
        return s.error();
    return qint64(0);
}

} // namespace Tessera::Store
