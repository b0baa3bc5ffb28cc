// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A LoopbackServer on an ephemeral port with the route shapes the OAuth layer will use,
// and a call counter per route so that tests can prove a handler did NOT run.

#include "http/loopbackserver.h"

#include <QHash>
#include <QJsonObject>
#include <QTimer>

#include <memory>
#include <optional>

namespace Tessera::Test {

inline Http::HttpLimits shortLimits()
{
    Http::HttpLimits limits;
    limits.headerTimeoutMs = 2000;
    limits.bodyTimeoutMs = 2000;
    limits.idleTimeoutMs = 2000;
    limits.lingerMs = 200;
    return limits;
}

class Harness
{
public:
    explicit Harness(const Http::HttpLimits &limits = shortLimits(), bool ipv6 = false) : server(limits)
    {
        using namespace Tessera::Http;
        server.setAllowEphemeralPortForTesting(true);
        server.setListenIpv6(ipv6);
        const Status listening = server.listen(0);
        if (!listening)
            qFatal("listen failed: %s", qPrintable(listening.error().toString()));

        add("GET", "/ok", {}, [](const Request &, Responder r) {
            r.send(Response { 200, "text/plain", "ok", {}, {} });
        });
        add("HEAD", "/ok", {}, [](const Request &, Responder r) {
            r.send(Response { 200, "text/plain", "ok", {}, {} });
        });
        add("GET", "/.well-known/oauth-authorization-server", RouteOptions::publicMetadata(60),
            [](const Request &, Responder r) {
                r.send(Response::json(
                    200, QJsonObject { { QStringLiteral("issuer"), QStringLiteral("http://127.0.0.1") } }));
            });
        RouteOptions form;
        form.requiredContentType = "application/x-www-form-urlencoded";
        add("POST", "/token", form, [this](const Request &request, Responder r) {
            lastRequest = request;
            r.send(Response::json(200, QJsonObject { { QStringLiteral("access_token"), QStringLiteral("t") } }));
        });
        RouteOptions json;
        json.requiredContentType = "application/json";
        add("POST", "/register", json, [](const Request &, Responder r) {
            r.send(Response::json(201, QJsonObject { { QStringLiteral("client_id"), QStringLiteral("c") } }));
        });
        RouteOptions authorize;
        authorize.navigationOnly = true;
        authorize.allowQuery = true;
        add("GET", "/authorize", authorize, [](const Request &, Responder r) {
            r.send(Response::html(200, "<!doctype html><style>p{}</style><p>consent</p>").allowInlineStyle("p{}"));
        });
        RouteOptions allowed;
        allowed.cors = CorsPolicy::AllowedOrigins;
        allowed.corsOrigins = { "http://localhost:6274" };
        allowed.corsAllowHeaders = { "Authorization", "Content-Type" };
        allowed.corsExposeHeaders = { "WWW-Authenticate" };
        add("POST", "/mcp", allowed, [](const Request &, Responder r) {
            r.send(Response::json(401, {}).withHeader(
                "WWW-Authenticate", "Bearer resource_metadata=\"http://127.0.0.1/x\""));
        });
        add("GET", "/defer", {}, [this](const Request &, Responder r) {
            deferred = std::move(r);
            QTimer::singleShot(deferMs, &server, [this] {
                if (deferred)
                    deferred->send(Response { 200, "text/plain", "late", {}, {} });
            });
        });
        add("GET", "/hold", {}, [this](const Request &, Responder r) { held.push_back(std::move(r)); });
        add("GET", "/drop", {}, [](const Request &, Responder) {});
    }

    void add(const QByteArray &method, const QByteArray &path, const Http::RouteOptions &options, Http::Handler handler)
    {
        const QByteArray key = method + ' ' + path;
        const Status routed = server.route(
            method, path,
            [this, key, handler](const Http::Request &request, Http::Responder r) {
                ++calls[key];
                handler(request, std::move(r));
            },
            options);
        if (!routed)
            qFatal("route failed: %s", qPrintable(routed.error().toString()));
    }

    [[nodiscard]] quint16 port() const { return server.port(); }
    [[nodiscard]] QByteArray hostPort() const { return "127.0.0.1:" + QByteArray::number(server.port()); }
    [[nodiscard]] int totalCalls() const
    {
        int n = 0;
        for (int c : calls)
            n += c;
        return n;
    }

    Http::LoopbackServer server;
    QHash<QByteArray, int> calls;
    std::optional<Http::Request> lastRequest;
    std::optional<Http::Responder> deferred;
    std::vector<Http::Responder> held;
    int deferMs = 300;
};

} // namespace Tessera::Test
