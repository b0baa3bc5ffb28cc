// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/httplimits.h"

namespace Tessera::Http {

Status HttpLimits::validate() const
{
    const bool positive = maxBodyBytes >= 0 && maxHeaderBytes > 0 && maxUriBytes > 0 && maxHeaderCount > 0
        && maxConnections > 0 && maxRequestsPerConnection > 0 && headerTimeoutMs > 0 && bodyTimeoutMs > 0
        && idleTimeoutMs > 0 && lingerMs >= 0 && lingerMaxBytes >= 0 && socketReadBufferBytes > 0
        && maxPendingWriteBytes > 0 && maxParkedConnections > 0 && maxParkedConnections < maxConnections
        && maxChunkLineBytes > 0 && maxChunkExtensionBytes > 0 && maxTrailerBytes > 0;
    // The request line (method, target, version) must fit in the head.
    if (!positive || maxUriBytes + 64 > maxHeaderBytes)
        return Error::make(
            QStringLiteral("invalid_limits"), QStringLiteral("The HTTP server limits are inconsistent."));
    return {};
}

} // namespace Tessera::Http
