// SPDX-License-Identifier: GPL-3.0-or-later
#include "localaccess/localaccessapi.h"

namespace Tessera::App {

void registerLocalAccessClientApi(Ipc::IpcServer &, Application &) { }

void registerLocalAccessOperatorApi(Ipc::IpcServer &, Application &) { }

} // namespace Tessera::App
