// SPDX-License-Identifier: GPL-3.0-or-later
#include "oauth/grantservice.h"

#include "common/logging.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "store/auditlog.h"
#include "store/authorizationcodestore.h"
#include "store/clientstore.h"
#include "store/database.h"
#include "store/grantstore.h"

#include <QJsonArray>

namespace Tessera::OAuth {

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
    return any->has_value() ? (*any)->scopes : QStringList {};
}

Result<Store::Grant> GrantService::grantFromApproval(const QString &clientId, const Store::Resource &resource,
    const QStringList &approvedScopes, Consent::Duration duration, const QString &actor)
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
    g.scopes = approvedScopes;
    if (previous->has_value())
        g.scopes += (*previous)->scopes; // step-up keeps what was already granted
    g.scopes = Store::canonicalScopes(g.scopes);
    g.createdAt = now;
    const auto lifetime = Consent::durationSecs(duration, resource.tokenLifetimeSecs);
    if (lifetime)
        g.expiresAt = now + *lifetime;
    g.duration = Consent::durationToString(duration);
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
            { QStringLiteral("duration"), g.duration },
            { QStringLiteral("supersedes"), previous->has_value() ? (*previous)->id : QString() } } });
    if (!a)
        return a.error();
    if (Status s = tx->commit(); !s)
        return s.error();
    return g;
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
