// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/requestparser.h"

#include "http/syntax_p.h"

#include <algorithm>

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

int hexValue(uchar c)
{
    if (isDigit(c))
        return c - '0';
    return asciiLower(c) - 'a' + 10;
}

bool isOws(char c)
{
    return c == ' ' || c == '\t';
}

// RFC 9110 §5.6.4: quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE, starting at ext[*i].
bool skipQuotedString(QByteArrayView ext, qsizetype *i)
{
    qsizetype at = *i + 1;
    while (at < ext.size()) {
        const uchar c = uchar(ext[at]);
        if (c == '"') {
            *i = at + 1;
            return true;
        }
        if (c == '\\') {
            // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
            if (++at == ext.size())
                return false;
            const uchar q = uchar(ext[at]);
            if (q != '\t' && q != ' ' && !(q >= 0x21 && q <= 0x7E) && q < 0x80)
                return false;
            ++at;
            continue;
        }
        // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
        if (c != '\t' && c != ' ' && c != 0x21 && !(c >= 0x23 && c <= 0x5B) && !(c >= 0x5D && c <= 0x7E) && c < 0x80)
            return false;
        ++at;
    }
    return false;
}

// RFC 9112 §7.1.1: chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ),
// chunk-ext-name = token, chunk-ext-val = token / quoted-string. Nothing else, not even trailing BWS.
bool isChunkExtension(QByteArrayView ext)
{
    qsizetype i = 0;
    const auto skipBws = [&] {
        while (i < ext.size() && isOws(ext[i]))
            ++i;
    };
    const auto skipToken = [&] {
        const qsizetype start = i;
        while (i < ext.size() && isTchar(uchar(ext[i])))
            ++i;
        return i > start;
    };
    while (i < ext.size()) {
        skipBws();
        if (i == ext.size() || ext[i] != ';')
            return false;
        ++i;
        skipBws();
        if (!skipToken())
            return false;
        const qsizetype afterName = i;
        skipBws();
        if (i < ext.size() && ext[i] == '=') {
            ++i;
            skipBws();
            if (i < ext.size() && ext[i] == '"') {
                if (!skipQuotedString(ext, &i))
                    return false;
            } else if (!skipToken()) {
                return false;
            }
        } else {
            i = afterName;
        }
    }
    return true;
}

// RFC 9112 §5.1 / RFC 9110 §5.5: field-line = field-name ":" OWS field-value OWS, as the head
// parser accepts it: no leading whitespace (obs-fold), no whitespace before the colon, no controls.
bool isFieldLine(QByteArrayView line)
{
    if (line.isEmpty() || isOws(line.front()))
        return false;
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0 || !isToken(line.first(colon)))
        return false;
    for (const char ch : line.sliced(colon + 1)) {
        const uchar c = uchar(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7F)
            return false;
    }
    return true;
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

bool RequestParser::parseTransferEncoding()
{
    // RFC 9112 §6.1: Transfer-Encoding = #transfer-coding, and repeated fields form one list
    // (RFC 9110 §5.3); transfer-coding = token *( OWS ";" OWS transfer-parameter ). Coding names
    // are case-insensitive (§7). Parameters are not parsed further: whatever they hold, a coding
    // that has them is refused below.
    QList<QByteArrayView> names;
    bool chunkedHasParameters = false;
    for (const QByteArray &value : m_head.headers.values("transfer-encoding")) {
        QByteArrayView rest(value);
        while (!rest.isEmpty()) {
            const qsizetype comma = rest.indexOf(',');
            const QByteArrayView coding = trimOws(comma < 0 ? rest : rest.first(comma));
            rest = comma < 0 ? QByteArrayView() : rest.sliced(comma + 1);
            // RFC 9110 §5.6.1.2: a recipient MUST parse and ignore empty list elements.
            if (coding.isEmpty())
                continue;
            const qsizetype semicolon = coding.indexOf(';');
            const QByteArrayView name = trimOws(semicolon < 0 ? coding : coding.first(semicolon));
            if (!isToken(name))
                return fail(400, "invalid_transfer_encoding", QStringLiteral("The Transfer-Encoding is malformed."));
            if (semicolon >= 0 && asciiEqualsIgnoreCase(name, "chunked"))
                chunkedHasParameters = true;
            names.append(name);
        }
    }
    // RFC 9112 §6.3: "If a Transfer-Encoding header field is present in a request and the chunked
    // transfer coding is not the final encoding, ... the server MUST respond with the 400".
    if (names.isEmpty() || !asciiEqualsIgnoreCase(names.back(), "chunked"))
        return fail(400, "chunked_not_final",
            QStringLiteral("A request with Transfer-Encoding must end it with the chunked coding."));
    // RFC 9112 §6.1: "A sender MUST NOT apply the chunked transfer coding more than once".
    const auto chunkedCount = std::count_if(
        names.cbegin(), names.cend(), [](QByteArrayView n) { return asciiEqualsIgnoreCase(n, "chunked"); });
    if (chunkedCount > 1)
        return fail(400, "chunked_repeated", QStringLiteral("The chunked transfer coding is applied more than once."));
    // RFC 9112 §7: "The chunked coding does not define any parameters. Their presence SHOULD be
    // treated as an error."
    if (chunkedHasParameters)
        return fail(
            400, "invalid_transfer_encoding", QStringLiteral("The chunked transfer coding takes no parameters."));
    // RFC 9112 §6.1: "A server that receives a request message with a transfer coding it does
    // not understand SHOULD respond with 501". We decode chunked only (no gzip, no deflate).
    if (names.size() > 1)
        return fail(501, "transfer_coding_not_implemented",
            QStringLiteral("Only the chunked transfer coding is supported; send the content without other codings."));
    m_head.chunked = true;
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
        if (!parseTransferEncoding())
            return false;
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

ChunkedBodyParser::ChunkedBodyParser(const HttpLimits &limits) : m_limits(limits) { }

void ChunkedBodyParser::reset()
{
    *this = ChunkedBodyParser(m_limits);
}

bool ChunkedBodyParser::fail(int status, const char *code, QString message)
{
    m_state = State::Failed;
    m_failure = ParseFailure { status, QString::fromLatin1(code), std::move(message) };
    return false;
}

ChunkedBodyParser::State ChunkedBodyParser::feed(QByteArrayView data, qsizetype *consumed, QByteArray *body)
{
    *consumed = 0;
    if (m_state != State::NeedMore)
        return m_state;
    qsizetype pos = 0;
    while (pos < data.size() && m_state == State::NeedMore) {
        if (m_phase == Phase::Data) {
            // The size was checked against the cap when it was declared: this never exceeds it.
            const qsizetype take = qsizetype(qMin<qint64>(m_remaining, data.size() - pos));
            body->append(data.sliced(pos, take));
            pos += take;
            m_remaining -= take;
            if (m_remaining == 0)
                m_phase = Phase::DataCr;
            continue;
        }
        const uchar c = uchar(data[pos++]);
        bool ok = true;
        switch (m_phase) {
        case Phase::Size:
        case Phase::Extension:
        case Phase::SizeLineLf:
            ok = feedSizeLine(c);
            break;
        case Phase::DataCr:
            // chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
            if (c == '\r')
                m_phase = Phase::DataLf;
            else
                ok = fail(400, "invalid_chunk", QStringLiteral("A chunk is longer than its declared size."));
            break;
        case Phase::DataLf:
            if (c == '\n')
                m_phase = Phase::Size;
            else
                ok = fail(400, "bare_cr", QStringLiteral("The request contains a bare CR."));
            break;
        case Phase::Trailer:
            ok = feedTrailer(c);
            break;
        case Phase::Data:
            break;
        }
        if (!ok)
            break;
    }
    *consumed = pos;
    return m_state;
}

bool ChunkedBodyParser::feedSizeLine(uchar c)
{
    if (++m_lineBytes > m_limits.maxChunkLineBytes)
        return fail(400, "chunk_line_too_long",
            QStringLiteral("A chunk-size line is longer than %1 bytes.").arg(m_limits.maxChunkLineBytes));
    switch (m_phase) {
    case Phase::Size:
        if (isHexDigit(c)) {
            // RFC 9112 §7.1: "Recipients MUST anticipate potentially large hexadecimal numerals and
            // prevent parsing errors due to integer conversion overflows". The cap decides while
            // the digits arrive: size * 16 + digit > room, evaluated without overflow.
            const int digit = hexValue(c);
            const qint64 room = m_limits.maxBodyBytes - m_declared;
            if (room < digit || m_chunkSize > (room - digit) / 16)
                return fail(413, "body_too_large",
                    QStringLiteral("The request body is larger than %1 bytes.").arg(m_limits.maxBodyBytes));
            m_chunkSize = m_chunkSize * 16 + digit;
            ++m_sizeDigits;
            return true;
        }
        // chunk-size = 1*HEXDIG: no whitespace, sign or "0x" before it.
        if (m_sizeDigits == 0)
            return fail(400, "invalid_chunk_size", QStringLiteral("A chunk size must be hexadecimal digits."));
        if (c == '\r') {
            m_phase = Phase::SizeLineLf;
            return true;
        }
        if (c != ';' && !isOws(char(c))) {
            if (c == '\n')
                return fail(400, "bare_lf", QStringLiteral("Chunk lines must end with CRLF."));
            return fail(400, "invalid_chunk_size", QStringLiteral("A chunk size must be hexadecimal digits."));
        }
        m_phase = Phase::Extension;
        [[fallthrough]];
    case Phase::Extension:
        if (c == '\r') {
            m_phase = Phase::SizeLineLf;
            return true;
        }
        if (c == '\n')
            return fail(400, "bare_lf", QStringLiteral("Chunk lines must end with CRLF."));
        // No control byte but HTAB can occur anywhere in chunk-ext: refuse it at once.
        if ((c < 0x20 && c != '\t') || c == 0x7F)
            return fail(400, "invalid_chunk_extension", QStringLiteral("A chunk extension is malformed."));
        if (++m_extensionBytes > m_limits.maxChunkExtensionBytes)
            return fail(400, "chunk_extensions_too_large",
                QStringLiteral("The chunk extensions are longer than %1 bytes in total.")
                    .arg(m_limits.maxChunkExtensionBytes));
        m_line.append(char(c));
        return true;
    case Phase::SizeLineLf:
        if (c != '\n')
            return fail(400, "bare_cr", QStringLiteral("The request contains a bare CR."));
        return endSizeLine();
    default:
        return true;
    }
}

bool ChunkedBodyParser::endSizeLine()
{
    // RFC 9112 §7.1.1: "A recipient MUST ignore unrecognized chunk extensions" -- once parsed.
    if (!m_line.isEmpty() && !isChunkExtension(m_line))
        return fail(400, "invalid_chunk_extension", QStringLiteral("A chunk extension is malformed."));
    m_line.clear();
    m_lineBytes = 0;
    m_sizeDigits = 0;
    if (m_chunkSize == 0) {
        // last-chunk = 1*("0") [ chunk-ext ] CRLF, then the trailer section.
        m_phase = Phase::Trailer;
        return true;
    }
    m_declared += m_chunkSize;
    m_remaining = m_chunkSize;
    m_chunkSize = 0;
    m_phase = Phase::Data;
    return true;
}

bool ChunkedBodyParser::feedTrailer(uchar c)
{
    m_line.append(char(c));
    // The final CRLF is not part of the trailer fields; the line stays bounded either way.
    const bool finalLine = m_line == "\r" || m_line == "\r\n";
    if (!finalLine && m_trailerBytes + m_line.size() > m_limits.maxTrailerBytes)
        return fail(431, "trailer_too_large",
            QStringLiteral("The trailer fields are larger than %1 bytes.").arg(m_limits.maxTrailerBytes));
    if (c != '\n')
        return true;
    QByteArrayView line(m_line);
    line.chop(1);
    if (line.isEmpty() || line.back() != '\r')
        return fail(400, "bare_lf", QStringLiteral("Chunk lines must end with CRLF."));
    line.chop(1);
    if (line.contains('\r'))
        return fail(400, "bare_cr", QStringLiteral("The request contains a bare CR."));
    if (line.isEmpty()) {
        m_line.clear();
        m_state = State::Complete;
        return true;
    }
    // RFC 9112 §7.1.2: a recipient "MAY selectively retain or discard the received trailer
    // fields". Checked like a header field, then discarded: nothing may smuggle a field in.
    if (!isFieldLine(line))
        return fail(400, "invalid_trailer", QStringLiteral("A trailer field is malformed."));
    m_trailerBytes += m_line.size();
    m_line.clear();
    return true;
}

} // namespace Tessera::Http
