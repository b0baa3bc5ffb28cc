// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace Tessera::Crypto {

inline constexpr qsizetype Sha256Size = 32;

/**
 * @brief SHA-256 (FIPS 180-4) of @p data through OpenSSL EVP: 32 raw bytes.
 *
 * Returns an empty array only if OpenSSL itself fails (allocation or provider failure);
 * callers that compare digests must treat a result that is not 32 bytes as a failure.
 */
[[nodiscard]] QByteArray sha256(QByteArrayView data);

} // namespace Tessera::Crypto
