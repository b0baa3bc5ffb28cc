// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"

#include <QString>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

class QThread;

namespace Tessera::Store {

class Database;

/**
 * @brief Moves WAL checkpoints, and the fsyncs they carry, off the thread that writes.
 *
 * SQLite's automatic checkpoint runs inside whichever commit crosses 1000 WAL pages, and the
 * server has one event loop: every such commit paused all requests for the copy and two
 * fdatasync calls. While a BackgroundCheckpointer lives, the writer's automatic checkpoint is
 * off and a thread of its own, on its own connection, runs `PRAGMA wal_checkpoint(PASSIVE)`
 * every interval (PASSIVE never blocks the writer or readers; https://www.sqlite.org/wal.html).
 * Durability is unchanged: a commit is durable in the WAL, checkpointed or not. When it
 * stops, the writer's automatic checkpoint is switched back on.
 */
class BackgroundCheckpointer
{
public:
    static constexpr int DefaultIntervalMs = 1000;

    /** @brief Starts checkpointing @p db's file (not for ":memory:"). */
    [[nodiscard]] static Result<std::unique_ptr<BackgroundCheckpointer>> start(
        Database &db, int intervalMs = DefaultIntervalMs);
    ~BackgroundCheckpointer();
    BackgroundCheckpointer(const BackgroundCheckpointer &) = delete;
    BackgroundCheckpointer &operator=(const BackgroundCheckpointer &) = delete;

    /** @brief Checkpoints run so far (each may have had nothing to do). */
    [[nodiscard]] quint64 checkpoints() const { return m_checkpoints.load(); }
    /** @brief The last error of the thread (opening its connection or a checkpoint), if any. */
    [[nodiscard]] QString lastError() const;

private:
    BackgroundCheckpointer(Database &db, int intervalMs);
    void run();

    Database &m_db;
    const QString m_path;
    const int m_intervalMs;
    QThread *m_thread = nullptr;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    QString m_lastError;
    std::atomic<quint64> m_checkpoints { 0 };
};

} // namespace Tessera::Store
