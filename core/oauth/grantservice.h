// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "consent/consentrequest.h"
#include "ipc/portowner.h"
#include "oauth/servercontext.h"
#include "store/grantstore.h"
#include "store/records.h"

#include "consent/approvalmemory.h"

#include <QJsonObject>

#include <functional>

namespace Tessera::OAuth {

/**
 * @brief The immutable binding of one authorization request (security-cases G5): the code
 * is issued for exactly this, whatever else arrives while the person decides.
 */
struct AuthorizationSnapshot
{
    QString clientId;
    QString redirectUri; ///< as sent (with its port), or the registered one when omitted
    qint64 resourceId = 0;
    QString resourceUri; ///< canonical
    QStringList scopes; ///< canonical
    QString codeChallenge; ///< S256
    QString state; ///< echoed verbatim; may be empty
    bool forcePrompt = false; ///< prompt=consent
};

/**
 * @brief What decisions leave behind: grants, codes, and their revocation.
 *
 * One active grant per (client, resource). A step-up approval makes a new grant with the
 * approved scopes plus the ones already held, and the old grant is revoked as superseded.
 * Revoking a grant revokes its refresh families and unredeemed codes at once (store).
 */
class GrantService
{
public:
    explicit GrantService(ServerContext &ctx) : m_ctx(ctx) { }

    /** @brief The active grant covering the snapshot, if any (no prompt needed). */
    [[nodiscard]] Result<std::optional<Store::Grant>> coveringGrant(const AuthorizationSnapshot &s);
    /** @brief Scopes the client already holds on the resource (shown apart in a step-up prompt). */
    [[nodiscard]] Result<QStringList> heldScopes(const QString &clientId, qint64 resourceId);

    /** @brief When each scope the client holds on the resource ends (empty optional: until revoked). */
    [[nodiscard]] Result<QMap<QString, std::optional<qint64>>> heldScopeEnds(
        const QString &clientId, qint64 resourceId);
    /** @brief Fills each scope's alreadyGranted and the request's heldUntil for a step-up prompt (R10). */
    void markHeld(Consent::ConsentRequest &request, const QString &clientId, qint64 resourceId);

    /**
     * @brief Records an approval; the client becomes permanent (consented).
     *
     * Step-up (an active grant exists): the new grant holds the approved scopes with
     * @p duration and the scopes held before with the end each already had, unless
     * @p extendHeld (the person saw and chose it), when they take @p duration too (R10).
     */
    [[nodiscard]] Result<Store::Grant> grantFromApproval(const QString &clientId, const Store::Resource &resource,
        const QStringList &approvedScopes, Consent::Duration duration, const QString &actor, bool extendHeld = false);

    /**
     * @brief One approval, one grant (issue 9, R5): every requester merged into one prompt gets
     * the grant its decision made. The first call for @p decision's request runs @p make and
     * remembers the grant; later calls get that grant while it is active, and `grant_revoked`
     * once it is not (the person revoked it meanwhile: never a second grant behind their back).
     * A decision without a request id (none from the broker) just runs @p make.
     */
    [[nodiscard]] Result<Store::Grant> sharedGrant(
        const Consent::Decision &decision, const std::function<Result<Store::Grant>()> &make);

    /**
     * @brief Notes which executable listened on the loopback redirect port when @p grantId was
     * approved (R4): /authorize answers from the grant without a prompt only while it listens there again.
     */
    [[nodiscard]] Status recordReceiver(const QString &grantId, const Ipc::ExecutableIdentity &exe);
    [[nodiscard]] Result<std::optional<Store::GrantReceiver>> receiverOf(const QString &grantId);
    /** @brief Whether @p exe is the file recorded in @p recorded (path, device and inode). */
    [[nodiscard]] static bool isRecordedReceiver(
        const std::optional<Store::GrantReceiver> &recorded, const Ipc::ExecutableIdentity &exe);

    /** @brief A single-use authorization code for @p grant, bound to @p s; returns the code itself. */
    [[nodiscard]] Result<QString> issueCode(const Store::Grant &grant, const AuthorizationSnapshot &s);

    [[nodiscard]] Result<bool> revokeGrant(const QString &grantId, const QString &reason, const QString &actor);
    [[nodiscard]] Result<int> revokeClient(const QString &clientId, const QString &reason, const QString &actor);
    [[nodiscard]] Result<int> revokeAll(const QString &reason, const QString &actor);
    /**
     * @brief Forgets a client (dashboard "Forget", `tessera-cli client forget`): cancels its pending
     * consent requests, revokes its grants and deletes the registration, in one transaction,
     * audited as `client.forgotten`. Returns how many grants were revoked; `client_unknown` if
     * there is no such client. The client may register again (RFC 7591) and then asks anew.
     */
    [[nodiscard]] Result<int> forgetClient(const QString &clientId, const QString &reason, const QString &actor);

    /** @brief A grant as tessera-cli and the UI show it. */
    [[nodiscard]] static QJsonObject toJson(const Store::Grant &g, qint64 nowSecs);

private:
    ServerContext &m_ctx;
    Consent::ApprovalMemory m_approvals; ///< consent request id -> the grant its approval made
};

} // namespace Tessera::OAuth
