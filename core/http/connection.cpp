// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/connection_p.h"

#include "common/logging.h"

#include <QTcpSocket>

#include <sys/socket.h>

namespace Tessera::Http {

namespace {

// One read from the socket buffer at a time; the parser never holds more than the head limit.
constexpr qint64 ChunkBytes = 16 * 1024;

} // namespace

Connection::Connection(LoopbackServer *server, QTcpSocket *socket, quint64 id, Peer peer)
    : QObject(server)
    , m_server(server)
    , m_socket(socket)
    , m_id(id)
    , m_peer(std::move(peer))
    , m_limits(server->limits())
    , m_parser(m_limits)
    , m_chunkedParser(m_limits)
{
    m_socket->setParent(this);
    m_socket->setReadBufferSize(m_limits.socketReadBufferBytes);
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &Connection::onTimeout);
    connect(m_socket, &QTcpSocket::readyRead, this, [this] {
        if (m_phase == Phase::Closing)
            drain();
        else
            process();
    });
    connect(m_socket, &QTcpSocket::bytesWritten, this, &Connection::onBytesWritten);
    connect(m_socket, &QTcpSocket::disconnected, this, &Connection::finish);
}

Connection::~Connection() = default;

void Connection::start()
{
    // The first request must arrive within the header timeout of the connection being accepted.
    enterPhase(Phase::ReadingHead, m_limits.headerTimeoutMs);
    process();
}

void Connection::enterPhase(Phase phase, int timeoutMs)
{
    m_phase = phase;
    m_phaseClock.start();
    if (timeoutMs > 0)
        m_timer.start(timeoutMs);
    else
        m_timer.stop();
}

void Connection::queueProcess()
{
    // Never parse the next request inside the previous handler's call stack.
    if (m_processQueued)
        return;
    m_processQueued = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_processQueued = false;
            process();
        },
        Qt::QueuedConnection);
}

void Connection::process()
{
    while (!m_finished) {
        switch (m_phase) {
        case Phase::Idle:
            if (m_socket->bytesAvailable() <= 0)
                return;
            // A client that does not read its responses gets no further ones (and meets the idle timeout).
            if (m_socket->bytesToWrite() > m_limits.maxPendingWriteBytes)
                return;
            enterPhase(Phase::ReadingHead, m_limits.headerTimeoutMs);
            break;
        case Phase::ReadingHead:
            if (!readHead())
                return;
            break;
        case Phase::ReadingBody:
            if (!readBody())
                return;
            break;
        case Phase::Handling:
        case Phase::Closing:
            return;
        }
    }
}

QByteArray Connection::peekInput() const
{
    // Peek, not read: the parser says how much was its own, the rest stays for the next request.
    const qint64 available = m_socket->bytesAvailable();
    if (available <= 0)
        return {};
    QByteArray chunk(qMin(available, ChunkBytes), Qt::Uninitialized);
    const qint64 peeked = m_socket->peek(chunk.data(), chunk.size());
    chunk.truncate(qMax<qint64>(peeked, 0));
    return chunk;
}

bool Connection::readHead()
{
    const QByteArray chunk = peekInput();
    if (chunk.isEmpty())
        return false;
    qsizetype consumed = 0;
    const RequestParser::State state = m_parser.feed(chunk, &consumed);
    m_socket->skip(consumed);
    switch (state) {
    case RequestParser::State::NeedMore:
        return true;
    case RequestParser::State::Failed: {
        const ParseFailure &f = m_parser.failure();
        qCDebug(lcHttp, "connection %llu: refused a request head: %s", m_id, qUtf8Printable(f.code));
        fail(f.status, f.code, f.message);
        return false;
    }
    case RequestParser::State::Complete:
        headComplete();
        return true;
    }
    return false;
}

bool Connection::readBody()
{
    if (m_head.chunked)
        return readChunkedBody();
    const qint64 missing = m_head.contentLength - m_body.size();
    const qint64 available = m_socket->bytesAvailable();
    if (available <= 0)
        return false;
    m_body.append(m_socket->read(qMin(missing, available)));
    if (m_body.size() == m_head.contentLength)
        dispatch();
    return true;
}

bool Connection::readChunkedBody()
{
    const QByteArray chunk = peekInput();
    if (chunk.isEmpty())
        return false;
    qsizetype consumed = 0;
    const RequestParser::State state = m_chunkedParser.feed(chunk, &consumed, &m_body);
    // Only the body's bytes: a pipelined request after it stays in the socket buffer.
    m_socket->skip(consumed);
    switch (state) {
    case RequestParser::State::NeedMore:
        return true;
    case RequestParser::State::Failed: {
        const ParseFailure &f = m_chunkedParser.failure();
        qCDebug(lcHttp, "connection %llu: refused a chunked body: %s", m_id, qUtf8Printable(f.code));
        fail(f.status, f.code, f.message);
        return false;
    }
    case RequestParser::State::Complete:
        dispatch();
        return true;
    }
    return false;
}

void Connection::headComplete()
{
    m_head = m_parser.head();
    ++m_sequence;
    qCDebug(lcHttp, "connection %llu: request %llu %s %s", m_id, m_sequence, m_head.method.constData(),
        m_head.path.constData());
    GateDecision decision = m_server->evaluate(m_head);
    if (decision.immediate) {
        // The body was not read, so the connection cannot carry another request.
        const bool close = decision.close || m_head.contentLength > 0 || m_head.chunked || m_head.connectionClose;
        decision.framing.headRequest = m_head.method == "HEAD";
        write(*decision.immediate, decision.framing, close);
        afterResponse(close);
        return;
    }
    m_handler = std::move(decision.handler);
    m_framing = std::move(decision.framing);
    if (m_head.chunked) {
        // The decoded size is unknown until the last chunk; ChunkedBodyParser holds it to the cap.
        m_chunkedParser.reset();
    } else if (m_head.contentLength == 0) {
        dispatch();
        return;
    } else {
        m_body.reserve(m_head.contentLength);
    }
    enterPhase(Phase::ReadingBody, m_limits.bodyTimeoutMs);
    // RFC 9110 §10.1.1: the gates passed, so invite the body now.
    if (m_head.expectContinue)
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
}

void Connection::dispatch()
{
    enterPhase(Phase::Handling, 0);
    Request request;
    request.method = m_head.method;
    request.target = m_head.target;
    request.path = m_head.path;
    request.query = m_head.query;
    request.hasQuery = m_head.hasQuery;
    request.minorVersion = m_head.minorVersion;
    request.headers = m_head.headers;
    request.body = std::move(m_body);
    request.peer = m_peer;
    request.connectionId = m_id;
    request.sequence = m_sequence;
    m_body.clear();
    const Handler handler = std::move(m_handler);
    m_handler = nullptr;
    handler(request, Responder(this, m_sequence));
}

bool Connection::isAwaiting(quint64 sequence) const
{
    return !m_finished && m_phase == Phase::Handling && sequence == m_sequence;
}

void Connection::setDisconnectCallback(quint64 sequence, std::function<void()> callback)
{
    if (isAwaiting(sequence))
        m_disconnectCallback = std::move(callback);
}

void Connection::park(quint64 sequence, Response release)
{
    if (!isAwaiting(sequence))
        return;
    m_release = std::move(release);
    m_phaseClock.restart(); // the longest parked is released first
    m_server->onParked(this);
}

void Connection::release()
{
    if (!isParked() || m_phase != Phase::Handling)
        return;
    Response answer = std::move(*m_release);
    m_release.reset();
    m_head.connectionClose = true; // the slot is what was needed
    respond(m_sequence, std::move(answer));
}

void Connection::respond(quint64 sequence, Response response)
{
    if (!isAwaiting(sequence))
        return;
    m_disconnectCallback = nullptr;
    m_release.reset();
    ++m_served;
    // RFC 9112 §9.6: close after a response that says so.
    const bool close = m_head.connectionClose || m_served >= m_limits.maxRequestsPerConnection;
    ResponseFraming framing = m_framing;
    framing.headRequest = m_head.method == "HEAD";
    write(response, std::move(framing), close);
    afterResponse(close);
}

void Connection::respondServerError(quint64 sequence)
{
    respond(sequence,
        m_server->renderError(
            500, Error::make(QStringLiteral("server_error"), QStringLiteral("The request could not be answered."))));
}

void Connection::fail(int status, const QString &code, const QString &message)
{
    write(m_server->renderError(status, Error { code, message }), ResponseFraming {}, true);
    afterResponse(true);
}

void Connection::write(const Response &response, ResponseFraming framing, bool close)
{
    framing.close = close;
    framing.nowMs = m_server->nowMs();
    Result<QByteArray> bytes = serializeResponse(response, framing);
    if (!bytes) {
        // A handler bug must not reach the wire: answer 500 with only what the server vouches for.
        qCWarning(lcHttp, "connection %llu: invalid response from a handler: %s", m_id,
            qUtf8Printable(bytes.error().message));
        ResponseFraming plain;
        plain.close = close;
        plain.nowMs = framing.nowMs;
        bytes = serializeResponse(Response::empty(500), plain);
    }
    m_socket->write(*bytes);
}

void Connection::afterResponse(bool close)
{
    if (close) {
        beginClose();
        return;
    }
    m_parser.reset();
    m_head = RequestHead {};
    m_framing = ResponseFraming {};
    enterPhase(Phase::Idle, m_limits.idleTimeoutMs);
    if (m_socket->bytesAvailable() > 0)
        queueProcess();
}

void Connection::onTimeout()
{
    switch (m_phase) {
    case Phase::ReadingHead:
        if (m_parser.hasStarted()) {
            qCDebug(lcHttp, "connection %llu: request head not complete in time", m_id);
            fail(408, QStringLiteral("header_timeout"), QStringLiteral("The request head did not arrive in time."));
        } else {
            finish();
        }
        return;
    case Phase::ReadingBody:
        qCDebug(lcHttp, "connection %llu: request body not complete in time", m_id);
        fail(408, QStringLiteral("body_timeout"), QStringLiteral("The request body did not arrive in time."));
        return;
    case Phase::Idle:
    case Phase::Closing:
        finish();
        return;
    case Phase::Handling:
        return;
    }
}

void Connection::onBytesWritten()
{
    if (m_phase == Phase::Closing)
        halfCloseIfFlushed();
    else if (m_phase == Phase::Idle && m_socket->bytesAvailable() > 0)
        queueProcess();
}

// Lingering close: the response is flushed, then our side is shut down for writing and input is
// discarded until the client closes or lingerMs passes. Closing with unread input would make the
// kernel send RST, which can destroy the response (e.g. a 413) before the client has read it.
void Connection::beginClose()
{
    enterPhase(Phase::Closing, qMax(1, m_limits.lingerMs));
    if (m_socket->state() != QAbstractSocket::ConnectedState) {
        finish();
        return;
    }
    halfCloseIfFlushed();
}

void Connection::halfCloseIfFlushed()
{
    if (m_halfClosed || m_finished)
        return;
    m_socket->flush();
    if (m_socket->bytesToWrite() > 0)
        return; // onBytesWritten comes back here
    m_halfClosed = true;
    ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
    drain();
}

void Connection::drain()
{
    char sink[ChunkBytes];
    while (!m_finished && m_socket->bytesAvailable() > 0) {
        const qint64 n = m_socket->read(sink, sizeof sink);
        if (n <= 0)
            break;
        m_discarded += n;
        // The client had its answer; a stubborn uploader gets a reset rather than our CPU.
        if (m_discarded > m_limits.lingerMaxBytes) {
            finish();
            return;
        }
    }
}

void Connection::abortNow()
{
    finish();
}

void Connection::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_timer.stop();
    if (m_disconnectCallback) {
        const std::function<void()> callback = std::move(m_disconnectCallback);
        m_disconnectCallback = nullptr;
        callback();
    }
    m_socket->abort();
    Q_EMIT finished(this);
    deleteLater();
}

} // namespace Tessera::Http
