// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "consent/consentrequest.h"
#include "ipc/peerinfo.h"

#include <QJsonArray>
#include <QList>
#include <QString>

namespace Tessera::App {

/**
 * @brief Who is on the other end of a client-socket request, as the kernel and /proc told us
 * when the request arrived.
 *
 * What this proves: the kernel vouches (SO_PEERCRED) for the uid and pid of the process that
 * connected, and /proc for the executable each process of the chain runs. What it does not:
 * a pid can exit and be reused between connect and lookup; any process of this user can run
 * any binary (an agent can start tessera-cli, or any other program, from anywhere); the
 * executable of an interpreter (node, python) says nothing about the script it runs. The chain
 * describes the caller to the person; it does not authenticate it.
 */
struct CallerInfo
{
    qint64 pid = -1; ///< the peer (usually tessera-cli)
    qint64 uid = -1;
    QList<Ipc::ProcessInfo> chain; ///< the peer and its ancestors, nearest first
    qsizetype callerIndex = 0; ///< the entry of chain that the request is attributed to
    QString callerExe; ///< chain[callerIndex].exe
    qint64 callerPid = -1;
    QString clientId; ///< the local client of callerExe

    /** @brief [{pid, exe}] nearest first: what goes into audit details (no comm, no argv). */
    [[nodiscard]] QJsonArray auditChain() const;
    /** @brief The chain for ConsentRequest::requester.processChain. */
    [[nodiscard]] QList<Consent::ProcessFact> processFacts() const;
    /** @brief What `tessera-cli whoami` shows. */
    [[nodiscard]] QJsonObject toJson() const;
};

/**
 * @brief Which entry of @p chain a request is attributed to (the "caller executable").
 *
 * The first entry, nearest first, whose executable is neither tessera-cli nor a shell (sh,
 * bash, dash, zsh, fish, ksh, mksh, busybox): for `claude → node → bash → tessera-cli` that is
 * node, for a script run from a terminal it is the terminal (or tmux, sshd). Shells are skipped
 * so that an agent's shell tool and the person's interactive shell do not share one client.
 * When every entry is skipped, the nearest one that is not tessera-cli; when the chain is only
 * tessera-cli, its first entry. Returns 0 for an empty chain.
 */
[[nodiscard]] qsizetype callerIndexOf(const QList<Ipc::ProcessInfo> &chain);

/** @brief "local-" + the first 22 base64url characters of SHA-256(executable path). */
[[nodiscard]] QString localClientIdFor(const QString &exePath);

/**
 * @brief Resolves the chain of @p peer now. Fails with `caller_unknown` when the peer is gone
 * or its uid is not ours (the socket already refused other users; this is belt and braces).
 */
[[nodiscard]] Result<CallerInfo> resolveCaller(const Ipc::PeerCredentials &peer);

} // namespace Tessera::App
