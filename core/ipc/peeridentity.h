// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "ipc/peerinfo.h"

#include <QList>
#include <QString>

#include <memory>

namespace Tessera::Ipc {

/**
 * @brief Who connected to a socket, bound when the connection was accepted, before any request
 * byte was read (issue 9, R2).
 *
 * Taken at accept: SO_PEERCRED (uid, pid of the process that called connect()), a pidfd of that
 * process (SO_PEERPIDFD, Linux 6.5+, which the kernel takes at connect(); else pidfd_open() at
 * accept), and its process chain: per process the start time (/proc/<pid>/stat field 22), the
 * device and inode of the file it runs, and whether it shares Tessera's mount namespace.
 *
 * verify() at request time checks, through the pidfd, that the connecting process still lives
 * and still runs the same file, and by pid and start time that the processes up to the one the
 * request is attributed to still run the files they ran at accept.
 *
 * What it does not see: what happened between connect() and accept() (a process that execs
 * another program in that moment is seen as that program), and which process writes on the
 * connection (a child that inherited it speaks as the process that connected).
 *
 * Copyable; copies share the pidfd, closed with the last copy.
 */
class PeerIdentity
{
public:
    enum class PidfdSource
    {
        None, ///< no pidfd: the process was gone, or the kernel has neither way
        PeerPidfd, ///< getsockopt(SO_PEERPIDFD): the process that called connect()
        PidfdOpen, ///< pidfd_open(SO_PEERCRED pid) at accept: that pid, if not reused in between
    };

    PeerIdentity() = default;

    /** @brief At accept: @p cred (SO_PEERCRED of @p socketFd), a pidfd, the chain (12 processes at most). */
    [[nodiscard]] static PeerIdentity capture(qintptr socketFd, const PeerCredentials &cred);
    /** @brief The same for a process without a socket (pidfd_open): in-process callers and tests. */
    [[nodiscard]] static PeerIdentity ofProcess(const PeerCredentials &cred);

    [[nodiscard]] bool isValid() const { return m_d && !m_d->chain.isEmpty(); }
    [[nodiscard]] PeerCredentials credentials() const { return m_d ? m_d->cred : PeerCredentials {}; }
    /** @brief The peer and its ancestors as they were at accept, nearest first. */
    [[nodiscard]] QList<ProcessInfo> chain() const { return m_d ? m_d->chain : QList<ProcessInfo> {}; }
    [[nodiscard]] PidfdSource pidfdSource() const { return m_d ? m_d->source : PidfdSource::None; }
    [[nodiscard]] static QString pidfdSourceName(PidfdSource source);

    /**
     * @brief Request time: the chain's entries 0..@p upTo are the processes of accept, running the
     * same files.
     *
     * Errors: `caller_gone` (the connecting process exited, or its pid names another process
     * now: a request on its connection comes from someone else); `caller_changed` (one of those
     * processes runs another file than at accept: it executed another program). An ancestor that
     * exited is no error: it cannot have become something else.
     */
    [[nodiscard]] Status verify(qsizetype upTo = 0) const;

    /**
     * @brief For tests: take the pidfd_open() path even where SO_PEERPIDFD works. Also set by
     * the environment variable TESSERA_IPC_FORCE_PIDFD_OPEN=1, read at the first capture.
     */
    static void setForcePidfdOpenForTesting(bool force);

private:
    struct Data
    {
        PeerCredentials cred;
        QList<ProcessInfo> chain;
        int pidfd = -1;
        PidfdSource source = PidfdSource::None;
        Data() = default;
        Data(const Data &) = delete;
        Data &operator=(const Data &) = delete;
        ~Data();
    };
    [[nodiscard]] static PeerIdentity build(const PeerCredentials &cred, int pidfd, PidfdSource source);
    std::shared_ptr<const Data> m_d;
};

} // namespace Tessera::Ipc
