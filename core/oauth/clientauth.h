// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/formdata.h"
#include "common/result.h"
#include "oauth/oautherror.h"
#include "store/records.h"

#include <QString>

#include <optional>

/**
 * @file
 * @brief Token-endpoint client authentication (RFC 6749 §2.3; mcp-authorization §1.4).
 *
 * Three methods, decided by what the request carries:
 *
 * | request carries                                   | method              |
 * |---------------------------------------------------|---------------------|
 * | `Authorization: Basic …`                          | client_secret_basic |
 * | form `client_id` + `client_secret`                | client_secret_post  |
 * | form `client_id` only                             | none                |
 *
 * The method used must be the client's registered token_endpoint_auth_method (a confidential
 * client cannot fall back to `none`, a public one cannot add a secret; security-cases F5).
 *
 * Basic credentials (RFC 6749 §2.3.1) are `base64(urlencode(id) ":" urlencode(secret))`. The
 * TS SDK skips the form-encoding (`btoa(id:secret)`), the Python SDK does it; both are
 * accepted, and since Tessera issues identifiers and secrets from the unreserved alphabet the
 * two spellings decode to the same bytes. The Python SDK also repeats client_id in the body
 * under Basic: that is allowed when it names the same client.
 *
 * Secrets are compared as SHA-256 digests with Crypto::constantTimeEquals (security-cases H1).
 */
namespace Tessera {
class Clock;
}
namespace Tessera::Http {
struct Request;
struct Response;
} // namespace Tessera::Http
namespace Tessera::Store {
class ClientStore;
}

namespace Tessera::OAuth {

/** @brief The parts of a token, revocation or introspection request that can authenticate a client. */
struct ClientCredentials
{
    std::optional<QString> authorizationHeader; ///< raw `Authorization` header value, if present
    std::optional<QString> clientId; ///< form parameter, if present
    std::optional<QString> clientSecret; ///< form parameter, if present
};

struct AuthenticatedClient
{
    Store::Client client;
    QString method; ///< none, client_secret_basic or client_secret_post
};

/** @brief A failed client authentication. */
struct ClientAuthError
{
    OAuthError error; ///< invalid_client (401), invalid_request (400) or server_error (500)
    /**
     * RFC 6749 §5.2: when the client tried the Authorization header, the 401 MUST carry a
     * WWW-Authenticate challenge for that scheme. Set only for invalid_client after Basic.
     */
    bool basicChallenge = false;

    /** @brief The header value to send when basicChallenge is set. */
    [[nodiscard]] static QString wwwAuthenticate() { return QStringLiteral("Basic realm=\"tessera\""); }
};

/**
 * @brief Authenticates the client of a token-endpoint request.
 *
 * Errors:
 * - invalid_request: a secret both in Basic and in the body, a body client_id that differs
 *   from the Basic one, or a client_secret without a client_id (RFC 6749 §2.3: one method per
 *   request);
 * - invalid_client (401): no client_id at all, a malformed or non-Basic Authorization header,
 *   an unknown client, an expired unconsented registration, a method that is not the
 *   registered one, or a wrong secret. The description never says which, beyond "unknown";
 * - server_error (500): the store failed.
 */
[[nodiscard]] Result<AuthenticatedClient, ClientAuthError> authenticateClient(
    const ClientCredentials &credentials, Store::ClientStore &clients, const Clock &clock);

/**
 * @brief The client credentials a request carries: its one `Authorization` header (a repeated
 * one is invalid_request) and the form's `client_id` and `client_secret`.
 */
[[nodiscard]] Result<ClientCredentials, ClientAuthError> requestCredentials(
    const Http::Request &request, const FormData &form);

/**
 * @brief requestCredentials() then authenticateClient(): what /token and /revoke both do before
 * anything else. The form is the already parsed body.
 */
[[nodiscard]] Result<AuthenticatedClient, ClientAuthError> authenticateRequest(
    const Http::Request &request, const FormData &form, Store::ClientStore &clients, const Clock &clock);

/**
 * @brief The response for a failed client authentication: the OAuth error, plus
 * `WWW-Authenticate: Basic` on a 401 after Basic (RFC 6749 §5.2).
 */
[[nodiscard]] Http::Response clientAuthErrorResponse(const ClientAuthError &e);

/**
 * @brief Decodes an `Authorization: Basic` value into form-decoded (client_id, client_secret).
 *
 * Base64 (RFC 4648 §4 alphabet, nothing else allowed), split at the first ':', each part
 * percent-decoded (`+` is a space, as in application/x-www-form-urlencoded) and required to be
 * UTF-8 without control characters. nullopt for anything else, including another scheme.
 */
[[nodiscard]] std::optional<std::pair<QString, QString>> decodeBasicCredentials(const QString &headerValue);

} // namespace Tessera::OAuth
