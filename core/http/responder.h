// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/response.h"

#include <QPointer>

#include <functional>

namespace Tessera::Http {

class Connection;

/**
 * @brief The one answer a handler owes its request. Move-only; keep it to answer later
 * (e.g. after a consent decision): the connection stays open and is not idle meanwhile.
 *
 * - send() answers exactly once; later calls are ignored and logged.
 * - A Responder destroyed without send() answers 500 (and logs), so a client never hangs.
 * - If the client disconnects first, send() is a no-op and the onDisconnected() callback runs.
 * It holds only a weak reference to the connection: using it after the client left is safe.
 */
class Responder
{
public:
    Responder() = default;
    ~Responder();
    Responder(Responder &&other) noexcept;
    /** @brief An unanswered request held by this Responder is answered with 500 first. */
    Responder &operator=(Responder &&other) noexcept;
    Responder(const Responder &) = delete;
    Responder &operator=(const Responder &) = delete;

    /** @brief Sends @p response (framing and security headers are added); no-op if the client is gone. */
    void send(Response response);
    /** @brief Whether the request is still unanswered and its client still connected. */
    [[nodiscard]] bool isConnected() const;
    /** @brief Whether this Responder still owes an answer (send() not called yet). */
    [[nodiscard]] bool isPending() const { return m_pending; }
    /**
     * @brief Runs @p callback once if the client goes away before send() (e.g. to withdraw a
     * consent prompt). Runs it immediately if the client is already gone.
     */
    void onDisconnected(std::function<void()> callback);
    /**
     * @brief Marks this request as parked: it may wait a long time for an event, and the server
     * may release it whenever it needs the slot (HttpLimits::maxParkedConnections, or the
     * connection cap), answering @p release and closing. After that isConnected() is false and
     * send() is a no-op, as if the client had left, so keep whatever the answer depends on until
     * the client asks again. @p release should tell a browser to ask again (e.g. a meta refresh).
     */
    void park(Response release);

private:
    friend class Connection;
    Responder(Connection *connection, quint64 sequence);
    void answerWithServerError();

    QPointer<Connection> m_connection;
    quint64 m_sequence = 0;
    bool m_pending = false;
};

} // namespace Tessera::Http
