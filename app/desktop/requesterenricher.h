// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace Tessera::Consent {
struct Requester;
}
namespace Tessera::Store {
class Database;
}

namespace Tessera::App {

/**
 * @brief What only the OS can tell about an /authorize requester (security-cases G4): the
 * process of this user that listens on the loopback redirect port, with its parents, and
 * the executable seen for this client when it was last approved if that one differs.
 *
 * Runs in the /authorize handler (OAuth::AuthorizeEndpoint::setRequesterEnricher). Reads
 * /proc only for loopback redirect URIs; facts it cannot establish stay empty, and the
 * prompt says so.
 */
void enrichRequester(Consent::Requester &who, Store::Database &db);

} // namespace Tessera::App
