// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>

#include <optional>

namespace Tessera::Ipc {

/** @brief One LISTEN socket as /proc/net/tcp or /proc/net/tcp6 reports it. */
struct TcpListener
{
    QHostAddress address;
    quint16 port = 0;
    qint64 uid = -1;
    quint64 inode = 0;
};

/**
 * @brief The LISTEN entries (state 0A) of the text of /proc/net/tcp, or of /proc/net/tcp6
 * when @p ipv6 is set. Addresses there are the kernel's in-memory words printed in hex
 * (proc(5)), so 127.0.0.1 reads "0100007F" on a little-endian machine; this decodes them
 * in the byte order of the machine it runs on. Malformed lines are skipped.
 */
[[nodiscard]] QList<TcpListener> parseProcNetTcp(const QByteArray &text, bool ipv6);

/** @brief Which loopback addresses a redirect URI's host reaches. */
enum class LoopbackHost
{
    Ipv4, ///< 127.0.0.1
    Ipv6, ///< [::1]
    Both, ///< localhost: the browser may try either
};

/**
 * @brief The listeners a connection to loopback @p port may reach, among @p listeners: per
 * address family the host allows, the socket bound to the loopback address itself, else a
 * wildcard one. `localhost` (Both) gives up to two: the browser may try either family, so
 * each of them could receive what is sent there.
 */
[[nodiscard]] QList<TcpListener> reachableLoopbackListeners(
    const QList<TcpListener> &listeners, quint16 port, LoopbackHost host);

/**
 * @brief The listener a connection to loopback @p port reaches, among @p listeners (from
 * both files): a socket bound to the loopback address itself, else a wildcard one.
 * Errors: `port_unowned` (none), `port_foreign` (one that can be reached is not @p uid's;
 * for `localhost` that is either family's).
 */
[[nodiscard]] Result<TcpListener> chooseLoopbackListener(
    const QList<TcpListener> &listeners, quint16 port, LoopbackHost host, qint64 uid);

/**
 * @brief Every TCP LISTEN socket of this network namespace, both families. Asks the kernel
 * over NETLINK_SOCK_DIAG (an inet_diag dump of TCP_LISTEN sockets only, sock_diag(7)); where
 * that is unavailable, reads /proc/net/tcp and /proc/net/tcp6, which also print every
 * connection. Error: `listeners_unreadable`.
 */
[[nodiscard]] Result<QList<TcpListener>> tcpListeners();

/** @brief The listeners of tcpListeners() from sock_diag alone; nullopt where it is unavailable (tests). */
[[nodiscard]] std::optional<QList<TcpListener>> tcpListenersFromSockDiag();

/** @brief The LoopbackHost of a redirect URI's or origin's host: 127.0.0.1, ::1 / [::1], else Both (localhost). */
[[nodiscard]] LoopbackHost loopbackHostOf(const QString &host);

/**
 * @brief An executable file as the kernel names it: the path /proc/<pid>/exe links to, and
 * the device and inode of the file itself (stat() through that link reaches the running
 * file even if its path was since replaced or deleted). Same path with another inode: the
 * file was updated or replaced.
 */
struct ExecutableIdentity
{
    QString path;
    quint64 device = 0;
    quint64 inode = 0;
    [[nodiscard]] bool isValid() const { return !path.isEmpty() && inode != 0; }
    /** @brief The same file: same path, device and inode. */
    [[nodiscard]] bool sameFile(const ExecutableIdentity &other) const
    {
        return isValid() && path == other.path && device == other.device && inode == other.inode;
    }
};

/** @brief The executable of one of this user's processes; invalid if it is gone or not ours. */
[[nodiscard]] ExecutableIdentity executableOf(qint64 pid);

/**
 * @brief The pid of the process that listens on loopback @p port, for "who receives the
 * authorization code" (security-cases G4).
 *
 * Looks for a LISTEN socket on the loopback address (or a wildcard address, which also
 * accepts loopback connections; a specific bind wins), then for the process holding
 * `socket:[inode]` among this user's processes only. When several processes hold it
 * (an inherited descriptor), the one with the highest pid, usually the newest, is returned.
 *
 * Errors: `port_unowned` (nothing listens there), `port_foreign` (another user's socket),
 * `process_unknown` (the socket's holder is not visible, e.g. it just exited).
 *
 * What this proves: at the moment of the call, that process could accept the redirect.
 * It does not authenticate the client; a port can change hands later.
 */
[[nodiscard]] Result<qint64> loopbackPortOwner(quint16 port, LoopbackHost host = LoopbackHost::Both);

/** @brief Among this user's processes, the one with the highest pid holding `socket:[@p inode]`. */
[[nodiscard]] std::optional<qint64> pidHoldingSocket(quint64 inode);

} // namespace Tessera::Ipc
