// SPDX-License-Identifier: GPL-3.0-or-later
#include "localaccess/localaccessapi.h"

#include "application.h"
#include "common/logging.h"
#include "consent/consentbroker.h"
#include "ipc/ipcserver.h"
#include "localaccess/caller.h"
#include "localaccess/localaccess.h"
#include "store/auditlog.h"

#include <QJsonArray>

namespace Tessera::App {

namespace {

const QString kOperator = QStringLiteral("operator");

Error usage(const QString &message)
{
    return Error::make(QStringLiteral("usage"), message);
}

Result<QStringList> strings(const QJsonValue &v, const QString &what)
{
    if (v.isUndefined() || v.isNull())
        return QStringList {};
    if (!v.isArray())
        return usage(QStringLiteral("%1 must be a list of strings.").arg(what));
    QStringList out;
    for (const QJsonValue &item : v.toArray()) {
        if (!item.isString())
            return usage(QStringLiteral("%1 must be a list of strings.").arg(what));
        out.append(item.toString());
    }
    return out;
}

/**
 * The caller as of accept, checked again now (R2). A connection whose process exited, or that
 * runs another program than when it connected, is refused, and the refusal audited under the
 * program that connected, never under the one it turned into.
 */
Result<CallerInfo> callerOf(const Ipc::IpcRequest &r, Application &app)
{
    std::optional<CallerInfo> described;
    auto caller = resolveCaller(r.peerIdentity(), &described);
    if (!caller && described)
        LocalAccess::of(app).auditRefusedCaller(*described, r.method(), caller.error());
    return caller;
}

void answer(const Ipc::IpcRequest &r, const Result<QJsonObject> &out)
{
    if (out)
        r.reply(*out);
    else
        r.fail(out.error());
}

QJsonObject auditEventJson(const Store::AuditEvent &e)
{
    return QJsonObject {
        { QStringLiteral("seq"), e.seq },
        { QStringLiteral("ts"), e.tsMs },
        { QStringLiteral("kind"), e.kind },
        { QStringLiteral("actor"), e.actor },
        { QStringLiteral("clientId"), e.clientId.isEmpty() ? QJsonValue() : QJsonValue(e.clientId) },
        { QStringLiteral("resource"), e.resource.isEmpty() ? QJsonValue() : QJsonValue(e.resource) },
        { QStringLiteral("grantId"), e.grantId.isEmpty() ? QJsonValue() : QJsonValue(e.grantId) },
        { QStringLiteral("details"), e.detailsObject() },
        { QStringLiteral("prevHash"), QString::fromLatin1(e.prevHash.toHex()) },
        { QStringLiteral("hash"), QString::fromLatin1(e.hash.toHex()) },
    };
}

Store::GrantQuery::State stateFrom(const QString &text)
{
    return text == QStringLiteral("active") ? Store::GrantQuery::State::Active
        : text == QStringLiteral("revoked") ? Store::GrantQuery::State::Revoked
        : text == QStringLiteral("expired") ? Store::GrantQuery::State::Expired
                                            : Store::GrantQuery::State::Any;
}

void registerAuditMethods(Ipc::IpcServer &server, Application &app)
{
    // One page, newest first; with afterSeq: every event after it (up to limit), for --follow.
    server.handle(QStringLiteral("audit.query"), [&app](const Ipc::IpcRequest &r) {
        Store::AuditLog *log = app.auditLog();
        if (!log)
            return r.fail(Error::make(QStringLiteral("not_ready"), app.statusMessage()));
        const QJsonObject p = r.params();
        Store::AuditFilter f;
        f.clientId = p.value(QStringLiteral("client")).toString();
        f.kind = p.value(QStringLiteral("kind")).toString();
        f.resource = p.value(QStringLiteral("resource")).toString();
        f.text = p.value(QStringLiteral("text")).toString();
        if (p.contains(QStringLiteral("sinceMs")))
            f.fromMs = p.value(QStringLiteral("sinceMs")).toInteger();
        if (p.contains(QStringLiteral("beforeSeq")))
            f.beforeSeq = p.value(QStringLiteral("beforeSeq")).toInteger();
        const int limit = int(qBound(qint64(1), p.value(QStringLiteral("limit")).toInteger(100), qint64(5000)));
        const qint64 afterSeq = p.value(QStringLiteral("afterSeq")).toInteger(-1);
        QJsonArray events;
        std::optional<qint64> next;
        if (afterSeq < 0) {
            f.limit = limit;
            auto page = log->query(f);
            if (!page)
                return r.fail(page.error());
            for (const Store::AuditEvent &e : page->events)
                events.append(auditEventJson(e));
            next = page->nextBeforeSeq;
        } else {
            // Walk newest-first pages back to afterSeq; answer oldest first.
            QList<QJsonObject> collected;
            f.limit = 500;
            bool done = false;
            while (!done) {
                auto page = log->query(f);
                if (!page)
                    return r.fail(page.error());
                for (const Store::AuditEvent &e : page->events) {
                    if (e.seq <= afterSeq) {
                        done = true;
                        break;
                    }
                    collected.append(auditEventJson(e));
                }
                if (!page->nextBeforeSeq || collected.size() >= 10000)
                    done = true;
                f.beforeSeq = page->nextBeforeSeq;
            }
            std::reverse(collected.begin(), collected.end());
            for (qsizetype i = 0; i < collected.size() && i < limit; ++i)
                events.append(collected.at(i));
        }
        auto head = log->head();
        r.reply(QJsonObject { { QStringLiteral("events"), events },
            { QStringLiteral("nextBeforeSeq"), next ? QJsonValue(*next) : QJsonValue() },
            { QStringLiteral("headSeq"), head ? head->seq : 0 } });
    });
    server.handle(QStringLiteral("audit.verify"), [&app](const Ipc::IpcRequest &r) {
        Store::AuditLog *log = app.auditLog();
        if (!log)
            return r.fail(Error::make(QStringLiteral("not_ready"), app.statusMessage()));
        auto report = log->verify();
        if (!report)
            return r.fail(report.error());
        r.reply(
            QJsonObject { { QStringLiteral("ok"), report->ok }, { QStringLiteral("rowsChecked"), report->rowsChecked },
                { QStringLiteral("firstBadSeq"), report->firstBadSeq }, { QStringLiteral("reason"), report->reason } });
    });
}

void registerWatch(Ipc::IpcServer &server, Application &app)
{
    // A subscription: the reply lists what is pending now, then events follow on the same
    // connection until it closes: requestAdded {request}, requestResolved {id, outcome},
    // frozenChanged {frozen}.
    server.handle(QStringLiteral("watch"), [&app](const Ipc::IpcRequest &r) {
        Consent::ConsentBroker *broker = app.consentBroker();
        Ipc::IpcConnection *connection = r.connection();
        if (!broker)
            return r.fail(Error::make(QStringLiteral("not_ready"), app.statusMessage()));
        if (!connection)
            return;
        QJsonArray pending;
        for (const Consent::ConsentRequest &c : broker->pending())
            pending.append(c.toJson());
        r.reply(
            QJsonObject { { QStringLiteral("pending"), pending }, { QStringLiteral("frozen"), broker->isFrozen() } });
        // The connection is the context object: the subscription ends when it does.
        QObject::connect(broker, &Consent::ConsentBroker::requestAdded, connection, [r, broker](const QString &id) {
            if (const auto c = broker->find(id))
                r.notify(QStringLiteral("requestAdded"), c->toJson());
        });
        QObject::connect(broker, &Consent::ConsentBroker::requestResolved, connection,
            [r](const QString &id, const QString &outcome) {
                r.notify(QStringLiteral("requestResolved"),
                    QJsonObject { { QStringLiteral("id"), id }, { QStringLiteral("outcome"), outcome } });
            });
        QObject::connect(broker, &Consent::ConsentBroker::frozenChanged, connection, [r](bool frozen) {
            r.notify(QStringLiteral("frozenChanged"), QJsonObject { { QStringLiteral("frozen"), frozen } });
        });
    });
}

void registerSecretMethods(Ipc::IpcServer &server, Application &app)
{
    server.handle(QStringLiteral("secret.set"), [&app](const Ipc::IpcRequest &r) {
        const QJsonObject p = r.params();
        const QJsonValue value = p.value(QStringLiteral("value"));
        if (!value.isString())
            return r.fail(usage(QStringLiteral("secret.set needs the value (base64).")));
        QByteArray bytes = QByteArray::fromBase64(value.toString().toLatin1());
        LocalAccess::of(app).setSecret(p.value(QStringLiteral("name")).toString(),
            p.value(QStringLiteral("description")).toString(), p.value(QStringLiteral("env")).toString(), bytes,
            kOperator, [r](Result<QJsonObject> out) { answer(r, out); });
        bytes.fill('\0');
    });
    server.handle(QStringLiteral("secret.list"), [&app](const Ipc::IpcRequest &r) {
        auto all = LocalAccess::of(app).secrets();
        if (!all)
            return r.fail(all.error());
        QJsonArray list;
        for (const Store::SecretMeta &m : *all)
            list.append(LocalAccess::secretJson(m));
        r.reply(list);
    });
    server.handle(QStringLiteral("secret.remove"), [&app](const Ipc::IpcRequest &r) {
        LocalAccess::of(app).removeSecret(r.params().value(QStringLiteral("name")).toString(), kOperator,
            [r](Result<QJsonObject> out) { answer(r, out); });
    });
}

void registerExecGrantMethods(Ipc::IpcServer &server, Application &app)
{
    server.handle(QStringLiteral("exec.grants"), [&app](const Ipc::IpcRequest &r) {
        Store::ExecGrantQuery q;
        q.nowSecs = SystemClock::instance().nowSecs();
        q.clientId = r.params().value(QStringLiteral("client")).toString();
        q.secretName = r.params().value(QStringLiteral("secret")).toString();
        q.state = stateFrom(r.params().value(QStringLiteral("state")).toString());
        q.limit = int(qBound(qint64(1), r.params().value(QStringLiteral("limit")).toInteger(500), qint64(5000)));
        auto all = LocalAccess::of(app).execGrants(q);
        if (!all)
            return r.fail(all.error());
        QJsonArray list;
        for (const Store::ExecGrant &g : *all)
            list.append(LocalAccess::execGrantJson(g, q.nowSecs));
        r.reply(list);
    });
    // revoke {grant} | {client} | {all}: the exec-grant half of `tessera-cli revoke`.
    server.handle(QStringLiteral("exec.revoke"), [&app](const Ipc::IpcRequest &r) {
        const QJsonObject p = r.params();
        const QString reason = QStringLiteral("revoked by the person (tessera-cli)");
        LocalAccess &la = LocalAccess::of(app);
        if (p.value(QStringLiteral("all")).toBool() || p.contains(QStringLiteral("client"))) {
            const QString client
                = p.value(QStringLiteral("all")).toBool() ? QString() : p.value(QStringLiteral("client")).toString();
            if (!p.value(QStringLiteral("all")).toBool() && client.isEmpty())
                return r.fail(usage(QStringLiteral("exec.revoke needs a grant, a client or all.")));
            auto n = la.revokeExecGrants(client, reason, kOperator);
            return n ? r.reply(QJsonObject { { QStringLiteral("revoked"), *n } }) : r.fail(n.error());
        }
        auto one = la.revokeExecGrant(p.value(QStringLiteral("grant")).toString(), reason, kOperator);
        one ? r.reply(QJsonObject { { QStringLiteral("revoked"), *one ? 1 : 0 } }) : r.fail(one.error());
    });
}

} // namespace

void registerLocalAccessClientApi(Ipc::IpcServer &server, Application &app)
{
    (void)KnownPrograms::system(); // resolved once, at start
    server.handle(QStringLiteral("whoami"), [&app](const Ipc::IpcRequest &r) {
        auto caller = callerOf(r, app);
        caller ? r.reply(caller->toJson()) : r.fail(caller.error());
    });
    server.handle(QStringLiteral("token"), [&app](const Ipc::IpcRequest &r) {
        auto caller = callerOf(r, app);
        if (!caller)
            return r.fail(caller.error());
        auto scopes = strings(r.params().value(QStringLiteral("scopes")), QStringLiteral("scopes"));
        if (!scopes)
            return r.fail(scopes.error());
        LocalAccess::TokenParams p;
        p.resource = r.params().value(QStringLiteral("resource")).toString();
        p.scopes = *scopes;
        p.ask = r.params().value(QStringLiteral("ask")).toBool();
        p.noPrompt = r.params().value(QStringLiteral("noPrompt")).toBool();
        if (p.resource.isEmpty())
            return r.fail(usage(QStringLiteral("token needs a resource.")));
        LocalAccess::of(app).token(*caller, p, r.connection(), [r](Result<QJsonObject> out) { answer(r, out); });
    });
    server.handle(QStringLiteral("exec"), [&app](const Ipc::IpcRequest &r) {
        auto caller = callerOf(r, app);
        if (!caller)
            return r.fail(caller.error());
        const QJsonObject params = r.params();
        auto command = strings(params.value(QStringLiteral("command")), QStringLiteral("command"));
        auto scopes = strings(params.value(QStringLiteral("scopes")), QStringLiteral("scopes"));
        if (!command)
            return r.fail(command.error());
        if (!scopes)
            return r.fail(scopes.error());
        LocalAccess::ExecParams p;
        p.command = *command;
        p.scopes = *scopes;
        p.resource = params.value(QStringLiteral("resource")).toString();
        for (const QJsonValue &v : params.value(QStringLiteral("secrets")).toArray()) {
            const QJsonObject o = v.toObject();
            p.secrets.append({ o.value(QStringLiteral("name")).toString(), o.value(QStringLiteral("env")).toString() });
        }
        LocalAccess::of(app).exec(*caller, p, r.connection(), [r](Result<QJsonObject> out) { answer(r, out); });
    });
}

void registerLocalAccessOperatorApi(Ipc::IpcServer &server, Application &app)
{
    registerSecretMethods(server, app);
    registerExecGrantMethods(server, app);
    registerAuditMethods(server, app);
    registerWatch(server, app);
}

} // namespace Tessera::App
