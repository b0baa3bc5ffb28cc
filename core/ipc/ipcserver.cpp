// SPDX-License-Identifier: GPL-3.0-or-later
#include "ipc/ipcserver.h"

#include "common/logging.h"
#include "ipc/protocol.h"

#include <QFile>
#include <QJsonDocument>
#include <QLocalServer>
#include <QLocalSocket>

#include <sys/stat.h>
#include <unistd.h>

namespace Tessera::Ipc {

namespace {
QJsonObject errorObject(const Error &error)
{
    return QJsonObject { { QStringLiteral("code"), error.code }, { QStringLiteral("message"), error.message } };
}
} // namespace

IpcConnection::IpcConnection(QLocalSocket *socket, PeerCredentials peer, IpcServer *server)
    : QObject(server)
    , m_socket(socket)
    , m_peer(peer)
    ,
    // Before the first readyRead: the identity of the peer as of accept, not of its first request (R2).
    m_identity(PeerIdentity::capture(socket->socketDescriptor(), peer))
    , m_server(server)
{
    socket->setParent(this);
    connect(socket, &QLocalSocket::readyRead, this, &IpcConnection::onReadyRead);
    connect(socket, &QLocalSocket::disconnected, this, [this] {
        Q_EMIT closed();
        deleteLater();
    });
}

bool IpcConnection::isOpen() const
{
    return m_socket->state() == QLocalSocket::ConnectedState;
}

void IpcConnection::send(const QJsonObject &frame)
{
    if (!isOpen())
        return;
    m_socket->write(QJsonDocument(frame).toJson(QJsonDocument::Compact) + '\n');
    m_socket->flush();
}

void IpcConnection::onReadyRead()
{
    m_buffer += m_socket->readAll();
    qsizetype newline;
    while ((newline = m_buffer.indexOf('\n')) >= 0) {
        const QByteArray line = m_buffer.left(newline);
        m_buffer.remove(0, newline + 1);
        dispatch(line);
        if (!isOpen())
            return;
    }
    if (m_buffer.size() > MaxFrameBytes) {
        send({ { QStringLiteral("id"), QJsonValue() },
            { QStringLiteral("error"),
                errorObject(Error::make(QStringLiteral("frame_too_large"),
                    QStringLiteral("The request is larger than %1 bytes.").arg(MaxFrameBytes))) } });
        m_socket->disconnectFromServer();
    }
}

void IpcConnection::dispatch(const QByteArray &line)
{
    QJsonParseError parseError {};
    const QJsonDocument doc = QJsonDocument::fromJson(line, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        send({ { QStringLiteral("id"), QJsonValue() },
            { QStringLiteral("error"),
                errorObject(Error::make(
                    QStringLiteral("bad_request"), QStringLiteral("The request is not a JSON object."))) } });
        return;
    }
    const QJsonObject obj = doc.object();
    const QJsonValue id = obj.value(QStringLiteral("id"));
    const QJsonValue method = obj.value(QStringLiteral("method"));
    const QJsonValue params = obj.value(QStringLiteral("params"));
    if (!method.isString() || !(params.isObject() || params.isUndefined())) {
        send({ { QStringLiteral("id"), id },
            { QStringLiteral("error"),
                errorObject(Error::make(QStringLiteral("bad_request"),
                    QStringLiteral("A request needs a string \"method\" and an object \"params\"."))) } });
        return;
    }
    m_server->dispatch(this, id, method.toString(), params.toObject());
}

IpcRequest::IpcRequest(IpcConnection *connection, QJsonValue id, QString method, QJsonObject params)
    : m_connection(connection), m_id(std::move(id)), m_method(std::move(method)), m_params(std::move(params))
{ }

PeerCredentials IpcRequest::peer() const
{
    return m_connection ? m_connection->peer() : PeerCredentials {};
}

PeerIdentity IpcRequest::peerIdentity() const
{
    return m_connection ? m_connection->identity() : PeerIdentity {};
}

bool IpcRequest::isConnected() const
{
    return m_connection && m_connection->isOpen();
}

void IpcRequest::reply(const QJsonValue &result) const
{
    if (m_connection)
        m_connection->send({ { QStringLiteral("id"), m_id }, { QStringLiteral("result"), result } });
}

void IpcRequest::fail(const Error &error) const
{
    if (m_connection)
        m_connection->send({ { QStringLiteral("id"), m_id }, { QStringLiteral("error"), errorObject(error) } });
}

void IpcRequest::notify(const QString &event, const QJsonValue &data) const
{
    if (m_connection)
        m_connection->send({ { QStringLiteral("event"), event }, { QStringLiteral("data"), data } });
}

IpcServer::IpcServer(QString name, QObject *parent)
    : QObject(parent), m_name(std::move(name)), m_allowedUid(static_cast<qint64>(::getuid()))
{ }

IpcServer::~IpcServer()
{
    close();
}

Status IpcServer::listen(const QString &path)
{
    close();
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    // A socket file left by a crashed instance blocks listen(); the caller holds the
    // instance lock, so nothing else can be serving it.
    QLocalServer::removeServer(path);
    if (!m_server->listen(path)) {
        const QString why = m_server->errorString();
        delete m_server;
        m_server = nullptr;
        return Error::make(QStringLiteral("socket_unavailable"),
            QStringLiteral("Cannot listen on the %1 socket %2: %3").arg(m_name, path, why));
    }
    // Defence in depth on top of the 0700 directory: the socket itself is user-only.
    if (::chmod(QFile::encodeName(path).constData(), 0600) != 0) {
        close();
        return Error::make(
            QStringLiteral("socket_unavailable"), QStringLiteral("Cannot make the socket %1 private.").arg(path));
    }
    connect(m_server, &QLocalServer::newConnection, this, &IpcServer::onNewConnection);
    return {};
}

void IpcServer::close()
{
    if (!m_server)
        return;
    const QString path = m_server->fullServerName();
    m_server->close();
    delete m_server;
    m_server = nullptr;
    QFile::remove(path);
}

QString IpcServer::path() const
{
    return m_server ? m_server->fullServerName() : QString();
}

void IpcServer::handle(const QString &method, IpcHandler handler)
{
    m_handlers.insert(method, std::move(handler));
}

void IpcServer::onNewConnection()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        auto cred = peerCredentials(socket->socketDescriptor());
        // Same uid only (product.md threat model: other OS users never get a token or a prompt).
        if (!cred || cred->uid != m_allowedUid) {
            const qint64 uid = cred ? cred->uid : -1;
            const qint64 pid = cred ? cred->pid : -1;
            qCWarning(lcIpc) << "refused" << m_name << "socket connection from uid" << uid << "pid" << pid;
            Q_EMIT rejectedPeer(uid, pid);
            socket->abort();
            socket->deleteLater();
            continue;
        }
        auto *connection = new IpcConnection(socket, *cred, this);
        ++m_connections;
        connect(connection, &QObject::destroyed, this, [this] { --m_connections; });
    }
}

void IpcServer::dispatch(
    IpcConnection *connection, const QJsonValue &id, const QString &method, const QJsonObject &params)
{
    IpcRequest request(connection, id, method, params);
    const auto it = m_handlers.constFind(method);
    if (it == m_handlers.constEnd()) {
        request.fail(Error::make(QStringLiteral("unknown_method"),
            QStringLiteral("The %1 socket does not offer \"%2\".").arg(m_name, method)));
        return;
    }
    it.value()(request);
}

} // namespace Tessera::Ipc
