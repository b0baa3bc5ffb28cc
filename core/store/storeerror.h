// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/error.h"

#include <QLatin1String>

/**
 * @file
 * @brief Stable error codes returned by Tessera::Store (Error::code).
 *
 * Every SQL failure is `store_error` with a sentence for a person; the SQLite error text is
 * only logged at debug level (tessera.store), and bound values are never logged.
 */
namespace Tessera::Store::ErrorCode {

inline constexpr QLatin1String StoreError("store_error");
inline constexpr QLatin1String SchemaTooNew("schema_too_new");
inline constexpr QLatin1String DatabaseNotPrivate("database_not_private");
inline constexpr QLatin1String DatabaseCorrupt("database_corrupt");
inline constexpr QLatin1String InvalidArgument("invalid_argument");

inline constexpr QLatin1String ResourceUnknown("resource_unknown");
inline constexpr QLatin1String ResourceExists("resource_exists");
inline constexpr QLatin1String ClientUnknown("client_unknown");
inline constexpr QLatin1String ClientExists("client_exists");
inline constexpr QLatin1String GrantUnknown("grant_unknown");
inline constexpr QLatin1String ConsentUnknown("consent_unknown");
inline constexpr QLatin1String ConsentNotPending("consent_not_pending");
inline constexpr QLatin1String ConsentExpired("consent_expired");
inline constexpr QLatin1String SigningKeyUnknown("signing_key_unknown");
inline constexpr QLatin1String SigningKeyExists("signing_key_exists");
inline constexpr QLatin1String PrivateKeyMaterial("private_key_material");
inline constexpr QLatin1String AuditForbiddenField("audit_forbidden_field");

inline constexpr QLatin1String CodeUnknown("code_unknown");
inline constexpr QLatin1String CodeExpired("code_expired");
inline constexpr QLatin1String CodeReplayed("code_replayed");

inline constexpr QLatin1String RefreshUnknown("refresh_unknown");
inline constexpr QLatin1String RefreshExpired("refresh_expired");
inline constexpr QLatin1String RefreshRevoked("refresh_revoked");
inline constexpr QLatin1String RefreshReused("refresh_reused");
inline constexpr QLatin1String RefreshClientMismatch("refresh_client_mismatch");

} // namespace Tessera::Store::ErrorCode

namespace Tessera::Store {

/** @brief Error{code, message} with a code from ErrorCode. */
[[nodiscard]] inline Error storeError(QLatin1String code, const QString &message)
{
    return Error::make(QString(code), message);
}

} // namespace Tessera::Store
