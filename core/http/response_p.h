// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "http/response.h"

namespace Tessera::Http {

/** What the server decides about a response beyond what the handler put in it. */
struct ResponseFraming
{
    bool headRequest = false; ///< send the Content-Length of the body, not the body
    bool close = false; ///< `Connection: close`, then the server closes
    int cacheMaxAgeSecs = 0; ///< > 0: a 2xx may be cached publicly this long; otherwise no-store
    QList<QPair<QByteArray, QByteArray>> extraHeaders; ///< CORS headers computed by the server
    qint64 nowMs = 0; ///< for the Date header
};

/**
 * The bytes on the wire, or "invalid_response" if the handler's part is unusable (reserved or
 * malformed header, body on a status that has none, status outside 200–599).
 */
[[nodiscard]] Result<QByteArray> serializeResponse(const Response &response, const ResponseFraming &framing);

} // namespace Tessera::Http
