// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "oauth/servercontext.h"

#include <QHash>

namespace Tessera::Http {
struct Request;
struct Response;
} // namespace Tessera::Http

namespace Tessera::OAuth {

/**
 * @brief POST /introspect (RFC 7662) for local MCP servers that would rather ask than
 * verify JWTs themselves.
 *
 * The caller authenticates as a registered resource server with HTTP Basic
 * (`<resource name>:<introspection secret>`, §2.1); without that: 401. A token is active
 * only if it is our ES256 at+jwt, signed by a published key, unexpired, issued by us, for
 * the calling resource (no scanning other resources' tokens), its grant is still active,
 * its jti is not revoked and Tessera is not frozen. Every other answer is exactly
 * {"active":false}. Failed lookups are rate-limited per caller (§4, token scanning).
 */
class IntrospectionEndpoint
{
public:
    static constexpr int MaxInactivePerMinute = 120;

    explicit IntrospectionEndpoint(ServerContext &ctx) : m_ctx(ctx) { }
    [[nodiscard]] Http::Response handle(const Http::Request &request);

private:
    [[nodiscard]] bool overScanLimit(qint64 resourceId);
    ServerContext &m_ctx;
    QHash<qint64, QList<qint64>> m_inactive; ///< resource id -> times (ms) of inactive answers
};

} // namespace Tessera::OAuth
