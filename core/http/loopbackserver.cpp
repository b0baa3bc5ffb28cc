// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/loopbackserver.h"

#include "common/logging.h"
#include "http/connection_p.h"
#include "http/peeridentity.h"
#include "http/syntax_p.h"

#include <QJsonObject>
#include <QTcpSocket>
#include <QUrl>

#include <algorithm>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Tessera::Http {

namespace {

bool isRoutableMethod(QByteArrayView method)
{
    // OPTIONS is the server's (CORS preflight); TRACE and CONNECT are never served.
    static const QByteArrayView methods[] = { "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH" };
    return std::find(std::begin(methods), std::end(methods), method) != std::end(methods);
}

bool isValidRoutePath(QByteArrayView path)
{
    if (path.isEmpty() || path.front() != '/')
        return false;
    for (qsizetype i = 0; i < path.size(); ++i) {
        const uchar c = uchar(path[i]);
        if (c == '%') {
            if (i + 2 >= path.size() || !isHexDigit(uchar(path[i + 1])) || !isHexDigit(uchar(path[i + 2])))
                return false;
            i += 2;
        } else if (c != '/' && !isPcharExceptPct(c)) {
            return false;
        }
    }
    return true;
}

// A serialized origin (RFC 6454 §6.2): scheme "://" host [ ":" port ], nothing else.
bool isSerializedOrigin(const QByteArray &origin)
{
    if (origin.isEmpty() || origin.endsWith('/'))
        return false;
    const QUrl url(QString::fromLatin1(origin), QUrl::StrictMode);
    return url.isValid() && (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https"))
        && !url.host().isEmpty() && url.path().isEmpty() && !url.hasQuery() && !url.hasFragment()
        && url.userInfo().isEmpty() && url.toEncoded() == origin;
}

bool containsIgnoreCase(const QList<QByteArray> &list, QByteArrayView value)
{
    return std::any_of(
        list.cbegin(), list.cend(), [&](const QByteArray &item) { return asciiEqualsIgnoreCase(item, value); });
}

Error gateError(const char *code, QString message)
{
    return Error { QString::fromLatin1(code), std::move(message) };
}

void addField(QList<QPair<QByteArray, QByteArray>> &fields, QByteArray name, QByteArray value)
{
    fields.append(qMakePair(std::move(name), std::move(value)));
}

quint16 portOf(const sockaddr_storage &address)
{
    if (address.ss_family == AF_INET)
        return ntohs(reinterpret_cast<const sockaddr_in *>(&address)->sin_port);
    if (address.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6 *>(&address)->sin6_port);
    return 0;
}

} // namespace

RouteOptions RouteOptions::publicMetadata(int cacheMaxAgeSecs)
{
    RouteOptions options;
    options.cors = CorsPolicy::PublicReadOnly;
    options.corsAllowHeaders = { "MCP-Protocol-Version" };
    options.allowQuery = true;
    options.cacheMaxAgeSecs = cacheMaxAgeSecs;
    return options;
}

LoopbackServer::LoopbackServer(HttpLimits limits, const Clock &clock, QObject *parent)
    : QObject(parent), m_limits(limits), m_clock(clock), m_allowedUid(qint64(::geteuid()))
{ }

LoopbackServer::~LoopbackServer()
{
    close();
}

void LoopbackServer::setListenIpv6(bool enabled)
{
    m_listenIpv6 = enabled;
}

void LoopbackServer::setAllowEphemeralPortForTesting(bool allowed)
{
    m_allowEphemeralPort = allowed;
}

Status LoopbackServer::listen(quint16 port)
{
    if (isListening())
        return Error::make(
            QStringLiteral("already_listening"), QStringLiteral("The HTTP server is already listening."));
    if (port == 0 && !m_allowEphemeralPort)
        return Error::make(QStringLiteral("invalid_port"),
            QStringLiteral("The HTTP server needs a fixed port: clients pin the issuer URL, including its port."));
    if (Status valid = m_limits.validate(); !valid)
        return valid;

    // RFC 8252 §8.3 / security-cases A1: loopback only, never 0.0.0.0 or ::.
    QList<QHostAddress> addresses { QHostAddress(QHostAddress::LocalHost) };
    if (m_listenIpv6)
        addresses.append(QHostAddress(QHostAddress::LocalHostIPv6));
    quint16 bound = port;
    for (const QHostAddress &address : addresses) {
        auto *gate = new GateServer(this);
        // Room for a burst of connects while the event loop is busy; the cap applies after accept.
        gate->setListenBacklogSize(std::max(128, 2 * m_limits.maxConnections));
        if (!gate->listen(address, bound)) {
            const bool inUse = gate->serverError() == QAbstractSocket::AddressInUseError;
            const QString where = address.protocol() == QAbstractSocket::IPv6Protocol
                ? QStringLiteral("[%1]:%2").arg(address.toString()).arg(bound)
                : QStringLiteral("%1:%2").arg(address.toString()).arg(bound);
            const QString reason = gate->errorString();
            delete gate;
            close();
            // security-cases A8: fail closed; never move to a port the clients do not know.
            if (inUse) {
                qCCritical(lcHttp, "Cannot listen on %s: another program is using it.", qUtf8Printable(where));
                return Error::make(QStringLiteral("port_in_use"),
                    QStringLiteral("Port %1 on the loopback address is already in use by another program, so the "
                                   "authorization server cannot start; stop that program or configure another port.")
                        .arg(bound));
            }
            qCCritical(lcHttp, "Cannot listen on %s: %s", qUtf8Printable(where), qUtf8Printable(reason));
            return Error::make(QStringLiteral("listen_failed"),
                QStringLiteral("The authorization server cannot listen on %1.").arg(where));
        }
        bound = gate->serverPort();
        m_gates.append(gate);
    }
    m_port = bound;

    const QByteArray p = QByteArray::number(m_port);
    // RFC 9110 §7.2: the port may be omitted only when it is the scheme's default.
    m_allowedHosts = { "127.0.0.1:" + p, "localhost:" + p };
    m_ownOrigins = { "http://127.0.0.1:" + p };
    if (m_listenIpv6) {
        m_allowedHosts.append("[::1]:" + p);
        // "localhost" may resolve to ::1 first: a page at http://localhost:PORT or http://[::1]:PORT
        // is ours only while we also hold [::1]:PORT; otherwise a squatter there could serve it.
        m_ownOrigins.append("http://localhost:" + p);
        m_ownOrigins.append("http://[::1]:" + p);
    }
    if (m_port == 80) {
        const QList<QByteArray> bare = { "127.0.0.1", "localhost", "[::1]" };
        for (const QByteArray &host : bare) {
            if (m_listenIpv6 || host != "[::1]")
                m_allowedHosts.append(host);
        }
    }
    qCInfo(lcHttp, "Listening on 127.0.0.1:%u%s", unsigned(m_port), m_listenIpv6 ? " and [::1]" : "");
    return {};
}

void LoopbackServer::close()
{
    qDeleteAll(m_gates);
    m_gates.clear();
    const QList<Connection *> connections = m_connections;
    for (Connection *connection : connections)
        connection->abortNow();
    m_connections.clear();
    m_port = 0;
    m_allowedHosts.clear();
    m_ownOrigins.clear();
}

namespace {

Status validateRouteOptions(const QByteArray &method, const RouteOptions &options)
{
    auto invalid = [](const QString &why) { return Error::make(QStringLiteral("route_invalid"), why); };
    if (options.cors == CorsPolicy::PublicReadOnly && method != "GET" && method != "HEAD")
        return invalid(QStringLiteral("Public CORS is only for read-only GET and HEAD routes."));
    if (options.cors == CorsPolicy::AllowedOrigins
        && (options.corsOrigins.isEmpty()
            || !std::all_of(options.corsOrigins.cbegin(), options.corsOrigins.cend(), isSerializedOrigin)))
        return invalid(QStringLiteral("CORS origins must be serialized http(s) origins."));
    // RFC 9700 §2.6: CORS MUST NOT be supported at the authorization endpoint.
    if (options.navigationOnly && options.cors != CorsPolicy::None)
        return invalid(QStringLiteral("A navigation-only route cannot allow CORS."));
    if (options.admitFetchProbes && !options.navigationOnly)
        return invalid(QStringLiteral("Fetch probes are admitted only on a navigation-only route."));
    if (!options.requiredContentType.isEmpty()
        && mediaTypeOf(options.requiredContentType) != options.requiredContentType.toLower())
        return invalid(QStringLiteral("The required content type must be a bare media type."));
    for (const QList<QByteArray> *names : { &options.corsAllowHeaders, &options.corsExposeHeaders }) {
        if (!std::all_of(names->cbegin(), names->cend(), [](const QByteArray &n) { return isToken(n); }))
            return invalid(QStringLiteral("CORS header names must be tokens."));
    }
    return {};
}

RouteOptions normalized(RouteOptions options)
{
    options.requiredContentType = options.requiredContentType.toLower();
    return options;
}

} // namespace

Status LoopbackServer::route(
    const QByteArray &method, const QByteArray &path, Handler handler, const RouteOptions &options)
{
    auto invalid = [](const QString &why) { return Error::make(QStringLiteral("route_invalid"), why); };
    if (!isRoutableMethod(method))
        return invalid(QStringLiteral("Routes can be registered for GET, HEAD, POST, PUT, DELETE and PATCH only."));
    if (!isValidRoutePath(path))
        return invalid(QStringLiteral("A route path must be an absolute path without query."));
    if (!handler)
        return invalid(QStringLiteral("A route needs a handler."));
    if (Status s = validateRouteOptions(method, options); !s)
        return s;
    QList<Route> &routes = m_routes[path];
    if (std::any_of(routes.cbegin(), routes.cend(), [&](const Route &r) { return r.method == method; }))
        return Error::make(
            QStringLiteral("route_duplicate"), QStringLiteral("This method and path already have a handler."));
    routes.append(Route { method, std::move(handler), normalized(options) });
    return {};
}

Status LoopbackServer::setRouteOptions(const QByteArray &method, const QByteArray &path, const RouteOptions &options)
{
    if (Status s = validateRouteOptions(method, options); !s)
        return s;
    const auto it = m_routes.find(path);
    if (it != m_routes.end()) {
        for (Route &r : *it) {
            if (r.method == method) {
                r.options = normalized(options);
                return {};
            }
        }
    }
    return Error::make(
        QStringLiteral("route_missing"), QStringLiteral("No handler is registered for this method and path."));
}

void LoopbackServer::setErrorRenderer(ErrorRenderer renderer)
{
    m_errorRenderer = std::move(renderer);
}

void LoopbackServer::acceptDescriptor(qintptr descriptor)
{
    const int fd = int(descriptor);
    sockaddr_storage local {}, remote {};
    socklen_t localLength = sizeof local, remoteLength = sizeof remote;
    if (::getsockname(fd, reinterpret_cast<sockaddr *>(&local), &localLength) != 0
        || ::getpeername(fd, reinterpret_cast<sockaddr *>(&remote), &remoteLength) != 0) {
        ::close(fd);
        return;
    }
    const QHostAddress localAddress(reinterpret_cast<const sockaddr *>(&local));
    const QHostAddress remoteAddress(reinterpret_cast<const sockaddr *>(&remote));
    const quint16 localPort = portOf(local);
    const quint16 remotePort = portOf(remote);

    // security-cases A7: only the desktop user's own processes may talk to us. Refuse before
    // reading a byte, so another user can neither raise a prompt nor probe the routes.
    const Result<TcpSocketOwner> owner = lookupTcpSocketOwner(remoteAddress, remotePort, localAddress, localPort);
    if (!owner || owner->uid != m_allowedUid) {
        ::close(fd);
        const qint64 uid = owner ? owner->uid : -1;
        logRefusal(localPort, uid, owner ? QString() : owner.error().code);
        Q_EMIT peerRefused(uid);
        return;
    }

    // security-cases B2: at the cap, a stalled connection makes room; if every slot is busy
    // with a request being handled, the newcomer is turned away.
    if (m_connections.size() >= m_limits.maxConnections) {
        if (Connection *victim = pickEvictionVictim()) {
            qCDebug(lcHttp, "connection cap reached: closing stalled connection %llu", victim->id());
            if (victim->isParked())
                victim->release(); // it lingers at most lingerMs, in Closing: the next victim then
            else
                victim->abortNow();
        } else {
            static constexpr char busy[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                                           "Retry-After: 1\r\nConnection: close\r\n\r\n";
            qCDebug(lcHttp, "connection cap reached and no connection is stalled: answering 503");
            [[maybe_unused]] const ssize_t sent = ::send(fd, busy, sizeof busy - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
            ::close(fd);
            return;
        }
    }

    auto *socket = new QTcpSocket;
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        ::close(fd);
        return;
    }
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    const Peer peer { remoteAddress, remotePort, owner->uid, owner->inode };
    auto *connection = new Connection(this, socket, ++m_nextConnectionId, peer);
    m_connections.append(connection);
    connect(connection, &Connection::finished, this, [this](Connection *c) { m_connections.removeOne(c); });
    connection->start();
}

void LoopbackServer::logRefusal(quint16 port, qint64 uid, const QString &lookupError)
{
    // One line per uid per minute: another user must not be able to flood the journal.
    const qint64 now = m_clock.nowMs();
    RefusalLog &log = m_refusals[uid];
    if (log.lastLoggedMs != 0 && now - log.lastLoggedMs < 60'000) {
        ++log.suppressed;
        return;
    }
    const QString more
        = log.suppressed > 0 ? QStringLiteral(" (%1 more refused in the last minute)").arg(log.suppressed) : QString();
    if (uid < 0)
        qCWarning(lcHttp, "Refused a connection to port %u: the connecting process could not be identified (%s)%s.",
            unsigned(port), qUtf8Printable(lookupError), qUtf8Printable(more));
    else
        qCWarning(lcHttp,
            "Refused a connection to port %u from another local user (uid %lld; only uid %lld may connect)%s.",
            unsigned(port), uid, m_allowedUid, qUtf8Printable(more));
    log.lastLoggedMs = now;
    log.suppressed = 0;
}

Connection *LoopbackServer::pickEvictionVictim() const
{
    // Cheapest loss first: connections already closing, then idle keep-alives, then the
    // slowest incomplete requests, then parked requests (released with their answer, R7a);
    // never one whose request a handler is working on.
    auto rank = [](const Connection *c) {
        switch (c->phase()) {
        case Connection::Phase::Closing:
            return 0;
        case Connection::Phase::Idle:
            return 1;
        case Connection::Phase::ReadingHead:
        case Connection::Phase::ReadingBody:
            return 2;
        case Connection::Phase::Handling:
            return c->isParked() ? 3 : 4;
        }
        return 4;
    };
    Connection *best = nullptr;
    for (Connection *c : m_connections) {
        if (rank(c) == 4)
            continue;
        if (!best || rank(c) < rank(best) || (rank(c) == rank(best) && c->phaseAgeMs() > best->phaseAgeMs()))
            best = c;
    }
    return best;
}

void LoopbackServer::onParked(Connection *parked)
{
    int count = 0;
    Connection *oldest = nullptr;
    for (Connection *c : m_connections) {
        if (!c->isParked())
            continue;
        ++count;
        if (c != parked && (!oldest || c->phaseAgeMs() > oldest->phaseAgeMs()))
            oldest = c;
    }
    if (count > m_limits.maxParkedConnections && oldest) {
        qCDebug(lcHttp, "parked cap reached: releasing connection %llu", oldest->id());
        oldest->release();
    }
}

bool LoopbackServer::originAllowed(const QByteArray &origin, const Route *route) const
{
    // security-cases A3: trust comes from the allow-list only, never from Origin == Host.
    if (origin == "null")
        return false;
    if (m_ownOrigins.contains(origin))
        return true;
    if (!route)
        return false;
    switch (route->options.cors) {
    case CorsPolicy::None:
        return false;
    case CorsPolicy::PublicReadOnly:
        return true;
    case CorsPolicy::AllowedOrigins:
        return route->options.corsOrigins.contains(origin);
    }
    return false;
}

QByteArray LoopbackServer::allowHeader(const QList<Route> &routes) const
{
    QList<QByteArray> methods;
    bool cors = false;
    for (const Route &r : routes) {
        methods.append(r.method);
        cors = cors || r.options.cors != CorsPolicy::None;
    }
    if (cors)
        methods.append("OPTIONS");
    std::sort(methods.begin(), methods.end());
    return methods.join(", ");
}

Response LoopbackServer::renderError(int status, const Error &error) const
{
    // security-cases A2: a misdirected request learns nothing, not even an error text.
    if (status == 421)
        return Response::empty(421);
    if (m_errorRenderer)
        return m_errorRenderer(status, error);
    return Response::json(status,
        QJsonObject {
            { QStringLiteral("error"), error.code }, { QStringLiteral("error_description"), error.message } });
}

GateDecision LoopbackServer::evaluate(const RequestHead &head) const
{
    GateDecision decision;
    auto reject = [&](int status, Error error) {
        qCDebug(
            lcHttp, "refused %s %s: %s", head.method.constData(), head.path.constData(), qUtf8Printable(error.code));
        decision.immediate = renderError(status, error);
        decision.close = true;
        return decision;
    };
    const Headers &h = head.headers;

    // security-cases A2 (DNS rebinding): Host is a forbidden header for pages, so an exact
    // allow-list defeats rebinding. RFC 9112 §3.2 would answer a missing Host with 400; 421 keeps
    // every wrong-host case uniform and bodiless.
    const QList<QByteArray> hosts = h.values("host");
    if (hosts.size() != 1 || !m_allowedHosts.contains(hosts.front()))
        return reject(
            421, gateError("misdirected_request", QStringLiteral("The Host header does not name this server.")));

    const auto pathIt = m_routes.constFind(head.path);
    const QList<Route> *routes = pathIt == m_routes.cend() ? nullptr : &pathIt.value();
    auto find = [&](QByteArrayView method) -> const Route * {
        if (!routes)
            return nullptr;
        for (const Route &r : *routes) {
            if (r.method == method)
                return &r;
        }
        return nullptr;
    };
    const bool isOptions = head.method == "OPTIONS";
    const QList<QByteArray> requestedMethods = h.values("access-control-request-method");
    const Route *route = find(head.method);
    const Route *corsRoute
        = isOptions ? (requestedMethods.size() == 1 ? find(requestedMethods.front()) : nullptr) : route;

    // security-cases A3: an Origin that is present must be on the allow-list (MCP: 403).
    const QList<QByteArray> origins = h.values("origin");
    if (origins.size() > 1 || (origins.size() == 1 && !originAllowed(origins.front(), corsRoute)))
        return reject(403,
            gateError("origin_not_allowed",
                QStringLiteral("Requests from this web origin are not allowed here. A browser-based client must "
                               "have its origin on the server's allow-list; native clients send no Origin.")));
    const QByteArray origin = origins.isEmpty() ? QByteArray() : origins.front();
    // An allow-listed origin may still not count right now (issue 9, R3: a loopback origin whose
    // port another user holds). Our own origins and public routes are not asked about.
    if (!origin.isEmpty() && m_corsOriginVerifier && corsRoute && corsRoute->options.cors == CorsPolicy::AllowedOrigins
        && !m_ownOrigins.contains(origin) && corsRoute->options.corsOrigins.contains(origin)) {
        if (std::optional<Error> refused = m_corsOriginVerifier(origin))
            return reject(403, *refused);
    }

    if (!routes)
        return reject(404, gateError("not_found", QStringLiteral("There is nothing at this path.")));
    if (isOptions) {
        const bool anyCors = std::any_of(
            routes->cbegin(), routes->cend(), [](const Route &r) { return r.options.cors != CorsPolicy::None; });
        if (anyCors)
            return preflight(head, *routes, origin);
    }
    if (!route) {
        reject(405, gateError("method_not_allowed", QStringLiteral("This path does not accept this method.")));
        addField(decision.immediate->headers, "Allow", allowHeader(*routes));
        return decision;
    }
    const RouteOptions &o = route->options;

    // security-cases A6: only a top-level navigation (or a client that sends no Fetch Metadata)
    // may reach a route that can raise a consent prompt; never an <img>, <iframe> or fetch().
    if (o.navigationOnly) {
        const QList<QByteArray> modes = h.values("sec-fetch-mode");
        const QList<QByteArray> dests = h.values("sec-fetch-dest");
        const bool probe = o.admitFetchProbes && modes.size() == 1 && modes.front() == "cors"
            && (dests.isEmpty() || (dests.size() == 1 && dests.front() == "empty"));
        if (!probe
            && (modes.size() > 1 || dests.size() > 1 || (modes.size() == 1 && modes.front() != "navigate")
                || (dests.size() == 1 && dests.front() != "document")))
            return reject(403,
                gateError("navigation_required", QStringLiteral("This page can only be opened as a top-level page.")));
        // Issue 9 R6: a speculative navigation (Chromium prefetch and prerender send Sec-Purpose
        // "prefetch" or "prefetch;prerender"; older browsers Purpose, X-Purpose or X-Moz) carries
        // navigate/document with no user gesture: it must never raise a prompt. A non-2xx answer
        // makes the browser drop the prefetch; the person's real navigation then arrives without it.
        for (const char *name : { "sec-purpose", "purpose", "x-purpose", "x-moz" }) {
            for (const QByteArray &value : h.values(name)) {
                const QByteArray v = value.trimmed().toLower();
                if (v.startsWith("prefetch") || v.startsWith("prerender") || v == "preview")
                    return reject(503,
                        gateError("speculative_navigation",
                            QStringLiteral("This page opens only when you navigate to it, not ahead of time.")));
            }
        }
    }
    // security-cases A4: credentials never travel in a URL; routes opt in to queries.
    if (head.hasQuery && !o.allowQuery)
        return reject(
            400, gateError("query_not_allowed", QStringLiteral("This endpoint does not accept a query string.")));
    // security-cases A4: a "simple" cross-site request (text/plain, multipart) never reaches a handler.
    if (!o.requiredContentType.isEmpty()) {
        const QList<QByteArray> types = h.values("content-type");
        if (types.size() != 1 || mediaTypeOf(types.front()) != o.requiredContentType)
            return reject(415,
                gateError("unsupported_media_type",
                    QStringLiteral("This endpoint requires a body of type %1.")
                        .arg(QString::fromLatin1(o.requiredContentType))));
    }

    decision.handler = route->handler;
    decision.framing.cacheMaxAgeSecs = o.cacheMaxAgeSecs;
    if (o.cors != CorsPolicy::None) {
        QList<QPair<QByteArray, QByteArray>> &cors = decision.framing.extraHeaders;
        if (o.cors == CorsPolicy::AllowedOrigins)
            addField(cors, "Vary", "Origin");
        const bool grant
            = !origin.isEmpty() && (o.cors == CorsPolicy::PublicReadOnly || o.corsOrigins.contains(origin));
        if (grant) {
            // Never credentials: with "*" browsers would refuse, and no route uses cookies.
            addField(
                cors, "Access-Control-Allow-Origin", o.cors == CorsPolicy::PublicReadOnly ? QByteArray("*") : origin);
            if (!o.corsExposeHeaders.isEmpty())
                addField(cors, "Access-Control-Expose-Headers", o.corsExposeHeaders.join(", "));
        }
    }
    return decision;
}

GateDecision LoopbackServer::preflight(
    const RequestHead &head, const QList<Route> &routes, const QByteArray &origin) const
{
    GateDecision decision;
    const Headers &h = head.headers;
    const QList<QByteArray> requestedMethods = h.values("access-control-request-method");
    if (origin.isEmpty() || requestedMethods.isEmpty()) {
        // A plain OPTIONS on a CORS path: say what is there, grant nothing.
        decision.immediate = Response::empty(204).withHeader("Allow", allowHeader(routes));
        decision.close = false;
        return decision;
    }
    auto refuse = [&]() {
        qCDebug(lcHttp, "refused a CORS preflight for %s", head.path.constData());
        decision.immediate = renderError(
            403, gateError("cors_not_allowed", QStringLiteral("This cross-origin request is not allowed.")));
        decision.close = true;
        return decision;
    };
    const Route *target = nullptr;
    for (const Route &r : routes) {
        if (requestedMethods.size() == 1 && r.method == requestedMethods.front())
            target = &r;
    }
    if (!target || target->options.cors == CorsPolicy::None)
        return refuse();
    const RouteOptions &o = target->options;
    const bool publicRoute = o.cors == CorsPolicy::PublicReadOnly;
    if (!publicRoute && !o.corsOrigins.contains(origin))
        return refuse();

    QList<QByteArray> granted;
    for (const QByteArray &line : h.values("access-control-request-headers")) {
        for (const QByteArray &name : line.split(',')) {
            const QByteArrayView trimmed = trimOws(name);
            if (trimmed.isEmpty())
                continue;
            if (!containsIgnoreCase(o.corsAllowHeaders, trimmed))
                return refuse();
            granted.append(trimmed.toByteArray().toLower());
        }
    }

    Response response = Response::empty(204);
    QList<QPair<QByteArray, QByteArray>> &cors = decision.framing.extraHeaders;
    addField(cors, "Access-Control-Allow-Origin", publicRoute ? QByteArray("*") : origin);
    addField(cors, "Access-Control-Allow-Methods", target->method);
    if (!granted.isEmpty())
        addField(cors, "Access-Control-Allow-Headers", granted.join(", "));
    addField(cors, "Access-Control-Max-Age", "600");
    addField(cors, "Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
    decision.immediate = std::move(response);
    decision.close = false;
    return decision;
}

} // namespace Tessera::Http
