// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace Tessera::Ipc {
class IpcServer;
}

namespace Tessera::App {

class Application;

/** @brief Local token access and the secret vault on the client socket (token, exec, ...). */
void registerLocalAccessClientApi(Ipc::IpcServer &server, Application &app);
/** @brief Their operator side (secrets, audit, watch, ...). */
void registerLocalAccessOperatorApi(Ipc::IpcServer &server, Application &app);

} // namespace Tessera::App
