// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ipc/peerinfo.h"
#include "ipc/portowner.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QThreadPool>

#include <atomic>
#include <functional>
#include <memory>

namespace Tessera::Ipc {

/** @brief One question for the resolver: who listens on loopback @p port, reached as @p host. */
struct PortQuery
{
    quint16 port = 0;
    LoopbackHost host = LoopbackHost::Both;
};

/** @brief Who listens on a loopback port, as far as Tessera could tell within its budget. */
struct PortOwnerReport
{
    enum class State
    {
        Own, ///< a process of this user listens; pid, exe and chain are set (exe may be empty if unreadable)
        Nobody, ///< nothing listens on that port (for localhost: on either family)
        Foreign, ///< a listener that the browser may reach belongs to another uid (listenerUid)
        Unknown, ///< the table could not be read (listenerUid -1), or our socket's holder is not visible
        TimedOut, ///< no process within the budget; listenerUid says whose socket it is (-1: not known)
    };
    State state = State::Unknown;
    quint16 port = 0;
    qint64 listenerUid = -1; ///< the uid of the listener reached (another's when Foreign); -1 if not known
    qint64 pid = -1;
    ExecutableIdentity exe;
    QList<ProcessInfo> chain; ///< nearest first: the listener, then its parents
    QString detail; ///< why Unknown (for logs)

    [[nodiscard]] bool isOwn() const { return state == State::Own; }
};

/**
 * @brief Answers "who listens on loopback port N" off the event loop, within a time budget
 * (issue 9, R8).
 *
 * resolve() returns at once; the answer is delivered on the thread that owns the resolver,
 * exactly once: the lookup's result, or TimedOut when the budget (default 250 ms) runs out
 * first. The lookup runs on one worker thread of the resolver's own pool. Questions that
 * arrive while it works are answered together by the next pass: one listener table (sock_diag)
 * and at most one walk over this user's `/proc/<pid>/fd` for all of them. A socket found once
 * is remembered as inode -> (pid, fd) and checked with one readlink() next time, so the walk
 * happens only for a listener not seen before.
 *
 * What it proves, and what not: see loopbackPortOwner(). The answer is a moment's; callers
 * that send something to the port look again right before (R3).
 */
class PortOwnerResolver : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const PortOwnerReport &)>;
    /** @brief Answers a batch of queries, in order; runs on the worker thread. */
    using Lookup = std::function<QList<PortOwnerReport>(const QList<PortQuery> &)>;

    static constexpr int DefaultBudgetMs = 250;

    explicit PortOwnerResolver(QObject *parent = nullptr);
    /** @brief Waits for a running lookup (a system lookup stops at the next process it would read). */
    ~PortOwnerResolver() override;

    /** @brief Looks up @p query; @p done runs later on this object's thread, never inside this call. */
    void resolve(const PortQuery &query, Callback done);

    void setBudgetMs(int ms) { m_budgetMs = qMax(1, ms); }
    [[nodiscard]] int budgetMs() const { return m_budgetMs; }
    /** @brief Tests only: replace the system lookup (e.g. a slow one). nullptr restores it. */
    void setLookupForTesting(Lookup lookup);
    /** @brief Queries handed to a lookup so far (each resolve() is one). */
    [[nodiscard]] int queriesLookedUp() const { return m_queriesLookedUp; }
    /** @brief Lookup passes run so far (a pass answers every query waiting when it starts). */
    [[nodiscard]] int passes() const { return m_passes; }

    /** @brief The system lookup on its own (synchronous; what the worker runs). */
    [[nodiscard]] static QList<PortOwnerReport> lookupNow(const QList<PortQuery> &queries);

private:
    struct Pending
    {
        quint64 id = 0;
        PortQuery query;
    };

    [[nodiscard]] PortOwnerReport timedOut(const PortQuery &query) const;
    void startPass();
    void finish(quint64 id, const PortOwnerReport &report);
    void passDone(const QList<quint64> &ids, const QList<PortOwnerReport> &reports);

    QThreadPool m_pool;
    Lookup m_lookup;
    int m_budgetMs = DefaultBudgetMs;
    quint64 m_nextId = 1;
    bool m_running = false;
    QList<Pending> m_queue;
    QHash<quint64, Callback> m_callbacks;
    int m_queriesLookedUp = 0;
    int m_passes = 0;
    std::shared_ptr<std::atomic_bool> m_cancel;
};

} // namespace Tessera::Ipc
