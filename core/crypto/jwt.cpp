// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/jwt.h"

#include "crypto/strictjson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>

#include <cmath>

namespace Tessera::Crypto {

namespace {

Error jwtError(const char *code, const char *message)
{
    return Error::make(QString::fromLatin1(code), QString::fromLatin1(message));
}

Error fromJwsError(const Error &e)
{
    // The JWS layer's codes map one to one; the message stays generic.
    QString code = e.code;
    if (code.startsWith(QStringLiteral("jws_")))
        code.replace(0, 3, QStringLiteral("jwt"));
    else
        code = QStringLiteral("jwt_malformed");
    return Error::make(code, e.message);
}

// RFC 7515 §4.1.9: typ is a media type, compared case-insensitively, "application/" optional.
bool typMatches(const QJsonValue &typ, const QByteArray &expected)
{
    if (!typ.isString())
        return false;
    QString t = typ.toString();
    const QString prefix = QStringLiteral("application/");
    if (t.startsWith(prefix, Qt::CaseInsensitive))
        t = t.mid(prefix.size());
    return t.compare(QString::fromLatin1(expected), Qt::CaseInsensitive) == 0;
}

// RFC 7519 §2 NumericDate: a JSON number; a string such as "1700000000" is not one.
enum class DateState
{
    Missing,
    Invalid,
    Valid
};
DateState numericDate(const QJsonObject &claims, const QString &name, double *out)
{
    if (!claims.contains(name))
        return DateState::Missing;
    const QJsonValue v = claims.value(name);
    if (!v.isDouble() || !std::isfinite(v.toDouble()))
        return DateState::Invalid;
    *out = v.toDouble();
    return DateState::Valid;
}

bool isNonEmptyString(const QJsonValue &v)
{
    return v.isString() && !v.toString().isEmpty();
}

} // namespace

Result<QByteArray> signAccessToken(const AccessTokenClaims &c, const SigningKey &key)
{
    if (c.iss.isEmpty() || c.sub.isEmpty() || c.aud.isEmpty() || c.clientId.isEmpty() || c.jti.isEmpty() || c.iat <= 0
        || c.exp <= c.iat)
        return jwtError("jwt_bad_claims", "The access token claims are incomplete or inconsistent.");

    // RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat, jti are required; scope when granted.
    QJsonObject claims {
        { QStringLiteral("iss"), c.iss },
        { QStringLiteral("sub"), c.sub },
        { QStringLiteral("aud"), c.aud },
        { QStringLiteral("client_id"), c.clientId },
        { QStringLiteral("iat"), c.iat },
        { QStringLiteral("exp"), c.exp },
        { QStringLiteral("jti"), c.jti },
    };
    if (!c.scope.isEmpty())
        claims.insert(QStringLiteral("scope"), c.scope);

    // RFC 9068 §2.1: typ "at+jwt" so that an access token can never pass as an ID token.
    const QJsonObject header { { QStringLiteral("typ"), QString::fromLatin1(AccessTokenType) } };
    return signCompact(header, QJsonDocument(claims).toJson(QJsonDocument::Compact), key);
}

Result<QJsonObject> verifyJwt(QByteArrayView token, const KeyLookup &keyLookup, const JwtValidation &v)
{
    // Fail closed on a half-filled validation rather than skip a check.
    if (v.issuer.isEmpty() || v.audience.isEmpty() || v.typ.isEmpty() || v.nowSecs <= 0 || v.leewaySecs < 0)
        return jwtError("jwt_bad_validation", "The token validation settings are incomplete.");

    Result<VerifiedJws> jws = verifyCompact(token, keyLookup);
    if (!jws)
        return fromJwsError(jws.error());

    // RFC 9068 §4: the resource server MUST check typ ("at+jwt").
    if (!typMatches(jws->header.value(QStringLiteral("typ")), v.typ))
        return jwtError("jwt_bad_typ", "The token is not of the expected type.");

    Result<QJsonObject> parsed = parseStrictJsonObject(jws->payload);
    if (!parsed)
        return jwtError("jwt_malformed", "The token claims are not a valid JSON object.");
    const QJsonObject &claims = *parsed;

    // RFC 7519 §4.1.1 / RFC 9068 §4: iss must match exactly.
    const QJsonValue iss = claims.value(QStringLiteral("iss"));
    if (!iss.isString() || iss.toString() != v.issuer)
        return jwtError("jwt_bad_issuer", "The token was issued by someone else.");

    // RFC 7519 §4.1.3: aud is a string or an array of strings that must contain us.
    const QJsonValue aud = claims.value(QStringLiteral("aud"));
    bool audienceOk = false;
    if (aud.isString()) {
        audienceOk = aud.toString() == v.audience;
    } else if (aud.isArray()) {
        for (const QJsonValue &a : aud.toArray()) {
            if (!a.isString())
                return jwtError("jwt_bad_claim", "The token audience contains a non-string value.");
            audienceOk = audienceOk || a.toString() == v.audience;
        }
    } else if (!aud.isUndefined()) {
        return jwtError("jwt_bad_claim", "The token audience is neither a string nor an array.");
    }
    if (!audienceOk)
        return jwtError("jwt_bad_audience", "The token is meant for another audience.");

    const auto now = static_cast<double>(v.nowSecs);
    const auto leeway = static_cast<double>(v.leewaySecs);

    double exp = 0;
    switch (numericDate(claims, QStringLiteral("exp"), &exp)) {
    case DateState::Missing:
        return jwtError("jwt_missing_claim", "The token has no expiry.");
    case DateState::Invalid:
        return jwtError("jwt_bad_claim", "The token expiry is not a number.");
    case DateState::Valid:
        break;
    }
    // RFC 7519 §4.1.4: the current time MUST be before exp.
    if (!(now - leeway < exp))
        return jwtError("jwt_expired", "The token has expired.");

    double nbf = 0;
    switch (numericDate(claims, QStringLiteral("nbf"), &nbf)) {
    case DateState::Missing:
        break;
    case DateState::Invalid:
        return jwtError("jwt_bad_claim", "The token not-before time is not a number.");
    case DateState::Valid:
        // RFC 7519 §4.1.5: not before nbf.
        if (nbf > now + leeway)
            return jwtError("jwt_not_yet_valid", "The token is not valid yet.");
        break;
    }

    double iat = 0;
    switch (numericDate(claims, QStringLiteral("iat"), &iat)) {
    case DateState::Missing:
        return jwtError("jwt_missing_claim", "The token has no issue time.");
    case DateState::Invalid:
        return jwtError("jwt_bad_claim", "The token issue time is not a number.");
    case DateState::Valid:
        if (iat > now + leeway)
            return jwtError("jwt_issued_in_future", "The token claims to be issued in the future.");
        break;
    }

    // RFC 9068 §2.2: sub, client_id and jti are required too; an ID token has no client_id.
    for (const QString &name : { QStringLiteral("sub"), QStringLiteral("client_id"), QStringLiteral("jti") }) {
        const QJsonValue value = claims.value(name);
        if (value.isUndefined())
            return jwtError("jwt_missing_claim", "The token lacks a required claim.");
        if (!isNonEmptyString(value))
            return jwtError("jwt_bad_claim", "A required token claim is not a non-empty string.");
    }
    if (claims.contains(QStringLiteral("scope")) && !claims.value(QStringLiteral("scope")).isString())
        return jwtError("jwt_bad_claim", "The token scope is not a string.");

    return claims;
}

} // namespace Tessera::Crypto
