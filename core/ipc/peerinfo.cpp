// SPDX-License-Identifier: GPL-3.0-or-later
#include "ipc/peerinfo.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

#include <optional>

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
        { QStringLiteral("startTime"), QString::number(startTime) },
        { QStringLiteral("device"), QString::number(exeDevice) },
        { QStringLiteral("inode"), QString::number(exeInode) },
        { QStringLiteral("mountNamespace"), sameMountNamespace ? QStringLiteral("same") : QStringLiteral("other") },
    };
}

namespace {

struct StatLine
{
    qint64 ppid = -1;
    quint64 startTime = 0;
    QString comm;
};

/** /proc/<pid>/stat: "pid (comm) state ppid ..." where comm may contain ')' and spaces: parse from the last ')'
 * (proc(5)). */
std::optional<StatLine> readStat(const QString &base)
{
    QFile stat(base + QStringLiteral("/stat"));
    if (!stat.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QByteArray line = stat.readAll();
    const qsizetype open = line.indexOf('(');
    const qsizetype close = line.lastIndexOf(')');
    if (open < 0 || close < open)
        return std::nullopt;
    const QList<QByteArray> rest = line.mid(close + 2).split(' ');
    // rest[0] is field 3 (state): ppid is field 4, starttime field 22.
    if (rest.size() < 20)
        return std::nullopt;
    bool ok = false;
    StatLine out;
    out.comm = QString::fromUtf8(line.mid(open + 1, close - open - 1));
    out.ppid = rest.at(1).toLongLong();
    out.startTime = rest.at(19).toULongLong(&ok);
    if (!ok)
        return std::nullopt;
    return out;
}

bool sameFileAs(const QByteArray &a, const struct stat &b)
{
    struct stat st
    {
    };
    return ::stat(a.constData(), &st) == 0 && st.st_dev == b.st_dev && st.st_ino == b.st_ino;
}

const struct stat &ownMountNamespace()
{
    static const struct stat ns = [] {
        struct stat st
        {
        };
        if (::stat("/proc/self/ns/mnt", &st) != 0)
            st = {};
        return st;
    }();
    return ns;
}

} // namespace

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

    const auto before = readStat(base);
    if (!before)
        return Error::make(QStringLiteral("process_unknown"), QStringLiteral("Process %1 is gone.").arg(pid));
    ProcessInfo info;
    info.pid = pid;
    info.uid = st.st_uid;
    info.ppid = before->ppid;
    info.comm = before->comm;
    info.startTime = before->startTime;
    info.exe = QFileInfo(base + QStringLiteral("/exe")).symLinkTarget();
    // stat() through the magic link reaches the running file itself, even when its path now names
    // another file or, in another mount namespace, a file bind-mounted over that path.
    struct stat exe
    {
    };
    if (::stat(QFile::encodeName(base + QStringLiteral("/exe")).constData(), &exe) == 0) {
        info.exeDevice = quint64(exe.st_dev);
        info.exeInode = quint64(exe.st_ino);
    }
    info.sameMountNamespace = ownMountNamespace().st_ino != 0
        && sameFileAs(QFile::encodeName(base + QStringLiteral("/ns/mnt")), ownMountNamespace());
    // Read again: the same start time means every read above was of this very process.
    const auto after = readStat(base);
    if (!after || after->startTime != before->startTime)
        return Error::make(QStringLiteral("process_unknown"), QStringLiteral("Process %1 is gone.").arg(pid));
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
