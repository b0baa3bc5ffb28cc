// SPDX-License-Identifier: GPL-3.0-or-later
#include "oauth/keymanager.h"

#include "common/logging.h"
#include "store/auditlog.h"
#include "store/database.h"
#include "store/signingkeystore.h"
#include "vault/secretstore.h"

#include <QJsonArray>
#include <QPointer>

namespace Tessera::OAuth {

KeyManager::KeyManager(
    Store::Database &db, Store::AuditLog &audit, Vault::SecretStore &vault, const Clock &clock, QObject *parent)
    : QObject(parent), m_db(db), m_audit(audit), m_vault(vault), m_clock(clock)
{ }

KeyManager::~KeyManager() = default;

QString KeyManager::keychainKey(const QString &kid)
{
    return QStringLiteral("signing-key/") + kid;
}

QString KeyManager::activeKid() const
{
    return m_active ? m_active->kid() : QString();
}

void KeyManager::load(std::function<void(Status)> done)
{
    auto active = Store::SigningKeyStore(m_db).active();
    if (!active) {
        done(active.error());
        return;
    }
    if (!active->has_value()) {
        createKey(QStringLiteral("first start"), std::nullopt, std::move(done));
        return;
    }
    const QString kid = (*active)->kid;
    QPointer<KeyManager> self(this);
    m_vault.read(keychainKey(kid), [self, kid, done = std::move(done)](Result<QByteArray> secret) mutable {
        if (!self)
            return;
        if (!secret) {
            if (secret.error().code == QLatin1String(Vault::Errors::NotFound)) {
                // The keychain works but no longer has our key (reset, new login keyring).
                // Tokens it signed stay verifiable through the published public key.
                qCWarning(lcOAuth).noquote()
                    << "signing key" << kid << "is missing from the keychain; making a new one";
                self->createKey(QStringLiteral("key missing from keychain"), kid, std::move(done));
                return;
            }
            done(secret.error()); // fail closed
            return;
        }
        auto key = Crypto::SigningKey::fromPkcs8Der(*secret);
        if (!key || key->kid() != kid) {
            done(Error::make(QStringLiteral("signing_key_corrupt"),
                QStringLiteral("The signing key in the keychain does not match its public key; refusing to use it.")));
            return;
        }
        self->m_active = std::make_unique<Crypto::SigningKey>(std::move(*key));
        if (Status s = self->reloadPublished(); !s) {
            done(s);
            return;
        }
        qCInfo(lcOAuth).noquote() << "signing key" << kid << "loaded from the keychain";
        Q_EMIT self->keysChanged();
        done({});
    });
}

void KeyManager::rotate(const QString &reason, std::function<void(Status)> done)
{
    createKey(reason, m_active ? std::optional<QString>(m_active->kid()) : std::nullopt, std::move(done));
}

void KeyManager::createKey(const QString &reason, std::optional<QString> retireKid, std::function<void(Status)> done)
{
    auto generated = Crypto::SigningKey::generate();
    if (!generated) {
        done(generated.error());
        return;
    }
    auto key = std::make_shared<Crypto::SigningKey>(std::move(*generated));
    const QString kid = key->kid();
    QPointer<KeyManager> self(this);
    // Keychain first, database second: a crash in between leaves an unused keychain item,
    // never a published key whose private half is nowhere.
    m_vault.write(keychainKey(kid), key->toPkcs8Der(),
        [self, key, kid, reason, retireKid, done = std::move(done)](Status written) {
            if (!self)
                return;
            if (!written) {
                done(written);
                return;
            }
            const qint64 now = self->m_clock.nowSecs();
            auto tx = Store::Transaction::begin(self->m_db);
            if (!tx) {
                done(tx.error());
                return;
            }
            Store::SigningKeyStore keys(self->m_db);
            if (retireKid) {
                if (Status s = keys.retire(*retireKid, now + MaxTokenLifetimeSecs + 60, now); !s) {
                    done(s);
                    return;
                }
            }
            Store::SigningKeyRecord record;
            record.kid = kid;
            record.publicJwk = key->publicJwk();
            record.createdAt = now;
            if (Status s = keys.add(record); !s) {
                done(s);
                return;
            }
            QJsonObject details { { QStringLiteral("kid"), kid }, { QStringLiteral("reason"), reason } };
            if (retireKid)
                details.insert(QStringLiteral("retired"), *retireKid);
            if (auto a = self->m_audit.append(
                    { QStringLiteral("signing_key.created"), QStringLiteral("system"), {}, {}, {}, details });
                !a) {
                done(a.error());
                return;
            }
            if (Status s = tx->commit(); !s) {
                done(s);
                return;
            }
            self->m_active = std::make_unique<Crypto::SigningKey>(std::move(*key));
            if (Status s = self->reloadPublished(); !s) {
                done(s);
                return;
            }
            qCInfo(lcOAuth).noquote() << "signing key" << kid << "created (" << reason << ")";
            Q_EMIT self->keysChanged();
            done({});
        });
}

Status KeyManager::reloadPublished()
{
    auto published = Store::SigningKeyStore(m_db).listPublished(m_clock.nowSecs());
    if (!published)
        return published.error();
    QMap<QString, Crypto::VerificationKey> keys;
    QMap<QString, QJsonObject> jwks;
    for (const Store::SigningKeyRecord &r : *published) {
        auto vk = Crypto::VerificationKey::fromJwk(r.publicJwk);
        if (!vk || vk->kid() != r.kid) {
            qCWarning(lcOAuth).noquote() << "stored public key" << r.kid << "is invalid; not publishing it";
            continue;
        }
        jwks.insert(r.kid, vk->publicJwk());
        keys.insert(r.kid, std::move(*vk));
    }
    m_published = std::move(keys);
    m_publishedJwks = std::move(jwks);
    return {};
}

QJsonObject KeyManager::jwks() const
{
    QJsonArray keys;
    // Newest (active) first: some verifiers try keys in order when kid is absent.
    if (m_active && m_publishedJwks.contains(m_active->kid()))
        keys.append(m_publishedJwks.value(m_active->kid()));
    for (auto it = m_publishedJwks.cbegin(); it != m_publishedJwks.cend(); ++it) {
        if (!m_active || it.key() != m_active->kid())
            keys.append(it.value());
    }
    return QJsonObject { { QStringLiteral("keys"), keys } };
}

const Crypto::VerificationKey *KeyManager::verificationKey(const QString &kid) const
{
    const auto it = m_published.constFind(kid);
    return it == m_published.constEnd() ? nullptr : &it.value();
}

void KeyManager::purgeRetired()
{
    auto all = Store::SigningKeyStore(m_db).list();
    if (!all)
        return;
    const qint64 now = m_clock.nowSecs();
    for (const Store::SigningKeyRecord &r : *all) {
        if (r.state == Store::SigningKeyState::Retired && r.publishUntil && *r.publishUntil <= now)
            m_vault.remove(keychainKey(r.kid), [](Status) {});
    }
    (void)reloadPublished();
    Q_EMIT keysChanged();
}

} // namespace Tessera::OAuth
