// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

/**
 * @file
 * @brief Value types stored by the per-concern stores (one struct per table row).
 *
 * Times are Unix seconds (UTC) unless a member says Ms. Hashes are raw 32-byte SHA-256
 * digests: codes, refresh tokens and secrets themselves are never stored. Scope sets are
 * kept canonical (sorted, de-duplicated); joinScopes() gives the stored text form.
 */
namespace Tessera::Store {

/** @brief Sorted, de-duplicated, empty entries dropped. */
[[nodiscard]] QStringList canonicalScopes(const QStringList &scopes);
/** @brief The stored form: canonicalScopes() joined by single spaces. */
[[nodiscard]] QString joinScopes(const QStringList &scopes);
/** @brief Parses a space-separated scope string into its canonical list. */
[[nodiscard]] QStringList splitScopes(const QString &scopes);
/** @brief RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
[[nodiscard]] bool isValidScopeToken(QStringView token);
/** @brief Whether every scope in @p requested is in @p granted. */
[[nodiscard]] bool scopesCover(const QStringList &granted, const QStringList &requested);

enum class Risk
{
    Low,
    High,
};
[[nodiscard]] QString riskToString(Risk risk);
[[nodiscard]] std::optional<Risk> riskFromString(QStringView text);

struct ResourceScope
{
    QString name;
    QString description;
    Risk risk = Risk::Low;
    bool operator==(const ResourceScope &) const = default;
};

struct Resource
{
    qint64 id = 0; ///< assigned by ResourceStore::add
    QString uri; ///< canonical (ResourceStore::canonicalUri)
    QString name; ///< short CLI handle: [a-z0-9][a-z0-9._-]{0,63}
    QString displayName;
    qint64 tokenLifetimeSecs = 300;
    QStringList defaultScopes; ///< a subset of scopes' names
    QList<ResourceScope> scopes; ///< in registration order
    QByteArray introspectionSecretHash; ///< empty: the resource cannot call /introspect
    qint64 createdAt = 0;
    qint64 updatedAt = 0;

    [[nodiscard]] std::optional<ResourceScope> scope(const QString &scopeName) const;
    bool operator==(const Resource &) const = default;
};

enum class ClientKind
{
    Dcr,
    Cimd,
    Preregistered,
    Local,
};
[[nodiscard]] QString clientKindToString(ClientKind kind);
[[nodiscard]] std::optional<ClientKind> clientKindFromString(QStringView text);

struct Client
{
    QString clientId;
    ClientKind kind = ClientKind::Dcr;
    QString clientName; ///< self-asserted; show as such
    QJsonObject metadata; ///< everything registered, echoed back by DCR
    QStringList redirectUris;
    QString tokenEndpointAuthMethod = QStringLiteral("none");
    QByteArray secretHash; ///< empty: public client
    qint64 createdAt = 0;
    std::optional<qint64> expiresAt; ///< unconsented registrations expire
    std::optional<qint64> lastSeenAt;
    bool consented = false;
    bool operator==(const Client &) const = default;
};

struct ClientExecutable
{
    QString clientId;
    QString exePath;
    qint64 firstSeen = 0;
    qint64 lastSeen = 0;
    qint64 count = 0;
    bool operator==(const ClientExecutable &) const = default;
};

enum class GrantState
{
    Active,
    Revoked,
};
[[nodiscard]] QString grantStateToString(GrantState state);

struct Grant
{
    QString id;
    QString clientId;
    qint64 resourceId = 0;
    QStringList scopes; ///< canonical
    qint64 createdAt = 0;
    std::optional<qint64> expiresAt; ///< empty: until revoked; with scopeExpiresAt, the latest scope end
    /**
     * @brief Per-scope ends where they differ (R10: a step-up never extends what was held). A
     * scope missing here ends with the grant; a present empty optional means until revoked.
     */
    QMap<QString, std::optional<qint64>> scopeExpiresAt;
    QString duration; ///< the label chosen: "once", "1h", "1d", "until_revoked", ...
    std::optional<qint64> lastUsedAt;
    qint64 useCount = 0;
    GrantState state = GrantState::Active;
    std::optional<qint64> revokedAt;
    QString revokedReason;

    // Filled in by reads (joined), ignored by writes.
    QString resourceUri;
    QString resourceName;
    QString clientName;

    [[nodiscard]] bool isExpired(qint64 nowSecs) const { return expiresAt && *expiresAt <= nowSecs; }
    /** @brief When @p scope ends (empty: until revoked). */
    [[nodiscard]] std::optional<qint64> scopeEnd(const QString &scope) const
    {
        const auto it = scopeExpiresAt.constFind(scope);
        return it == scopeExpiresAt.constEnd() ? expiresAt : *it;
    }
    /** @brief The scopes still in force at @p nowSecs (all of them for an active uniform grant). */
    [[nodiscard]] QStringList scopesAt(qint64 nowSecs) const
    {
        QStringList out;
        for (const QString &s : scopes) {
            const std::optional<qint64> end = scopeEnd(s);
            if (!end || *end > nowSecs)
                out.append(s);
        }
        return out;
    }
    /** @brief Not revoked and not expired: usable for issuing tokens. */
    [[nodiscard]] bool isActive(qint64 nowSecs) const { return state == GrantState::Active && !isExpired(nowSecs); }
    bool operator==(const Grant &) const = default;
};

struct AuthorizationCode
{
    QByteArray codeHash; ///< SHA-256 of the code
    QString grantId;
    QString clientId;
    QString redirectUri;
    QString codeChallenge; ///< S256 (RFC 7636 §4.2), 43 characters
    QString resource; ///< canonical resource URI
    QStringList scopes;
    qint64 createdAt = 0;
    qint64 expiresAt = 0;
    std::optional<qint64> consumedAt;
    QString familyId; ///< refresh family issued from this code, once redeemed
    bool operator==(const AuthorizationCode &) const = default;
};

struct RefreshFamily
{
    QString id;
    QString grantId;
    QString clientId;
    QString resource;
    QStringList scopes;
    qint64 createdAt = 0;
    std::optional<qint64> revokedAt;
    QString revokedReason;
    bool operator==(const RefreshFamily &) const = default;
};

struct RefreshToken
{
    QByteArray tokenHash;
    QString familyId;
    qint64 createdAt = 0;
    qint64 expiresAt = 0;
    std::optional<qint64> rotatedAt; ///< set once a newer token replaced this one
    /** set once it can never be used again (its successor was used, a retry replaced it, or the
        grace ran out); a rotated token without it is the family's predecessor in grace */
    std::optional<qint64> retiredAt;
    bool operator==(const RefreshToken &) const = default;
};

enum class ConsentPath
{
    Authorize,
    Token,
    Secret,
    Exec,
};
[[nodiscard]] QString consentPathToString(ConsentPath path);
[[nodiscard]] std::optional<ConsentPath> consentPathFromString(QStringView text);

enum class ConsentStatus
{
    Pending,
    Approved,
    Denied,
    Expired,
};
[[nodiscard]] QString consentStatusToString(ConsentStatus status);
[[nodiscard]] std::optional<ConsentStatus> consentStatusFromString(QStringView text);

struct ConsentRequestRecord
{
    QString id; ///< random, chosen by the caller
    QString clientId;
    std::optional<qint64> resourceId; ///< empty for the secret and exec paths
    QStringList scopes;
    ConsentPath path = ConsentPath::Authorize;
    QJsonObject snapshot; ///< what the person is shown; immutable once stored
    qint64 createdAt = 0;
    qint64 expiresAt = 0;
    ConsentStatus status = ConsentStatus::Pending;
    std::optional<qint64> decidedAt;
    QJsonObject decision;
    bool operator==(const ConsentRequestRecord &) const = default;
};

/** @brief What a caller records; AuditLog adds seq, ts and the hashes. Empty strings are stored as NULL. */
struct AuditEventInput
{
    QString kind; ///< e.g. "grant.created", "token.refreshed", "refresh.reuse_detected"
    QString actor; ///< "user", "operator", "system", "client:<id>", ...
    QString clientId;
    QString resource;
    QString grantId;
    QJsonObject details; ///< never token, code or secret values
};

struct AuditEvent
{
    qint64 seq = 0;
    qint64 tsMs = 0;
    QString kind;
    QString actor;
    QString clientId; ///< empty when NULL
    QString resource;
    QString grantId;
    QByteArray details; ///< canonical JSON text (UTF-8) exactly as hashed
    QByteArray prevHash;
    QByteArray hash;

    [[nodiscard]] QJsonObject detailsObject() const;
    bool operator==(const AuditEvent &) const = default;
};

enum class SigningKeyState
{
    Active,
    Retired,
};

struct SigningKeyRecord
{
    QString kid;
    QJsonObject publicJwk; ///< public members only
    qint64 createdAt = 0;
    std::optional<qint64> retiredAt;
    std::optional<qint64> publishUntil; ///< a retired key stays in the JWKS until then
    SigningKeyState state = SigningKeyState::Active;
    bool operator==(const SigningKeyRecord &) const = default;
};

} // namespace Tessera::Store
