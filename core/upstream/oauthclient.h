// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "upstream/discovery.h"
#include "upstream/upstreamhttp.h"

#include <QIODevice>
#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>

/**
 * @file
 * @brief Tessera as the OAuth 2.1 client of an upstream authorization server, after Discovery:
 *
 *     register()            pre-registered id (+ secret read from stdin), else RFC 7591 DCR with
 *                           Tessera's loopback callback as the only redirect URI
 *     beginAuthorization()  the URL for the person's browser: PKCE S256, state, resource
 *                           (RFC 8707) and the challenged scope; the PendingAuthorization
 *                           (verifier, state) stays in memory only
 *     validateCallback()    state (constant-time), RFC 9207 iss, error responses, the code
 *     exchangeCode()        authorization_code grant with code_verifier and resource
 *     refresh()             refresh_token grant; a rotated refresh token replaces the old one
 *     revoke()              RFC 7009
 *
 * Everything that carries a secret (client secret, verifier, code, tokens) is held in these
 * structs and sent only in request bodies or the Authorization header, never in a URL, a log or
 * an Error. Token custody (keychain `upstream-token/<connection>`, single-flight refresh) builds
 * on TokenSet and refresh(); this file keeps nothing between calls.
 */
namespace Tessera::Upstream {

/** @brief A client registration at one authorization server (bound to its issuer, MCP SEP-2352). */
struct ClientCredentials
{
    QString issuer;
    QString clientId;
    QString clientSecret; ///< empty for public clients
    QString authMethod; ///< none, client_secret_basic or client_secret_post
};

/** @brief The state of one authorization between the browser leg and the code exchange. */
struct PendingAuthorization
{
    QUrl authorizationUrl; ///< for the person's browser; holds no secret
    QString state;
    QString codeVerifier; ///< secret
    QString redirectUri;
    QString resource;
    QString scope;
    QString issuer;
    bool issRequired = false; ///< the AS advertised RFC 9207 iss
};

/** @brief A validated token response (RFC 6749 §5.1). */
struct TokenSet
{
    QString accessToken;
    QString refreshToken; ///< empty if none was issued
    QString scope; ///< as granted (the requested scope if the response omitted it)
    qint64 expiresIn = -1; ///< seconds; -1 if the response gave none
    bool refreshTokenRotated = false; ///< refresh(): the AS issued a new refresh token
};

/** @brief Bounds of what the client accepts. */
struct ClientLimits
{
    qsizetype maxSecretBytes = 1024; ///< a pre-registered client secret on stdin
    qsizetype maxTokenChars = 16 * 1024; ///< one access or refresh token
};

class OAuthClient : public QObject
{
    Q_OBJECT
public:
    template<typename T> using Callback = std::function<void(Result<T>)>;

    OAuthClient(UpstreamHttp &http, DiscoveryResult discovery, QObject *parent = nullptr);
    OAuthClient(UpstreamHttp &http, DiscoveryResult discovery, const ClientLimits &limits, QObject *parent = nullptr);

    [[nodiscard]] const DiscoveryResult &discovery() const { return m_discovery; }
    /** @brief The RFC 8707 resource sent everywhere: the PRM's resource. */
    [[nodiscard]] QString resource() const { return m_discovery.resourceMetadata.resource; }

    /**
     * @brief A pre-registered client: @p clientId, and the secret as one line read from
     * @p secretIn (stdin; empty input means a public client). The secret must be at most
     * maxSecretBytes of printable ASCII. Errors: upstream_bad_client_id, upstream_bad_secret.
     */
    [[nodiscard]] Result<ClientCredentials> preRegistered(const QString &clientId, QIODevice &secretIn) const;

    /**
     * @brief RFC 7591 dynamic registration of a native public client whose only redirect URI is
     * @p redirectUri (Tessera's loopback callback). Errors: upstream_no_registration (no
     * registration_endpoint: use a pre-registered client id), upstream_registration_refused,
     * upstream_bad_registration.
     */
    void registerClient(const QString &redirectUri, const QString &clientName, Callback<ClientCredentials> done);

    /**
     * @brief Starts an authorization: fresh PKCE verifier (RFC 7636 §4.1, 43 chars from 32
     * random bytes) and state (256 bits). @p scope empty = discovery().scopeToRequest().
     * Errors: upstream_wrong_issuer (credentials from another AS), upstream_bad_redirect_uri.
     */
    [[nodiscard]] Result<PendingAuthorization> beginAuthorization(
        const ClientCredentials &client, const QString &redirectUri, const QString &scope = {}) const;

    /**
     * @brief Validates the redirect to Tessera's callback (@p callbackUrl with its query) and
     * returns the code. Checks, in order: parameters well-formed and unique; state equal
     * (constant-time; upstream_state_mismatch); RFC 9207 §2.4 iss: equal to the issuer when
     * present, required when the AS advertised it (upstream_iss_mismatch, upstream_iss_missing);
     * then `error` (upstream_authorization_denied / upstream_authorization_error); then `code`.
     */
    [[nodiscard]] static Result<QString> validateCallback(const PendingAuthorization &pending, const QUrl &callbackUrl);

    /** @brief authorization_code grant (OAuth 2.1 §4.1.3) with code_verifier and resource. */
    void exchangeCode(const ClientCredentials &client, const PendingAuthorization &pending, const QString &code,
        Callback<TokenSet> done);

    /**
     * @brief refresh_token grant (OAuth 2.1 §4.3) with resource and no scope (refresh never widens).
     * A response without refresh_token keeps @p refreshToken; one with a new value sets
     * refreshTokenRotated. invalid_grant is upstream_needs_sign_in.
     */
    void refresh(const ClientCredentials &client, const QString &refreshToken, Callback<TokenSet> done);

    /**
     * @brief RFC 7009 revocation of @p token (hint refresh_token or access_token). Errors:
     * upstream_revocation_unsupported (no revocation_endpoint), upstream_revocation_failed.
     */
    void revoke(
        const ClientCredentials &client, const QString &token, const QString &tokenTypeHint, Callback<void> done);

    /** @brief Parses and validates a token endpoint response (status + body). Public for tests. */
    [[nodiscard]] static Result<TokenSet> parseTokenResponse(
        const HttpResponse &response, const QString &requestedScope, const ClientLimits &limits);

private:
    void tokenRequest(const ClientCredentials &client, QList<QPair<QString, QString>> form,
        const QString &requestedScope, Callback<TokenSet> done);
    [[nodiscard]] Status checkIssuer(const ClientCredentials &client) const;

    UpstreamHttp &m_http;
    DiscoveryResult m_discovery;
    ClientLimits m_limits;
};

} // namespace Tessera::Upstream
