// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QByteArrayView>
#include <QJsonValue>

namespace Tessera {

/** @brief Limits enforced by parseStrictJson(); the input is rejected, never truncated. */
struct StrictJsonLimits
{
    qsizetype maxBytes = 64 * 1024; ///< whole document, before anything is parsed
    int maxDepth = 16; ///< nested objects and arrays; a top-level container is depth 1
    qsizetype maxStringBytes = 8 * 1024; ///< one string or member name as encoded, quotes included
    qsizetype maxArrayItems = 256; ///< elements of one array
    qsizetype maxMembers = 256; ///< members of one object
};

/**
 * @brief Parses RFC 8259 JSON under the I-JSON profile (RFC 7493), for bodies and headers
 * that security decisions depend on (/register bodies, JOSE headers).
 *
 * One iterative pass builds the value (no recursion, so depth is bounded by the limit, not the
 * stack) and rejects what QJsonDocument would silently accept or reinterpret. Error codes:
 * - json_too_large: input longer than maxBytes;
 * - json_too_deep: nesting beyond maxDepth;
 * - json_duplicate_member: a member name repeated in one object, compared after unescaping
 *   (RFC 7493 §2.3; QJsonDocument keeps the last one);
 * - json_invalid_utf8: malformed, overlong or surrogate-encoding UTF-8 (RFC 3629 §3);
 * - json_invalid_unicode: a lone surrogate escape such as \\ud800, or a noncharacter (RFC 7493 §2.1);
 * - json_nul: U+0000 in a string (it truncates C strings downstream);
 * - json_number_out_of_range: a number that is not a finite, non-underflowing IEEE double (RFC 7493 §2.2);
 * - json_string_too_long, json_too_many_items, json_too_many_members: per-value limits;
 * - json_bom: a leading byte order mark (RFC 8259 §8.1);
 * - json_trailing_data: anything but whitespace after the value;
 * - json_syntax: everything else that is not RFC 8259 JSON (including unescaped control characters).
 * Messages give a byte offset, never input text.
 */
[[nodiscard]] Result<QJsonValue> parseStrictJson(QByteArrayView json, const StrictJsonLimits &limits = {});

/** @brief Whether @p bytes is well-formed UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
[[nodiscard]] bool isStrictUtf8(QByteArrayView bytes);

} // namespace Tessera
