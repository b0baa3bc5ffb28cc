// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "store/records.h"

#include <optional>

namespace Tessera::Store {

class Database;

/**
 * @brief OAuth clients ("agents") and the local executables seen acting for them.
 *
 * Removing a client removes its grants (and their codes and refresh families), its consent
 * requests and its executables.
 */
class ClientStore
{
public:
    explicit ClientStore(Database &db) : m_db(db) { }

    /** @brief Stores a new client. Errors: invalid_argument, client_exists. */
    [[nodiscard]] Status insert(const Client &client);
    /** @brief Replaces the registration (name, metadata, redirect URIs, auth method, secret hash, expiry). */
    [[nodiscard]] Status update(const Client &client);
    [[nodiscard]] Result<std::optional<Client>> find(const QString &clientId);
    /** @brief client_unknown if there is no such client. */
    [[nodiscard]] Status updateLastSeen(const QString &clientId, qint64 nowSecs);
    /** @brief The person approved something for this client: it no longer expires unconsented. */
    [[nodiscard]] Status markConsented(const QString &clientId);
    /** @brief All clients, most recently seen (else registered) first. */
    [[nodiscard]] Result<QList<Client>> list();
    /** @brief Whether the client existed. */
    [[nodiscard]] Result<bool> remove(const QString &clientId);
    /** @brief Deletes never-consented registrations whose expires_at has passed; returns how many. */
    [[nodiscard]] Result<int> purgeExpiredUnconsented(qint64 nowSecs);
    /** @brief Registrations created at or after @p sinceSecs (registration rate limit). */
    [[nodiscard]] Result<int> countRegisteredSince(qint64 sinceSecs);

    /** @brief Notes that @p exePath acted for the client now (first_seen, last_seen, count). */
    [[nodiscard]] Status recordExecutable(const QString &clientId, const QString &exePath, qint64 nowSecs);
    /** @brief The executables seen for a client, most recent first. */
    [[nodiscard]] Result<QList<ClientExecutable>> executables(const QString &clientId);

private:
    Database &m_db;
};

} // namespace Tessera::Store
