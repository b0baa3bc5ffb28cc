// SPDX-License-Identifier: GPL-3.0-or-later
#include "oauth/canonical.h"

#include <QRegularExpression>
#include <QUrl>

#include <algorithm>

namespace Tessera::OAuth {

namespace {

constexpr qsizetype MaxUriLength = 2048;

Error redirectError(const QString &message)
{
    return Error::make(QStringLiteral("invalid_redirect_uri"), message);
}

} // namespace

Result<RedirectUri> parseRedirectUri(const QString &uri)
{
    if (uri.isEmpty() || uri.size() > MaxUriLength)
        return redirectError(QStringLiteral("The redirect URI is empty or too long."));
    if (hasUnsafeUriCharacters(uri))
        return redirectError(QStringLiteral("The redirect URI contains spaces, control characters or backslashes."));
    const QUrl url = QUrl::fromEncoded(uri.toLatin1(), QUrl::StrictMode);
    if (!url.isValid() || url.isRelative())
        return redirectError(QStringLiteral("The redirect URI must be an absolute URI."));
    // One unambiguous spelling only: anything a parser would rewrite (numeric or hex IPs,
    // upper-case schemes, trailing dots, needless percent-encoding) is refused outright.
    if (url.toString(QUrl::FullyEncoded) != uri)
        return redirectError(QStringLiteral("The redirect URI is not in canonical form."));
    const QString scheme = url.scheme();
    if (scheme != QStringLiteral("https") && scheme != QStringLiteral("http"))
        return redirectError(QStringLiteral("Redirect URIs must use https, or http on a loopback address."));
    // RFC 6749 §3.1.2: "The endpoint URI MUST NOT include a fragment component."
    if (url.hasFragment())
        return redirectError(QStringLiteral("The redirect URI must not contain a fragment."));
    if (!url.userInfo().isEmpty() || url.authority().contains(u'@'))
        return redirectError(QStringLiteral("The redirect URI must not contain user information."));
    const QString host = url.host();
    if (host.isEmpty())
        return redirectError(QStringLiteral("The redirect URI has no host."));
    if (uri.contains(u'*'))
        return redirectError(QStringLiteral("Wildcards are not allowed in redirect URIs."));
    // RFC 9700 §2.6 / MCP security: plain http only for loopback redirection.
    const bool loopback = isLoopbackRedirectHost(host);
    if (scheme == QStringLiteral("http") && !loopback)
        return redirectError(QStringLiteral("Plain http redirect URIs must be on 127.0.0.1, [::1] or localhost."));
    // Port 0 is no destination anyone listens on (RFC 6335 §6: reserved).
    if (url.port() == 0)
        return redirectError(QStringLiteral("The redirect URI has port 0."));
    const QString rawPath = url.path(QUrl::FullyEncoded);
    const QString lowerPath = rawPath.toLower();
    // Encoded separators, dots and a second layer of encoding (%25) decode differently in
    // different hops (zitadel#12559); encoded control bytes are C1's "java\tscript" in a path.
    for (const char *bad : { "%2f", "%5c", "%2e", "%25", "%7f" }) {
        if (lowerPath.contains(QLatin1String(bad)))
            return redirectError(
                QStringLiteral("The redirect URI path contains encoded separators, dots or percent signs."));
    }
    static const QRegularExpression encodedControl(
        QStringLiteral("%[01][0-9a-f]"), QRegularExpression::CaseInsensitiveOption);
    if (url.toString(QUrl::FullyEncoded).contains(encodedControl))
        return redirectError(QStringLiteral("The redirect URI contains encoded control characters."));
    const QStringList segments = rawPath.split(u'/');
    for (const QString &segment : segments) {
        if (segment == QStringLiteral(".") || segment.startsWith(QStringLiteral("..")) || segment.contains(u';'))
            return redirectError(QStringLiteral("The redirect URI path must not contain dot segments or parameters."));
    }
    return RedirectUri { uri, scheme == QStringLiteral("http") && loopback, host == QStringLiteral("localhost") };
}

bool redirectUriMatches(const QString &registered, const QString &requested)
{
    if (registered == requested)
        return true;
    const auto reg = parseRedirectUri(registered);
    const auto req = parseRedirectUri(requested);
    if (!reg || !req || !reg->loopback || !req->loopback)
        return false;
    // RFC 8252 §7.3: "The authorization server MUST allow any port to be specified at the
    // time of the request for loopback IP redirect URIs". Everything else stays exact.
    const QUrl a = QUrl::fromEncoded(registered.toLatin1(), QUrl::StrictMode);
    const QUrl b = QUrl::fromEncoded(requested.toLatin1(), QUrl::StrictMode);
    return a.scheme() == b.scheme() && a.host() == b.host() && a.path(QUrl::FullyEncoded) == b.path(QUrl::FullyEncoded)
        && a.hasQuery() == b.hasQuery() && a.query(QUrl::FullyEncoded) == b.query(QUrl::FullyEncoded);
}

Result<QStringList> parseScope(const QString &scope)
{
    constexpr qsizetype MaxTokens = 64;
    constexpr qsizetype MaxTokenLength = 128;
    const auto error = [](const QString &m) { return Error::make(QStringLiteral("invalid_scope"), m); };
    if (scope.isEmpty())
        return QStringList {};
    const QStringList tokens = scope.split(u' ');
    if (tokens.size() > MaxTokens)
        return error(QStringLiteral("Too many scopes (at most %1).").arg(MaxTokens));
    QStringList out;
    for (const QString &t : tokens) {
        if (t.isEmpty())
            return error(QStringLiteral("Scopes are separated by single spaces."));
        if (t.size() > MaxTokenLength)
            return error(QStringLiteral("A scope is longer than %1 characters.").arg(MaxTokenLength));
        // NQCHAR = %x21 / %x23-5B / %x5D-7E
        for (QChar c : t) {
            const ushort u = c.unicode();
            if (u < 0x21 || u > 0x7e || u == 0x22 || u == 0x5c)
                return error(QStringLiteral("A scope contains a character that is not allowed."));
        }
        out.append(t);
    }
    out.sort();
    out.removeDuplicates();
    return out;
}

QString joinScope(QStringList scopes)
{
    scopes.sort();
    scopes.removeDuplicates();
    return scopes.join(u' ');
}

} // namespace Tessera::OAuth
