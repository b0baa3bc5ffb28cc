// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/request.h"
#include "http/responder.h"
#include "http/response.h"

#include <QObject>

#include <functional>
#include <vector>

namespace Tessera::Store {
class Database;
}

namespace Tessera::OAuth {

/**
 * @brief Group commit for the token endpoint: the requests that arrive in one pass of the event
 * loop are handled inside one write transaction and answered after it commits.
 *
 * Each request still runs in its own savepoint (the endpoint's own Transaction nests), so one
 * request's failure rolls back only its own writes. Durability is unchanged: no answer leaves
 * before the commit that makes it true. With many clients refreshing at once this turns one
 * commit per request (a WAL append of every page it touched) into one per batch; the benchmark
 * in tests/bench measures it. If the commit fails, every request of the batch gets
 * server_error and nothing of it happened, so each client may simply retry.
 */
class GroupCommit : public QObject
{
    Q_OBJECT
public:
    using Handler = std::function<Http::Response(const Http::Request &)>;
    /** @brief The most requests one transaction takes; more start the next batch at once. */
    static constexpr int MaxBatch = 64;

    /**
     * @param handler answers one request (inside the batch's transaction)
     * @param failed the response for every request of a batch whose commit failed
     * @param rolledBack called after such a failure, before anyone is answered (drop caches)
     */
    GroupCommit(Store::Database &db, Handler handler, std::function<Http::Response()> failed,
        std::function<void()> rolledBack, QObject *parent = nullptr);

    /** @brief Queues @p request; @p responder is answered after the batch commits. */
    void submit(const Http::Request &request, Http::Responder responder);

    /** @brief How many batches have committed (for tests). */
    [[nodiscard]] quint64 batchesCommitted() const { return m_batches; }

private:
    void flush();

    struct Pending
    {
        Http::Request request;
        Http::Responder responder;
    };
    Store::Database &m_db;
    Handler m_handler;
    std::function<Http::Response()> m_failed;
    std::function<void()> m_rolledBack;
    std::vector<Pending> m_pending;
    bool m_scheduled = false;
    quint64 m_batches = 0;
};

} // namespace Tessera::OAuth
