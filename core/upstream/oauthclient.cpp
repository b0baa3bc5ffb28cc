// SPDX-License-Identifier: GPL-3.0-or-later
#include "upstream/oauthclient.h"

#include "common/formdata.h"
#include "common/strictjson.h"
#include "crypto/ctequal.h"
#include "crypto/pkce.h"
#include "crypto/random.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <QUrlQuery>

#include <algorithm>
#include <cmath>

namespace Tessera::Upstream {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr auto SignInAgain = "sign in again (tessera-cli connect --again <connection>)";

bool isVschar(QStringView s)
{
    // RFC 6749 Appendix A: client secrets, tokens and codes are VSCHAR (%x20-7E) strings.
    return std::all_of(s.begin(), s.end(), [](QChar c) { return c.unicode() >= 0x20 && c.unicode() <= 0x7e; });
}

QByteArray formEncode(const QList<QPair<QString, QString>> &form)
{
    QByteArray out;
    for (const auto &[name, value] : form) {
        if (!out.isEmpty())
            out += '&';
        out += QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    }
    return out;
}

// Client authentication at the token and revocation endpoints (OAuth 2.1 §2.4.1; RFC 6749
// §2.3.1: Basic credentials are form-encoded before base64).
void addClientAuth(
    const ClientCredentials &client, UpstreamHttp::Headers &headers, QList<QPair<QString, QString>> &form)
{
    if (client.authMethod == "client_secret_basic"_L1) {
        const QByteArray pair
            = QUrl::toPercentEncoding(client.clientId) + ':' + QUrl::toPercentEncoding(client.clientSecret);
        headers.append({ "Authorization", "Basic " + pair.toBase64() });
        return;
    }
    form.append({ u"client_id"_s, client.clientId });
    if (client.authMethod == "client_secret_post"_L1)
        form.append({ u"client_secret"_s, client.clientSecret });
}

// An RFC 6749 §5.2 error body, if there is one; only the error code is kept (the description is
// the server's text and is not needed to name the fix).
QString oauthErrorCode(const QByteArray &body)
{
    Result<QJsonValue> v = parseStrictJson(body);
    if (!v || !v->isObject())
        return {};
    const QJsonValue e = v->toObject().value("error"_L1);
    if (!e.isString() || e.toString().size() > 64 || !isVschar(e.toString()))
        return {};
    return e.toString();
}

Error tokenError(const QString &oauthCode, int status)
{
    if (oauthCode == "invalid_grant"_L1)
        return Error::make(u"upstream_needs_sign_in"_s,
            u"The upstream sign-in has expired or was revoked (invalid_grant); %1."_s.arg(
                QLatin1StringView(SignInAgain)));
    if (oauthCode == "invalid_client"_L1 || oauthCode == "unauthorized_client"_L1)
        return Error::make(u"upstream_client_rejected"_s,
            u"The authorization server no longer accepts Tessera's client registration (%1); %2 to register anew."_s
                .arg(oauthCode, QLatin1StringView(SignInAgain)));
    if (oauthCode == "invalid_scope"_L1)
        return Error::make(u"upstream_invalid_scope"_s,
            u"The authorization server refused the requested scope (invalid_scope); connect again with a scope it offers."_s);
    if (oauthCode == "invalid_target"_L1)
        return Error::make(u"upstream_invalid_target"_s,
            u"The authorization server does not issue tokens for this MCP server (invalid_target, RFC 8707); "
            u"the MCP server's metadata and its authorization server disagree."_s);
    if (!oauthCode.isEmpty())
        return Error::make(u"upstream_token_error"_s,
            u"The authorization server refused the token request (%1, HTTP %2); try again, or connect again."_s
                .arg(oauthCode)
                .arg(status));
    return Error::make(u"upstream_token_error"_s,
        u"The token endpoint answered HTTP %1 without an OAuth error; the server may be down, try again later."_s.arg(
            status));
}

} // namespace

OAuthClient::OAuthClient(UpstreamHttp &http, DiscoveryResult discovery, QObject *parent)
    : OAuthClient(http, std::move(discovery), ClientLimits {}, parent)
{ }

OAuthClient::OAuthClient(UpstreamHttp &http, DiscoveryResult discovery, const ClientLimits &limits, QObject *parent)
    : QObject(parent), m_http(http), m_discovery(std::move(discovery)), m_limits(limits)
{ }

Status OAuthClient::checkIssuer(const ClientCredentials &client) const
{
    // MCP SEP-2352: credentials belong to the issuer that issued them.
    if (client.issuer != m_discovery.serverMetadata.issuer)
        return Error::make(u"upstream_wrong_issuer"_s,
            u"These client credentials were issued by %1, but the server now uses %2; connect again to register there."_s
                .arg(client.issuer, m_discovery.serverMetadata.issuer));
    return {};
}

Result<ClientCredentials> OAuthClient::preRegistered(const QString &clientId, QIODevice &secretIn) const
{
    if (clientId.isEmpty() || clientId.size() > 256 || !isVschar(clientId))
        return Error::make(
            u"upstream_bad_client_id"_s, u"The client id must be 1 to 256 printable ASCII characters."_s);
    // One line; anything longer than the limit is refused, never cut.
    const QByteArray line = secretIn.readLine(m_limits.maxSecretBytes + 2);
    QByteArray secret = line;
    if (secret.endsWith('\n'))
        secret.chop(1);
    if (secret.endsWith('\r'))
        secret.chop(1);
    if (secret.size() > m_limits.maxSecretBytes || (!line.endsWith('\n') && !secretIn.atEnd()))
        return Error::make(u"upstream_bad_secret"_s,
            u"The client secret on stdin is longer than %1 bytes; pass only the secret, on one line."_s.arg(
                m_limits.maxSecretBytes));
    if (!isVschar(QString::fromLatin1(secret)))
        return Error::make(
            u"upstream_bad_secret"_s, u"The client secret on stdin must be printable ASCII on one line."_s);

    ClientCredentials c;
    c.issuer = m_discovery.serverMetadata.issuer;
    c.clientId = clientId;
    c.clientSecret = QString::fromLatin1(secret);
    const QStringList &methods = m_discovery.serverMetadata.tokenEndpointAuthMethods;
    if (c.clientSecret.isEmpty())
        c.authMethod = u"none"_s;
    else if (methods.isEmpty() || methods.contains("client_secret_basic"_L1)) // RFC 8414 §2 default
        c.authMethod = u"client_secret_basic"_s;
    else if (methods.contains("client_secret_post"_L1))
        c.authMethod = u"client_secret_post"_s;
    else
        return Error::make(u"upstream_bad_secret"_s,
            u"The authorization server accepts neither client_secret_basic nor client_secret_post, so a client secret cannot be used."_s);
    return c;
}

void OAuthClient::registerClient(
    const QString &redirectUri, const QString &clientName, Callback<ClientCredentials> done)
{
    const QUrl endpoint = m_discovery.serverMetadata.registrationEndpoint;
    if (endpoint.isEmpty()) {
        QTimer::singleShot(0, this, [done] {
            done(Error::make(u"upstream_no_registration"_s,
                u"The authorization server offers no dynamic client registration; register Tessera there "
                u"and pass --client-id (and the secret on stdin)."_s));
        });
        return;
    }
    // RFC 7591 §2; MCP 2026-07-28 REG: application_type MUST be sent ("native": a loopback redirect).
    const QJsonObject request {
        { "client_name"_L1, clientName },
        { "redirect_uris"_L1, QJsonArray { redirectUri } },
        { "grant_types"_L1, QJsonArray { "authorization_code"_L1, "refresh_token"_L1 } },
        { "response_types"_L1, QJsonArray { "code"_L1 } },
        { "token_endpoint_auth_method"_L1, "none"_L1 },
        { "application_type"_L1, "native"_L1 },
    };
    const QString issuer = m_discovery.serverMetadata.issuer;
    m_http.send("POST", endpoint, { { "Content-Type", "application/json" }, { "Accept", "application/json" } },
        QJsonDocument(request).toJson(QJsonDocument::Compact), [done, redirectUri, issuer](Result<HttpResponse> r) {
            if (!r) {
                done(r.error());
                return;
            }
            if (r->status != 201 && r->status != 200) {
                const QString code = oauthErrorCode(r->body);
                done(Error::make(u"upstream_registration_refused"_s,
                    u"The authorization server refused to register Tessera (HTTP %1%2); register Tessera there by hand "
                    u"and pass --client-id instead."_s.arg(r->status)
                        .arg(code.isEmpty() ? QString {} : u", "_s + code)));
                return;
            }
            auto bad = [&done](const QString &why) {
                done(Error::make(u"upstream_bad_registration"_s,
                    u"The registration response (RFC 7591 §3.2.1) is unusable: %1; use a pre-registered --client-id."_s
                        .arg(why)));
            };
            Result<QJsonValue> v = parseStrictJson(r->body);
            if (!v || !v->isObject()) {
                bad(u"not a JSON object"_s);
                return;
            }
            const QJsonObject o = v->toObject();
            const QString clientId = o.value("client_id"_L1).toString();
            if (clientId.isEmpty() || clientId.size() > 256 || !isVschar(clientId)) {
                bad(u"client_id missing or not printable ASCII"_s);
                return;
            }
            if (o.contains("redirect_uris"_L1)) {
                const QJsonArray uris = o.value("redirect_uris"_L1).toArray();
                if (!uris.contains(QJsonValue(redirectUri))) {
                    bad(u"the server changed the redirect URIs"_s);
                    return;
                }
            }
            ClientCredentials c;
            c.issuer = issuer;
            c.clientId = clientId;
            if (o.contains("client_secret"_L1)) {
                c.clientSecret = o.value("client_secret"_L1).toString();
                if (!isVschar(c.clientSecret)) {
                    bad(u"client_secret is not printable ASCII"_s);
                    return;
                }
            }
            // RFC 7591 §3.2.1: the server may substitute another method; use what it says.
            c.authMethod = o.value("token_endpoint_auth_method"_L1).toString(u"none"_s);
            if (c.authMethod != "none"_L1 && c.authMethod != "client_secret_basic"_L1
                && c.authMethod != "client_secret_post"_L1) {
                bad(u"unsupported token_endpoint_auth_method"_s);
                return;
            }
            if (c.authMethod != "none"_L1 && c.clientSecret.isEmpty()) {
                bad(u"a secret-based method without client_secret"_s);
                return;
            }
            done(std::move(c));
        });
}

Result<PendingAuthorization> OAuthClient::beginAuthorization(
    const ClientCredentials &client, const QString &redirectUri, const QString &scope) const
{
    if (Status s = checkIssuer(client); !s)
        return s.error();
    const QUrl redirect(redirectUri, QUrl::StrictMode);
    // Tessera's own callback: a loopback http URL (RFC 8252 §7.3) or https.
    if (!redirect.isValid() || redirect.isRelative() || redirect.hasFragment() || !checkTransport(redirect))
        return Error::make(u"upstream_bad_redirect_uri"_s,
            u"The callback must be an http://127.0.0.1 or https URL without a fragment."_s);

    Result<QString> verifier = Crypto::randomToken(32); // 43 base64url chars: RFC 7636 §4.1
    Result<QString> state = Crypto::randomToken(32);
    if (!verifier)
        return verifier.error();
    if (!state)
        return state.error();

    PendingAuthorization p;
    p.state = *state;
    p.codeVerifier = *verifier;
    p.redirectUri = redirectUri;
    p.resource = resource();
    p.scope = scope.isEmpty() ? m_discovery.scopeToRequest() : scope;
    p.issuer = m_discovery.serverMetadata.issuer;
    p.issRequired = m_discovery.serverMetadata.issParameterSupported;

    QUrl url = m_discovery.serverMetadata.authorizationEndpoint;
    QUrlQuery query(url);
    auto add = [&query](const QString &k, const QString &v) {
        query.addQueryItem(
            QString::fromLatin1(QUrl::toPercentEncoding(k)), QString::fromLatin1(QUrl::toPercentEncoding(v)));
    };
    add(u"response_type"_s, u"code"_s);
    add(u"client_id"_s, client.clientId);
    add(u"redirect_uri"_s, redirectUri);
    add(u"code_challenge"_s, QString::fromLatin1(Crypto::s256Challenge(p.codeVerifier.toLatin1())));
    add(u"code_challenge_method"_s, u"S256"_s);
    add(u"state"_s, p.state);
    if (!p.scope.isEmpty())
        add(u"scope"_s, p.scope);
    add(u"resource"_s, p.resource); // RFC 8707 §2; MCP: MUST be sent
    url.setQuery(query.query(QUrl::FullyEncoded), QUrl::StrictMode);
    p.authorizationUrl = url;
    return p;
}

Result<QString> OAuthClient::validateCallback(const PendingAuthorization &pending, const QUrl &callbackUrl)
{
    Result<FormData> form = parseForm(callbackUrl.query(QUrl::FullyEncoded).toLatin1());
    if (!form)
        return Error::make(u"upstream_bad_callback"_s,
            u"The sign-in redirect is malformed (%1); start the sign-in again."_s.arg(form.error().code));
    const QString state = form->value(u"state").value_or(QString {});
    if (!Crypto::constantTimeEquals(state.toUtf8(), pending.state.toUtf8()))
        return Error::make(u"upstream_state_mismatch"_s,
            u"The sign-in redirect does not belong to this sign-in (state differs); start the sign-in again."_s);

    // RFC 9207 §2.4: compare iss with the issuer (simple string comparison) before using the
    // response, error responses included; a missing iss is refused when the AS advertised it.
    if (const auto iss = form->value(u"iss")) {
        if (*iss != pending.issuer)
            return Error::make(u"upstream_iss_mismatch"_s,
                u"The sign-in redirect comes from %1, not from %2 (a possible mix-up attack); start the sign-in again."_s
                    .arg(*iss, pending.issuer));
    } else if (pending.issRequired) {
        return Error::make(u"upstream_iss_missing"_s,
            u"The sign-in redirect lacks the iss parameter the authorization server promised (RFC 9207); start the sign-in again."_s);
    }
    if (const auto error = form->value(u"error")) {
        if (*error == "access_denied"_L1)
            return Error::make(u"upstream_authorization_denied"_s,
                u"The sign-in was declined at the authorization server; connect again to retry."_s);
        const QString code = (error->size() <= 64 && isVschar(*error)) ? *error : u"unknown"_s;
        return Error::make(u"upstream_authorization_error"_s,
            u"The authorization server refused the sign-in (%1); connect again, or check the requested scope."_s.arg(
                code));
    }
    const QString code = form->value(u"code").value_or(QString {});
    if (code.isEmpty() || code.size() > 4096 || !isVschar(code))
        return Error::make(
            u"upstream_bad_callback"_s, u"The sign-in redirect carries no usable code; start the sign-in again."_s);
    return code;
}

Result<TokenSet> OAuthClient::parseTokenResponse(
    const HttpResponse &response, const QString &requestedScope, const ClientLimits &limits)
{
    if (response.status != 200)
        return tokenError(oauthErrorCode(response.body), response.status);
    Result<QJsonValue> v = parseStrictJson(response.body);
    auto bad = [](const QString &why) {
        return Error::make(u"upstream_bad_token_response"_s,
            u"The token endpoint's answer is unusable (%1); the authorization server is not compliant, try again later."_s
                .arg(why));
    };
    if (!v || !v->isObject())
        return bad(u"not a JSON object"_s);
    const QJsonObject o = v->toObject();
    // Some servers answer errors with 200 (typescript-sdk#1342).
    if (o.contains("error"_L1))
        return tokenError(oauthErrorCode(response.body), response.status);
    TokenSet t;
    if (!o.value("access_token"_L1).isString())
        return bad(u"no access_token"_s);
    t.accessToken = o.value("access_token"_L1).toString();
    if (t.accessToken.isEmpty() || t.accessToken.size() > limits.maxTokenChars || !isVschar(t.accessToken))
        return bad(u"access_token empty, too long or not printable ASCII"_s);
    // RFC 6749 §5.1: token_type is case-insensitive; only Bearer is used (RFC 6750).
    if (o.value("token_type"_L1).toString().compare("Bearer"_L1, Qt::CaseInsensitive) != 0)
        return bad(u"token_type is not Bearer"_s);
    if (o.contains("refresh_token"_L1)) {
        if (!o.value("refresh_token"_L1).isString())
            return bad(u"refresh_token is not a string"_s);
        t.refreshToken = o.value("refresh_token"_L1).toString();
        if (t.refreshToken.isEmpty() || t.refreshToken.size() > limits.maxTokenChars || !isVschar(t.refreshToken))
            return bad(u"refresh_token empty, too long or not printable ASCII"_s);
    }
    if (o.contains("expires_in"_L1)) {
        const double e = o.value("expires_in"_L1).toDouble(-1);
        if (!o.value("expires_in"_L1).isDouble() || e < 0 || e > 10.0 * 365 * 86400 || std::floor(e) != e)
            return bad(u"expires_in is not a non-negative integer"_s);
        t.expiresIn = static_cast<qint64>(e);
    }
    if (o.contains("scope"_L1)) {
        if (!o.value("scope"_L1).isString())
            return bad(u"scope is not a string"_s);
        t.scope = o.value("scope"_L1).toString();
    } else {
        t.scope = requestedScope; // RFC 6749 §5.1: omitted means as requested
    }
    return t;
}

void OAuthClient::tokenRequest(const ClientCredentials &client, QList<QPair<QString, QString>> form,
    const QString &requestedScope, Callback<TokenSet> done)
{
    if (Status s = checkIssuer(client); !s) {
        QTimer::singleShot(0, this, [done, e = s.error()] { done(e); });
        return;
    }
    UpstreamHttp::Headers headers { { "Content-Type", "application/x-www-form-urlencoded" },
        { "Accept", "application/json" } };
    addClientAuth(client, headers, form);
    const ClientLimits limits = m_limits;
    m_http.send("POST", m_discovery.serverMetadata.tokenEndpoint, headers, formEncode(form),
        [done, requestedScope, limits](Result<HttpResponse> r) {
            if (!r) {
                done(r.error());
                return;
            }
            done(parseTokenResponse(*r, requestedScope, limits));
        });
}

void OAuthClient::exchangeCode(
    const ClientCredentials &client, const PendingAuthorization &pending, const QString &code, Callback<TokenSet> done)
{
    tokenRequest(client,
        { { u"grant_type"_s, u"authorization_code"_s }, { u"code"_s, code }, { u"redirect_uri"_s, pending.redirectUri },
            { u"code_verifier"_s, pending.codeVerifier }, { u"resource"_s, pending.resource } },
        pending.scope, std::move(done));
}

void OAuthClient::refresh(const ClientCredentials &client, const QString &refreshToken, Callback<TokenSet> done)
{
    tokenRequest(client,
        { { u"grant_type"_s, u"refresh_token"_s }, { u"refresh_token"_s, refreshToken },
            { u"resource"_s, resource() } },
        QString {}, [done, refreshToken](Result<TokenSet> r) {
            if (!r) {
                done(std::move(r));
                return;
            }
            // OAuth 2.1 §4.3.3: without a new refresh token the old one stays valid.
            if (r->refreshToken.isEmpty())
                r->refreshToken = refreshToken;
            else
                r->refreshTokenRotated = r->refreshToken != refreshToken;
            done(std::move(r));
        });
}

void OAuthClient::revoke(
    const ClientCredentials &client, const QString &token, const QString &tokenTypeHint, Callback<void> done)
{
    const QUrl endpoint = m_discovery.serverMetadata.revocationEndpoint;
    if (endpoint.isEmpty()) {
        QTimer::singleShot(0, this, [done] {
            done(Error::make(u"upstream_revocation_unsupported"_s,
                u"The authorization server offers no token revocation (RFC 7009); the tokens are deleted "
                u"locally, end the access at the provider's own settings page."_s));
        });
        return;
    }
    if (Status s = checkIssuer(client); !s) {
        QTimer::singleShot(0, this, [done, e = s.error()] { done(e); });
        return;
    }
    UpstreamHttp::Headers headers { { "Content-Type", "application/x-www-form-urlencoded" },
        { "Accept", "application/json" } };
    QList<QPair<QString, QString>> form { { u"token"_s, token } };
    if (!tokenTypeHint.isEmpty())
        form.append({ u"token_type_hint"_s, tokenTypeHint });
    addClientAuth(client, headers, form);
    m_http.send("POST", endpoint, headers, formEncode(form), [done](Result<HttpResponse> r) {
        if (!r) {
            done(r.error());
            return;
        }
        // RFC 7009 §2.2: 200 whether or not the token was valid.
        if (r->status == 200) {
            done({});
            return;
        }
        const QString code = oauthErrorCode(r->body);
        done(Error::make(u"upstream_revocation_failed"_s,
            u"The authorization server did not revoke the token (HTTP %1%2); try disconnecting again later."_s
                .arg(r->status)
                .arg(code.isEmpty() ? QString {} : u", "_s + code)));
    });
}

} // namespace Tessera::Upstream
