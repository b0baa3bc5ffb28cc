// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QString>

namespace Tessera::Crypto {

/** @brief Default size of a random token: 32 bytes, i.e. 256 bits of entropy. */
inline constexpr int DefaultTokenBytes = 32;
/** @brief Tokens shorter than 16 bytes (128 bits) are refused. */
inline constexpr int MinTokenBytes = 16;
/** @brief Upper bound for one randomBytes() call. */
inline constexpr int MaxRandomBytes = 1024 * 1024;

/**
 * @brief @p n bytes from OpenSSL's CSPRNG (RAND_bytes).
 *
 * Fails closed: if the generator reports an error no bytes are returned ("random_failed").
 * @p n must be in [0, MaxRandomBytes] ("random_bad_size").
 */
[[nodiscard]] Result<QByteArray> randomBytes(int n);

/**
 * @brief A fresh secret token: @p bytes random bytes as unpadded base64url.
 *
 * The result uses only [A-Za-z0-9_-] (RFC 3986 unreserved), so it can go into URLs and
 * form bodies unescaped. Fewer than MinTokenBytes bytes is refused ("random_too_short").
 */
[[nodiscard]] Result<QString> randomToken(int bytes = DefaultTokenBytes);

} // namespace Tessera::Crypto
