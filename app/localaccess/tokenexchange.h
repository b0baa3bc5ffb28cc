// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "oauth/oautherror.h"

#include <QJsonObject>
#include <QStringList>

namespace Tessera::OAuth {
class TokenEndpoint;
}

namespace Tessera::App {

/**
 * @brief Tessera talking to its own token endpoint, in process, for local clients.
 *
 * `tessera-cli token` and `exec --resource` get their tokens through exactly the code path an
 * HTTP client uses (client authentication, PKCE, rotation, reuse detection, freeze, audit):
 * the request is built as the form an HTTP client would POST to /token and handed to
 * TokenEndpoint::handle(). Nothing goes over the network, and the tokens never leave Tessera
 * except the access token returned to the caller.
 */
class TokenExchange
{
public:
    using Outcome = Result<QJsonObject, OAuth::OAuthError>;

    explicit TokenExchange(OAuth::TokenEndpoint &endpoint) : m_endpoint(endpoint) { }

    /** @brief grant_type=authorization_code (RFC 6749 §4.1.3, RFC 7636 §4.5, RFC 8707 §2.2). */
    [[nodiscard]] Outcome redeemCode(const QString &clientId, const QString &code, const QString &verifier,
        const QString &redirectUri, const QString &resource);
    /** @brief grant_type=refresh_token (RFC 6749 §6); @p scopes empty keeps the family's scopes. */
    [[nodiscard]] Outcome refresh(
        const QString &clientId, const QString &refreshToken, const QStringList &scopes, const QString &resource);

private:
    [[nodiscard]] Outcome post(const QList<QPair<QString, QString>> &form);

    OAuth::TokenEndpoint &m_endpoint;
};

} // namespace Tessera::App
