// SPDX-License-Identifier: GPL-3.0-or-later
#include "common/resourceuri.h"

#include <QUrl>

#include <algorithm>

namespace Tessera {

namespace {

constexpr qsizetype MaxUriLength = 2048;

Error targetError(const QString &message)
{
    return Error::make(QStringLiteral("invalid_target"), message);
}

} // namespace

bool hasUnsafeUriCharacters(const QString &s)
{
    return std::any_of(s.cbegin(), s.cend(), [](QChar c) {
        const ushort u = c.unicode();
        return u <= 0x20 || u >= 0x7f || u == '\\';
    });
}

bool isLoopbackRedirectHost(const QString &host)
{
    return host == QStringLiteral("127.0.0.1") || host == QStringLiteral("::1") || host == QStringLiteral("localhost");
}

Result<QString> canonicalResource(const QString &uri)
{
    if (uri.isEmpty())
        return targetError(QStringLiteral("The resource indicator is empty."));
    if (uri.size() > MaxUriLength || hasUnsafeUriCharacters(uri))
        return targetError(QStringLiteral("The resource indicator is not a valid URI."));
    // RFC 8707 §2: "MUST NOT include a fragment component".
    if (uri.contains(u'#'))
        return targetError(QStringLiteral("The resource indicator must not contain a fragment."));
    QUrl url = QUrl::fromEncoded(uri.toLatin1(), QUrl::StrictMode);
    if (!url.isValid() || url.isRelative() || url.host().isEmpty())
        return targetError(QStringLiteral("The resource indicator must be an absolute URI."));
    const QString scheme = url.scheme(); // QUrl lower-cases scheme and host
    if (scheme != QStringLiteral("http") && scheme != QStringLiteral("https"))
        return targetError(QStringLiteral("The resource indicator must be an http or https URI."));
    if (!url.userInfo().isEmpty())
        return targetError(QStringLiteral("The resource indicator must not contain user information."));
    if (scheme == QStringLiteral("http") && !isLoopbackRedirectHost(url.host()))
        return targetError(QStringLiteral("Plain http resources must be on a loopback address."));
    const int defaultPort = scheme == QStringLiteral("http") ? 80 : 443;
    if (url.port() == defaultPort)
        url.setPort(-1);
    if (url.path() == QStringLiteral("/"))
        url.setPath(QString());
    return url.toString(QUrl::FullyEncoded);
}

} // namespace Tessera
