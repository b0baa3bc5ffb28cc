// SPDX-License-Identifier: GPL-3.0-or-later
#include "oauth/resourceservice.h"

#include "common/clock.h"
#include "crypto/hash.h"
#include "crypto/random.h"
#include "oauth/grantservice.h"
#include "oauth/keymanager.h"
#include "store/auditlog.h"
#include "store/database.h"
#include "store/grantstore.h"
#include "store/resourcestore.h"
#include "store/storeerror.h"

#include <QJsonArray>
#include <QJsonObject>

namespace Tessera::OAuth {

Result<ResourceService::Saved> ResourceService::add(
    Store::Resource resource, Introspection introspection, const QString &actor)
{
    resource.id = 0;
    return save(std::move(resource), introspection, actor);
}

Result<ResourceService::Saved> ResourceService::update(
    Store::Resource resource, Introspection introspection, const QString &actor)
{
    if (resource.id <= 0)
        return Error::make(Store::ErrorCode::ResourceUnknown, QStringLiteral("Say which resource to change."));
    return save(std::move(resource), introspection, actor);
}

Result<ResourceService::Saved> ResourceService::save(
    Store::Resource r, Introspection introspection, const QString &actor)
{
    // Access tokens live at most an hour (KeyManager keeps retired keys published that long).
    if (r.tokenLifetimeSecs < 1 || r.tokenLifetimeSecs > KeyManager::MaxTokenLifetimeSecs)
        return Error::make(Store::ErrorCode::InvalidArgument,
            QStringLiteral("Access tokens live between 1 and %1 seconds.").arg(KeyManager::MaxTokenLifetimeSecs));
    if (r.defaultScopes.isEmpty()) {
        // Least privilege when nothing is chosen (security-cases D9): the low-risk scopes only.
        for (const Store::ResourceScope &s : std::as_const(r.scopes)) {
            if (s.risk == Store::Risk::Low)
                r.defaultScopes.append(s.name);
        }
    }
    const bool adding = r.id == 0;
    auto tx = Store::Transaction::begin(m_db);
    if (!tx)
        return tx.error();
    Store::ResourceStore store(m_db);
    QByteArray existingHash;
    if (!adding) {
        auto existing = store.find(r.id);
        if (!existing)
            return existing.error();
        if (!existing->has_value())
            return Error::make(Store::ErrorCode::ResourceUnknown, QStringLiteral("This resource is gone."));
        existingHash = (*existing)->introspectionSecretHash;
    }
    QString secret;
    r.introspectionSecretHash.clear();
    if (introspection == Introspection::Renew || (introspection == Introspection::Keep && existingHash.isEmpty())) {
        auto token = Crypto::randomToken(32);
        if (!token)
            return token.error();
        secret = *token;
        r.introspectionSecretHash = Crypto::sha256(secret.toLatin1()); // only the hash is stored
    } else if (introspection == Introspection::Keep) {
        r.introspectionSecretHash = existingHash;
    }
    const qint64 now = m_clock.nowSecs();
    auto written = adding ? store.add(r, now) : store.update(r, now);
    if (!written)
        return written.error();
    QStringList scopeNames;
    for (const Store::ResourceScope &s : std::as_const(written->scopes))
        scopeNames.append(s.name);
    if (auto a = m_audit.append({ adding ? QStringLiteral("resource.added") : QStringLiteral("resource.updated"), actor,
            {}, written->uri, {},
            QJsonObject { { QStringLiteral("name"), written->name },
                { QStringLiteral("scopes"), QJsonArray::fromStringList(scopeNames) },
                { QStringLiteral("token_lifetime_secs"), written->tokenLifetimeSecs },
                { QStringLiteral("introspection"), !written->introspectionSecretHash.isEmpty() },
                { QStringLiteral("introspection_secret_renewed"), !secret.isEmpty() } } });
        !a)
        return a.error();
    if (Status s = tx->commit(); !s)
        return s.error();
    return Saved { *written, secret };
}

Result<int> ResourceService::remove(
    qint64 resourceId, const QString &reason, const QString &actor, GrantService *grants)
{
    auto tx = Store::Transaction::begin(m_db);
    if (!tx)
        return tx.error();
    Store::ResourceStore store(m_db);
    auto found = store.find(resourceId);
    if (!found)
        return found.error();
    if (!found->has_value())
        return Error::make(QStringLiteral("not_found"), QStringLiteral("This resource is already gone."));
    const Store::Resource resource = **found;
    // Revoke first, so that the audit log says which grants ended and why; the cascade that
    // deletes them with the resource would say nothing.
    Store::GrantQuery q;
    q.resourceId = resourceId;
    q.state = Store::GrantQuery::State::Active;
    q.nowSecs = m_clock.nowSecs();
    q.limit = 500;
    int revoked = 0;
    for (;;) {
        auto page = Store::GrantStore(m_db).list(q);
        if (!page)
            return page.error();
        if (page->grants.isEmpty())
            break;
        if (!grants)
            return Error::make(RevocationUnavailable,
                QStringLiteral("This resource still has active grants, and revoking them needs Tessera's server, "
                               "which is not running yet."));
        for (const Store::Grant &g : std::as_const(page->grants)) {
            auto r = grants->revokeGrant(g.id, reason, actor); // a savepoint inside this transaction
            if (!r)
                return r.error();
            if (!*r) // listed as active but not revoked: never loop on it
                return Error::make(
                    Store::ErrorCode::StoreError, QStringLiteral("The grant %1 could not be revoked.").arg(g.id));
            ++revoked;
        }
    }
    auto removed = store.remove(resourceId);
    if (!removed)
        return removed.error();
    if (auto a = m_audit.append({ QStringLiteral("resource.removed"), actor, {}, resource.uri, {},
            QJsonObject { { QStringLiteral("name"), resource.name }, { QStringLiteral("grants_revoked"), revoked } } });
        !a)
        return a.error();
    if (Status s = tx->commit(); !s)
        return s.error();
    return revoked;
}

} // namespace Tessera::OAuth
