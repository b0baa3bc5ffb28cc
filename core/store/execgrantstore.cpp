// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/execgrantstore.h"

#include "store/database.h"
#include "store/storeerror.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Tessera::Store {

namespace {
const QString kSelect = QStringLiteral(
    "SELECT e.id, e.client_id, e.caller_exe, e.command, e.secrets, e.created_at, e.expires_at, e.duration, "
    "e.last_used_at, e.use_count, e.state, e.revoked_at, e.revoked_reason, c.client_name "
    "FROM exec_grants e LEFT JOIN clients c ON c.client_id = e.client_id ");

QString commandText(const QStringList &command)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(command)).toJson(QJsonDocument::Compact));
}

// " a=A b=B ": one leading and trailing space so that instr(secrets, ' a=') matches whole names.
QString secretsText(const QStringList &pairs)
{
    return u' ' + ExecGrantStore::canonicalSecrets(pairs).join(u' ') + u' ';
}

ExecGrant readGrant(const Query &q)
{
    ExecGrant g;
    g.id = q.text(0);
    g.clientId = q.text(1);
    g.callerExe = q.text(2);
    for (const QJsonValue &v : QJsonDocument::fromJson(q.text(3).toUtf8()).array())
        g.command.append(v.toString());
    g.secrets = q.text(4).split(u' ', Qt::SkipEmptyParts);
    g.createdAt = q.int64(5);
    g.expiresAt = q.optionalInt64(6);
    g.duration = q.text(7);
    g.lastUsedAt = q.optionalInt64(8);
    g.useCount = q.int64(9);
    g.state = q.text(10) == u"revoked" ? GrantState::Revoked : GrantState::Active;
    g.revokedAt = q.optionalInt64(11);
    g.revokedReason = q.text(12);
    g.clientName = q.text(13);
    return g;
}

bool validPair(const QString &pair)
{
    const qsizetype eq = pair.indexOf(u'=');
    return eq > 0 && eq < pair.size() - 1 && pair.indexOf(u'=', eq + 1) < 0 && !pair.contains(u' ');
}
} // namespace

QStringList ExecGrant::secretNames() const
{
    QStringList out;
    for (const QString &p : secrets)
        out.append(p.section(u'=', 0, 0));
    return out;
}

QStringList ExecGrantStore::canonicalSecrets(const QStringList &pairs)
{
    QStringList out = pairs;
    out.sort();
    out.removeDuplicates();
    out.removeAll(QString());
    return out;
}

Status ExecGrantStore::create(const ExecGrant &g)
{
    if (g.id.isEmpty() || g.clientId.isEmpty() || g.command.isEmpty() || g.command.constFirst().isEmpty()
        || g.duration.isEmpty())
        return storeError(ErrorCode::InvalidArgument,
            QStringLiteral("An exec grant needs an id, a client, a command and a duration."));
    for (const QString &p : g.secrets) {
        if (!validPair(p))
            return storeError(ErrorCode::InvalidArgument, QStringLiteral("A secret of an exec grant is NAME=ENV."));
    }
    auto q = m_db.prepare(QStringLiteral(
        "INSERT INTO exec_grants (id, client_id, caller_exe, command, secrets, created_at, expires_at, duration) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
    if (!q)
        return q.error();
    q->bindText(g.id)
        .bindText(g.clientId)
        .bindText(g.callerExe)
        .bindText(commandText(g.command))
        .bindText(secretsText(g.secrets))
        .bindInt(g.createdAt)
        .bindIntOrNull(g.expiresAt)
        .bindText(g.duration);
    return q->exec();
}

Result<std::optional<ExecGrant>> ExecGrantStore::find(const QString &id)
{
    auto q = m_db.prepare(kSelect + QStringLiteral("WHERE e.id = ?"));
    if (!q)
        return q.error();
    q->bindText(id);
    if (Status s = q->exec(); !s)
        return s.error();
    if (q->next())
        return std::optional<ExecGrant>(readGrant(*q));
    if (Status s = q->status(); !s)
        return s.error();
    return std::optional<ExecGrant>();
}

Result<std::optional<ExecGrant>> ExecGrantStore::findActive(
    const QString &clientId, const QStringList &command, const QStringList &secretPairs, qint64 nowSecs)
{
    auto q = m_db.prepare(kSelect
        + QStringLiteral("WHERE e.client_id = ? AND e.command = ? AND e.secrets = ? AND e.state = 'active' "
                         "AND (e.expires_at IS NULL OR e.expires_at > ?) "
                         "ORDER BY e.expires_at IS NULL DESC, e.expires_at DESC LIMIT 1"));
    if (!q)
        return q.error();
    q->bindText(clientId).bindText(commandText(command)).bindText(secretsText(secretPairs)).bindInt(nowSecs);
    if (Status s = q->exec(); !s)
        return s.error();
    if (q->next())
        return std::optional<ExecGrant>(readGrant(*q));
    if (Status s = q->status(); !s)
        return s.error();
    return std::optional<ExecGrant>();
}

Result<QList<ExecGrant>> ExecGrantStore::list(const ExecGrantQuery &query)
{
    QStringList terms;
    QList<QVariant> values;
    if (!query.clientId.isEmpty()) {
        terms.append(QStringLiteral("e.client_id = ?"));
        values.append(query.clientId);
    }
    if (!query.secretName.isEmpty()) {
        terms.append(QStringLiteral("instr(e.secrets, ?) > 0"));
        values.append(QString(u' ' + query.secretName + u'='));
    }
    switch (query.state) {
    case GrantQuery::State::Any:
        break;
    case GrantQuery::State::Active:
        terms.append(QStringLiteral("e.state = 'active' AND (e.expires_at IS NULL OR e.expires_at > ?)"));
        values.append(QVariant::fromValue<qlonglong>(query.nowSecs));
        break;
    case GrantQuery::State::Expired:
        terms.append(QStringLiteral("e.state = 'active' AND e.expires_at <= ?"));
        values.append(QVariant::fromValue<qlonglong>(query.nowSecs));
        break;
    case GrantQuery::State::Revoked:
        terms.append(QStringLiteral("e.state = 'revoked'"));
        break;
    }
    QString sql = kSelect;
    if (!terms.isEmpty())
        sql += QStringLiteral("WHERE ") + terms.join(QStringLiteral(" AND ")) + u' ';
    sql += QStringLiteral("ORDER BY e.created_at DESC, e.id DESC LIMIT ?");
    auto q = m_db.prepare(sql);
    if (!q)
        return q.error();
    for (const QVariant &v : std::as_const(values)) {
        if (v.typeId() == QMetaType::QString)
            q->bindText(v.toString());
        else
            q->bindInt(v.toLongLong());
    }
    q->bindInt(qBound(1, query.limit, 10000));
    if (Status s = q->exec(); !s)
        return s.error();
    QList<ExecGrant> out;
    while (q->next())
        out.append(readGrant(*q));
    if (Status s = q->status(); !s)
        return s.error();
    return out;
}

Status ExecGrantStore::recordUse(const QString &id, qint64 nowSecs)
{
    auto q = m_db.prepare(
        QStringLiteral("UPDATE exec_grants SET last_used_at = ?, use_count = use_count + 1 WHERE id = ?"));
    if (!q)
        return q.error();
    q->bindInt(nowSecs).bindText(id);
    if (Status s = q->exec(); !s)
        return s;
    if (q->rowsAffected() == 0)
        return storeError(ErrorCode::GrantUnknown, QStringLiteral("There is no such exec grant."));
    return {};
}

Result<int> ExecGrantStore::revokeWhere(const QString &where, const QString &arg, const QString &reason, qint64 nowSecs)
{
    auto q = m_db.prepare(
        QStringLiteral(
            "UPDATE exec_grants SET state = 'revoked', revoked_at = ?, revoked_reason = ? WHERE state = 'active' AND ")
        + where);
    if (!q)
        return q.error();
    q->bindInt(nowSecs).bindText(reason);
    if (!arg.isNull())
        q->bindText(arg);
    if (Status s = q->exec(); !s)
        return s.error();
    return q->rowsAffected();
}

Result<bool> ExecGrantStore::revoke(const QString &id, const QString &reason, qint64 nowSecs)
{
    auto existing = find(id);
    if (!existing)
        return existing.error();
    if (!existing->has_value())
        return storeError(ErrorCode::GrantUnknown, QStringLiteral("There is no exec grant %1.").arg(id));
    auto n = revokeWhere(QStringLiteral("id = ?"), id, reason, nowSecs);
    if (!n)
        return n.error();
    return *n > 0;
}

Result<int> ExecGrantStore::revokeForClient(const QString &clientId, const QString &reason, qint64 nowSecs)
{
    return revokeWhere(QStringLiteral("client_id = ?"), clientId, reason, nowSecs);
}

Result<int> ExecGrantStore::revokeUsingSecret(const QString &name, const QString &reason, qint64 nowSecs)
{
    return revokeWhere(QStringLiteral("instr(secrets, ?) > 0"), u' ' + name + u'=', reason, nowSecs);
}

Result<int> ExecGrantStore::revokeAll(const QString &reason, qint64 nowSecs)
{
    return revokeWhere(QStringLiteral("1"), QString(), reason, nowSecs);
}

} // namespace Tessera::Store
