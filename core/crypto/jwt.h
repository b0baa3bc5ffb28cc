// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "crypto/eckey.h"
#include "crypto/jws.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

namespace Tessera::Crypto {

/** @brief RFC 9068 §2.1: the "typ" of a JWT access token. */
inline constexpr char AccessTokenType[] = "at+jwt";

/** @brief The claims of a JWT access token (RFC 9068 §2.2). Times are seconds since the epoch. */
struct AccessTokenClaims
{
    QString iss;
    QString sub;
    QString aud; // one resource (RFC 8707): the token is only good there
    QString clientId; // "client_id"
    QString scope; // space-separated; omitted from the token when empty
    qint64 iat = 0;
    qint64 exp = 0;
    QString jti;
};

/**
 * @brief Signs an access token: header {typ: "at+jwt", alg: "ES256", kid}, the claims above.
 *
 * Refuses ("jwt_bad_claims") an empty iss, sub, aud, client_id or jti, iat <= 0, or exp <= iat.
 */
[[nodiscard]] Result<QByteArray> signAccessToken(const AccessTokenClaims &claims, const SigningKey &key);

/** @brief What verifyJwt() checks a token against. */
struct JwtValidation
{
    QString issuer; // exact match with "iss"
    QString audience; // "aud" equals it or, as an array, contains it
    QByteArray typ = QByteArray(AccessTokenType); // header "typ", case-insensitive, "application/" optional
    qint64 nowSecs = 0; // from the injected Clock; must be set
    qint64 leewaySecs = 0; // clock skew allowed on exp, nbf and iat
};

/**
 * @brief Verifies a JWT access token and returns its claims.
 *
 * The signature goes through verifyCompact() (ES256 only, kid required). Then: the header typ
 * (RFC 9068 §4, RFC 7515 §4.1.9), a strict claims object (no duplicate members, no trailing
 * data), iss, aud, exp (required, now < exp + leeway), nbf (if present, nbf <= now + leeway),
 * iat (required, not after now + leeway), and the other RFC 9068 §2.2 required claims (sub,
 * client_id, jti as strings). NumericDate claims must be JSON numbers, never strings.
 *
 * Error codes: jwt_too_large, jwt_malformed, jwt_bad_alg, jwt_unsupported_header,
 * jwt_missing_kid, jwt_unknown_kid, jwt_bad_signature, jwt_bad_typ, jwt_bad_issuer,
 * jwt_bad_audience, jwt_missing_claim, jwt_bad_claim, jwt_expired, jwt_not_yet_valid,
 * jwt_issued_in_future, and jwt_bad_validation for an incomplete @p validation.
 */
[[nodiscard]] Result<QJsonObject> verifyJwt(
    QByteArrayView token, const KeyLookup &keyLookup, const JwtValidation &validation);

} // namespace Tessera::Crypto
