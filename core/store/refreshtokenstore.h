// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "store/records.h"

#include <optional>

namespace Tessera::Store {

class Database;

/** @brief Why rotate() failed, with the family concerned (for the audit log) when known. */
struct RefreshError
{
    Error error; ///< refresh_unknown / _expired / _revoked / _reused / _client_mismatch, store_error
    QString familyId;
    QString grantId;
    QString clientId;

    [[nodiscard]] const QString &code() const { return error.code; }
};

struct RefreshTokenInfo
{
    RefreshToken token;
    RefreshFamily family;
};

/** @brief What rotate() did. */
struct Rotation
{
    RefreshFamily family;
    /** The presented token was the predecessor in grace (a retry after a lost answer): its
        unused successor was retired and replaced by the new token. */
    bool retry = false;
};

/**
 * @brief Rotating refresh tokens, stored only as SHA-256(token), grouped in families.
 *
 * One family per redeemed code; each rotate() marks the presented token rotated and adds its
 * successor. A lost answer must not cost the agent its grant (issue 10.5), so the rotated token
 * stays in grace, still usable, until its successor is first presented to rotate(); presenting
 * the predecessor again meanwhile (a retry) retires that unused successor and issues a new one.
 * Any other rotated token is retired, and presenting it is reuse (RFC 9700 §4.14.2,
 * security-cases F1): the whole family is revoked, successor included. Partial unique indexes
 * guarantee at most one current and at most one in-grace token per family, whatever happens
 * (crash, race, bug).
 */
class RefreshTokenStore
{
public:
    /** @brief How long purge() keeps dead families (revoked, or every token expired). */
    static constexpr qint64 RetentionSecs = 24 * 60 * 60;
    /** @brief revoked_reason written when reuse is detected. */
    static constexpr QLatin1String ReuseReason { "refresh_token_reuse" };
    /**
     * @brief How long a rotated token stays in grace at most, even if its successor is never
     * used: a retry comes within seconds or, after a crash or a sleeping laptop, hours; a
     * predecessor presented later than this is reuse like any retired token.
     */
    static constexpr qint64 GraceSecs = 24 * 60 * 60;

    explicit RefreshTokenStore(Database &db) : m_db(db) { }

    /** @brief Whether @p token is the predecessor in grace at @p nowSecs (rotated, not retired, < GraceSecs). */
    [[nodiscard]] static bool inGrace(const RefreshToken &token, qint64 nowSecs)
    {
        return token.rotatedAt && !token.retiredAt && nowSecs - *token.rotatedAt < GraceSecs;
    }

    /** @brief Stores a new family and its first token in one transaction. invalid_argument, store_error. */
    [[nodiscard]] Status createFamily(const RefreshFamily &family, const QByteArray &firstTokenHash, qint64 expiresAt);

    /**
     * @brief Exchanges @p oldHash for @p newHash, atomically.
     *
     * In one BEGIN IMMEDIATE transaction (or the caller's), checked in this order:
     * unknown → refresh_unknown; @p expectedClientId given and different → refresh_client_mismatch
     * (nothing changes); family or its grant revoked → refresh_revoked; token retired, or in
     * grace for GraceSecs or longer → the family is revoked (reason ReuseReason) and
     * refresh_reused; token or grant expired → refresh_expired. Then:
     * - the current token: marked rotated (UPDATE ... WHERE rotated_at IS NULL, which must change
     *   exactly one row), the family's predecessor in grace, if any, retired; it is in grace now.
     * - the predecessor in grace (a retry): the unused current token is retired; the presented
     *   token stays in grace, its window still counted from its first rotation (Rotation::retry).
     * In both cases @p newHash becomes the family's current token.
     *
     * The reuse revocation is written even though an error is returned: when the caller has its
     * own transaction open it must commit it on refresh_reused too.
     */
    [[nodiscard]] Result<Rotation, RefreshError> rotate(const QByteArray &oldHash, const QByteArray &newHash,
        qint64 newExpiresAt, qint64 nowSecs, const QString &expectedClientId = {});

    /** @brief Revokes one family; true if it was live. */
    [[nodiscard]] Result<bool> revokeFamily(const QString &familyId, const QString &reason, qint64 nowSecs);
    [[nodiscard]] Result<int> revokeFamiliesForGrant(const QString &grantId, const QString &reason, qint64 nowSecs);
    /** @brief Emergency "revoke all" (security-cases F8). */
    [[nodiscard]] Result<int> revokeAllFamilies(const QString &reason, qint64 nowSecs);

    [[nodiscard]] Result<std::optional<RefreshTokenInfo>> findByHash(const QByteArray &tokenHash);
    [[nodiscard]] Result<std::optional<RefreshFamily>> findFamily(const QString &familyId);
    /** @brief Deletes families dead for more than RetentionSecs (their tokens go with them). */
    [[nodiscard]] Result<int> purge(qint64 nowSecs);

private:
    Database &m_db;
};

} // namespace Tessera::Store
