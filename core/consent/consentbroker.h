// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/clock.h"
#include "common/result.h"
#include "consent/consentrequest.h"

#include <QHash>
#include <QObject>

#include <functional>

class QTimer;

namespace Tessera::Store {
class AuditLog;
class Database;
} // namespace Tessera::Store

namespace Tessera::Consent {

/**
 * @brief Where consent requests wait for a person. Never blocks: submit() returns at once
 * and the callback runs when the decision, a timeout, a freeze or a cancellation arrives.
 *
 *     requester --submit(request, callback)--> broker --requestAdded--> desktop prompt / tessera-cli
 *     person    --decide(id, decision)-------> broker --callback(decision)--> requester
 *
 * Every request is persisted (consent_requests) and audited. Limits (security-cases G3):
 * pending requests per client and in total, new prompts per client per minute, and a
 * cool-down for a client whose requests keep being denied.
 *
 * Identical pending requests (same client, path, resource, scopes, redirect URI, secrets and
 * command, and the same program behind them) are merged into one prompt (issue 9, R5). The
 * decision answers each requester, each against its own snapshot, and carries the request's id
 * so that one approval makes one grant, shared by all of them. `once` answers exactly one of
 * them, the newest (the one a client that restarted its flow still waits for); the others get
 * AnsweredOnceElsewhere. Local requests (token, exec, secret) of different processes are never
 * merged: each process is asked about on its own.
 */
class ConsentBroker : public QObject
{
    Q_OBJECT
public:
    struct Limits
    {
        int promptTimeoutSecs = 120;
        int maxPendingPerClient = 3;
        int maxPendingTotal = 32;
        int maxNewPerClientPerMinute = 3;
        int denialsBeforeCooldown = 3;
        int denialWindowSecs = 600;
        int cooldownSecs = 300;
        /** @brief Requesters one prompt may gather (R5); one more is refused as `throttled`. */
        int maxMergedPerRequest = 16;
    };
    using Callback = std::function<void(const Decision &)>;
    /** @brief One requester of a (possibly merged) request: withdraw() takes back just this one. */
    struct Ticket
    {
        QString id; ///< the consent request, shared by merged requesters
        quint64 requester = 0;
    };

    /** @param audit the one AuditLog of @p db (it caches the chain head; never make a second one). */
    ConsentBroker(Store::Database &db, Store::AuditLog &audit, const Clock &clock, QObject *parent = nullptr);
    ConsentBroker(
        Store::Database &db, Store::AuditLog &audit, const Clock &clock, Limits limits, QObject *parent = nullptr);
    ~ConsentBroker() override;

    /**
     * @brief Queues @p request and returns its id; @p done runs exactly once, later.
     *
     * Fails at once (and never calls @p done) with `frozen`, `throttled` or `store_error`.
     */
    [[nodiscard]] Result<QString> submit(ConsentRequest request, Callback done);
    /** @brief submit() that also names the requester, for withdraw(). */
    [[nodiscard]] Result<Ticket> enqueue(ConsentRequest request, Callback done);

    /**
     * @brief The person's decision. An approval must name a non-empty subset of the
     * requested scopes (or no scopes when none were requested). Fails with `not_found`
     * when the request is unknown or already decided, `invalid_decision` otherwise.
     */
    [[nodiscard]] Status decide(const QString &id, const Decision &decision);

    /** @brief Nobody may answer the request any more (its client was forgotten): every requester is told. */
    void cancel(const QString &id);
    /**
     * @brief One requester went away (CLI interrupted): its callback runs with Cancelled. The
     * request stays for the other requesters merged into it; the last one leaving cancels it.
     */
    void withdraw(const Ticket &ticket);

    [[nodiscard]] QList<ConsentRequest> pending() const;
    [[nodiscard]] std::optional<ConsentRequest> find(const QString &id) const;

    [[nodiscard]] bool isFrozen() const { return m_frozen; }
    /**
     * @brief Kill switch: freezing denies every pending request and refuses new ones. The
     * state and its `freeze.on`/`freeze.off` event are written in one transaction; an error
     * says that did not happen. Freezing takes effect in memory even then (a kill switch that
     * a full disk could stop would be worse); unfreezing only once it is written.
     */
    [[nodiscard]] Status setFrozen(bool frozen, const QString &actor);

    /** @brief Resolves every request whose time is up; runs on a timer, callable from tests. */
    void expireDue();

    /** @brief Marks requests left pending by an earlier run (Tessera restarted) as expired. */
    [[nodiscard]] Status closeStale();

    [[nodiscard]] const Limits &limits() const { return m_limits; }
    /**
     * @brief How long new requests wait for a person before they are denied (a setting the
     * person chooses). Clamped to 1 s .. 1 day; requests already pending keep their deadline.
     */
    void setPromptTimeoutSecs(int secs);
    /** @brief Where the person's prompt timeout is kept (settings); read at construction. */
    static constexpr const char *PromptTimeoutSettingKey = "consent.promptTimeoutSecs";

Q_SIGNALS:
    void requestAdded(const QString &id);
    void requestResolved(const QString &id, const QString &outcome);
    void frozenChanged(bool frozen);

private:
    struct Waiter
    {
        quint64 ticket = 0;
        Callback done;
        QList<ProcessFact> chain;
    };
    struct Entry
    {
        ConsentRequest request;
        QList<Waiter> waiters; ///< arrival order; the first is the request's own requester
        QString mergeKey;
    };
    static void describeMerged(Entry &e);

    void resolve(const QString &id, const Decision &decision, bool persist = true);
    void rearmTimer();
    [[nodiscard]] Status throttle(const QString &clientId);
    void audit(const QString &kind, const QString &actor, const ConsentRequest &r, const QJsonObject &details);

    Store::Database &m_db;
    Store::AuditLog &m_audit;
    const Clock &m_clock;
    Limits m_limits;
    QHash<QString, Entry> m_pending;
    QList<QString> m_order; ///< arrival order, for a queue that never loses or reorders requests
    QHash<QString, QList<qint64>> m_recentPrompts; ///< clientId -> prompt times (ms)
    QHash<QString, QList<qint64>> m_recentDenials; ///< clientId -> denial times (ms)
    bool m_frozen = false;
    quint64 m_nextTicket = 1;
    QTimer *m_timer;
};

} // namespace Tessera::Consent
