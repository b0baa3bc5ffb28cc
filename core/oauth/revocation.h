// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "oauth/servercontext.h"

namespace Tessera::Http {
struct Request;
struct Response;
} // namespace Tessera::Http

namespace Tessera::OAuth {

/**
 * @brief POST /revoke (RFC 7009).
 *
 * The client authenticates as at /token. A refresh token revokes its grant, and with it
 * every token of the grant (RFC 7009 §2.1: "SHOULD also invalidate all access tokens based
 * on the same authorization grant"). An access token (our JWT) is remembered as revoked
 * until it expires, so introspection says inactive; its refresh token stays valid. Unknown,
 * garbage, already revoked tokens and another client's tokens all get 200 with no effect
 * (§2.2), so the endpoint tells a prober nothing.
 */
class RevocationEndpoint
{
public:
    explicit RevocationEndpoint(ServerContext &ctx) : m_ctx(ctx) { }
    [[nodiscard]] Http::Response handle(const Http::Request &request);

private:
    ServerContext &m_ctx;
};

} // namespace Tessera::OAuth
