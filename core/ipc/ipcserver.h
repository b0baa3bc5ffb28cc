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

#include <functional>

class QLocalServer;
class QLocalSocket;

namespace Tessera::Ipc {

class IpcServer;

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
    ~IpcServer() override;

    /** @brief Listens on @p path, replacing a stale socket file. The caller holds the instance lock. */
    [[nodiscard]] Status listen(const QString &path);
    void close();

    /** @brief Registers the handler of one method. Unknown methods get `unknown_method`. */
    void handle(const QString &method, IpcHandler handler);

    [[nodiscard]] QString path() const;
    [[nodiscard]] int connectionCount() const { return m_connections; }

    /** @brief For tests: accept connections from this uid instead of our own. */
    void setAllowedUidForTesting(qint64 uid) { m_allowedUid = uid; }

Q_SIGNALS:
    void rejectedPeer(qint64 uid, qint64 pid);

private:
    friend class IpcConnection;
    void onNewConnection();
    void dispatch(IpcConnection *connection, const QJsonValue &id, const QString &method, const QJsonObject &params);

    QString m_name;
    QLocalServer *m_server = nullptr;
    QHash<QString, IpcHandler> m_handlers;
    qint64 m_allowedUid;
    int m_connections = 0;
};

} // namespace Tessera::Ipc
