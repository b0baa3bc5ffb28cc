// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "crypto/eckey.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <functional>

namespace Tessera::Crypto {

/** @brief Tokens longer than this are refused before any decoding (16 KiB). */
inline constexpr qsizetype MaxJwsSize = 16 * 1024;

/**
 * @brief Finds the verification key for a kid, or returns nullptr for an unknown kid.
 *
 * The kid comes from the token and is attacker-controlled: treat it as an opaque string (never
 * a path, URL or query fragment). The returned pointer only needs to live for the call.
 */
using KeyLookup = std::function<const VerificationKey *(const QString &kid)>;

struct JwsVerifyOptions
{
    /**
     * @brief Whether the header must carry a kid (the default, and the only setting for tokens
     * Tessera issues). false exists for published vectors that have no kid: the lookup is then
     * called with an empty kid and should return the single pinned key.
     */
    bool requireKid = true;
};

/** @brief A JWS whose signature checked out. */
struct VerifiedJws
{
    QJsonObject header;
    QByteArray payload;
    QString kid;
};

/**
 * @brief Signs @p payload as an ES256 JWS in compact serialization (RFC 7515 §7.1).
 *
 * @p header is copied; "alg" is set to "ES256" and "kid" to the key's kid, whatever the caller
 * put there. Headers that verifyCompact() would refuse (crit, jku, x5u, jwk, x5c, b64) are
 * refused here too ("jws_unsupported_header").
 */
[[nodiscard]] Result<QByteArray> signCompact(
    const QJsonObject &header, const QByteArray &payload, const SigningKey &key);

/**
 * @brief Verifies an ES256 JWS in compact serialization.
 *
 * Checks, in order, each with its own error code:
 *  - size <= MaxJwsSize ("jws_too_large"); exactly three parts of strict base64url, the header a
 *    JSON object without duplicate members or trailing data ("jws_malformed");
 *  - "alg" exactly "ES256": none, HS256 and everything else are refused ("jws_bad_alg"), so a
 *    public key can never be used as an HMAC secret (RFC 8725 §2.1, §3.1);
 *  - no "crit" (nothing is understood, RFC 7515 §4.1.11), and no "jku", "x5u", "jwk", "x5c" or
 *    "b64": keys never come from the token ("jws_unsupported_header");
 *  - "kid" present ("jws_missing_kid") and known to @p keyLookup ("jws_unknown_kid");
 *  - the signature 64 bytes with R, S in [1, n-1], valid for the key ("jws_bad_signature").
 * The payload is returned as bytes; it is not parsed here.
 */
[[nodiscard]] Result<VerifiedJws> verifyCompact(
    QByteArrayView token, const KeyLookup &keyLookup, const JwsVerifyOptions &options = {});

} // namespace Tessera::Crypto
