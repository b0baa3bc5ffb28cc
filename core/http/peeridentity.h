// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QHostAddress>

namespace Tessera::Http {

/** @brief Owner of the client end of a loopback TCP connection, as the kernel reports it. */
struct TcpSocketOwner
{
    qint64 uid = -1;
    quint64 inode = 0;
};

/**
 * @brief Finds the socket whose local end is @p client and whose remote end is @p server and
 * returns its owner's uid and its inode (security-cases A7).
 *
 * Asks the kernel for exactly that socket over NETLINK_SOCK_DIAG (constant time); where that is
 * unavailable, scans /proc/net/tcp (IPv4) or /proc/net/tcp6 (IPv6) for the same facts.
 *
 * Errors: "peer_lookup_failed" (the table cannot be read), "peer_not_found" (no established
 * socket matches, e.g. the client already closed; callers must refuse the connection).
 */
[[nodiscard]] Result<TcpSocketOwner> lookupTcpSocketOwner(
    const QHostAddress &client, quint16 clientPort, const QHostAddress &server, quint16 serverPort);

/** @brief The /proc/net/tcp{,6} fallback of lookupTcpSocketOwner(), on its own (for tests). */
[[nodiscard]] Result<TcpSocketOwner> lookupTcpSocketOwnerInProc(
    const QHostAddress &client, quint16 clientPort, const QHostAddress &server, quint16 serverPort);

/** @brief The table lookup on given /proc/net/tcp{,6} text; for tests. */
[[nodiscard]] Result<TcpSocketOwner> findTcpSocketOwner(QByteArrayView procNetTcp, const QHostAddress &client,
    quint16 clientPort, const QHostAddress &server, quint16 serverPort);

} // namespace Tessera::Http
