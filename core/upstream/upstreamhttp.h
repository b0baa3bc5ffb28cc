// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QUrl>

#include <functional>

class QNetworkAccessManager;

/**
 * @file
 * @brief The one way core/upstream talks HTTP: Qt Network (QNetworkAccessManager, the system CA
 * store, OpenSSL TLS), asynchronous, with explicit limits, and a transport rule checked before
 * any connection is made.
 *
 * Transport rule (MCP 2026-07-28 Security Considerations › Communication Security: "All
 * authorization server endpoints MUST be served over HTTPS"; best practices allow http:// only
 * for loopback during development): `https` anywhere; `http` only to a loopback host, i.e. an
 * address literal in 127.0.0.0/8 or ::1, or the name `localhost` (RFC 6761 §6.3). Anything else
 * (other schemes, userinfo, `http://127.0.0.1.evil.example`) is refused with `upstream_insecure_url`.
 *
 * Limits (all explicit, all tested): the response body (Content-Length checked first, then the
 * bytes as they arrive), the whole request time (connect, TLS, headers, body), and redirects,
 * which are never followed (a 3xx is an error: an OAuth endpoint that moves would send the next
 * request, with credentials, somewhere nobody checked).
 */
namespace Tessera::Upstream {

/** @brief Bounds for one request. */
struct HttpLimits
{
    qsizetype maxBodyBytes = 256 * 1024; ///< metadata and token responses are a few KiB
    int timeoutMs = 15000; ///< whole request: lookup, connect, TLS, response
};

struct HttpResponse
{
    int status = 0;
    QByteArray contentType; ///< media type only, lower case, parameters dropped
    QByteArray body;
    QList<QByteArray> wwwAuthenticate; ///< every WWW-Authenticate field line, in order
};

/**
 * @brief Whether @p url may be contacted: see the transport rule above. Error code
 * `upstream_insecure_url` (or `upstream_bad_url`), with a message naming the fix.
 */
[[nodiscard]] Status checkTransport(const QUrl &url);

/** @brief Whether @p host is 127.0.0.0/8, ::1 (bracketed or not) or `localhost`. */
[[nodiscard]] bool isLoopbackHost(const QString &host);

class UpstreamHttp : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(Result<HttpResponse>)>;
    using Headers = QList<QPair<QByteArray, QByteArray>>;

    explicit UpstreamHttp(QObject *parent = nullptr);
    UpstreamHttp(const HttpLimits &limits, QObject *parent = nullptr);
    ~UpstreamHttp() override;

    /**
     * @brief Sends one request. @p done is called exactly once, always later from the event loop
     * (never from inside send()), unless this object is destroyed first.
     *
     * Errors: upstream_insecure_url / upstream_bad_url (nothing sent), upstream_timeout,
     * upstream_too_large, upstream_redirect, upstream_unreachable (DNS, refused, TLS failure).
     * Any HTTP status is a success here; callers judge it. Never logs bodies or headers.
     */
    void send(const QByteArray &method, const QUrl &url, const Headers &headers, const QByteArray &body, Callback done);

    [[nodiscard]] const HttpLimits &limits() const { return m_limits; }
    [[nodiscard]] int inFlight() const { return m_inFlight; }

private:
    void deliverLater(Callback done, Result<HttpResponse> result);

    HttpLimits m_limits;
    QNetworkAccessManager *m_nam;
    int m_inFlight = 0;
};

} // namespace Tessera::Upstream
