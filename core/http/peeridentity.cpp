// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/peeridentity.h"

#include <QFile>

#include <optional>

#include <cerrno>
#include <cstring>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Tessera::Http {

namespace {

// /proc/net/tcp prints each address as the raw network-order bytes read as native 32-bit words
// (%08X per word; one word for IPv4, four for IPv6), then ":" and the port in host order (%04X).
// Decoding the words back into native memory therefore yields the network-order bytes.
bool parseEndpoint(QByteArrayView text, QByteArray *addressBytes, quint16 *port)
{
    const qsizetype colon = text.indexOf(':');
    if (colon < 0 || (colon != 8 && colon != 32) || text.size() - colon - 1 != 4)
        return false;
    QByteArray bytes;
    for (qsizetype word = 0; word < colon / 8; ++word) {
        bool ok = false;
        const quint32 value = text.sliced(word * 8, 8).toUInt(&ok, 16);
        if (!ok)
            return false;
        char raw[4];
        std::memcpy(raw, &value, 4);
        bytes.append(raw, 4);
    }
    bool ok = false;
    const uint p = text.sliced(colon + 1).toUInt(&ok, 16);
    if (!ok || p > 0xFFFF)
        return false;
    *addressBytes = bytes;
    *port = quint16(p);
    return true;
}

QByteArray addressBytes(const QHostAddress &address)
{
    if (address.protocol() == QAbstractSocket::IPv4Protocol) {
        const quint32 v4 = address.toIPv4Address();
        const char raw[4] = { char(v4 >> 24), char(v4 >> 16), char(v4 >> 8), char(v4) };
        return QByteArray(raw, 4);
    }
    const Q_IPV6ADDR v6 = address.toIPv6Address();
    return QByteArray(reinterpret_cast<const char *>(v6.c), 16);
}

Error notFound()
{
    return Error::make(QStringLiteral("peer_not_found"),
        QStringLiteral("No established socket of the connecting process was found in the kernel's table."));
}

// NETLINK_SOCK_DIAG exact lookup (what `ss` uses): the kernel finds the one socket by its
// four-tuple, O(1), where /proc/net/tcp prints every socket on every call. A flood of
// connections would otherwise make each accept slower than the last.
// Returns nullopt if sock_diag is unavailable, so the caller can fall back to /proc.
std::optional<Result<TcpSocketOwner>> sockDiagLookup(
    const QByteArray &local, quint16 localPort, const QByteArray &remote, quint16 remotePort)
{
    const int fd = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0)
        return std::nullopt;
    struct
    {
        nlmsghdr header;
        inet_diag_req_v2 request;
    } message {};
    message.header.nlmsg_len = sizeof message;
    message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    message.header.nlmsg_flags = NLM_F_REQUEST;
    message.request.sdiag_family = local.size() == 4 ? AF_INET : AF_INET6;
    message.request.sdiag_protocol = IPPROTO_TCP;
    message.request.idiag_states = ~0U;
    // idiag_src/sport is the socket's own end (the client's), idiag_dst/dport its peer (us).
    message.request.id.idiag_sport = htons(localPort);
    message.request.id.idiag_dport = htons(remotePort);
    std::memcpy(message.request.id.idiag_src, local.constData(), size_t(local.size()));
    std::memcpy(message.request.id.idiag_dst, remote.constData(), size_t(remote.size()));
    message.request.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
    message.request.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
    sockaddr_nl kernel {};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd, &message, sizeof message, 0, reinterpret_cast<sockaddr *>(&kernel), sizeof kernel)
        != ssize_t(sizeof message)) {
        ::close(fd);
        return std::nullopt;
    }
    alignas(nlmsghdr) char buffer[8192];
    ssize_t n = -1;
    do {
        n = ::recv(fd, buffer, sizeof buffer, 0);
    } while (n < 0 && errno == EINTR);
    ::close(fd);
    // The NLMSG_* macros use C casts; the same arithmetic, spelled out (netlink(7)).
    constexpr size_t headerLength = (sizeof(nlmsghdr) + NLMSG_ALIGNTO - 1) & ~size_t(NLMSG_ALIGNTO - 1);
    nlmsghdr reply {};
    if (n < ssize_t(headerLength))
        return std::nullopt;
    std::memcpy(&reply, buffer, sizeof reply);
    if (reply.nlmsg_len < headerLength || reply.nlmsg_len > size_t(n))
        return std::nullopt;
    const char *payload = buffer + headerLength;
    const size_t payloadLength = reply.nlmsg_len - headerLength;
    if (reply.nlmsg_type == NLMSG_ERROR) {
        nlmsgerr err {};
        if (payloadLength >= sizeof err) {
            std::memcpy(&err, payload, sizeof err);
            if (err.error == -ENOENT)
                return Result<TcpSocketOwner>(notFound());
        }
        return std::nullopt; // e.g. inet_diag not available: use /proc
    }
    inet_diag_msg info {};
    if (reply.nlmsg_type != SOCK_DIAG_BY_FAMILY || payloadLength < sizeof info)
        return std::nullopt;
    std::memcpy(&info, payload, sizeof info);
    // TIME_WAIT and friends report uid 0 and inode 0: only an established socket has an owner.
    if (info.idiag_state != TCP_ESTABLISHED || info.idiag_inode == 0 || ntohs(info.id.idiag_sport) != localPort
        || ntohs(info.id.idiag_dport) != remotePort)
        return Result<TcpSocketOwner>(notFound());
    return Result<TcpSocketOwner>(TcpSocketOwner { qint64(info.idiag_uid), quint64(info.idiag_inode) });
}

} // namespace

Result<TcpSocketOwner> findTcpSocketOwner(QByteArrayView table, const QHostAddress &client, quint16 clientPort,
    const QHostAddress &server, quint16 serverPort)
{
    const QByteArray wantLocal = addressBytes(client);
    const QByteArray wantRemote = addressBytes(server);
    // Columns: sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
    qsizetype lineStart = table.indexOf('\n') + 1; // skip the header line
    while (lineStart > 0 && lineStart < table.size()) {
        qsizetype lineEnd = table.indexOf('\n', lineStart);
        if (lineEnd < 0)
            lineEnd = table.size();
        const QList<QByteArray> cols
            = table.sliced(lineStart, lineEnd - lineStart).toByteArray().simplified().split(' ');
        lineStart = lineEnd + 1;
        if (cols.size() < 10)
            continue;
        QByteArray local, remote;
        quint16 localPort = 0, remotePort = 0;
        if (!parseEndpoint(cols[1], &local, &localPort) || !parseEndpoint(cols[2], &remote, &remotePort))
            continue;
        if (localPort != clientPort || remotePort != serverPort || local != wantLocal || remote != wantRemote)
            continue;
        // st 01 = TCP_ESTABLISHED. Sockets in TIME_WAIT and similar report uid 0 and inode 0.
        bool uidOk = false, inodeOk = false;
        const qint64 uid = cols[7].toLongLong(&uidOk);
        const quint64 inode = cols[9].toULongLong(&inodeOk);
        if (cols[3] != "01" || !uidOk || !inodeOk || inode == 0)
            break;
        return TcpSocketOwner { uid, inode };
    }
    return notFound();
}

Result<TcpSocketOwner> lookupTcpSocketOwner(
    const QHostAddress &client, quint16 clientPort, const QHostAddress &server, quint16 serverPort)
{
    if (client.protocol() != server.protocol())
        return Error::make(QStringLiteral("peer_not_found"), QStringLiteral("The connection mixes address families."));
    if (auto fast = sockDiagLookup(addressBytes(client), clientPort, addressBytes(server), serverPort))
        return std::move(*fast);
    return lookupTcpSocketOwnerInProc(client, clientPort, server, serverPort);
}

Result<TcpSocketOwner> lookupTcpSocketOwnerInProc(
    const QHostAddress &client, quint16 clientPort, const QHostAddress &server, quint16 serverPort)
{
    if (client.protocol() != server.protocol())
        return Error::make(QStringLiteral("peer_not_found"), QStringLiteral("The connection mixes address families."));
    QFile file(client.protocol() == QAbstractSocket::IPv4Protocol ? QStringLiteral("/proc/net/tcp")
                                                                  : QStringLiteral("/proc/net/tcp6"));
    if (!file.open(QIODevice::ReadOnly))
        return Error::make(
            QStringLiteral("peer_lookup_failed"), QStringLiteral("The kernel's TCP table cannot be read."));
    // /proc files report size 0; readAll() reads until EOF.
    return findTcpSocketOwner(file.readAll(), client, clientPort, server, serverPort);
}

} // namespace Tessera::Http
