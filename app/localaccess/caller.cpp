// SPDX-License-Identifier: GPL-3.0-or-later
#include "localaccess/caller.h"

#include "crypto/hash.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>

#include <sys/stat.h>
#include <unistd.h>

namespace Tessera::App {

QStringList KnownPrograms::shellNames()
{
    return { QStringLiteral("sh"), QStringLiteral("bash"), QStringLiteral("dash"), QStringLiteral("zsh"),
        QStringLiteral("fish"), QStringLiteral("ksh"), QStringLiteral("mksh"), QStringLiteral("busybox") };
}

QStringList KnownPrograms::wrapperNames()
{
    return { QStringLiteral("env"), QStringLiteral("timeout"), QStringLiteral("nice"), QStringLiteral("nohup"),
        QStringLiteral("setsid"), QStringLiteral("stdbuf"), QStringLiteral("ionice"), QStringLiteral("flock") };
}

bool KnownPrograms::add(Kind kind, const QString &path)
{
    // stat() follows symlinks (/bin/sh -> dash, /bin -> usr/bin): the real file counts.
    struct stat st
    {
    };
    if (path.isEmpty() || ::stat(QFile::encodeName(path).constData(), &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    m_files.insert({ quint64(st.st_dev), quint64(st.st_ino) }, kind);
    return true;
}

KnownPrograms::Kind KnownPrograms::kindOf(const Ipc::ProcessInfo &p) const
{
    if (p.exeInode == 0)
        return Kind::Other;
    return m_files.value({ p.exeDevice, p.exeInode }, Kind::Other);
}

const KnownPrograms &KnownPrograms::system()
{
    static const KnownPrograms known = [] {
        KnownPrograms k;
        const QStringList dirs { QStringLiteral("/bin/"), QStringLiteral("/usr/bin/"), QStringLiteral("/sbin/"),
            QStringLiteral("/usr/sbin/") };
        for (const QString &name : shellNames() + wrapperNames()) {
            for (const QString &dir : dirs)
                k.add(Kind::Shell, dir + name);
        }
        // The tessera-cli of this installation; a copy elsewhere asks as itself.
        if (QCoreApplication::instance())
            k.add(Kind::TesseraCli, QCoreApplication::applicationDirPath() + QStringLiteral("/tessera-cli"));
        return k;
    }();
    return known;
}

Ipc::ExecutableIdentity CallerInfo::callerFile() const
{
    if (callerIndex < 0 || callerIndex >= chain.size())
        return {};
    const Ipc::ProcessInfo &p = chain.at(callerIndex);
    return Ipc::ExecutableIdentity { p.exe, p.exeDevice, p.exeInode };
}

QJsonArray CallerInfo::auditChain() const
{
    QJsonArray out;
    for (const Ipc::ProcessInfo &p : chain)
        out.append(QJsonObject { { QStringLiteral("pid"), p.pid }, { QStringLiteral("exe"), p.exe } });
    return out;
}

QList<Consent::ProcessFact> CallerInfo::processFacts() const
{
    QList<Consent::ProcessFact> out;
    for (const Ipc::ProcessInfo &p : chain)
        out.append(Consent::ProcessFact { p.pid, p.exe, p.comm });
    return out;
}

QJsonObject CallerInfo::toJson() const
{
    QJsonArray list;
    for (const Ipc::ProcessInfo &p : chain)
        list.append(p.toJson());
    return QJsonObject {
        { QStringLiteral("pid"), pid },
        { QStringLiteral("uid"), uid },
        { QStringLiteral("chain"), list },
        { QStringLiteral("callerPid"), callerPid },
        { QStringLiteral("callerExe"), callerExe },
        { QStringLiteral("clientId"), clientId },
        { QStringLiteral("comparableByPath"), comparableByPath },
        { QStringLiteral("pidfd"), pidfdSource },
    };
}

qsizetype callerIndexOf(const QList<Ipc::ProcessInfo> &chain, const KnownPrograms &known)
{
    using K = KnownPrograms::Kind;
    for (qsizetype i = 0; i < chain.size(); ++i) {
        if (!chain.at(i).exe.isEmpty() && known.kindOf(chain.at(i)) == K::Other)
            return i;
    }
    for (qsizetype i = 0; i < chain.size(); ++i) {
        if (!chain.at(i).exe.isEmpty() && known.kindOf(chain.at(i)) != K::TesseraCli)
            return i;
    }
    return 0;
}

QString localClientIdFor(const QString &exePath)
{
    const QByteArray digest = Crypto::sha256(exePath.toUtf8());
    return QStringLiteral("local-")
        + QString::fromLatin1(digest.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals).left(22));
}

Result<CallerInfo> resolveCaller(const Ipc::PeerIdentity &identity, std::optional<CallerInfo> *described)
{
    const Ipc::PeerCredentials peer = identity.credentials();
    if (peer.uid != static_cast<qint64>(::getuid()) || peer.pid <= 0)
        return Error::make(QStringLiteral("caller_unknown"), QStringLiteral("The caller is not this user's process."));
    CallerInfo info;
    info.pid = peer.pid;
    info.uid = peer.uid;
    info.identity = identity;
    info.pidfdSource = Ipc::PeerIdentity::pidfdSourceName(identity.pidfdSource());
    info.chain = identity.chain();
    if (info.chain.isEmpty() || info.chain.constFirst().exe.isEmpty())
        return Error::make(QStringLiteral("caller_unknown"),
            QStringLiteral("The calling process exited before Tessera could identify it."));
    info.callerIndex = callerIndexOf(info.chain);
    const Ipc::ProcessInfo &caller = info.chain.at(info.callerIndex);
    info.callerExe = caller.exe.isEmpty() ? info.chain.constFirst().exe : caller.exe;
    info.callerPid = caller.pid;
    info.clientId = localClientIdFor(info.callerExe);
    for (qsizetype i = 0; i <= info.callerIndex; ++i)
        info.comparableByPath = info.comparableByPath && info.chain.at(i).sameMountNamespace;
    if (described)
        *described = info;
    if (Status same = identity.verify(info.callerIndex); !same)
        return same.error();
    return info;
}

Result<CallerInfo> resolveCaller(const Ipc::PeerCredentials &peer)
{
    return resolveCaller(Ipc::PeerIdentity::ofProcess(peer));
}

} // namespace Tessera::App
