// SPDX-License-Identifier: GPL-3.0-or-later
#include "oauth/authorizationserver.h"

#include "common/logging.h"
#include "http/loopbackserver.h"
#include "http/request.h"
#include "http/response.h"
#include "ipc/portowner.h"
#include "oauth/authorizeendpoint.h"
#include "oauth/canonical.h"
#include "oauth/cimdfetcher.h"
#include "oauth/groupcommit.h"
#include "oauth/keymanager.h"
#include "oauth/metadata.h"
#include "store/authorizationcodestore.h"
#include "store/database.h"
#include "store/refreshtokenstore.h"
#include "store/resourcestore.h"
#include "store/revokedtokenstore.h"

#include <QTimer>
#include <QUrl>

#include <unistd.h>

namespace Tessera::OAuth {

namespace {

// The routes a browser-based client calls cross-origin when its origin is allowed.
struct BrowserRoute
{
    const char *path;
    const char *contentType;
};
constexpr BrowserRoute kBrowserRoutes[] = {
    { "/register", "application/json" },
    { "/token", "application/x-www-form-urlencoded" },
    { "/revoke", "application/x-www-form-urlencoded" },
};

Http::RouteOptions browserRouteOptions(const BrowserRoute &route, const QStringList &origins)
{
    Http::RouteOptions o;
    o.requiredContentType = route.contentType;
    if (origins.isEmpty())
        return o; // no CORS; the gate refuses every foreign Origin (security-cases A3, A5)
    o.cors = Http::CorsPolicy::AllowedOrigins;
    for (const QString &origin : origins)
        o.corsOrigins.append(origin.toLatin1());
    // Content-Type: application/json is not CORS-safelisted; Authorization carries Basic client
    // auth; the MCP SDKs may add MCP-Protocol-Version. No credentials mode: nothing uses cookies.
    o.corsAllowHeaders = { "Authorization", "Content-Type", "MCP-Protocol-Version" };
    o.corsExposeHeaders = { "WWW-Authenticate", "Retry-After" };
    return o;
}

Status validateBrowserOrigin(const QString &origin)
{
    const auto invalid = [&origin](const QString &why) {
        return Error::make(QStringLiteral("invalid_origin"), QStringLiteral("\"%1\": %2").arg(origin, why));
    };
    if (origin.isEmpty() || origin.size() > 255 || hasUnsafeUriCharacters(origin))
        return invalid(QStringLiteral("not a web origin"));
    const QUrl url = QUrl::fromEncoded(origin.toLatin1(), QUrl::StrictMode);
    // RFC 6454 §6.2: scheme "://" host [":" port], exactly as a browser serializes it.
    if (!url.isValid() || url.host().isEmpty() || !url.userInfo().isEmpty() || !url.path().isEmpty() || url.hasQuery()
        || url.hasFragment() || url.toEncoded() != origin.toLatin1())
        return invalid(QStringLiteral("write it as scheme://host[:port], lower case, with nothing after it"));
    const QString scheme = url.scheme();
    if (scheme != QStringLiteral("https") && scheme != QStringLiteral("http"))
        return invalid(QStringLiteral("only http and https origins can be allowed"));
    if ((scheme == QStringLiteral("https") && url.port() == 443)
        || (scheme == QStringLiteral("http") && url.port() == 80))
        return invalid(QStringLiteral("leave out the default port; browsers never send it"));
    // A plain-http page elsewhere could be anyone's on the way; on loopback it is this machine's.
    if (scheme == QStringLiteral("http") && !isLoopbackRedirectHost(url.host()))
        return invalid(QStringLiteral("plain http is allowed only on 127.0.0.1, [::1] or localhost"));
    return {};
}

/**
 * R3: an allowed origin on a loopback host counts only while a listener of the person's own uid
 * holds its port, checked for every request (one sock_diag dump of the listening sockets; no
 * process walk). A page served from another user's squatted port gets no CORS answer.
 */
std::optional<Error> verifyLoopbackOrigin(const QByteArray &origin)
{
    const QUrl url = QUrl::fromEncoded(origin, QUrl::StrictMode);
    if (!isLoopbackRedirectHost(url.host()))
        return std::nullopt; // a web origin: DNS and TLS say whose it is
    const int port = url.port(url.scheme() == QStringLiteral("https") ? 443 : 80);
    auto listeners = Ipc::tcpListeners();
    if (!listeners)
        return Error::make(QStringLiteral("origin_unverified"),
            QStringLiteral("Tessera could not check which program serves %1, so it does not answer it.")
                .arg(QString::fromLatin1(origin)));
    auto chosen
        = Ipc::chooseLoopbackListener(*listeners, quint16(port), Ipc::loopbackHostOf(url.host()), qint64(::getuid()));
    if (chosen)
        return std::nullopt;
    if (chosen.error().code == QStringLiteral("port_foreign"))
        return Error::make(QStringLiteral("origin_foreign_listener"),
            QStringLiteral("The page at %1 is served by another user's program on port %2; Tessera answers a "
                           "loopback origin only while a program of yours listens there.")
                .arg(QString::fromLatin1(origin))
                .arg(port));
    return Error::make(QStringLiteral("origin_not_listening"),
        QStringLiteral("No program of yours listens on port %2, so the page claiming %1 is not yours; Tessera answers "
                       "a loopback origin only while a program of yours listens there.")
            .arg(QString::fromLatin1(origin))
            .arg(port));
}

} // namespace

qint64 AuthorizationServer::lastAccessTokenExpiresAt() const
{
    return m_ctx.lastAccessTokenExpiresAt > m_ctx.clock.nowSecs() ? m_ctx.lastAccessTokenExpiresAt : 0;
}

AuthorizationServer::AuthorizationServer(ServerContext ctx, QObject *parent)
    : QObject(parent)
    , m_ctx(std::move(ctx))
    , m_grants(m_ctx)
    , m_registration(m_ctx.db, m_ctx.audit, m_ctx.clock)
    , m_token(m_ctx)
    , m_revocation(m_ctx)
    , m_introspection(m_ctx)
    , m_cimd(new CimdFetcher(m_ctx.clock, this))
    , m_authorize(new AuthorizeEndpoint(m_ctx, m_grants, *m_cimd, this))
    , m_tokenBatch(new GroupCommit(
          m_ctx.db, [this](const Http::Request &request) { return m_token.handle(request); },
          [] {
              return oauthErrorResponse(OAuthError::serverError(
                  QStringLiteral("Tessera could not save this token request; nothing was issued. Try again.")));
          },
          [this] { m_token.forgetRetries(); }, this))
    , m_maintenance(new QTimer(this))
{
    m_maintenance->setInterval(60'000);
    connect(m_maintenance, &QTimer::timeout, this, &AuthorizationServer::maintain);
    // R11: tokens issued before a restart may still be valid; the audit log knows when the last
    // one was issued (ts in ms), the resources how long any token can live.
    if (auto q = m_ctx.db.prepare(QStringLiteral(
            "SELECT (SELECT max(ts) FROM audit_events WHERE kind IN ('token.issued', 'token.refreshed')), "
            "(SELECT max(token_lifetime_secs) FROM resources)"));
        q && q->exec() && q->next()) {
        if (const auto lastMs = q->optionalInt64(0))
            m_ctx.lastAccessTokenExpiresAt
                = *lastMs / 1000 + 1 + qMin<qint64>(q->optionalInt64(1).value_or(0), KeyManager::MaxTokenLifetimeSecs);
    }
}

AuthorizationServer::~AuthorizationServer()
{
    stop();
}

quint16 AuthorizationServer::port() const
{
    return m_http ? m_http->port() : 0;
}

Status AuthorizationServer::start(quint16 port)
{
    stop();
    m_http = new Http::LoopbackServer(m_httpLimits, m_ctx.clock, this);
    m_http->setAllowEphemeralPortForTesting(m_allowEphemeral);
    m_http->setCorsOriginVerifier(verifyLoopbackOrigin);
    if (Status s = addRoutes(); !s)
        return s;
    if (Status s = m_http->listen(port); !s) {
        delete m_http;
        m_http = nullptr;
        return s;
    }
    if (m_allowEphemeral && port == 0)
        m_ctx.issuer = QStringLiteral("http://127.0.0.1:") + QString::number(m_http->port());
    m_maintenance->start();
    qCInfo(lcOAuth).noquote() << "authorization server at" << m_ctx.issuer;
    return {};
}

Status AuthorizationServer::setCorsAllowedOrigins(const QStringList &origins)
{
    QStringList list;
    for (const QString &origin : origins) {
        if (Status s = validateBrowserOrigin(origin); !s)
            return s;
        if (!list.contains(origin))
            list.append(origin);
    }
    if (m_http) {
        for (const BrowserRoute &route : kBrowserRoutes) {
            if (Status s = m_http->setRouteOptions("POST", route.path, browserRouteOptions(route, list)); !s)
                return s;
        }
    }
    m_corsOrigins = list;
    qCInfo(lcOAuth).noquote() << "browser origins allowed at /token, /register, /revoke:"
                              << (list.isEmpty() ? QStringLiteral("none") : list.join(QStringLiteral(", ")));
    return {};
}

void AuthorizationServer::stop()
{
    m_maintenance->stop();
    if (m_http) {
        m_http->close();
        delete m_http;
        m_http = nullptr;
    }
}

Status AuthorizationServer::addRoutes()
{
    using Http::Request;
    using Http::Responder;
    using Http::Response;
    using Http::RouteOptions;

    Http::LoopbackServer &http = *m_http;
    const QByteArray get = "GET";
    const QByteArray post = "POST";

    RouteOptions form;
    form.requiredContentType = "application/x-www-form-urlencoded";
    RouteOptions navigation;
    navigation.navigationOnly = true; // security-cases A6; never CORS (RFC 9700 §2.6)
    navigation.allowQuery = true;
    // /authorize also answers a program's fetch() (mcp-remote's probe) with a JSON error, so that
    // a client whose registration is gone learns it and registers again (issue 10.3).
    RouteOptions authorize = navigation;
    authorize.admitFetchProbes = true;

    // Metadata is built from the configured issuer, never from the Host header (D5).
    if (Status s = http.route(
            get, "/.well-known/oauth-authorization-server",
            [this](const Request &, Responder r) {
                auto resources = Store::ResourceStore(m_ctx.db).list();
                r.send(Response::json(200,
                    authorizationServerMetadata(m_ctx.issuer, resources ? *resources : QList<Store::Resource> {})));
            },
            RouteOptions::publicMetadata(300));
        !s)
        return s;
    if (Status s = http.route(
            get, "/jwks", [this](const Request &, Responder r) { r.send(Response::json(200, m_ctx.keys.jwks())); },
            RouteOptions::publicMetadata(60));
        !s)
        return s;
    if (Status s = http.route(
            post, "/register",
            [this](const Request &request, Responder r) {
                auto registered = m_registration.registerClient(request.body);
                if (!registered) {
                    Response e = oauthErrorResponse(registered.error());
                    if (registered.error().httpStatus == 429)
                        e.withHeader("Retry-After", QByteArray::number(m_registration.retryAfterSecs()));
                    r.send(std::move(e));
                    return;
                }
                // RFC 7591 §3.2.1: 201 with everything registered; it may hold a secret.
                Response ok = Response::json(201, registered->response);
                ok.withHeader("Pragma", "no-cache");
                r.send(std::move(ok));
            },
            browserRouteOptions(kBrowserRoutes[0], m_corsOrigins));
        !s)
        return s;
    if (Status s = http.route(
            get, "/authorize",
            [this](const Request &request, Responder r) { m_authorize->handleAuthorize(request, std::move(r)); },
            authorize);
        !s)
        return s;
    if (Status s = http.route(
            get, "/authorize/wait",
            [this](const Request &request, Responder r) { m_authorize->handleWait(request, std::move(r)); },
            navigation);
        !s)
        return s;
    // Where a browser goes when no code was sent to its loopback redirect (R3).
    if (Status s = http.route(
            get, "/authorize/refused",
            [this](const Request &request, Responder r) { m_authorize->handleRefused(request, std::move(r)); },
            navigation);
        !s)
        return s;
    if (Status s = http.route(
            post, "/token",
            [this](const Request &request, Responder r) { m_tokenBatch->submit(request, std::move(r)); },
            browserRouteOptions(kBrowserRoutes[1], m_corsOrigins));
        !s)
        return s;
    if (Status s = http.route(
            post, "/revoke", [this](const Request &request, Responder r) { r.send(m_revocation.handle(request)); },
            browserRouteOptions(kBrowserRoutes[2], m_corsOrigins));
        !s)
        return s;
    return http.route(
        post, "/introspect", [this](const Request &request, Responder r) { r.send(m_introspection.handle(request)); },
        form);
}

void AuthorizationServer::maintain()
{
    const qint64 now = m_ctx.clock.nowSecs();
    (void)Store::AuthorizationCodeStore(m_ctx.db).purgeExpired(now);
    (void)Store::RefreshTokenStore(m_ctx.db).purge(now);
    (void)Store::RevokedTokenStore(m_ctx.db).purge(now);
    (void)m_registration.purgeExpired();
    m_ctx.keys.purgeRetired();
}

} // namespace Tessera::OAuth
