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
    QJsonObject toJson() const;
};

/** @brief Reads SO_PEERCRED from a connected Unix socket descriptor. */
[[nodiscard]] Result<PeerCredentials> peerCredentials(qintptr fd);

/** @brief Reads /proc/<pid>; fails if the process is gone or belongs to another user. */
[[nodiscard]] Result<ProcessInfo> processInfo(qint64 pid);

/**
 * @brief The process and its ancestors, nearest first, up to (not including) pid 1 or
 * the first process of another user, at most @p maxDepth entries.
 *
 * What this proves: the kernel vouches for the pid and uid at connection time. What it
 * does not: a pid can exit and be reused, and any same-user process can run any binary;
 * the chain describes, it does not authenticate.
 */
[[nodiscard]] QList<ProcessInfo> processChain(qint64 pid, int maxDepth = 8);

} // namespace Tessera::Ipc
