// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "oauth/oautherror.h"
#include "store/records.h"

#include <QByteArrayView>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <deque>

/**
 * @file
 * @brief Client registration: RFC 7591 Dynamic Client Registration (POST /register) and
 * operator pre-registration (`tessera-cli client add`), plus the metadata rules that Client ID
 * Metadata Documents (cimdfetcher.h) share.
 *
 * What a registration request may contain (RFC 7591 §2), and what Tessera does with it:
 *
 * | member                      | rule                                                                 |
 * |-----------------------------|----------------------------------------------------------------------|
 * | redirect_uris               | required array of 1..16 strings, each parseRedirectUri() (https, or http on
 * 127.0.0.1/[::1]/localhost); counted before any item is looked at | | grant_types                 | ⊆
 * {authorization_code, refresh_token}, must contain authorization_code; default [authorization_code] (RFC 7591 §2).
 * device_code, password, implicit, client_credentials and anything unknown are refused: Tessera's metadata lists only
 * the two, and VS Code filters by grant_types_supported | | response_types              | ⊆ {code}, default [code] | |
 * token_endpoint_auth_method  | none, client_secret_basic or client_secret_post; default client_secret_basic (RFC 7591
 * §2), which gets a secret. The method chosen is always echoed | | application_type            | native or web. web
 * with a loopback redirect URI is accepted: every redirect of a loopback AS ends on this machine anyway, the redirect
 * URI allow-list is what protects, and TS SDK 2.x derives the value from the URI so a refusal would only break clients
 * (mcp-authorization AS-15) | | client_name                 | plain text: NFC, no
 * control/format/bidi/zero-width/private-use/unassigned characters, no lone surrogates, whitespace collapsed, 1..128
 * code points (security-cases B6, G4) | | client_uri, logo_uri, policy_uri, tos_uri | https URLs only (never fetched or
 * opened by Tessera; security-cases C4, G8) | | scope                       | RFC 6749 §3.3 via parseScope(), stored
 * canonical                      | | contacts                    | array of up to 8 plain-text strings | | software_id,
 * software_version | plain text                                                         | | client_id, client_secret,
 * *_issued_at, *_expires_at, registration_* | assigned by Tessera: ignored in a request | | jwks, jwks_uri,
 * software_statement | not supported (no private_key_jwt, no statement verification): ignored | | anything else | RFC
 * 7591 §2 lets the AS ignore it. Kept only if the name is printable ASCII and the value is plain text, a finite number,
 * a bool or an array of up to 8 plain-text strings; otherwise dropped. The response echoes exactly what was kept |
 *
 * Any wrong type (a string where an array belongs, null, a number) is invalid_client_metadata.
 * The body is parsed with parseStrictJson(): at most 16 KiB, depth 8, no duplicate member names.
 *
 * Registrations are stored with kind `dcr`, not consented, and expire unconsentedTtlSecs later
 * unless the person approves a request from the client first (ClientStore::markConsented).
 * The secret is issued once and stored as SHA-256 only. Identifiers and secrets use only the
 * base64url alphabet, a subset of the RFC 3986 unreserved set, so TS (raw Basic) and Python
 * (form-encoded Basic) clients send the same bytes (mcp-authorization §0.2 item 9).
 */
namespace Tessera {
class Clock;
}
namespace Tessera::Store {
class AuditLog;
class Database;
} // namespace Tessera::Store

namespace Tessera::OAuth {

/** @brief Size limits for client metadata, shared by DCR and CIMD. */
struct ClientMetadataLimits
{
    int maxRedirectUris = 16;
    int maxNameChars = 128; ///< client_name, in code points after NFC
    int maxUriChars = 2048; ///< every URI member
    int maxTextChars = 256; ///< contacts, software_id, software_version, kept unknown strings
    int maxListItems = 8; ///< contacts and kept unknown arrays
    int maxExtraMembers = 32; ///< unknown members kept
};

/** @brief Where client metadata comes from; the rules differ slightly. */
enum class MetadataSource
{
    /** RFC 7591 request: exact rules, unknown grant/response types refused. */
    Registration,
    /**
     * draft-ietf-oauth-client-id-metadata-document-00 document: client_name and redirect_uris
     * are required (MCP), no secret-based auth method and no client_secret (§4.1). A document
     * is published once for every AS, so grant and response types Tessera does not support are
     * dropped rather than refused (authorization_code and code must still be there).
     */
    MetadataDocument,
};

/** @brief Client metadata that passed validateClientMetadata(). */
struct ValidatedClientMetadata
{
    QJsonObject
        metadata; ///< everything kept, including redirect_uris, grant_types, response_types, token_endpoint_auth_method
    QString clientName; ///< sanitized; empty if none was given
    QStringList redirectUris;
    QString tokenEndpointAuthMethod; ///< none, client_secret_basic or client_secret_post
};

/**
 * @brief Validates client metadata (see the table above).
 *
 * Errors: invalid_redirect_uri (missing, empty, too many, or one bad URI, named by index) and
 * invalid_client_metadata (everything else), both HTTP 400.
 */
[[nodiscard]] Result<ValidatedClientMetadata, OAuthError> validateClientMetadata(
    const QJsonObject &input, MetadataSource source, const ClientMetadataLimits &limits = {});

/**
 * @brief Plain-text rule for names shown to a person (security-cases B6, G4).
 *
 * NFC; refuses control, format (bidi overrides, zero-width), private-use, unassigned,
 * line/paragraph separator and noncharacter code points, lone surrogates, invisible fillers
 * and runs of more than 4 combining marks; other space separators become U+0020, runs of
 * spaces collapse, ends are trimmed. Refuses an empty result or more than @p maxChars code
 * points. The error (code `invalid_text`) has a message fragment to follow the field name,
 * e.g. "is empty", and never repeats the input.
 */
[[nodiscard]] Result<QString> normalizePlainText(const QString &text, int maxChars);

/** @brief Outcome of a successful registration. */
struct RegistrationResult
{
    Store::Client client; ///< as stored
    QJsonObject response; ///< RFC 7591 §3.2.1 body for HTTP 201 (Cache-Control: no-store)
    QString clientSecret; ///< plain secret, shown once; empty for public clients
};

/**
 * @brief Registers clients (DCR and pre-registration) and purges expired registrations.
 *
 * The HTTP layer maps the result: success → 201 with `response` as JSON and
 * `Cache-Control: no-store` (it holds a secret); error → `OAuthError::httpStatus` (400, or 429
 * for the rate limit, with `Retry-After: retryAfterSecs()`; 500 for store failures) and
 * `OAuthError::toJson()`.
 */
class ClientRegistration
{
public:
    struct Limits
    {
        int maxPerMinute = 10; ///< successful DCR registrations per rolling 60 s, all callers together
        qint64 unconsentedTtlSecs = 3600; ///< a DCR client nobody approved is purged after this
        qsizetype maxBodyBytes = 16 * 1024;
        int maxDepth = 8; ///< JSON nesting
        int maxRedirectUris = 16;
        int maxNameChars = 128;
        int maxUriChars = 2048;
        int maxTextChars = 256;

        [[nodiscard]] ClientMetadataLimits metadataLimits() const;
    };

    ClientRegistration(Store::Database &db, Store::AuditLog &audit, const Clock &clock);
    ClientRegistration(Store::Database &db, Store::AuditLog &audit, const Clock &clock, const Limits &limits);

    /**
     * @brief RFC 7591 §3.1: registers a client from a JSON request body.
     *
     * The rate limit is checked first: when maxPerMinute registrations succeeded in the last
     * 60 s the answer is `invalid_request` with HTTP status 429 (RFC 7591 defines no error code
     * for it; RFC 6585 §4 defines the status). Failed requests do not count, so garbage cannot
     * lock out a real client, while storage stays bounded by the successful ones.
     * Nothing is stored unless everything succeeds (the client row and its
     * `client.registered` audit event commit in one transaction).
     */
    [[nodiscard]] Result<RegistrationResult, OAuthError> registerClient(QByteArrayView jsonBody);

    /**
     * @brief `tessera-cli client add`: kind `preregistered`, consented, no expiry, not rate
     * limited. Confidential clients get client_secret_basic and a secret, others `none`.
     * grant_types are authorization_code and refresh_token.
     */
    [[nodiscard]] Result<RegistrationResult, OAuthError> addPreregistered(
        const QString &name, const QStringList &redirectUris, bool confidential);

    /** @brief Deletes unconsented registrations whose expiry has passed; returns how many. */
    [[nodiscard]] Result<int> purgeExpired();

    /** @brief Seconds until the rate limit admits another registration (0 if it does now). */
    [[nodiscard]] int retryAfterSecs() const;

    [[nodiscard]] const Limits &limits() const { return m_limits; }

private:
    [[nodiscard]] Result<RegistrationResult, OAuthError> store(
        const ValidatedClientMetadata &validated, Store::ClientKind kind, const QString &actor);
    void pruneWindow() const;

    Store::Database &m_db;
    Store::AuditLog &m_audit;
    const Clock &m_clock;
    Limits m_limits;
    mutable std::deque<qint64> m_recentMs; ///< times of successful DCR registrations in the window
};

} // namespace Tessera::OAuth
