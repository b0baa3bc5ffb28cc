// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QByteArrayView>

namespace Tessera::Crypto {

/** @brief RFC 7518 §3.4: an ES256 JWS signature is R || S, each a 32-byte big-endian integer. */
inline constexpr qsizetype Es256SignatureSize = 64;

/**
 * @brief Converts OpenSSL's DER ECDSA-Sig-Value (RFC 3279 §2.2.3) to the 64-byte JOSE form,
 * left-padding R and S to 32 bytes.
 *
 * Fails ("ecdsa_bad_signature") on malformed DER, trailing bytes, or R/S outside [1, n-1].
 */
[[nodiscard]] Result<QByteArray> es256DerToRaw(QByteArrayView der);

/**
 * @brief Converts a 64-byte JOSE R || S signature to DER for EVP verification.
 *
 * Fails ("ecdsa_bad_signature") unless the input is exactly 64 bytes and both R and S are in
 * [1, n-1], n being the order of P-256 (SEC 2 §2.4.2); out-of-range values are never handed to
 * OpenSSL.
 */
[[nodiscard]] Result<QByteArray> es256RawToDer(QByteArrayView raw);

} // namespace Tessera::Crypto
