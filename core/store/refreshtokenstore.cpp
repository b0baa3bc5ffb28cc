// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/refreshtokenstore.h"

#include "store/database.h"
#include "store/storeerror.h"

namespace Tessera::Store {

namespace {
const QString kFamilyColumns = QStringLiteral(
    "f.id, f.grant_id, f.client_id, f.resource, f.scopes, f.created_at, f.revoked_at, f.revoked_reason");

RefreshFamily readFamily(const Query &q, int first)
{
    RefreshFamily f;
    f.id = q.text(first);
    f.grantId = q.text(first + 1);
    f.clientId = q.text(first + 2);
    f.resource = q.text(first + 3);
    f.scopes = splitScopes(q.text(first + 4));
    f.createdAt = q.int64(first + 5);
    f.revokedAt = q.optionalInt64(first + 6);
    f.revokedReason = q.text(first + 7);
    return f;
}

RefreshError plain(Error e)
{
    return RefreshError { std::move(e), {}, {}, {} };
}

Status checkHash(const QByteArray &hash)
{
    if (hash.size() != 32)
        return storeError(ErrorCode::InvalidArgument, QStringLiteral("A refresh token hash must be a SHA-256 digest."));
    return {};
}
} // namespace

Status RefreshTokenStore::createFamily(const RefreshFamily &family, const QByteArray &firstTokenHash, qint64 expiresAt)
{
    if (Status s = checkHash(firstTokenHash); !s)
        return s;
    if (family.id.isEmpty() || family.grantId.isEmpty() || family.clientId.isEmpty() || family.resource.isEmpty())
        return storeError(ErrorCode::InvalidArgument,
            QStringLiteral("A refresh family needs an id, a grant, a client and a resource."));
    auto tx = Transaction::begin(m_db);
    if (!tx)
        return tx.error();
    {
        auto q = m_db.prepare(QStringLiteral(
            "INSERT INTO refresh_families (id, grant_id, client_id, resource, scopes, created_at, revoked_at, "
            "revoked_reason) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL)"));
        if (!q)
            return q.error();
        q->bindText(family.id)
            .bindText(family.grantId)
            .bindText(family.clientId)
            .bindText(family.resource)
            .bindText(joinScopes(family.scopes))
            .bindInt(family.createdAt);
        if (Status s = q->exec(); !s)
            return s;
    }
    {
        auto q = m_db.prepare(QStringLiteral("INSERT INTO refresh_tokens (token_hash, family_id, created_at, "
                                             "expires_at, rotated_at) VALUES (?, ?, ?, ?, NULL)"));
        if (!q)
            return q.error();
        q->bindBlob(firstTokenHash).bindText(family.id).bindInt(family.createdAt).bindInt(expiresAt);
        if (Status s = q->exec(); !s)
            return s;
    }
    return tx->commit();
}

Result<Rotation, RefreshError> RefreshTokenStore::rotate(const QByteArray &oldHash, const QByteArray &newHash,
    qint64 newExpiresAt, qint64 nowSecs, const QString &expectedClientId)
{
    if (Status s = checkHash(newHash); !s)
        return plain(s.error());
    if (oldHash == newHash)
        return plain(
            storeError(ErrorCode::InvalidArgument, QStringLiteral("The new refresh token equals the old one.")));

    // BEGIN IMMEDIATE: the write lock is taken before reading, so a second rotation of the same
    // token (another connection or process) waits and then sees what the first one wrote
    // (security-cases F2).
    auto tx = Transaction::begin(m_db);
    if (!tx)
        return plain(tx.error());

    RefreshFamily family;
    qint64 tokenExpiresAt = 0;
    std::optional<qint64> rotatedAt;
    std::optional<qint64> retiredAt;
    bool grantRevoked = false;
    std::optional<qint64> grantExpiresAt;
    {
        auto q = m_db.prepare(QStringLiteral("SELECT ") + kFamilyColumns
            + QStringLiteral(", t.expires_at, t.rotated_at, t.retired_at, g.state, g.expires_at FROM refresh_tokens t "
                             "JOIN refresh_families f ON f.id = t.family_id JOIN grants g ON g.id = f.grant_id "
                             "WHERE t.token_hash = ?"));
        if (!q)
            return plain(q.error());
        q->bindBlob(oldHash);
        if (Status s = q->exec(); !s)
            return plain(s.error());
        if (!q->next()) {
            if (Status s = q->status(); !s)
                return plain(s.error());
            return plain(storeError(ErrorCode::RefreshUnknown, QStringLiteral("The refresh token is not known.")));
        }
        family = readFamily(*q, 0);
        tokenExpiresAt = q->int64(8);
        rotatedAt = q->optionalInt64(9);
        retiredAt = q->optionalInt64(10);
        grantRevoked = q->text(11) == u"revoked";
        grantExpiresAt = q->optionalInt64(12);
    }
    auto fail = [&family](QLatin1String code, const QString &message) {
        return RefreshError { storeError(code, message), family.id, family.grantId, family.clientId };
    };
    auto exec = [this](const QString &sql, auto bind) -> Result<int> {
        auto q = m_db.prepare(sql);
        if (!q)
            return q.error();
        bind(*q);
        if (Status s = q->exec(); !s)
            return s.error();
        return q->rowsAffected();
    };

    // RFC 6749 §6: the refresh token is bound to the client it was issued to.
    if (!expectedClientId.isEmpty() && expectedClientId != family.clientId)
        return RefreshError { storeError(ErrorCode::RefreshClientMismatch,
                                  QStringLiteral("The refresh token was issued to another client.")),
            {}, {}, {} };
    if (family.revokedAt || grantRevoked)
        return fail(ErrorCode::RefreshRevoked, QStringLiteral("The refresh token has been revoked."));
    // In grace: rotated, its successor never used, and for less than GraceSecs.
    const bool inGrace
        = RefreshTokenStore::inGrace(RefreshToken { oldHash, family.id, 0, 0, rotatedAt, retiredAt }, nowSecs);
    if (rotatedAt && !inGrace) {
        // RFC 9700 §4.14.2: "If a refresh token is compromised and subsequently used by both the
        // attacker and the legitimate client, one of them will present an invalidated refresh
        // token, which will inform the authorization server of the breach": revoke the family,
        // the active token included.
        auto revoked = revokeFamily(family.id, QString(ReuseReason), nowSecs);
        if (!revoked)
            return plain(revoked.error());
        if (Status s = tx->commit(); !s)
            return plain(s.error());
        return fail(
            ErrorCode::RefreshReused, QStringLiteral("The refresh token was already used; its family is revoked."));
    }
    if (tokenExpiresAt <= nowSecs || (grantExpiresAt && *grantExpiresAt <= nowSecs))
        return fail(ErrorCode::RefreshExpired, QStringLiteral("The refresh token has expired."));

    if (inGrace) {
        // A retry after a lost answer: the answer's token was never used (else this one would be
        // retired), so nobody can be relying on it. Retire it; at most one unused successor lives.
        auto retired = exec(QStringLiteral("UPDATE refresh_tokens SET rotated_at = ?, retired_at = ? "
                                           "WHERE family_id = ? AND rotated_at IS NULL"),
            [&](Query &q) { q.bindInt(nowSecs).bindInt(nowSecs).bindText(family.id); });
        if (!retired)
            return plain(retired.error());
        if (*retired != 1)
            return plain(storeError(ErrorCode::StoreError,
                QStringLiteral("The refresh family has no current token to replace; nothing was changed.")));
    } else {
        // First use of the current token: its predecessor, if still in grace, is retired for good.
        auto retired = exec(QStringLiteral("UPDATE refresh_tokens SET retired_at = ? WHERE family_id = ? "
                                           "AND rotated_at IS NOT NULL AND retired_at IS NULL"),
            [&](Query &q) { q.bindInt(nowSecs).bindText(family.id); });
        if (!retired)
            return plain(retired.error());
        auto rotated = exec(
            QStringLiteral("UPDATE refresh_tokens SET rotated_at = ? WHERE token_hash = ? AND rotated_at IS NULL"),
            [&](Query &q) { q.bindInt(nowSecs).bindBlob(oldHash); });
        if (!rotated)
            return plain(rotated.error());
        if (*rotated != 1)
            return fail(ErrorCode::RefreshReused, QStringLiteral("The refresh token was already used."));
    }
    {
        auto q = m_db.prepare(QStringLiteral("INSERT INTO refresh_tokens (token_hash, family_id, created_at, "
                                             "expires_at, rotated_at, retired_at) VALUES (?, ?, ?, ?, NULL, NULL)"));
        if (!q)
            return plain(q.error());
        q->bindBlob(newHash).bindText(family.id).bindInt(nowSecs).bindInt(newExpiresAt);
        if (Status s = q->exec(); !s)
            return plain(s.error());
    }
    if (Status s = tx->commit(); !s)
        return plain(s.error());
    return Rotation { family, inGrace };
}

Result<bool> RefreshTokenStore::revokeFamily(const QString &familyId, const QString &reason, qint64 nowSecs)
{
    auto q = m_db.prepare(QStringLiteral(
        "UPDATE refresh_families SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL"));
    if (!q)
        return q.error();
    q->bindInt(nowSecs).bindText(reason).bindText(familyId);
    if (Status s = q->exec(); !s)
        return s.error();
    return q->rowsAffected() > 0;
}

Result<int> RefreshTokenStore::revokeFamiliesForGrant(const QString &grantId, const QString &reason, qint64 nowSecs)
{
    auto q = m_db.prepare(QStringLiteral(
        "UPDATE refresh_families SET revoked_at = ?, revoked_reason = ? WHERE grant_id = ? AND revoked_at IS NULL"));
    if (!q)
        return q.error();
    q->bindInt(nowSecs).bindText(reason).bindText(grantId);
    if (Status s = q->exec(); !s)
        return s.error();
    return q->rowsAffected();
}

Result<int> RefreshTokenStore::revokeAllFamilies(const QString &reason, qint64 nowSecs)
{
    auto q = m_db.prepare(
        QStringLiteral("UPDATE refresh_families SET revoked_at = ?, revoked_reason = ? WHERE revoked_at IS NULL"));
    if (!q)
        return q.error();
    q->bindInt(nowSecs).bindText(reason);
    if (Status s = q->exec(); !s)
        return s.error();
    return q->rowsAffected();
}

Result<std::optional<RefreshTokenInfo>> RefreshTokenStore::findByHash(const QByteArray &tokenHash)
{
    auto q = m_db.prepare(QStringLiteral("SELECT ") + kFamilyColumns
        + QStringLiteral(", t.token_hash, t.created_at, t.expires_at, t.rotated_at, t.retired_at FROM refresh_tokens t "
                         "JOIN refresh_families f ON f.id = t.family_id WHERE t.token_hash = ?"));
    if (!q)
        return q.error();
    q->bindBlob(tokenHash);
    if (Status s = q->exec(); !s)
        return s.error();
    if (!q->next()) {
        if (Status s = q->status(); !s)
            return s.error();
        return std::optional<RefreshTokenInfo>();
    }
    RefreshTokenInfo info;
    info.family = readFamily(*q, 0);
    info.token.tokenHash = q->blob(8);
    info.token.familyId = info.family.id;
    info.token.createdAt = q->int64(9);
    info.token.expiresAt = q->int64(10);
    info.token.rotatedAt = q->optionalInt64(11);
    info.token.retiredAt = q->optionalInt64(12);
    return std::optional<RefreshTokenInfo>(std::move(info));
}

Result<std::optional<RefreshFamily>> RefreshTokenStore::findFamily(const QString &familyId)
{
    auto q = m_db.prepare(
        QStringLiteral("SELECT ") + kFamilyColumns + QStringLiteral(" FROM refresh_families f WHERE f.id = ?"));
    if (!q)
        return q.error();
    q->bindText(familyId);
    if (Status s = q->exec(); !s)
        return s.error();
    if (q->next())
        return std::optional<RefreshFamily>(readFamily(*q, 0));
    if (Status s = q->status(); !s)
        return s.error();
    return std::optional<RefreshFamily>();
}

Result<int> RefreshTokenStore::purge(qint64 nowSecs)
{
    auto q = m_db.prepare(QStringLiteral(
        "DELETE FROM refresh_families WHERE revoked_at <= ? OR NOT EXISTS "
        "(SELECT 1 FROM refresh_tokens t WHERE t.family_id = refresh_families.id AND t.expires_at > ?)"));
    if (!q)
        return q.error();
    q->bindInt(nowSecs - RetentionSecs).bindInt(nowSecs - RetentionSecs);
    if (Status s = q->exec(); !s)
        return s.error();
    return q->rowsAffected();
}

} // namespace Tessera::Store
