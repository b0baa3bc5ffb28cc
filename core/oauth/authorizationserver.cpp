// SPDX-License-Identifier: GPL-3.0-or-later
#include "oauth/authorizationserver.h"

#include "common/logging.h"
#include "http/loopbackserver.h"
#include "http/request.h"
#include "http/response.h"
#include "oauth/authorizeendpoint.h"
#include "oauth/cimdfetcher.h"
#include "oauth/keymanager.h"
#include "oauth/metadata.h"
#include "store/authorizationcodestore.h"
#include "store/refreshtokenstore.h"
#include "store/resourcestore.h"
#include "store/revokedtokenstore.h"

#include <QTimer>

namespace Tessera::OAuth {

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
    , m_maintenance(new QTimer(this))
{
    m_maintenance->setInterval(60'000);
    connect(m_maintenance, &QTimer::timeout, this, &AuthorizationServer::maintain);
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
    RouteOptions json;
    json.requiredContentType = "application/json";
    RouteOptions navigation;
    navigation.navigationOnly = true; // security-cases A6; never CORS (RFC 9700 §2.6)
    navigation.allowQuery = true;

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
            json);
        !s)
        return s;
    if (Status s = http.route(
            get, "/authorize",
            [this](const Request &request, Responder r) { m_authorize->handleAuthorize(request, std::move(r)); },
            navigation);
        !s)
        return s;
    if (Status s = http.route(
            get, "/authorize/wait",
            [this](const Request &request, Responder r) { m_authorize->handleWait(request, std::move(r)); },
            navigation);
        !s)
        return s;
    if (Status s = http.route(
            post, "/token", [this](const Request &request, Responder r) { r.send(m_token.handle(request)); }, form);
        !s)
        return s;
    if (Status s = http.route(
            post, "/revoke", [this](const Request &request, Responder r) { r.send(m_revocation.handle(request)); },
            form);
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
