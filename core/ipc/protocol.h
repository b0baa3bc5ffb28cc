// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

/**
 * @file
 * @brief The local-socket protocol between tessera-cli (or any local tool) and Tessera.
 *
 * Frames are single-line compact JSON objects terminated by '\n', at most MaxFrameBytes.
 *
 *     request   {"id": 1, "method": "status", "params": {...}}
 *     reply     {"id": 1, "result": ...}
 *     failure   {"id": 1, "error": {"code": "not_found", "message": "No such grant."}}
 *     event     {"event": "request_added", "data": {...}}          (subscriptions only)
 *
 * There are two sockets in the runtime directory (mode 0700), each mode 0600 and checked
 * against the peer's uid on every connection:
 *  - client.sock:   what an agent may do (status, token, exec, its own requests);
 *  - operator.sock: what only the person may do (approve, deny, revoke, freeze, secrets).
 * A sandboxed agent is given only client.sock, so it cannot approve its own requests.
 */
namespace Tessera::Ipc {

inline constexpr qsizetype MaxFrameBytes = 1024 * 1024;
inline constexpr int ProtocolVersion = 1;

/** @brief tessera-cli exit codes; documented in README and `tessera-cli --help`. */
enum class ExitCode : int
{
    Ok = 0,
    Failure = 1, ///< the command failed; the message says why
    Usage = 2, ///< bad arguments
    Denied = 3, ///< the person denied the request (or Tessera is frozen)
    Timeout = 4, ///< nobody answered in time
    NotRunning = 5, ///< no Tessera instance is running for this user/runtime dir
    KeychainUnavailable = 6, ///< Tessera has no working keychain and fails closed
};

} // namespace Tessera::Ipc
