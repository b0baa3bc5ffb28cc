// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/response.h"

#include "common/logging.h"
#include "http/request.h"
#include "http/response_p.h"
#include "http/syntax_p.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QUrl>

namespace Tessera::Http {

namespace {

// RFC 9700 §4.16: a page with a consent or error UI must not be framed; no script, no plugins,
// forms may post only back to us, no <base> redirection of relative URLs.
constexpr QByteArrayView BaseCsp = "default-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

bool isReservedHeader(QByteArrayView name)
{
    static const QByteArrayView reserved[] = { "content-length", "transfer-encoding", "connection", "keep-alive",
        "upgrade", "trailer", "te", "date", "content-type", "cache-control", "x-content-type-options",
        "referrer-policy", "x-frame-options", "content-security-policy", "vary" };
    for (const QByteArrayView r : reserved) {
        if (asciiEqualsIgnoreCase(name, r))
            return true;
    }
    return name.size() > 15 && asciiEqualsIgnoreCase(name.first(15), "access-control-");
}

bool isValidFieldValue(QByteArrayView value)
{
    for (const char ch : value) {
        const uchar c = uchar(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7F)
            return false;
    }
    return trimOws(value).size() == value.size();
}

Error invalid(QString message)
{
    return Error::make(QStringLiteral("invalid_response"), std::move(message));
}

void appendField(QByteArray &out, QByteArrayView name, QByteArrayView value)
{
    out.append(name);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
}

QByteArray httpDate(qint64 ms)
{
    // RFC 9110 §5.6.7: IMF-fixdate, always in English.
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
    return QLocale::c().toString(t, QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'")).toLatin1();
}

} // namespace

Response Response::json(int status, const QJsonObject &object)
{
    return Response { status, "application/json", QJsonDocument(object).toJson(QJsonDocument::Compact), {}, {} };
}

Response Response::html(int status, QByteArray body)
{
    return Response { status, "text/html; charset=utf-8", std::move(body), {}, {} };
}

Response Response::redirect(int status, const QUrl &location)
{
    if ((status != 302 && status != 303) || !location.isValid() || location.isRelative()) {
        qCWarning(lcHttp, "Refusing to build a redirect with status %d or an invalid location; answering 500.", status);
        return empty(500);
    }
    return Response { status, {}, {}, { { "Location", location.toEncoded(QUrl::FullyEncoded) } }, {} };
}

Response Response::empty(int status)
{
    return Response { status, {}, {}, {}, {} };
}

Response &Response::withHeader(QByteArray name, QByteArray value)
{
    headers.append({ std::move(name), std::move(value) });
    return *this;
}

Response &Response::allowInlineStyle(QByteArrayView css)
{
    const QByteArray digest = QCryptographicHash::hash(css, QCryptographicHash::Sha256).toBase64();
    cspStyleHashes.append("'sha256-" + digest + "'");
    return *this;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 417:
        return "Expectation Failed";
    case 421:
        return "Misdirected Request";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Unknown";
    }
}

Result<QByteArray> serializeResponse(const Response &response, const ResponseFraming &framing)
{
    const int status = response.status;
    if (status < 200 || status > 599)
        return invalid(QStringLiteral("The response status %1 is not a final status.").arg(status));
    // RFC 9110 §6.4.1 / §8.6: 204 and 304 have no content and 204 no Content-Length.
    const bool bodyless = status == 204 || status == 304;
    if (bodyless && !response.body.isEmpty())
        return invalid(QStringLiteral("A %1 response cannot have a body.").arg(status));
    if (!response.contentType.isEmpty()
        && (!isValidFieldValue(response.contentType) || mediaTypeOf(response.contentType).isEmpty()))
        return invalid(QStringLiteral("The response Content-Type is malformed."));
    if (response.contentType.isEmpty() && !response.body.isEmpty())
        return invalid(QStringLiteral("A response body needs a Content-Type."));
    for (const auto &[name, value] : response.headers) {
        if (!isToken(name) || !isValidFieldValue(value))
            return invalid(QStringLiteral("A response header is malformed."));
        if (isReservedHeader(name))
            return invalid(
                QStringLiteral("A response header is managed by the server and cannot be set by a handler."));
    }
    for (const QByteArray &hash : response.cspStyleHashes) {
        if (!isValidFieldValue(hash) || hash.contains(';') || hash.contains(' '))
            return invalid(QStringLiteral("A CSP style hash is malformed."));
    }

    QByteArray out;
    out.reserve(512 + response.body.size());
    out.append("HTTP/1.1 ");
    out.append(QByteArray::number(status));
    out.append(' ');
    out.append(reasonPhrase(status));
    out.append("\r\n");
    appendField(out, "Date", httpDate(framing.nowMs));
    if (!response.contentType.isEmpty())
        appendField(out, "Content-Type", response.contentType);
    if (!bodyless)
        appendField(out, "Content-Length", QByteArray::number(response.body.size()));
    // Tokens, codes and consent pages must never be stored by a browser or proxy cache.
    if (framing.cacheMaxAgeSecs > 0 && status >= 200 && status < 300)
        appendField(out, "Cache-Control", QByteArray("public, max-age=" + QByteArray::number(framing.cacheMaxAgeSecs)));
    else
        appendField(out, "Cache-Control", "no-store");
    appendField(out, "X-Content-Type-Options", "nosniff");
    appendField(out, "Referrer-Policy", "no-referrer");
    if (mediaTypeOf(response.contentType) == "text/html") {
        appendField(out, "X-Frame-Options", "DENY");
        QByteArray csp = BaseCsp.toByteArray();
        if (!response.cspStyleHashes.isEmpty())
            csp += "; style-src " + response.cspStyleHashes.join(' ');
        appendField(out, "Content-Security-Policy", csp);
    }
    for (const auto &[name, value] : framing.extraHeaders)
        appendField(out, name, value);
    for (const auto &[name, value] : response.headers)
        appendField(out, name, value);
    if (framing.close)
        appendField(out, "Connection", "close");
    out.append("\r\n");
    if (!framing.headRequest)
        out.append(response.body);
    return out;
}

} // namespace Tessera::Http
