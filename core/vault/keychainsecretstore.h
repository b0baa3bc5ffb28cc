// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "vault/secretstore.h"

#include <chrono>
#include <memory>

namespace Tessera::Vault {

/**
 * @brief SecretStore backed by the OS keychain through QtKeychain (on Linux: the freedesktop
 * Secret Service, i.e. GNOME Keyring or KWallet, over D-Bus).
 *
 * Fail-closed rules (security-cases.md H3):
 *   - every QtKeychain job has insecureFallback() == false (asserted, and checked at run time),
 *     and its plaintext QSettings is pointed at a path that can never be read or written, so
 *     QtKeychain's KWallet "migration" of plaintext entries cannot fire either;
 *   - before each batch of jobs a D-Bus check makes sure org.freedesktop.secrets is owned or
 *     activatable; otherwise the operation fails at once with Errors::KeychainUnavailable
 *     (QtKeychain itself would only say "OtherError");
 *   - a read that QtKeychain reports as "not found" is double-checked with SearchItems: a locked
 *     item (unlock prompt refused or impossible) is Errors::AccessDenied, never Errors::NotFound;
 *     a remove that leaves a locked item behind is Errors::AccessDenied too;
 *   - every operation is bounded by timeout() (default 60 s), after which it fails with
 *     Errors::KeychainUnavailable. QtKeychain runs one job at a time process-wide, so a job stuck
 *     on an unanswered unlock prompt delays later ones until they time out as well.
 *
 * Jobs are deliberately not parented to the store: deleting a QtKeychain 0.13.2 job while
 * libsecret is still working on it is a use-after-free. If the store dies first, its callbacks
 * are dropped and the jobs finish and delete themselves.
 */
class KeychainSecretStore final : public SecretStore
{
    Q_OBJECT
public:
    /** @brief The keychain service name the product uses; tests pass unique names. */
    static constexpr QLatin1String ProductService { "org.tessera.Tessera" };
    static constexpr std::chrono::milliseconds DefaultTimeout { 60'000 };

    /** @param service keychain "service": the namespace the keys live in (must not be empty). */
    explicit KeychainSecretStore(const QString &service, QObject *parent = nullptr);
    ~KeychainSecretStore() override;

    [[nodiscard]] QString service() const;

    /**
     * @brief Upper bound for each operation, from the call to the callback.
     *
     * A timed-out job cannot be cancelled: a write or remove reported as timed out may still
     * take effect once the keychain answers.
     */
    void setTimeout(std::chrono::milliseconds timeout);
    [[nodiscard]] std::chrono::milliseconds timeout() const;

    void read(const QString &key, std::function<void(Result<QByteArray>)> done) override;
    void write(const QString &key, const QByteArray &secret, std::function<void(Status)> done) override;
    void remove(const QString &key, std::function<void(Status)> done) override;
    /** @brief Reads a key that is never written: Errors::NotFound there means the keychain works. */
    void probe(std::function<void(Status)> done) override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Tessera::Vault
