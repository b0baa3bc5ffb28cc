// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QString>

namespace Tessera {

/**
 * @brief RFC 8707 §2 resource indicator in canonical form: the one spelling under which a
 * resource is stored, compared and put in a token's `aud`.
 *
 * Absolute http(s) URI, no fragment, no user info; scheme and host lower-cased, default
 * port removed, and a lone "/" path removed (clients send `new URL(x).href`, which turns
 * `http://h:1` into `http://h:1/`: mcp-authorization.md §0.2 item 5). Plain http only for
 * loopback hosts. Errors have code `invalid_target`.
 */
[[nodiscard]] Result<QString> canonicalResource(const QString &uri);

/**
 * @brief Whether a URI string has anything outside printable ASCII, a space or a backslash:
 * where URL parsers disagree (security-cases C1, D3), so such strings are refused outright.
 */
[[nodiscard]] bool hasUnsafeUriCharacters(const QString &uri);

/** @brief Whether @p host is 127.0.0.1, ::1 or localhost (RFC 8252 §7.3 applies to these). */
[[nodiscard]] bool isLoopbackRedirectHost(const QString &host);

} // namespace Tessera
