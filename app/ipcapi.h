// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace Tessera::Ipc {
class IpcServer;
}

namespace Tessera::App {

class Application;

/**
 * @brief What the client socket offers: things an agent may do for itself.
 * (status; tokens and exec come with the local token issue).
 */
void registerClientApi(Ipc::IpcServer &server, Application &app);

/**
 * @brief What the operator socket offers: decisions and administration, which only the
 * person may do (requests, approve, deny, resources, clients, grants, revoke, freeze).
 * Every change is audited with actor "operator".
 */
void registerOperatorApi(Ipc::IpcServer &server, Application &app);

} // namespace Tessera::App
