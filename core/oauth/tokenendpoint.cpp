// SPDX-License-Identifier: GPL-3.0-or-later
#include "oauth/tokenendpoint.h"

#include "common/logging.h"
#include "consent/consentbroker.h"
#include "crypto/hash.h"
#include "crypto/jwt.h"
#include "crypto/pkce.h"
#include "crypto/random.h"
#include "http/request.h"
#include "http/response.h"
#include "oauth/canonical.h"
#include "oauth/keymanager.h"
#include "store/auditlog.h"
#include "store/authorizationcodestore.h"
#include "store/clientstore.h"
#include "store/database.h"
#include "store/grantstore.h"
#include "store/refreshtokenstore.h"
#include "store/resourcestore.h"

#include <QJsonArray>

namespace Tessera::OAuth {

namespace {

OAuthError storeFailure(const Error &e)
{
    return OAuthError::serverError(QStringLiteral("Tessera could not record this request; try again."))
        .withDebug(e.code + QStringLiteral(": ") + e.message);
}

QJsonObject tokenResponse(const MintedAccessToken &at, const QStringList &scopes, const QString &refreshToken)
{
    // RFC 6749 §5.1; scope always present (mcp-authorization.md §0.2 item 10).
    QJsonObject o {
        { QStringLiteral("access_token"), QString::fromLatin1(at.jwt) },
        { QStringLiteral("token_type"), QStringLiteral("Bearer") },
        { QStringLiteral("expires_in"), at.expiresIn },
        { QStringLiteral("scope"), scopes.join(u' ') },
    };
    if (!refreshToken.isEmpty())
        o.insert(QStringLiteral("refresh_token"), refreshToken);
    return o;
}

} // namespace

bool TokenEndpoint::clientAllows(const Store::Client &client, const QString &grantType)
{
    const QJsonValue types = client.metadata.value(QStringLiteral("grant_types"));
    if (types.isArray())
        return types.toArray().contains(grantType);
    if (client.kind == Store::ClientKind::Preregistered || client.kind == Store::ClientKind::Local)
        return true;
    // RFC 7591 §2: "If omitted, the default behavior is that the client will use only the
    // authorization_code Grant Type."
    return grantType == QStringLiteral("authorization_code");
}

Http::Response TokenEndpoint::handle(const Http::Request &request)
{
    auto form = request.bodyForm();
    if (!form)
        return oauthErrorResponse(OAuthError::invalidRequest(form.error().message));

    Store::ClientStore clients(m_ctx.db);
    auto client = authenticateRequest(request, *form, clients, m_ctx.clock);
    if (!client)
        return clientAuthErrorResponse(client.error());

    const std::optional<QString> grantType = form->value(u"grant_type");
    if (!grantType || grantType->isEmpty())
        return oauthErrorResponse(OAuthError::invalidRequest(QStringLiteral("grant_type is missing.")));
    if (*grantType != QStringLiteral("authorization_code") && *grantType != QStringLiteral("refresh_token"))
        return oauthErrorResponse(OAuthError::unsupportedGrantType(
            QStringLiteral("Tessera supports authorization_code and refresh_token only.")));
    if (!clientAllows(client->client, *grantType))
        return oauthErrorResponse(OAuthError::unauthorizedClient(
            QStringLiteral("This client did not register the %1 grant type.").arg(*grantType)));
    if (m_ctx.broker.isFrozen())
        return oauthErrorResponse(OAuthError::temporarilyUnavailable(
            QStringLiteral("Tessera is frozen: no tokens are issued until the person unfreezes it.")));
    if (!m_ctx.keys.isReady())
        return oauthErrorResponse(OAuthError::temporarilyUnavailable(
            QStringLiteral("Tessera cannot reach its keychain, so it issues no tokens right now.")));

    const Outcome outcome = *grantType == QStringLiteral("authorization_code") ? authorizationCode(*form, *client)
                                                                               : refresh(*form, *client);
    if (!outcome)
        return oauthErrorResponse(outcome.error());
    Http::Response r = Http::Response::json(200, *outcome);
    r.withHeader("Pragma", "no-cache"); // RFC 6749 §5.1; Cache-Control: no-store is the server default
    // Seconds are enough for "last seen"; skipping the unchanged write spares a busy client's
    // every request a write.
    if (const qint64 now = m_ctx.clock.nowSecs(); client->client.lastSeenAt != now)
        (void)clients.updateLastSeen(client->client.clientId, now);
    return r;
}

Result<MintedAccessToken> TokenEndpoint::mintAccessToken(
    const Store::Grant &grant, const QString &resourceUri, qint64 lifetimeSecs, const QStringList &requestedScopes)
{
    const Crypto::SigningKey *key = m_ctx.keys.activeKey();
    if (!key)
        return Error::make(QStringLiteral("keychain_unavailable"), QStringLiteral("No signing key is loaded."));
    const qint64 now = m_ctx.clock.nowSecs();
    qint64 lifetime = qBound<qint64>(1, lifetimeSecs, KeyManager::MaxTokenLifetimeSecs);
    if (grant.expiresAt)
        lifetime = qMin(lifetime, *grant.expiresAt - now);
    if (lifetime <= 0)
        return Error::make(QStringLiteral("grant_expired"), QStringLiteral("The grant has expired."));
    // R10: each scope has its own end. A token never outlives a scope it carries; a scope past
    // its end is dropped (the rest of the grant lives on), and when none is left, nothing is issued.
    QStringList live;
    for (const QString &s : requestedScopes) {
        const std::optional<qint64> end = grant.scopeEnd(s);
        if (end && *end <= now)
            continue;
        if (end)
            lifetime = qMin(lifetime, *end - now);
        live.append(s);
    }
    if (live.isEmpty() && !requestedScopes.isEmpty())
        return Error::make(
            QStringLiteral("grant_expired"), QStringLiteral("The permissions of this grant have ended."));
    const QStringList &scopes = live;
    auto random = Crypto::randomToken(16);
    if (!random)
        return random.error();

    // RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat, jti; scope when there is one.
    Crypto::AccessTokenClaims claims;
    claims.iss = m_ctx.issuer;
    claims.sub = m_ctx.subject;
    claims.aud = resourceUri;
    claims.clientId = grant.clientId;
    claims.scope = scopes.join(u' ');
    claims.iat = now;
    claims.exp = now + lifetime;
    // The grant id travels in the jti so that introspection can tell a revoked grant at once.
    claims.jti = grant.id + u'.' + *random;
    auto jwt = Crypto::signAccessToken(claims, *key);
    if (!jwt)
        return jwt.error();
    m_ctx.lastAccessTokenExpiresAt = qMax(m_ctx.lastAccessTokenExpiresAt, claims.exp);
    return MintedAccessToken { *jwt, claims.jti, claims.exp, lifetime, scopes };
}

Result<std::pair<QString, QByteArray>> TokenEndpoint::newRefreshToken() const
{
    auto token = Crypto::randomToken(32);
    if (!token)
        return token.error();
    return std::make_pair(*token, Crypto::sha256(token->toLatin1()));
}

TokenEndpoint::Outcome TokenEndpoint::authorizationCode(const FormData &form, const AuthenticatedClient &client)
{
    const std::optional<QString> code = form.value(u"code");
    if (!code || code->isEmpty())
        return OAuthError::invalidRequest(QStringLiteral("code is missing."));
    // RFC 7636 §4.6 / security-cases E4: a missing or wrong verifier is invalid_grant.
    const std::optional<QString> verifier = form.value(u"code_verifier");
    if (!verifier || verifier->isEmpty())
        return OAuthError::invalidGrant(QStringLiteral("code_verifier is missing (PKCE is required)."));

    const qint64 now = m_ctx.clock.nowSecs();
    const QByteArray codeHash = Crypto::sha256(code->toUtf8());
    Store::AuthorizationCodeStore codes(m_ctx.db);
    auto found = codes.find(codeHash);
    if (!found)
        return storeFailure(found.error());
    if (!found->has_value())
        return OAuthError::invalidGrant(QStringLiteral("The authorization code is unknown or has expired."));
    const Store::AuthorizationCode &c = **found;

    if (!c.consumedAt) {
        if (c.expiresAt <= now)
            return OAuthError::invalidGrant(QStringLiteral("The authorization code has expired."));
        // Bindings are checked before consuming: a wrong verifier or redirect URI does not burn
        // the code for the legitimate client (documented in the header).
        if (c.clientId != client.client.clientId) // security-cases E7
            return OAuthError::invalidGrant(QStringLiteral("The authorization code was issued to another client."));
        const std::optional<QString> redirect = form.value(u"redirect_uri");
        if (redirect) {
            // RFC 6749 §4.1.3: "their values MUST be identical".
            if (*redirect != c.redirectUri)
                return OAuthError::invalidGrant(QStringLiteral("redirect_uri differs from the authorization request."));
        } else if (client.client.redirectUris != QStringList { c.redirectUri }) {
            return OAuthError::invalidRequest(QStringLiteral("redirect_uri is required."));
        }
        // RFC 7636 §4.6: BASE64URL(SHA256(code_verifier)) == code_challenge, S256 only.
        if (!Crypto::verifyS256(verifier->toLatin1(), c.codeChallenge.toLatin1()))
            return OAuthError::invalidGrant(QStringLiteral("The PKCE code_verifier does not match."));
        if (const std::optional<QString> resource = form.value(u"resource")) {
            auto canonical = canonicalResource(*resource);
            if (!canonical || *canonical != c.resource)
                return OAuthError::invalidTarget(QStringLiteral("resource differs from the authorization request."));
        }
    }

    auto tx = Store::Transaction::begin(m_ctx.db);
    if (!tx)
        return storeFailure(tx.error());
    auto consumed = codes.consume(codeHash, now);
    if (!consumed) {
        if (consumed.error().code() == QStringLiteral("code_replayed")) {
            // RFC 6749 §4.1.2: "If an authorization code is used more than once, the authorization
            // server MUST deny the request and SHOULD revoke (when possible) all tokens previously
            // issued based on that authorization code."
            const QString grantId = consumed.error().grantId;
            // Neither the revocation nor its record may be lost: failing either answers
            // server_error and rolls back, so the code stays replayed for the next attempt.
            if (auto r
                = Store::GrantStore(m_ctx.db).revoke(grantId, QStringLiteral("authorization code replayed"), now);
                !r)
                return storeFailure(r.error());
            if (auto a = m_ctx.audit.append({ QStringLiteral("code.replayed"),
                    QStringLiteral("client:") + client.client.clientId, consumed.error().clientId, c.resource, grantId,
                    QJsonObject { { QStringLiteral("revoked"), true } } });
                !a)
                return storeFailure(a.error());
            if (Status s = tx->commit(); !s)
                return storeFailure(s.error());
            qCWarning(lcOAuth).noquote() << "authorization code replayed; grant" << grantId << "revoked";
            return OAuthError::invalidGrant(QStringLiteral("The authorization code was already used."));
        }
        return OAuthError::invalidGrant(QStringLiteral("The authorization code is unknown or has expired."));
    }

    Store::GrantStore grants(m_ctx.db);
    auto grant = grants.find(c.grantId);
    if (!grant)
        return storeFailure(grant.error());
    if (!grant->has_value() || !(*grant)->isActive(now))
        return OAuthError::invalidGrant(QStringLiteral("The grant behind this code was revoked or has expired."));
    auto resource = Store::ResourceStore(m_ctx.db).findByUri(c.resource);
    if (!resource)
        return storeFailure(resource.error());
    if (!resource->has_value())
        return OAuthError::invalidGrant(QStringLiteral("The resource of this code no longer exists."));

    auto minted = mintAccessToken(**grant, c.resource, (*resource)->tokenLifetimeSecs, c.scopes);
    if (!minted)
        return OAuthError::invalidGrant(minted.error().message);

    QString refreshToken;
    if (clientAllows(client.client, QStringLiteral("refresh_token")) && (*grant)->duration != QStringLiteral("once")) {
        auto rt = newRefreshToken();
        auto familyId = Crypto::randomToken(16);
        if (!rt || !familyId)
            return OAuthError::serverError(QStringLiteral("Tessera could not make a token."));
        Store::RefreshFamily family;
        family.id = *familyId;
        family.grantId = c.grantId;
        family.clientId = c.clientId;
        family.resource = c.resource;
        family.scopes = c.scopes;
        family.createdAt = now;
        qint64 expires = now + ServerContext::IdleRefreshLifetimeSecs;
        if ((*grant)->expiresAt)
            expires = qMin(expires, *(*grant)->expiresAt);
        if (Status s = Store::RefreshTokenStore(m_ctx.db).createFamily(family, rt->second, expires); !s)
            return storeFailure(s.error());
        if (Status s = codes.setFamily(codeHash, family.id); !s)
            return storeFailure(s.error());
        refreshToken = rt->first;
    }
    if (Status s = grants.recordUse(c.grantId, now); !s)
        return storeFailure(s.error());
    if (auto a = m_ctx.audit.append(
            { QStringLiteral("token.issued"), QStringLiteral("client:") + c.clientId, c.clientId, c.resource, c.grantId,
                QJsonObject { { QStringLiteral("grant_type"), QStringLiteral("authorization_code") },
                    { QStringLiteral("scopes"), QJsonArray::fromStringList(c.scopes) },
                    { QStringLiteral("jti"), minted->jti }, { QStringLiteral("refresh"), !refreshToken.isEmpty() } } });
        !a)
        return storeFailure(a.error());
    if (Status s = tx->commit(); !s)
        return storeFailure(s.error());
    return tokenResponse(*minted, minted->scopes, refreshToken);
}

void TokenEndpoint::forgetOldRetries()
{
    // Entries arrive in time order, so expiry pops from the front instead of scanning the map
    // (which holds about two seconds' worth of refreshes).
    const qint64 cutoff = m_ctx.clock.nowMs() - ServerContext::RefreshRetryWindowMs;
    while (!m_retryOrder.empty() && m_retryOrder.front().atMs < cutoff) {
        const RetryOrder &oldest = m_retryOrder.front();
        if (const auto it = m_recentRefresh.find(oldest.oldHash);
            it != m_recentRefresh.end() && it->atMs == oldest.atMs)
            m_recentRefresh.erase(it);
        m_retryOrder.pop_front();
    }
}

void TokenEndpoint::forgetRetries()
{
    m_recentRefresh.clear();
    m_retryOrder.clear();
}

TokenEndpoint::Outcome TokenEndpoint::refresh(const FormData &form, const AuthenticatedClient &client)
{
    const std::optional<QString> presented = form.value(u"refresh_token");
    if (!presented || presented->isEmpty())
        return OAuthError::invalidRequest(QStringLiteral("refresh_token is missing."));
    const QByteArray oldHash = Crypto::sha256(presented->toUtf8());
    forgetOldRetries();
    Store::RefreshTokenStore refreshTokens(m_ctx.db);
    if (const auto it = m_recentRefresh.constFind(oldHash);
        it != m_recentRefresh.constEnd() && it->clientId == client.client.clientId) {
        // The same request again within the retry window gets the same answer, but only while
        // the successor it handed out is still the family's live token (not used, not retired,
        // family not revoked). This wins over the store's grace: two racing requests with one
        // token (TS clients do not single-flight) must both get the token the client will keep;
        // a grace retry would retire the first answer's. Past the window, or after a restart,
        // the store decides: a retry while the successor is unused gets a fresh successor.
        // The store's grace still rules whether the old token counts at all, so the window is
        // never wider than it (a cached answer just past GraceSecs is not replayed).
        auto successor = refreshTokens.findByHash(it->successorHash);
        if (!successor)
            return storeFailure(successor.error());
        auto predecessor = refreshTokens.findByHash(oldHash);
        if (!predecessor)
            return storeFailure(predecessor.error());
        if (successor->has_value() && !(*successor)->token.rotatedAt && !(*successor)->family.revokedAt
            && predecessor->has_value()
            && Store::RefreshTokenStore::inGrace((*predecessor)->token, m_ctx.clock.nowSecs()))
            return it->response;
        m_recentRefresh.remove(oldHash);
    }

    const qint64 now = m_ctx.clock.nowSecs();
    auto info = refreshTokens.findByHash(oldHash);
    if (!info)
        return storeFailure(info.error());
    if (!info->has_value())
        return OAuthError::invalidGrant(QStringLiteral("The refresh token is unknown."));
    const Store::RefreshFamily family = (*info)->family;
    // RFC 6749 §6: bound to its client. Checked first, so that another client learns nothing from
    // the answer (not even the token's scope or resource) and changes nothing (security-cases F3).
    if (family.clientId != client.client.clientId)
        return OAuthError::invalidGrant(QStringLiteral("The refresh token is unknown."));

    // RFC 6749 §6: the scope "MUST NOT include any scope not originally granted"; narrowing is fine.
    QStringList scopes = family.scopes;
    if (const std::optional<QString> requested = form.value(u"scope")) {
        auto parsed = parseScope(*requested);
        if (!parsed)
            return OAuthError::invalidScope(parsed.error().message);
        for (const QString &s : *parsed) {
            if (!family.scopes.contains(s))
                return OAuthError::invalidScope(
                    QStringLiteral("A refresh cannot add the scope \"%1\"; ask for it through a new authorization.")
                        .arg(s));
        }
        if (!parsed->isEmpty())
            scopes = *parsed;
    }
    if (const std::optional<QString> resource = form.value(u"resource")) {
        auto canonical = canonicalResource(*resource);
        if (!canonical || *canonical != family.resource)
            return OAuthError::invalidTarget(QStringLiteral("This refresh token is for another resource."));
    }

    Store::GrantStore grants(m_ctx.db);
    auto grant = grants.find(family.grantId);
    if (!grant)
        return storeFailure(grant.error());
    if (!grant->has_value())
        return OAuthError::invalidGrant(QStringLiteral("The grant behind this refresh token no longer exists."));
    auto resource = Store::ResourceStore(m_ctx.db).findByUri(family.resource);
    if (!resource)
        return storeFailure(resource.error());
    if (!resource->has_value())
        return OAuthError::invalidGrant(QStringLiteral("The resource of this refresh token no longer exists."));

    auto next = newRefreshToken();
    if (!next)
        return OAuthError::serverError(QStringLiteral("Tessera could not make a token."));
    qint64 expires = now + ServerContext::IdleRefreshLifetimeSecs;
    if ((*grant)->expiresAt)
        expires = qMin(expires, *(*grant)->expiresAt);

    auto tx = Store::Transaction::begin(m_ctx.db);
    if (!tx)
        return storeFailure(tx.error());
    auto rotated = refreshTokens.rotate(oldHash, next->second, expires, now, client.client.clientId);
    if (!rotated) {
        const QString why = rotated.error().code();
        if (why == QStringLiteral("refresh_reused")) {
            // rotate() already revoked the family; revoke the whole grant too, so its access
            // tokens read inactive at once (RFC 9700 §4.14.2, security-cases F1).
            // A failure answers server_error and rolls back; nothing is issued, and the
            // retired token trips reuse detection again on the next attempt.
            if (auto r = grants.revoke(family.grantId, QStringLiteral("refresh token reuse"), now); !r)
                return storeFailure(r.error());
            if (auto a = m_ctx.audit.append({ QStringLiteral("refresh.reuse_detected"),
                    QStringLiteral("client:") + client.client.clientId, family.clientId, family.resource,
                    family.grantId, QJsonObject { { QStringLiteral("family"), family.id } } });
                !a)
                return storeFailure(a.error());
            if (Status s = tx->commit(); !s)
                return storeFailure(s.error());
            qCWarning(lcOAuth).noquote() << "refresh token reuse: family" << family.id.left(6) << "revoked";
            return OAuthError::invalidGrant(
                QStringLiteral("This refresh token was already used; its grant's tokens are revoked."));
        }
        if (why == QStringLiteral("store_error"))
            return storeFailure(rotated.error().error);
        return OAuthError::invalidGrant(QStringLiteral("The refresh token is no longer valid (%1).").arg(why.mid(8)));
    }

    auto minted = mintAccessToken(**grant, family.resource, (*resource)->tokenLifetimeSecs, scopes);
    if (!minted)
        return OAuthError::invalidGrant(minted.error().message);
    if (Status s = grants.recordUse(family.grantId, now); !s)
        return storeFailure(s.error());
    QJsonObject details { { QStringLiteral("scopes"), QJsonArray::fromStringList(scopes) },
        { QStringLiteral("jti"), minted->jti } };
    if (rotated->retry) // the previous answer was lost: its unused refresh token is retired
        details.insert(QStringLiteral("retry"), true);
    if (auto a = m_ctx.audit.append({ QStringLiteral("token.refreshed"), QStringLiteral("client:") + family.clientId,
            family.clientId, family.resource, family.grantId, details });
        !a)
        return storeFailure(a.error());
    if (Status s = tx->commit(); !s)
        return storeFailure(s.error());
    const QJsonObject response = tokenResponse(*minted, minted->scopes, next->first);
    const qint64 atMs = m_ctx.clock.nowMs();
    m_recentRefresh.insert(oldHash, RecentRefresh { response, atMs, client.client.clientId, next->second });
    m_retryOrder.push_back(RetryOrder { oldHash, atMs });
    return response;
}

} // namespace Tessera::OAuth
