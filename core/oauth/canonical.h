// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/resourceuri.h"
#include "common/result.h"

#include <QString>
#include <QStringList>

/**
 * @file
 * @brief The exact rules for the three kinds of strings OAuth compares: resource
 * indicators, redirect URIs and scopes. Every comparison in Tessera goes through here.
 */
namespace Tessera::OAuth {

// Resource indicators are canonicalized in core/common (the store needs the same rule).
using Tessera::canonicalResource;
using Tessera::isLoopbackRedirectHost;

struct RedirectUri
{
    QString uri; ///< exactly as given (already verified to be in canonical, unambiguous form)
    bool loopback = false; ///< http on 127.0.0.1, [::1] or localhost
    bool usesLocalhostName = false; ///< `localhost`: accepted, but flagged in the consent UI (RFC 8252 §8.3)
};

/**
 * @brief Validates a redirect URI for registration or authorization.
 *
 * Allow-list, after parsing, not a blacklist (security-cases C1–C2, D3): `https` anywhere,
 * or `http` on exactly `127.0.0.1`, `[::1]` or `localhost`. Rejected: other schemes, user
 * info, fragments, wildcards, dot segments, encoded slashes or backslashes, control
 * characters, and any string that does not survive a parse/serialize round trip unchanged
 * (which catches `2130706433`, `0x7f.1`, mixed-case schemes, trailing dots and friends).
 * Errors have code `invalid_redirect_uri`.
 */
[[nodiscard]] Result<RedirectUri> parseRedirectUri(const QString &uri);

/**
 * @brief RFC 6749 §3.1.2.3 / RFC 8252 §7.3: exact match, except that for loopback
 * redirect URIs the port of the request is ignored (registered may have any or no port).
 */
[[nodiscard]] bool redirectUriMatches(const QString &registered, const QString &requested);

/**
 * @brief RFC 6749 §3.3 scope: space-delimited NQCHAR tokens. Result is de-duplicated and sorted.
 *
 * Rejects empty tokens (double, leading or trailing spaces), characters outside NQCHAR,
 * more than 64 tokens and tokens longer than 128 characters. Errors have code `invalid_scope`.
 */
[[nodiscard]] Result<QStringList> parseScope(const QString &scope);

/** @brief The canonical space-separated form of a scope set (sorted, unique). */
[[nodiscard]] QString joinScope(QStringList scopes);

} // namespace Tessera::OAuth
