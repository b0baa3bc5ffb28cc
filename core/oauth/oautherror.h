// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>

namespace Tessera::Http {
struct Response;
} // namespace Tessera::Http

namespace Tessera::OAuth {

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
    static OAuthError invalidRequest(QString d) { return make("invalid_request", std::move(d)); }
    /** RFC 6749 §5.2: 401 (with WWW-Authenticate when the client used Basic). */
    static OAuthError invalidClient(QString d) { return make("invalid_client", std::move(d), 401); }
    static OAuthError invalidGrant(QString d) { return make("invalid_grant", std::move(d)); }
    static OAuthError unauthorizedClient(QString d) { return make("unauthorized_client", std::move(d)); }
    static OAuthError unsupportedGrantType(QString d) { return make("unsupported_grant_type", std::move(d)); }
    static OAuthError unsupportedResponseType(QString d) { return make("unsupported_response_type", std::move(d)); }
    static OAuthError invalidScope(QString d) { return make("invalid_scope", std::move(d)); }
    static OAuthError invalidTarget(QString d) { return make("invalid_target", std::move(d)); }
    static OAuthError accessDenied(QString d) { return make("access_denied", std::move(d), 403); }
    static OAuthError invalidRedirectUri(QString d) { return make("invalid_redirect_uri", std::move(d)); }
    static OAuthError invalidClientMetadata(QString d) { return make("invalid_client_metadata", std::move(d)); }
    static OAuthError serverError(QString d) { return make("server_error", std::move(d), 500); }
    static OAuthError temporarilyUnavailable(QString d) { return make("temporarily_unavailable", std::move(d), 503); }
};

/** @brief The JSON error body and status of @p e, with no-store headers (RFC 6749 §5.2); logs `debug`. */
[[nodiscard]] Http::Response oauthErrorResponse(const OAuthError &e);

} // namespace Tessera::OAuth
