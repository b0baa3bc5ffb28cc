// SPDX-License-Identifier: GPL-3.0-or-later
#include "localaccess/localaccess.h"

#include "application.h"
#include "common/logging.h"
#include "consent/consentbroker.h"
#include "crypto/hash.h"
#include "crypto/pkce.h"
#include "crypto/random.h"
#include "ipc/ipcserver.h"
#include "localaccess/tokenexchange.h"
#include "oauth/authorizationserver.h"
#include "oauth/canonical.h"
#include "oauth/clientregistration.h"
#include "oauth/execgrantservice.h"
#include "oauth/keymanager.h"
#include "store/auditlog.h"
#include "store/clientstore.h"
#include "store/database.h"
#include "store/grantstore.h"
#include "store/refreshtokenstore.h"
#include "store/resourcestore.h"
#include "vault/secretstore.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>

namespace Tessera::App {

namespace {

const QString kTokenKeyPrefix = QStringLiteral("client-token/");
const QString kSecretKeyPrefix = QStringLiteral("secret/");

Error error(const char *code, const QString &message)
{
    return Error::make(QString::fromLatin1(code), message);
}

qint64 nowSecs()
{
    return SystemClock::instance().nowSecs();
}

QJsonObject withoutRefreshToken(QJsonObject response)
{
    response.remove(QStringLiteral("refresh_token"));
    return response;
}

bool isKeychainError(const Error &e)
{
    return e.code == QLatin1String(Vault::Errors::KeychainUnavailable)
        || e.code == QLatin1String(Vault::Errors::AccessDenied)
        || e.code == QLatin1String(Vault::Errors::KeychainError);
}

Error keychainError(const Error &e)
{
    return error("keychain_unavailable", e.message);
}

/** The person's last word on this client and resource, when it is "revoked" and nothing replaced it. */
std::optional<Store::Grant> revokedLast(Store::Database &db, const QString &clientId, qint64 resourceId)
{
    auto all = Store::GrantStore(db).listForClient(clientId);
    if (!all)
        return std::nullopt;
    for (const Store::Grant &g : *all) {
        if (g.resourceId != resourceId)
            continue;
        // Newest first. A step-up supersedes its predecessor, which is not a "no".
        if (g.state == Store::GrantState::Revoked && g.revokedReason.startsWith(QStringLiteral("superseded")))
            continue;
        if (g.state == Store::GrantState::Revoked)
            return g;
        return std::nullopt;
    }
    return std::nullopt;
}

} // namespace

LocalAccess::LocalAccess(Application &app) : QObject(&app), m_app(app)
{
    setObjectName(QStringLiteral("LocalAccess"));
}

LocalAccess::~LocalAccess() = default;

LocalAccess &LocalAccess::of(Application &app)
{
    if (auto *existing = app.findChild<LocalAccess *>(QStringLiteral("LocalAccess"), Qt::FindDirectChildrenOnly))
        return *existing;
    return *new LocalAccess(app);
}

Error LocalAccess::notReady() const
{
    return Error::make(m_app.state() == Application::State::KeychainUnavailable ? QStringLiteral("keychain_unavailable")
                                                                                : QStringLiteral("not_ready"),
        m_app.statusMessage());
}

QString LocalAccess::cacheKey(const QString &clientId, const QString &resourceUri)
{
    return kTokenKeyPrefix + clientId + u'/' + resourceUri;
}

QString LocalAccess::shellQuote(const QStringList &argv)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9@%+=:,./_-]+$"));
    QStringList out;
    for (const QString &a : argv) {
        if (plain.match(a).hasMatch())
            out.append(a);
        else
            out.append(u'\'' + QString(a).replace(u'\'', QStringLiteral("'\\''")) + u'\'');
    }
    return out.join(u' ');
}

Error LocalAccess::decisionError(const Consent::Decision &decision)
{
    using O = Consent::Decision::Outcome;
    switch (decision.outcome) {
    case O::Approved:
        break;
    case O::Denied:
        return error("denied", QStringLiteral("The request was denied."));
    case O::TimedOut:
        return error("timeout", QStringLiteral("Nobody answered the request in time."));
    case O::Cancelled:
        return error("cancelled", QStringLiteral("The request was cancelled."));
    case O::Frozen:
        return error("frozen", QStringLiteral("Tessera is frozen: every request is refused until you unfreeze it."));
    case O::Throttled:
        return error("throttled", QStringLiteral("Too many requests from this caller; try again later."));
    case O::AnsweredOnceElsewhere:
        return error("denied",
            QStringLiteral("The request was approved once, for another identical request of this program; ask again."));
    }
    return error("denied", QStringLiteral("The request was not approved."));
}

void LocalAccess::audit(
    const QString &kind, const CallerInfo &caller, const QString &resource, const QString &grantId, QJsonObject details)
{
    if (!m_app.auditLog())
        return;
    details.insert(QStringLiteral("caller"), caller.auditChain());
    details.insert(QStringLiteral("callerExe"), caller.callerExe);
    auto appended = m_app.auditLog()->append(
        { kind, QStringLiteral("client:") + caller.clientId, caller.clientId, resource, grantId, details });
    if (!appended)
        qCWarning(lcApp).noquote() << "audit append failed:" << appended.error().code;
}

void LocalAccess::auditRefusedCaller(const CallerInfo &caller, const QString &method, const Error &why)
{
    qCWarning(lcApp).noquote() << "refused a" << method << "request: " << why.code;
    audit(QStringLiteral("local.caller_refused"), caller, {}, {},
        { { QStringLiteral("method"), method }, { QStringLiteral("outcome"), why.code },
            { QStringLiteral("reason"), why.message } });
}

QStringList LocalAccess::callerWarnings(const CallerInfo &caller)
{
    if (caller.comparableByPath)
        return {};
    return { QStringLiteral("This program runs in a mount namespace of its own (a container, a sandbox, or a "
                            "program that changed for itself which file a path names): the path %1 is what it "
                            "sees, not necessarily the program you know by that path. Tessera never answers it "
                            "from an earlier approval.")
                 .arg(caller.callerExe) };
}

QString LocalAccess::silentRefusal(const CallerInfo &caller, const Store::Grant &grant)
{
    if (!caller.comparableByPath)
        return QStringLiteral("It runs in another mount namespace than Tessera, so its path cannot be compared "
                              "with the program you approved.");
    auto recorded = m_app.authorizationServer()->grants().receiverOf(grant.id).valueOr(std::nullopt);
    if (!recorded)
        return QStringLiteral("Tessera has no record of which file %1 was when you approved it (an older grant): "
                              "it asks once and remembers the file you approve.")
            .arg(caller.callerExe);
    if (!OAuth::GrantService::isRecordedReceiver(recorded, caller.callerFile()))
        return QStringLiteral("%1 is not the same file as when you approved it (it was replaced, or updated by a "
                              "package upgrade): Tessera asks again.")
            .arg(caller.callerExe);
    return {};
}

Result<Store::Client> LocalAccess::ensureClient(const CallerInfo &caller)
{
    Store::Database &db = *m_app.database();
    Store::ClientStore clients(db);
    const qint64 now = nowSecs();
    auto found = clients.find(caller.clientId);
    if (!found)
        return found.error();
    if (found->has_value()) {
        (void)clients.recordExecutable(caller.clientId, caller.callerExe, now);
        (void)clients.updateLastSeen(caller.clientId, now);
        return **found;
    }
    Store::Client c;
    c.clientId = caller.clientId;
    c.kind = Store::ClientKind::Local;
    // The file name of the executable /proc reported. Tessera read it, but whoever made the file
    // chose it (any bytes but '/' and NUL: escape sequences, newlines, "claude"): every front end
    // shows it escaped and marked as the caller's choice (issue 9, R1). Stored raw, cut at 128
    // UTF-16 units without splitting a surrogate pair.
    QString name = QFileInfo(caller.callerExe).fileName();
    if (name.size() > 128)
        name.truncate(name.at(127).isHighSurrogate() ? 127 : 128);
    c.clientName = name;
    c.metadata = QJsonObject { { QStringLiteral("executable"), caller.callerExe } };
    c.createdAt = now;
    c.lastSeenAt = now;
    auto tx = Store::Transaction::begin(db);
    if (!tx)
        return tx.error();
    if (Status s = clients.insert(c); !s)
        return s.error();
    if (Status s = clients.recordExecutable(c.clientId, caller.callerExe, now); !s)
        return s.error();
    if (auto a
        = m_app.auditLog()->append({ QStringLiteral("client.registered"), QStringLiteral("system"), c.clientId, {}, {},
            QJsonObject { { QStringLiteral("kind"), QStringLiteral("local") },
                { QStringLiteral("executable"), caller.callerExe },
                { QStringLiteral("caller"), caller.auditChain() } } });
        !a)
        return a.error();
    if (Status s = tx->commit(); !s)
        return s.error();
    qCInfo(lcApp).noquote() << "new local client" << c.clientId << "for" << caller.callerExe;
    return c;
}

Result<LocalAccess::ResolvedResource> LocalAccess::resolveResource(const QString &uri, const QStringList &scopes)
{
    auto canonical = OAuth::canonicalResource(uri);
    if (!canonical)
        return error("usage", QStringLiteral("\"%1\" is not a resource URI.").arg(uri));
    auto found = Store::ResourceStore(*m_app.database()).findByUri(*canonical);
    if (!found)
        return found.error();
    if (!found->has_value())
        return error("not_found",
            QStringLiteral("No resource is registered at %1 (see `tessera-cli resource list`).").arg(*canonical));
    ResolvedResource out { **found, Store::canonicalScopes(scopes) };
    out.scopes.removeAll(QStringLiteral("offline_access"));
    if (out.scopes.isEmpty())
        out.scopes = Store::canonicalScopes(out.resource.defaultScopes);
    if (out.scopes.isEmpty())
        return error(
            "usage", QStringLiteral("%1 has no default scopes: name one with --scope.").arg(out.resource.name));
    for (const QString &s : std::as_const(out.scopes)) {
        if (!out.resource.scope(s))
            return error("invalid_scope",
                QStringLiteral("The scope \"%1\" does not exist on %2.").arg(s, out.resource.displayName));
    }
    return out;
}

QList<Consent::ScopeItem> LocalAccess::scopeItems(const QString &clientId, const ResolvedResource &r)
{
    QList<Consent::ScopeItem> items;
    for (const QString &name : r.scopes) {
        const Store::ResourceScope def
            = r.resource.scope(name).value_or(Store::ResourceScope { name, {}, Store::Risk::High });
        items.append(Consent::ScopeItem { name, def.description, def.risk == Store::Risk::High, false });
    }
    Consent::ConsentRequest held; // alreadyGranted from the grant; the callers take heldUntil too
    held.scopes = items;
    m_app.authorizationServer()->grants().markHeld(held, clientId, r.resource.id);
    m_lastHeldUntil = held.heldUntil;
    return held.scopes;
}

Consent::Requester LocalAccess::requester(const CallerInfo &caller, const Store::Client &client) const
{
    Consent::Requester who;
    who.clientId = client.clientId;
    who.clientKind = QStringLiteral("local");
    who.clientName = client.clientName;
    who.newClient = !client.consented;
    who.processChain = caller.processFacts();
    return who;
}

Status LocalAccess::ask(Consent::ConsentRequest request, Ipc::IpcConnection *connection,
    std::function<void(const Consent::Decision &)> decided)
{
    Consent::ConsentBroker *broker = m_app.consentBroker();
    auto submitted = broker->enqueue(std::move(request), std::move(decided));
    if (!submitted)
        return submitted.error();
    // tessera-cli interrupted (Ctrl-C) or killed: this requester no longer waits for the answer.
    // Only this one: a twin merged into the same prompt keeps waiting (R5).
    if (connection) {
        const Consent::ConsentBroker::Ticket ticket = *submitted;
        // Tells tessera-cli that a person has to answer (it says so on a terminal).
        connection->send(QJsonObject { { QStringLiteral("event"), QStringLiteral("pending") },
            { QStringLiteral("data"), QJsonObject { { QStringLiteral("id"), ticket.id } } } });
        QPointer<Consent::ConsentBroker> guard(broker);
        connect(connection, &Ipc::IpcConnection::closed, broker, [guard, ticket] {
            if (guard)
                guard->withdraw(ticket);
        });
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// token

void LocalAccess::token(const CallerInfo &caller, const TokenParams &params, Ipc::IpcConnection *connection, Done done)
{
    if (!m_app.authorizationServer() || !m_app.consentBroker())
        return done(notReady());
    if (m_app.consentBroker()->isFrozen())
        return done(error("frozen", QStringLiteral("Tessera is frozen: no tokens are issued until you unfreeze it.")));
    auto resolved = resolveResource(params.resource, params.scopes);
    if (!resolved)
        return done(resolved.error());
    auto client = ensureClient(caller);
    if (!client)
        return done(client.error());
    const ResolvedResource r = *resolved;
    const qint64 now = nowSecs();
    const QString resourceUri = r.resource.uri;

    QPointer<LocalAccess> self(this);
    const auto finish = [self, caller, resourceUri, done](const QString &how, const QString &grantId,
                            const QStringList &scopes, Result<QJsonObject> out) {
        if (self) {
            self->audit(QStringLiteral("local.token"), caller, resourceUri, grantId,
                { { QStringLiteral("via"), how }, { QStringLiteral("scopes"), QJsonArray::fromStringList(scopes) },
                    { QStringLiteral("outcome"), out ? QStringLiteral("issued") : out.error().code } });
        }
        done(std::move(out));
    };

    auto covering
        = Store::GrantStore(*m_app.database()).findActiveCovering(client->clientId, r.resource.id, r.scopes, now);
    if (!covering)
        return done(covering.error());
    QStringList warnings = callerWarnings(caller);
    if (covering->has_value() && (*covering)->duration != QStringLiteral("once")) {
        const Store::Grant g = **covering;
        // Silent only for the file that was approved, seen from Tessera's own mount namespace (R2).
        const QString refusal = silentRefusal(caller, g);
        if (refusal.isEmpty()) {
            deliverToken(g, r.scopes, [finish, g, r](Result<QJsonObject> out) {
                finish(QStringLiteral("grant"), g.id, r.scopes, std::move(out));
            });
            return;
        }
        if (caller.comparableByPath)
            warnings.append(refusal);
        if (params.noPrompt)
            return finish(QStringLiteral("no_prompt"), g.id, r.scopes,
                error("denied",
                    QStringLiteral("A grant exists, but it cannot answer without asking you: %1 --no-prompt "
                                   "forbids asking.")
                        .arg(refusal)));
    }

    // Revoking is an answer: a revoked caller is not prompted again unless it asks explicitly.
    if (!params.ask) {
        if (const auto revoked = revokedLast(*m_app.database(), client->clientId, r.resource.id)) {
            return finish(QStringLiteral("revoked"), revoked->id, r.scopes,
                error("denied",
                    QStringLiteral(
                        "Access of %1 to %2 was revoked; ask the person again with `tessera-cli token --ask`.")
                        .arg(client->clientName, r.resource.displayName)));
        }
    }
    if (params.noPrompt)
        return finish(QStringLiteral("no_prompt"), {}, r.scopes,
            error("denied", QStringLiteral("No grant covers this request, and --no-prompt forbids asking.")));

    Consent::ConsentRequest request;
    request.path = Consent::Path::Token;
    request.requester = requester(caller, *client);
    request.requester.receiverWarnings = warnings;
    request.resourceId = r.resource.id;
    request.resourceUri = r.resource.uri;
    request.resourceName = r.resource.displayName;
    request.scopes = scopeItems(client->clientId, r);
    request.heldUntil = m_lastHeldUntil;
    request.snapshot = QJsonObject { { QStringLiteral("client_id"), client->clientId },
        { QStringLiteral("resource"), r.resource.uri }, { QStringLiteral("scope"), r.scopes.join(u' ') },
        { QStringLiteral("caller_exe"), caller.callerExe } };
    const QString clientId = client->clientId;
    Status asked = ask(request, connection, [self, finish, r, clientId, caller](const Consent::Decision &d) {
        if (!self)
            return;
        if (!d.approved())
            return finish(QStringLiteral("prompt"), {}, r.scopes, decisionError(d));
        if (!self->m_app.authorizationServer())
            return finish(QStringLiteral("prompt"), {}, r.scopes, self->notReady());
        auto grant = self->grantFor(caller, clientId, r, d);
        if (!grant)
            return finish(QStringLiteral("prompt"), {}, r.scopes, grant.error());
        // Partial consent: the token carries what was asked for and granted, nothing more.
        QStringList scopes;
        for (const QString &s : r.scopes) {
            if (grant->scopes.contains(s))
                scopes.append(s);
        }
        const Store::Grant g = *grant;
        self->deliverToken(g, scopes, [finish, g, scopes](Result<QJsonObject> out) {
            finish(QStringLiteral("prompt"), g.id, scopes, std::move(out));
        });
    });
    if (!asked)
        return finish(QStringLiteral("prompt"), {}, r.scopes, asked.error());
}

Result<Store::Grant> LocalAccess::grantFor(
    const CallerInfo &caller, const QString &clientId, const ResolvedResource &r, const Consent::Decision &decision)
{
    // The approved file: a later request is silent only from it (R2). Reuses R4's grant_receivers:
    // for a local grant, the program the token is handed to.
    const auto bind = [this, &caller](const Store::Grant &g) -> Status {
        const Ipc::ExecutableIdentity file = caller.callerFile();
        if (!file.isValid())
            return {};
        return m_app.authorizationServer()->grants().recordReceiver(g.id, file);
    };
    // R5: one approval makes one grant, shared by every requester merged into its prompt.
    OAuth::GrantService &grants = m_app.authorizationServer()->grants();
    auto grant = grants.sharedGrant(decision, [&]() -> Result<Store::Grant> {
        const QStringList approved = Store::canonicalScopes(decision.scopes);
        auto made = grants.grantFromApproval(clientId, r.resource, approved, decision.duration,
            decision.decidedBy == QStringLiteral("cli") ? QStringLiteral("operator") : QStringLiteral("user"),
            decision.extendHeld);
        if (!made)
            return made.error();
        // grantFromApproval returns what it wrote; reads fill in the joined names.
        made->resourceUri = r.resource.uri;
        made->resourceName = r.resource.name;
        return made;
    });
    if (!grant)
        return grant.error();
    grant->resourceUri = r.resource.uri;
    grant->resourceName = r.resource.name;
    if (Status s = bind(*grant); !s)
        return s.error();
    return grant;
}

void LocalAccess::deliverToken(const Store::Grant &grant, const QStringList &scopes, TokenDone done)
{
    // One delivery per (client, resource) at a time: each reads the refresh token the one before wrote.
    const QString key = cacheKey(grant.clientId, grant.resourceUri);
    QPointer<LocalAccess> self(this);
    auto job = [self, key, grant, scopes, done]() {
        if (!self)
            return;
        self->deliverTokenNow(grant, scopes, [self, key, done](Result<QJsonObject> out) {
            done(std::move(out));
            if (self)
                self->runNextDelivery(key);
        });
    };
    QList<std::function<void()>> &queue = m_queues[key];
    queue.append(job);
    if (queue.size() == 1) {
        const std::function<void()> first = queue.constFirst(); // a copy: the job may finish synchronously
        first();
    }
}

void LocalAccess::runNextDelivery(const QString &key)
{
    const auto it = m_queues.find(key);
    if (it == m_queues.end())
        return;
    if (!it->isEmpty())
        it->removeFirst();
    if (it->isEmpty()) {
        m_queues.erase(it);
        return;
    }
    const std::function<void()> next = it->constFirst();
    next();
}

void LocalAccess::deliverTokenNow(const Store::Grant &grant, const QStringList &scopes, TokenDone done)
{
    Vault::SecretStore *vault = m_app.secretStore();
    if (!vault || !m_app.authorizationServer())
        return done(notReady());
    const QString key = cacheKey(grant.clientId, grant.resourceUri);
    if (grant.duration == QStringLiteral("once"))
        return newFamily(grant, scopes, {}, done); // no refresh token: nothing to cache
    QPointer<LocalAccess> self(this);
    vault->read(key, [self, grant, scopes, key, done](Result<QByteArray> stored) {
        if (!self)
            return;
        if (!stored) {
            if (stored.error().code == QLatin1String(Vault::Errors::NotFound))
                return self->newFamily(grant, scopes, {}, done);
            return done(isKeychainError(stored.error()) ? keychainError(stored.error()) : stored.error());
        }
        OAuth::AuthorizationServer *as = self->m_app.authorizationServer();
        if (!as)
            return done(self->notReady());
        const QString refreshToken = QString::fromLatin1(*stored);
        auto refreshed
            = TokenExchange(as->tokenEndpoint()).refresh(grant.clientId, refreshToken, scopes, grant.resourceUri);
        if (!refreshed) {
            const OAuth::OAuthError &e = refreshed.error();
            if (e.error == OAuth::ErrorCode::TemporarilyUnavailable)
                return done(self->m_app.consentBroker()->isFrozen() ? error("frozen",
                                QStringLiteral("Tessera is frozen: no tokens are issued until you unfreeze it."))
                                                                    : error("keychain_unavailable", e.description));
            // The family is gone (idle expiry, replaced) or narrower than asked: if the grant still
            // stands, a new family for it; if the grant was revoked, the cached token goes too.
            auto current = Store::GrantStore(*self->m_app.database()).find(grant.id);
            if (current && current->has_value() && (*current)->isActive(nowSecs()))
                return self->newFamily(**current, scopes, refreshToken, done);
            self->m_app.secretStore()->remove(key, [](Status) {});
            return done(error("denied", QStringLiteral("The grant behind this token was revoked or has expired.")));
        }
        const QJsonObject response = *refreshed;
        const QByteArray next = response.value(QStringLiteral("refresh_token")).toString().toLatin1();
        self->m_app.secretStore()->write(key, next, [self, key, response, done](Status written) {
            if (!written && self) {
                // Never leave the rotated-away token behind: presenting it again would be reuse and
                // revoke the grant. Without a cached token the next call starts a new family.
                qCWarning(lcApp).noquote() << "could not cache a refresh token:" << written.error().code;
                self->m_app.secretStore()->remove(key, [](Status) {});
            }
            done(withoutRefreshToken(response));
        });
    });
}

void LocalAccess::newFamily(
    const Store::Grant &grant, const QStringList &scopes, const QString &replacedToken, TokenDone done)
{
    OAuth::AuthorizationServer *as = m_app.authorizationServer();
    if (!as)
        return done(notReady());
    auto verifier = Crypto::randomToken(32);
    if (!verifier)
        return done(verifier.error());
    // The family carries the grant's scopes; the access token is narrowed below when asked for less.
    OAuth::AuthorizationSnapshot s;
    s.clientId = grant.clientId;
    s.redirectUri = LocalRedirectUri;
    s.resourceId = grant.resourceId;
    s.resourceUri = grant.resourceUri;
    s.scopes = grant.scopes;
    s.codeChallenge = QString::fromLatin1(Crypto::s256Challenge(verifier->toLatin1()));
    auto code = as->grants().issueCode(grant, s);
    if (!code)
        return done(code.error());
    TokenExchange exchange(as->tokenEndpoint());
    auto redeemed = exchange.redeemCode(grant.clientId, *code, *verifier, LocalRedirectUri, grant.resourceUri);
    if (!redeemed)
        return done(error("token_error", redeemed.error().description));
    QJsonObject response = *redeemed;
    if (!replacedToken.isEmpty()) {
        Store::RefreshTokenStore families(*m_app.database());
        auto old = families.findByHash(Crypto::sha256(replacedToken.toLatin1()));
        if (old && old->has_value()) {
            // The caller already holds its new tokens; failing now would strand it. The old
            // family stays usable until it expires, so say so.
            if (auto r
                = families.revokeFamily((*old)->family.id, QStringLiteral("replaced by a new family"), nowSecs());
                !r)
                qCWarning(lcApp).noquote() << "could not revoke a replaced refresh family:" << r.error().message;
        }
    }
    if (Store::canonicalScopes(scopes) != Store::canonicalScopes(grant.scopes)
        && response.contains(QStringLiteral("refresh_token"))) {
        auto narrowed = exchange.refresh(
            grant.clientId, response.value(QStringLiteral("refresh_token")).toString(), scopes, grant.resourceUri);
        if (!narrowed)
            return done(error("token_error", narrowed.error().description));
        response = *narrowed;
    }
    const QString refreshToken = response.value(QStringLiteral("refresh_token")).toString();
    if (refreshToken.isEmpty())
        return done(withoutRefreshToken(response));
    QPointer<LocalAccess> self(this);
    m_app.secretStore()->write(
        cacheKey(grant.clientId, grant.resourceUri), refreshToken.toLatin1(), [self, response, done](Status written) {
            if (!written) {
                qCWarning(lcApp).noquote() << "could not cache a refresh token:" << written.error().code;
                return done(keychainError(written.error()));
            }
            done(withoutRefreshToken(response));
        });
}

// ---------------------------------------------------------------------------------------------
// exec

void LocalAccess::exec(const CallerInfo &caller, const ExecParams &params, Ipc::IpcConnection *connection, Done done)
{
    if (!m_app.authorizationServer() || !m_app.consentBroker())
        return done(notReady());
    if (m_app.consentBroker()->isFrozen())
        return done(
            error("frozen", QStringLiteral("Tessera is frozen: no secrets are handed out until you unfreeze it.")));
    if (params.command.isEmpty() || !QFileInfo(params.command.constFirst()).isAbsolute())
        return done(error("usage", QStringLiteral("exec needs a command whose first word is an absolute path.")));
    if (params.secrets.isEmpty() && params.resource.isEmpty())
        return done(error("usage", QStringLiteral("exec needs at least one --secret or a --resource.")));

    // Secrets: known names, one variable each.
    QStringList pairs;
    QStringList names;
    QStringList envs;
    Store::SecretMetaStore metas(*m_app.database());
    for (const ExecSecret &s : params.secrets) {
        auto meta = metas.find(s.name);
        if (!meta)
            return done(meta.error());
        if (!meta->has_value())
            return done(error("not_found",
                QStringLiteral("There is no secret named \"%1\" (see `tessera-cli secret list`).").arg(s.name)));
        const QString env = s.env.isEmpty() ? (*meta)->envVar : s.env;
        if (!Store::SecretMetaStore::isValidEnvVar(env))
            return done(error("usage", QStringLiteral("\"%1\" is not an environment variable name.").arg(env)));
        if (envs.contains(env))
            return done(error("usage", QStringLiteral("Two secrets would go into %1.").arg(env)));
        envs.append(env);
        names.append(s.name);
        pairs.append(s.name + u'=' + env);
    }
    pairs = Store::ExecGrantStore::canonicalSecrets(pairs);

    std::optional<ResolvedResource> r;
    if (!params.resource.isEmpty()) {
        auto resolved = resolveResource(params.resource, params.scopes);
        if (!resolved)
            return done(resolved.error());
        r = *resolved;
    }
    auto client = ensureClient(caller);
    if (!client)
        return done(client.error());
    const qint64 now = nowSecs();

    // Covered: an exec grant for exactly this command and secret set, and a grant for the scopes.
    std::optional<Store::ExecGrant> execGrant;
    bool covered = true;
    QStringList warnings = callerWarnings(caller);
    if (!pairs.isEmpty()) {
        auto found = Store::ExecGrantStore(*m_app.database()).findActive(client->clientId, params.command, pairs, now);
        if (!found)
            return done(found.error());
        // An exec grant names its caller by path only: never from another mount namespace (R2).
        if (caller.comparableByPath)
            execGrant = *found;
        covered = execGrant.has_value();
    }
    std::optional<Store::Grant> grant;
    if (r) {
        auto found
            = Store::GrantStore(*m_app.database()).findActiveCovering(client->clientId, r->resource.id, r->scopes, now);
        if (!found)
            return done(found.error());
        if (found->has_value() && (*found)->duration != QStringLiteral("once")) {
            const QString refusal = silentRefusal(caller, **found);
            if (refusal.isEmpty())
                grant = **found;
            else if (caller.comparableByPath)
                warnings.append(refusal);
        }
        covered = covered && grant.has_value();
    }
    if (covered)
        return finishExec(
            caller, params, pairs, execGrant, grant, r ? r->scopes : QStringList {}, QStringLiteral("grant"), done);

    Consent::ConsentRequest request;
    request.path = Consent::Path::Exec;
    request.requester = requester(caller, *client);
    request.requester.commandLine = shellQuote(params.command);
    request.requester.receiverWarnings = warnings;
    request.secrets = names;
    QJsonObject snapshot { { QStringLiteral("client_id"), client->clientId },
        { QStringLiteral("command"), QJsonArray::fromStringList(params.command) },
        { QStringLiteral("secrets"), QJsonArray::fromStringList(pairs) },
        { QStringLiteral("caller_exe"), caller.callerExe } };
    if (r) {
        request.resourceId = r->resource.id;
        request.resourceUri = r->resource.uri;
        request.resourceName = r->resource.displayName;
        request.scopes = scopeItems(client->clientId, *r);
        request.heldUntil = m_lastHeldUntil;
        snapshot.insert(QStringLiteral("resource"), r->resource.uri);
        snapshot.insert(QStringLiteral("scope"), r->scopes.join(u' '));
    }
    request.snapshot = snapshot;

    QPointer<LocalAccess> self(this);
    const QString clientId = client->clientId;
    Status asked
        = ask(request, connection, [self, caller, params, pairs, r, clientId, done](const Consent::Decision &d) {
              if (!self)
                  return;
              const auto refuse = [&](const Error &e) {
                  self->audit(QStringLiteral("local.exec"), caller, r ? r->resource.uri : QString(), {},
                      { { QStringLiteral("via"), QStringLiteral("prompt") },
                          { QStringLiteral("command"), QJsonArray::fromStringList(params.command) },
                          { QStringLiteral("secrets"), QJsonArray::fromStringList(pairs) },
                          { QStringLiteral("outcome"), e.code } });
                  done(e);
              };
              if (!d.approved())
                  return refuse(decisionError(d));
              if (!self->m_app.authorizationServer())
                  return refuse(self->notReady());
              const qint64 at = nowSecs();
              std::optional<Store::ExecGrant> eg;
              // R5: a requester merged into the same prompt shares the exec grant its approval made.
              if (const std::optional<QString> made = self->m_execGrantsMade.find(d.requestId, at)) {
                  eg = Store::ExecGrantStore(*self->m_app.database()).find(*made).valueOr(std::nullopt);
                  if (!eg || !eg->isActive(at))
                      return refuse(error("grant_revoked",
                          QStringLiteral("The permission this approval gave was revoked or has ended; ask again.")));
              }
              if (!eg && !pairs.isEmpty() && d.duration != Consent::Duration::Once) {
                  auto id = Crypto::randomToken(16);
                  if (!id)
                      return refuse(id.error());
                  Store::ExecGrant g;
                  g.id = QStringLiteral("exec-") + *id;
                  g.clientId = clientId;
                  g.callerExe = caller.callerExe;
                  g.command = params.command;
                  g.secrets = pairs;
                  g.createdAt = at;
                  if (const auto secs = Consent::durationSecs(d.duration, 0))
                      g.expiresAt = at + *secs;
                  g.duration = Consent::durationToString(d.duration);
                  auto tx = Store::Transaction::begin(*self->m_app.database());
                  if (!tx)
                      return refuse(tx.error());
                  if (Status s = Store::ExecGrantStore(*self->m_app.database()).create(g); !s)
                      return refuse(s.error());
                  if (auto a = self->m_app.auditLog()->append({ QStringLiteral("exec_grant.created"),
                          d.decidedBy == QStringLiteral("cli") ? QStringLiteral("operator") : QStringLiteral("user"),
                          clientId, {}, g.id,
                          QJsonObject { { QStringLiteral("command"), QJsonArray::fromStringList(g.command) },
                              { QStringLiteral("secrets"), QJsonArray::fromStringList(g.secrets) },
                              { QStringLiteral("duration"), g.duration } } });
                      !a)
                      return refuse(a.error());
                  if (Status s = tx->commit(); !s)
                      return refuse(s.error());
                  (void)Store::ClientStore(*self->m_app.database()).markConsented(clientId);
                  self->m_execGrantsMade.remember(d.requestId, g.id, at);
                  eg = g;
              }
              std::optional<Store::Grant> approved;
              QStringList scopes;
              if (r) {
                  auto created = self->grantFor(caller, clientId, *r, d);
                  if (!created)
                      return refuse(created.error());
                  approved = *created;
                  for (const QString &s : r->scopes) {
                      if (created->scopes.contains(s))
                          scopes.append(s);
                  }
              }
              self->finishExec(caller, params, pairs, eg, approved, scopes, QStringLiteral("prompt"), done);
          });
    if (!asked)
        return done(asked.error());
}

void LocalAccess::finishExec(const CallerInfo &caller, const ExecParams &params, const QStringList &pairs,
    const std::optional<Store::ExecGrant> &execGrant, const std::optional<Store::Grant> &grant,
    const QStringList &tokenScopes, const QString &how, Done done)
{
    QStringList names;
    for (const QString &p : pairs)
        names.append(p.section(u'=', 0, 0));
    QPointer<LocalAccess> self(this);
    const QString resourceUri = grant ? grant->resourceUri : QString();
    const auto finish = [self, caller, params, pairs, execGrant, grant, resourceUri, how, done](
                            Result<QJsonObject> out) {
        if (self) {
            QJsonObject details { { QStringLiteral("via"), how },
                { QStringLiteral("command"), QJsonArray::fromStringList(params.command) },
                { QStringLiteral("secrets"), QJsonArray::fromStringList(pairs) },
                { QStringLiteral("outcome"), out ? QStringLiteral("handed_out") : out.error().code } };
            if (execGrant)
                details.insert(QStringLiteral("execGrant"), execGrant->id);
            self->audit(QStringLiteral("local.exec"), caller, resourceUri, grant ? grant->id : QString(), details);
        }
        done(std::move(out));
    };
    readSecretValues(
        names, [self, pairs, execGrant, grant, tokenScopes, finish](Result<QHash<QString, QByteArray>> values) {
            if (!self)
                return;
            if (!values)
                return finish(values.error());
            QJsonObject env;
            for (const QString &p : pairs) {
                const QString name = p.section(u'=', 0, 0);
                env.insert(p.section(u'=', 1), QString::fromLatin1(values->value(name).toBase64()));
            }
            const qint64 now = nowSecs();
            Store::SecretMetaStore metas(*self->m_app.database());
            for (const QString &p : pairs)
                (void)metas.recordUse(p.section(u'=', 0, 0), now);
            QJsonObject reply { { QStringLiteral("env"), env } };
            if (execGrant) {
                (void)Store::ExecGrantStore(*self->m_app.database()).recordUse(execGrant->id, now);
                reply.insert(QStringLiteral("execGrant"), execGrant->id);
                reply.insert(QStringLiteral("expiresAt"),
                    execGrant->expiresAt ? QJsonValue(*execGrant->expiresAt) : QJsonValue());
            }
            if (!grant)
                return finish(reply);
            self->deliverToken(*grant, tokenScopes, [reply, finish](Result<QJsonObject> token) mutable {
                if (!token)
                    return finish(token.error());
                reply.insert(QStringLiteral("accessToken"), *token);
                finish(reply);
            });
        });
}

void LocalAccess::readSecretValues(
    const QStringList &names, std::function<void(Result<QHash<QString, QByteArray>>)> done)
{
    readSecretValuesFrom(names, 0, {}, std::move(done));
}

void LocalAccess::readSecretValuesFrom(const QStringList &names, qsizetype index, QHash<QString, QByteArray> values,
    std::function<void(Result<QHash<QString, QByteArray>>)> done)
{
    if (index >= names.size())
        return done(values);
    Vault::SecretStore *vault = m_app.secretStore();
    if (!vault)
        return done(notReady());
    // One after another; the keychain runs one job at a time anyway.
    const QString name = names.at(index);
    QPointer<LocalAccess> self(this);
    vault->read(kSecretKeyPrefix + name, [self, names, index, values, name, done](Result<QByteArray> v) mutable {
        if (!self)
            return;
        if (!v) {
            if (v.error().code == QLatin1String(Vault::Errors::NotFound))
                return done(error("secret_missing",
                    QStringLiteral("The keychain has no value for the secret \"%1\"; set it again with "
                                   "`tessera-cli secret set %1`.")
                        .arg(name)));
            return done(isKeychainError(v.error()) ? keychainError(v.error()) : v.error());
        }
        values.insert(name, *v);
        self->readSecretValuesFrom(names, index + 1, std::move(values), std::move(done));
    });
}

// ---------------------------------------------------------------------------------------------
// secrets and exec grants (operator socket)

QJsonObject LocalAccess::secretJson(const Store::SecretMeta &m)
{
    return QJsonObject {
        { QStringLiteral("name"), m.name },
        { QStringLiteral("description"), m.description },
        { QStringLiteral("env"), m.envVar },
        { QStringLiteral("createdAt"), m.createdAt },
        { QStringLiteral("updatedAt"), m.updatedAt },
        { QStringLiteral("lastUsedAt"), m.lastUsedAt ? QJsonValue(*m.lastUsedAt) : QJsonValue() },
        { QStringLiteral("useCount"), m.useCount },
    };
}

QJsonObject LocalAccess::execGrantJson(const Store::ExecGrant &g, qint64 now)
{
    const QString state = g.state == Store::GrantState::Revoked ? QStringLiteral("revoked")
        : g.isExpired(now)                                      ? QStringLiteral("expired")
                                                                : QStringLiteral("active");
    return QJsonObject {
        { QStringLiteral("id"), g.id },
        { QStringLiteral("kind"), QStringLiteral("exec") },
        { QStringLiteral("clientId"), g.clientId },
        { QStringLiteral("clientName"), g.clientName },
        { QStringLiteral("callerExe"), g.callerExe },
        { QStringLiteral("command"), QJsonArray::fromStringList(g.command) },
        { QStringLiteral("commandLine"), shellQuote(g.command) },
        { QStringLiteral("secrets"), QJsonArray::fromStringList(g.secretNames()) },
        { QStringLiteral("env"), QJsonArray::fromStringList(g.secrets) },
        { QStringLiteral("duration"), g.duration },
        { QStringLiteral("createdAt"), g.createdAt },
        { QStringLiteral("expiresAt"), g.expiresAt ? QJsonValue(*g.expiresAt) : QJsonValue() },
        { QStringLiteral("lastUsedAt"), g.lastUsedAt ? QJsonValue(*g.lastUsedAt) : QJsonValue() },
        { QStringLiteral("useCount"), g.useCount },
        { QStringLiteral("state"), state },
        { QStringLiteral("revokedReason"), g.revokedReason },
    };
}

void LocalAccess::setSecret(const QString &name, const QString &description, const QString &envVar,
    const QByteArray &value, const QString &actor, Done done)
{
    if (!m_app.database() || !m_app.secretStore())
        return done(notReady());
    if (!Store::SecretMetaStore::isValidName(name))
        return done(error("usage",
            QStringLiteral(
                "A secret name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.")));
    const QString env = envVar.isEmpty() ? Store::SecretMetaStore::defaultEnvVar(name) : envVar;
    if (!Store::SecretMetaStore::isValidEnvVar(env))
        return done(error("usage", QStringLiteral("\"%1\" is not an environment variable name.").arg(env)));
    QString text;
    if (!description.isEmpty()) {
        auto normalized = OAuth::normalizePlainText(description, Store::SecretMetaStore::MaxDescriptionChars);
        if (!normalized)
            return done(error("usage", QStringLiteral("The description %1.").arg(normalized.error().message)));
        text = *normalized;
    }
    if (value.isEmpty())
        return done(error("usage", QStringLiteral("The secret's value is empty.")));
    if (value.contains('\0'))
        return done(error("usage", QStringLiteral("An environment variable cannot hold a NUL byte.")));
    const bool existed = Store::SecretMetaStore(*m_app.database()).find(name).valueOr(std::nullopt).has_value();
    QPointer<LocalAccess> self(this);
    // Keychain first: metadata never names a secret the keychain does not hold.
    m_app.secretStore()->write(kSecretKeyPrefix + name, value, [self, name, text, env, actor, existed, done](Status w) {
        if (!self)
            return;
        if (!w)
            return done(isKeychainError(w.error()) ? keychainError(w.error()) : w.error());
        auto tx = Store::Transaction::begin(*self->m_app.database());
        if (!tx)
            return done(tx.error());
        auto meta = Store::SecretMetaStore(*self->m_app.database()).upsert(name, text, env, nowSecs());
        if (!meta)
            return done(meta.error());
        if (auto a = self->m_app.auditLog()->append(
                { existed ? QStringLiteral("secret.updated") : QStringLiteral("secret.added"), actor, {}, {}, {},
                    QJsonObject { { QStringLiteral("name"), name }, { QStringLiteral("env"), env } } });
            !a)
            return done(a.error());
        if (Status s = tx->commit(); !s)
            return done(s.error());
        done(secretJson(*meta));
    });
}

void LocalAccess::removeSecret(const QString &name, const QString &actor, Done done)
{
    if (!m_app.database() || !m_app.secretStore())
        return done(notReady());
    auto meta = Store::SecretMetaStore(*m_app.database()).find(name);
    if (!meta)
        return done(meta.error());
    if (!meta->has_value())
        return done(error("not_found", QStringLiteral("There is no secret named \"%1\".").arg(name)));
    QPointer<LocalAccess> self(this);
    m_app.secretStore()->remove(kSecretKeyPrefix + name, [self, name, actor, done](Status removed) {
        if (!self)
            return;
        if (!removed)
            return done(isKeychainError(removed.error()) ? keychainError(removed.error()) : removed.error());
        Store::Database &db = *self->m_app.database();
        auto tx = Store::Transaction::begin(db);
        if (!tx)
            return done(tx.error());
        (void)Store::SecretMetaStore(db).remove(name);
        auto revoked
            = Store::ExecGrantStore(db).revokeUsingSecret(name, QStringLiteral("the secret was removed"), nowSecs());
        if (!revoked)
            return done(revoked.error());
        if (auto a = self->m_app.auditLog()->append({ QStringLiteral("secret.removed"), actor, {}, {}, {},
                QJsonObject { { QStringLiteral("name"), name }, { QStringLiteral("execGrantsRevoked"), *revoked } } });
            !a)
            return done(a.error());
        if (Status s = tx->commit(); !s)
            return done(s.error());
        done(QJsonObject { { QStringLiteral("removed"), name }, { QStringLiteral("execGrantsRevoked"), *revoked } });
    });
}

Result<QList<Store::SecretMeta>> LocalAccess::secrets()
{
    if (!m_app.database())
        return notReady();
    return Store::SecretMetaStore(*m_app.database()).list();
}

Result<QList<Store::ExecGrant>> LocalAccess::execGrants(const Store::ExecGrantQuery &query)
{
    if (!m_app.database())
        return notReady();
    return Store::ExecGrantStore(*m_app.database()).list(query);
}

Result<bool> LocalAccess::revokeExecGrant(const QString &id, const QString &reason, const QString &actor)
{
    if (!m_app.database())
        return notReady();
    Store::Database &db = *m_app.database();
    auto tx = Store::Transaction::begin(db);
    if (!tx)
        return tx.error();
    auto g = Store::ExecGrantStore(db).find(id);
    if (!g)
        return g.error();
    if (!g->has_value())
        return error("not_found", QStringLiteral("There is no grant %1.").arg(id));
    auto revoked = Store::ExecGrantStore(db).revoke(id, reason, nowSecs());
    if (!revoked)
        return revoked.error();
    if (*revoked) {
        if (auto a = m_app.auditLog()->append({ QStringLiteral("exec_grant.revoked"), actor, (*g)->clientId, {}, id,
                QJsonObject { { QStringLiteral("reason"), reason } } });
            !a)
            return a.error();
    }
    if (Status s = tx->commit(); !s)
        return s.error();
    return *revoked;
}

Result<int> LocalAccess::revokeExecGrants(const QString &clientId, const QString &reason, const QString &actor)
{
    if (!m_app.database() || !m_app.auditLog())
        return notReady();
    return OAuth::ExecGrantService(*m_app.database(), *m_app.auditLog(), SystemClock::instance())
        .revokeForClient(clientId, reason, actor);
}

} // namespace Tessera::App
