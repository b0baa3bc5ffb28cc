// SPDX-License-Identifier: GPL-3.0-or-later
#include "ipc/ipcserver.h"

#include "common/logging.h"
#include "ipc/protocol.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QLocalSocket>
#include <QSocketNotifier>
#include <QTimer>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
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
    , m_firstRequestTimer(new QTimer(this))
{
    socket->setParent(this);
    // R7c: a connection that never asks anything must not hold a slot for good.
    m_firstRequestTimer->setSingleShot(true);
    connect(m_firstRequestTimer, &QTimer::timeout, this, [this] {
        send({ { QStringLiteral("id"), QJsonValue() },
            { QStringLiteral("error"),
                errorObject(Error::make(QStringLiteral("request_timeout"),
                    QStringLiteral("No request arrived within %1 s of connecting.")
                        .arg(m_server->limits().firstRequestTimeoutMs / 1000))) } });
        m_socket->disconnectFromServer();
    });
    m_firstRequestTimer->start(server->limits().firstRequestTimeoutMs);
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
        m_firstRequestTimer->stop();
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

Status IpcLimits::validate() const
{
    if (maxConnections <= 0 || maxPerProcess <= 0 || maxPerProcess > maxConnections || firstRequestTimeoutMs <= 0
        || listenBacklog <= 0 || watchIntervalMs <= 0)
        return Error::make(QStringLiteral("invalid_limits"), QStringLiteral("The socket limits are inconsistent."));
    return {};
}

IpcLimits IpcLimits::fittedTo(quint64 openFileLimit, double shareOfDescriptors) const
{
    // What the rest of Tessera may hold at once: 64 HTTP connections (plus as many lingering),
    // the database and its WAL, the keychain's D-Bus, Qt's own, the port-owner walks.
    constexpr quint64 Reserved = 256;
    IpcLimits fitted = *this;
    const quint64 spare = openFileLimit > Reserved ? openFileLimit - Reserved : 0;
    const int budget = int(std::min<quint64>(quint64(double(spare) * shareOfDescriptors), quint64(maxConnections)));
    fitted.maxConnections = std::max(4, budget);
    fitted.maxPerProcess = std::min(maxPerProcess, fitted.maxConnections);
    return fitted;
}

IpcServer::IpcServer(QString name, QObject *parent) : IpcServer(std::move(name), IpcLimits {}, parent) { }

IpcServer::IpcServer(QString name, IpcLimits limits, QObject *parent)
    : QObject(parent)
    , m_name(std::move(name))
    , m_limits(limits.validate() ? limits : IpcLimits {})
    , m_allowedUid(static_cast<qint64>(::getuid()))
{
    if (!limits.validate())
        qCWarning(lcIpc) << "invalid limits for the" << m_name << "socket; using the defaults";
}

IpcServer::~IpcServer()
{
    close();
    for (const Lingering &l : m_lingering)
        ::close(l.fd);
}

Status IpcServer::listen(const QString &path)
{
    close();
    m_path = path;
    if (Status s = bindAndListen(); !s) {
        m_path.clear();
        return s;
    }
    // R7c: nothing else may leave client.sock gone until a restart. If the file disappears (or
    // is replaced), listen there again; the instance lock says the path is ours.
    m_watch = new QTimer(this);
    m_watch->setInterval(m_limits.watchIntervalMs);
    connect(m_watch, &QTimer::timeout, this, &IpcServer::checkSocketFile);
    m_watch->start();
    return {};
}

Status IpcServer::bindAndListen()
{
    const QByteArray file = QFile::encodeName(m_path);
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    if (file.isEmpty() || size_t(file.size()) >= sizeof address.sun_path)
        return Error::make(QStringLiteral("socket_unavailable"),
            QStringLiteral("The %1 socket path %2 is longer than a Unix socket allows (%3 bytes).")
                .arg(m_name, m_path)
                .arg(sizeof address.sun_path - 1));
    std::memcpy(address.sun_path, file.constData(), size_t(file.size()));
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return Error::make(QStringLiteral("socket_unavailable"),
            QStringLiteral("Cannot create the %1 socket: %2")
                .arg(m_name, QString::fromLocal8Bit(std::strerror(errno))));
    // A socket file left by a crashed instance blocks bind(); the caller holds the instance
    // lock, so nothing else can be serving it.
    ::unlink(file.constData());
    struct stat st
    {
    };
    if (::bind(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0
        || ::listen(fd, m_limits.listenBacklog) != 0
        // Defence in depth on top of the 0700 directory: the socket itself is user-only.
        || ::chmod(file.constData(), 0600) != 0 || ::lstat(file.constData(), &st) != 0) {
        const QString why = QString::fromLocal8Bit(std::strerror(errno));
        ::close(fd);
        ::unlink(file.constData());
        return Error::make(QStringLiteral("socket_unavailable"),
            QStringLiteral("Cannot listen on the %1 socket %2: %3").arg(m_name, m_path, why));
    }
    m_listenFd = fd;
    m_socketDev = quint64(st.st_dev);
    m_socketIno = quint64(st.st_ino);
    if (m_reserveFd < 0)
        m_reserveFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    m_notifier = new QSocketNotifier(qintptr(fd), QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &IpcServer::onAcceptable);
    return {};
}

void IpcServer::stopListening(bool removeFile)
{
    if (m_resume)
        m_resume->stop();
    delete m_notifier;
    m_notifier = nullptr;
    if (m_listenFd >= 0) {
        ::close(m_listenFd);
        m_listenFd = -1;
    }
    if (removeFile && !m_path.isEmpty()) {
        // Only our own socket file: after a replacement it may be someone else's.
        const QByteArray file = QFile::encodeName(m_path);
        struct stat st
        {
        };
        if (::lstat(file.constData(), &st) == 0 && quint64(st.st_dev) == m_socketDev
            && quint64(st.st_ino) == m_socketIno)
            ::unlink(file.constData());
    }
}

void IpcServer::close()
{
    delete m_watch;
    m_watch = nullptr;
    stopListening(true);
    if (m_reserveFd >= 0) {
        ::close(m_reserveFd);
        m_reserveFd = -1;
    }
    m_path.clear();
}

void IpcServer::checkSocketFile()
{
    struct stat st
    {
    };
    const bool ours = ::lstat(QFile::encodeName(m_path).constData(), &st) == 0 && S_ISSOCK(st.st_mode)
        && quint64(st.st_dev) == m_socketDev && quint64(st.st_ino) == m_socketIno;
    if (ours && m_listenFd >= 0)
        return;
    qCWarning(lcIpc) << "the" << m_name << "socket file is gone or was replaced; listening again";
    stopListening(false);
    if (Status s = bindAndListen(); !s)
        qCWarning(lcIpc).noquote() << s.error().message << "(retrying)";
    else
        ++m_relistens;
}

QString IpcServer::path() const
{
    return m_listenFd >= 0 ? m_path : QString();
}

void IpcServer::handle(const QString &method, IpcHandler handler)
{
    m_handlers.insert(method, std::move(handler));
}

void IpcServer::onAcceptable()
{
    for (int accepted = 0; accepted < m_limits.listenBacklog && m_listenFd >= 0; ++accepted) {
        const int fd = ::accept4(m_listenFd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd >= 0) {
            acceptOne(fd);
            continue;
        }
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        if (errno == EMFILE || errno == ENFILE) {
            // R7c: at the descriptor limit Qt's QLocalServer closes and unlinks its socket. We
            // keep listening; the reserved descriptor lets us take the caller and say why.
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            if (now - m_lastShortageLogMs > 60'000) {
                qCWarning(lcIpc) << "out of file descriptors on the" << m_name << "socket; refusing connections";
                m_lastShortageLogMs = now;
            }
            if (m_reserveFd >= 0) {
                ::close(m_reserveFd);
                m_reserveFd = -1;
                const int victim = ::accept4(m_listenFd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
                if (victim >= 0)
                    refuse(victim, // no descriptor to spare for lingering

                        Error::make(QStringLiteral("out_of_descriptors"),
                            QStringLiteral("Tessera has run out of file descriptors; close some tessera-cli "
                                           "commands or connections and try again.")),
                        false);
                m_reserveFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (victim >= 0 && m_reserveFd >= 0)
                    continue;
            }
            // Nothing to answer with: stop polling a level-triggered socket for a moment.
            m_notifier->setEnabled(false);
            if (!m_resume) {
                m_resume = new QTimer(this);
                m_resume->setSingleShot(true);
                connect(m_resume, &QTimer::timeout, this, [this] {
                    if (m_reserveFd < 0)
                        m_reserveFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
                    if (m_notifier)
                        m_notifier->setEnabled(true);
                });
            }
            m_resume->start(100);
            return;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            qCWarning(lcIpc) << "accept on the" << m_name << "socket failed:" << std::strerror(errno);
        return;
    }
}

void IpcServer::refuse(int fd, const Error &why, bool linger)
{
    ++m_refused;
    const QByteArray frame = QJsonDocument(QJsonObject { { QStringLiteral("id"), QJsonValue() },
                                               { QStringLiteral("error"), errorObject(why) } })
                                 .toJson(QJsonDocument::Compact)
        + '\n';
    [[maybe_unused]] const ssize_t sent
        = ::send(fd, frame.constData(), size_t(frame.size()), MSG_DONTWAIT | MSG_NOSIGNAL);
    // A client that writes its request after our frame arrived must still read the frame, not
    // a reset: shut our side, keep reading for a moment (bounded), then close.
    ::shutdown(fd, SHUT_WR);
    if (!linger) {
        drainAndClose(fd);
        return;
    }
    if (m_lingering.size() >= MaxLingering) {
        drainAndClose(m_lingering.front().fd);
        m_lingering.pop_front();
    }
    m_lingering.push_back({ fd, QDateTime::currentMSecsSinceEpoch() + LingerMs });
    if (!m_lingerTimer) {
        m_lingerTimer = new QTimer(this);
        m_lingerTimer->setInterval(50);
        connect(m_lingerTimer, &QTimer::timeout, this, &IpcServer::sweepLingering);
    }
    m_lingerTimer->start();
}

bool IpcServer::drain(int fd)
{
    char sink[4096];
    ssize_t n = 0;
    for (int i = 0; i < 16 && (n = ::recv(fd, sink, sizeof sink, MSG_DONTWAIT)) > 0; ++i) { }
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

void IpcServer::drainAndClose(int fd)
{
    drain(fd);
    ::close(fd);
}

void IpcServer::sweepLingering()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (auto it = m_lingering.begin(); it != m_lingering.end();) {
        if (drain(it->fd) || now >= it->closeAtMs) {
            ::close(it->fd);
            it = m_lingering.erase(it);
        } else {
            ++it;
        }
    }
    if (m_lingering.empty())
        m_lingerTimer->stop();
}

void IpcServer::acceptOne(int fd)
{
    auto cred = peerCredentials(fd);
    // Same uid only (product.md threat model: other OS users never get a token or a prompt).
    if (!cred || cred->uid != m_allowedUid) {
        const qint64 uid = cred ? cred->uid : -1;
        const qint64 pid = cred ? cred->pid : -1;
        qCWarning(lcIpc) << "refused" << m_name << "socket connection from uid" << uid << "pid" << pid;
        Q_EMIT rejectedPeer(uid, pid);
        ::close(fd);
        return;
    }
    // R7c: caps per connecting process and in all, below the descriptor limit.
    if (m_connections >= m_limits.maxConnections) {
        refuse(fd,
            Error::make(QStringLiteral("too_many_connections"),
                QStringLiteral("Tessera's %1 socket has %2 open connections, its limit; close some tessera-cli "
                               "commands and try again.")
                    .arg(m_name)
                    .arg(m_limits.maxConnections)));
        return;
    }
    if (m_perProcess.value(cred->pid) >= m_limits.maxPerProcess) {
        refuse(fd,
            Error::make(QStringLiteral("too_many_connections"),
                QStringLiteral("Process %1 already has %2 connections open to Tessera's %3 socket, its limit.")
                    .arg(cred->pid)
                    .arg(m_limits.maxPerProcess)
                    .arg(m_name)));
        return;
    }
    auto *socket = new QLocalSocket;
    if (!socket->setSocketDescriptor(qintptr(fd), QLocalSocket::ConnectedState, QIODevice::ReadWrite)) {
        delete socket;
        ::close(fd);
        return;
    }
    auto *connection = new IpcConnection(socket, *cred, this);
    ++m_connections;
    ++m_perProcess[cred->pid];
    const qint64 pid = cred->pid;
    connect(connection, &QObject::destroyed, this, [this, pid] {
        --m_connections;
        if (--m_perProcess[pid] <= 0)
            m_perProcess.remove(pid);
    });
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
