// SPDX-License-Identifier: GPL-3.0-or-later
#include "ipc/portowner.h"

#include <QFile>
#include <QtEndian>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <limits>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Tessera::Ipc {

namespace {

// proc(5): "local_address" is the kernel's in-memory address words printed with %08X, so the
// bytes of each word, in this machine's order, are the address bytes in network order.
bool decodeWords(QByteArrayView hex, quint8 *out, int words)
{
    if (hex.size() != words * 8)
        return false;
    for (int i = 0; i < words; ++i) {
        bool ok = false;
        const quint32 word = QByteArray(hex.sliced(i * 8, 8).data(), 8).toUInt(&ok, 16);
        if (!ok)
            return false;
        std::memcpy(out + i * 4, &word, 4);
    }
    return true;
}

std::optional<QHostAddress> decodeAddress(QByteArrayView hex, bool ipv6)
{
    if (!ipv6) {
        quint8 bytes[4];
        if (!decodeWords(hex, bytes, 1))
            return std::nullopt;
        return QHostAddress(qFromBigEndian<quint32>(bytes));
    }
    Q_IPV6ADDR addr;
    if (!decodeWords(hex, addr.c, 4))
        return std::nullopt;
    return QHostAddress(addr);
}

/** Lower is a better match for a connection to loopback; nullopt: not reachable that way. */
std::optional<int> matchRank(const QHostAddress &a, LoopbackHost host)
{
    const bool v4 = host != LoopbackHost::Ipv6;
    const bool v6 = host != LoopbackHost::Ipv4;
    if (v4 && a == QHostAddress(QHostAddress::LocalHost))
        return 0;
    if (v4 && a == QHostAddress(QStringLiteral("::ffff:127.0.0.1")))
        return 0;
    if (v6 && a == QHostAddress(QHostAddress::LocalHostIPv6))
        return 0;
    if (v4 && a == QHostAddress(QHostAddress::AnyIPv4))
        return 1;
    // A dual-stack wildcard accepts IPv4 connections too (unless IPV6_V6ONLY, which /proc does not show).
    if (a == QHostAddress(QHostAddress::AnyIPv6))
        return v6 ? 1 : 2;
    return std::nullopt;
}

QList<qint64> ownProcessesNewestFirst()
{
    QList<qint64> pids;
    DIR *proc = ::opendir("/proc");
    if (!proc)
        return pids;
    const uid_t me = ::getuid();
    while (const dirent *e = ::readdir(proc)) {
        char *end = nullptr;
        const long pid = std::strtol(e->d_name, &end, 10);
        if (pid <= 0 || *end != '\0')
            continue;
        struct stat st
        {
        };
        const QByteArray path = QByteArrayLiteral("/proc/") + e->d_name;
        if (::stat(path.constData(), &st) == 0 && st.st_uid == me)
            pids.append(pid);
    }
    ::closedir(proc);
    std::sort(pids.begin(), pids.end(), std::greater<>());
    return pids;
}

} // namespace

QList<TcpListener> parseProcNetTcp(const QByteArray &text, bool ipv6)
{
    QList<TcpListener> out;
    const QList<QByteArray> lines = text.split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) { // line 0 is the header
        const QList<QByteArray> f = lines.at(i).simplified().split(' ');
        // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
        if (f.size() < 10 || f.at(3) != "0A")
            continue;
        const qsizetype colon = f.at(1).indexOf(':');
        if (colon < 0)
            continue;
        const auto address = decodeAddress(QByteArrayView(f.at(1)).first(colon), ipv6);
        bool portOk = false, uidOk = false, inodeOk = false;
        const uint port = f.at(1).mid(colon + 1).toUInt(&portOk, 16);
        const qint64 uid = f.at(7).toLongLong(&uidOk);
        const quint64 inode = f.at(9).toULongLong(&inodeOk);
        if (!address || !portOk || port > 0xffff || !uidOk || !inodeOk)
            continue;
        out.append(TcpListener { *address, quint16(port), uid, inode });
    }
    return out;
}

std::optional<qint64> pidHoldingSocket(quint64 inode)
{
    const QByteArray wanted = QByteArrayLiteral("socket:[") + QByteArray::number(inode) + ']';
    char target[64];
    for (const qint64 pid : ownProcessesNewestFirst()) {
        const QByteArray fdDir = QByteArrayLiteral("/proc/") + QByteArray::number(pid) + "/fd";
        DIR *dir = ::opendir(fdDir.constData());
        if (!dir)
            continue; // exited, or not ours after all
        bool found = false;
        while (const dirent *e = ::readdir(dir)) {
            if (e->d_name[0] == '.')
                continue;
            const QByteArray link = fdDir + '/' + e->d_name;
            const ssize_t n = ::readlink(link.constData(), target, sizeof(target));
            if (n == wanted.size() && std::memcmp(target, wanted.constData(), size_t(n)) == 0) {
                found = true;
                break;
            }
        }
        ::closedir(dir);
        if (found)
            return pid;
    }
    return std::nullopt;
}

QList<TcpListener> reachableLoopbackListeners(const QList<TcpListener> &listeners, quint16 port, LoopbackHost host)
{
    const auto best = [&](LoopbackHost family) -> const TcpListener * {
        const TcpListener *found = nullptr;
        int bestRank = std::numeric_limits<int>::max();
        for (const TcpListener &l : listeners) {
            const auto rank = l.port == port ? matchRank(l.address, family) : std::nullopt;
            if (rank && *rank < bestRank) {
                found = &l;
                bestRank = *rank;
            }
        }
        return found;
    };
    QList<TcpListener> out;
    // localhost: the browser may connect over either family (RFC 8252 §8.3), so both count.
    for (const LoopbackHost family : { LoopbackHost::Ipv4, LoopbackHost::Ipv6 }) {
        if (host != LoopbackHost::Both && host != family)
            continue;
        const TcpListener *l = best(family);
        if (l && std::none_of(out.cbegin(), out.cend(), [l](const TcpListener &o) { return o.inode == l->inode; }))
            out.append(*l);
    }
    return out;
}

Result<TcpListener> chooseLoopbackListener(
    const QList<TcpListener> &listeners, quint16 port, LoopbackHost host, qint64 uid)
{
    const QList<TcpListener> reached = reachableLoopbackListeners(listeners, port, host);
    if (reached.isEmpty())
        return Error::make(
            QStringLiteral("port_unowned"), QStringLiteral("Nothing listens on loopback port %1.").arg(port));
    // The socket the browser reaches decides; another user's there is not ours to name.
    for (const TcpListener &l : reached) {
        if (l.uid != uid)
            return Error::make(QStringLiteral("port_foreign"),
                QStringLiteral("Loopback port %1 belongs to another user's program.").arg(port));
    }
    // Both ours: the more specific bind is the one named (an exact loopback bind over a wildcard).
    const TcpListener *chosen = &reached.first();
    for (const TcpListener &l : reached) {
        if (matchRank(l.address, host).value_or(9) < matchRank(chosen->address, host).value_or(9))
            chosen = &l;
    }
    return *chosen;
}

std::optional<QList<TcpListener>> tcpListenersFromSockDiag()
{
    QList<TcpListener> out;
    for (const int family : { AF_INET, AF_INET6 }) {
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
        message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        message.request.sdiag_family = quint8(family);
        message.request.sdiag_protocol = IPPROTO_TCP;
        message.request.idiag_states = 1U << TCP_LISTEN; // sock_diag(7): a bit mask of TCP states
        sockaddr_nl kernel {};
        kernel.nl_family = AF_NETLINK;
        if (::sendto(fd, &message, sizeof message, 0, reinterpret_cast<sockaddr *>(&kernel), sizeof kernel)
            != ssize_t(sizeof message)) {
            ::close(fd);
            return std::nullopt;
        }
        // netlink(7): a dump arrives as several datagrams of messages, ended by NLMSG_DONE.
        constexpr size_t headerLength = (sizeof(nlmsghdr) + NLMSG_ALIGNTO - 1) & ~size_t(NLMSG_ALIGNTO - 1);
        alignas(nlmsghdr) static thread_local char buffer[32768];
        bool done = false;
        while (!done) {
            ssize_t n = -1;
            do {
                n = ::recv(fd, buffer, sizeof buffer, 0);
            } while (n < 0 && errno == EINTR);
            if (n <= 0) {
                ::close(fd);
                return std::nullopt;
            }
            size_t offset = 0;
            while (offset + headerLength <= size_t(n)) {
                nlmsghdr reply {};
                std::memcpy(&reply, buffer + offset, sizeof reply);
                if (reply.nlmsg_len < headerLength || offset + reply.nlmsg_len > size_t(n)) {
                    ::close(fd);
                    return std::nullopt;
                }
                if (reply.nlmsg_type == NLMSG_DONE) {
                    done = true;
                    break;
                }
                if (reply.nlmsg_type == NLMSG_ERROR) {
                    ::close(fd);
                    // No IPv6 in this kernel: no IPv6 listeners; anything else: use /proc.
                    if (family == AF_INET6) {
                        nlmsgerr err {};
                        if (reply.nlmsg_len >= headerLength + sizeof err) {
                            std::memcpy(&err, buffer + offset + headerLength, sizeof err);
                            if (err.error == -EAFNOSUPPORT || err.error == -ENOENT)
                                return out;
                        }
                    }
                    return std::nullopt;
                }
                inet_diag_msg info {};
                if (reply.nlmsg_type == SOCK_DIAG_BY_FAMILY && reply.nlmsg_len >= headerLength + sizeof info) {
                    std::memcpy(&info, buffer + offset + headerLength, sizeof info);
                    TcpListener l;
                    if (info.idiag_family == AF_INET) {
                        quint8 bytes[4];
                        std::memcpy(bytes, info.id.idiag_src, 4);
                        l.address = QHostAddress(qFromBigEndian<quint32>(bytes));
                    } else {
                        Q_IPV6ADDR addr;
                        std::memcpy(addr.c, info.id.idiag_src, 16);
                        l.address = QHostAddress(addr);
                    }
                    l.port = ntohs(info.id.idiag_sport);
                    l.uid = qint64(info.idiag_uid);
                    l.inode = quint64(info.idiag_inode);
                    out.append(l);
                }
                offset += (size_t(reply.nlmsg_len) + NLMSG_ALIGNTO - 1) & ~size_t(NLMSG_ALIGNTO - 1);
            }
        }
        ::close(fd);
    }
    return out;
}

Result<QList<TcpListener>> tcpListeners()
{
    if (auto fast = tcpListenersFromSockDiag())
        return *fast;
    QList<TcpListener> listeners;
    bool any = false;
    for (const bool ipv6 : { false, true }) {
        QFile file(ipv6 ? QStringLiteral("/proc/net/tcp6") : QStringLiteral("/proc/net/tcp"));
        if (file.open(QIODevice::ReadOnly)) { // no tcp6 without IPv6
            listeners += parseProcNetTcp(file.readAll(), ipv6);
            any = true;
        }
    }
    if (!any)
        return Error::make(QStringLiteral("listeners_unreadable"),
            QStringLiteral("The kernel's table of listening sockets cannot be read."));
    return listeners;
}

LoopbackHost loopbackHostOf(const QString &host)
{
    if (host == QStringLiteral("127.0.0.1"))
        return LoopbackHost::Ipv4;
    if (host == QStringLiteral("::1") || host == QStringLiteral("[::1]"))
        return LoopbackHost::Ipv6;
    return LoopbackHost::Both;
}

ExecutableIdentity executableOf(qint64 pid)
{
    const QByteArray link = QByteArrayLiteral("/proc/") + QByteArray::number(pid) + "/exe";
    char target[4096];
    const ssize_t n = ::readlink(link.constData(), target, sizeof target);
    struct stat st
    {
    };
    if (n <= 0 || size_t(n) >= sizeof target || ::stat(link.constData(), &st) != 0)
        return {};
    // proc(5): a replaced or removed executable reads "<path> (deleted)"; the inode still tells it apart.
    return ExecutableIdentity { QString::fromLocal8Bit(target, qsizetype(n)), quint64(st.st_dev), quint64(st.st_ino) };
}

Result<qint64> loopbackPortOwner(quint16 port, LoopbackHost host)
{
    auto listeners = tcpListeners();
    if (!listeners)
        return listeners.error();
    auto chosen = chooseLoopbackListener(*listeners, port, host, qint64(::getuid()));
    if (!chosen)
        return chosen.error();
    if (const auto pid = pidHoldingSocket(chosen->inode))
        return *pid;
    return Error::make(QStringLiteral("process_unknown"),
        QStringLiteral("No process of yours holds the socket listening on port %1.").arg(port));
}

} // namespace Tessera::Ipc
