// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/jws.h"

#include "crypto/ecdsasig.h"
#include "crypto/encoding.h"
#include "crypto/strictjson.h"

#include <QJsonDocument>
#include <QJsonValue>

namespace Tessera::Crypto {

namespace {

constexpr QLatin1StringView Es256Alg("ES256");

Error jwsError(const char *code, const char *message)
{
    return Error::make(QString::fromLatin1(code), QString::fromLatin1(message));
}

// Header parameters Tessera never honours. jku/x5u/jwk/x5c would let the token name its own key
// (RFC 8725 §3.10); b64 changes the signing input (RFC 7797) and crit demands understanding.
const char *const RefusedHeaders[] = { "crit", "jku", "x5u", "jwk", "x5c", "b64" };

bool hasRefusedHeader(const QJsonObject &header)
{
    for (const char *name : RefusedHeaders) {
        if (header.contains(QLatin1StringView(name)))
            return true;
    }
    return false;
}

} // namespace

Result<QByteArray> signCompact(const QJsonObject &header, const QByteArray &payload, const SigningKey &key)
{
    if (hasRefusedHeader(header))
        return jwsError("jws_unsupported_header", "The JWS header contains a parameter Tessera does not support.");
    QJsonObject h = header;
    h.insert(QStringLiteral("alg"), QString(Es256Alg));
    h.insert(QStringLiteral("kid"), key.kid());

    // RFC 7515 §7.1: BASE64URL(UTF8(header)) '.' BASE64URL(payload) '.' BASE64URL(signature)
    QByteArray token = base64UrlEncode(QJsonDocument(h).toJson(QJsonDocument::Compact));
    token.append('.');
    token.append(base64UrlEncode(payload));
    Result<QByteArray> signature = key.signEs256(token);
    if (!signature)
        return signature.error();
    token.append('.');
    token.append(base64UrlEncode(*signature));
    if (token.size() > MaxJwsSize)
        return jwsError("jws_too_large", "The signed token would exceed the size limit.");
    return token;
}

Result<VerifiedJws> verifyCompact(QByteArrayView token, const KeyLookup &keyLookup, const JwsVerifyOptions &options)
{
    if (token.size() > MaxJwsSize)
        return jwsError("jws_too_large", "The token exceeds the size limit.");

    // RFC 7515 §7.1: exactly two periods, three parts.
    const qsizetype dot1 = token.indexOf('.');
    const qsizetype dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
    if (dot1 < 0 || dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0)
        return jwsError("jws_malformed", "The token does not have three parts.");
    const QByteArrayView headerB64 = token.first(dot1);
    const QByteArrayView payloadB64 = token.sliced(dot1 + 1, dot2 - dot1 - 1);
    const QByteArrayView signatureB64 = token.sliced(dot2 + 1);
    const QByteArrayView signingInput = token.first(dot2);

    const Result<QByteArray> headerBytes = base64UrlDecode(headerB64);
    const Result<QByteArray> payload = base64UrlDecode(payloadB64);
    const Result<QByteArray> signature = base64UrlDecode(signatureB64);
    if (!headerBytes || !payload || !signature)
        return jwsError("jws_malformed", "A token part is not canonical base64url.");

    // RFC 7515 §5.2 steps 2-4: the header is a UTF-8 JSON object; duplicates are rejected.
    const Result<QJsonObject> header = parseStrictJsonObject(*headerBytes);
    if (!header)
        return jwsError("jws_malformed", "The token header is not a valid JSON object.");

    // RFC 8725 §3.1: the algorithm is fixed by the verifier, never chosen by the token.
    if (header->value(QStringLiteral("alg")) != QJsonValue(QString(Es256Alg)))
        return jwsError("jws_bad_alg", "The token is not signed with ES256.");
    if (hasRefusedHeader(*header))
        return jwsError("jws_unsupported_header", "The token header contains a parameter Tessera does not support.");

    QString kid;
    if (header->contains(QStringLiteral("kid"))) {
        const QJsonValue k = header->value(QStringLiteral("kid"));
        if (!k.isString() || k.toString().isEmpty())
            return jwsError("jws_malformed", "The token key id is not a non-empty string.");
        kid = k.toString();
    } else if (options.requireKid) {
        return jwsError("jws_missing_kid", "The token header has no key id.");
    }

    const VerificationKey *key = keyLookup ? keyLookup(kid) : nullptr;
    if (!key)
        return jwsError("jws_unknown_kid", "The token was signed with an unknown key.");

    // RFC 7518 §3.4: exactly 64 bytes; the key also checks R and S are in [1, n-1].
    if (signature->size() != Es256SignatureSize || !key->verifyEs256(signingInput, *signature))
        return jwsError("jws_bad_signature", "The token signature is not valid.");

    return VerifiedJws { *header, *payload, kid };
}

} // namespace Tessera::Crypto
