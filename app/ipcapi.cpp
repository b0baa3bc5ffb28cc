// SPDX-License-Identifier: GPL-3.0-or-later
#include "ipcapi.h"

#include "application.h"
#include "consent/consentbroker.h"
#include "ipc/ipcserver.h"
#include "localaccess/localaccessapi.h"
#include "oauth/authorizationserver.h"
#include "oauth/clientregistration.h"
#include "oauth/grantservice.h"
#include "oauth/keymanager.h"
#include "oauth/metadata.h"
#include "oauth/resourceservice.h"
#include "oauth/settingsservice.h"
#include "store/clientstore.h"
#include "store/database.h"
#include "store/grantstore.h"
#include "store/resourcestore.h"

#include <QJsonArray>

namespace Tessera::App {

namespace {

const QString kOperator = QStringLiteral("operator");

Error notReady(const Application &app)
{
    return Error::make(app.state() == Application::State::KeychainUnavailable ? QStringLiteral("keychain_unavailable")
                                                                              : QStringLiteral("not_ready"),
        app.statusMessage());
}

QJsonObject resourceJson(const Store::Resource &r)
{
    QJsonArray scopes;
    for (const Store::ResourceScope &s : r.scopes) {
        scopes.append(
            QJsonObject { { QStringLiteral("name"), s.name }, { QStringLiteral("description"), s.description },
                { QStringLiteral("risk"), Store::riskToString(s.risk) } });
    }
    return QJsonObject {
        { QStringLiteral("name"), r.name },
        { QStringLiteral("uri"), r.uri },
        { QStringLiteral("displayName"), r.displayName },
        { QStringLiteral("scopes"), scopes },
        { QStringLiteral("defaultScopes"), QJsonArray::fromStringList(r.defaultScopes) },
        { QStringLiteral("tokenLifetimeSecs"), r.tokenLifetimeSecs },
        { QStringLiteral("introspection"), !r.introspectionSecretHash.isEmpty() },
        { QStringLiteral("protectedResourceMetadataUrl"), OAuth::protectedResourceMetadataUrl(r.uri) },
    };
}

QJsonObject clientJson(const Store::Client &c)
{
    return QJsonObject {
        { QStringLiteral("clientId"), c.clientId },
        { QStringLiteral("kind"), Store::clientKindToString(c.kind) },
        { QStringLiteral("name"), c.clientName },
        // Only a name the person gave is not the client's own: a local client's name is its
        // executable's file name, which the caller chose (issue 9, R1).
        { QStringLiteral("nameIsSelfAsserted"), c.kind != Store::ClientKind::Preregistered },
        { QStringLiteral("redirectUris"), QJsonArray::fromStringList(c.redirectUris) },
        { QStringLiteral("tokenEndpointAuthMethod"), c.tokenEndpointAuthMethod },
        { QStringLiteral("createdAt"), c.createdAt },
        { QStringLiteral("lastSeenAt"), c.lastSeenAt ? QJsonValue(*c.lastSeenAt) : QJsonValue() },
        { QStringLiteral("consented"), c.consented },
    };
}

/** Finds a pending request by full id or by a unique prefix of at least 6 characters. */
Result<QString> resolveRequestId(Consent::ConsentBroker &broker, const QString &given)
{
    if (broker.find(given))
        return given;
    if (given.size() >= 6) {
        QStringList matches;
        for (const Consent::ConsentRequest &r : broker.pending()) {
            if (r.id.startsWith(given))
                matches.append(r.id);
        }
        if (matches.size() == 1)
            return matches.first();
        if (matches.size() > 1)
            return Error::make(
                QStringLiteral("ambiguous"), QStringLiteral("Several pending requests start with %1.").arg(given));
    }
    return Error::make(QStringLiteral("not_found"), QStringLiteral("No pending request has the id %1.").arg(given));
}

Result<QStringList> stringList(const QJsonValue &v, const QString &what)
{
    if (v.isUndefined() || v.isNull())
        return QStringList {};
    if (!v.isArray())
        return Error::make(QStringLiteral("usage"), QStringLiteral("%1 must be a list of strings.").arg(what));
    QStringList out;
    for (const QJsonValue &item : v.toArray()) {
        if (!item.isString())
            return Error::make(QStringLiteral("usage"), QStringLiteral("%1 must be a list of strings.").arg(what));
        out.append(item.toString());
    }
    return out;
}

void registerRequestMethods(Ipc::IpcServer &server, Application &app)
{
    server.handle(QStringLiteral("requests"), [&app](const Ipc::IpcRequest &r) {
        if (!app.consentBroker())
            return r.fail(notReady(app));
        QJsonArray list;
        for (const Consent::ConsentRequest &c : app.consentBroker()->pending())
            list.append(c.toJson());
        r.reply(list);
    });
    server.handle(QStringLiteral("approve"), [&app](const Ipc::IpcRequest &r) {
        Consent::ConsentBroker *broker = app.consentBroker();
        if (!broker)
            return r.fail(notReady(app));
        auto id = resolveRequestId(*broker, r.params().value(QStringLiteral("id")).toString());
        if (!id)
            return r.fail(id.error());
        const Consent::ConsentRequest pending = *broker->find(*id);
        auto scopes = stringList(r.params().value(QStringLiteral("scopes")), QStringLiteral("scopes"));
        if (!scopes)
            return r.fail(scopes.error());
        if (scopes->isEmpty())
            *scopes = pending.scopeNames();
        const QString durationText = r.params().value(QStringLiteral("duration")).toString(QStringLiteral("1h"));
        const auto duration = Consent::durationFromString(durationText);
        if (!duration)
            return r.fail(Error::make(QStringLiteral("usage"),
                QStringLiteral("Unknown duration \"%1\": use once, 1h, 1d or forever.").arg(durationText)));
        Consent::Decision decision = Consent::Decision::approve(*scopes, *duration, QStringLiteral("cli"));
        // R10: extending what a step-up already held is a choice the person names explicitly.
        decision.extendHeld = r.params().value(QStringLiteral("extendHeld")).toBool(false);
        if (Status s = broker->decide(*id, decision); !s)
            return r.fail(s.error());
        r.reply(QJsonObject { { QStringLiteral("id"), *id }, { QStringLiteral("decision"), decision.toJson() } });
    });
    server.handle(QStringLiteral("deny"), [&app](const Ipc::IpcRequest &r) {
        Consent::ConsentBroker *broker = app.consentBroker();
        if (!broker)
            return r.fail(notReady(app));
        auto id = resolveRequestId(*broker, r.params().value(QStringLiteral("id")).toString());
        if (!id)
            return r.fail(id.error());
        if (Status s = broker->decide(*id, Consent::Decision::deny(QStringLiteral("cli"))); !s)
            return r.fail(s.error());
        r.reply(QJsonObject { { QStringLiteral("id"), *id }, { QStringLiteral("denied"), true } });
    });
    server.handle(QStringLiteral("freeze"), [&app](const Ipc::IpcRequest &r) {
        if (!app.consentBroker())
            return r.fail(notReady(app));
        const bool frozen = r.params().value(QStringLiteral("frozen")).toBool(true);
        if (Status s = app.consentBroker()->setFrozen(frozen, kOperator); !s)
            return r.fail(s.error());
        r.reply(QJsonObject { { QStringLiteral("frozen"), app.consentBroker()->isFrozen() },
            { QStringLiteral("lastAccessTokenExpiresAt"),
                app.authorizationServer() ? app.authorizationServer()->lastAccessTokenExpiresAt() : 0 } });
    });
}

Result<QList<Store::ResourceScope>> parseScopes(const QJsonValue &v)
{
    if (!v.isArray() || v.toArray().isEmpty())
        return Error::make(QStringLiteral("usage"), QStringLiteral("A resource needs at least one scope."));
    QList<Store::ResourceScope> out;
    for (const QJsonValue &item : v.toArray()) {
        const QJsonObject o = item.toObject();
        const auto risk = Store::riskFromString(o.value(QStringLiteral("risk")).toString(QStringLiteral("low")));
        if (!risk)
            return Error::make(QStringLiteral("usage"), QStringLiteral("A scope's risk is low or high."));
        out.append(Store::ResourceScope {
            o.value(QStringLiteral("name")).toString(), o.value(QStringLiteral("description")).toString(), *risk });
    }
    return out;
}

void registerResourceMethods(Ipc::IpcServer &server, Application &app)
{
    server.handle(QStringLiteral("resource.add"), [&app](const Ipc::IpcRequest &r) {
        if (!app.resources())
            return r.fail(notReady(app));
        const QJsonObject p = r.params();
        Store::Resource res;
        res.name = p.value(QStringLiteral("name")).toString();
        res.uri = p.value(QStringLiteral("uri")).toString();
        res.displayName = p.value(QStringLiteral("displayName")).toString();
        res.tokenLifetimeSecs = p.value(QStringLiteral("tokenLifetimeSecs")).toInteger(300);
        if (res.tokenLifetimeSecs > OAuth::KeyManager::MaxTokenLifetimeSecs)
            return r.fail(Error::make(QStringLiteral("usage"),
                QStringLiteral("Access tokens live at most %1 seconds.").arg(OAuth::KeyManager::MaxTokenLifetimeSecs)));
        auto scopes = parseScopes(p.value(QStringLiteral("scopes")));
        if (!scopes)
            return r.fail(scopes.error());
        res.scopes = *scopes;
        auto defaults = stringList(p.value(QStringLiteral("defaultScopes")), QStringLiteral("defaultScopes"));
        if (!defaults)
            return r.fail(defaults.error());
        res.defaultScopes = *defaults; // empty: the service picks the low-risk ones (D9)
        const auto introspection = p.value(QStringLiteral("introspection")).toBool()
            ? OAuth::ResourceService::Introspection::Keep
            : OAuth::ResourceService::Introspection::Off;
        auto added = app.resources()->add(res, introspection, kOperator);
        if (!added)
            return r.fail(added.error());
        QJsonObject out = resourceJson(added->resource);
        if (!added->introspectionSecret.isEmpty())
            out.insert(QStringLiteral("introspectionSecret"), added->introspectionSecret); // shown once, never stored
        r.reply(out);
    });
    server.handle(QStringLiteral("resource.list"), [&app](const Ipc::IpcRequest &r) {
        if (!app.database())
            return r.fail(notReady(app));
        auto all = Store::ResourceStore(*app.database()).list();
        if (!all)
            return r.fail(all.error());
        QJsonArray list;
        for (const Store::Resource &res : *all)
            list.append(resourceJson(res));
        r.reply(list);
    });
    const auto findNamed = [&app](const Ipc::IpcRequest &r) -> Result<Store::Resource> {
        if (!app.database() || !app.resources())
            return notReady(app);
        const QString name = r.params().value(QStringLiteral("name")).toString();
        auto found = Store::ResourceStore(*app.database()).findByName(name);
        if (!found)
            return found.error();
        if (!found->has_value())
            return Error::make(
                QStringLiteral("not_found"), QStringLiteral("There is no resource named \"%1\".").arg(name));
        return **found;
    };
    server.handle(QStringLiteral("resource.show"), [findNamed](const Ipc::IpcRequest &r) {
        auto res = findNamed(r);
        res ? r.reply(resourceJson(*res)) : r.fail(res.error());
    });
    server.handle(QStringLiteral("resource.prm"), [&app, findNamed](const Ipc::IpcRequest &r) {
        auto res = findNamed(r);
        if (!res)
            return r.fail(res.error());
        r.reply(OAuth::protectedResourceMetadata(*res, app.locations().issuer()));
    });
    // The dashboard's edit form, for the terminal (issue 10.4): what is not given stays as it is.
    server.handle(QStringLiteral("resource.update"), [&app, findNamed](const Ipc::IpcRequest &r) {
        auto res = findNamed(r);
        if (!res)
            return r.fail(res.error());
        const QJsonObject p = r.params();
        if (p.contains(QStringLiteral("displayName")))
            res->displayName = p.value(QStringLiteral("displayName")).toString();
        if (p.contains(QStringLiteral("tokenLifetimeSecs"))) {
            res->tokenLifetimeSecs = p.value(QStringLiteral("tokenLifetimeSecs")).toInteger();
            if (res->tokenLifetimeSecs <= 0 || res->tokenLifetimeSecs > OAuth::KeyManager::MaxTokenLifetimeSecs)
                return r.fail(Error::make(QStringLiteral("usage"),
                    QStringLiteral("Access tokens live from 1 to %1 seconds.")
                        .arg(OAuth::KeyManager::MaxTokenLifetimeSecs)));
        }
        if (p.contains(QStringLiteral("scopes"))) {
            auto scopes = parseScopes(p.value(QStringLiteral("scopes")));
            if (!scopes)
                return r.fail(scopes.error());
            res->scopes = *scopes;
            res->defaultScopes.clear(); // new scopes: the defaults are named again, or the low-risk ones (D9)
        }
        if (p.contains(QStringLiteral("defaultScopes"))) {
            auto defaults = stringList(p.value(QStringLiteral("defaultScopes")), QStringLiteral("defaultScopes"));
            if (!defaults)
                return r.fail(defaults.error());
            res->defaultScopes = *defaults;
        }
        using Introspection = OAuth::ResourceService::Introspection;
        Introspection introspection = res->introspectionSecretHash.isEmpty() ? Introspection::Off : Introspection::Keep;
        if (p.contains(QStringLiteral("introspection")))
            introspection
                = p.value(QStringLiteral("introspection")).toBool() ? Introspection::Keep : Introspection::Off;
        if (p.value(QStringLiteral("renewSecret")).toBool())
            introspection = Introspection::Renew;
        auto updated = app.resources()->update(*res, introspection, kOperator);
        if (!updated)
            return r.fail(updated.error());
        QJsonObject out = resourceJson(updated->resource);
        if (!updated->introspectionSecret.isEmpty())
            out.insert(QStringLiteral("introspectionSecret"), updated->introspectionSecret); // shown once, never stored
        r.reply(out);
    });
    server.handle(QStringLiteral("resource.remove"), [&app, findNamed](const Ipc::IpcRequest &r) {
        auto res = findNamed(r);
        if (!res)
            return r.fail(res.error());
        // The same rule as the dashboard's: each grant revoked and audited before the resource goes.
        OAuth::AuthorizationServer *as = app.authorizationServer();
        auto revoked = app.resources()->remove(
            res->id, QStringLiteral("resource removed (tessera-cli)"), kOperator, as ? &as->grants() : nullptr);
        if (!revoked)
            return r.fail(revoked.error());
        r.reply(QJsonObject { { QStringLiteral("removed"), true }, { QStringLiteral("grantsRevoked"), *revoked } });
    });
}

void registerClientAndGrantMethods(Ipc::IpcServer &server, Application &app)
{
    server.handle(QStringLiteral("client.add"), [&app](const Ipc::IpcRequest &r) {
        OAuth::AuthorizationServer *as = app.authorizationServer();
        if (!as)
            return r.fail(notReady(app));
        auto uris = stringList(r.params().value(QStringLiteral("redirectUris")), QStringLiteral("redirectUris"));
        if (!uris)
            return r.fail(uris.error());
        auto added = as->registration().addPreregistered(r.params().value(QStringLiteral("name")).toString(), *uris,
            r.params().value(QStringLiteral("confidential")).toBool());
        if (!added)
            return r.fail(Error::make(added.error().error, added.error().description));
        QJsonObject out = clientJson(added->client);
        if (!added->clientSecret.isEmpty())
            out.insert(QStringLiteral("clientSecret"), added->clientSecret); // shown once
        r.reply(out);
    });
    server.handle(QStringLiteral("client.forget"), [&app](const Ipc::IpcRequest &r) {
        OAuth::AuthorizationServer *as = app.authorizationServer();
        if (!as)
            return r.fail(notReady(app));
        const QString clientId = r.params().value(QStringLiteral("client")).toString();
        if (clientId.isEmpty())
            return r.fail(Error::make(QStringLiteral("invalid_params"), QStringLiteral("Say which client to forget.")));
        auto n = as->grants().forgetClient(clientId, QStringLiteral("agent forgotten (tessera-cli)"), kOperator);
        n ? r.reply(QJsonObject { { QStringLiteral("forgotten"), clientId }, { QStringLiteral("grantsRevoked"), *n } })
          : r.fail(n.error());
    });
    server.handle(QStringLiteral("clients"), [&app](const Ipc::IpcRequest &r) {
        if (!app.database())
            return r.fail(notReady(app));
        auto all = Store::ClientStore(*app.database()).list();
        if (!all)
            return r.fail(all.error());
        QJsonArray list;
        for (const Store::Client &c : *all)
            list.append(clientJson(c));
        r.reply(list);
    });
    server.handle(QStringLiteral("grants"), [&app](const Ipc::IpcRequest &r) {
        if (!app.database())
            return r.fail(notReady(app));
        Store::GrantQuery q;
        q.nowSecs = SystemClock::instance().nowSecs();
        q.clientId = r.params().value(QStringLiteral("client")).toString();
        const QString state = r.params().value(QStringLiteral("state")).toString(QStringLiteral("any"));
        q.state = state == QStringLiteral("active") ? Store::GrantQuery::State::Active
            : state == QStringLiteral("revoked")    ? Store::GrantQuery::State::Revoked
            : state == QStringLiteral("expired")    ? Store::GrantQuery::State::Expired
                                                    : Store::GrantQuery::State::Any;
        q.limit = int(qBound(qint64(1), r.params().value(QStringLiteral("limit")).toInteger(500), qint64(5000)));
        auto page = Store::GrantStore(*app.database()).list(q);
        if (!page)
            return r.fail(page.error());
        QJsonArray list;
        for (const Store::Grant &g : page->grants)
            list.append(OAuth::GrantService::toJson(g, q.nowSecs));
        r.reply(list);
    });
    server.handle(QStringLiteral("revoke"), [&app](const Ipc::IpcRequest &r) {
        OAuth::AuthorizationServer *as = app.authorizationServer();
        if (!as)
            return r.fail(notReady(app));
        const QJsonObject p = r.params();
        const QString reason = QStringLiteral("revoked by the person (tessera-cli)");
        if (p.value(QStringLiteral("all")).toBool()) {
            auto n = as->grants().revokeAll(reason, kOperator);
            return n ? r.reply(QJsonObject { { QStringLiteral("revoked"), *n } }) : r.fail(n.error());
        }
        if (p.contains(QStringLiteral("client"))) {
            auto n = as->grants().revokeClient(p.value(QStringLiteral("client")).toString(), reason, kOperator);
            return n ? r.reply(QJsonObject { { QStringLiteral("revoked"), *n } }) : r.fail(n.error());
        }
        auto one = as->grants().revokeGrant(p.value(QStringLiteral("grant")).toString(), reason, kOperator);
        one ? r.reply(QJsonObject { { QStringLiteral("revoked"), *one ? 1 : 0 } }) : r.fail(one.error());
    });
}

} // namespace

void registerSettingsMethods(Ipc::IpcServer &server, Application &app)
{
    server.handle(QStringLiteral("settings"), [&app](const Ipc::IpcRequest &r) {
        if (!app.database() || !app.auditLog())
            return r.fail(notReady(app));
        const OAuth::SettingsService settings(*app.database(), *app.auditLog());
        QJsonArray list;
        for (const OAuth::SettingsService::Definition &d : OAuth::SettingsService::definitions()) {
            auto v = settings.value(d.key);
            if (!v)
                return r.fail(v.error());
            list.append(QJsonObject { { QStringLiteral("key"), d.key }, { QStringLiteral("value"), *v },
                { QStringLiteral("description"), d.description } });
        }
        r.reply(list);
    });
    // The Settings page's setters, for the terminal: the same service, so the same rules and events.
    server.handle(QStringLiteral("settings.set"), [&app](const Ipc::IpcRequest &r) {
        if (!app.database() || !app.auditLog())
            return r.fail(notReady(app));
        OAuth::SettingsService settings(*app.database(), *app.auditLog());
        const QString key = r.params().value(QStringLiteral("key")).toString();
        auto changed = settings.set(key, r.params().value(QStringLiteral("value")).toString(), kOperator);
        if (!changed)
            return r.fail(changed.error());
        const QString value = settings.value(key).valueOr(QString());
        if (key == QLatin1String(OAuth::SettingsService::PromptTimeoutKey) && app.consentBroker())
            app.consentBroker()->setPromptTimeoutSecs(value.toInt());
        r.reply(QJsonObject { { QStringLiteral("key"), key }, { QStringLiteral("changed"), *changed },
            { QStringLiteral("value"), value } });
    });
}

void registerClientApi(Ipc::IpcServer &server, Application &app)
{
    // status is registered by Application on both sockets.
    registerLocalAccessClientApi(server, app);
}

void registerOperatorApi(Ipc::IpcServer &server, Application &app)
{
    registerLocalAccessOperatorApi(server, app);
    registerRequestMethods(server, app);
    registerResourceMethods(server, app);
    registerClientAndGrantMethods(server, app);
    registerSettingsMethods(server, app);
}

} // namespace Tessera::App
