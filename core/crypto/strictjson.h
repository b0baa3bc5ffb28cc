// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QByteArrayView>
#include <QJsonObject>

namespace Tessera::Crypto {

/** @brief Deepest nesting of objects and arrays that parseStrictJsonObject() accepts. */
inline constexpr int StrictJsonMaxDepth = 32;

/**
 * @brief Parses one JSON object (RFC 8259) for security decisions (JOSE headers, JWT claims).
 *
 * QJsonDocument silently keeps the last of duplicate member names, so an attacker could
 * show one value to this parser and another to a different one (RFC 8725 §3.11, RFC 7515 §5.2).
 * A validating scan runs first and rejects ("json_invalid"): duplicate member names at any depth
 * (compared after unescaping, so "a" and "\u0061" collide), anything after the object other than
 * whitespace, a byte order mark, invalid UTF-8, unpaired surrogate escapes, control characters in
 * strings, nesting deeper than StrictJsonMaxDepth, and a top-level value that is not an object.
 */
[[nodiscard]] Result<QJsonObject> parseStrictJsonObject(QByteArrayView json);

} // namespace Tessera::Crypto
