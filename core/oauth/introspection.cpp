// SPDX-License-Identifier: GPL-3.0-or-later
#include "oauth/introspection.h"

#include "consent/consentbroker.h"
#include "crypto/ctequal.h"
#include "crypto/hash.h"
#include "crypto/jwt.h"
#include "http/request.h"
#include "http/response.h"
#include "oauth/clientauth.h"
#include "oauth/keymanager.h"
#include "store/grantstore.h"
#include "store/resourcestore.h"
#include "store/revokedtokenstore.h"

namespace Tessera::OAuth {

namespace {
Http::Response inactive()
{
    // RFC 7662 §2.2: nothing beyond active=false for an inactive token.
    Http::Response r = Http::Response::json(200, QJsonObject { { QStringLiteral("active"), false } });
    r.withHeader("Pragma", "no-cache");
    return r;
}
Http::Response unauthorized()
{
    Http::Response r = Http::Response::json(401,
        QJsonObject { { QStringLiteral("error"), QStringLiteral("invalid_client") },
            { QStringLiteral("error_description"),
                QStringLiteral("Introspection needs the resource server's credentials (HTTP Basic).") } });
    r.withHeader("WWW-Authenticate", "Basic realm=\"tessera-introspection\"");
    return r;
}
} // namespace

bool IntrospectionEndpoint::overScanLimit(qint64 resourceId)
{
    QList<qint64> &times = m_inactive[resourceId];
    const qint64 now = m_ctx.clock.nowMs();
    times.erase(std::remove_if(times.begin(), times.end(), [now](qint64 t) { return t < now - 60'000; }), times.end());
    return times.size() >= MaxInactivePerMinute;
}

Http::Response IntrospectionEndpoint::handle(const Http::Request &request)
{
    // §2.1: the endpoint MUST require some form of authorization.
    auto header = request.headers.single("authorization");
    if (!header)
        return unauthorized();
    const auto credentials = decodeBasicCredentials(QString::fromLatin1(*header));
    if (!credentials)
        return unauthorized();
    auto resource = Store::ResourceStore(m_ctx.db).findByName(credentials->first);
    // Hash and compare even for an unknown name, so timing does not tell names apart.
    const QByteArray presented = Crypto::sha256(credentials->second.toUtf8());
    const QByteArray expected
        = resource && resource->has_value() ? (*resource)->introspectionSecretHash : QByteArray(32, '\0');
    if (!resource || !resource->has_value() || expected.isEmpty() || !Crypto::constantTimeEquals(presented, expected))
        return unauthorized();
    const Store::Resource &caller = **resource;

    auto form = request.bodyForm();
    if (!form)
        return Http::Response::json(400,
            QJsonObject { { QStringLiteral("error"), QStringLiteral("invalid_request") },
                { QStringLiteral("error_description"), form.error().message } });
    const std::optional<QString> token = form->value(u"token");
    if (!token || token->isEmpty())
        return Http::Response::json(400,
            QJsonObject { { QStringLiteral("error"), QStringLiteral("invalid_request") },
                { QStringLiteral("error_description"), QStringLiteral("token is missing.") } });
    if (overScanLimit(caller.id)) {
        Http::Response r = Http::Response::json(429,
            QJsonObject { { QStringLiteral("error"), QStringLiteral("invalid_request") },
                { QStringLiteral("error_description"), QStringLiteral("Too many inactive tokens; slow down.") } });
        r.withHeader("Retry-After", "60");
        return r;
    }
    const auto noteInactive = [&] {
        m_inactive[caller.id].append(m_ctx.clock.nowMs());
        return inactive();
    };

    if (m_ctx.broker.isFrozen())
        return noteInactive();
    const auto lookup = [this](const QString &kid) { return m_ctx.keys.verificationKey(kid); };
    Crypto::JwtValidation v;
    v.issuer = m_ctx.issuer;
    v.audience = caller.uri; // only tokens meant for the caller
    v.nowSecs = m_ctx.clock.nowSecs();
    auto claims = Crypto::verifyJwt(token->toLatin1(), lookup, v);
    if (!claims)
        return noteInactive();
    const QString jti = claims->value(QStringLiteral("jti")).toString();
    const QString grantId = jti.section(u'.', 0, 0);
    auto revoked = Store::RevokedTokenStore(m_ctx.db).isRevoked(jti);
    if (!revoked || *revoked)
        return noteInactive();
    auto grant = Store::GrantStore(m_ctx.db).find(grantId);
    if (!grant || !grant->has_value() || !(*grant)->isActive(v.nowSecs))
        return noteInactive();

    QJsonObject out {
        { QStringLiteral("active"), true },
        { QStringLiteral("token_type"), QStringLiteral("Bearer") },
    };
    for (const char *member : { "scope", "client_id", "sub", "aud", "iss", "exp", "iat", "jti" }) {
        const QString key = QString::fromLatin1(member);
        if (claims->contains(key))
            out.insert(key, claims->value(key));
    }
    Http::Response r = Http::Response::json(200, out);
    r.withHeader("Pragma", "no-cache");
    return r;
}

} // namespace Tessera::OAuth
