// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "upstream/upstreamhttp.h"

#include <QByteArrayView>
#include <QList>
#include <QObject>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <optional>

/**
 * @file
 * @brief Client-side discovery of an upstream MCP server's authorization server, in the MCP
 * authorization spec's order (2026-07-28 "Authorization Server Discovery"):
 *
 *     POST <mcp url> (initialize, no token) -> 401 + WWW-Authenticate: Bearer resource_metadata=..., scope=...
 *     PRM (RFC 9728): the challenge's resource_metadata if given, else
 *         <origin>/.well-known/oauth-protected-resource<path>, then <origin>/.well-known/oauth-protected-resource
 *     AS metadata for authorization_servers[0], first 200 wins, 4xx tries the next, anything else stops:
 *         issuer with path /t:  /.well-known/oauth-authorization-server/t,
 *                               /.well-known/openid-configuration/t,
 *                               /t/.well-known/openid-configuration
 *         issuer without path:  /.well-known/oauth-authorization-server, /.well-known/openid-configuration
 *
 * Every document is parsed with parseStrictJson and validated (see the validate* functions);
 * every URL in it must pass checkTransport (https, or http on loopback).
 */
namespace Tessera::Upstream {

/** @brief One challenge of a WWW-Authenticate field (RFC 9110 §11.6.1). */
struct Challenge
{
    QString scheme; ///< as sent; compare case-insensitively (RFC 9110 §11.1)
    QString token68; ///< the token68 form, if used instead of parameters
    QList<QPair<QString, QString>> params; ///< names lower-cased, values unquoted

    /** @brief The value of parameter @p name (lower case), if present. */
    [[nodiscard]] std::optional<QString> param(QStringView name) const;
};

/**
 * @brief Parses WWW-Authenticate field values (each element of @p fields one field line) into
 * challenges: `#challenge`, `challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]`,
 * `auth-param = token BWS "=" BWS ( token / quoted-string )` (RFC 9110 §11.6.1, §5.6); unquoted
 * values may hold any visible character but `,` and `"` (servers send `scope=files:read`).
 * quoted-pair escapes are undone. Errors (`upstream_bad_challenge`): syntax, an unterminated
 * quoted string, a parameter repeated in one challenge (RFC 9110 §11.2: MUST occur once), more
 * than 16 challenges or 32 parameters, a field over 8 KiB.
 */
[[nodiscard]] Result<QList<Challenge>> parseWwwAuthenticate(const QList<QByteArray> &fields);

/** @brief What the Bearer challenge (RFC 6750 §3) of a 401/403 says. */
struct BearerChallenge
{
    QUrl resourceMetadata; ///< RFC 9728 §5.1; empty if absent
    QString scope; ///< RFC 6750 §3; empty if absent
    QString error; ///< e.g. invalid_token, insufficient_scope
};

/**
 * @brief The first Bearer challenge among @p challenges (scheme compared case-insensitively),
 * or nullopt. A resource_metadata that is not an absolute URL is an error (upstream_bad_challenge).
 */
[[nodiscard]] Result<std::optional<BearerChallenge>> findBearerChallenge(const QList<Challenge> &challenges);

/** @brief RFC 9728 §3.1 well-known URLs for @p resource, path-inserted first, then the root (MCP ASD). */
[[nodiscard]] QList<QUrl> protectedResourceMetadataUrls(const QUrl &resource);

/** @brief RFC 8414 §3.1 then OpenID Connect Discovery 1.0 §4 URLs for @p issuer, in the MCP spec's order. */
[[nodiscard]] QList<QUrl> authorizationServerMetadataUrls(const QUrl &issuer);

/** @brief RFC 9728 §2 protected-resource metadata, as validated. */
struct ProtectedResourceMetadata
{
    QString resource;
    QStringList authorizationServers;
    QStringList scopesSupported;
};

/**
 * @brief Validates RFC 9728 metadata fetched for the MCP server at @p mcpUrl.
 *
 * `resource` is required and must identify @p mcpUrl (RFC 9728 §3.3; MCP 2026-07-28: clients
 * MUST validate it): equal after lower-casing scheme and host and dropping a lone trailing `/`,
 * or the same origin with a path that is a whole-segment prefix of the MCP URL's path.
 * `authorization_servers` must hold at least one URL (MCP ASD: MUST), each passing checkTransport.
 * Error code `upstream_bad_resource_metadata` or `upstream_resource_mismatch`.
 */
[[nodiscard]] Result<ProtectedResourceMetadata> validateProtectedResourceMetadata(
    QByteArrayView body, const QUrl &mcpUrl);

/** @brief RFC 8414 §2 metadata, as validated; URLs already passed checkTransport. */
struct AuthorizationServerMetadata
{
    QString issuer;
    QUrl authorizationEndpoint;
    QUrl tokenEndpoint;
    QUrl registrationEndpoint; ///< empty: no DCR
    QUrl revocationEndpoint; ///< empty: no RFC 7009
    QStringList scopesSupported;
    QStringList tokenEndpointAuthMethods; ///< empty: RFC 8414 default client_secret_basic
    QStringList grantTypes; ///< empty: RFC 8414 default authorization_code, implicit
    bool issParameterSupported = false; ///< RFC 9207 §3 authorization_response_iss_parameter_supported
    bool clientIdMetadataDocumentSupported = false;
};

/**
 * @brief Validates AS metadata that was fetched for @p expectedIssuer.
 *
 * - `issuer` must equal @p expectedIssuer exactly (RFC 8414 §3.3: "MUST be identical", simple
 *   string comparison; a mix-up defence) — code `upstream_issuer_mismatch`;
 * - `authorization_endpoint` and `token_endpoint` present, absolute, passing checkTransport;
 * - `response_types_supported` includes `code`;
 * - `code_challenge_methods_supported` present and including `S256` (MCP 2026-07-28
 *   "Authorization Code Protection": clients MUST refuse to proceed otherwise) — code
 *   `upstream_no_pkce`;
 * - optional endpoints, if present, pass checkTransport; optional lists are arrays of strings.
 * Other failures: `upstream_bad_as_metadata`.
 */
[[nodiscard]] Result<AuthorizationServerMetadata> validateAuthorizationServerMetadata(
    QByteArrayView body, const QString &expectedIssuer);

/** @brief Everything discovery found, ready for OAuthClient. */
struct DiscoveryResult
{
    QUrl mcpUrl;
    QUrl resourceMetadataUrl; ///< where the PRM came from
    ProtectedResourceMetadata resourceMetadata;
    AuthorizationServerMetadata serverMetadata;
    QUrl serverMetadataUrl; ///< which well-known URL answered
    QString challengedScope; ///< scope of the 401 challenge, empty if none

    /**
     * @brief The scope to request (MCP 2026-07-28 "Scope Selection Strategy"): the challenge's
     * scope, else every PRM scopes_supported, else empty (omit the parameter).
     */
    [[nodiscard]] QString scopeToRequest() const;
};

class Discovery : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(Result<DiscoveryResult>)>;

    /** @brief The MCP protocol revision sent on discovery requests (MCP-Protocol-Version). */
    static constexpr auto ProtocolVersion = "2025-11-25";

    explicit Discovery(UpstreamHttp &http, QObject *parent = nullptr);

    /**
     * @brief Runs discovery for the MCP server at @p mcpUrl; @p done is called once, later.
     *
     * Errors (each message names a fix): upstream_not_protected (the server answered without
     * asking for a token: it needs no OAuth, use a bearer or plain connection),
     * upstream_no_resource_metadata (neither the challenge nor the well-knowns gave RFC 9728
     * metadata), upstream_no_as_metadata (no well-known URL of the AS answered 200),
     * upstream_http_error (an unexpected status), and those of the validators and of UpstreamHttp.
     */
    void discover(const QUrl &mcpUrl, Callback done);

private:
    UpstreamHttp &m_http;
};

} // namespace Tessera::Upstream
