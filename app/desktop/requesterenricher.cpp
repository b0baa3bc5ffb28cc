// SPDX-License-Identifier: GPL-3.0-or-later
#include "desktop/requesterenricher.h"

#include "common/logging.h"
#include "consent/consentrequest.h"
#include "ipc/peerinfo.h"
#include "ipc/portowner.h"
#include "store/clientstore.h"

#include <QUrl>

namespace Tessera::App {

void enrichRequester(Consent::Requester &who, Store::Database &db)
{
    if (!who.loopbackRedirect)
        return;
    const QUrl redirect(who.redirectUri);
    const QString host = redirect.host();
    const Ipc::LoopbackHost family = host == QStringLiteral("127.0.0.1") ? Ipc::LoopbackHost::Ipv4
        : host == QStringLiteral("::1")                                  ? Ipc::LoopbackHost::Ipv6
                                                                         : Ipc::LoopbackHost::Both; // localhost
    const auto owner = Ipc::loopbackPortOwner(quint16(redirect.port(80)), family);
    if (!owner) {
        qCInfo(lcApp).noquote() << "redirect port owner unknown:" << owner.error().code;
        return;
    }
    for (const Ipc::ProcessInfo &p : Ipc::processChain(*owner))
        who.processChain.append(Consent::ProcessFact { p.pid, p.exe, p.comm });
    if (who.processChain.isEmpty() || who.processChain.first().exe.isEmpty())
        return;
    const auto seen = Store::ClientStore(db).executables(who.clientId);
    if (seen && !seen->isEmpty() && seen->first().exePath != who.processChain.first().exe)
        who.previousExecutable = seen->first().exePath;
}

} // namespace Tessera::App
