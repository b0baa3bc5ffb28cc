// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/clock.h"
#include "common/result.h"
#include "crypto/eckey.h"

#include <QJsonObject>
#include <QMap>
#include <QObject>

#include <functional>
#include <memory>
#include <optional>

namespace Tessera::Store {
class AuditLog;
class Database;
} // namespace Tessera::Store
namespace Tessera::Vault {
class SecretStore;
}

namespace Tessera::OAuth {

/**
 * @brief Tessera's token-signing keys: ES256, private half only in the keychain.
 *
 * The database keeps each key's public JWK (for the JWKS and for verification); the private
 * key lives under `signing-key/<kid>` in the keychain and only in memory once loaded.
 *
 *     load()
 *       active key in DB? --no--> generate -> keychain write -> DB add (active)
 *           | yes
 *       keychain read signing-key/<kid>
 *           | ok ---------------> in memory, ready
 *           | not_found --------> the keychain lost it: rotate (old key stays published)
 *           | unavailable/denied -> fail closed: no key, no tokens
 *
 * Rotation keeps the previous public key in the JWKS until every token it signed has
 * expired (RFC 7517 key rollover; security-cases F8).
 */
class KeyManager : public QObject
{
    Q_OBJECT
public:
    /** The longest access-token lifetime Tessera issues; retired keys stay published this much longer. */
    static constexpr qint64 MaxTokenLifetimeSecs = 3600;

    KeyManager(Store::Database &db, Store::AuditLog &audit, Vault::SecretStore &vault, const Clock &clock,
        QObject *parent = nullptr);
    ~KeyManager() override;

    /** @brief Loads or creates the active key; @p done gets the keychain's error when it fails. */
    void load(std::function<void(Status)> done);

    /** @brief Makes a new active key; the old one stays published for MaxTokenLifetimeSecs. */
    void rotate(const QString &reason, std::function<void(Status)> done);

    [[nodiscard]] bool isReady() const { return m_active != nullptr; }
    [[nodiscard]] const Crypto::SigningKey *activeKey() const { return m_active.get(); }
    [[nodiscard]] QString activeKid() const;

    /** @brief RFC 7517 JWK Set of every published key: public members only. */
    [[nodiscard]] QJsonObject jwks() const;

    /** @brief Public key of a published kid, for verifying our own tokens (introspection). */
    [[nodiscard]] const Crypto::VerificationKey *verificationKey(const QString &kid) const;

    /** @brief Drops keys whose publication ended (JWKS and keychain). */
    void purgeRetired();

    [[nodiscard]] static QString keychainKey(const QString &kid);

Q_SIGNALS:
    void keysChanged();

private:
    void createKey(const QString &reason, std::optional<QString> retireKid, std::function<void(Status)> done);
    [[nodiscard]] Status reloadPublished();

    Store::Database &m_db;
    Store::AuditLog &m_audit;
    Vault::SecretStore &m_vault;
    const Clock &m_clock;
    std::unique_ptr<Crypto::SigningKey> m_active;
    QMap<QString, Crypto::VerificationKey> m_published;
    QMap<QString, QJsonObject> m_publishedJwks;
};

} // namespace Tessera::OAuth
