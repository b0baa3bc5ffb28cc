// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/consentrequeststore.h"

#include "store/database.h"
#include "store/storeerror.h"

#include <QJsonDocument>

namespace Tessera::Store {

namespace {
const QString kSelect = QStringLiteral(
    "SELECT id, client_id, resource_id, scopes, path, snapshot, created_at, expires_at, status, decided_at, decision "
    "FROM consent_requests ");

QString compactJson(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

ConsentRequestRecord readRequest(const Query &q)
{
    ConsentRequestRecord r;
    r.id = q.text(0);
    r.clientId = q.text(1);
    r.resourceId = q.optionalInt64(2);
    r.scopes = splitScopes(q.text(3));
    r.path = consentPathFromString(q.text(4)).value_or(ConsentPath::Authorize);
    r.snapshot = QJsonDocument::fromJson(q.text(5).toUtf8()).object();
    r.createdAt = q.int64(6);
    r.expiresAt = q.int64(7);
    r.status = consentStatusFromString(q.text(8)).value_or(ConsentStatus::Expired);
    r.decidedAt = q.optionalInt64(9);
    if (!q.isNull(10))
        r.decision = QJsonDocument::fromJson(q.text(10).toUtf8()).object();
    return r;
}

Result<QList<ConsentRequestRecord>> readAll(Query &q)
{
    QList<ConsentRequestRecord> out;
    while (q.next())
        out.append(readRequest(q));
    if (Status s = q.status(); !s)
        return s.error();
    return out;
}
} // namespace

Status ConsentRequestStore::insert(const ConsentRequestRecord &request)
{
    if (request.id.isEmpty() || request.clientId.isEmpty())
        return storeError(ErrorCode::InvalidArgument, QStringLiteral("A consent request needs an id and a client."));
    if (request.status != ConsentStatus::Pending)
        return storeError(ErrorCode::InvalidArgument, QStringLiteral("A new consent request must be pending."));
    if (request.expiresAt <= request.createdAt)
        return storeError(
            ErrorCode::InvalidArgument, QStringLiteral("A consent request must expire after it is created."));
    auto q = m_db.prepare(QStringLiteral(
        "INSERT INTO consent_requests (id, client_id, resource_id, scopes, path, snapshot, created_at, expires_at, "
        "status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending')"));
    if (!q)
        return q.error();
    q->bindText(request.id)
        .bindText(request.clientId)
        .bindIntOrNull(request.resourceId)
        .bindText(joinScopes(request.scopes))
        .bindText(consentPathToString(request.path))
        .bindText(compactJson(request.snapshot))
        .bindInt(request.createdAt)
        .bindInt(request.expiresAt);
    return q->exec();
}

Result<std::optional<ConsentRequestRecord>> ConsentRequestStore::find(const QString &id)
{
    auto q = m_db.prepare(kSelect + QStringLiteral("WHERE id = ?"));
    if (!q)
        return q.error();
    q->bindText(id);
    if (Status s = q->exec(); !s)
        return s.error();
    if (q->next())
        return std::optional<ConsentRequestRecord>(readRequest(*q));
    if (Status s = q->status(); !s)
        return s.error();
    return std::optional<ConsentRequestRecord>();
}

Result<QList<ConsentRequestRecord>> ConsentRequestStore::listPending(qint64 nowSecs, const QString &clientId)
{
    auto q = m_db.prepare(kSelect
        + QStringLiteral("WHERE status = 'pending' AND expires_at > ? AND (? = '' OR client_id = ?) "
                         "ORDER BY created_at, id"));
    if (!q)
        return q.error();
    q->bindInt(nowSecs).bindText(clientId).bindText(clientId);
    if (Status s = q->exec(); !s)
        return s.error();
    return readAll(*q);
}

Result<int> ConsentRequestStore::countPending(const QString &clientId, qint64 nowSecs)
{
    auto q = m_db.prepare(QStringLiteral(
        "SELECT count(*) FROM consent_requests WHERE client_id = ? AND status = 'pending' AND expires_at > ?"));
    if (!q)
        return q.error();
    q->bindText(clientId).bindInt(nowSecs);
    if (Status s = q->exec(); !s)
        return s.error();
    if (q->next())
        return static_cast<int>(q->int64(0));
    if (Status s = q->status(); !s)
        return s.error();
    return 0;
}

Status ConsentRequestStore::decide(const QString &id, ConsentStatus status, const QJsonObject &decision, qint64 nowSecs)
{
    if (status != ConsentStatus::Approved && status != ConsentStatus::Denied)
        return storeError(ErrorCode::InvalidArgument, QStringLiteral("A decision is either approved or denied."));
    auto tx = Transaction::begin(m_db);
    if (!tx)
        return tx.error();
    auto existing = find(id);
    if (!existing)
        return existing.error();
    if (!existing->has_value())
        return storeError(ErrorCode::ConsentUnknown, QStringLiteral("No such consent request."));
    const ConsentRequestRecord &r = **existing;
    if (r.status != ConsentStatus::Pending)
        return storeError(ErrorCode::ConsentNotPending,
            QStringLiteral("The consent request was already %1.").arg(consentStatusToString(r.status)));
    if (r.expiresAt <= nowSecs) {
        auto q = m_db.prepare(QStringLiteral(
            "UPDATE consent_requests SET status = 'expired', decided_at = ? WHERE id = ? AND status = 'pending'"));
        if (!q)
            return q.error();
        q->bindInt(nowSecs).bindText(id);
        if (Status s = q->exec(); !s)
            return s;
        if (Status s = tx->commit(); !s)
            return s;
        return storeError(
            ErrorCode::ConsentExpired, QStringLiteral("The consent request expired before the decision."));
    }
    auto q = m_db.prepare(QStringLiteral(
        "UPDATE consent_requests SET status = ?, decided_at = ?, decision = ? WHERE id = ? AND status = 'pending'"));
    if (!q)
        return q.error();
    q->bindText(consentStatusToString(status)).bindInt(nowSecs).bindText(compactJson(decision)).bindText(id);
    if (Status s = q->exec(); !s)
        return s;
    if (q->rowsAffected() != 1)
        return storeError(ErrorCode::ConsentNotPending, QStringLiteral("The consent request was already decided."));
    return tx->commit();
}

Result<QStringList> ConsentRequestStore::closePending(
    bool onlyExpired, ConsentStatus status, const QJsonObject &decision, qint64 nowSecs)
{
    // Expiry uses the (status, expires_at) index; "all pending" the same index's prefix.
    const QString condition = onlyExpired ? QStringLiteral("status = 'pending' AND expires_at <= ?")
                                          : QStringLiteral("status = 'pending' AND ? IS NOT NULL");
    auto tx = Transaction::begin(m_db);
    if (!tx)
        return tx.error();
    QStringList ids;
    {
        auto q = m_db.prepare(QStringLiteral("SELECT id FROM consent_requests WHERE ") + condition
            + QStringLiteral(" ORDER BY created_at, id"));
        if (!q)
            return q.error();
        q->bindInt(nowSecs);
        if (Status s = q->exec(); !s)
            return s.error();
        while (q->next())
            ids.append(q->text(0));
        if (Status s = q->status(); !s)
            return s.error();
    }
    auto q = m_db.prepare(
        QStringLiteral("UPDATE consent_requests SET status = ?, decided_at = ?, decision = ? WHERE ") + condition);
    if (!q)
        return q.error();
    q->bindText(consentStatusToString(status)).bindInt(nowSecs);
    if (decision.isEmpty())
        q->bindNull();
    else
        q->bindText(compactJson(decision));
    q->bindInt(nowSecs);
    if (Status s = q->exec(); !s)
        return s.error();
    if (Status s = tx->commit(); !s)
        return s.error();
    return ids;
}

Result<QStringList> ConsentRequestStore::expirePending(qint64 nowSecs)
{
    return closePending(true, ConsentStatus::Expired, {}, nowSecs);
}

Result<QStringList> ConsentRequestStore::denyAllPending(const QJsonObject &decision, qint64 nowSecs)
{
    return closePending(false, ConsentStatus::Denied, decision, nowSecs);
}

} // namespace Tessera::Store
