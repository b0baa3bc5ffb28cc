// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "common/result.h"
#include "store/records.h"

#include <optional>

namespace Tessera {
class Clock;
}

namespace Tessera::Store {

class Database;

/** @brief Filters for AuditLog::query. Empty members do not filter. Newest first. */
struct AuditFilter
{
    QString clientId;
    QString resource;
    QString kind;
    QString actor;
    QString grantId;
    QString text; ///< substring of the details JSON, ASCII case-insensitive (trigram index from 3 characters)
    std::optional<qint64> fromMs; ///< ts >= fromMs
    std::optional<qint64> toMs; ///< ts < toMs
    std::optional<qint64> beforeSeq; ///< keyset cursor: only events with seq < beforeSeq
    int limit = 100;
};

struct AuditPage
{
    QList<AuditEvent> events;
    std::optional<qint64> nextBeforeSeq; ///< pass as AuditFilter::beforeSeq; empty on the last page
};

struct VerifyReport
{
    bool ok = true;
    qint64 rowsChecked = 0; ///< events that verified before the first problem
    qint64 firstBadSeq = 0; ///< 0 when ok; else the first seq that is wrong or missing
    QString reason; ///< a sentence for a person; empty when ok
};

struct AuditHead
{
    qint64 seq = 0;
    QByteArray hash;
};

/**
 * @brief The append-only, hash-chained audit log.
 *
 * Each event's hash covers the previous event's hash and the event's own content:
 *
 *     hash      = SHA-256( prev_hash || content )         prev_hash of seq 1: 32 zero bytes
 *     content   = "TESSERA-AUDIT-V1"                      16 ASCII bytes
 *              || be64(seq) || be64(ts)                   signed 64-bit, big-endian; ts in ms
 *              || str(kind) || str(actor)
 *              || opt(client_id) || opt(resource) || opt(grant_id)
 *              || str(details)                            the stored canonical JSON text
 *     str(s)    = be32(byte length of UTF-8 s) || UTF-8 s
 *     opt(s)    = 0x00 if NULL, else 0x01 || str(s)
 *
 * details is canonical JSON: object keys sorted (QJsonObject order), no whitespace, UTF-8.
 * Empty client_id / resource / grant_id are stored as NULL. The head {seq, hash} of the chain
 * is kept in table audit_head and updated in the same transaction as each append, so that
 * verify() notices a removed tail. The last hash is cached in memory; the cache is dropped on
 * any rollback and checked against audit_head by a compare-and-swap on every append, so a stale
 * cache (another connection appended) costs one re-read, never a broken chain.
 *
 * What this proves, and what it does not: see core/store/README.md.
 */
class AuditLog
{
public:
    AuditLog(Database &db, const Clock &clock);

    /**
     * @brief Appends one event (seq = head + 1, ts = clock now) and returns it.
     *
     * Joins the caller's transaction when one is open, so an event and the change it records
     * commit (or roll back) together. Errors: invalid_argument (empty kind or actor),
     * audit_forbidden_field (details has a key such as "access_token" or "code": the audit log
     * never holds token, code or secret values), store_error.
     */
    [[nodiscard]] Result<AuditEvent> append(const AuditEventInput &input);

    /** @brief Re-computes the whole chain from seq 1 and compares it with audit_head. */
    [[nodiscard]] Result<VerifyReport> verify();

    /** @brief One page of events matching @p filter, newest (highest seq) first. */
    [[nodiscard]] Result<AuditPage> query(const AuditFilter &filter);

    /**
     * @brief Adds up to @p maxEvents events not yet in the text-search index to it, oldest
     * first; returns how many. append() leaves indexing to this, called in batches (every
     * few seconds by Application), because FTS5 writes a new index segment at every savepoint
     * an event is appended in, which made each append cost more as the log grew. query()
     * matches events newer than the index without it, so results never lag.
     */
    [[nodiscard]] Result<int> indexForSearch(int maxEvents = 10000);

    /** @brief The stored head: {0, 32 zero bytes} for an empty log. */
    [[nodiscard]] Result<AuditHead> head();

    /** @brief The details keys append() refuses (at any depth). */
    [[nodiscard]] static const QStringList &forbiddenDetailKeys();
    /** @brief Compact JSON with sorted keys: the stored and hashed form of details. */
    [[nodiscard]] static QByteArray canonicalJson(const QJsonObject &object);
    /** @brief The content bytes defined above (prev_hash and hash are not part of it). */
    [[nodiscard]] static QByteArray canonicalContent(const AuditEvent &event);
    /** @brief SHA-256(prevHash || canonicalContent(event)). */
    [[nodiscard]] static QByteArray chainHash(const QByteArray &prevHash, const AuditEvent &event);

private:
    [[nodiscard]] Result<AuditHead> loadHead();
    /** @brief The highest seq in the text-search index (0 when empty). */
    [[nodiscard]] Result<qint64> searchIndexedUpTo();

    Database &m_db;
    const Clock &m_clock;
    std::optional<AuditHead> m_cachedHead;
    quint64 m_cachedGeneration = 0;
    qint64 m_indexedUpTo = -1; ///< what indexForSearch() last committed, to skip idle runs
};

} // namespace Tessera::Store
