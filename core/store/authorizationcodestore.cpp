// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/authorizationcodestore.h"

#include "store/database.h"
#include "store/storeerror.h"

namespace Tessera::Store {

namespace {
const QString kSelect = QStringLiteral(
    "SELECT code_hash, grant_id, client_id, redirect_uri, code_challenge, resource, scopes, created_at, expires_at, "
    "consumed_at, family_id FROM authorization_codes WHERE code_hash = ?");

AuthorizationCode readCode(const Query &q)
{
    AuthorizationCode c;
    c.codeHash = q.blob(0);
    c.grantId = q.text(1);
    c.clientId = q.text(2);
    c.redirectUri = q.text(3);
    c.codeChallenge = q.text(4);
    c.resource = q.text(5);
    c.scopes = splitScopes(q.text(6));
    c.createdAt = q.int64(7);
    c.expiresAt = q.int64(8);
    c.consumedAt = q.optionalInt64(9);
    c.familyId = q.text(10);
    return c;
}

CodeError codeError(QLatin1String code, const QString &message)
{
    return CodeError { storeError(code, message), {}, {}, {} };
}
} // namespace

Status AuthorizationCodeStore::insert(const AuthorizationCode &code)
{
    if (code.codeHash.size() != 32)
        return storeError(ErrorCode::InvalidArgument, QStringLiteral("The code hash must be a SHA-256 digest."));
    // RFC 7636 §4.2: an S256 challenge is BASE64URL(SHA256(verifier)), 43 characters.
    if (code.codeChallenge.size() != 43)
        return storeError(ErrorCode::InvalidArgument, QStringLiteral("The code challenge must be an S256 challenge."));
    if (code.grantId.isEmpty() || code.clientId.isEmpty() || code.redirectUri.isEmpty() || code.resource.isEmpty())
        return storeError(ErrorCode::InvalidArgument,
            QStringLiteral("A code needs a grant, a client, a redirect URI and a resource."));
    auto q = m_db.prepare(QStringLiteral(
        "INSERT INTO authorization_codes (code_hash, grant_id, client_id, redirect_uri, code_challenge, resource, "
        "scopes, created_at, expires_at, consumed_at, family_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)"));
    if (!q)
        return q.error();
    q->bindBlob(code.codeHash)
        .bindText(code.grantId)
        .bindText(code.clientId)
        .bindText(code.redirectUri)
        .bindText(code.codeChallenge)
        .bindText(code.resource)
        .bindText(joinScopes(code.scopes))
        .bindInt(code.createdAt)
        .bindInt(code.expiresAt);
    return q->exec();
}

Result<AuthorizationCode, CodeError> AuthorizationCodeStore::consume(const QByteArray &codeHash, qint64 nowSecs)
{
    auto tx = Transaction::begin(m_db);
    if (!tx)
        return CodeError { tx.error(), {}, {}, {} };
    auto found = find(codeHash);
    if (!found)
        return CodeError { found.error(), {}, {}, {} };
    if (!found->has_value())
        return codeError(ErrorCode::CodeUnknown, QStringLiteral("The authorization code is not known."));
    AuthorizationCode code = std::move(**found);
    // RFC 6749 §4.1.2: a code used twice must be refused, and what it issued should be revoked.
    if (code.consumedAt)
        return CodeError { storeError(
                               ErrorCode::CodeReplayed, QStringLiteral("The authorization code was already used.")),
            code.grantId, code.familyId, code.clientId };
    if (code.expiresAt <= nowSecs)
        return codeError(ErrorCode::CodeExpired, QStringLiteral("The authorization code has expired."));

    auto q = m_db.prepare(
        QStringLiteral("UPDATE authorization_codes SET consumed_at = ? WHERE code_hash = ? AND consumed_at IS NULL"));
    if (!q)
        return CodeError { q.error(), {}, {}, {} };
    q->bindInt(nowSecs).bindBlob(codeHash);
    if (Status s = q->exec(); !s)
        return CodeError { s.error(), {}, {}, {} };
    // Unreachable under BEGIN IMMEDIATE, but a lost compare-and-swap must never pass as success.
    if (q->rowsAffected() != 1)
        return CodeError { storeError(
                               ErrorCode::CodeReplayed, QStringLiteral("The authorization code was already used.")),
            code.grantId, code.familyId, code.clientId };
    if (Status s = tx->commit(); !s)
        return CodeError { s.error(), {}, {}, {} };
    code.consumedAt = nowSecs;
    return code;
}

Status AuthorizationCodeStore::setFamily(const QByteArray &codeHash, const QString &familyId)
{
    auto q = m_db.prepare(QStringLiteral("UPDATE authorization_codes SET family_id = ? WHERE code_hash = ?"));
    if (!q)
        return q.error();
    q->bindTextOrNull(familyId).bindBlob(codeHash);
    if (Status s = q->exec(); !s)
        return s;
    if (q->rowsAffected() == 0)
        return storeError(ErrorCode::CodeUnknown, QStringLiteral("The authorization code is not known."));
    return {};
}

Result<std::optional<AuthorizationCode>> AuthorizationCodeStore::find(const QByteArray &codeHash)
{
    auto q = m_db.prepare(kSelect);
    if (!q)
        return q.error();
    q->bindBlob(codeHash);
    if (Status s = q->exec(); !s)
        return s.error();
    if (q->next())
        return std::optional<AuthorizationCode>(readCode(*q));
    if (Status s = q->status(); !s)
        return s.error();
    return std::optional<AuthorizationCode>();
}

Result<int> AuthorizationCodeStore::purgeExpired(qint64 nowSecs)
{
    auto q = m_db.prepare(QStringLiteral("DELETE FROM authorization_codes WHERE expires_at <= ?"));
    if (!q)
        return q.error();
    q->bindInt(nowSecs - ReplayWindowSecs);
    if (Status s = q->exec(); !s)
        return s.error();
    return q->rowsAffected();
}

} // namespace Tessera::Store
