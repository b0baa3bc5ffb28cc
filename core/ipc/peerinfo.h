// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace Tessera::Ipc {

/** @brief Kernel-reported credentials of the other end of a Unix socket (SO_PEERCRED). */
struct PeerCredentials
{
    qint64 pid = -1;
    qint64 uid = -1;
    qint64 gid = -1;
};

/** @brief What /proc says about one process. Self-reported fields (comm) are marked as such by callers. */
struct ProcessInfo
{
    qint64 pid = -1;
    qint64 ppid = -1;
    qint64 uid = -1;
    QString exe; ///< resolved /proc/<pid>/exe; empty if unreadable
    QString comm; ///< the kernel's short name (process-chosen, not proof of anything)
    /** @brief /proc/<pid>/stat field 22 (clock ticks after boot): with the pid, names one process for good. */
    quint64 startTime = 0;
    quint64 exeDevice = 0; ///< st_dev of the running file (stat through /proc/<pid>/exe); 0 if unreadable
    quint64 exeInode = 0; ///< st_ino of the running file; 0 if unreadable
    /** @brief Same mount namespace as Tessera (/proc/<pid>/ns/mnt vs /proc/self/ns/mnt); unreadable: false. */
    bool sameMountNamespace = false;
    /** @brief The same process running the same file: pid, start time, device and inode. */
    [[nodiscard]] bool sameProcessAndFile(const ProcessInfo &other) const
    {
        return pid == other.pid && startTime == other.startTime && exeDevice == other.exeDevice
            && exeInode == other.exeInode;
    }
    QJsonObject toJson() const;
};

/** @brief Reads SO_PEERCRED from a connected Unix socket descriptor. */
[[nodiscard]] Result<PeerCredentials> peerCredentials(qintptr fd);

/**
 * @brief Reads /proc/<pid>; fails if the process is gone or belongs to another user.
 *
 * The start time is read before and after the executable: when both agree, the executable read
 * belongs to that process and not to a later one that was given the same pid.
 */
[[nodiscard]] Result<ProcessInfo> processInfo(qint64 pid);

/**
 * @brief The process and its ancestors, nearest first, up to (not including) pid 1 or
 * the first process of another user, at most @p maxDepth entries.
 *
 * What this proves: the kernel vouches for the pid and uid at connection time. What it
 * does not: any same-user process can run any binary; the chain describes, it does not
 * authenticate. PeerIdentity binds it to the connection (issue 9, R2).
 */
[[nodiscard]] QList<ProcessInfo> processChain(qint64 pid, int maxDepth = 8);

} // namespace Tessera::Ipc
