// SPDX-License-Identifier: GPL-3.0-or-later
#include "localaccess/localaccessapi.h"

#include "ipc/ipcserver.h"
#include "localaccess/caller.h"

namespace Tessera::App {

void registerLocalAccessClientApi(Ipc::IpcServer &server, Application &)
{
    // The caller, resolved when the request arrives (a pid means little a moment later).
    server.handle(QStringLiteral("whoami"), [](const Ipc::IpcRequest &r) {
        auto caller = resolveCaller(r.peer());
        caller ? r.reply(caller->toJson()) : r.fail(caller.error());
    });
}

void registerLocalAccessOperatorApi(Ipc::IpcServer &, Application &) { }

} // namespace Tessera::App
