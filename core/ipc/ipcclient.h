// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QJsonObject>
#include <QJsonValue>

#include <functional>
#include <memory>

class QLocalSocket;

namespace Tessera::Ipc {

/**
 * @brief Blocking client for command-line tools: connect, call, read the reply.
 *
 * Errors carry the server's code and message unchanged; a missing or dead socket is
 * `not_running`.
 */
class IpcClient
{
public:
    using EventHandler = std::function<void(const QString &event, const QJsonValue &data)>;

    IpcClient();
    ~IpcClient();
    IpcClient(IpcClient &&) noexcept;
    IpcClient &operator=(IpcClient &&) noexcept;

    [[nodiscard]] static Result<IpcClient> connectTo(const QString &path, int timeoutMs = 2000);

    /**
     * @brief Sends one request and waits for its reply; events that arrive meanwhile go to
     * the event handler. @p timeoutMs < 0 waits for ever (approvals may take minutes).
     */
    [[nodiscard]] Result<QJsonValue> call(const QString &method, const QJsonObject &params = {}, int timeoutMs = 10000);

    void setEventHandler(EventHandler handler) { m_onEvent = std::move(handler); }

    /** @brief Reads and dispatches events until the server closes or @p keepGoing returns false. */
    [[nodiscard]] Status readEvents(const std::function<bool()> &keepGoing, int pollMs = 200);

private:
    std::unique_ptr<QLocalSocket> m_socket;
    QByteArray m_buffer;
    qint64 m_nextId = 1;
    EventHandler m_onEvent;

    Result<QJsonObject> nextFrame(int timeoutMs);
    /** @brief The refusal Tessera sent before closing (too_many_connections, ...), else connection_lost. */
    Error refusalOrLost();
};

} // namespace Tessera::Ipc
