// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/pkce.h"

#include "crypto/ctequal.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"

#include <algorithm>

namespace Tessera::Crypto {

namespace {

// RFC 7636 §4.1: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
constexpr bool isUnreserved(char c) noexcept
{
    return isBase64UrlChar(c) || c == '.' || c == '~';
}

} // namespace

bool isValidVerifier(QByteArrayView verifier)
{
    if (verifier.size() < PkceVerifierMinLength || verifier.size() > PkceVerifierMaxLength)
        return false;
    return std::all_of(verifier.begin(), verifier.end(), isUnreserved);
}

bool isValidS256Challenge(QByteArrayView challenge)
{
    if (challenge.size() != PkceS256ChallengeLength)
        return false;
    // Strict decoding also rejects a non-canonical last character.
    const Result<QByteArray> digest = base64UrlDecode(challenge);
    return digest.ok() && digest->size() == Sha256Size;
}

QByteArray s256Challenge(QByteArrayView verifier)
{
    const QByteArray digest = sha256(verifier);
    if (digest.size() != Sha256Size)
        return {};
    return base64UrlEncode(digest);
}

bool verifyS256(QByteArrayView verifier, QByteArrayView challenge)
{
    if (!isValidVerifier(verifier) || !isValidS256Challenge(challenge))
        return false;
    const QByteArray derived = s256Challenge(verifier);
    if (derived.size() != PkceS256ChallengeLength)
        return false;
    // RFC 7636 §4.6: compare the derived value with the stored code_challenge.
    return constantTimeEquals(derived, challenge);
}

} // namespace Tessera::Crypto
