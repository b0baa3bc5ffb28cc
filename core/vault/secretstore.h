// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QLatin1String>
#include <QObject>
#include <QString>

#include <functional>

namespace Tessera::Vault {

/**
 * @brief Stable error codes of every SecretStore (Tessera::Error::code).
 *
 * Callers branch on these; the message beside them is a sentence for a person.
 */
namespace Errors {
/** The keychain works, and no secret is stored under the key. */
inline constexpr QLatin1String NotFound { "not_found" };
/** No keychain can be reached (no Secret Service, no D-Bus session, no backend, or it did not answer in time). */
inline constexpr QLatin1String KeychainUnavailable { "keychain_unavailable" };
/** The keychain is there but refused: it is locked and could not be unlocked, or the person denied access. */
inline constexpr QLatin1String AccessDenied { "access_denied" };
/** The keychain failed in some other way; the message says what it reported. */
inline constexpr QLatin1String KeychainError { "keychain_error" };
/** The key breaks the naming rule (see SecretStore::validateKey); nothing was sent to the keychain. */
inline constexpr QLatin1String InvalidKey { "invalid_key" };
} // namespace Errors

/**
 * @brief Asynchronous access to secrets kept in the OS keychain.
 *
 * Keys name their kind (product.md "Names and places"):
 *   - `signing-key/<kid>`                 a token-signing key
 *   - `secret/<name>`                     an upstream credential handed to tools after consent
 *   - `client-token/<client>/<resource>`  a cached token for one client and resource
 * `<kid>`, `<name>` and `<client>` are non-empty and contain no `/`; `<resource>` is non-empty and
 * may contain `/` (it is usually a URL). A key is printable ASCII without spaces (0x21-0x7E) and at
 * most 512 characters long. Anything else fails with Errors::InvalidKey.
 *
 * Semantics shared by every implementation:
 *   - Use a store from the thread it lives in (it relies on that thread's event loop).
 *   - Nothing blocks the event loop. Each call returns at once; its callback runs later from the
 *     event loop, never from inside the call (no re-entrancy).
 *   - While the store lives, each callback is invoked exactly once: with the result, or with an
 *     error (a bounded timeout included). If the store is destroyed first, pending callbacks are
 *     dropped and never invoked; an operation already handed to the keychain may still complete.
 *   - Operations take effect in call order: a read issued after a write sees that write.
 *   - remove() of a key that has no secret succeeds (the postcondition "no secret" holds).
 *   - Secrets are arbitrary bytes (NUL and 0xFF included); an empty secret is a valid value.
 *   - Fail closed: a store never falls back to plain files or settings, and never reports
 *     Errors::NotFound for a secret it could not check (a locked item is Errors::AccessDenied).
 *
 * Tests wait with QSignalSpy or QTRY_*; the product has no blocking convenience on purpose.
 */
class SecretStore : public QObject
{
    Q_OBJECT
public:
    /** @brief Longest valid key, in characters. */
    static constexpr qsizetype MaxKeyLength = 512;

    explicit SecretStore(QObject *parent = nullptr);
    ~SecretStore() override;

    /** @brief Reads the secret stored under @p key. */
    virtual void read(const QString &key, std::function<void(Result<QByteArray>)> done) = 0;
    /** @brief Stores @p secret under @p key, replacing any previous value. */
    virtual void write(const QString &key, const QByteArray &secret, std::function<void(Status)> done) = 0;
    /** @brief Deletes the secret under @p key; succeeds if there was none. */
    virtual void remove(const QString &key, std::function<void(Status)> done) = 0;
    /**
     * @brief Cheap start-up check that the keychain can be used.
     *
     * Succeeds when the keychain answers (a locked keychain passes: the unlock prompt appears on
     * first real access); fails with Errors::KeychainUnavailable or Errors::AccessDenied otherwise.
     */
    virtual void probe(std::function<void(Status)> done) = 0;

    /** @brief Checks @p key against the naming rule above; the error code is Errors::InvalidKey. */
    [[nodiscard]] static Status validateKey(const QString &key);
};

} // namespace Tessera::Vault
