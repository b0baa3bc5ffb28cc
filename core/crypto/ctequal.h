// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>

namespace Tessera::Crypto {

/**
 * @brief Compares two secrets without leaking where they differ or whether their lengths match.
 *
 * Method: both inputs are hashed with SHA-256 and the two 32-byte digests are compared with
 * CRYPTO_memcmp, so there is no early return on a length mismatch and the comparison always
 * touches exactly 32 bytes. Hashing time depends only on each input's own length, which the
 * party that supplied it already knows. Equal digests mean equal inputs (collision resistance).
 * If hashing fails the answer is false (fail closed).
 */
[[nodiscard]] bool constantTimeEquals(QByteArrayView a, QByteArrayView b);

} // namespace Tessera::Crypto
