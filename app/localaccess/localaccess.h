// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "consent/approvalmemory.h"
#include "consent/consentrequest.h"
#include "localaccess/caller.h"
#include "store/execgrantstore.h"
#include "store/records.h"
#include "store/secretmetastore.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>

#include <functional>

namespace Tessera::Ipc {
class IpcConnection;
}

namespace Tessera::App {

class Application;

/**
 * @brief Local token access and the secret vault: what `tessera-cli token`, `exec` and `secret`
 * ask of Tessera. One instance per Application (of()), used by the IPC handlers of both sockets.
 *
 * token (client socket):
 *
 *     caller chain --> local client of the caller executable (kind "local", one per executable)
 *       covered by an active grant (not "once") ........ no prompt
 *       its last grant for the resource was revoked ..... refused (denied), unless --ask
 *       otherwise ........................................ consent request (path token) -> grant
 *     grant --> keychain client-token/<client>/<resource>
 *       refresh token there: refresh it (rotation) at /token, in process
 *       none, or its family is gone while the grant lives: a code for the grant, redeemed with PKCE
 *     --> the access token (never the refresh token) goes back to the caller
 *
 * exec (client socket): the same local client; remembered per (caller executable, command line,
 * secret set) as an exec grant; with a resource, an OAuth grant as for token. On approval the
 * secret values are read from the keychain (`secret/<name>`) and sent to the caller over the
 * user-only socket, never stored elsewhere and never logged.
 *
 * Every request is audited (`local.token`, `local.exec`) with the caller chain (pids and
 * executable paths only); values never are.
 */
class LocalAccess : public QObject
{
    Q_OBJECT
public:
    /** Redirect URI of the codes Tessera issues to itself for local clients (never sent anywhere). */
    static constexpr QLatin1String LocalRedirectUri { "urn:tessera:local" };

    explicit LocalAccess(Application &app);
    ~LocalAccess() override;

    /** @brief The LocalAccess of @p app, made on first use and owned by it. */
    [[nodiscard]] static LocalAccess &of(Application &app);

    using Done = std::function<void(Result<QJsonObject>)>;

    struct TokenParams
    {
        QString resource; ///< URI, canonicalized here
        QStringList scopes; ///< empty: the resource's default scopes
        bool ask = false; ///< ask the person even after a revocation
        bool noPrompt = false; ///< fail (denied) instead of asking
    };
    /** @brief `tessera-cli token`; @p done gets the token response without refresh_token. */
    void token(const CallerInfo &caller, const TokenParams &params, Ipc::IpcConnection *connection, Done done);

    struct ExecSecret
    {
        QString name;
        QString env; ///< empty: the secret's default variable
    };
    struct ExecParams
    {
        QStringList command; ///< argv; argv[0] is an absolute path
        QList<ExecSecret> secrets;
        QString resource; ///< optional
        QStringList scopes;
    };
    /**
     * @brief `tessera-cli exec`; @p done gets {env: {VAR: base64 value}, accessToken?: token
     * response, execGrant?, expiresAt?}.
     */
    void exec(const CallerInfo &caller, const ExecParams &params, Ipc::IpcConnection *connection, Done done);

    /**
     * @brief Audits a request refused because the connection's process is gone or runs another
     * program than at accept (R2): `local.caller_refused`, under the program as it connected.
     */
    void auditRefusedCaller(const CallerInfo &caller, const QString &method, const Error &why);

    /** @brief Stores the value in the keychain, then the metadata; audited without the value. */
    void setSecret(const QString &name, const QString &description, const QString &envVar, const QByteArray &value,
        const QString &actor, Done done);
    /** @brief Removes value and metadata; revokes the exec grants that hand the secret out. */
    void removeSecret(const QString &name, const QString &actor, Done done);
    [[nodiscard]] Result<QList<Store::SecretMeta>> secrets();

    /** @brief Exec grants, newest first. */
    [[nodiscard]] Result<QList<Store::ExecGrant>> execGrants(const Store::ExecGrantQuery &query);
    /** @brief Revokes one exec grant (true if it was active); audited. */
    [[nodiscard]] Result<bool> revokeExecGrant(const QString &id, const QString &reason, const QString &actor);
    /** @brief Revokes a client's exec grants, or every exec grant when @p clientId is empty; audited. */
    [[nodiscard]] Result<int> revokeExecGrants(const QString &clientId, const QString &reason, const QString &actor);

    [[nodiscard]] static QJsonObject secretJson(const Store::SecretMeta &meta);
    [[nodiscard]] static QJsonObject execGrantJson(const Store::ExecGrant &grant, qint64 nowSecs);
    /** @brief A command line as a person would type it (POSIX shell quoting). */
    [[nodiscard]] static QString shellQuote(const QStringList &argv);

private:
    struct ResolvedResource
    {
        Store::Resource resource;
        QStringList scopes; ///< canonical, each defined on the resource
    };
    using TokenDone = std::function<void(Result<QJsonObject>)>;

    [[nodiscard]] Error notReady() const;
    [[nodiscard]] Result<Store::Client> ensureClient(const CallerInfo &caller);
    [[nodiscard]] Result<ResolvedResource> resolveResource(const QString &uri, const QStringList &scopes);
    /** @brief The request's scope items; also leaves the held scopes' ends in m_lastHeldUntil (R10). */
    [[nodiscard]] QList<Consent::ScopeItem> scopeItems(const QString &clientId, const ResolvedResource &r);
    QMap<QString, std::optional<qint64>> m_lastHeldUntil;
    Consent::ApprovalMemory m_execGrantsMade; ///< consent request -> the exec grant its approval made (R5)
    [[nodiscard]] Consent::Requester requester(const CallerInfo &caller, const Store::Client &client) const;
    /** @brief Submits @p request; cancels it when @p connection closes first. */
    [[nodiscard]] Status ask(Consent::ConsentRequest request, Ipc::IpcConnection *connection,
        std::function<void(const Consent::Decision &)> decided);
    /** @brief An access token for @p grant with @p scopes, through the cached refresh token. */
    void deliverToken(const Store::Grant &grant, const QStringList &scopes, TokenDone done);
    void runNextDelivery(const QString &key);
    /**
     * @brief The grant an approval leaves, the same one for every requester merged into its prompt (R5),
     * bound to the caller executable's file (path, device, inode: grant_receivers) (R2).
     */
    [[nodiscard]] Result<Store::Grant> grantFor(const CallerInfo &caller, const QString &clientId,
        const ResolvedResource &r, const Consent::Decision &decision);
    /**
     * @brief Why @p grant may not answer @p caller without a prompt, for the prompt's warnings; empty
     * when it may: same mount namespace, and the file recorded at approval is the caller's (R2).
     */
    [[nodiscard]] QString silentRefusal(const CallerInfo &caller, const Store::Grant &grant);
    /** @brief Warnings about the caller itself (another mount namespace), for every prompt it causes. */
    [[nodiscard]] static QStringList callerWarnings(const CallerInfo &caller);
    void deliverTokenNow(const Store::Grant &grant, const QStringList &scopes, TokenDone done);
    void newFamily(const Store::Grant &grant, const QStringList &scopes, const QString &replacedToken, TokenDone done);
    void finishExec(const CallerInfo &caller, const ExecParams &params, const QStringList &pairs,
        const std::optional<Store::ExecGrant> &execGrant, const std::optional<Store::Grant> &grant,
        const QStringList &tokenScopes, const QString &how, Done done);
    void readSecretValues(const QStringList &names, std::function<void(Result<QHash<QString, QByteArray>>)> done);
    void readSecretValuesFrom(const QStringList &names, qsizetype index, QHash<QString, QByteArray> values,
        std::function<void(Result<QHash<QString, QByteArray>>)> done);
    void audit(const QString &kind, const CallerInfo &caller, const QString &resource, const QString &grantId,
        QJsonObject details);
    [[nodiscard]] static Error decisionError(const Consent::Decision &decision);
    [[nodiscard]] static QString cacheKey(const QString &clientId, const QString &resourceUri);

    Application &m_app;
    /** Token deliveries per cache key run one after another (the refresh token rotates). */
    QHash<QString, QList<std::function<void()>>> m_queues;
};

} // namespace Tessera::App
