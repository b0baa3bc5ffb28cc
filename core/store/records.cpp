// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/records.h"

#include <QJsonDocument>

#include <algorithm>

namespace Tessera::Store {

QStringList canonicalScopes(const QStringList &scopes)
{
    QStringList out;
    out.reserve(scopes.size());
    for (const QString &s : scopes) {
        if (!s.isEmpty())
            out.append(s);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

QString joinScopes(const QStringList &scopes)
{
    return canonicalScopes(scopes).join(u' ');
}

QStringList splitScopes(const QString &scopes)
{
    return canonicalScopes(scopes.split(u' ', Qt::SkipEmptyParts));
}

bool isValidScopeToken(QStringView token)
{
    if (token.isEmpty())
        return false;
    for (QChar c : token) {
        const char16_t u = c.unicode();
        // RFC 6749 §3.3: NQCHAR without space, double quote and backslash.
        if (!(u == 0x21 || (u >= 0x23 && u <= 0x5B) || (u >= 0x5D && u <= 0x7E)))
            return false;
    }
    return true;
}

bool scopesCover(const QStringList &granted, const QStringList &requested)
{
    return std::all_of(requested.cbegin(), requested.cend(), [&](const QString &s) { return granted.contains(s); });
}

QString riskToString(Risk risk)
{
    return risk == Risk::High ? QStringLiteral("high") : QStringLiteral("low");
}

std::optional<Risk> riskFromString(QStringView text)
{
    if (text == u"low")
        return Risk::Low;
    if (text == u"high")
        return Risk::High;
    return std::nullopt;
}

std::optional<ResourceScope> Resource::scope(const QString &scopeName) const
{
    for (const ResourceScope &s : scopes) {
        if (s.name == scopeName)
            return s;
    }
    return std::nullopt;
}

QString clientKindToString(ClientKind kind)
{
    switch (kind) {
    case ClientKind::Dcr:
        return QStringLiteral("dcr");
    case ClientKind::Cimd:
        return QStringLiteral("cimd");
    case ClientKind::Preregistered:
        return QStringLiteral("preregistered");
    case ClientKind::Local:
        return QStringLiteral("local");
    }
    return {};
}

std::optional<ClientKind> clientKindFromString(QStringView text)
{
    for (ClientKind k : { ClientKind::Dcr, ClientKind::Cimd, ClientKind::Preregistered, ClientKind::Local }) {
        if (text == clientKindToString(k))
            return k;
    }
    return std::nullopt;
}

QString grantStateToString(GrantState state)
{
    return state == GrantState::Revoked ? QStringLiteral("revoked") : QStringLiteral("active");
}

QString consentPathToString(ConsentPath path)
{
    switch (path) {
    case ConsentPath::Authorize:
        return QStringLiteral("authorize");
    case ConsentPath::Token:
        return QStringLiteral("token");
    case ConsentPath::Secret:
        return QStringLiteral("secret");
    case ConsentPath::Exec:
        return QStringLiteral("exec");
    }
    return {};
}

std::optional<ConsentPath> consentPathFromString(QStringView text)
{
    for (ConsentPath p : { ConsentPath::Authorize, ConsentPath::Token, ConsentPath::Secret, ConsentPath::Exec }) {
        if (text == consentPathToString(p))
            return p;
    }
    return std::nullopt;
}

QString consentStatusToString(ConsentStatus status)
{
    switch (status) {
    case ConsentStatus::Pending:
        return QStringLiteral("pending");
    case ConsentStatus::Approved:
        return QStringLiteral("approved");
    case ConsentStatus::Denied:
        return QStringLiteral("denied");
    case ConsentStatus::Expired:
        return QStringLiteral("expired");
    }
    return {};
}

std::optional<ConsentStatus> consentStatusFromString(QStringView text)
{
    for (ConsentStatus s :
        { ConsentStatus::Pending, ConsentStatus::Approved, ConsentStatus::Denied, ConsentStatus::Expired }) {
        if (text == consentStatusToString(s))
            return s;
    }
    return std::nullopt;
}

QJsonObject AuditEvent::detailsObject() const
{
    return QJsonDocument::fromJson(details).object();
}

} // namespace Tessera::Store
