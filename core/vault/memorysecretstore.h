// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "vault/secretstore.h"

#include <QHash>
#include <QStringList>

namespace Tessera::Vault {

/**
 * @brief In-memory SecretStore for tests only.
 *
 * Compiled into the core library so that tests of other areas can use it; the product never
 * constructs one. It keeps the asynchronous contract of SecretStore: every operation runs on a
 * later event-loop turn (queued on this object, so callbacks are dropped if it is destroyed), in
 * call order, and the mode in force at that moment decides its outcome. Keys are validated like
 * the real store. Nothing is written to disk.
 */
class MemorySecretStore final : public SecretStore
{
    Q_OBJECT
public:
    /** @brief What the simulated keychain does with the next operations. */
    enum class Mode
    {
        Available, /**< behaves like a working, unlocked keychain */
        Unavailable, /**< every operation fails with Errors::KeychainUnavailable */
        Denied, /**< every operation fails with Errors::AccessDenied (locked, unlock refused) */
    };
    Q_ENUM(Mode)

    explicit MemorySecretStore(QObject *parent = nullptr);
    ~MemorySecretStore() override;

    void setMode(Mode mode) { m_mode = mode; }
    [[nodiscard]] Mode mode() const { return m_mode; }

    /** @brief Synchronous look at the contents, for test assertions. */
    [[nodiscard]] bool contains(const QString &key) const { return m_secrets.contains(key); }
    /** @brief The stored keys, sorted, for test assertions. */
    [[nodiscard]] QStringList keys() const;

    void read(const QString &key, std::function<void(Result<QByteArray>)> done) override;
    void write(const QString &key, const QByteArray &secret, std::function<void(Status)> done) override;
    void remove(const QString &key, std::function<void(Status)> done) override;
    void probe(std::function<void(Status)> done) override;

private:
    [[nodiscard]] Status modeError() const;
    void later(std::function<void()> work);

    QHash<QString, QByteArray> m_secrets;
    Mode m_mode = Mode::Available;
};

} // namespace Tessera::Vault
