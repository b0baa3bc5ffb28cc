// SPDX-License-Identifier: GPL-3.0-or-later
#include "oauth/clientauth.h"

#include "common/hex.h"

#include "common/clock.h"
#include "common/strictjson.h"
#include "crypto/ctequal.h"
#include "crypto/hash.h"
#include "http/request.h"
#include "http/response.h"
#include "store/clientstore.h"

namespace Tessera::OAuth {

using namespace Qt::Literals::StringLiterals;

namespace {

// Longer inputs cannot be ours (CIMD URLs are capped at 2048, secrets are 43 characters), and
// bounding them bounds the hashing work an attacker can ask for.
constexpr qsizetype MaxClientIdChars = 2048;
constexpr qsizetype MaxSecretChars = 512;
constexpr qsizetype MaxHeaderChars = 4096;

const QString kNone = u"none"_s;
const QString kBasic = u"client_secret_basic"_s;
const QString kPost = u"client_secret_post"_s;

// application/x-www-form-urlencoded decoding of one Basic credential part (RFC 6749 §2.3.1,
// Appendix B). Unencoded input (the TS SDK's btoa(id:secret)) passes through unchanged as long
// as it holds no '%' or '+', which Tessera's identifiers and secrets never do.
std::optional<QString> formDecode(QByteArrayView raw)
{
    QByteArray out;
    out.reserve(raw.size());
    for (qsizetype i = 0; i < raw.size(); ++i) {
        const char c = raw[i];
        if (c == '+') {
            out.append(' ');
        } else if (c == '%') {
            if (i + 2 >= raw.size())
                return std::nullopt;
            const int hi = hexDigitValue(raw[i + 1]);
            const int lo = hexDigitValue(raw[i + 2]);
            if (hi < 0 || lo < 0)
                return std::nullopt;
            out.append(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else {
            out.append(c);
        }
    }
    if (!isStrictUtf8(out))
        return std::nullopt;
    const QString text = QString::fromUtf8(out);
    const bool hasControl
        = std::any_of(text.begin(), text.end(), [](QChar ch) { return ch.unicode() < 0x20 || ch.unicode() == 0x7f; });
    if (hasControl)
        return std::nullopt;
    return text;
}

ClientAuthError invalidClient(bool basic, const QString &description, const QString &debug = {})
{
    return ClientAuthError { OAuthError::invalidClient(description).withDebug(debug), basic };
}

ClientAuthError invalidRequest(const QString &description)
{
    return ClientAuthError { OAuthError::invalidRequest(description), false };
}

} // namespace

std::optional<std::pair<QString, QString>> decodeBasicCredentials(const QString &headerValue)
{
    if (headerValue.size() > MaxHeaderChars)
        return std::nullopt;
    // RFC 7617 §2: credentials = "Basic" 1*SP token68; the scheme is case-insensitive.
    const qsizetype space = headerValue.indexOf(u' ');
    if (space <= 0 || headerValue.left(space).compare(u"Basic"_s, Qt::CaseInsensitive) != 0)
        return std::nullopt;
    const QString token = headerValue.mid(space + 1).trimmed();
    if (token.isEmpty() || token.contains(u' '))
        return std::nullopt;
    for (QChar c : token) {
        const ushort u = c.unicode();
        const bool b64 = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u == '+'
            || u == '/' || u == '=';
        if (!b64)
            return std::nullopt;
    }
    const auto decoded = QByteArray::fromBase64Encoding(token.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    const QByteArray &raw = *decoded;
    const qsizetype colon = raw.indexOf(':');
    if (colon < 0)
        return std::nullopt;
    auto id = formDecode(QByteArrayView(raw).first(colon));
    auto secret = formDecode(QByteArrayView(raw).sliced(colon + 1));
    if (!id || !secret)
        return std::nullopt;
    return std::make_pair(std::move(*id), std::move(*secret));
}

Result<AuthenticatedClient, ClientAuthError> authenticateClient(
    const ClientCredentials &credentials, Store::ClientStore &clients, const Clock &clock)
{
    const bool usedHeader = credentials.authorizationHeader.has_value();
    QString clientId;
    std::optional<QString> secret;
    QString method;

    if (usedHeader) {
        const auto basic = decodeBasicCredentials(*credentials.authorizationHeader);
        if (!basic)
            return invalidClient(true, u"The Authorization header is not valid HTTP Basic client authentication."_s);
        // RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request."
        if (credentials.clientSecret)
            return invalidRequest(
                u"Send the client secret either in the Authorization header or in the body, not both."_s);
        if (credentials.clientId && *credentials.clientId != basic->first)
            return invalidRequest(u"The client_id in the body differs from the one in the Authorization header."_s);
        clientId = basic->first;
        secret = basic->second;
        method = kBasic;
    } else if (credentials.clientSecret) {
        if (!credentials.clientId)
            return invalidRequest(u"A client_secret was sent without a client_id."_s);
        clientId = *credentials.clientId;
        secret = *credentials.clientSecret;
        method = kPost;
    } else {
        if (!credentials.clientId)
            return invalidClient(false, u"Client authentication is required: send client_id."_s);
        clientId = *credentials.clientId;
        method = kNone;
    }

    if (clientId.isEmpty() || clientId.size() > MaxClientIdChars)
        return invalidClient(usedHeader, u"The client_id is not valid."_s);
    if (secret && (secret->isEmpty() || secret->size() > MaxSecretChars))
        return invalidClient(usedHeader, u"Client authentication failed."_s, u"secret empty or too long"_s);

    auto found = clients.find(clientId);
    if (!found)
        return ClientAuthError {
            OAuthError::serverError(u"The client could not be looked up."_s).withDebug(found.error().toString()), false
        };
    if (!found->has_value())
        return invalidClient(usedHeader, u"Unknown client."_s);
    Store::Client client = std::move(**found);

    // Unconsented registrations expire (clientregistration.h); until purged they are gone all the same.
    if (client.expiresAt && *client.expiresAt <= clock.nowSecs())
        return invalidClient(usedHeader, u"Unknown client."_s, u"registration expired"_s);

    // security-cases F5: the method must be the registered one, so a confidential client's
    // identifier alone (method none) never authenticates it.
    if (method != client.tokenEndpointAuthMethod)
        return invalidClient(usedHeader, u"Client authentication failed."_s,
            u"method %1, registered %2"_s.arg(method, client.tokenEndpointAuthMethod));

    if (method != kNone) {
        const QByteArray presented = Crypto::sha256(secret->toUtf8());
        // security-cases H1: hash first, then compare in constant time.
        if (client.secretHash.size() != Crypto::Sha256Size || presented.size() != Crypto::Sha256Size
            || !Crypto::constantTimeEquals(presented, client.secretHash))
            return invalidClient(usedHeader, u"Client authentication failed."_s, u"wrong secret"_s);
    }
    return AuthenticatedClient { std::move(client), method };
}

Result<ClientCredentials, ClientAuthError> requestCredentials(const Http::Request &request, const FormData &form)
{
    ClientCredentials credentials;
    if (request.headers.contains("authorization")) {
        auto header = request.headers.single("authorization");
        if (!header)
            return invalidRequest(u"Send one Authorization header."_s);
        credentials.authorizationHeader = QString::fromLatin1(*header);
    }
    credentials.clientId = form.value(u"client_id");
    credentials.clientSecret = form.value(u"client_secret");
    return credentials;
}

Result<AuthenticatedClient, ClientAuthError> authenticateRequest(
    const Http::Request &request, const FormData &form, Store::ClientStore &clients, const Clock &clock)
{
    auto credentials = requestCredentials(request, form);
    if (!credentials)
        return credentials.error();
    return authenticateClient(*credentials, clients, clock);
}

Http::Response clientAuthErrorResponse(const ClientAuthError &e)
{
    Http::Response r = oauthErrorResponse(e.error);
    if (e.basicChallenge)
        r.withHeader("WWW-Authenticate", ClientAuthError::wwwAuthenticate().toLatin1());
    return r;
}

} // namespace Tessera::OAuth
