// SPDX-License-Identifier: GPL-3.0-or-later
#include "ipc/peeridentity.h"

#include <QByteArray>

#include <atomic>
#include <cstdlib>

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

// Linux 6.5 (socket(7)); Debian 12's headers predate it. The same number on every architecture
// that uses asm-generic/socket.h, x86 and arm included.
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

namespace Tessera::Ipc {

namespace {

constexpr int kChainDepth = 12;

std::atomic<int> g_forcePidfdOpen { -1 }; // -1: not decided yet (read the environment)

bool forcePidfdOpen()
{
    int v = g_forcePidfdOpen.load();
    if (v < 0) {
        v = qgetenv("TESSERA_IPC_FORCE_PIDFD_OPEN") == "1" ? 1 : 0;
        g_forcePidfdOpen.store(v);
    }
    return v == 1;
}

/** pidfd_open(2): a pidfd (always close-on-exec) of the thread-group leader @p pid, or -1. */
int openPidfd(qint64 pid)
{
    if (pid <= 0)
        return -1;
    return int(::syscall(SYS_pidfd_open, pid_t(pid), 0));
}

/** Whether the process behind @p pidfd has exited: the pidfd becomes readable then (pidfd_open(2)). */
bool hasExited(int pidfd)
{
    struct pollfd p
    {
        pidfd, POLLIN, 0
    };
    const int n = ::poll(&p, 1, 0);
    return n < 0 || (n == 1 && (p.revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL)) != 0);
}

QString fileText(const ProcessInfo &p)
{
    return p.exe.isEmpty() ? QStringLiteral("an unreadable executable") : p.exe;
}

} // namespace

PeerIdentity::Data::~Data()
{
    if (pidfd >= 0)
        ::close(pidfd);
}

QString PeerIdentity::pidfdSourceName(PidfdSource source)
{
    switch (source) {
    case PidfdSource::PeerPidfd:
        return QStringLiteral("SO_PEERPIDFD");
    case PidfdSource::PidfdOpen:
        return QStringLiteral("pidfd_open");
    case PidfdSource::None:
        break;
    }
    return QStringLiteral("none");
}

void PeerIdentity::setForcePidfdOpenForTesting(bool force)
{
    g_forcePidfdOpen.store(force ? 1 : 0);
}

PeerIdentity PeerIdentity::capture(qintptr socketFd, const PeerCredentials &cred)
{
    if (!forcePidfdOpen() && socketFd >= 0) {
        // socket(7) SO_PEERPIDFD: a pidfd of the process that called connect(), taken by the kernel
        // then; unlike the pid it cannot come to name another process.
        int pidfd = -1;
        socklen_t len = sizeof(pidfd);
        if (::getsockopt(int(socketFd), SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) == 0 && len == sizeof(pidfd)
            && pidfd >= 0) {
            (void)::fcntl(pidfd, F_SETFD, FD_CLOEXEC);
            return build(cred, pidfd, PidfdSource::PeerPidfd);
        }
    }
    return ofProcess(cred);
}

PeerIdentity PeerIdentity::ofProcess(const PeerCredentials &cred)
{
    // Older kernels: the pid SO_PEERCRED gave, pinned now. It names the connecting process unless
    // that one exited and the pid was given to another between connect() and this call.
    const int pidfd = openPidfd(cred.pid);
    return build(cred, pidfd, pidfd >= 0 ? PidfdSource::PidfdOpen : PidfdSource::None);
}

PeerIdentity PeerIdentity::build(const PeerCredentials &cred, int pidfd, PidfdSource source)
{
    auto d = std::make_shared<Data>();
    d->cred = cred;
    d->pidfd = pidfd;
    d->source = source;
    d->chain = processChain(cred.pid, kChainDepth);
    // The reads of /proc/<pid> were of the process behind the pidfd only if it still lives now:
    // until it is reaped its pid cannot be given to another.
    if (pidfd >= 0 && hasExited(pidfd))
        d->chain.clear();
    if (!d->chain.isEmpty() && d->chain.constFirst().pid != cred.pid)
        d->chain.clear();
    PeerIdentity out;
    out.m_d = std::move(d);
    return out;
}

Status PeerIdentity::verify(qsizetype upTo) const
{
    if (!isValid())
        return Error::make(QStringLiteral("caller_gone"),
            QStringLiteral("The process that connected to Tessera exited before Tessera could identify it."));
    const ProcessInfo &peer = m_d->chain.constFirst();
    const Error gone = Error::make(QStringLiteral("caller_gone"),
        QStringLiteral("The process that connected to Tessera (pid %1, %2) has exited: a request on its "
                       "connection comes from another process, and Tessera refuses it. Connect again from "
                       "the program that asks.")
            .arg(peer.pid)
            .arg(fileText(peer)));
    if (m_d->pidfd >= 0 && hasExited(m_d->pidfd))
        return gone;
    for (qsizetype i = 0; i <= upTo && i < m_d->chain.size(); ++i) {
        const ProcessInfo &then = m_d->chain.at(i);
        auto now = processInfo(then.pid);
        if (!now || now->startTime != then.startTime) {
            if (i == 0)
                return gone;
            continue; // an ancestor that exited cannot have turned into another program
        }
        if (now->exeDevice != then.exeDevice || now->exeInode != then.exeInode) {
            const QString role = i == 0 ? QStringLiteral("The process that connected to Tessera")
                                        : QStringLiteral("The process that started the one that connected");
            return Error::make(QStringLiteral("caller_changed"),
                QStringLiteral("%1 (pid %2) ran %3 when it connected and now runs %4: it started another "
                               "program since. Tessera refuses requests on this connection; connect again "
                               "from the program that asks.")
                    .arg(role)
                    .arg(then.pid)
                    .arg(fileText(then), fileText(*now)));
        }
    }
    // The /proc reads were of the connecting process only if it still lives after them.
    if (m_d->pidfd >= 0 && hasExited(m_d->pidfd))
        return gone;
    return {};
}

} // namespace Tessera::Ipc
