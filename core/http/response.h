// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

class QJsonObject;
class QUrl;

namespace Tessera::Http {

/**
 * @brief An HTTP response as a handler builds it.
 *
 * The server adds the framing and security headers itself (Date, Content-Length, Connection,
 * Cache-Control, X-Content-Type-Options, Referrer-Policy, and X-Frame-Options plus
 * Content-Security-Policy on HTML, CORS per route). A handler header that names one of those,
 * or that is not a valid field, turns the response into a 500: nothing is sent that the server
 * did not check.
 */
struct Response
{
    int status = 200;
    QByteArray contentType; ///< empty: no Content-Type (only valid with an empty body)
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers; ///< e.g. WWW-Authenticate, Location, Allow
    QList<QByteArray> cspStyleHashes; ///< 'sha256-…' sources for inline <style> on HTML (see allowInlineStyle)

    /** @brief Compact JSON, `application/json`. */
    [[nodiscard]] static Response json(int status, const QJsonObject &object);
    /** @brief `text/html; charset=utf-8`; framing and CSP headers are added when it is sent. */
    [[nodiscard]] static Response html(int status, QByteArray body);
    /**
     * @brief A 302 or 303 redirect to @p location (RFC 9700 §4.12: never 307 after a form POST).
     * Any other status, or an invalid or relative URL, yields a 500 instead.
     */
    [[nodiscard]] static Response redirect(int status, const QUrl &location);
    /** @brief No body and no Content-Type. */
    [[nodiscard]] static Response empty(int status);

    Response &withHeader(QByteArray name, QByteArray value);
    /** @brief Permits exactly this inline stylesheet on an HTML page via a CSP hash (no 'unsafe-inline'). */
    Response &allowInlineStyle(QByteArrayView css);
};

/** @brief The RFC 9110 reason phrase for @p status, or "Unknown". */
[[nodiscard]] QByteArray reasonPhrase(int status);

} // namespace Tessera::Http
