// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/checkpointer.h"

#include "common/logging.h"
#include "store/database.h"
#include "store/storeerror.h"

#include <QThread>

#include <chrono>

namespace Tessera::Store {

BackgroundCheckpointer::BackgroundCheckpointer(Database &db, int intervalMs)
    : m_db(db), m_path(db.path()), m_intervalMs(std::max(10, intervalMs))
{ }

Result<std::unique_ptr<BackgroundCheckpointer>> BackgroundCheckpointer::start(Database &db, int intervalMs)
{
    if (db.journalMode() != u"wal")
        return storeError(ErrorCode::InvalidArgument, QStringLiteral("Only a database in WAL mode has checkpoints."));
    std::unique_ptr<BackgroundCheckpointer> c(new BackgroundCheckpointer(db, intervalMs));
    if (Status s = db.exec(QStringLiteral("PRAGMA wal_autocheckpoint=0")); !s)
        return s.error();
    c->m_thread = QThread::create([raw = c.get()] { raw->run(); });
    c->m_thread->setObjectName(QStringLiteral("tessera-checkpoint"));
    c->m_thread->start(QThread::LowPriority);
    return c;
}

BackgroundCheckpointer::~BackgroundCheckpointer()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
    // The writer checkpoints on its own again (SQLite's default threshold).
    if (Status s = m_db.exec(QStringLiteral("PRAGMA wal_autocheckpoint=1000")); !s)
        qCWarning(lcStore).noquote() << "could not restore automatic checkpoints:" << s.error().message;
}

QString BackgroundCheckpointer::lastError() const
{
    std::lock_guard lock(m_mutex);
    return m_lastError;
}

void BackgroundCheckpointer::run()
{
    // A connection of this thread's own (QtSql connections belong to the thread that opens them).
    auto db = Database::open(m_path);
    if (!db) {
        std::lock_guard lock(m_mutex);
        m_lastError = db.error().message;
        qCWarning(lcStore).noquote() << "background checkpoints unavailable:" << m_lastError;
        return;
    }
    std::unique_lock lock(m_mutex);
    while (!m_stop) {
        m_wake.wait_for(lock, std::chrono::milliseconds(m_intervalMs), [this] { return m_stop; });
        if (m_stop)
            break;
        lock.unlock();
        QString error;
        if (auto q = (*db)->prepare(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)")); !q)
            error = q.error().message;
        else if (Status s = q->exec(); !s)
            error = s.error().message;
        else
            (void)q->next();
        ++m_checkpoints;
        lock.lock();
        if (!error.isEmpty())
            m_lastError = error;
    }
}

} // namespace Tessera::Store
