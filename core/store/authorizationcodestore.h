// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "store/records.h"

namespace Tessera::Store {

class Database;

/** @brief Why consume() failed. For code_replayed it names what the first redemption issued. */
struct CodeError
{
    Error error; ///< code_unknown, code_expired, code_replayed or store_error
    QString grantId; ///< code_replayed: the grant the code belongs to
    QString familyId; ///< code_replayed: the refresh family issued from it (empty if none yet)
    QString clientId; ///< code_replayed: the client it was issued to

    [[nodiscard]] const QString &code() const { return error.code; }
};

/**
 * @brief Authorization codes, stored only as SHA-256(code).
 *
 * consume() is atomic single use (BEGIN IMMEDIATE + conditional UPDATE): two redemptions of
 * one code can never both succeed. Replay detection (RFC 6749 §4.1.2, security-cases E6): a
 * consumed code is kept for ReplayWindowSecs after its expiry, and a second redemption in
 * that window returns code_replayed with the grant and refresh family to revoke. After the
 * window the code is purged and a replay reads code_unknown (still refused, nothing revoked).
 */
class AuthorizationCodeStore
{
public:
    /** @brief How long purgeExpired() keeps a code after its expiry, consumed or not. */
    static constexpr qint64 ReplayWindowSecs = 24 * 60 * 60;

    explicit AuthorizationCodeStore(Database &db) : m_db(db) { }

    /** @brief Stores a new code (hash 32 bytes, S256 challenge 43 chars). invalid_argument, store_error. */
    [[nodiscard]] Status insert(const AuthorizationCode &code);
    /**
     * @brief Redeems a code once: returns it and marks it consumed.
     *
     * Checked in this order: unknown → code_unknown; already consumed → code_replayed (even
     * when also expired, so a late replay still revokes); expired (expires_at <= now) →
     * code_expired. Joins the caller's transaction if one is open.
     */
    [[nodiscard]] Result<AuthorizationCode, CodeError> consume(const QByteArray &codeHash, qint64 nowSecs);
    /** @brief Records the refresh family issued from a redeemed code. code_unknown. */
    [[nodiscard]] Status setFamily(const QByteArray &codeHash, const QString &familyId);
    /** @brief Reads a code without consuming it (tests, diagnostics). */
    [[nodiscard]] Result<std::optional<AuthorizationCode>> find(const QByteArray &codeHash);
    /** @brief Deletes codes that expired more than ReplayWindowSecs before @p nowSecs. */
    [[nodiscard]] Result<int> purgeExpired(qint64 nowSecs);

private:
    Database &m_db;
};

} // namespace Tessera::Store
