// SPDX-License-Identifier: GPL-3.0-or-later
#include "oauth/revocation.h"

#include "common/logging.h"
#include "crypto/hash.h"
#include "crypto/jwt.h"
#include "http/request.h"
#include "http/response.h"
#include "oauth/clientauth.h"
#include "oauth/keymanager.h"
#include "oauth/tokenendpoint.h"
#include "store/auditlog.h"
#include "store/clientstore.h"
#include "store/database.h"
#include "store/grantstore.h"
#include "store/refreshtokenstore.h"
#include "store/revokedtokenstore.h"

#include <QJsonDocument>

namespace Tessera::OAuth {

namespace {
Http::Response ok()
{
    Http::Response r = Http::Response::empty(200);
    r.withHeader("Pragma", "no-cache");
    return r;
}
} // namespace

Http::Response RevocationEndpoint::handle(const Http::Request &request)
{
    auto form = request.bodyForm();
    if (!form)
        return oauthErrorResponse(OAuthError::invalidRequest(form.error().message));
    Store::ClientStore clients(m_ctx.db);
    auto client = authenticateRequest(request, *form, clients, m_ctx.clock);
    if (!client)
        return clientAuthErrorResponse(client.error());
    const std::optional<QString> token = form->value(u"token");
    if (!token || token->isEmpty())
        return oauthErrorResponse(OAuthError::invalidRequest(QStringLiteral("token is missing.")));
    // token_type_hint is only a hint (RFC 7009 §2.1): both kinds are looked up either way.
    const QString clientId = client->client.clientId;
    const qint64 now = m_ctx.clock.nowSecs();

    auto tx = Store::Transaction::begin(m_ctx.db);
    if (!tx)
        return oauthErrorResponse(OAuthError::serverError(QStringLiteral("Try again.")));

    // A refresh token: look it up by hash.
    auto info = Store::RefreshTokenStore(m_ctx.db).findByHash(Crypto::sha256(token->toUtf8()));
    if (info && info->has_value()) {
        const Store::RefreshFamily &family = (*info)->family;
        if (family.clientId != clientId) {
            qCInfo(lcOAuth).noquote() << "client" << clientId << "tried to revoke another client's token; ignored";
            return ok();
        }
        // RFC 7009 §2.2: 200 means the token is revoked. A revocation, audit or commit that
        // failed is not that: server_error, and the client may retry.
        auto revoked = Store::GrantStore(m_ctx.db).revoke(
            family.grantId, QStringLiteral("refresh token revoked by client"), now);
        if (!revoked)
            return oauthErrorResponse(OAuthError::serverError(QStringLiteral("Try again.")));
        if (*revoked) {
            if (auto a = m_ctx.audit.append(
                    { QStringLiteral("grant.revoked"), QStringLiteral("client:") + clientId, clientId, family.resource,
                        family.grantId, QJsonObject { { QStringLiteral("reason"), QStringLiteral("rfc7009") } } });
                !a)
                return oauthErrorResponse(OAuthError::serverError(QStringLiteral("Try again.")));
        }
        if (Status s = tx->commit(); !s)
            return oauthErrorResponse(OAuthError::serverError(QStringLiteral("Try again.")));
        return ok();
    }

    // An access token: ours, signed by a published key; remember its jti until it expires.
    const auto lookup = [this](const QString &kid) { return m_ctx.keys.verificationKey(kid); };
    auto header = Crypto::verifyCompact(token->toLatin1(), lookup);
    if (header) {
        const QJsonObject claims = QJsonDocument::fromJson(header->payload).object();
        const QString jti = claims.value(QStringLiteral("jti")).toString();
        const qint64 exp = claims.value(QStringLiteral("exp")).toInteger();
        if (claims.value(QStringLiteral("iss")).toString() == m_ctx.issuer
            && claims.value(QStringLiteral("client_id")).toString() == clientId && !jti.isEmpty() && exp > now) {
            if (Status added = Store::RevokedTokenStore(m_ctx.db).add(jti, exp, now); !added)
                return oauthErrorResponse(OAuthError::serverError(QStringLiteral("Try again.")));
            if (auto a = m_ctx.audit.append({ QStringLiteral("access_token.revoked"),
                    QStringLiteral("client:") + clientId, clientId, claims.value(QStringLiteral("aud")).toString(),
                    jti.section(u'.', 0, 0), QJsonObject { { QStringLiteral("jti"), jti } } });
                !a)
                return oauthErrorResponse(OAuthError::serverError(QStringLiteral("Try again.")));
        }
    }
    if (Status s = tx->commit(); !s)
        return oauthErrorResponse(OAuthError::serverError(QStringLiteral("Try again.")));
    return ok();
}

} // namespace Tessera::OAuth
