// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/clock.h"

#include <QString>

namespace Tessera::Store {
class AuditLog;
class Database;
} // namespace Tessera::Store
namespace Tessera::Consent {
class ConsentBroker;
}

namespace Tessera::OAuth {

class KeyManager;

/** @brief What every endpoint of the authorization server shares. Owned by Application. */
struct ServerContext
{
    Store::Database &db;
    Store::AuditLog &audit; ///< the one AuditLog of db
    const Clock &clock;
    KeyManager &keys;
    Consent::ConsentBroker &broker;
    QString issuer; ///< http://127.0.0.1:<port>, no trailing slash, byte-identical everywhere
    QString subject; ///< "sub" of every token: the local user this Tessera serves
    /**
     * @brief The latest `exp` of any access token issued (seconds; 0: none known). Freeze stops
     * issuance, but a JWT already out keeps working at servers that validate it themselves
     * until then (issue 9, R11): the frozen banner and `tessera-cli freeze` say so.
     */
    qint64 lastAccessTokenExpiresAt = 0;

    /** Authorization codes live this long (RFC 6749 §4.1.2 allows 10 min; FAPI tests 60 s). */
    static constexpr qint64 CodeLifetimeSecs = 60;
    /** Refresh tokens of until-revoked grants expire after this much idleness. */
    static constexpr qint64 IdleRefreshLifetimeSecs = 30 * 86400;
    /** Two refreshes with the same token this close together get the same answer (no fork). */
    static constexpr qint64 RefreshRetryWindowMs = 2000;
};

} // namespace Tessera::OAuth
