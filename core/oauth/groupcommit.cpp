// SPDX-License-Identifier: GPL-3.0-or-later
#include "oauth/groupcommit.h"

#include "store/database.h"

#include <utility>

namespace Tessera::OAuth {

GroupCommit::GroupCommit(Store::Database &db, Handler handler, std::function<Http::Response()> failed,
    std::function<void()> rolledBack, QObject *parent)
    : QObject(parent)
    , m_db(db)
    , m_handler(std::move(handler))
    , m_failed(std::move(failed))
    , m_rolledBack(std::move(rolledBack))
{ }

void GroupCommit::submit(const Http::Request &request, Http::Responder responder)
{
    m_pending.push_back(Pending { request, std::move(responder) });
    if (static_cast<int>(m_pending.size()) >= MaxBatch) {
        flush();
        return;
    }
    if (!m_scheduled) {
        m_scheduled = true;
        // Queued: runs after the event loop has dispatched every request that is already readable.
        QMetaObject::invokeMethod(this, &GroupCommit::flush, Qt::QueuedConnection);
    }
}

void GroupCommit::flush()
{
    m_scheduled = false;
    if (m_pending.empty())
        return;
    std::vector<Pending> batch = std::exchange(m_pending, {});
    std::vector<Http::Response> answers;
    answers.reserve(batch.size());

    auto tx = Store::Transaction::begin(m_db);
    for (const Pending &p : batch)
        answers.push_back(m_handler(p.request)); // without tx, each request commits on its own
    if (tx) {
        if (Status committed = tx->commit(); committed) {
            ++m_batches;
        } else {
            m_rolledBack();
            for (Http::Response &a : answers)
                a = m_failed();
        }
    }
    for (std::size_t i = 0; i < batch.size(); ++i)
        batch[i].responder.send(std::move(answers[i]));
}

} // namespace Tessera::OAuth
