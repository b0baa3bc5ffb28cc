// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/requestparser.h"

#include "http/syntax_p.h"

namespace Tessera::Http {

namespace {

// Known methods are at most 7 bytes; a longer token is still parsed (then 501) up to this length.
constexpr qsizetype MaxMethodBytes = 32;
// " HTTP/1.1\r\n" after the target.
constexpr qsizetype MaxVersionTailBytes = 10;

bool isKnownMethod(QByteArrayView method)
{
    // RFC 9110 §9 and RFC 5789 (PATCH); methods are case-sensitive, so "get" is unknown.
    static const QByteArrayView known[]
        = { "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH" };
    for (const QByteArrayView k : known) {
        if (method == k)
            return true;
    }
    return false;
}

} // namespace

RequestParser::RequestParser(const HttpLimits &limits) : m_limits(limits) { }

void RequestParser::reset()
{
    m_state = State::NeedMore;
    m_line.clear();
    m_headBytes = 0;
    m_haveRequestLine = false;
    m_head = RequestHead {};
    m_failure = ParseFailure {};
}

bool RequestParser::fail(int status, const char *code, QString message)
{
    m_state = State::Failed;
    m_failure = ParseFailure { status, QString::fromLatin1(code), std::move(message) };
    return false;
}

RequestParser::State RequestParser::feed(QByteArrayView data, qsizetype *consumed)
{
    *consumed = 0;
    if (m_state != State::NeedMore)
        return m_state;
    qsizetype pos = 0;
    while (pos < data.size()) {
        const qsizetype newline = data.indexOf('\n', pos);
        const qsizetype lineEnd = newline < 0 ? data.size() : newline + 1;
        // Hold at most one byte beyond the limit: enough to know it was exceeded.
        const qsizetype room = qsizetype(m_limits.maxHeaderBytes) + 1 - m_headBytes;
        const qsizetype take = qMin(lineEnd - pos, room);
        m_line.append(data.sliced(pos, take));
        m_headBytes += take;
        pos += take;

        if (!m_haveRequestLine && !checkPartialRequestLine())
            break;
        if (m_headBytes > m_limits.maxHeaderBytes) {
            fail(431, "header_too_large",
                QStringLiteral("The request head is larger than %1 bytes.").arg(m_limits.maxHeaderBytes));
            break;
        }
        if (!m_line.endsWith('\n'))
            continue;

        QByteArrayView line(m_line);
        line.chop(1);
        // RFC 9112 §2.2: a bare LF is not a line terminator here, and a bare CR is invalid.
        if (line.isEmpty() || line.back() != '\r') {
            fail(400, "bare_lf", QStringLiteral("Request lines must end with CRLF."));
            break;
        }
        line.chop(1);
        if (line.contains('\r')) {
            fail(400, "bare_cr", QStringLiteral("The request contains a bare CR."));
            break;
        }
        const bool ok = processLine(line);
        m_line.clear();
        if (!ok || m_state == State::Complete)
            break;
    }
    *consumed = pos;
    return m_state;
}

// Runs while the request line is still arriving, so that an endless method or target is
// refused after maxUriBytes, not after the whole head limit.
bool RequestParser::checkPartialRequestLine()
{
    QByteArrayView l(m_line);
    while (!l.isEmpty() && (l.back() == '\n' || l.back() == '\r'))
        l.chop(1);
    const qsizetype sp1 = l.indexOf(' ');
    if (sp1 < 0) {
        if (l.size() > MaxMethodBytes)
            return fail(400, "invalid_method", QStringLiteral("The request method is not a valid token."));
        return true;
    }
    const qsizetype sp2 = l.indexOf(' ', sp1 + 1);
    const qsizetype targetLength = (sp2 < 0 ? l.size() : sp2) - sp1 - 1;
    if (targetLength > m_limits.maxUriBytes)
        return fail(414, "uri_too_long",
            QStringLiteral("The request target is longer than %1 bytes.").arg(m_limits.maxUriBytes));
    if (sp2 >= 0 && l.size() - sp2 > MaxVersionTailBytes)
        return fail(400, "invalid_request_line", QStringLiteral("The request line is malformed."));
    return true;
}

bool RequestParser::processLine(QByteArrayView line)
{
    if (!m_haveRequestLine) {
        // RFC 9112 §2.2: a server SHOULD ignore empty lines received before the request-line.
        if (line.isEmpty())
            return true;
        return parseRequestLine(line);
    }
    if (line.isEmpty())
        return finishHead();
    return parseHeaderLine(line);
}

bool RequestParser::parseRequestLine(QByteArrayView line)
{
    // RFC 9112 §3: request-line = method SP request-target SP HTTP-version, single spaces only.
    const qsizetype sp1 = line.indexOf(' ');
    if (sp1 <= 0)
        return fail(400, "invalid_request_line", QStringLiteral("The request line is malformed."));
    const QByteArrayView method = line.first(sp1);
    if (method.size() > MaxMethodBytes || !isToken(method))
        return fail(400, "invalid_method", QStringLiteral("The request method is not a valid token."));
    const QByteArrayView rest = line.sliced(sp1 + 1);
    const qsizetype sp2 = rest.indexOf(' ');
    if (sp2 <= 0)
        return fail(400, "invalid_request_line", QStringLiteral("The request line is malformed."));
    const QByteArrayView target = rest.first(sp2);
    const QByteArrayView version = rest.sliced(sp2 + 1);
    // RFC 9112 §2.3: HTTP-version = "HTTP" "/" DIGIT "." DIGIT
    if (version.size() != 8 || !version.startsWith("HTTP/") || !isDigit(uchar(version[5])) || version[6] != '.'
        || !isDigit(uchar(version[7])))
        return fail(400, "invalid_request_line", QStringLiteral("The request line is malformed."));
    if (version[5] != '1')
        return fail(505, "http_version_not_supported", QStringLiteral("Only HTTP/1.0 and HTTP/1.1 are supported."));
    // RFC 9110 §6.2: a higher minor version is processed as the highest one supported.
    m_head.minorVersion = version[7] == '0' ? 0 : 1;
    if (target.size() > m_limits.maxUriBytes)
        return fail(414, "uri_too_long",
            QStringLiteral("The request target is longer than %1 bytes.").arg(m_limits.maxUriBytes));
    if (!parseTarget(target))
        return false;
    // RFC 9110 §9.1: an unrecognised method SHOULD be answered with 501.
    if (!isKnownMethod(method))
        return fail(501, "method_not_implemented", QStringLiteral("The request method is not implemented."));
    m_head.method = method.toByteArray();
    m_haveRequestLine = true;
    return true;
}

bool RequestParser::parseTarget(QByteArrayView target)
{
    // RFC 9112 §3.2: only origin-form is meaningful for an origin server that is not a proxy.
    if (target == "*")
        return fail(400, "invalid_target", QStringLiteral("Asterisk-form request targets are not accepted."));
    if (target.front() != '/')
        return fail(400, "invalid_target", QStringLiteral("Only origin-form request targets are accepted."));
    // RFC 9112 §3.2.1: origin-form = absolute-path [ "?" query ]; characters per RFC 3986 §3.3/§3.4.
    qsizetype question = -1;
    for (qsizetype i = 0; i < target.size(); ++i) {
        const uchar c = uchar(target[i]);
        if (c == '%') {
            if (i + 2 >= target.size() || !isHexDigit(uchar(target[i + 1])) || !isHexDigit(uchar(target[i + 2])))
                return fail(
                    400, "invalid_target", QStringLiteral("The request target has an invalid percent-encoding."));
            i += 2;
        } else if (c == '?') {
            if (question < 0)
                question = i;
        } else if (c != '/' && !isPcharExceptPct(c)) {
            return fail(
                400, "invalid_target", QStringLiteral("The request target contains a character outside RFC 3986."));
        }
    }
    m_head.target = target.toByteArray();
    m_head.hasQuery = question >= 0;
    m_head.path = question < 0 ? m_head.target : target.first(question).toByteArray();
    m_head.query = question < 0 ? QByteArray() : target.sliced(question + 1).toByteArray();
    return true;
}

bool RequestParser::parseHeaderLine(QByteArrayView line)
{
    // RFC 9112 §5.2: obs-fold may be rejected with 400; §2.2: so may whitespace before the first field.
    if (line.front() == ' ' || line.front() == '\t')
        return fail(400, "obs_fold", QStringLiteral("Folded or indented header lines are not accepted."));
    // RFC 9112 §5.1: no whitespace between the field name and the colon; a server MUST reject it with 400.
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0 || !isToken(line.first(colon)))
        return fail(400, "invalid_header", QStringLiteral("A header field name is malformed."));
    const QByteArrayView value = trimOws(line.sliced(colon + 1));
    // RFC 9110 §5.5: CR, LF and NUL MUST be rejected; other controls are rejected too. obs-text passes.
    for (const char ch : value) {
        const uchar c = uchar(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7F)
            return fail(400, "invalid_header", QStringLiteral("A header field value contains a control character."));
    }
    if (m_head.headers.size() >= m_limits.maxHeaderCount)
        return fail(431, "too_many_headers",
            QStringLiteral("The request has more than %1 header fields.").arg(m_limits.maxHeaderCount));
    m_head.headers.append(line.first(colon).toByteArray(), value.toByteArray());
    return true;
}

bool RequestParser::finishHead()
{
    const Headers &h = m_head.headers;
    // RFC 9112 §3.2: more than one Host field MUST be answered with 400.
    if (h.count("host") > 1)
        return fail(400, "duplicate_host", QStringLiteral("The request repeats the Host header."));

    const int transferEncodings = h.count("transfer-encoding");
    const int contentLengths = h.count("content-length");
    if (transferEncodings > 0) {
        // RFC 9112 §6.1: a request with both MAY be rejected and the connection MUST be closed;
        // Transfer-Encoding in HTTP/1.0 means the framing is faulty.
        if (contentLengths > 0 || m_head.minorVersion == 0)
            return fail(400, "ambiguous_framing", QStringLiteral("The request has conflicting message framing."));
        // RFC 9110 §15.5.12: 411 = the server refuses a request without a defined Content-Length.
        return fail(411, "length_required", QStringLiteral("Request bodies must be sent with a Content-Length."));
    }
    if (contentLengths > 1) {
        // RFC 9112 §6.3: differing lengths are unrecoverable; identical ones are refused as well.
        return fail(400, "ambiguous_framing", QStringLiteral("The request repeats the Content-Length header."));
    }
    if (contentLengths == 1) {
        // RFC 9110 §8.6: Content-Length = 1*DIGIT
        QByteArrayView digits = h.value("content-length");
        if (digits.isEmpty())
            return fail(400, "invalid_content_length", QStringLiteral("The Content-Length is not a number."));
        for (const char c : digits) {
            if (!isDigit(uchar(c)))
                return fail(400, "invalid_content_length", QStringLiteral("The Content-Length is not a number."));
        }
        while (digits.size() > 1 && digits.front() == '0')
            digits = digits.sliced(1);
        bool ok = false;
        const qint64 length = digits.size() <= 18 ? digits.toLongLong(&ok) : -1;
        if (!ok || length > m_limits.maxBodyBytes)
            return fail(413, "body_too_large",
                QStringLiteral("The request body is larger than %1 bytes.").arg(m_limits.maxBodyBytes));
        m_head.contentLength = length;
    }

    // RFC 9112 §9.3: HTTP/1.0 has no persistent connections unless negotiated; we never negotiate.
    m_head.connectionClose = m_head.minorVersion == 0;
    for (const QByteArray &value : h.values("connection")) {
        for (const QByteArray &option : value.split(',')) {
            if (asciiEqualsIgnoreCase(trimOws(option), "close"))
                m_head.connectionClose = true;
        }
    }

    // RFC 9110 §10.1.1: an Expect other than 100-continue MAY be answered with 417.
    const QList<QByteArray> expect = h.values("expect");
    if (expect.size() > 1 || (expect.size() == 1 && !asciiEqualsIgnoreCase(expect.front(), "100-continue")))
        return fail(417, "expectation_failed", QStringLiteral("Only \"Expect: 100-continue\" is supported."));
    m_head.expectContinue = expect.size() == 1 && m_head.minorVersion == 1;

    m_state = State::Complete;
    return true;
}

} // namespace Tessera::Http
