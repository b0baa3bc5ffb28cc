// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/formdata.h"
#include "oauth/clientauth.h"
#include "oauth/oautherror.h"
#include "oauth/servercontext.h"
#include "store/records.h"

#include <QHash>
#include <QJsonObject>

#include <deque>

namespace Tessera::Http {
struct Request;
struct Response;
} // namespace Tessera::Http

namespace Tessera::OAuth {

/** @brief A freshly signed access token (RFC 9068) and what the response says about it. */
struct MintedAccessToken
{
    QByteArray jwt;
    QString jti;
    qint64 expiresAt = 0;
    qint64 expiresIn = 0;
    QStringList scopes; ///< what the token carries: the requested scopes still in force (R10)
};

/**
 * @brief POST /token (RFC 6749 §3.2, §4.1.3, §6; OAuth 2.1 §4.1.3, §4.3; RFC 8707 §2.2).
 *
 * authorization_code: the code must exist and be unexpired, and be bound to this client,
 * this redirect URI, this PKCE verifier (S256 only) and this resource. Those checks run
 * before the code is consumed, so a wrong verifier does not burn the code; consumption is
 * then atomic, and a second redemption revokes the grant the code created (RFC 6749 §4.1.2).
 *
 * refresh_token: rotation on every use. The old token stays usable until its successor is
 * first used (at most RefreshTokenStore::GraceSecs), persisted, so that an answer lost to a
 * crash, a restart or a client's timeout does not cost the grant: a retry gets a fresh
 * successor and the unused one is retired. Presenting a retired token (the predecessor after
 * its successor was used, or a retired successor) revokes the family and its grant
 * (RFC 9700 §4.14.2). Scope may narrow, never widen; the resource must be the family's.
 * Concurrent refreshes: the same token presented again by the same client within
 * RefreshRetryWindowMs gets the identical response (same new tokens) while that successor is
 * unused, so a client without single-flight keeps the token it saves; this in-memory replay
 * wins over the grace. While Tessera is frozen every grant answers temporarily_unavailable and
 * nothing changes, so tokens resume when it is unfrozen.
 *
 * Every response has Cache-Control: no-store and Pragma: no-cache and always says `scope`.
 */
class TokenEndpoint
{
public:
    explicit TokenEndpoint(ServerContext &ctx) : m_ctx(ctx) { }

    [[nodiscard]] Http::Response handle(const Http::Request &request);

    /** @brief Forgets every cached retry answer (after a rollback made them untrue). */
    void forgetRetries();

    /** @brief Signs an access token for @p grant; lifetime capped by the grant's own expiry. */
    [[nodiscard]] Result<MintedAccessToken> mintAccessToken(
        const Store::Grant &grant, const QString &resourceUri, qint64 lifetimeSecs, const QStringList &scopes);

    /** @brief Whether the client registered the grant type (RFC 7591 §2 grant_types; default authorization_code). */
    [[nodiscard]] static bool clientAllows(const Store::Client &client, const QString &grantType);

private:
    using Outcome = Result<QJsonObject, OAuthError>;
    [[nodiscard]] Outcome authorizationCode(const FormData &form, const AuthenticatedClient &client);
    [[nodiscard]] Outcome refresh(const FormData &form, const AuthenticatedClient &client);
    [[nodiscard]] Result<std::pair<QString, QByteArray>> newRefreshToken() const;
    void forgetOldRetries();

    ServerContext &m_ctx;
    struct RecentRefresh
    {
        QJsonObject response;
        qint64 atMs = 0;
        QString clientId;
        QByteArray successorHash; ///< the refresh token this answer handed out
    };
    QHash<QByteArray, RecentRefresh> m_recentRefresh; ///< old token hash -> answer, for the retry window
    struct RetryOrder
    {
        QByteArray oldHash;
        qint64 atMs = 0;
    };
    std::deque<RetryOrder> m_retryOrder; ///< m_recentRefresh's keys, oldest first: expiry without a scan
};

} // namespace Tessera::OAuth
