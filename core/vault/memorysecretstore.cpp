// SPDX-License-Identifier: GPL-3.0-or-later
#include "vault/memorysecretstore.h"

#include <QMetaObject>

#include <algorithm>

namespace Tessera::Vault {

MemorySecretStore::MemorySecretStore(QObject *parent) : SecretStore(parent) { }

MemorySecretStore::~MemorySecretStore() = default;

QStringList MemorySecretStore::keys() const
{
    QStringList k = m_secrets.keys();
    std::sort(k.begin(), k.end());
    return k;
}

Status MemorySecretStore::modeError() const
{
    switch (m_mode) {
    case Mode::Available:
        return {};
    case Mode::Unavailable:
        return Error::make(QString(Errors::KeychainUnavailable),
            QStringLiteral("No keychain is available (simulated by the test keychain)."));
    case Mode::Denied:
        return Error::make(QString(Errors::AccessDenied),
            QStringLiteral("Access to the keychain was denied (simulated by the test keychain)."));
    }
    return Error::make(QString(Errors::KeychainError), QStringLiteral("The test keychain is in an unknown mode."));
}

void MemorySecretStore::later(std::function<void()> work)
{
    // Queued on this object: runs after the caller returns, in call order, and is discarded if
    // the store is destroyed first.
    QMetaObject::invokeMethod(this, std::move(work), Qt::QueuedConnection);
}

void MemorySecretStore::read(const QString &key, std::function<void(Result<QByteArray>)> done)
{
    later([this, key, done = std::move(done)] {
        if (Status valid = validateKey(key); !valid)
            return done(std::move(valid).error());
        if (Status s = modeError(); !s)
            return done(std::move(s).error());
        const auto it = m_secrets.constFind(key);
        if (it == m_secrets.constEnd())
            return done(Error::make(
                QString(Errors::NotFound), QStringLiteral("The keychain has no secret named \"%1\".").arg(key)));
        done(it.value());
    });
}

void MemorySecretStore::write(const QString &key, const QByteArray &secret, std::function<void(Status)> done)
{
    later([this, key, secret, done = std::move(done)] {
        if (Status valid = validateKey(key); !valid)
            return done(valid);
        if (Status s = modeError(); !s)
            return done(s);
        m_secrets.insert(key, secret);
        done({});
    });
}

void MemorySecretStore::remove(const QString &key, std::function<void(Status)> done)
{
    later([this, key, done = std::move(done)] {
        if (Status valid = validateKey(key); !valid)
            return done(valid);
        if (Status s = modeError(); !s)
            return done(s);
        m_secrets.remove(key);
        done({});
    });
}

void MemorySecretStore::probe(std::function<void(Status)> done)
{
    later([this, done = std::move(done)] { done(modeError()); });
}

} // namespace Tessera::Vault
