// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Internal to core/http: one accepted TCP connection and the listener that accepts them.

#include "http/loopbackserver.h"
#include "http/requestparser.h"
#include "http/response_p.h"

#include <QElapsedTimer>
#include <QTcpServer>
#include <QTimer>

#include <optional>

class QTcpSocket;

namespace Tessera::Http {

/** What the server's gates decided about a complete request head. */
struct GateDecision
{
    std::optional<Response> immediate; ///< answer without a handler (errors, preflights)
    bool close = true; ///< for immediate answers: close the connection afterwards
    Handler handler;
    ResponseFraming framing; ///< cache and CORS headers for the handler's response
};

/** Accepts on one loopback address and hands the descriptor to the server before Qt touches it. */
class GateServer final : public QTcpServer
{
public:
    explicit GateServer(LoopbackServer *owner) : QTcpServer(owner), m_owner(owner) { }

protected:
    void incomingConnection(qintptr descriptor) override { m_owner->acceptDescriptor(descriptor); }

private:
    LoopbackServer *m_owner;
};

/**
 * One connection: reads one request at a time (pipelined input waits in the socket buffer),
 * enforces the timeouts of HttpLimits, and closes with a half-close and a bounded linger.
 */
class Connection final : public QObject
{
    Q_OBJECT

public:
    enum class Phase
    {
        ReadingHead,
        ReadingBody,
        Handling,
        Idle,
        Closing
    };

    Connection(LoopbackServer *server, QTcpSocket *socket, quint64 id, Peer peer);
    ~Connection() override;

    void start();
    [[nodiscard]] quint64 id() const { return m_id; }
    [[nodiscard]] Phase phase() const { return m_phase; }
    [[nodiscard]] qint64 phaseAgeMs() const { return m_phaseClock.elapsed(); }
    /** Closes at once; a pending Responder sees the disconnect. */
    void abortNow();

    [[nodiscard]] bool isAwaiting(quint64 sequence) const;
    void respond(quint64 sequence, Response response);
    void respondServerError(quint64 sequence);
    void setDisconnectCallback(quint64 sequence, std::function<void()> callback);
    void park(quint64 sequence, Response release);
    [[nodiscard]] bool isParked() const { return m_release.has_value() && !m_finished; }
    /** A parked request gets the answer it was parked with, then the connection closes (R7a). */
    void release();

Q_SIGNALS:
    void finished(Tessera::Http::Connection *connection);

private:
    void process();
    void queueProcess();
    [[nodiscard]] QByteArray peekInput() const;
    bool readHead();
    bool readBody();
    bool readChunkedBody();
    void headComplete();
    void dispatch();
    void fail(int status, const QString &code, const QString &message);
    void write(const Response &response, ResponseFraming framing, bool close);
    void afterResponse(bool close);
    void enterPhase(Phase phase, int timeoutMs);
    void onTimeout();
    void onBytesWritten();
    void beginClose();
    void halfCloseIfFlushed();
    void drain();
    void finish();

    LoopbackServer *m_server;
    QTcpSocket *m_socket;
    const quint64 m_id;
    const Peer m_peer;
    const HttpLimits m_limits;
    RequestParser m_parser;
    ChunkedBodyParser m_chunkedParser;
    RequestHead m_head;
    QByteArray m_body;
    Handler m_handler;
    ResponseFraming m_framing;
    Phase m_phase = Phase::ReadingHead;
    QElapsedTimer m_phaseClock;
    QTimer m_timer;
    quint64 m_sequence = 0;
    int m_served = 0;
    qint64 m_discarded = 0;
    std::function<void()> m_disconnectCallback;
    std::optional<Response> m_release; ///< set while the request in Handling is parked
    bool m_halfClosed = false;
    bool m_finished = false;
    bool m_processQueued = false;
};

} // namespace Tessera::Http
