// SPDX-License-Identifier: GPL-3.0-or-later
#include "oauth/grantservice.h"

#include "common/logging.h"
#include "consent/consentbroker.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "store/auditlog.h"
#include "store/authorizationcodestore.h"
#include "store/clientstore.h"
#include "store/database.h"
#include "store/grantstore.h"
#include "store/storeerror.h"

#include <QJsonArray>

namespace Tessera::OAuth {

namespace {
/** @brief Per-scope ends where they differ from the grant's: {scope: seconds or null}. */
QJsonObject scopeEndsJson(const Store::Grant &g)
{
    QJsonObject o;
    for (auto it = g.scopeExpiresAt.begin(); it != g.scopeExpiresAt.end(); ++it)
        o.insert(it.key(), *it ? QJsonValue(**it) : QJsonValue());
    return o;
}
} // namespace

Result<std::optional<Store::Grant>> GrantService::coveringGrant(const AuthorizationSnapshot &s)
{
    return Store::GrantStore(m_ctx.db).findActiveCovering(s.clientId, s.resourceId, s.scopes, m_ctx.clock.nowSecs());
}

Status GrantService::recordReceiver(const QString &grantId, const Ipc::ExecutableIdentity &exe)
{
    if (!exe.isValid())
        return Error::make(QStringLiteral("invalid_argument"), QStringLiteral("The receiving executable is unknown."));
    return Store::GrantStore(m_ctx.db).setReceiver(
        Store::GrantReceiver { grantId, exe.path, exe.device, exe.inode, m_ctx.clock.nowSecs() });
}

Result<std::optional<Store::GrantReceiver>> GrantService::receiverOf(const QString &grantId)
{
    return Store::GrantStore(m_ctx.db).receiver(grantId);
}

bool GrantService::isRecordedReceiver(
    const std::optional<Store::GrantReceiver> &recorded, const Ipc::ExecutableIdentity &exe)
{
    return recorded
        && exe.sameFile(Ipc::ExecutableIdentity { recorded->exePath, recorded->exeDevice, recorded->exeInode });
}

Result<QStringList> GrantService::heldScopes(const QString &clientId, qint64 resourceId)
{
    auto any = Store::GrantStore(m_ctx.db).findActiveCovering(clientId, resourceId, {}, m_ctx.clock.nowSecs());
    if (!any)
        return any.error();
    return any->has_value() ? (*any)->scopesAt(m_ctx.clock.nowSecs()) : QStringList {};
}

Result<QMap<QString, std::optional<qint64>>> GrantService::heldScopeEnds(const QString &clientId, qint64 resourceId)
{
    const qint64 now = m_ctx.clock.nowSecs();
    auto any = Store::GrantStore(m_ctx.db).findActiveCovering(clientId, resourceId, {}, now);
    if (!any)
        return any.error();
    QMap<QString, std::optional<qint64>> out;
    if (any->has_value()) {
        for (const QString &s : (*any)->scopesAt(now))
            out.insert(s, (*any)->scopeEnd(s));
    }
    return out;
}

void GrantService::markHeld(Consent::ConsentRequest &request, const QString &clientId, qint64 resourceId)
{
    const auto held = heldScopeEnds(clientId, resourceId).valueOr(QMap<QString, std::optional<qint64>> {});
    for (Consent::ScopeItem &item : request.scopes) {
        const auto it = held.constFind(item.name);
        item.alreadyGranted = it != held.constEnd();
        if (item.alreadyGranted)
            request.heldUntil.insert(item.name, *it);
    }
}

Result<Store::Grant> GrantService::grantFromApproval(const QString &clientId, const Store::Resource &resource,
    const QStringList &approvedScopes, Consent::Duration duration, const QString &actor, bool extendHeld)
{
    const qint64 now = m_ctx.clock.nowSecs();
    auto id = Crypto::randomToken(16);
    if (!id)
        return id.error();
    auto tx = Store::Transaction::begin(m_ctx.db);
    if (!tx)
        return tx.error();
    Store::GrantStore grants(m_ctx.db);
    auto previous = grants.findActiveCovering(clientId, resource.id, {}, now);
    if (!previous)
        return previous.error();

    Store::Grant g;
    g.id = *id;
    g.clientId = clientId;
    g.resourceId = resource.id;
    const QStringList held = previous->has_value() ? (*previous)->scopesAt(now) : QStringList {};
    g.scopes = Store::canonicalScopes(approvedScopes + held); // step-up keeps what was already granted
    g.createdAt = now;
    const auto lifetime = Consent::durationSecs(duration, resource.tokenLifetimeSecs);
    const std::optional<qint64> newEnd = lifetime ? std::optional<qint64>(now + *lifetime) : std::nullopt;
    g.duration = Consent::durationToString(duration);
    // R10: a scope held before keeps the end the person gave it; only new scopes (and, when the
    // person chose to extend, the held ones) take this decision's. The grant ends with its last scope.
    bool forever = false;
    qint64 latest = 0;
    for (const QString &scope : std::as_const(g.scopes)) {
        const std::optional<qint64> end = held.contains(scope) && !extendHeld ? (*previous)->scopeEnd(scope) : newEnd;
        g.scopeExpiresAt.insert(scope, end);
        forever = forever || !end;
        latest = end ? qMax(latest, *end) : latest;
    }
    g.expiresAt = forever ? std::nullopt : std::optional<qint64>(latest);
    for (auto it = g.scopeExpiresAt.begin(); it != g.scopeExpiresAt.end();)
        it = *it == g.expiresAt ? g.scopeExpiresAt.erase(it) : std::next(it); // uniform ends stay implicit
    // "once" means no refresh token; held scopes that outlive a once step-up keep refreshing.
    if (duration == Consent::Duration::Once && !extendHeld && !held.isEmpty())
        g.duration = (*previous)->duration;
    if (Status s = grants.create(g); !s)
        return s.error();
    if (previous->has_value()) {
        if (auto r = grants.revoke((*previous)->id, QStringLiteral("superseded by ") + g.id, now); !r)
            return r.error();
    }
    if (Status s = Store::ClientStore(m_ctx.db).markConsented(clientId); !s)
        return s.error();
    auto a = m_ctx.audit.append({ QStringLiteral("grant.created"), actor, clientId, resource.uri, g.id,
        QJsonObject { { QStringLiteral("scopes"), QJsonArray::fromStringList(g.scopes) },
            { QStringLiteral("duration"), g.duration }, { QStringLiteral("extendHeld"), extendHeld },
            { QStringLiteral("scopeExpiresAt"), scopeEndsJson(g) },
            { QStringLiteral("supersedes"), previous->has_value() ? (*previous)->id : QString() } } });
    if (!a)
        return a.error();
    if (Status s = tx->commit(); !s)
        return s.error();
    return g;
}

Result<Store::Grant> GrantService::sharedGrant(
    const Consent::Decision &decision, const std::function<Result<Store::Grant>()> &make)
{
    if (decision.requestId.isEmpty())
        return make();
    const qint64 now = m_ctx.clock.nowSecs();
    if (const std::optional<QString> known = m_approvals.find(decision.requestId, now)) {
        auto g = Store::GrantStore(m_ctx.db).find(*known);
        if (!g)
            return g.error();
        if (!g->has_value() || (*g)->state != Store::GrantState::Active || (*g)->isExpired(now))
            return Error::make(QStringLiteral("grant_revoked"),
                QStringLiteral("The permission this approval gave was revoked or has ended; ask again."));
        return **g;
    }
    auto made = make();
    if (made)
        m_approvals.remember(decision.requestId, made->id, now);
    return made;
}

Result<QString> GrantService::issueCode(const Store::Grant &grant, const AuthorizationSnapshot &s)
{
    auto code = Crypto::randomToken(32);
    if (!code)
        return code.error();
    const qint64 now = m_ctx.clock.nowSecs();
    Store::AuthorizationCode c;
    c.codeHash = Crypto::sha256(code->toLatin1()); // the code itself is never stored
    c.grantId = grant.id;
    c.clientId = s.clientId;
    c.redirectUri = s.redirectUri;
    c.codeChallenge = s.codeChallenge;
    c.resource = s.resourceUri;
    c.scopes = s.scopes;
    c.createdAt = now;
    c.expiresAt = now + ServerContext::CodeLifetimeSecs;
    auto tx = Store::Transaction::begin(m_ctx.db);
    if (!tx)
        return tx.error();
    if (Status st = Store::AuthorizationCodeStore(m_ctx.db).insert(c); !st)
        return st.error();
    if (auto a
        = m_ctx.audit.append({ QStringLiteral("code.issued"), QStringLiteral("system"), s.clientId, s.resourceUri,
            grant.id, QJsonObject { { QStringLiteral("scopes"), QJsonArray::fromStringList(s.scopes) } } });
        !a)
        return a.error();
    if (Status st = tx->commit(); !st)
        return st.error();
    return *code;
}

Result<bool> GrantService::revokeGrant(const QString &grantId, const QString &reason, const QString &actor)
{
    auto tx = Store::Transaction::begin(m_ctx.db);
    if (!tx)
        return tx.error();
    Store::GrantStore grants(m_ctx.db);
    auto g = grants.find(grantId);
    if (!g)
        return g.error();
    if (!g->has_value())
        return Error::make(QStringLiteral("not_found"), QStringLiteral("There is no grant %1.").arg(grantId));
    auto revoked = grants.revoke(grantId, reason, m_ctx.clock.nowSecs());
    if (!revoked)
        return revoked.error();
    if (*revoked) {
        if (auto a = m_ctx.audit.append({ QStringLiteral("grant.revoked"), actor, (*g)->clientId, (*g)->resourceUri,
                grantId, QJsonObject { { QStringLiteral("reason"), reason } } });
            !a)
            return a.error();
    }
    if (Status s = tx->commit(); !s)
        return s.error();
    return *revoked;
}

Result<int> GrantService::revokeClient(const QString &clientId, const QString &reason, const QString &actor)
{
    auto tx = Store::Transaction::begin(m_ctx.db);
    if (!tx)
        return tx.error();
    auto n = Store::GrantStore(m_ctx.db).revokeAllForClient(clientId, reason, m_ctx.clock.nowSecs());
    if (!n)
        return n.error();
    if (auto a = m_ctx.audit.append({ QStringLiteral("client.revoked"), actor, clientId, {}, {},
            QJsonObject { { QStringLiteral("reason"), reason }, { QStringLiteral("grants"), *n } } });
        !a)
        return a.error();
    if (Status s = tx->commit(); !s)
        return s.error();
    return *n;
}

Result<int> GrantService::forgetClient(const QString &clientId, const QString &reason, const QString &actor)
{
    Store::ClientStore clients(m_ctx.db);
    auto client = clients.find(clientId);
    if (!client)
        return client.error();
    if (!client->has_value())
        return Error::make(
            Store::ErrorCode::ClientUnknown, QStringLiteral("No client is registered as %1.").arg(clientId));
    // Nobody will decide for an agent that no longer exists.
    for (const Consent::ConsentRequest &r : m_ctx.broker.pending()) {
        if (r.requester.clientId == clientId)
            m_ctx.broker.cancel(r.id);
    }
    auto tx = Store::Transaction::begin(m_ctx.db);
    if (!tx)
        return tx.error();
    auto revoked = revokeClient(clientId, reason, actor);
    if (!revoked)
        return revoked.error();
    if (auto removed = clients.remove(clientId); !removed)
        return removed.error();
    if (auto a = m_ctx.audit.append({ QStringLiteral("client.forgotten"), actor, clientId, {}, {},
            QJsonObject { { QStringLiteral("name"), (*client)->clientName },
                { QStringLiteral("kind"), Store::clientKindToString((*client)->kind) },
                { QStringLiteral("grants_revoked"), *revoked } } });
        !a)
        return a.error();
    if (Status s = tx->commit(); !s)
        return s.error();
    return *revoked;
}

Result<int> GrantService::revokeAll(const QString &reason, const QString &actor)
{
    auto tx = Store::Transaction::begin(m_ctx.db);
    if (!tx)
        return tx.error();
    Store::GrantStore grants(m_ctx.db);
    Store::GrantQuery q;
    q.state = Store::GrantQuery::State::Active;
    q.nowSecs = m_ctx.clock.nowSecs();
    q.limit = 500;
    int total = 0;
    // Each pass revokes the page it read, so the next first page holds the rest.
    for (;;) {
        auto page = grants.list(q);
        if (!page)
            return page.error();
        if (page->grants.isEmpty())
            break;
        for (const Store::Grant &g : page->grants) {
            auto r = grants.revoke(g.id, reason, q.nowSecs);
            if (!r)
                return r.error();
            total += *r ? 1 : 0;
        }
    }
    if (auto a = m_ctx.audit.append({ QStringLiteral("grant.revoked_all"), actor, {}, {}, {},
            QJsonObject { { QStringLiteral("reason"), reason }, { QStringLiteral("grants"), total } } });
        !a)
        return a.error();
    if (Status s = tx->commit(); !s)
        return s.error();
    return total;
}

QJsonObject GrantService::toJson(const Store::Grant &g, qint64 nowSecs)
{
    const QString state = g.state == Store::GrantState::Revoked ? QStringLiteral("revoked")
        : g.isExpired(nowSecs)                                  ? QStringLiteral("expired")
                                                                : QStringLiteral("active");
    return QJsonObject {
        { QStringLiteral("id"), g.id },
        { QStringLiteral("clientId"), g.clientId },
        { QStringLiteral("clientName"), g.clientName },
        { QStringLiteral("resourceUri"), g.resourceUri },
        { QStringLiteral("resourceName"), g.resourceName },
        { QStringLiteral("scopes"), QJsonArray::fromStringList(g.scopes) },
        { QStringLiteral("scopeExpiresAt"), scopeEndsJson(g) },
        { QStringLiteral("duration"), g.duration },
        { QStringLiteral("createdAt"), g.createdAt },
        { QStringLiteral("expiresAt"), g.expiresAt ? QJsonValue(*g.expiresAt) : QJsonValue() },
        { QStringLiteral("lastUsedAt"), g.lastUsedAt ? QJsonValue(*g.lastUsedAt) : QJsonValue() },
        { QStringLiteral("useCount"), g.useCount },
        { QStringLiteral("state"), state },
        { QStringLiteral("revokedReason"), g.revokedReason },
    };
}

} // namespace Tessera::OAuth
