// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace Tessera::Crypto {

inline constexpr qsizetype PkceVerifierMinLength = 43;
inline constexpr qsizetype PkceVerifierMaxLength = 128;
inline constexpr qsizetype PkceS256ChallengeLength = 43;

/** @brief RFC 7636 §4.1: 43..128 characters of [A-Za-z0-9-._~]. */
[[nodiscard]] bool isValidVerifier(QByteArrayView verifier);

/** @brief An S256 challenge: exactly 43 characters of canonical base64url encoding 32 bytes (§4.2). */
[[nodiscard]] bool isValidS256Challenge(QByteArrayView challenge);

/**
 * @brief BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) (RFC 7636 §4.2).
 *
 * Does not validate the verifier; verifyS256() does.
 */
[[nodiscard]] QByteArray s256Challenge(QByteArrayView verifier);

/**
 * @brief RFC 7636 §4.6 with method S256: both values well-formed and the derived challenge
 * equal to @p challenge (constant-time). The "plain" method is not supported anywhere.
 */
[[nodiscard]] bool verifyS256(QByteArrayView verifier, QByteArrayView challenge);

} // namespace Tessera::Crypto
