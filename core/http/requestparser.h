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
 *   Host (§3.2), Transfer-Encoding on HTTP/1.0 (§6.1);
 * - 411: Transfer-Encoding without Content-Length (only Content-Length bodies are accepted);
 * - 413: Content-Length above maxBodyBytes, before any body byte is read;
 * - 414: request-target longer than maxUriBytes; 431: head above maxHeaderBytes or maxHeaderCount;
 * - 417: an Expect other than 100-continue; 501: a well-formed but unknown method; 505: not HTTP/1.x.
 * A missing Host is not a framing error: the server's Host gate answers it (421).
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
    bool fail(int status, const char *code, QString message);

    HttpLimits m_limits;
    State m_state = State::NeedMore;
    QByteArray m_line;
    qsizetype m_headBytes = 0;
    bool m_haveRequestLine = false;
    RequestHead m_head;
    ParseFailure m_failure;
};

} // namespace Tessera::Http
