// SPDX-License-Identifier: GPL-3.0-or-later
#include "consent/consentrequest.h"

#include <QJsonArray>

namespace Tessera::Consent {

QString durationToString(Duration d)
{
    switch (d) {
    case Duration::Once:
        return QStringLiteral("once");
    case Duration::OneHour:
        return QStringLiteral("1h");
    case Duration::OneDay:
        return QStringLiteral("1d");
    case Duration::UntilRevoked:
        return QStringLiteral("forever");
    }
    return {};
}

std::optional<Duration> durationFromString(const QString &text)
{
    if (text == QStringLiteral("once"))
        return Duration::Once;
    if (text == QStringLiteral("1h"))
        return Duration::OneHour;
    if (text == QStringLiteral("1d"))
        return Duration::OneDay;
    if (text == QStringLiteral("forever") || text == QStringLiteral("until_revoked"))
        return Duration::UntilRevoked;
    return std::nullopt;
}

std::optional<qint64> durationSecs(Duration d, qint64 accessTokenLifetimeSecs)
{
    switch (d) {
    case Duration::Once:
        return accessTokenLifetimeSecs;
    case Duration::OneHour:
        return 3600;
    case Duration::OneDay:
        return 86400;
    case Duration::UntilRevoked:
        return std::nullopt;
    }
    return std::nullopt;
}

QString pathToString(Path p)
{
    switch (p) {
    case Path::Authorize:
        return QStringLiteral("authorize");
    case Path::Token:
        return QStringLiteral("token");
    case Path::Secret:
        return QStringLiteral("secret");
    case Path::Exec:
        return QStringLiteral("exec");
    }
    return {};
}

QString outcomeToString(Decision::Outcome o)
{
    switch (o) {
    case Decision::Outcome::Approved:
        return QStringLiteral("approved");
    case Decision::Outcome::Denied:
        return QStringLiteral("denied");
    case Decision::Outcome::TimedOut:
        return QStringLiteral("timed_out");
    case Decision::Outcome::Cancelled:
        return QStringLiteral("cancelled");
    case Decision::Outcome::Frozen:
        return QStringLiteral("frozen");
    case Decision::Outcome::Throttled:
        return QStringLiteral("throttled");
    case Decision::Outcome::AnsweredOnceElsewhere:
        return QStringLiteral("answered_once_elsewhere");
    }
    return {};
}

QStringList ConsentRequest::scopeNames() const
{
    QStringList out;
    for (const ScopeItem &s : scopes)
        out.append(s.name);
    return out;
}

QStringList ConsentRequest::newScopeNames() const
{
    QStringList out;
    for (const ScopeItem &s : scopes) {
        if (!s.alreadyGranted)
            out.append(s.name);
    }
    return out;
}

QJsonObject ConsentRequest::toJson() const
{
    QJsonArray scopeArray;
    for (const ScopeItem &s : scopes) {
        QJsonObject item { { QStringLiteral("name"), s.name }, { QStringLiteral("description"), s.description },
            { QStringLiteral("risk"), s.highRisk ? QStringLiteral("high") : QStringLiteral("low") },
            { QStringLiteral("alreadyGranted"), s.alreadyGranted } };
        if (const auto end = heldUntil.constFind(s.name); s.alreadyGranted && end != heldUntil.constEnd())
            item.insert(QStringLiteral("heldUntil"), *end ? QJsonValue(**end) : QJsonValue()); // null: until revoked
        scopeArray.append(item);
    }
    const auto chainJson = [](const QList<ProcessFact> &facts) {
        QJsonArray out;
        for (const ProcessFact &p : facts) {
            out.append(QJsonObject { { QStringLiteral("pid"), p.pid }, { QStringLiteral("exe"), p.exe },
                { QStringLiteral("comm"), p.comm } });
        }
        return out;
    };
    const QJsonArray chain = chainJson(requester.processChain);
    QJsonArray merged;
    for (const QList<ProcessFact> &c : mergedChains)
        merged.append(chainJson(c));
    const QJsonObject who {
        { QStringLiteral("clientId"), requester.clientId },
        { QStringLiteral("kind"), requester.clientKind },
        { QStringLiteral("name"), requester.clientName },
        { QStringLiteral("nameIsSelfAsserted"), true },
        { QStringLiteral("clientUri"), requester.clientUri },
        { QStringLiteral("verifiedDomain"), requester.verifiedDomain },
        { QStringLiteral("redirectUri"), requester.redirectUri },
        { QStringLiteral("loopbackRedirect"), requester.loopbackRedirect },
        { QStringLiteral("localhostName"), requester.localhostName },
        { QStringLiteral("newClient"), requester.newClient },
        { QStringLiteral("processChain"), chain },
        { QStringLiteral("previousExecutable"), requester.previousExecutable },
        { QStringLiteral("receiverWarnings"), QJsonArray::fromStringList(requester.receiverWarnings) },
        { QStringLiteral("commandLine"), requester.commandLine },
    };
    return QJsonObject {
        { QStringLiteral("id"), id },
        { QStringLiteral("path"), pathToString(path) },
        { QStringLiteral("requester"), who },
        { QStringLiteral("resource"),
            QJsonObject { { QStringLiteral("uri"), resourceUri }, { QStringLiteral("name"), resourceName } } },
        { QStringLiteral("scopes"), scopeArray },
        { QStringLiteral("secrets"), QJsonArray::fromStringList(secrets) },
        { QStringLiteral("createdAtMs"), createdAtMs },
        { QStringLiteral("expiresAtMs"), expiresAtMs },
        { QStringLiteral("merged"), mergedCount },
        { QStringLiteral("mergedChains"), merged },
    };
}

QJsonObject Decision::toJson() const
{
    QJsonObject o { { QStringLiteral("outcome"), outcomeToString(outcome) }, { QStringLiteral("by"), decidedBy } };
    if (approved()) {
        o.insert(QStringLiteral("scopes"), QJsonArray::fromStringList(scopes));
        o.insert(QStringLiteral("duration"), durationToString(duration));
        o.insert(QStringLiteral("extendHeld"), extendHeld);
    }
    return o;
}

Decision Decision::approve(QStringList scopes, Duration d, QString by)
{
    Decision dec;
    dec.outcome = Outcome::Approved;
    scopes.sort();
    scopes.removeDuplicates();
    dec.scopes = std::move(scopes);
    dec.duration = d;
    dec.decidedBy = std::move(by);
    return dec;
}

Decision Decision::deny(QString by)
{
    Decision dec;
    dec.outcome = Outcome::Denied;
    dec.decidedBy = std::move(by);
    return dec;
}

} // namespace Tessera::Consent
