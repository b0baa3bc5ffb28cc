// SPDX-License-Identifier: GPL-3.0-or-later
#include "localaccess/caller.h"

#include "crypto/hash.h"

#include <QFileInfo>
#include <QJsonObject>

#include <unistd.h>

namespace Tessera::App {

namespace {

bool isTesseraCli(const Ipc::ProcessInfo &p)
{
    return QFileInfo(p.exe).fileName() == QStringLiteral("tessera-cli");
}

bool isShell(const Ipc::ProcessInfo &p)
{
    static const QStringList shells { QStringLiteral("sh"), QStringLiteral("bash"), QStringLiteral("dash"),
        QStringLiteral("zsh"), QStringLiteral("fish"), QStringLiteral("ksh"), QStringLiteral("mksh"),
        QStringLiteral("busybox") };
    return shells.contains(QFileInfo(p.exe).fileName());
}

} // namespace

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
    };
}

qsizetype callerIndexOf(const QList<Ipc::ProcessInfo> &chain)
{
    for (qsizetype i = 0; i < chain.size(); ++i) {
        if (!chain.at(i).exe.isEmpty() && !isTesseraCli(chain.at(i)) && !isShell(chain.at(i)))
            return i;
    }
    for (qsizetype i = 0; i < chain.size(); ++i) {
        if (!chain.at(i).exe.isEmpty() && !isTesseraCli(chain.at(i)))
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

Result<CallerInfo> resolveCaller(const Ipc::PeerCredentials &peer)
{
    if (peer.uid != static_cast<qint64>(::getuid()) || peer.pid <= 0)
        return Error::make(QStringLiteral("caller_unknown"), QStringLiteral("The caller is not this user's process."));
    CallerInfo info;
    info.pid = peer.pid;
    info.uid = peer.uid;
    info.chain = Ipc::processChain(peer.pid, 12);
    if (info.chain.isEmpty() || info.chain.constFirst().exe.isEmpty())
        return Error::make(QStringLiteral("caller_unknown"),
            QStringLiteral("The calling process exited before Tessera could identify it."));
    info.callerIndex = callerIndexOf(info.chain);
    const Ipc::ProcessInfo &caller = info.chain.at(info.callerIndex);
    info.callerExe = caller.exe.isEmpty() ? info.chain.constFirst().exe : caller.exe;
    info.callerPid = caller.pid;
    info.clientId = localClientIdFor(info.callerExe);
    return info;
}

} // namespace Tessera::App
