// SPDX-License-Identifier: GPL-3.0-or-later
#include "oauth/oautherror.h"

#include "common/logging.h"
#include "http/response.h"

namespace Tessera::OAuth {

Http::Response oauthErrorResponse(const OAuthError &e)
{
    if (!e.debug.isEmpty())
        qCInfo(lcOAuth).noquote() << e.error << e.debug;
    Http::Response r = Http::Response::json(e.httpStatus, e.toJson());
    r.withHeader("Pragma", "no-cache"); // Cache-Control: no-store is the server default
    return r;
}

} // namespace Tessera::OAuth
