// SPDX-License-Identifier: GPL-3.0-or-later
#include "ipc/ipcclient.h"

#include "ipc/protocol.h"

#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QLocalSocket>

namespace Tessera::Ipc {

namespace {
Error notRunning(const QString &path)
{
    return Error::make(QStringLiteral("not_running"),
        QStringLiteral("Tessera is not running (no answer on %1). Start it with `tessera` or `tessera --headless`.")
            .arg(path));
}
Error lost()
{
    return Error::make(QStringLiteral("connection_lost"), QStringLiteral("Tessera closed the connection."));
}
} // namespace

IpcClient::IpcClient() = default;
IpcClient::~IpcClient() = default;
IpcClient::IpcClient(IpcClient &&) noexcept = default;
IpcClient &IpcClient::operator=(IpcClient &&) noexcept = default;

Result<IpcClient> IpcClient::connectTo(const QString &path, int timeoutMs)
{
    IpcClient client;
    client.m_socket = std::make_unique<QLocalSocket>();
    client.m_socket->connectToServer(path);
    if (!client.m_socket->waitForConnected(timeoutMs))
        return notRunning(path);
    return client;
}

Result<QJsonObject> IpcClient::nextFrame(int timeoutMs)
{
    QDeadlineTimer deadline = timeoutMs < 0 ? QDeadlineTimer(QDeadlineTimer::Forever) : QDeadlineTimer(timeoutMs);
    for (;;) {
        const qsizetype newline = m_buffer.indexOf('\n');
        if (newline >= 0) {
            const QByteArray line = m_buffer.left(newline);
            m_buffer.remove(0, newline + 1);
            QJsonParseError err {};
            const QJsonDocument doc = QJsonDocument::fromJson(line, &err);
            if (err.error != QJsonParseError::NoError || !doc.isObject())
                return Error::make(
                    QStringLiteral("bad_reply"), QStringLiteral("Tessera sent a reply that is not JSON."));
            return doc.object();
        }
        if (m_buffer.size() > MaxFrameBytes)
            return Error::make(QStringLiteral("bad_reply"), QStringLiteral("Tessera sent an oversized reply."));
        if (m_socket->state() != QLocalSocket::ConnectedState && m_socket->bytesAvailable() == 0)
            return lost();
        if (deadline.hasExpired())
            return Error::make(QStringLiteral("timeout"), QStringLiteral("Tessera did not answer in time."));
        const int wait = deadline.isForever() ? 1000 : static_cast<int>(qMin<qint64>(deadline.remainingTime(), 1000));
        if (m_socket->waitForReadyRead(wait) || m_socket->bytesAvailable() > 0)
            m_buffer += m_socket->readAll();
        else if (m_socket->state() != QLocalSocket::ConnectedState)
            return lost();
    }
}

Error IpcClient::refusalOrLost()
{
    // Tessera may have refused the connection with a reason (id null) and closed: say that.
    m_buffer += m_socket->readAll();
    for (const QByteArray &line : m_buffer.split('\n')) {
        const QJsonObject frame = QJsonDocument::fromJson(line).object();
        if (frame.value(QStringLiteral("id")).isNull() && frame.value(QStringLiteral("error")).isObject()) {
            const QJsonObject e = frame.value(QStringLiteral("error")).toObject();
            return Error::make(
                e.value(QStringLiteral("code")).toString(), e.value(QStringLiteral("message")).toString());
        }
    }
    return lost();
}

Result<QJsonValue> IpcClient::call(const QString &method, const QJsonObject &params, int timeoutMs)
{
    if (!m_socket)
        return lost();
    if (m_socket->state() != QLocalSocket::ConnectedState)
        return refusalOrLost();
    const qint64 id = m_nextId++;
    const QJsonObject request { { QStringLiteral("id"), id }, { QStringLiteral("method"), method },
        { QStringLiteral("params"), params } };
    m_socket->write(QJsonDocument(request).toJson(QJsonDocument::Compact) + '\n');
    if (!m_socket->waitForBytesWritten(timeoutMs < 0 ? 10000 : timeoutMs) && m_socket->bytesToWrite() > 0)
        return refusalOrLost();

    QDeadlineTimer deadline = timeoutMs < 0 ? QDeadlineTimer(QDeadlineTimer::Forever) : QDeadlineTimer(timeoutMs);
    for (;;) {
        auto frame = nextFrame(deadline.isForever() ? -1 : static_cast<int>(qMax<qint64>(deadline.remainingTime(), 0)));
        if (!frame)
            return frame.error();
        if (frame->contains(QStringLiteral("event"))) {
            if (m_onEvent)
                m_onEvent(frame->value(QStringLiteral("event")).toString(), frame->value(QStringLiteral("data")));
            continue;
        }
        if (frame->value(QStringLiteral("id")).toInteger(-1) != id && !frame->value(QStringLiteral("id")).isNull())
            continue;
        if (frame->contains(QStringLiteral("error"))) {
            const QJsonObject e = frame->value(QStringLiteral("error")).toObject();
            return Error::make(
                e.value(QStringLiteral("code")).toString(), e.value(QStringLiteral("message")).toString());
        }
        return frame->value(QStringLiteral("result"));
    }
}

Status IpcClient::readEvents(const std::function<bool()> &keepGoing, int pollMs)
{
    while (keepGoing()) {
        auto frame = nextFrame(pollMs);
        if (!frame) {
            if (frame.error().code == QStringLiteral("timeout"))
                continue;
            return frame.error();
        }
        if (frame->contains(QStringLiteral("event")) && m_onEvent)
            m_onEvent(frame->value(QStringLiteral("event")).toString(), frame->value(QStringLiteral("data")));
    }
    return {};
}

} // namespace Tessera::Ipc
