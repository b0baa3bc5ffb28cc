// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "store/records.h"

#include <optional>

namespace Tessera::Store {

class Database;

/**
 * @brief Public halves of the token-signing keys, for the JWKS (private keys stay in the keychain).
 *
 * At most one key is active (used for signing). A retired key stays published until its
 * publish_until, i.e. until the last token it signed has expired (security-cases F8).
 * Rotation: in one transaction, retire() the old key, then add() the new one.
 */
class SigningKeyStore
{
public:
    explicit SigningKeyStore(Database &db) : m_db(db) { }

    /** @brief The JWK members that must never be stored or published (RFC 7517/7518 private parts). */
    [[nodiscard]] static const QStringList &privateJwkMembers();

    /**
     * @brief Stores a new active key. private_key_material if the JWK has a private member
     * (d, p, q, dp, dq, qi, oth, k); signing_key_exists for a duplicate kid; store_error if another
     * key is still active.
     */
    [[nodiscard]] Status add(const SigningKeyRecord &key);
    [[nodiscard]] Result<std::optional<SigningKeyRecord>> find(const QString &kid);
    /** @brief The key to sign with, if any. */
    [[nodiscard]] Result<std::optional<SigningKeyRecord>> active();
    /** @brief All keys, newest first. */
    [[nodiscard]] Result<QList<SigningKeyRecord>> list();
    /** @brief What the JWKS serves: the active key and retired keys with publish_until > now. */
    [[nodiscard]] Result<QList<SigningKeyRecord>> listPublished(qint64 nowSecs);
    /** @brief Stops signing with @p kid; it stays published until @p publishUntil. signing_key_unknown. */
    [[nodiscard]] Status retire(const QString &kid, qint64 publishUntil, qint64 nowSecs);

private:
    Database &m_db;
};

} // namespace Tessera::Store
