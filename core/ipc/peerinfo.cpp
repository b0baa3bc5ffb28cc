// SPDX-License-Identifier: GPL-3.0-or-later
#include "ipc/peerinfo.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Tessera::Ipc {

QJsonObject ProcessInfo::toJson() const
{
    return QJsonObject {
        { QStringLiteral("pid"), pid },
        { QStringLiteral("ppid"), ppid },
        { QStringLiteral("exe"), exe },
        { QStringLiteral("comm"), comm },
    };
}

Result<PeerCredentials> peerCredentials(qintptr fd)
{
    struct ucred cred
    {
    };
    socklen_t len = sizeof(cred);
    if (fd < 0 || ::getsockopt(static_cast<int>(fd), SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof(cred))
        return Error::make(
            QStringLiteral("peer_unknown"), QStringLiteral("Cannot read the peer's credentials from the socket."));
    return PeerCredentials { cred.pid, cred.uid, cred.gid };
}

Result<ProcessInfo> processInfo(qint64 pid)
{
    if (pid <= 0)
        return Error::make(QStringLiteral("process_unknown"), QStringLiteral("No such process."));
    const QString base = QStringLiteral("/proc/") + QString::number(pid);
    struct stat st
    {
    };
    if (::stat(QFile::encodeName(base).constData(), &st) != 0)
        return Error::make(QStringLiteral("process_unknown"), QStringLiteral("Process %1 is gone.").arg(pid));
    if (st.st_uid != ::getuid())
        return Error::make(
            QStringLiteral("process_foreign"), QStringLiteral("Process %1 belongs to another user.").arg(pid));

    ProcessInfo info;
    info.pid = pid;
    info.uid = st.st_uid;
    info.exe = QFileInfo(base + QStringLiteral("/exe")).symLinkTarget();

    // /proc/<pid>/stat: "pid (comm) state ppid ..." where comm may itself contain ')' and
    // spaces, so parse from the last ')' (proc(5)).
    QFile stat(base + QStringLiteral("/stat"));
    if (!stat.open(QIODevice::ReadOnly))
        return Error::make(QStringLiteral("process_unknown"), QStringLiteral("Process %1 is gone.").arg(pid));
    const QByteArray line = stat.readAll();
    const qsizetype open = line.indexOf('(');
    const qsizetype close = line.lastIndexOf(')');
    if (open < 0 || close < open)
        return Error::make(QStringLiteral("process_unknown"), QStringLiteral("Cannot parse /proc/%1/stat.").arg(pid));
    info.comm = QString::fromUtf8(line.mid(open + 1, close - open - 1));
    const QList<QByteArray> rest = line.mid(close + 2).split(' ');
    if (rest.size() < 2)
        return Error::make(QStringLiteral("process_unknown"), QStringLiteral("Cannot parse /proc/%1/stat.").arg(pid));
    info.ppid = rest.at(1).toLongLong();
    return info;
}

QList<ProcessInfo> processChain(qint64 pid, int maxDepth)
{
    QList<ProcessInfo> chain;
    qint64 current = pid;
    while (current > 1 && chain.size() < maxDepth) {
        auto info = processInfo(current);
        if (!info)
            break;
        chain.append(*info);
        current = info->ppid;
    }
    return chain;
}

} // namespace Tessera::Ipc
