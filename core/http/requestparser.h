// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/httplimits.h"
#include "http/request.h"

#include <QString>

namespace Tessera::Http {

/** @brief A request head that passed RequestParser: framing is unambiguous. */
struct RequestHead
{
    QByteArray method;
    QByteArray target;
    QByteArray path;
    QByteArray query;
    bool hasQuery = false;
    int minorVersion = 1;
    Headers headers;
    qint64 contentLength = 0;
    bool chunked = false; ///< `Transfer-Encoding: chunked`: the body is read with ChunkedBodyParser
    bool connectionClose = false; ///< `Connection: close`, or HTTP/1.0
    bool expectContinue = false; ///< `Expect: 100-continue` on HTTP/1.1
};

/** @brief Why a head was refused: the status to answer with, then the connection is closed. */
struct ParseFailure
{
    int status = 400;
    QString code; ///< stable snake_case
    QString message; ///< one sentence, no request bytes in it
};

/**
 * @brief Strict, incremental HTTP/1.1 request-head parser (RFC 9112 §2–§6).
 *
 * Feed it bytes as they arrive; it stops right after the empty line that ends the head and never
 * buffers more than HttpLimits::maxHeaderBytes. It refuses, as early as the bytes allow:
 * - 400: bare LF or bare CR line endings (§2.2), whitespace or obs-fold before/in header lines (§5.2),
 *   whitespace before the colon (§5.1), control bytes in a field value (RFC 9110 §5.5), an invalid
 *   method token, anything but exactly one SP between the request-line parts (§3), absolute-form,
 *   authority-form and asterisk-form targets and characters outside RFC 3986 (§3.2), both
 *   Content-Length and Transfer-Encoding, a repeated or non-numeric Content-Length, a repeated
 *   Host (§3.2), Transfer-Encoding on HTTP/1.0 (§6.1), a Transfer-Encoding whose final coding is
 *   not chunked (§6.3), chunked twice or with parameters (§6.1, §7), a malformed coding list;
 * - 501: any transfer coding before the final chunked (§6.1: we understand none of them);
 * - 413: Content-Length above maxBodyBytes, before any body byte is read;
 * - 414: request-target longer than maxUriBytes; 431: head above maxHeaderBytes or maxHeaderCount;
 * - 417: an Expect other than 100-continue; 501: a well-formed but unknown method; 505: not HTTP/1.x.
 * A missing Host is not a framing error: the server's Host gate answers it (421).
 * `Transfer-Encoding: chunked` (exactly that coding, any case) sets RequestHead::chunked; the body
 * is then decoded by ChunkedBodyParser.
 */
class RequestParser
{
public:
    enum class State
    {
        NeedMore,
        Complete,
        Failed
    };

    explicit RequestParser(const HttpLimits &limits);

    /**
     * @brief Consumes bytes of the current head from @p data and reports how many in @p consumed.
     * Bytes after the head (the body, a pipelined request) are left unconsumed.
     */
    State feed(QByteArrayView data, qsizetype *consumed);

    [[nodiscard]] State state() const { return m_state; }
    /** @brief Whether any byte of the current request has been consumed. */
    [[nodiscard]] bool hasStarted() const { return m_headBytes > 0; }
    [[nodiscard]] const RequestHead &head() const { return m_head; }
    [[nodiscard]] const ParseFailure &failure() const { return m_failure; }
    /** @brief Ready for the next request on the same connection. */
    void reset();

private:
    bool checkPartialRequestLine();
    bool processLine(QByteArrayView line);
    bool parseRequestLine(QByteArrayView line);
    bool parseTarget(QByteArrayView target);
    bool parseHeaderLine(QByteArrayView line);
    bool finishHead();
    bool parseTransferEncoding();
    bool fail(int status, const char *code, QString message);

    HttpLimits m_limits;
    State m_state = State::NeedMore;
    QByteArray m_line;
    qsizetype m_headBytes = 0;
    bool m_haveRequestLine = false;
    RequestHead m_head;
    ParseFailure m_failure;
};

/**
 * @brief Strict, incremental decoder of a chunked request body (RFC 9112 §7.1).
 *
 * Feed it the bytes after the head as they arrive; it appends the decoded content to the body
 * it is given and stops right after the CRLF that ends the trailer section, so a pipelined
 * request stays unconsumed. It holds at most one chunk-size line or one trailer line. Grammar:
 *
 *     chunked-body = *chunk last-chunk trailer-section CRLF
 *     chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *     chunk-size   = 1*HEXDIG            ; leading zeros allowed, bounded by the line limit
 *     chunk-ext    = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
 *     chunk-ext-val = token / quoted-string
 *     trailer-section = *( field-line CRLF )
 *
 * Extensions are checked against that grammar and ignored (§7.1.1). Trailer fields are checked
 * like header fields and discarded (§7.1.2 allows it): handlers never see them. Refusals:
 * - 413 body_too_large as soon as the declared chunk sizes add up to more than maxBodyBytes,
 *   while the size digits arrive and before any byte of that chunk is read (no overflow: §7.1
 *   "Recipients MUST anticipate potentially large hexadecimal numerals");
 * - 400 for anything outside the grammar: a size with leading or trailing garbage (` 5`, `0x5`,
 *   `+5`, `5 `), bare LF or bare CR, chunk data not followed by CRLF, a malformed extension or
 *   trailer field; a chunk-size line longer than maxChunkLineBytes; extensions above
 *   maxChunkExtensionBytes in total (§7.1.1: "A server ought to limit the total length");
 * - 431 trailer_too_large: a trailer section above maxTrailerBytes.
 */
class ChunkedBodyParser
{
public:
    using State = RequestParser::State;

    explicit ChunkedBodyParser(const HttpLimits &limits);

    /**
     * @brief Consumes bytes of the chunked body from @p data, appends decoded content to @p body,
     * and reports how many bytes it consumed in @p consumed.
     */
    State feed(QByteArrayView data, qsizetype *consumed, QByteArray *body);

    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] const ParseFailure &failure() const { return m_failure; }
    /** @brief Content bytes declared by the chunk sizes so far (the body's size once Complete). */
    [[nodiscard]] qint64 declaredBytes() const { return m_declared; }
    /** @brief Ready for the next body. */
    void reset();

private:
    enum class Phase
    {
        Size,
        Extension,
        SizeLineLf,
        Data,
        DataCr,
        DataLf,
        Trailer
    };

    bool feedSizeLine(uchar c);
    bool endSizeLine();
    bool feedTrailer(uchar c);
    bool fail(int status, const char *code, QString message);

    HttpLimits m_limits;
    State m_state = State::NeedMore;
    Phase m_phase = Phase::Size;
    qint64 m_chunkSize = 0; ///< of the chunk whose size line is being read
    int m_sizeDigits = 0;
    qint64 m_remaining = 0; ///< data bytes of the current chunk still to come
    qint64 m_declared = 0;
    qsizetype m_lineBytes = 0; ///< of the current chunk-size line, CRLF included
    qsizetype m_extensionBytes = 0; ///< of all chunk-size lines so far
    qsizetype m_trailerBytes = 0;
    QByteArray m_line; ///< the extensions of the current size line, or the current trailer line
    ParseFailure m_failure;
};

} // namespace Tessera::Http
