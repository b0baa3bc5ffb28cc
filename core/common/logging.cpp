// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/logging.h"

#include <QUrl>

Q_LOGGING_CATEGORY(lcApp, "tessera.app", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCrypto, "tessera.crypto", QtInfoMsg)
Q_LOGGING_CATEGORY(lcStore, "tessera.store", QtInfoMsg)
Q_LOGGING_CATEGORY(lcVault, "tessera.vault", QtInfoMsg)
Q_LOGGING_CATEGORY(lcHttp, "tessera.http", QtInfoMsg)
Q_LOGGING_CATEGORY(lcOAuth, "tessera.oauth", QtInfoMsg)
Q_LOGGING_CATEGORY(lcConsent, "tessera.consent", QtInfoMsg)
Q_LOGGING_CATEGORY(lcIpc, "tessera.ipc", QtInfoMsg)

namespace Tessera {
QString redactUrl(const QUrl &url)
{
    QString out = url.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment);
    if (url.hasQuery())
        out += QStringLiteral("?[redacted]");
    return out;
}
} // namespace Tessera
