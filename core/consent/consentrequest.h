// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace Tessera::Consent {

/** @brief How long an approval lasts (product.md "decision"). */
enum class Duration
{
    Once, ///< this one authorization only: no refresh token, grant ends with the access token
    OneHour,
    OneDay,
    UntilRevoked,
};

[[nodiscard]] QString durationToString(Duration d); ///< "once", "1h", "1d", "forever"
[[nodiscard]] std::optional<Duration> durationFromString(const QString &text); ///< also accepts "until_revoked"
/** @brief Seconds the grant lives, or nullopt for until-revoked. Once: @p accessTokenLifetimeSecs. */
[[nodiscard]] std::optional<qint64> durationSecs(Duration d, qint64 accessTokenLifetimeSecs);

/** @brief Which door the request came through. */
enum class Path
{
    Authorize, ///< browser OAuth flow (/authorize)
    Token, ///< tessera-cli token
    Secret, ///< a secret for a process
    Exec, ///< tessera-cli exec
};
[[nodiscard]] QString pathToString(Path p);

/** @brief One process as /proc reported it when the request arrived (verified by the kernel, not by the client). */
struct ProcessFact
{
    qint64 pid = -1;
    QString exe;
    QString comm;
};

/**
 * @brief Who asks. Self-asserted fields and verified facts are kept apart so the prompt can
 * show them apart (product.md: "Its name is self-asserted; what Tessera verified ... is shown apart").
 */
struct Requester
{
    QString clientId;
    QString clientKind; ///< "dcr", "cimd", "preregistered", "local"
    QString clientName; ///< SELF-ASSERTED
    QString clientUri; ///< SELF-ASSERTED; never opened automatically
    QString verifiedDomain; ///< CIMD: host of the client_id URL we fetched over https
    QString redirectUri; ///< exact, with host and port
    bool loopbackRedirect = false;
    bool localhostName = false;
    bool newClient = false; ///< no earlier grant and never approved before
    QList<ProcessFact> processChain; ///< nearest first: owner of the redirect port or the socket peer
    QString previousExecutable; ///< set when the observed executable differs from last time
    QStringList receiverWarnings; ///< verified: what Tessera found about the redirect port's listener (R4)
    QString commandLine; ///< exec path only: what would run
};

struct ScopeItem
{
    QString name;
    QString description;
    bool highRisk = false;
    bool alreadyGranted = false; ///< step-up: held before; shown apart from the new ones
};

/**
 * @brief A pending decision: who, for what, through which door, until when.
 *
 * The snapshot is the immutable binding of an authorization request (client_id,
 * redirect_uri, scope, resource, code_challenge, state): the decision applies to exactly it
 * (security-cases G5). It is never shown and never contains a secret.
 */
struct ConsentRequest
{
    QString id;
    Path path = Path::Authorize;
    Requester requester;
    qint64 resourceId = 0;
    QString resourceUri;
    QString resourceName;
    QList<ScopeItem> scopes;
    /** @brief Step-up: when each already granted scope ends (seconds; empty: until revoked). R10. */
    QMap<QString, std::optional<qint64>> heldUntil;
    QStringList secrets; ///< secret/exec paths: names only
    QJsonObject snapshot;
    qint64 createdAtMs = 0;
    qint64 expiresAtMs = 0;
    int mergedCount = 1; ///< identical requests folded into this one
    /** @brief The process chain of each requester folded in after the first, oldest first (R5). */
    QList<QList<ProcessFact>> mergedChains;

    [[nodiscard]] QStringList scopeNames() const;
    [[nodiscard]] QStringList newScopeNames() const;
    /** @brief What the prompt, tessera-cli and the audit log show: no snapshot secrets (there are none). */
    [[nodiscard]] QJsonObject toJson() const;
};

/** @brief The person's answer, or the system's when the person could not answer. */
struct Decision
{
    enum class Outcome
    {
        Approved,
        Denied, ///< the person said no
        TimedOut, ///< nobody answered in time
        Cancelled, ///< the requester went away
        Frozen, ///< Tessera is frozen
        Throttled, ///< too many requests from this client
        /** @brief Approved `once` for another requester of the same merged prompt (R5): not for this one. */
        AnsweredOnceElsewhere,
    };
    Outcome outcome = Outcome::Denied;
    QStringList scopes; ///< approved subset (canonical)
    Duration duration = Duration::OneHour;
    QString decidedBy; ///< "desktop", "cli", "system"
    /**
     * @brief Step-up: the scopes already held take this decision's duration too. Off by
     * default: each scope keeps the lifetime the person gave it (issue 9, R10); the prompt and
     * `tessera-cli approve --extend-held` set it only where the change was shown.
     */
    bool extendHeld = false;
    /**
     * @brief The consent request this decision answers (set by the broker). Every requester of a
     * merged prompt sees the same id, so one approval makes one grant that they share (R5).
     */
    QString requestId = {};

    [[nodiscard]] bool approved() const { return outcome == Outcome::Approved; }
    [[nodiscard]] QJsonObject toJson() const;
    static Decision approve(QStringList scopes, Duration d, QString by);
    static Decision deny(QString by);
};

[[nodiscard]] QString outcomeToString(Decision::Outcome o);

} // namespace Tessera::Consent
