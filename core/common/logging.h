// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLoggingCategory>

// One category per area: enable with QT_LOGGING_RULES="tessera.http.debug=true".
// Never log tokens, codes, verifiers, secrets or Authorization headers (security-cases H4);
// redact URLs with Tessera::redactUrl before logging them.
Q_DECLARE_LOGGING_CATEGORY(lcApp)
Q_DECLARE_LOGGING_CATEGORY(lcCrypto)
Q_DECLARE_LOGGING_CATEGORY(lcStore)
Q_DECLARE_LOGGING_CATEGORY(lcVault)
Q_DECLARE_LOGGING_CATEGORY(lcHttp)
Q_DECLARE_LOGGING_CATEGORY(lcOAuth)
Q_DECLARE_LOGGING_CATEGORY(lcConsent)
Q_DECLARE_LOGGING_CATEGORY(lcIpc)

class QUrl;
class QString;

namespace Tessera {
/** @brief The URL without query, fragment or user info: safe to log. */
[[nodiscard]] QString redactUrl(const QUrl &url);
} // namespace Tessera
