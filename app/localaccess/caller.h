// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "consent/consentrequest.h"
#include "ipc/peeridentity.h"
#include "ipc/peerinfo.h"
#include "ipc/portowner.h"

#include <QHash>
#include <QJsonArray>
#include <QList>
#include <QString>

namespace Tessera::App {

/**
 * @brief Programs the caller rules skip, known by the device and inode of the files themselves,
 * never by file name: a copy of anything at ~/bin/bash is not a shell (issue 9, R2).
 *
 * system(): resolved once, the first time it is used (registerLocalAccessClientApi does so at
 * start): shells (sh, bash, dash, zsh, fish, ksh, mksh, busybox) and transparent wrappers (env,
 * timeout, nice, nohup, setsid, stdbuf, ionice, flock) found in /bin, /usr/bin, /sbin, /usr/sbin
 * (symlinks followed to their real files), and tessera-cli next to the running Tessera. A file
 * replaced after start (a package upgrade) is not known until Tessera restarts: it is then a
 * program like any other, and asks as itself.
 */
class KnownPrograms
{
public:
    enum class Kind
    {
        Other,
        TesseraCli,
        Shell, ///< shells and transparent wrappers: skipped alike
    };
    [[nodiscard]] static const KnownPrograms &system();

    /** @brief Adds the file at @p path (followed to its real file) as @p kind; false if there is none. */
    bool add(Kind kind, const QString &path);
    [[nodiscard]] Kind kindOf(const Ipc::ProcessInfo &p) const;
    [[nodiscard]] qsizetype size() const { return m_files.size(); }

    /** @brief The names looked for in the system directories. */
    [[nodiscard]] static QStringList shellNames();
    [[nodiscard]] static QStringList wrapperNames();

private:
    QHash<QPair<quint64, quint64>, Kind> m_files; ///< (device, inode) -> kind
};

/**
 * @brief Who is on the other end of a client-socket request, as the kernel and /proc told us
 * when the connection was accepted, and checked again when the request arrived (R2).
 *
 * What this proves: the kernel vouches (SO_PEERCRED, SO_PEERPIDFD) for the uid and the process
 * that connected; the chain, read at accept, names for each process its start time and the
 * device and inode of the file it ran; at the request, the connecting process (through its
 * pidfd) and every process up to the caller executable are checked to be the same processes
 * running the same files. What it does not: see ipc/peeridentity.h and app/localaccess/README.md.
 */
struct CallerInfo
{
    qint64 pid = -1; ///< the peer (usually tessera-cli)
    qint64 uid = -1;
    QList<Ipc::ProcessInfo> chain; ///< the peer and its ancestors at accept, nearest first
    qsizetype callerIndex = 0; ///< the entry of chain that the request is attributed to
    QString callerExe; ///< chain[callerIndex].exe
    qint64 callerPid = -1;
    QString clientId; ///< the local client of callerExe
    /**
     * @brief False when a process from the peer up to the caller runs in another mount namespace
     * than Tessera: its paths name files of its own view (a bind mount over an approved program's
     * path, say), so it is never matched to an existing grant by its path.
     */
    bool comparableByPath = true;
    QString pidfdSource; ///< "SO_PEERPIDFD", "pidfd_open" or "none"
    Ipc::PeerIdentity identity;

    /** @brief The caller executable as a file: path, device, inode (what a grant is bound to). */
    [[nodiscard]] Ipc::ExecutableIdentity callerFile() const;
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
 * The first entry, nearest first, whose executable is neither tessera-cli nor a shell or a
 * transparent wrapper, by device and inode (@p known): for `claude → node → bash → tessera-cli`
 * that is node, for a script run from a terminal it is the terminal (or tmux, sshd). Shells are
 * skipped so that an agent's shell tool and the person's interactive shell do not share one
 * client. When every entry is skipped, the nearest one that is not tessera-cli; when the chain
 * is only tessera-cli, its first entry. Returns 0 for an empty chain.
 */
[[nodiscard]] qsizetype callerIndexOf(
    const QList<Ipc::ProcessInfo> &chain, const KnownPrograms &known = KnownPrograms::system());

/** @brief "local-" + the first 22 base64url characters of SHA-256(executable path). */
[[nodiscard]] QString localClientIdFor(const QString &exePath);

/**
 * @brief The caller of a connection, from the identity taken at accept, checked against the
 * processes as they are now (PeerIdentity::verify up to the caller executable).
 *
 * Errors: `caller_unknown` (the peer is gone or its uid is not ours: the socket already refused
 * other users; this is belt and braces), `caller_gone`, `caller_changed` (see PeerIdentity).
 * With @p described, the caller as it was at accept is left there even when the check fails,
 * for the audit event of the refusal.
 */
[[nodiscard]] Result<CallerInfo> resolveCaller(
    const Ipc::PeerIdentity &identity, std::optional<CallerInfo> *described = nullptr);

/** @brief The same for a process without a connection (pidfd_open now). */
[[nodiscard]] Result<CallerInfo> resolveCaller(const Ipc::PeerCredentials &peer);

} // namespace Tessera::App
