// SPDX-License-Identifier: GPL-3.0-or-later
#include "oauth/authorizeendpoint.h"

#include "common/formdata.h"
#include "common/logging.h"
#include "consent/consentbroker.h"
#include "crypto/ctequal.h"
#include "crypto/hash.h"
#include "crypto/pkce.h"
#include "crypto/random.h"
#include "http/request.h"
#include "oauth/canonical.h"
#include "oauth/cimdfetcher.h"
#include "oauth/keymanager.h"
#include "oauth/pages.h"
#include "store/auditlog.h"
#include "store/clientstore.h"
#include "store/database.h"
#include "store/resourcestore.h"

#include <QJsonArray>
#include <QPointer>
#include <QTimer>

#include <unistd.h>

namespace Tessera::OAuth {

namespace {

constexpr QLatin1String kCookiePrefix { "tessera_txn_" };

QString cookieName(const QString &txnId)
{
    return kCookiePrefix + txnId.left(12);
}

std::optional<QByteArray> cookieValue(const Http::Request &request, const QString &name)
{
    for (const QByteArray &header : request.headers.values("cookie")) {
        for (const QByteArray &part : header.split(';')) {
            const QByteArray trimmed = part.trimmed();
            const qsizetype eq = trimmed.indexOf('=');
            if (eq > 0 && trimmed.left(eq) == name.toLatin1())
                return trimmed.mid(eq + 1);
        }
    }
    return std::nullopt;
}

Http::Response seeOther(const QUrl &location)
{
    // RFC 9700 §4.12: 303 (never 307, which would re-post a body).
    return Http::Response::redirect(303, location);
}

/** The port question for a loopback redirect URI; nullopt for any other (https) redirect. */
std::optional<Ipc::PortQuery> receiverQuery(const QString &redirectUri)
{
    const auto parsed = parseRedirectUri(redirectUri);
    if (!parsed || !parsed->loopback)
        return std::nullopt;
    const QUrl url(redirectUri);
    return Ipc::PortQuery { quint16(url.port(80)), Ipc::loopbackHostOf(url.host()) };
}

// Why no code was sent to a loopback redirect (R3). Fixed texts: /authorize/refused shows them
// from a reason word and a port number, never from anything else in its query.
constexpr QLatin1String kForeignListener { "foreign_listener" };
constexpr QLatin1String kListenerChanged { "listener_changed" };
constexpr QLatin1String kUnverified { "unverified" };

Http::Response refusalPage(const QString &reason, int port)
{
    if (reason == kForeignListener)
        return Pages::error(403, QStringLiteral("Another user's program would receive this answer"),
            QStringLiteral("A program of another account on this computer listens on port %1, where the application "
                           "asked Tessera to send you. Tessera sent no authorization code there. If you started the "
                           "application yourself, close it and start it again.")
                .arg(port));
    if (reason == kListenerChanged)
        return Pages::error(409, QStringLiteral("The program waiting for this answer changed"),
            QStringLiteral("While you decided, another program took over port %1. Tessera sent no authorization "
                           "code; start again from the application.")
                .arg(port));
    if (reason == kUnverified)
        return Pages::error(503, QStringLiteral("Tessera could not check who receives this answer"),
            QStringLiteral("Tessera could not read which program listens on port %1, so it sent no authorization "
                           "code. Start again from the application.")
                .arg(port));
    return Pages::error(400, QStringLiteral("Invalid request"), QStringLiteral("There is nothing to show here."));
}

/**
 * Whether a GET of /authorize comes from a program rather than from a person's browser tab
 * (issue 10.3). Fetch Metadata first: the gate lets through only a top-level navigation or a
 * `cors` fetch (W3C Fetch Metadata §2.3), so any mode but `navigate` is a program's fetch().
 * Without Fetch Metadata (curl, older runtimes), an Accept that names JSON and neither HTML
 * type is one too: a browser's navigation always asks for text/html.
 */
bool isFetchProbe(const Http::Request &request)
{
    const QList<QByteArray> modes = request.headers.values("sec-fetch-mode");
    if (!modes.isEmpty())
        return modes.front() != "navigate";
    bool json = false;
    for (const QByteArray &field : request.headers.values("accept")) {
        for (const QByteArray &element : field.split(',')) {
            const QList<QByteArray> parts = element.split(';');
            const QByteArray type = parts.front().trimmed().toLower();
            bool refused = false; // RFC 9110 §12.4.2: q=0 means "not acceptable"
            for (qsizetype i = 1; i < parts.size(); ++i) {
                const QByteArray param = parts.at(i).trimmed().toLower();
                refused = refused || (param.startsWith("q=") && param.mid(2).toDouble() == 0.0);
            }
            if (refused)
                continue;
            if (type == "text/html" || type == "application/xhtml+xml")
                return false;
            json = json || type == "application/json";
        }
    }
    return json;
}

} // namespace

AuthorizeEndpoint::AuthorizeEndpoint(ServerContext &ctx, GrantService &grants, CimdFetcher &cimd, QObject *parent)
    : QObject(parent)
    , m_ctx(ctx)
    , m_grants(grants)
    , m_cimd(cimd)
    , m_portOwners(new Ipc::PortOwnerResolver(this))
    , m_sweeper(new QTimer(this))
{
    m_sweeper->setInterval(30'000);
    connect(m_sweeper, &QTimer::timeout, this, &AuthorizeEndpoint::sweep);
    m_sweeper->start();
}

AuthorizeEndpoint::~AuthorizeEndpoint() = default;

void AuthorizeEndpoint::handleAuthorize(const Http::Request &request, Http::Responder responder)
{
    if (isFetchProbe(request)) {
        answerProbe(request, std::move(responder));
        return;
    }
    // Duplicated parameters (RFC 6749 §3.1, security-cases B4) and malformed encodings are
    // refused before anything else: nothing is redirected until client and redirect_uri are known.
    auto query = request.queryForm();
    if (!query) {
        responder.send(Pages::error(400, QStringLiteral("Invalid authorization request"), query.error().message));
        return;
    }
    const std::optional<QString> clientId = query->value(u"client_id");
    if (!clientId || clientId->isEmpty()) {
        responder.send(Pages::error(
            400, QStringLiteral("Invalid authorization request"), QStringLiteral("client_id is missing.")));
        return;
    }
    const FormData params = *query;
    QPointer<AuthorizeEndpoint> self(this);
    withClient(
        request, std::move(responder), *clientId, [self, params](Http::Responder r, const Store::Client &client) {
            if (self)
                self->authorize(params, std::move(r), client);
        });
}

void AuthorizeEndpoint::withClient(const Http::Request &, Http::Responder responder, const QString &clientId,
    std::function<void(Http::Responder, const Store::Client &)> next)
{
    if (CimdFetcher::isClientIdUrl(clientId)) {
        QPointer<AuthorizeEndpoint> self(this);
        auto held = std::make_shared<Http::Responder>(std::move(responder));
        m_cimd.fetch(clientId, [self, held, next](Result<Store::Client, OAuthError> fetched) {
            if (!self)
                return;
            if (!fetched) {
                held->send(Pages::error(
                    400, QStringLiteral("This application's metadata could not be used"), fetched.error().description));
                return;
            }
            Store::ClientStore clients(self->m_ctx.db);
            auto existing = clients.find(fetched->clientId);
            Store::Client client = *fetched;
            Status stored;
            if (existing && existing->has_value()) {
                client.consented = (*existing)->consented;
                client.createdAt = (*existing)->createdAt;
                stored = clients.update(client);
            } else {
                stored = clients.insert(client);
            }
            if (!stored) {
                held->send(Pages::error(
                    500, QStringLiteral("Tessera could not record this application"), stored.error().message));
                return;
            }
            next(std::move(*held), client);
        });
        return;
    }
    const std::optional<Store::Client> found = liveClient(clientId);
    if (!found) {
        // RFC 6749 §4.1.2.1: an unknown client gets no redirect (security-cases D1).
        responder.send(Pages::error(400, QStringLiteral("Unknown application"),
            QStringLiteral(
                "No application is registered with this client_id, so Tessera cannot tell where to send you.")));
        return;
    }
    next(std::move(responder), *found);
}

std::optional<Store::Client> AuthorizeEndpoint::liveClient(const QString &clientId) const
{
    // An unconsented registration past its expiry is gone even before the purge deletes it.
    auto found = Store::ClientStore(m_ctx.db).find(clientId);
    if (!found || !found->has_value()
        || ((*found)->expiresAt && *(*found)->expiresAt <= m_ctx.clock.nowSecs() && !(*found)->consented))
        return std::nullopt;
    return **found;
}

void AuthorizeEndpoint::answerProbe(const Http::Request &request, Http::Responder responder)
{
    // Issue 10.3: a program probing the authorization URL with fetch() (mcp-remote does, before it
    // opens the browser) gets a JSON error it can act on, never a page, a prompt, a transaction
    // or a cookie. Only the client is looked up: nothing else is validated or learnt here, and
    // a metadata-document client_id is not fetched for a probe.
    auto query = request.queryForm();
    if (!query) {
        responder.send(oauthErrorResponse(OAuthError::invalidRequest(query.error().message)));
        return;
    }
    const QString clientId = query->value(u"client_id").value_or(QString());
    if (clientId.isEmpty()) {
        responder.send(oauthErrorResponse(OAuthError::invalidRequest(QStringLiteral("client_id is missing."))));
        return;
    }
    if (!CimdFetcher::isClientIdUrl(clientId) && !liveClient(clientId)) {
        // RFC 6749 §5.2 invalid_client ("unknown client"), which makes a client drop its cached
        // registration and register again. 400, not 401: nothing here authenticates a client, so
        // there is no scheme for the WWW-Authenticate a 401 must carry (RFC 9110 §15.5.2).
        qCInfo(lcOAuth).noquote() << "authorization probe for an unknown client" << clientId;
        OAuthError e = OAuthError::invalidClient(
            QStringLiteral("No application is registered with this client_id (a registration nobody approved expires). "
                           "Register again."));
        e.httpStatus = 400;
        responder.send(oauthErrorResponse(e));
        return;
    }
    responder.send(oauthErrorResponse(OAuthError::make("navigation_required",
        QStringLiteral("Open this authorization URL in a browser: the person decides there, in Tessera."), 403)));
}

void AuthorizeEndpoint::authorize(const FormData &query, Http::Responder responder, const Store::Client &client,
    const std::optional<Ipc::PortOwnerReport> &receiver)
{
    // redirect_uri: exact match, port-agnostic for loopback (RFC 8252 §7.3); errors shown here.
    AuthorizationSnapshot s;
    s.clientId = client.clientId;
    const std::optional<QString> redirect = query.value(u"redirect_uri");
    if (redirect) {
        auto parsed = parseRedirectUri(*redirect);
        bool registered = false;
        for (const QString &r : client.redirectUris)
            registered = registered || redirectUriMatches(r, *redirect);
        if (!parsed || !registered) {
            responder.send(Pages::error(400, QStringLiteral("Unregistered redirect URI"),
                QStringLiteral("This application did not register the address it asked to be sent back to.")));
            return;
        }
        s.redirectUri = *redirect;
    } else if (client.redirectUris.size() == 1) {
        s.redirectUri = client.redirectUris.first(); // RFC 6749 §3.1.2.3
    } else {
        responder.send(Pages::error(400, QStringLiteral("Missing redirect URI"),
            QStringLiteral("This application registered several redirect URIs and did not say which one to use.")));
        return;
    }
    const std::optional<QString> state = query.value(u"state");
    if (state && state->size() > MaxStateLength) {
        responder.send(
            Pages::error(400, QStringLiteral("Invalid authorization request"), QStringLiteral("state is too long.")));
        return;
    }
    s.state = state.value_or(QString());

    // From here on, errors go back to the client (RFC 6749 §4.1.2.1) with state and iss.
    const std::optional<QString> responseType = query.value(u"response_type");
    if (!responseType)
        return redirectError(responder, s, OAuthError::invalidRequest(QStringLiteral("response_type is missing.")));
    if (*responseType != QStringLiteral("code")) // security-cases D6
        return redirectError(
            responder, s, OAuthError::unsupportedResponseType(QStringLiteral("Only response_type=code is supported.")));
    if (!clientUsesAuthorizationCode(client))
        return redirectError(responder, s,
            OAuthError::unauthorizedClient(
                QStringLiteral("This client did not register the authorization_code grant.")));

    // PKCE S256, always (OAuth 2.1 §4.1.1, RFC 7636; security-cases E1-E3).
    const std::optional<QString> challenge = query.value(u"code_challenge");
    if (!challenge || challenge->isEmpty())
        return redirectError(
            responder, s, OAuthError::invalidRequest(QStringLiteral("code_challenge is required (PKCE).")));
    const std::optional<QString> method = query.value(u"code_challenge_method");
    if (!method || *method != QStringLiteral("S256"))
        return redirectError(
            responder, s, OAuthError::invalidRequest(QStringLiteral("code_challenge_method must be S256.")));
    if (!Crypto::isValidS256Challenge(challenge->toLatin1()))
        return redirectError(
            responder, s, OAuthError::invalidRequest(QStringLiteral("code_challenge is not an S256 challenge.")));
    // RFC 9700 §2.1.1: reasonable effort at detecting a constant challenge.
    if (m_usedChallenges.contains(*challenge))
        return redirectError(responder, s,
            OAuthError::invalidRequest(
                QStringLiteral("This code_challenge was used before; use a fresh PKCE verifier.")));
    s.codeChallenge = *challenge;

    // The resource (RFC 8707): canonical, registered; omitted -> the only one there is.
    Store::ResourceStore resources(m_ctx.db);
    std::optional<Store::Resource> resource;
    if (const std::optional<QString> r = query.value(u"resource")) {
        auto canonical = canonicalResource(*r);
        if (!canonical)
            return redirectError(responder, s, OAuthError::invalidTarget(canonical.error().message));
        auto found = resources.findByUri(*canonical);
        if (!found || !found->has_value())
            return redirectError(responder, s,
                OAuthError::invalidTarget(QStringLiteral("Tessera does not protect the resource %1.").arg(*canonical)));
        resource = **found;
    } else {
        auto all = resources.list();
        if (!all || all->size() != 1)
            return redirectError(responder, s,
                OAuthError::invalidTarget(QStringLiteral("Say which resource you want (the resource parameter).")));
        resource = all->first();
    }
    s.resourceId = resource->id;
    s.resourceUri = resource->uri;

    // Scopes: a subset of the resource's; omitted -> its default (minimal) scopes.
    QStringList scopes;
    if (const std::optional<QString> scope = query.value(u"scope")) {
        auto parsed = parseScope(*scope);
        if (!parsed)
            return redirectError(responder, s, OAuthError::invalidScope(parsed.error().message));
        scopes = *parsed;
        // offline_access is a request for refresh tokens, which this server decides by duration.
        scopes.removeAll(QStringLiteral("offline_access"));
        for (const QString &name : std::as_const(scopes)) {
            if (!resource->scope(name))
                return redirectError(responder, s,
                    OAuthError::invalidScope(
                        QStringLiteral("The scope \"%1\" does not exist on %2.").arg(name, resource->displayName)));
        }
    }
    if (scopes.isEmpty())
        scopes = resource->defaultScopes;
    if (scopes.isEmpty())
        return redirectError(responder, s, OAuthError::invalidScope(QStringLiteral("Ask for at least one scope.")));
    s.scopes = Store::canonicalScopes(scopes);
    s.forcePrompt = query.value(u"prompt") == QStringLiteral("consent");

    if (m_ctx.broker.isFrozen())
        return redirectError(
            responder, s, OAuthError::accessDenied(QStringLiteral("Tessera is frozen; every request is refused.")));
    if (!m_ctx.keys.isReady())
        return redirectError(responder, s,
            OAuthError::temporarilyUnavailable(QStringLiteral("Tessera cannot reach its keychain right now.")));

    // A reload of the same request while it waits: the same waiting page again (an index, not a scan: R7b).
    if (const auto known = m_byChallenge.constFind(challengeKey(s.clientId, s.codeChallenge));
        known != m_byChallenge.cend()) {
        const auto t = m_transactions.constFind(*known);
        if (t != m_transactions.cend() && !t->outcome) {
            responder.send(Pages::waiting(client.clientName, resource->displayName,
                QStringLiteral("/authorize/wait?txn=") + t->id, QByteArray()));
            return;
        }
    }
    // R7b: bounded, per client and in all; the excess is told why, and nothing is created.
    if (m_perClient.value(s.clientId) >= MaxTransactionsPerClient)
        return redirectError(responder, s,
            OAuthError::temporarilyUnavailable(
                QStringLiteral("Too many sign-ins of this application are waiting; finish or close them first.")));
    if (m_transactions.size() >= MaxTransactions)
        return redirectError(responder, s,
            OAuthError::temporarilyUnavailable(QStringLiteral("Too many sign-ins are waiting; try again shortly.")));

    // A loopback redirect: first learn who listens on its port, off the event loop and within
    // a budget (R8), then validate again from the top with the answer, so that whatever changed
    // meanwhile (a freeze, a removed resource) counts.
    const std::optional<Ipc::PortQuery> receiverPort = receiverQuery(s.redirectUri);
    if (receiverPort && !receiver) {
        auto held = std::make_shared<Http::Responder>(std::move(responder));
        QPointer<AuthorizeEndpoint> self(this);
        const Store::Client c = client;
        m_portOwners->resolve(*receiverPort, [self, held, query, c](const Ipc::PortOwnerReport &found) {
            if (self)
                self->authorize(query, std::move(*held), c, found);
        });
        return;
    }
    // R3: a loopback redirect counts only while the person's own uid holds its port. Another
    // user's listener gets nothing: no code, no error redirect, no prompt.
    if (receiver && receiver->state == Ipc::PortOwnerReport::State::Foreign) {
        qCInfo(lcOAuth).noquote() << "refused /authorize for client" << s.clientId << ": port" << receiver->port
                                  << "is held by uid" << receiver->listenerUid;
        // The refusal stands whether or not it could be recorded: only warn.
        if (auto a = m_ctx.audit.append({ QStringLiteral("authorization.refused"),
                QStringLiteral("client:") + s.clientId, s.clientId, s.resourceUri, QString(),
                QJsonObject { { QStringLiteral("reason"), QString(kForeignListener) },
                    { QStringLiteral("port"), int(receiver->port) },
                    { QStringLiteral("listener_uid"), receiver->listenerUid } } });
            !a)
            qCWarning(lcOAuth).noquote() << "could not audit a refused authorization:" << a.error().message;
        responder.send(refusalPage(kForeignListener, receiver->port));
        return;
    }

    // Covered by an active grant: answer at once (no prompt), unless the client asked for one,
    // and for a loopback redirect only while the executable that listened there when the person
    // approved listens there again (R4; RFC 8252 §8.6: no automatic answer unless the client's
    // identity is assured). Anything else, nobody listening included, asks the person.
    std::optional<Store::GrantReceiver> recordedReceiver;
    bool covered = false;
    if (!s.forcePrompt) {
        auto covering = m_grants.coveringGrant(s);
        if (covering && covering->has_value() && (*covering)->duration != QStringLiteral("once")) {
            covered = true;
            if (receiver)
                recordedReceiver = m_grants.receiverOf((*covering)->id).valueOr(std::nullopt);
            if (!receiver || (receiver->isOwn() && GrantService::isRecordedReceiver(recordedReceiver, receiver->exe))) {
                // Only a note: the code itself is audited (code.issued) in issueCode's
                // transaction, which fails without it, so nothing is issued unrecorded.
                if (auto a = m_ctx.audit.append(
                        { QStringLiteral("authorization.covered"), QStringLiteral("client:") + s.clientId, s.clientId,
                            s.resourceUri, (*covering)->id, QJsonObject {} });
                    !a)
                    qCWarning(lcOAuth).noquote() << "could not audit a covered authorization:" << a.error().message;
                approveAndRedirect(responder, **covering, s);
                return;
            }
        }
    }
    if (receiver && !covered) {
        // Step-up or a fresh request: the receiver of the grant held so far, for "what changed".
        auto active
            = Store::GrantStore(m_ctx.db).findActiveCovering(s.clientId, s.resourceId, {}, m_ctx.clock.nowSecs());
        if (active && active->has_value())
            recordedReceiver = m_grants.receiverOf((*active)->id).valueOr(std::nullopt);
    }

    // A consent request for the person.
    Consent::ConsentRequest request;
    request.path = Consent::Path::Authorize;
    Consent::Requester &who = request.requester;
    who.clientId = client.clientId;
    who.clientKind = Store::clientKindToString(client.kind);
    who.clientName = client.clientName;
    who.clientUri = client.metadata.value(QStringLiteral("client_uri")).toString();
    if (client.kind == Store::ClientKind::Cimd)
        who.verifiedDomain = CimdFetcher::verifiedHost(client.clientId);
    who.redirectUri = s.redirectUri;
    if (auto parsed = parseRedirectUri(s.redirectUri)) {
        who.loopbackRedirect = parsed->loopback;
        who.localhostName = parsed->usesLocalhostName;
    }
    who.newClient = !client.consented;
    if (receiver)
        describeReceiver(who, *receiver, recordedReceiver, covered);
    request.resourceId = resource->id;
    request.resourceUri = resource->uri;
    request.resourceName = resource->displayName;
    for (const QString &name : std::as_const(s.scopes)) {
        const Store::ResourceScope def
            = resource->scope(name).value_or(Store::ResourceScope { name, {}, Store::Risk::High });
        request.scopes.append(Consent::ScopeItem { name, def.description, def.risk == Store::Risk::High, false });
    }
    m_grants.markHeld(request, client.clientId, resource->id);
    auto txnId = Crypto::randomToken(16);
    auto cookieSecret = Crypto::randomToken(32);
    if (!txnId || !cookieSecret)
        return redirectError(
            responder, s, OAuthError::serverError(QStringLiteral("Tessera could not start this request.")));
    request.snapshot
        = QJsonObject { { QStringLiteral("client_id"), s.clientId }, { QStringLiteral("redirect_uri"), s.redirectUri },
              { QStringLiteral("resource"), s.resourceUri }, { QStringLiteral("scope"), s.scopes.join(u' ') } };

    const QString id = *txnId;
    QPointer<AuthorizeEndpoint> self(this);
    auto submitted = m_ctx.broker.submit(request, [self, id](const Consent::Decision &d) {
        if (self)
            self->decideAfterReceiverCheck(id, d);
    });
    if (!submitted)
        return redirectError(responder, s, OAuthError::accessDenied(submitted.error().message));

    Transaction t;
    t.id = id;
    t.consentId = *submitted;
    t.snapshot = s;
    t.cookieSecretHash = Crypto::sha256(cookieSecret->toLatin1());
    t.expiresAtMs = m_ctx.clock.nowMs() + qint64(m_ctx.broker.limits().promptTimeoutSecs + 120) * 1000;
    m_byChallenge.insert(challengeKey(t.snapshot.clientId, t.snapshot.codeChallenge), id);
    ++m_perClient[t.snapshot.clientId];
    m_transactions.insert(id, std::move(t));
    if (receiver && receiver->isOwn())
        m_promptedReceivers.insert(id, receiver->exe);

    // The wait request must come from this browser: an HttpOnly, SameSite=Strict cookie that
    // only /authorize/wait sees (mcp-authorization.md §3: bind pending transactions to the browser).
    const QByteArray cookie = cookieName(id).toLatin1() + '=' + cookieSecret->toLatin1()
        + "; Path=/authorize/wait; HttpOnly; SameSite=Strict; Max-Age="
        + QByteArray::number(m_ctx.broker.limits().promptTimeoutSecs + 120);
    responder.send(
        Pages::waiting(client.clientName, resource->displayName, QStringLiteral("/authorize/wait?txn=") + id, cookie));
}

void AuthorizeEndpoint::describeReceiver(Consent::Requester &who, const Ipc::PortOwnerReport &receiver,
    const std::optional<Store::GrantReceiver> &recorded, bool covered)
{
    using State = Ipc::PortOwnerReport::State;
    const int port = receiver.port;
    switch (receiver.state) {
    case State::Own:
        for (const Ipc::ProcessInfo &p : receiver.chain)
            who.processChain.append(Consent::ProcessFact { p.pid, p.exe, p.comm });
        if (recorded && receiver.exe.isValid()) {
            if (recorded->exePath != receiver.exe.path)
                who.previousExecutable = recorded->exePath; // the prompt: "Last time: X. Now: Y."
            else if (!GrantService::isRecordedReceiver(recorded, receiver.exe))
                who.receiverWarnings.append(QStringLiteral("The program at %1 is not the same file as when you "
                                                           "approved this agent: it was updated or replaced.")
                                                .arg(receiver.exe.path));
        } else if (receiver.exe.isValid()) {
            // No grant says who received the code: what acted for this client last time, if anything.
            const auto seen = Store::ClientStore(m_ctx.db).executables(who.clientId);
            if (seen && !seen->isEmpty() && seen->first().exePath != receiver.exe.path)
                who.previousExecutable = seen->first().exePath;
            if (covered)
                who.receiverWarnings.append(QStringLiteral("Tessera has no record of which program received the "
                                                           "answer when you approved this agent, so it asks again."));
        } else {
            who.receiverWarnings.append(
                QStringLiteral("Tessera could not read which program file listens on port %1.").arg(port));
        }
        return;
    case State::Nobody:
        who.receiverWarnings.append(
            QStringLiteral("Nothing listens on port %1 right now: no program of yours is waiting for this answer.")
                .arg(port));
        return;
    case State::TimedOut:
        who.receiverWarnings.append(
            QStringLiteral("Tessera could not check in time which program listens on port %1.").arg(port));
        return;
    case State::Unknown:
    case State::Foreign: // refused before a prompt
        who.receiverWarnings.append(
            QStringLiteral("Tessera could not tell which program listens on port %1.").arg(port));
        return;
    }
}

void AuthorizeEndpoint::decideAfterReceiverCheck(const QString &txnId, const Consent::Decision &decision)
{
    const std::optional<Ipc::ExecutableIdentity> prompted = m_promptedReceivers.contains(txnId)
        ? std::optional<Ipc::ExecutableIdentity>(m_promptedReceivers.take(txnId))
        : std::nullopt;
    const auto it = m_transactions.constFind(txnId);
    const std::optional<Ipc::PortQuery> port
        = it == m_transactions.cend() ? std::nullopt : receiverQuery(it->snapshot.redirectUri);
    if (!decision.approved() || !port) {
        onDecision(txnId, decision);
        return;
    }
    // R3: the port is checked again when the answer is sent, after the person's decision: it may
    // have changed hands while they decided. Only the person's own listener gets a code, and only
    // the program the prompt named if it named one.
    QPointer<AuthorizeEndpoint> self(this);
    m_portOwners->resolve(*port, [self, txnId, decision, prompted](const Ipc::PortOwnerReport &now) {
        if (!self)
            return;
        using State = Ipc::PortOwnerReport::State;
        if (now.state == State::Foreign)
            return self->refuseAnswer(txnId, kForeignListener, now);
        if (now.listenerUid < 0 && now.state != State::Nobody)
            return self->refuseAnswer(txnId, kUnverified, now); // the listener's uid is not known
        if (prompted && now.isOwn() && !prompted->sameFile(now.exe))
            return self->refuseAnswer(txnId, kListenerChanged, now);
        if (now.isOwn() && now.exe.isValid())
            self->m_approvedReceivers.insert(txnId, now.exe);
        self->onDecision(txnId, decision);
        self->m_approvedReceivers.remove(txnId);
    });
}

void AuthorizeEndpoint::recordReceiver(const QString &txnId, const Store::Grant &grant)
{
    const auto it = m_approvedReceivers.constFind(txnId);
    if (it == m_approvedReceivers.cend())
        return; // nobody of ours was seen on the port: the grant never answers silently
    if (Status st = m_grants.recordReceiver(grant.id, *it); !st)
        qCWarning(lcOAuth).noquote() << "could not record the program receiving grant" << grant.id << ":"
                                     << st.error().message;
}

void AuthorizeEndpoint::refuseAnswer(const QString &txnId, const QString &reason, const Ipc::PortOwnerReport &receiver)
{
    const auto it = m_transactions.constFind(txnId);
    if (it == m_transactions.cend())
        return;
    const AuthorizationSnapshot &s = it->snapshot;
    qCWarning(lcOAuth).noquote() << "approved, but no code for client" << s.clientId << ":" << reason << "on port"
                                 << receiver.port;
    // The refusal stands whether or not it could be recorded: only warn.
    if (auto a = m_ctx.audit.append({ QStringLiteral("authorization.refused"), QStringLiteral("client:") + s.clientId,
            s.clientId, s.resourceUri, QString(),
            QJsonObject { { QStringLiteral("reason"), reason }, { QStringLiteral("port"), int(receiver.port) },
                { QStringLiteral("listener_uid"), receiver.listenerUid } } });
        !a)
        qCWarning(lcOAuth).noquote() << "could not audit a refused answer:" << a.error().message;
    // Tessera's own page, never the redirect URI: whoever listens there now gets nothing.
    settle(txnId,
        QUrl(m_ctx.issuer + QStringLiteral("/authorize/refused?reason=") + reason + QStringLiteral("&port=")
            + QString::number(receiver.port)));
}

void AuthorizeEndpoint::handleRefused(const Http::Request &request, Http::Responder responder)
{
    auto query = request.queryForm();
    const QString reason = query ? query->value(u"reason").value_or(QString()) : QString();
    bool ok = false;
    const int port = query ? query->value(u"port").value_or(QString()).toInt(&ok) : 0;
    if (!ok || port <= 0 || port > 65535) {
        responder.send(refusalPage(QString(), 0));
        return;
    }
    responder.send(refusalPage(reason, port));
}

bool AuthorizeEndpoint::clientUsesAuthorizationCode(const Store::Client &client)
{
    const QJsonValue types = client.metadata.value(QStringLiteral("grant_types"));
    return !types.isArray() || types.toArray().contains(QStringLiteral("authorization_code"));
}

void AuthorizeEndpoint::handleWait(const Http::Request &request, Http::Responder responder)
{
    auto query = request.queryForm();
    const std::optional<QString> id = query ? query->value(u"txn") : std::nullopt;
    const auto it = id ? m_transactions.find(*id) : m_transactions.end();
    if (it == m_transactions.end()) {
        responder.send(Pages::error(410, QStringLiteral("This request is no longer waiting"),
            QStringLiteral("It was answered, timed out, or Tessera restarted. Start again from the application.")));
        return;
    }
    const std::optional<QByteArray> cookie = cookieValue(request, cookieName(*id));
    if (!cookie || !Crypto::constantTimeEquals(Crypto::sha256(*cookie), it->cookieSecretHash)) {
        responder.send(Pages::error(403, QStringLiteral("Wrong browser"),
            QStringLiteral("This request was started in another browser or tab.")));
        return;
    }
    if (it->outcome) {
        const QUrl where = *it->outcome;
        eraseTransaction(it);
        responder.send(seeOther(where));
        return;
    }
    if (it->waiter)
        it->waiter->send(Http::Response::empty(409)); // a newer wait for the same request takes over
    it->waiter = std::make_shared<Http::Responder>(std::move(responder));
    // A held wait may last minutes: parked, so the server can take its slot back when it needs
    // one (R7a); the browser then asks again and the outcome is kept for it meanwhile (settle()).
    it->waiter->park(Pages::stillWaiting(QStringLiteral("/authorize/wait?txn=") + *id, StillWaitingRetrySecs));
}

void AuthorizeEndpoint::onDecision(const QString &txnId, const Consent::Decision &decision)
{
    const auto it = m_transactions.find(txnId);
    if (it == m_transactions.end())
        return;
    const AuthorizationSnapshot s = it->snapshot;
    if (!decision.approved()) {
        using O = Consent::Decision::Outcome;
        const QString why = decision.outcome == O::TimedOut ? QStringLiteral("Nobody approved the request in time.")
            : decision.outcome == O::Frozen                 ? QStringLiteral("Tessera is frozen.")
            : decision.outcome == O::AnsweredOnceElsewhere
            ? QStringLiteral("The request was approved once, for a newer identical sign-in; start again to ask anew.")
            : QStringLiteral("The request was denied.");
        settle(txnId, errorRedirect(s, OAuthError::accessDenied(why)));
        return;
    }
    auto resource = Store::ResourceStore(m_ctx.db).find(s.resourceId);
    if (!resource || !resource->has_value()) {
        settle(txnId, errorRedirect(s, OAuthError::invalidTarget(QStringLiteral("The resource was removed."))));
        return;
    }
    // R5: one approval makes one grant; a requester merged into the same prompt shares it
    // (a second grant would supersede the first and kill the code already sent to its twin).
    auto grant = m_grants.sharedGrant(decision, [&] {
        return m_grants.grantFromApproval(s.clientId, **resource, decision.scopes, decision.duration,
            decision.decidedBy == QStringLiteral("cli") ? QStringLiteral("operator") : QStringLiteral("user"),
            decision.extendHeld);
    });
    if (!grant) {
        settle(txnId,
            errorRedirect(s,
                grant.error().code == QStringLiteral("grant_revoked")
                    ? OAuthError::accessDenied(grant.error().message)
                    : OAuthError::serverError(QStringLiteral("Tessera could not record the approval."))));
        return;
    }
    recordReceiver(txnId, *grant);
    AuthorizationSnapshot bound = s;
    // Partial consent: the code carries what was asked for and granted, nothing more.
    QStringList scopes;
    for (const QString &name : s.scopes) {
        if (grant->scopes.contains(name))
            scopes.append(name);
    }
    bound.scopes = scopes;
    auto code = m_grants.issueCode(*grant, bound);
    if (!code) {
        settle(txnId, errorRedirect(s, OAuthError::serverError(QStringLiteral("Tessera could not issue a code."))));
        return;
    }
    m_usedChallenges.insert(s.codeChallenge, m_ctx.clock.nowMs());
    settle(txnId, codeRedirect(bound, *code));
}

void AuthorizeEndpoint::settle(const QString &txnId, const QUrl &outcome)
{
    const auto it = m_transactions.find(txnId);
    if (it == m_transactions.end())
        return;
    if (it->waiter && it->waiter->isConnected()) {
        Http::Responder waiter = std::move(*it->waiter);
        eraseTransaction(it);
        waiter.send(seeOther(outcome));
        return;
    }
    // The browser is not waiting right now; keep the answer until it comes back or expires.
    it->waiter.reset();
    it->outcome = outcome;
    it->expiresAtMs = m_ctx.clock.nowMs() + ServerContext::CodeLifetimeSecs * 1000;
}

void AuthorizeEndpoint::approveAndRedirect(
    Http::Responder &responder, const Store::Grant &grant, const AuthorizationSnapshot &s)
{
    auto code = m_grants.issueCode(grant, s);
    if (!code) {
        redirectError(responder, s, OAuthError::serverError(QStringLiteral("Tessera could not issue a code.")));
        return;
    }
    m_usedChallenges.insert(s.codeChallenge, m_ctx.clock.nowMs());
    responder.send(seeOther(codeRedirect(s, *code)));
}

void AuthorizeEndpoint::redirectError(Http::Responder &responder, const AuthorizationSnapshot &s, const OAuthError &e)
{
    qCInfo(lcOAuth).noquote() << "authorization error for client" << s.clientId << e.error;
    responder.send(seeOther(errorRedirect(s, e)));
}

QUrl AuthorizeEndpoint::codeRedirect(const AuthorizationSnapshot &s, const QString &code) const
{
    QList<QPair<QString, QString>> params { { QStringLiteral("code"), code } };
    if (!s.state.isEmpty())
        params.append({ QStringLiteral("state"), s.state });
    params.append({ QStringLiteral("iss"), m_ctx.issuer }); // RFC 9207 §2
    return withParams(s.redirectUri, params);
}

QUrl AuthorizeEndpoint::errorRedirect(const AuthorizationSnapshot &s, const OAuthError &e) const
{
    QList<QPair<QString, QString>> params { { QStringLiteral("error"), e.error } };
    if (!e.description.isEmpty())
        params.append({ QStringLiteral("error_description"), e.description });
    if (!s.state.isEmpty())
        params.append({ QStringLiteral("state"), s.state });
    params.append({ QStringLiteral("iss"), m_ctx.issuer }); // RFC 9207: on errors too
    return withParams(s.redirectUri, params);
}

QUrl AuthorizeEndpoint::withParams(const QString &redirectUri, const QList<QPair<QString, QString>> &params) const
{
    // RFC 6749 §3.1.2: keep the redirect URI's own query; every value fully percent-encoded
    // ('+' included, which QUrlQuery would leave alone and a form decoder would read as space).
    QByteArray url = redirectUri.toLatin1();
    char separator = url.contains('?') ? '&' : '?';
    for (const auto &[name, value] : params) {
        url += separator + QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
        separator = '&';
    }
    return QUrl::fromEncoded(url, QUrl::StrictMode);
}

AuthorizeEndpoint::TransactionIt AuthorizeEndpoint::eraseTransaction(TransactionIt it)
{
    const QString key = challengeKey(it->snapshot.clientId, it->snapshot.codeChallenge);
    if (m_byChallenge.value(key) == it->id)
        m_byChallenge.remove(key);
    if (int &n = m_perClient[it->snapshot.clientId]; --n <= 0)
        m_perClient.remove(it->snapshot.clientId);
    m_promptedReceivers.remove(it->id);
    m_approvedReceivers.remove(it->id);
    return m_transactions.erase(it);
}

void AuthorizeEndpoint::sweep()
{
    const qint64 now = m_ctx.clock.nowMs();
    for (auto it = m_transactions.begin(); it != m_transactions.end();) {
        if (it->expiresAtMs <= now) {
            if (it->waiter)
                it->waiter->send(Pages::error(410, QStringLiteral("This request is no longer waiting"),
                    QStringLiteral("It timed out. Start again from the application.")));
            it = eraseTransaction(it);
        } else {
            ++it;
        }
    }
    for (auto it = m_usedChallenges.begin(); it != m_usedChallenges.end();) {
        if (it.value() < now - 24 * 3600 * 1000LL)
            it = m_usedChallenges.erase(it);
        else
            ++it;
    }
}

} // namespace Tessera::OAuth
