// SPDX-License-Identifier: GPL-3.0-or-later
#include "crypto/strictjson.h"

#include "common/strictjson.h"

namespace Tessera::Crypto {

Result<QJsonObject> parseStrictJsonObject(QByteArrayView json)
{
    // One strict parser decides for the whole project (core/common/strictjson); JOSE only
    // narrows it to a single object and reports every failure the same way.
    StrictJsonLimits limits;
    limits.maxDepth = StrictJsonMaxDepth;
    const Result<QJsonValue> value = parseStrictJson(json, limits);
    if (!value || !value->isObject())
        return Error::make(
            QStringLiteral("json_invalid"), QStringLiteral("The JSON object is malformed or ambiguous."));
    return value->toObject();
}

} // namespace Tessera::Crypto
