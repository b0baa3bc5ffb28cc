// SPDX-License-Identifier: GPL-3.0-or-later
#include "consent/consentbroker.h"

#include "common/logging.h"
#include "crypto/random.h"
#include "store/auditlog.h"
#include "store/consentrequeststore.h"
#include "store/database.h"
#include "store/settingsstore.h"

#include <QJsonArray>
#include <QTimer>

namespace Tessera::Consent {

namespace {

Store::ConsentPath storePath(Path p)
{
    switch (p) {
    case Path::Authorize:
        return Store::ConsentPath::Authorize;
    case Path::Token:
        return Store::ConsentPath::Token;
    case Path::Secret:
        return Store::ConsentPath::Secret;
    case Path::Exec:
        return Store::ConsentPath::Exec;
    }
    return Store::ConsentPath::Authorize;
}

QString mergeKeyOf(const ConsentRequest &r)
{
    QStringList scopes = r.scopeNames();
    scopes.sort();
    QStringList secrets = r.secrets;
    secrets.sort();
    // Who is behind it (R5): for a local request the processes themselves, so two processes are
    // never merged into one prompt; for /authorize the programs that listen on the redirect port
    // (a client that restarted its flow runs under new pids, from the same files).
    QStringList program;
    for (const ProcessFact &p : r.requester.processChain)
        program.append(r.path == Path::Authorize ? p.exe : QString::number(p.pid) + u' ' + p.exe);
    return QStringList { pathToString(r.path), r.requester.clientId, QString::number(r.resourceId), scopes.join(u' '),
        r.requester.redirectUri, secrets.join(u' '), r.requester.commandLine, program.join(u'\n') }
        .join(QChar(0x1f));
}

void pruneOlderThan(QList<qint64> &times, qint64 cutoffMs)
{
    times.erase(std::remove_if(times.begin(), times.end(), [cutoffMs](qint64 t) { return t < cutoffMs; }), times.end());
}

} // namespace

ConsentBroker::ConsentBroker(Store::Database &db, Store::AuditLog &audit, const Clock &clock, QObject *parent)
    : ConsentBroker(db, audit, clock, Limits {}, parent)
{ }

ConsentBroker::ConsentBroker(
    Store::Database &db, Store::AuditLog &audit, const Clock &clock, Limits limits, QObject *parent)
    : QObject(parent), m_db(db), m_audit(audit), m_clock(clock), m_limits(limits), m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &ConsentBroker::expireDue);
    // A freeze outlives a restart: it ends only when the person ends it.
    m_frozen = Store::SettingsStore(m_db)
                   .value(QStringLiteral("consent.frozen"), QStringLiteral("0"))
                   .valueOr(QStringLiteral("1"))
        == QStringLiteral("1");
    // So does the person's prompt timeout (Settings page), headless or not.
    if (auto stored = Store::SettingsStore(m_db).get(QString::fromLatin1(PromptTimeoutSettingKey));
        stored && stored->has_value()) {
        bool ok = false;
        if (const int secs = (*stored)->toInt(&ok); ok)
            setPromptTimeoutSecs(secs);
    }
}

ConsentBroker::~ConsentBroker()
{
    // Nobody will answer these any more: tell each requester, never leave one hanging.
    const QStringList ids = m_order;
    for (const QString &id : ids)
        resolve(id, Decision { Decision::Outcome::Cancelled, {}, Duration::Once, QStringLiteral("system") }, false);
}

Status ConsentBroker::throttle(const QString &clientId)
{
    const qint64 now = m_clock.nowMs();
    auto &denials = m_recentDenials[clientId];
    pruneOlderThan(denials, now - qint64(m_limits.denialWindowSecs) * 1000);
    if (denials.size() >= m_limits.denialsBeforeCooldown
        && now - denials.last() < qint64(m_limits.cooldownSecs) * 1000) {
        return Error::make(QStringLiteral("throttled"),
            tr("This agent was denied %1 times recently; its requests are refused for a few minutes.")
                .arg(denials.size()));
    }
    int pendingForClient = 0;
    for (const Entry &e : std::as_const(m_pending))
        pendingForClient += e.request.requester.clientId == clientId ? 1 : 0;
    if (pendingForClient >= m_limits.maxPendingPerClient)
        return Error::make(
            QStringLiteral("throttled"), tr("This agent already has %1 requests waiting.").arg(pendingForClient));
    if (m_pending.size() >= m_limits.maxPendingTotal)
        return Error::make(QStringLiteral("throttled"), tr("Too many requests are waiting for a decision."));
    auto &prompts = m_recentPrompts[clientId];
    pruneOlderThan(prompts, now - 60'000);
    if (prompts.size() >= m_limits.maxNewPerClientPerMinute)
        return Error::make(QStringLiteral("throttled"), tr("This agent asked too often in the last minute."));
    return {};
}

Result<QString> ConsentBroker::submit(ConsentRequest request, Callback done)
{
    auto ticket = enqueue(std::move(request), std::move(done));
    if (!ticket)
        return ticket.error();
    return ticket->id;
}

void ConsentBroker::describeMerged(Entry &e)
{
    e.request.mergedCount = int(e.waiters.size());
    e.request.mergedChains.clear();
    for (qsizetype i = 1; i < e.waiters.size(); ++i)
        e.request.mergedChains.append(e.waiters.at(i).chain);
}

Result<ConsentBroker::Ticket> ConsentBroker::enqueue(ConsentRequest request, Callback done)
{
    const QString clientId = request.requester.clientId;
    if (m_frozen) {
        audit(QStringLiteral("consent.refused"), QStringLiteral("system"), request,
            { { QStringLiteral("reason"), QStringLiteral("frozen") } });
        return Error::make(
            QStringLiteral("frozen"), tr("Tessera is frozen: every request is refused until you unfreeze it."));
    }

    // Identical requests join the pending prompt instead of raising another one.
    const QString key = mergeKeyOf(request);
    for (const QString &id : std::as_const(m_order)) {
        Entry &e = m_pending[id];
        if (e.mergeKey != key)
            continue;
        if (e.waiters.size() >= m_limits.maxMergedPerRequest) {
            const QString why
                = tr("This request was already made %1 times and waits for your answer.").arg(e.waiters.size());
            audit(QStringLiteral("consent.throttled"), QStringLiteral("system"), request,
                { { QStringLiteral("reason"), why }, { QStringLiteral("request"), id } });
            return Error::make(QStringLiteral("throttled"), why);
        }
        const quint64 ticket = m_nextTicket++;
        e.waiters.append(Waiter { ticket, std::move(done), request.requester.processChain });
        describeMerged(e);
        return Ticket { id, ticket };
    }

    if (Status t = throttle(clientId); !t) {
        audit(QStringLiteral("consent.throttled"), QStringLiteral("system"), request,
            { { QStringLiteral("reason"), t.error().message } });
        return t.error();
    }

    auto id = Crypto::randomToken(16);
    if (!id)
        return id.error();
    const qint64 now = m_clock.nowMs();
    request.id = *id;
    request.createdAtMs = now;
    request.expiresAtMs = now + qint64(m_limits.promptTimeoutSecs) * 1000;

    Store::ConsentRequestRecord record;
    record.id = request.id;
    record.clientId = clientId;
    if (request.resourceId > 0)
        record.resourceId = request.resourceId;
    record.scopes = request.scopeNames();
    record.path = storePath(request.path);
    record.snapshot = request.toJson();
    record.createdAt = now / 1000;
    record.expiresAt = request.expiresAtMs / 1000;
    {
        auto tx = Store::Transaction::begin(m_db);
        if (!tx)
            return tx.error();
        if (Status s = Store::ConsentRequestStore(m_db).insert(record); !s)
            return s.error();
        audit(QStringLiteral("consent.requested"), QStringLiteral("client:") + clientId, request,
            { { QStringLiteral("request"), request.id }, { QStringLiteral("path"), pathToString(request.path) },
                { QStringLiteral("scopes"), QJsonArray::fromStringList(request.scopeNames()) } });
        if (Status s = tx->commit(); !s)
            return s.error();
    }

    m_recentPrompts[clientId].append(now);
    const quint64 ticket = m_nextTicket++;
    m_pending.insert(
        request.id, Entry { request, { Waiter { ticket, std::move(done), request.requester.processChain } }, key });
    m_order.append(request.id);
    rearmTimer();
    qCInfo(lcConsent).noquote() << "request" << request.id.left(6) << "from client" << clientId
                                << "waits for a decision";
    Q_EMIT requestAdded(request.id);
    return Ticket { request.id, ticket };
}

Status ConsentBroker::decide(const QString &id, const Decision &decision)
{
    const auto it = m_pending.constFind(id);
    if (it == m_pending.constEnd())
        return Error::make(QStringLiteral("not_found"), tr("No pending request has the id %1.").arg(id));
    const ConsentRequest &r = it->request;
    if (decision.approved()) {
        const QStringList requested = r.scopeNames();
        if (decision.scopes.isEmpty() && !requested.isEmpty())
            return Error::make(
                QStringLiteral("invalid_decision"), tr("Approve at least one scope, or deny the request."));
        for (const QString &s : decision.scopes) {
            if (!requested.contains(s))
                return Error::make(QStringLiteral("invalid_decision"),
                    tr("The scope \"%1\" was not requested; an approval can only narrow a request.").arg(s));
        }
    } else if (decision.outcome != Decision::Outcome::Denied) {
        return Error::make(QStringLiteral("invalid_decision"), tr("A decision is an approval or a denial."));
    }
    resolve(id, decision);
    return {};
}

void ConsentBroker::cancel(const QString &id)
{
    if (m_pending.contains(id))
        resolve(id, Decision { Decision::Outcome::Cancelled, {}, Duration::Once, QStringLiteral("system") });
}

void ConsentBroker::withdraw(const Ticket &ticket)
{
    const auto it = m_pending.find(ticket.id);
    if (it == m_pending.end())
        return;
    if (it->waiters.size() <= 1) {
        if (it->waiters.value(0).ticket == ticket.requester)
            cancel(ticket.id);
        return;
    }
    for (qsizetype i = 0; i < it->waiters.size(); ++i) {
        if (it->waiters.at(i).ticket != ticket.requester)
            continue;
        const Callback done = it->waiters.takeAt(i).done;
        describeMerged(*it);
        if (done)
            done(Decision { Decision::Outcome::Cancelled, {}, Duration::Once, QStringLiteral("system") });
        return;
    }
}

void ConsentBroker::resolve(const QString &id, const Decision &requested, bool persist)
{
    auto node = m_pending.find(id);
    if (node == m_pending.end())
        return;
    Entry entry = std::move(*node);
    m_pending.erase(node);
    m_order.removeOne(id);

    Decision decision = requested;
    decision.requestId = id;
    if (persist) {
        const qint64 nowSecs = m_clock.nowSecs();
        Store::ConsentRequestStore store(m_db);
        auto tx = Store::Transaction::begin(m_db);
        Status recorded = tx ? Status {} : Status(tx.error());
        if (recorded) {
            if (decision.outcome == Decision::Outcome::TimedOut) {
                auto expired = store.expirePending(nowSecs);
                recorded = expired ? Status {} : Status(expired.error());
            } else {
                recorded = store.decide(id,
                    decision.approved() ? Store::ConsentStatus::Approved : Store::ConsentStatus::Denied,
                    decision.toJson(), nowSecs);
                // The store already marked it expired (and committed that) when the answer came too late.
                if (!recorded && recorded.error().code == QStringLiteral("consent_expired"))
                    decision = Decision { Decision::Outcome::TimedOut, {}, Duration::Once, QStringLiteral("system") };
            }
        }
        const QString actor
            = decision.decidedBy == QStringLiteral("system") ? QStringLiteral("system") : QStringLiteral("user");
        audit(QStringLiteral("consent.") + outcomeToString(decision.outcome), actor, entry.request,
            { { QStringLiteral("request"), id }, { QStringLiteral("decision"), decision.toJson() },
                { QStringLiteral("requesters"), int(entry.waiters.size()) } });
        if (tx && !tx->commit())
            recorded = Error::make(QStringLiteral("store_error"), QStringLiteral("The decision could not be saved."));
        if (!recorded && decision.outcome != Decision::Outcome::TimedOut) {
            qCWarning(lcConsent).noquote()
                << "could not record the decision on request" << id.left(6) << recorded.error().code;
            // Fail closed: an approval that is not on record does not count.
            if (decision.approved())
                decision = Decision { Decision::Outcome::Cancelled, {}, Duration::Once, QStringLiteral("system") };
        }
    }

    if (decision.outcome == Decision::Outcome::Denied)
        m_recentDenials[entry.request.requester.clientId].append(m_clock.nowMs());
    qCInfo(lcConsent).noquote() << "request" << id.left(6) << outcomeToString(decision.outcome);
    rearmTimer();
    Q_EMIT requestResolved(id, outcomeToString(decision.outcome));
    // `once` is one authorization (R5): the newest requester gets it, every other one is told.
    const qsizetype answered
        = decision.approved() && decision.duration == Duration::Once ? entry.waiters.size() - 1 : -1;
    Decision elsewhere { Decision::Outcome::AnsweredOnceElsewhere, {}, Duration::Once, decision.decidedBy };
    elsewhere.requestId = id;
    for (qsizetype i = 0; i < entry.waiters.size(); ++i) {
        const Callback &cb = entry.waiters.at(i).done;
        if (cb)
            cb(answered < 0 || i == answered ? decision : elsewhere);
    }
}

QList<ConsentRequest> ConsentBroker::pending() const
{
    QList<ConsentRequest> out;
    for (const QString &id : m_order)
        out.append(m_pending.value(id).request);
    return out;
}

std::optional<ConsentRequest> ConsentBroker::find(const QString &id) const
{
    const auto it = m_pending.constFind(id);
    if (it == m_pending.constEnd())
        return std::nullopt;
    return it->request;
}

Status ConsentBroker::setFrozen(bool frozen, const QString &actor)
{
    if (m_frozen == frozen)
        return {};
    const auto persist = [&]() -> Status {
        auto tx = Store::Transaction::begin(m_db);
        if (!tx)
            return tx.error();
        if (Status s = Store::SettingsStore(m_db).set(
                QStringLiteral("consent.frozen"), frozen ? QStringLiteral("1") : QStringLiteral("0"));
            !s)
            return s;
        if (auto a = m_audit.append(Store::AuditEventInput {
                frozen ? QStringLiteral("freeze.on") : QStringLiteral("freeze.off"), actor, {}, {}, {}, {} });
            !a)
            return a.error();
        return tx->commit();
    };
    Status written = persist();
    if (!written) {
        qCWarning(lcConsent).noquote() << "could not record the freeze state:" << written.error().message;
        if (!frozen)
            return written; // stay frozen: unfreezing without a record is not allowed
    }
    m_frozen = frozen;
    if (frozen) {
        const QStringList ids = m_order;
        for (const QString &id : ids)
            resolve(id, Decision { Decision::Outcome::Frozen, {}, Duration::Once, QStringLiteral("system") });
    }
    Q_EMIT frozenChanged(frozen);
    return written;
}

void ConsentBroker::expireDue()
{
    const qint64 now = m_clock.nowMs();
    const QStringList ids = m_order;
    for (const QString &id : ids) {
        const auto it = m_pending.constFind(id);
        if (it != m_pending.constEnd() && it->request.expiresAtMs <= now)
            resolve(id, Decision { Decision::Outcome::TimedOut, {}, Duration::Once, QStringLiteral("system") });
    }
    rearmTimer();
}

Status ConsentBroker::closeStale()
{
    auto stale = Store::ConsentRequestStore(m_db).expirePending(std::numeric_limits<qint64>::max() / 2);
    if (!stale)
        return stale.error();
    if (!stale->isEmpty())
        qCInfo(lcConsent) << stale->size() << "requests left pending by an earlier run were closed as expired";
    return {};
}

void ConsentBroker::rearmTimer()
{
    if (m_order.isEmpty()) {
        m_timer->stop();
        return;
    }
    qint64 earliest = std::numeric_limits<qint64>::max();
    for (const Entry &e : std::as_const(m_pending))
        earliest = qMin(earliest, e.request.expiresAtMs);
    const qint64 wait = qBound<qint64>(0, earliest - m_clock.nowMs(), qint64(24) * 3600 * 1000);
    m_timer->start(std::chrono::milliseconds(wait));
}

void ConsentBroker::audit(
    const QString &kind, const QString &actor, const ConsentRequest &r, const QJsonObject &details)
{
    auto appended = m_audit.append(
        Store::AuditEventInput { kind, actor, r.requester.clientId, r.resourceUri, QString(), details });
    if (!appended)
        qCWarning(lcConsent).noquote() << "audit append failed:" << appended.error().code;
}

void ConsentBroker::setPromptTimeoutSecs(int secs)
{
    m_limits.promptTimeoutSecs = qBound(1, secs, 86400);
}

} // namespace Tessera::Consent
