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

/**
 * @brief Rotating refresh tokens, stored only as SHA-256(token), grouped in families.
 *
 * One family per redeemed code; each rotate() marks the presented token rotated and adds its
 * successor. Presenting a rotated token again is reuse (RFC 9700 §4.14.2, security-cases F1):
 * the whole family is revoked, successor included. A partial unique index guarantees at most
 * one un-rotated token per family, whatever happens (crash, race, bug).
 */
class RefreshTokenStore
{
public:
    /** @brief How long purge() keeps dead families (revoked, or every token expired). */
    static constexpr qint64 RetentionSecs = 24 * 60 * 60;
    /** @brief revoked_reason written when reuse is detected. */
    static constexpr QLatin1String ReuseReason { "refresh_token_reuse" };

    explicit RefreshTokenStore(Database &db) : m_db(db) { }

    /** @brief Stores a new family and its first token in one transaction. invalid_argument, store_error. */
    [[nodiscard]] Status createFamily(const RefreshFamily &family, const QByteArray &firstTokenHash, qint64 expiresAt);

    /**
     * @brief Exchanges the current token @p oldHash for @p newHash, atomically.
     *
     * In one BEGIN IMMEDIATE transaction (or the caller's), checked in this order:
     * unknown → refresh_unknown; @p expectedClientId given and different → refresh_client_mismatch
     * (nothing changes); family or its grant revoked → refresh_revoked; token already rotated →
     * the family is revoked (reason ReuseReason) and refresh_reused; token or grant expired →
     * refresh_expired. Otherwise the token is marked rotated (UPDATE ... WHERE rotated_at IS NULL,
     * which must change exactly one row) and the successor inserted; returns the family.
     *
     * The reuse revocation is written even though an error is returned: when the caller has its
     * own transaction open it must commit it on refresh_reused too.
     */
    [[nodiscard]] Result<RefreshFamily, RefreshError> rotate(const QByteArray &oldHash, const QByteArray &newHash,
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
