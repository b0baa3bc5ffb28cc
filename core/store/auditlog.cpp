// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/auditlog.h"

#include "common/clock.h"
#include "common/logging.h"
#include "store/database.h"
#include "store/storeerror.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QtEndian>

#include <algorithm>

namespace Tessera::Store {

namespace {
constexpr int kHashSize = 32;
const QByteArray kMagic = QByteArrayLiteral("TESSERA-AUDIT-V1");
const QString kSelect = QStringLiteral(
    "SELECT seq, ts, kind, actor, client_id, resource, grant_id, details, prev_hash, hash FROM audit_events ");

void appendBe64(QByteArray &out, qint64 v)
{
    char buf[8];
    qToBigEndian<qint64>(v, buf);
    out.append(buf, 8);
}

void appendStr(QByteArray &out, const QByteArray &utf8)
{
    char buf[4];
    qToBigEndian<quint32>(static_cast<quint32>(utf8.size()), buf);
    out.append(buf, 4);
    out.append(utf8);
}

// NULL is represented by a null QString (AuditEvent keeps empty == NULL).
void appendOpt(QByteArray &out, const QString &s)
{
    if (s.isEmpty()) {
        out.append('\0');
        return;
    }
    out.append('\1');
    appendStr(out, s.toUtf8());
}

// Round-trips through UTF-8 so that what is hashed is byte-for-byte what SQLite stores
// (a lone surrogate would otherwise be converted differently by Qt and by SQLite).
QString sanitized(const QString &s)
{
    return QString::fromUtf8(s.toUtf8());
}

bool hasForbiddenKey(const QJsonValue &v, const QStringList &forbidden)
{
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (forbidden.contains(it.key().toLower()) || hasForbiddenKey(it.value(), forbidden))
                return true;
        }
    } else if (v.isArray()) {
        const QJsonArray a = v.toArray();
        return std::any_of(a.begin(), a.end(), [&](const QJsonValue &e) { return hasForbiddenKey(e, forbidden); });
    }
    return false;
}

AuditEvent readEvent(const Query &q)
{
    AuditEvent e;
    e.seq = q.int64(0);
    e.tsMs = q.int64(1);
    e.kind = q.text(2);
    e.actor = q.text(3);
    e.clientId = q.isNull(4) ? QString() : q.text(4);
    e.resource = q.isNull(5) ? QString() : q.text(5);
    e.grantId = q.isNull(6) ? QString() : q.text(6);
    e.details = q.text(7).toUtf8();
    e.prevHash = q.blob(8);
    e.hash = q.blob(9);
    return e;
}

// Content for verification: distinguishes a NULL column from an empty string, which a row
// edited outside Tessera could contain.
QByteArray storedContent(const Query &q)
{
    QByteArray out = kMagic;
    appendBe64(out, q.int64(0));
    appendBe64(out, q.int64(1));
    appendStr(out, q.text(2).toUtf8());
    appendStr(out, q.text(3).toUtf8());
    for (int col : { 4, 5, 6 }) {
        if (q.isNull(col)) {
            out.append('\0');
        } else {
            out.append('\1');
            appendStr(out, q.text(col).toUtf8());
        }
    }
    appendStr(out, q.text(7).toUtf8());
    return out;
}

QByteArray sha256(const QByteArray &a, const QByteArray &b)
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(a);
    h.addData(b);
    return h.result();
}
} // namespace

AuditLog::AuditLog(Database &db, const Clock &clock) : m_db(db), m_clock(clock) { }

const QStringList &AuditLog::forbiddenDetailKeys()
{
    static const QStringList keys { QStringLiteral("access_token"), QStringLiteral("refresh_token"),
        QStringLiteral("id_token"), QStringLiteral("token"), QStringLiteral("code"), QStringLiteral("code_verifier"),
        QStringLiteral("client_secret"), QStringLiteral("secret"), QStringLiteral("secret_value"),
        QStringLiteral("password"), QStringLiteral("authorization") };
    return keys;
}

QByteArray AuditLog::canonicalJson(const QJsonObject &object)
{
    // QJsonObject keeps its keys sorted, at every depth; Compact writes no whitespace.
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray AuditLog::canonicalContent(const AuditEvent &event)
{
    QByteArray out = kMagic;
    appendBe64(out, event.seq);
    appendBe64(out, event.tsMs);
    appendStr(out, event.kind.toUtf8());
    appendStr(out, event.actor.toUtf8());
    appendOpt(out, event.clientId);
    appendOpt(out, event.resource);
    appendOpt(out, event.grantId);
    appendStr(out, event.details);
    return out;
}

QByteArray AuditLog::chainHash(const QByteArray &prevHash, const AuditEvent &event)
{
    return sha256(prevHash, canonicalContent(event));
}

Result<AuditHead> AuditLog::loadHead()
{
    auto q = m_db.prepare(QStringLiteral("SELECT seq, hash FROM audit_head WHERE id = 1"));
    if (!q)
        return q.error();
    if (Status s = q->exec(); !s)
        return s.error();
    if (!q->next()) {
        if (Status s = q->status(); !s)
            return s.error();
        return storeError(ErrorCode::DatabaseCorrupt, QStringLiteral("The audit log has lost its head record."));
    }
    return AuditHead { q->int64(0), q->blob(1) };
}

Result<AuditHead> AuditLog::head()
{
    return loadHead();
}

Result<AuditEvent> AuditLog::append(const AuditEventInput &input)
{
    if (input.kind.isEmpty() || input.actor.isEmpty())
        return storeError(ErrorCode::InvalidArgument, QStringLiteral("An audit event needs a kind and an actor."));
    if (hasForbiddenKey(input.details, forbiddenDetailKeys()))
        return storeError(ErrorCode::AuditForbiddenField,
            QStringLiteral("Audit details must not carry token, code or secret fields."));

    AuditEvent event;
    event.tsMs = m_clock.nowMs();
    event.kind = sanitized(input.kind);
    event.actor = sanitized(input.actor);
    event.clientId = sanitized(input.clientId);
    event.resource = sanitized(input.resource);
    event.grantId = sanitized(input.grantId);
    event.details = sanitized(QString::fromUtf8(canonicalJson(input.details))).toUtf8();

    auto tx = Transaction::begin(m_db);
    if (!tx)
        return tx.error();

    if (!m_cachedHead || m_cachedGeneration != m_db.rollbackGeneration()) {
        auto h = loadHead();
        if (!h)
            return h.error();
        m_cachedHead = *h;
        m_cachedGeneration = m_db.rollbackGeneration();
    }
    // Compare-and-swap on the head: if the cache is stale (another connection appended), the
    // update changes nothing, and we re-read the head once and try again.
    for (int attempt = 0; attempt < 2; ++attempt) {
        event.seq = m_cachedHead->seq + 1;
        event.prevHash = m_cachedHead->hash;
        event.hash = chainHash(event.prevHash, event);
        auto q = m_db.prepare(
            QStringLiteral("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1 AND seq = ? AND hash = ?"));
        if (!q)
            return q.error();
        q->bindInt(event.seq).bindBlob(event.hash).bindInt(m_cachedHead->seq).bindBlob(m_cachedHead->hash);
        if (Status s = q->exec(); !s)
            return s.error();
        if (q->rowsAffected() == 1)
            break;
        if (attempt == 1)
            return storeError(ErrorCode::StoreError, QStringLiteral("The audit log head changed unexpectedly."));
        qCDebug(lcStore) << "audit head cache was stale; re-reading";
        auto h = loadHead();
        if (!h)
            return h.error();
        m_cachedHead = *h;
    }

    auto q = m_db.prepare(QStringLiteral(
        "INSERT INTO audit_events (seq, ts, kind, actor, client_id, resource, grant_id, details, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    if (!q) {
        m_cachedHead.reset();
        return q.error();
    }
    q->bindInt(event.seq)
        .bindInt(event.tsMs)
        .bindText(event.kind)
        .bindText(event.actor)
        .bindTextOrNull(event.clientId)
        .bindTextOrNull(event.resource)
        .bindTextOrNull(event.grantId)
        .bindText(QString::fromUtf8(event.details))
        .bindBlob(event.prevHash)
        .bindBlob(event.hash);
    if (Status s = q->exec(); !s) {
        m_cachedHead.reset();
        return s.error();
    }
    if (Status s = tx->commit(); !s) {
        m_cachedHead.reset();
        return s.error();
    }
    m_cachedHead = AuditHead { event.seq, event.hash };
    m_cachedGeneration = m_db.rollbackGeneration();
    return event;
}

Result<VerifyReport> AuditLog::verify()
{
    // One snapshot for rows and head, even while another connection appends.
    auto tx = Transaction::begin(m_db, Transaction::Mode::Read);
    if (!tx)
        return tx.error();

    VerifyReport report;
    auto bad = [&report](qint64 seq, const QString &reason) {
        report.ok = false;
        report.firstBadSeq = seq;
        report.reason = reason;
        return report;
    };

    qint64 expectedSeq = 1;
    QByteArray prev(kHashSize, '\0');
    {
        auto q = m_db.prepare(kSelect + QStringLiteral("ORDER BY seq"));
        if (!q)
            return q.error();
        if (Status s = q->exec(); !s)
            return s.error();
        while (q->next()) {
            const qint64 seq = q->int64(0);
            if (seq != expectedSeq)
                return bad(expectedSeq, QStringLiteral("Audit event %1 is missing.").arg(expectedSeq));
            if (q->blob(8) != prev)
                return bad(seq, QStringLiteral("Audit event %1 does not link to the event before it.").arg(seq));
            const QByteArray hash = q->blob(9);
            if (sha256(prev, storedContent(*q)) != hash)
                return bad(seq, QStringLiteral("Audit event %1 was changed after it was written.").arg(seq));
            prev = hash;
            ++expectedSeq;
            ++report.rowsChecked;
        }
        if (Status s = q->status(); !s)
            return s.error();
    }

    const qint64 lastSeq = expectedSeq - 1;
    auto h = loadHead();
    if (!h)
        return bad(lastSeq + 1, QStringLiteral("The audit log head record is missing."));
    if (h->seq != lastSeq)
        return bad(std::min(h->seq, lastSeq) + 1,
            QStringLiteral("The audit log ends at event %1 but its head says %2: events were removed or added.")
                .arg(lastSeq)
                .arg(h->seq));
    if (h->hash != prev)
        return bad(std::max<qint64>(lastSeq, 1), QStringLiteral("The audit log head does not match the last event."));
    if (Status s = tx->commit(); !s)
        return s.error();
    return report;
}

Result<qint64> AuditLog::searchIndexedUpTo()
{
    // The index is filled in seq order only, so its highest rowid is its watermark.
    auto q = m_db.prepare(QStringLiteral("SELECT coalesce(max(rowid), 0) FROM audit_search"));
    if (!q)
        return q.error();
    if (Status s = q->exec(); !s)
        return s.error();
    if (!q->next()) {
        if (Status s = q->status(); !s)
            return s.error();
        return qint64(0);
    }
    return q->int64(0);
}

Result<int> AuditLog::indexForSearch(int maxEvents)
{
    // Nothing appended since the last run (the common, idle case): no transaction at all.
    if (m_cachedHead && m_cachedGeneration == m_db.rollbackGeneration() && m_indexedUpTo >= m_cachedHead->seq)
        return 0;
    auto tx = Transaction::begin(m_db);
    if (!tx)
        return tx.error();
    auto upTo = searchIndexedUpTo();
    if (!upTo)
        return upTo.error();
    auto q = m_db.prepare(QStringLiteral("INSERT INTO audit_search (rowid, details) "
                                         "SELECT seq, details FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?"));
    if (!q)
        return q.error();
    q->bindInt(*upTo).bindInt(std::max(1, maxEvents));
    if (Status s = q->exec(); !s)
        return s.error();
    const int added = q->rowsAffected();
    if (Status s = tx->commit(); !s)
        return s.error();
    if (!m_db.inTransaction()) // inside a caller's transaction it may still roll back
        m_indexedUpTo = *upTo + added;
    return added;
}

Result<AuditPage> AuditLog::query(const AuditFilter &filter)
{
    // A text of three or more characters is looked up in the trigram index first (newest
    // first, stopping after one page); LIKE then confirms each candidate exactly. Shorter texts
    // cannot use trigrams and scan. Events newer than the index (indexForSearch() runs in
    // batches) are matched by LIKE alone, and come first, being the newest.
    // details holds JSON text, so look for the text as it appears inside a JSON string
    // (a quote is stored as \", a backslash as \\).
    QString needle = QString::fromUtf8(QJsonDocument(QJsonArray { filter.text }).toJson(QJsonDocument::Compact));
    needle = needle.mid(2, needle.size() - 4); // strip [" and "]
    const bool canUseSearchIndex = needle.toUcs4().size() >= 3;
    const int limit = std::clamp(filter.limit, 1, 10000);

    // One SELECT; seq bounds (aboveSeq < seq <= atMostSeq) split the indexed from the unindexed part.
    auto select = [&](bool useSearchIndex, std::optional<qint64> aboveSeq, std::optional<qint64> atMostSeq, int rows,
                      QList<AuditEvent> &out) -> Status {
        const QString e = useSearchIndex ? QStringLiteral("e.") : QString();
        const QString seqColumn = useSearchIndex ? QStringLiteral("s.rowid") : QStringLiteral("seq");
        QStringList terms;
        QList<QVariant> values;
        if (useSearchIndex) {
            terms.append(QStringLiteral("audit_search MATCH ?"));
            // An FTS5 string: double quotes doubled (https://www.sqlite.org/fts5.html#fts5_strings).
            values.append(QString(u'"' + QString(needle).replace(u'"', QStringLiteral("\"\"")) + u'"'));
        }
        auto eq = [&](const char *column, const QString &value) {
            if (value.isEmpty())
                return;
            terms.append(e + QLatin1String(column) + QStringLiteral(" = ?"));
            values.append(value);
        };
        eq("client_id", filter.clientId);
        eq("resource", filter.resource);
        eq("kind", filter.kind);
        eq("actor", filter.actor);
        eq("grant_id", filter.grantId);
        if (filter.fromMs) {
            terms.append(e + QStringLiteral("ts >= ?"));
            values.append(QVariant::fromValue<qlonglong>(*filter.fromMs));
        }
        if (filter.toMs) {
            terms.append(e + QStringLiteral("ts < ?"));
            values.append(QVariant::fromValue<qlonglong>(*filter.toMs));
        }
        if (!needle.isEmpty()) {
            QString pattern = needle;
            pattern.replace(u'\\', QStringLiteral("\\\\"))
                .replace(u'%', QStringLiteral("\\%"))
                .replace(u'_', QStringLiteral("\\_"));
            terms.append(e + QStringLiteral("details LIKE ? ESCAPE '\\'"));
            values.append(QString(u'%' + pattern + u'%'));
        }
        if (filter.beforeSeq) {
            terms.append(seqColumn + QStringLiteral(" < ?"));
            values.append(QVariant::fromValue<qlonglong>(*filter.beforeSeq));
        }
        if (aboveSeq) {
            terms.append(seqColumn + QStringLiteral(" > ?"));
            values.append(QVariant::fromValue<qlonglong>(*aboveSeq));
        }
        if (atMostSeq) {
            terms.append(seqColumn + QStringLiteral(" <= ?"));
            values.append(QVariant::fromValue<qlonglong>(*atMostSeq));
        }
        QString sql;
        if (useSearchIndex) {
            // CROSS JOIN keeps the search index the outer loop (SQLite does not reorder it).
            sql = QStringLiteral(
                "SELECT e.seq, e.ts, e.kind, e.actor, e.client_id, e.resource, e.grant_id, e.details, "
                "e.prev_hash, e.hash FROM audit_search s CROSS JOIN audit_events e ON e.seq = s.rowid ");
        } else {
            sql = kSelect;
        }
        if (!terms.isEmpty())
            sql += QStringLiteral("WHERE ") + terms.join(QStringLiteral(" AND ")) + u' ';
        sql += seqColumn == u"seq" ? QStringLiteral("ORDER BY seq DESC LIMIT ?")
                                   : QStringLiteral("ORDER BY s.rowid DESC LIMIT ?");

        auto q = m_db.prepare(sql);
        if (!q)
            return q.error();
        for (const QVariant &v : std::as_const(values)) {
            if (v.typeId() == QMetaType::QString)
                q->bindText(v.toString());
            else
                q->bindInt(v.toLongLong());
        }
        q->bindInt(rows);
        if (Status s = q->exec(); !s)
            return s;
        while (q->next())
            out.append(readEvent(*q));
        return q->status();
    };

    AuditPage page;
    if (canUseSearchIndex) {
        auto indexed = searchIndexedUpTo();
        if (!indexed)
            return indexed.error();
        if (Status s = select(false, *indexed, std::nullopt, limit + 1, page.events); !s)
            return s.error();
        if (page.events.size() <= limit) {
            if (Status s = select(true, std::nullopt, *indexed, limit + 1 - int(page.events.size()), page.events); !s)
                return s.error();
        }
    } else if (Status s = select(false, std::nullopt, std::nullopt, limit + 1, page.events); !s) {
        return s.error();
    }
    if (page.events.size() > limit) {
        page.events.resize(limit);
        page.nextBeforeSeq = page.events.constLast().seq;
    }
    return page;
}

} // namespace Tessera::Store
