// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QtGlobal>

namespace Tessera::Http {

/**
 * @brief Every resource bound of the loopback server (security-cases B1, B2, B7).
 *
 * Exceeding one never buffers more: the request is answered with the status named here and the
 * connection is closed. Tests shorten the timeouts; the product uses the defaults.
 */
struct HttpLimits
{
    /** Largest body accepted: a larger Content-Length, or chunk sizes (RFC 9112 §7.1) that add up to
     *  more, get 413 before any byte of the body (or of that chunk) is read. */
    qint64 maxBodyBytes = 64 * 1024;
    /** One chunk-size line of a chunked body: size digits (leading zeros included), extensions and CRLF;
     *  beyond it 400, checked while the line is still arriving. */
    int maxChunkLineBytes = 1024;
    /** All chunk extensions of one chunked body together (RFC 9112 §7.1.1); beyond it 400. */
    int maxChunkExtensionBytes = 4096;
    /** The trailer fields of one chunked body, their CRLFs included (RFC 9112 §7.1.2; they are
     *  discarded); beyond it 431. */
    int maxTrailerBytes = 4096;
    /** Request line plus header lines including their CRLFs; beyond it 431. */
    int maxHeaderBytes = 16 * 1024;
    /** Longest request-target (path and query); beyond it 414, checked while the line is still arriving. */
    int maxUriBytes = 8 * 1024;
    /** Most header fields in one request; beyond it 431. */
    int maxHeaderCount = 64;
    /** Open connections at once (all from the one permitted uid). At the cap a new connection evicts
     *  the longest-stalled one that has no request being handled, or gets 503 if there is none. */
    int maxConnections = 64;
    /** Of those, requests parked by their handler (Responder::park(): a long poll such as GET
     *  /authorize/wait). Parking one more releases the one parked longest, with the answer it was
     *  parked with; at maxConnections a parked request is released before a new connection gets
     *  503. Must be below maxConnections, so parked requests can never take every slot (issue 9 R7a). */
    int maxParkedConnections = 16;
    /** Responses on one connection before the server answers with `Connection: close`. */
    int maxRequestsPerConnection = 100;
    /** From accepting a connection, or from the first byte of a later request, until its head is complete; then 408 and
     * close. */
    int headerTimeoutMs = 5000;
    /** From the end of the head until the whole body has arrived; then 408 and close. */
    int bodyTimeoutMs = 10000;
    /** Keep-alive connection with no request in progress; then closed silently. A request whose
     *  response is deferred (e.g. waiting for consent) is not idle. */
    int idleTimeoutMs = 30000;
    /** After a final response with `Connection: close`: half-close, discard input for at most this long, then close.
     *  Keeps the kernel from resetting the connection before the client has read the response. */
    int lingerMs = 1000;
    /** ... and discard at most this many bytes (e.g. of a rejected upload) before resetting the connection. */
    qint64 lingerMaxBytes = 1024 * 1024;
    /** QTcpSocket read buffer: while a request is being handled, unread input stops here (TCP back-pressure). */
    qint64 socketReadBufferBytes = 64 * 1024;
    /** Unsent response bytes above which the next pipelined request waits until the client reads. */
    qint64 maxPendingWriteBytes = 256 * 1024;

    /** @brief "invalid_limits" if a value is non-positive (the body and linger limits may be 0) or the URI
     *  limit does not fit in the header limit. */
    [[nodiscard]] Status validate() const;
};

} // namespace Tessera::Http
