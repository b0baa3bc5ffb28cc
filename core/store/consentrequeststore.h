// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "store/records.h"

#include <optional>

namespace Tessera::Store {

class Database;

/**
 * @brief Consent requests: pending decisions and the record of past ones.
 *
 * The request details (client, resource, scopes, path, snapshot, times) are immutable once
 * stored, and a request is decided at most once (both enforced by triggers as well).
 */
class ConsentRequestStore
{
public:
    explicit ConsentRequestStore(Database &db) : m_db(db) { }

    /** @brief Stores a new pending request. invalid_argument; store_error on a duplicate id or unknown client. */
    [[nodiscard]] Status insert(const ConsentRequestRecord &request);
    [[nodiscard]] Result<std::optional<ConsentRequestRecord>> find(const QString &id);
    /** @brief Pending and not yet expired at @p nowSecs, oldest first; optionally of one client only. */
    [[nodiscard]] Result<QList<ConsentRequestRecord>> listPending(qint64 nowSecs, const QString &clientId = {});
    /** @brief How many requests of a client are pending and unexpired (per-client bound). */
    [[nodiscard]] Result<int> countPending(const QString &clientId, qint64 nowSecs);
    /**
     * @brief Records the decision (Approved or Denied) of a pending request.
     *
     * consent_unknown; consent_not_pending if it was already decided or expired;
     * consent_expired if it is pending but past expires_at (it is then marked expired, and
     * that change is written even though an error is returned).
     */
    [[nodiscard]] Status decide(const QString &id, ConsentStatus status, const QJsonObject &decision, qint64 nowSecs);
    /** @brief Marks pending requests past their expiry as expired; returns their ids. */
    [[nodiscard]] Result<QStringList> expirePending(qint64 nowSecs);
    /** @brief Denies every pending request (kill switch); returns their ids. */
    [[nodiscard]] Result<QStringList> denyAllPending(const QJsonObject &decision, qint64 nowSecs);

private:
    [[nodiscard]] Result<QStringList> closePending(
        bool onlyExpired, ConsentStatus status, const QJsonObject &decision, qint64 nowSecs);

    Database &m_db;
};

} // namespace Tessera::Store
