// SPDX-License-Identifier: GPL-3.0-or-later
#include "ipc/portowner.h"

#include <QFile>
#include <QtEndian>

#include <algorithm>
#include <cstring>
#include <dirent.h>
#include <limits>
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

Result<TcpListener> chooseLoopbackListener(
    const QList<TcpListener> &listeners, quint16 port, LoopbackHost host, qint64 uid)
{
    const TcpListener *best = nullptr;
    int bestRank = std::numeric_limits<int>::max();
    for (const TcpListener &l : listeners) {
        const auto rank = l.port == port ? matchRank(l.address, host) : std::nullopt;
        if (rank && *rank < bestRank) {
            best = &l;
            bestRank = *rank;
        }
    }
    if (!best)
        return Error::make(
            QStringLiteral("port_unowned"), QStringLiteral("Nothing listens on loopback port %1.").arg(port));
    // The socket the browser reaches decides; another user's there is not ours to name.
    if (best->uid != uid)
        return Error::make(QStringLiteral("port_foreign"),
            QStringLiteral("Loopback port %1 belongs to another user's program.").arg(port));
    return *best;
}

Result<qint64> loopbackPortOwner(quint16 port, LoopbackHost host)
{
    QList<TcpListener> listeners;
    for (const bool ipv6 : { false, true }) {
        QFile file(ipv6 ? QStringLiteral("/proc/net/tcp6") : QStringLiteral("/proc/net/tcp"));
        if (file.open(QIODevice::ReadOnly)) // no tcp6 without IPv6
            listeners += parseProcNetTcp(file.readAll(), ipv6);
    }
    auto chosen = chooseLoopbackListener(listeners, port, host, qint64(::getuid()));
    if (!chosen)
        return chosen.error();
    if (const auto pid = pidHoldingSocket(chosen->inode))
        return *pid;
    return Error::make(QStringLiteral("process_unknown"),
        QStringLiteral("No process of yours holds the socket listening on port %1.").arg(port));
}

} // namespace Tessera::Ipc
