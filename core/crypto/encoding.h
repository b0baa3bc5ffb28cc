// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QByteArrayView>

namespace Tessera::Crypto {

/** @brief base64url (RFC 4648 §5) without padding, as JOSE and PKCE use it (RFC 7515 §2). */
[[nodiscard]] QByteArray base64UrlEncode(QByteArrayView data);

/**
 * @brief Strict base64url decoding: only the canonical unpadded encoding is accepted.
 *
 * Rejected ("base64url_invalid"): padding '=', the standard-alphabet '+' and '/', whitespace,
 * any byte outside [A-Za-z0-9_-], a length of 4k+1, and non-zero trailing bits (RFC 4648 §3.5),
 * so every byte string has exactly one accepted encoding. The empty input decodes to empty.
 */
[[nodiscard]] Result<QByteArray> base64UrlDecode(QByteArrayView encoded);

/** @brief Whether @p c is in the base64url alphabet [A-Za-z0-9_-]. */
[[nodiscard]] constexpr bool isBase64UrlChar(char c) noexcept
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

} // namespace Tessera::Crypto
