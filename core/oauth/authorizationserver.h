// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "http/httplimits.h"
#include "oauth/clientregistration.h"
#include "oauth/grantservice.h"
#include "oauth/introspection.h"
#include "oauth/revocation.h"
#include "oauth/servercontext.h"
#include "oauth/tokenendpoint.h"

#include <QObject>

class QTimer;

namespace Tessera::Http {
class LoopbackServer;
}

namespace Tessera::OAuth {

class GroupCommit;

class AuthorizeEndpoint;
class CimdFetcher;

/**
 * @brief Tessera's OAuth 2.1 authorization server on loopback: the routes and their endpoints.
 *
 * | route                                         | what                          |
 * |-----------------------------------------------|-------------------------------|
 * | GET  /.well-known/oauth-authorization-server  | RFC 8414 metadata (public)    |
 * | GET  /jwks                                    | RFC 7517 key set (public)     |
 * | POST /register                                | RFC 7591 dynamic registration |
 * | GET  /authorize, GET /authorize/wait          | authorization (navigation only, no CORS) |
 * | POST /token                                   | codes and refresh tokens      |
 * | POST /revoke                                  | RFC 7009                      |
 * | POST /introspect                              | RFC 7662 (resource servers)   |
 *
 * CORS (for browser-based clients): metadata and JWKS are public (`*`, no credentials);
 * /token, /register and /revoke answer CORS, preflight included, only for the origins of
 * setCorsAllowedOrigins() (none by default); /authorize never (RFC 9700 §2.6); /introspect is
 * for resource servers, not browsers. Any other Origin on a route is refused with 403.
 *
 * Everything else (Host and Origin gates, limits, framing) is core/http's job.
 */
class AuthorizationServer : public QObject
{
    Q_OBJECT
public:
    AuthorizationServer(ServerContext ctx, QObject *parent = nullptr);
    ~AuthorizationServer() override;

    /** @brief Binds 127.0.0.1:@p port; fails closed (no other port) if it is taken. */
    [[nodiscard]] Status start(quint16 port);
    void stop();
    [[nodiscard]] quint16 port() const;

    /**
     * @brief Web origins whose pages may call /token, /register and /revoke (CORS with preflight);
     * empty by default, and empty means no cross-origin access at all. Takes effect at once, also
     * while running. Each entry is a serialized origin as a browser sends it: `https://host[:port]`,
     * or `http://` on a loopback host (`http://localhost:6274`, `http://127.0.0.1:6274`,
     * `http://[::1]:6274`): no path, no default port, lower case. Errors ("invalid_origin", naming
     * the entry) leave the previous list in force.
     */
    [[nodiscard]] Status setCorsAllowedOrigins(const QStringList &origins);
    [[nodiscard]] const QStringList &corsAllowedOrigins() const { return m_corsOrigins; }

    /** @brief Tests only: accept port 0 (the product always has a fixed port). */
    void setAllowEphemeralPortForTesting(bool allowed) { m_allowEphemeral = allowed; }
    /** @brief Tests only: other HTTP limits (short timeouts) from the next start(); the product keeps the defaults. */
    void setHttpLimitsForTesting(const Http::HttpLimits &limits) { m_httpLimits = limits; }

    [[nodiscard]] GrantService &grants() { return m_grants; }
    /**
     * @brief When the last access token issued expires (seconds; 0 when none can still be
     * valid). After a restart, an upper bound from the audit log: the last issuance plus the
     * longest token lifetime there is (R11).
     */
    [[nodiscard]] qint64 lastAccessTokenExpiresAt() const;
    [[nodiscard]] ClientRegistration &registration() { return m_registration; }
    [[nodiscard]] AuthorizeEndpoint &authorizeEndpoint() { return *m_authorize; }
    [[nodiscard]] TokenEndpoint &tokenEndpoint() { return m_token; }
    [[nodiscard]] CimdFetcher &cimd() { return *m_cimd; }
    [[nodiscard]] const ServerContext &context() const { return m_ctx; }

    /** @brief Purges what has expired (codes, tokens, registrations, retired keys). Runs every minute. */
    void maintain();

private:
    [[nodiscard]] Status addRoutes();

    ServerContext m_ctx;
    GrantService m_grants;
    ClientRegistration m_registration;
    TokenEndpoint m_token;
    RevocationEndpoint m_revocation;
    IntrospectionEndpoint m_introspection;
    CimdFetcher *m_cimd;
    AuthorizeEndpoint *m_authorize;
    GroupCommit *m_tokenBatch; ///< /token requests, committed together per event-loop pass
    Http::LoopbackServer *m_http = nullptr;
    QTimer *m_maintenance;
    bool m_allowEphemeral = false;
    Http::HttpLimits m_httpLimits;
    QStringList m_corsOrigins;
};

} // namespace Tessera::OAuth
