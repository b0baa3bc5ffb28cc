// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "ipc/peeridentity.h"
#include "ipc/peerinfo.h"

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QPointer>

#include <deque>
#include <functional>

class QLocalSocket;
class QSocketNotifier;
class QTimer;

namespace Tessera::Ipc {

class IpcServer;

/**
 * @brief Bounds of one socket (issue 9 R7c). A connection past a cap gets one error frame
 * (`too_many_connections`) and is closed; at the process's descriptor limit the listener keeps
 * listening and answers `out_of_descriptors` with a reserved descriptor.
 */
struct IpcLimits
{
    int maxConnections = 256; ///< open connections at once
    int maxPerProcess = 16; ///< of those, from one connecting pid (SO_PEERCRED)
    int firstRequestTimeoutMs = 10000; ///< a connection that sends no complete request by then is closed
    int listenBacklog = 128;
    int watchIntervalMs = 2000; ///< how often the socket file is checked, and listened again if gone

    [[nodiscard]] Status validate() const;
    /**
     * @brief These limits shrunk so that @p shareOfDescriptors of @p openFileLimit, less what the
     * rest of Tessera needs (HTTP, database, keychain, Qt), is never exceeded.
     */
    [[nodiscard]] IpcLimits fittedTo(quint64 openFileLimit, double shareOfDescriptors) const;
};

/** @brief One accepted, uid-checked connection. Lives until the peer hangs up. */
class IpcConnection : public QObject
{
    Q_OBJECT
public:
    IpcConnection(QLocalSocket *socket, PeerCredentials peer, IpcServer *server);

    [[nodiscard]] const PeerCredentials &peer() const { return m_peer; }
    /** @brief Who connected, bound at accept before any byte was read (R2). */
    [[nodiscard]] const PeerIdentity &identity() const { return m_identity; }
    [[nodiscard]] bool isOpen() const;
    void send(const QJsonObject &frame);

Q_SIGNALS:
    /** @brief The peer disconnected; pending requests can no longer be answered. */
    void closed();

private:
    void onReadyRead();
    void dispatch(const QByteArray &line);

    QLocalSocket *m_socket;
    PeerCredentials m_peer;
    PeerIdentity m_identity;
    IpcServer *m_server;
    QByteArray m_buffer;
    QTimer *m_firstRequestTimer;
};

/**
 * @brief A request handle that may be answered later (after a consent decision, say).
 *
 * Copyable; answering after the peer left is a no-op. Exactly one reply() or fail()
 * per request; notify() may send events before that for streaming methods.
 */
class IpcRequest
{
public:
    IpcRequest(IpcConnection *connection, QJsonValue id, QString method, QJsonObject params);

    [[nodiscard]] const QString &method() const { return m_method; }
    [[nodiscard]] const QJsonObject &params() const { return m_params; }
    [[nodiscard]] PeerCredentials peer() const;
    /** @brief The connection's identity as of accept (invalid once the peer left). */
    [[nodiscard]] PeerIdentity peerIdentity() const;
    [[nodiscard]] bool isConnected() const;
    [[nodiscard]] IpcConnection *connection() const { return m_connection.data(); }

    void reply(const QJsonValue &result) const;
    void fail(const Error &error) const;
    void notify(const QString &event, const QJsonValue &data) const;

private:
    QPointer<IpcConnection> m_connection;
    QJsonValue m_id;
    QString m_method;
    QJsonObject m_params;
};

using IpcHandler = std::function<void(const IpcRequest &)>;

/**
 * @brief A user-only Unix socket server speaking the protocol in protocol.h.
 *
 * The socket file is created mode 0600 inside the (0700) runtime directory, and every
 * connection's SO_PEERCRED uid must equal ours or it is closed before a byte is read.
 */
class IpcServer : public QObject
{
    Q_OBJECT
public:
    /** @param name "client" or "operator": used in logs and in errors. */
    explicit IpcServer(QString name, QObject *parent = nullptr);
    IpcServer(QString name, IpcLimits limits, QObject *parent = nullptr);
    ~IpcServer() override;

    /**
     * @brief Listens on @p path, replacing a stale socket file. The caller holds the instance lock.
     * If the file later disappears or is replaced, the server listens there again (R7c).
     */
    [[nodiscard]] Status listen(const QString &path);
    /** @brief Stops listening and removes the socket file if it is still ours. Connections stay. */
    void close();

    /** @brief Registers the handler of one method. Unknown methods get `unknown_method`. */
    void handle(const QString &method, IpcHandler handler);

    [[nodiscard]] QString path() const;
    [[nodiscard]] int connectionCount() const { return m_connections; }
    [[nodiscard]] const IpcLimits &limits() const { return m_limits; }
    /** @brief Connections refused (caps, descriptors) and re-listens, for status and tests. */
    [[nodiscard]] qint64 refusedConnections() const { return m_refused; }
    [[nodiscard]] int relistens() const { return m_relistens; }

    /** @brief For tests: accept connections from this uid instead of our own. */
    void setAllowedUidForTesting(qint64 uid) { m_allowedUid = uid; }

Q_SIGNALS:
    void rejectedPeer(qint64 uid, qint64 pid);

private:
    friend class IpcConnection;
    [[nodiscard]] Status bindAndListen();
    void stopListening(bool removeFile);
    void onAcceptable();
    void acceptOne(int fd);
    /** @brief One error frame, then close; with @p linger after a bounded wait for the client's request. */
    void refuse(int fd, const Error &why, bool linger = true);
    /** @brief Reads and discards what is waiting; true once the peer has closed. */
    static bool drain(int fd);
    static void drainAndClose(int fd);
    void sweepLingering();
    void checkSocketFile();
    void dispatch(IpcConnection *connection, const QJsonValue &id, const QString &method, const QJsonObject &params);

    QString m_name;
    IpcLimits m_limits;
    QString m_path;
    int m_listenFd = -1;
    int m_reserveFd = -1; ///< given up to accept and refuse one connection at the descriptor limit
    quint64 m_socketDev = 0, m_socketIno = 0; ///< the socket file we bound
    QSocketNotifier *m_notifier = nullptr;
    QTimer *m_watch = nullptr;
    QTimer *m_resume = nullptr; ///< re-arms accepting after a descriptor shortage
    QHash<QString, IpcHandler> m_handlers;
    QHash<qint64, int> m_perProcess;
    qint64 m_allowedUid;
    int m_connections = 0;
    qint64 m_refused = 0;
    int m_relistens = 0;
    qint64 m_lastShortageLogMs = 0;
    struct Lingering
    {
        int fd;
        qint64 closeAtMs;
    };
    static constexpr int MaxLingering = 32; ///< refused connections waiting to be closed
    static constexpr int LingerMs = 1000;
    std::deque<Lingering> m_lingering;
    QTimer *m_lingerTimer = nullptr;
};

} // namespace Tessera::Ipc
