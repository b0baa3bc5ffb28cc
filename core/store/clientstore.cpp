// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/clientstore.h"

#include "store/database.h"
#include "store/storeerror.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Tessera::Store {

namespace {
const QString kColumns = QStringLiteral(
    "client_id, kind, client_name, metadata, redirect_uris, token_endpoint_auth_method, secret_hash, created_at, "
    "expires_at, last_seen_at, consented");

QString compactJson(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

QString compactJson(const QStringList &list)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(list)).toJson(QJsonDocument::Compact));
}

Client readClient(const Query &q)
{
    Client c;
    c.clientId = q.text(0);
    c.kind = clientKindFromString(q.text(1)).value_or(ClientKind::Dcr);
    c.clientName = q.text(2);
    c.metadata = QJsonDocument::fromJson(q.text(3).toUtf8()).object();
    const QJsonArray uris = QJsonDocument::fromJson(q.text(4).toUtf8()).array();
    for (const QJsonValue &v : uris)
        c.redirectUris.append(v.toString());
    c.tokenEndpointAuthMethod = q.text(5);
    c.secretHash = q.isNull(6) ? QByteArray() : q.blob(6);
    c.createdAt = q.int64(7);
    c.expiresAt = q.optionalInt64(8);
    c.lastSeenAt = q.optionalInt64(9);
    c.consented = q.int64(10) != 0;
    return c;
}

Status validate(const Client &c)
{
    if (c.clientId.isEmpty())
        return storeError(ErrorCode::InvalidArgument, QStringLiteral("A client needs a client_id."));
    if (!c.secretHash.isEmpty() && c.secretHash.size() != 32)
        return storeError(
            ErrorCode::InvalidArgument, QStringLiteral("The client secret hash must be a SHA-256 digest."));
    if (c.tokenEndpointAuthMethod.isEmpty())
        return storeError(ErrorCode::InvalidArgument, QStringLiteral("A client needs a token endpoint auth method."));
    return {};
}
} // namespace

Status ClientStore::insert(const Client &client)
{
    if (Status s = validate(client); !s)
        return s;
    auto tx = Transaction::begin(m_db);
    if (!tx)
        return tx.error();
    {
        auto exists = m_db.prepare(QStringLiteral("SELECT 1 FROM clients WHERE client_id = ?"));
        if (!exists)
            return exists.error();
        exists->bindText(client.clientId);
        if (Status s = exists->exec(); !s)
            return s;
        if (exists->next())
            return storeError(ErrorCode::ClientExists, QStringLiteral("A client with this client_id already exists."));
    }
    auto q = m_db.prepare(QStringLiteral("INSERT INTO clients (") + kColumns
        + QStringLiteral(") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    if (!q)
        return q.error();
    q->bindText(client.clientId)
        .bindText(clientKindToString(client.kind))
        .bindTextOrNull(client.clientName)
        .bindText(compactJson(client.metadata))
        .bindText(compactJson(client.redirectUris))
        .bindText(client.tokenEndpointAuthMethod)
        .bindBlobOrNull(client.secretHash)
        .bindInt(client.createdAt)
        .bindIntOrNull(client.expiresAt)
        .bindIntOrNull(client.lastSeenAt)
        .bindBool(client.consented);
    if (Status s = q->exec(); !s)
        return s;
    return tx->commit();
}

Status ClientStore::update(const Client &client)
{
    if (Status s = validate(client); !s)
        return s;
    auto q = m_db.prepare(QStringLiteral(
        "UPDATE clients SET client_name = ?, metadata = ?, redirect_uris = ?, token_endpoint_auth_method = ?, "
        "secret_hash = ?, expires_at = ? WHERE client_id = ?"));
    if (!q)
        return q.error();
    q->bindTextOrNull(client.clientName)
        .bindText(compactJson(client.metadata))
        .bindText(compactJson(client.redirectUris))
        .bindText(client.tokenEndpointAuthMethod)
        .bindBlobOrNull(client.secretHash)
        .bindIntOrNull(client.expiresAt)
        .bindText(client.clientId);
    if (Status s = q->exec(); !s)
        return s;
    if (q->rowsAffected() == 0)
        return storeError(ErrorCode::ClientUnknown, QStringLiteral("No such client."));
    return {};
}

Result<std::optional<Client>> ClientStore::find(const QString &clientId)
{
    auto q = m_db.prepare(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM clients WHERE client_id = ?"));
    if (!q)
        return q.error();
    q->bindText(clientId);
    if (Status s = q->exec(); !s)
        return s.error();
    if (q->next())
        return std::optional<Client>(readClient(*q));
    if (Status s = q->status(); !s)
        return s.error();
    return std::optional<Client>();
}

Status ClientStore::updateLastSeen(const QString &clientId, qint64 nowSecs)
{
    auto q = m_db.prepare(QStringLiteral("UPDATE clients SET last_seen_at = ? WHERE client_id = ?"));
    if (!q)
        return q.error();
    q->bindInt(nowSecs).bindText(clientId);
    if (Status s = q->exec(); !s)
        return s;
    if (q->rowsAffected() == 0)
        return storeError(ErrorCode::ClientUnknown, QStringLiteral("No such client."));
    return {};
}

Status ClientStore::markConsented(const QString &clientId)
{
    auto q = m_db.prepare(QStringLiteral("UPDATE clients SET consented = 1, expires_at = NULL WHERE client_id = ?"));
    if (!q)
        return q.error();
    q->bindText(clientId);
    if (Status s = q->exec(); !s)
        return s;
    if (q->rowsAffected() == 0)
        return storeError(ErrorCode::ClientUnknown, QStringLiteral("No such client."));
    return {};
}

Result<QList<Client>> ClientStore::list()
{
    auto q = m_db.prepare(QStringLiteral("SELECT ") + kColumns
        + QStringLiteral(" FROM clients ORDER BY coalesce(last_seen_at, created_at) DESC, client_id"));
    if (!q)
        return q.error();
    if (Status s = q->exec(); !s)
        return s.error();
    QList<Client> out;
    while (q->next())
        out.append(readClient(*q));
    if (Status s = q->status(); !s)
        return s.error();
    return out;
}

Result<bool> ClientStore::remove(const QString &clientId)
{
    auto q = m_db.prepare(QStringLiteral("DELETE FROM clients WHERE client_id = ?"));
    if (!q)
        return q.error();
    q->bindText(clientId);
    if (Status s = q->exec(); !s)
        return s.error();
    return q->rowsAffected() > 0;
}

Result<int> ClientStore::purgeExpiredUnconsented(qint64 nowSecs)
{
    auto q = m_db.prepare(QStringLiteral("DELETE FROM clients WHERE consented = 0 AND expires_at <= ?"));
    if (!q)
        return q.error();
    q->bindInt(nowSecs);
    if (Status s = q->exec(); !s)
        return s.error();
    return q->rowsAffected();
}

Result<int> ClientStore::countRegisteredSince(qint64 sinceSecs)
{
    auto q = m_db.prepare(QStringLiteral("SELECT count(*) FROM clients WHERE created_at >= ?"));
    if (!q)
        return q.error();
    q->bindInt(sinceSecs);
    if (Status s = q->exec(); !s)
        return s.error();
    if (q->next())
        return static_cast<int>(q->int64(0));
    if (Status s = q->status(); !s)
        return s.error();
    return 0;
}

Status ClientStore::recordExecutable(const QString &clientId, const QString &exePath, qint64 nowSecs)
{
    if (exePath.isEmpty())
        return storeError(ErrorCode::InvalidArgument, QStringLiteral("The executable path is empty."));
    auto q = m_db.prepare(QStringLiteral(
        "INSERT INTO client_executables (client_id, exe_path, first_seen, last_seen, count) VALUES (?, ?, ?, ?, 1) "
        "ON CONFLICT (client_id, exe_path) DO UPDATE SET last_seen = excluded.last_seen, count = count + 1"));
    if (!q)
        return q.error();
    q->bindText(clientId).bindText(exePath).bindInt(nowSecs).bindInt(nowSecs);
    return q->exec();
}

Result<QList<ClientExecutable>> ClientStore::executables(const QString &clientId)
{
    auto q = m_db.prepare(QStringLiteral(
        "SELECT client_id, exe_path, first_seen, last_seen, count FROM client_executables WHERE client_id = ? "
        "ORDER BY last_seen DESC, exe_path"));
    if (!q)
        return q.error();
    q->bindText(clientId);
    if (Status s = q->exec(); !s)
        return s.error();
    QList<ClientExecutable> out;
    while (q->next())
        out.append({ q->text(0), q->text(1), q->int64(2), q->int64(3), q->int64(4) });
    if (Status s = q->status(); !s)
        return s.error();
    return out;
}

} // namespace Tessera::Store
