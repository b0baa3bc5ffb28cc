// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/responder.h"

#include "common/logging.h"
#include "http/connection_p.h"

namespace Tessera::Http {

Responder::Responder(Connection *connection, quint64 sequence)
    : m_connection(connection), m_sequence(sequence), m_pending(true)
{ }

Responder::~Responder()
{
    answerWithServerError();
}

Responder::Responder(Responder &&other) noexcept
    : m_connection(std::move(other.m_connection))
    , m_sequence(other.m_sequence)
    , m_pending(std::exchange(other.m_pending, false))
{ }

Responder &Responder::operator=(Responder &&other) noexcept
{
    if (this != &other) {
        answerWithServerError();
        m_connection = std::move(other.m_connection);
        m_sequence = other.m_sequence;
        m_pending = std::exchange(other.m_pending, false);
    }
    return *this;
}

void Responder::answerWithServerError()
{
    if (!m_pending)
        return;
    m_pending = false;
    if (m_connection && m_connection->isAwaiting(m_sequence)) {
        qCWarning(lcHttp, "A request handler dropped its responder without answering; sending 500.");
        m_connection->respondServerError(m_sequence);
    }
}

void Responder::send(Response response)
{
    if (!m_pending) {
        qCWarning(lcHttp, "Responder::send() called on an answered or empty responder; ignored.");
        return;
    }
    m_pending = false;
    if (m_connection)
        m_connection->respond(m_sequence, std::move(response));
}

bool Responder::isConnected() const
{
    return m_pending && m_connection && m_connection->isAwaiting(m_sequence);
}

void Responder::onDisconnected(std::function<void()> callback)
{
    if (!callback || !m_pending)
        return;
    if (isConnected())
        m_connection->setDisconnectCallback(m_sequence, std::move(callback));
    else
        callback();
}

void Responder::park(Response release)
{
    if (isConnected())
        m_connection->park(m_sequence, std::move(release));
}

} // namespace Tessera::Http
