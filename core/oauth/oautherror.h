// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QLatin1String>
#include <QString>

namespace Tessera::Http {
struct Response;
} // namespace Tessera::Http

namespace Tessera::OAuth {

/**
 * @brief The registered error codes Tessera sends (RFC 6749 §4.1.2.1, §5.2; RFC 7591 §3.2.2;
 * RFC 8707 §2). Compare OAuthError::error with these, never with a literal.
 */
namespace ErrorCode {
inline constexpr QLatin1String InvalidRequest("invalid_request");
inline constexpr QLatin1String InvalidClient("invalid_client");
inline constexpr QLatin1String InvalidGrant("invalid_grant");
inline constexpr QLatin1String UnauthorizedClient("unauthorized_client");
inline constexpr QLatin1String UnsupportedGrantType("unsupported_grant_type");
inline constexpr QLatin1String UnsupportedResponseType("unsupported_response_type");
inline constexpr QLatin1String InvalidScope("invalid_scope");
inline constexpr QLatin1String InvalidTarget("invalid_target");
inline constexpr QLatin1String AccessDenied("access_denied");
inline constexpr QLatin1String InvalidRedirectUri("invalid_redirect_uri");
inline constexpr QLatin1String InvalidClientMetadata("invalid_client_metadata");
inline constexpr QLatin1String ServerError("server_error");
inline constexpr QLatin1String TemporarilyUnavailable("temporarily_unavailable");
} // namespace ErrorCode

/**
 * @brief An OAuth protocol error (RFC 6749 §4.1.2.1, §5.2; RFC 7591 §3.2.2; RFC 8707 §2).
 *
 * `error` is the registered code sent to the client, `description` a sentence the client
 * may show (never a secret or a value the client did not send), `debug` is for our log only
 * and never leaves the process (fosite's Debug field).
 */
struct OAuthError
{
    QString error;
    QString description;
    int httpStatus = 400;
    QString debug;

    [[nodiscard]] QJsonObject toJson() const
    {
        QJsonObject o { { QStringLiteral("error"), error } };
        if (!description.isEmpty())
            o.insert(QStringLiteral("error_description"), description);
        return o;
    }
    [[nodiscard]] OAuthError withDebug(QString d) const
    {
        OAuthError e = *this;
        e.debug = std::move(d);
        return e;
    }

    static OAuthError make(const char *code, QString description, int status = 400)
    {
        return OAuthError { QString::fromLatin1(code), std::move(description), status, {} };
    }
    static OAuthError make(QLatin1String code, QString description, int status = 400)
    {
        return OAuthError { QString(code), std::move(description), status, {} };
    }
    static OAuthError invalidRequest(QString d) { return make(ErrorCode::InvalidRequest, std::move(d)); }
    /** RFC 6749 §5.2: 401 (with WWW-Authenticate when the client used Basic). */
    static OAuthError invalidClient(QString d) { return make(ErrorCode::InvalidClient, std::move(d), 401); }
    static OAuthError invalidGrant(QString d) { return make(ErrorCode::InvalidGrant, std::move(d)); }
    static OAuthError unauthorizedClient(QString d) { return make(ErrorCode::UnauthorizedClient, std::move(d)); }
    static OAuthError unsupportedGrantType(QString d) { return make(ErrorCode::UnsupportedGrantType, std::move(d)); }
    static OAuthError unsupportedResponseType(QString d)
    {
        return make(ErrorCode::UnsupportedResponseType, std::move(d));
    }
    static OAuthError invalidScope(QString d) { return make(ErrorCode::InvalidScope, std::move(d)); }
    static OAuthError invalidTarget(QString d) { return make(ErrorCode::InvalidTarget, std::move(d)); }
    static OAuthError accessDenied(QString d) { return make(ErrorCode::AccessDenied, std::move(d), 403); }
    static OAuthError invalidRedirectUri(QString d) { return make(ErrorCode::InvalidRedirectUri, std::move(d)); }
    static OAuthError invalidClientMetadata(QString d) { return make(ErrorCode::InvalidClientMetadata, std::move(d)); }
    static OAuthError serverError(QString d) { return make(ErrorCode::ServerError, std::move(d), 500); }
    static OAuthError temporarilyUnavailable(QString d)
    {
        return make(ErrorCode::TemporarilyUnavailable, std::move(d), 503);
    }
};

/** @brief The JSON error body and status of @p e, with no-store headers (RFC 6749 §5.2); logs `debug`. */
[[nodiscard]] Http::Response oauthErrorResponse(const OAuthError &e);

} // namespace Tessera::OAuth
