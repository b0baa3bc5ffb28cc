// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/clock.h"
#include "common/result.h"
#include "http/httplimits.h"
#include "http/request.h"
#include "http/responder.h"
#include "http/response.h"

#include <QHash>
#include <QList>
#include <QObject>

#include <functional>
#include <optional>

namespace Tessera::Http {

class Connection;
class GateServer;
struct RequestHead;
struct GateDecision;

/** @brief Cross-origin access for one route. */
enum class CorsPolicy
{
    None, ///< no CORS headers, OPTIONS is 405; required for /authorize (RFC 9700 §2.6)
    PublicReadOnly, ///< `Access-Control-Allow-Origin: *`, never with credentials; GET/HEAD routes only (metadata, JWKS)
    AllowedOrigins, ///< echo the Origin if it is in RouteOptions::corsOrigins, with `Vary: Origin`
};

/** @brief Per-route policy, checked before the handler runs and before the body is read. */
struct RouteOptions
{
    CorsPolicy cors = CorsPolicy::None;
    QList<QByteArray> corsOrigins; ///< serialized origins ("http://localhost:6274") for AllowedOrigins
    QList<QByteArray>
        corsAllowHeaders; ///< request headers a preflight may ask for (e.g. MCP-Protocol-Version, Authorization)
    QList<QByteArray> corsExposeHeaders; ///< e.g. WWW-Authenticate, so browser clients can read challenges
    /** Media type the body must declare, e.g. "application/x-www-form-urlencoded" (/token) or
     *  "application/json" (/register); otherwise 415 (security-cases A4). Parameters are ignored. */
    QByteArray requiredContentType;
    /** Fetch Metadata gate for /authorize (A6): a present Sec-Fetch-Mode must be `navigate` and a
     *  present Sec-Fetch-Dest `document`; otherwise 403 before the handler runs. Requires CorsPolicy::None. */
    bool navigationOnly = false;
    /** With navigationOnly (issue 10.3): a program's fetch() of the route (Sec-Fetch-Mode `cors`, Sec-Fetch-Dest
     *  absent or `empty`) reaches the handler, which must answer it without side effects (a JSON error, never a
     *  prompt). A web page's cors fetch carries its Origin, which the Origin gate refuses first; every other mode
     *  (no-cors, frames, websocket) is still refused here. */
    bool admitFetchProbes = false;
    /** Whether a query string is accepted; if not, any `?` gets 400 (A4: no credentials in URLs). */
    bool allowQuery = false;
    /** > 0: successful responses may be cached publicly this long; otherwise `Cache-Control: no-store`. */
    int cacheMaxAgeSecs = 0;

    /** @brief For RFC 8414/9728 metadata and JWKS: public CORS, MCP-Protocol-Version allowed in
     *  preflights (mcp-authorization.md §4 #15), queries tolerated (the TS SDK copies them along). */
    [[nodiscard]] static RouteOptions publicMetadata(int cacheMaxAgeSecs = 0);
};

/** @brief Handles one request; answer through the Responder now or later. Never sees Qt types. */
using Handler = std::function<void(const Request &request, Responder responder)>;
/**
 * @brief Decides, per request, whether an Origin on a route's CORS allow-list still counts (an
 * error: 403 with it, no CORS headers); e.g. a loopback origin only while its port is the user's.
 */
using CorsOriginVerifier = std::function<std::optional<Error>(const QByteArray &origin)>;
/** @brief Builds the body of an error the server answers itself (default: JSON {error, error_description}). */
using ErrorRenderer = std::function<Response(int status, const Error &error)>;

/**
 * @brief The loopback HTTP/1.1 server: 127.0.0.1 (optionally also [::1]) on one fixed port.
 *
 * Its own strict request parser and connection handling sit directly on QTcpServer; Qt 6.4's
 * QtHttpServer is not used (core/http/README.md says why). Before any handler runs, every
 * request passes, in order: the peer-uid check at accept time (A7), framing (B1, B7), the Host
 * allow-list (A2, 421), the Origin allow-list (A3, 403), exact routing (404, 405 with Allow,
 * CORS preflight), the route's Fetch Metadata, query and Content-Type policies (A4–A6), and
 * only then is the body read.
 */
class LoopbackServer : public QObject
{
    Q_OBJECT

public:
    explicit LoopbackServer(
        HttpLimits limits = {}, const Clock &clock = SystemClock::instance(), QObject *parent = nullptr);
    ~LoopbackServer() override;

    /** @brief Also listen on [::1] with the same port; both binds succeed or listen() fails. Before listen(). */
    void setListenIpv6(bool enabled);
    /** @brief Lets listen(0) pick a free port. Tests only: the product must use its configured port. */
    void setAllowEphemeralPortForTesting(bool allowed);

    /**
     * @brief Binds 127.0.0.1:@p port (and [::1]:@p port if enabled), never a wildcard address.
     * Errors: "invalid_port" (0 outside tests), "invalid_limits", "already_listening",
     * "port_in_use" (A8: another program holds the port; never falls back to another port),
     * "listen_failed". On error nothing stays bound.
     */
    [[nodiscard]] Status listen(quint16 port);
    /** @brief Stops listening and closes every connection (pending responders see a disconnect). */
    void close();
    [[nodiscard]] bool isListening() const { return !m_gates.isEmpty(); }
    [[nodiscard]] quint16 port() const { return m_port; }

    /**
     * @brief Registers @p handler for exactly @p method and @p path: no normalisation, so `/token/`,
     * `//token`, `/TOKEN` and `/token%2F` are other paths (404). HEAD is not derived from GET (a GET
     * handler may raise a consent prompt); register it explicitly if wanted. OPTIONS is answered by
     * the server, and only on paths with a CORS route. Errors: "route_invalid", "route_duplicate".
     */
    [[nodiscard]] Status route(
        const QByteArray &method, const QByteArray &path, Handler handler, const RouteOptions &options = {});
    /**
     * @brief Replaces the options of the route for exactly @p method and @p path, effective from the
     * next request (e.g. a changed CORS allow-list). Same validation as route(); "route_missing" if
     * there is no such route.
     */
    [[nodiscard]] Status setRouteOptions(const QByteArray &method, const QByteArray &path, const RouteOptions &options);
    void setErrorRenderer(ErrorRenderer renderer);
    /** @brief Asked for every request and preflight whose Origin an AllowedOrigins route lists. */
    void setCorsOriginVerifier(CorsOriginVerifier verifier) { m_corsOriginVerifier = std::move(verifier); }

    /** @brief Host values accepted (A2): `127.0.0.1:PORT`, `localhost:PORT`, `[::1]:PORT` if bound. */
    [[nodiscard]] const QList<QByteArray> &allowedHosts() const { return m_allowedHosts; }
    /** @brief Origins trusted as our own on every route (A3): `http://127.0.0.1:PORT`, plus
     *  `http://localhost:PORT` and `http://[::1]:PORT` only while [::1]:PORT is ours too. */
    [[nodiscard]] const QList<QByteArray> &ownOrigins() const { return m_ownOrigins; }
    [[nodiscard]] int connectionCount() const { return int(m_connections.size()); }
    [[nodiscard]] const HttpLimits &limits() const { return m_limits; }
    /** @brief The only uid whose connections are served: the effective uid of this process. */
    [[nodiscard]] qint64 allowedUid() const { return m_allowedUid; }

Q_SIGNALS:
    /** @brief A connection from another local user (or an unidentifiable one, uid -1) was refused.
     *  Emitted for every refusal; the log line is limited to one per uid per minute. */
    void peerRefused(qint64 uid);

private:
    friend class Connection;
    friend class GateServer;

    struct Route
    {
        QByteArray method;
        Handler handler;
        RouteOptions options;
    };

    struct RefusalLog
    {
        qint64 lastLoggedMs = 0;
        int suppressed = 0;
    };

    void acceptDescriptor(qintptr descriptor);
    void logRefusal(quint16 port, qint64 uid, const QString &lookupError);
    [[nodiscard]] Connection *pickEvictionVictim() const;
    /** A request was parked: past maxParkedConnections the one parked longest is released (R7a). */
    void onParked(Connection *parked);
    [[nodiscard]] GateDecision evaluate(const RequestHead &head) const;
    [[nodiscard]] GateDecision preflight(
        const RequestHead &head, const QList<Route> &routes, const QByteArray &origin) const;
    [[nodiscard]] bool originAllowed(const QByteArray &origin, const Route *route) const;
    [[nodiscard]] QByteArray allowHeader(const QList<Route> &routes) const;
    [[nodiscard]] Response renderError(int status, const Error &error) const;
    [[nodiscard]] qint64 nowMs() const { return m_clock.nowMs(); }

    HttpLimits m_limits;
    const Clock &m_clock;
    bool m_listenIpv6 = false;
    bool m_allowEphemeralPort = false;
    quint16 m_port = 0;
    qint64 m_allowedUid = -1;
    quint64 m_nextConnectionId = 0;
    QList<GateServer *> m_gates;
    QList<Connection *> m_connections;
    QHash<QByteArray, QList<Route>> m_routes;
    QList<QByteArray> m_allowedHosts;
    QList<QByteArray> m_ownOrigins;
    ErrorRenderer m_errorRenderer;
    CorsOriginVerifier m_corsOriginVerifier;
    QHash<qint64, RefusalLog> m_refusals;
};

} // namespace Tessera::Http
