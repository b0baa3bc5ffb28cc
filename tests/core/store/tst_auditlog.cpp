// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/auditlog.h"
#include "store/settingsstore.h"
#include "store/storeerror.h"
#include "storetestutil.h"
#include "support/fakeclock.h"
#include "support/testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace Tessera;
using namespace Tessera::Store;
using namespace Tessera::Store::TestUtil;

class TestAuditLog : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_path;
    std::unique_ptr<Database> m_db;
    Test::FakeClock m_clock;
    int m_n = 0;

    static AuditEventInput input(const QString &kind, const QString &clientId = {}, const QString &resource = {},
        const QJsonObject &details = {})
    {
        return AuditEventInput { kind, QStringLiteral("system"), clientId, resource, {}, details };
    }

    void appendN(AuditLog &log, int n)
    {
        for (int i = 0; i < n; ++i) {
            m_clock.advanceMs(10);
            auto e = log.append(input(QStringLiteral("test.event"), QStringLiteral("c%1").arg(i % 3), {},
                QJsonObject { { QStringLiteral("i"), i } }));
            QVERIFY(e);
        }
    }

    // Tampering goes through a raw connection and first drops the append-only triggers, as an
    // attacker with write access to the file would.
    std::unique_ptr<RawConnection> attacker()
    {
        auto raw = std::make_unique<RawConnection>(m_path);
        raw->exec(QStringLiteral("DROP TRIGGER audit_events_no_update"));
        raw->exec(QStringLiteral("DROP TRIGGER audit_events_no_delete"));
        return raw;
    }

    VerifyReport verifyNow()
    {
        AuditLog log(*m_db, m_clock);
        auto r = log.verify();
        if (!r) {
            qWarning("verify failed: %s", qPrintable(r.error().toString()));
            return VerifyReport { false, -1, -1, QStringLiteral("error") };
        }
        return *r;
    }

private Q_SLOTS:
    void init()
    {
        m_path = m_dir.filePath(QStringLiteral("audit%1.db").arg(++m_n));
        m_db = openDb(m_path);
        QVERIFY(m_db);
        m_clock.setMs(1'767'225'600'000);
    }
    void cleanup() { m_db.reset(); }

    void testHashVectors()
    {
        // tests/data/store/audit_vectors.json is computed by make_audit_vectors.py from the
        // format documented in auditlog.h, independently of this C++.
        const QJsonDocument doc
            = QJsonDocument::fromJson(Test::readTestData(QStringLiteral("store/audit_vectors.json")));
        const QJsonArray vectors = doc.object().value(QStringLiteral("events")).toArray();
        QCOMPARE(vectors.size(), 4);
        AuditLog log(*m_db, m_clock);
        for (const QJsonValue &v : vectors) {
            const QJsonObject o = v.toObject();
            AuditEvent e;
            e.seq = o.value(QStringLiteral("seq")).toInteger();
            e.tsMs = o.value(QStringLiteral("ts")).toInteger();
            e.kind = o.value(QStringLiteral("kind")).toString();
            e.actor = o.value(QStringLiteral("actor")).toString();
            e.clientId = o.value(QStringLiteral("client_id")).toString();
            e.resource = o.value(QStringLiteral("resource")).toString();
            e.grantId = o.value(QStringLiteral("grant_id")).toString();
            const QJsonObject detailsIn = o.value(QStringLiteral("details_input")).toObject();
            e.details = AuditLog::canonicalJson(detailsIn);
            QCOMPARE(QString::fromUtf8(e.details), o.value(QStringLiteral("details")).toString());
            const QByteArray prev = QByteArray::fromHex(o.value(QStringLiteral("prev_hash")).toString().toLatin1());
            const QByteArray hash = QByteArray::fromHex(o.value(QStringLiteral("hash")).toString().toLatin1());
            QCOMPARE(AuditLog::chainHash(prev, e).toHex(), hash.toHex());

            // The same through append(): seq, prev_hash and hash as the vectors say.
            m_clock.setMs(e.tsMs);
            auto appended = log.append({ e.kind, e.actor, e.clientId, e.resource, e.grantId, detailsIn });
            QVERIFY(appended);
            QCOMPARE(appended->seq, e.seq);
            QCOMPARE(appended->prevHash.toHex(), prev.toHex());
            QCOMPARE(appended->hash.toHex(), hash.toHex());
        }
        QVERIFY(verifyNow().ok);
    }

    void testChainLinksFromGenesis()
    {
        AuditLog log(*m_db, m_clock);
        auto head0 = log.head();
        QVERIFY(head0);
        QCOMPARE(head0->seq, 0);
        QCOMPARE(head0->hash, QByteArray(32, '\0'));
        QVERIFY(verifyNow().ok); // an empty log verifies

        auto a = log.append(input(QStringLiteral("a"), QStringLiteral("c1"), QStringLiteral("http://r"),
            QJsonObject { { QStringLiteral("z"), 1 }, { QStringLiteral("a"), QStringLiteral("x") } }));
        QVERIFY(a);
        QCOMPARE(a->seq, 1);
        QCOMPARE(a->tsMs, m_clock.nowMs());
        QCOMPARE(a->prevHash, QByteArray(32, '\0'));
        QCOMPARE(a->details, QByteArray(R"({"a":"x","z":1})"));
        QCOMPARE(a->hash, AuditLog::chainHash(a->prevHash, *a));
        auto b = log.append(input(QStringLiteral("b")));
        QVERIFY(b);
        QCOMPARE(b->seq, 2);
        QCOMPARE(b->prevHash, a->hash);
        QVERIFY(b->clientId.isEmpty());
        QCOMPARE(b->details, QByteArray("{}"));
        QCOMPARE(log.head()->seq, 2);
        QCOMPARE(log.head()->hash, b->hash);

        const VerifyReport r = verifyNow();
        QVERIFY(r.ok);
        QCOMPARE(r.rowsChecked, 2);
        QCOMPARE(r.firstBadSeq, 0);
        QVERIFY(r.reason.isEmpty());

        // Empty strings are stored as NULL.
        RawConnection raw(m_path);
        QVERIFY(raw.scalar(QStringLiteral("SELECT client_id IS NULL FROM audit_events WHERE seq = 2")).toBool());
    }

    void testRejectsSecretsAndEmptyFields()
    {
        AuditLog log(*m_db, m_clock);
        for (const QString &key : AuditLog::forbiddenDetailKeys()) {
            auto e = log.append(input(QStringLiteral("x"), {}, {}, QJsonObject { { key, QStringLiteral("value") } }));
            QVERIFY(!e);
            QCOMPARE(e.error().code, QString(ErrorCode::AuditForbiddenField));
        }
        const QJsonObject nested { { QStringLiteral("request"),
            QJsonArray { QJsonObject { { QStringLiteral("Refresh_Token"), QStringLiteral("v") } } } } };
        QCOMPARE(log.append(input(QStringLiteral("x"), {}, {}, nested)).error().code,
            QString(ErrorCode::AuditForbiddenField));
        QCOMPARE(log.append(input(QString())).error().code, QString(ErrorCode::InvalidArgument));
        QCOMPARE(log.append({ QStringLiteral("k"), QString(), {}, {}, {}, {} }).error().code,
            QString(ErrorCode::InvalidArgument));
        QCOMPARE(log.head()->seq, 0);
        QVERIFY(log.append(input(
            QStringLiteral("x"), {}, {}, QJsonObject { { QStringLiteral("token_type"), QStringLiteral("Bearer") } })));
    }

    void testDetectsEditedRow()
    {
        AuditLog log(*m_db, m_clock);
        appendN(log, 5);
        auto raw = attacker();
        QVERIFY(raw->exec(QStringLiteral("UPDATE audit_events SET details = '{\"i\":99}' WHERE seq = 3")));
        const VerifyReport r = verifyNow();
        QVERIFY(!r.ok);
        QCOMPARE(r.firstBadSeq, 3);
        QCOMPARE(r.rowsChecked, 2);
        QVERIFY(!r.reason.isEmpty());
    }

    void testDetectsEditedColumns_data()
    {
        QTest::addColumn<QString>("assignment");
        QTest::newRow("ts") << QStringLiteral("ts = ts + 1");
        QTest::newRow("kind") << QStringLiteral("kind = 'other'");
        QTest::newRow("actor") << QStringLiteral("actor = 'user'");
        QTest::newRow("client to NULL") << QStringLiteral("client_id = NULL");
        QTest::newRow("client to empty") << QStringLiteral("client_id = ''");
        QTest::newRow("resource added") << QStringLiteral("resource = 'http://x'");
        QTest::newRow("grant added") << QStringLiteral("grant_id = 'g'");
        QTest::newRow("hash") << QStringLiteral("hash = zeroblob(32)");
    }

    void testDetectsEditedColumns()
    {
        QFETCH(QString, assignment);
        AuditLog log(*m_db, m_clock);
        appendN(log, 4);
        auto raw = attacker();
        QVERIFY(raw->exec(QStringLiteral("UPDATE audit_events SET ") + assignment + QStringLiteral(" WHERE seq = 2")));
        const VerifyReport r = verifyNow();
        QVERIFY(!r.ok);
        QCOMPARE(r.firstBadSeq, 2);
    }

    void testDetectsDeletedMiddleRow()
    {
        AuditLog log(*m_db, m_clock);
        appendN(log, 5);
        auto raw = attacker();
        QVERIFY(raw->exec(QStringLiteral("DELETE FROM audit_events WHERE seq = 3")));
        const VerifyReport r = verifyNow();
        QVERIFY(!r.ok);
        QCOMPARE(r.firstBadSeq, 3);
        QVERIFY(r.reason.contains(QStringLiteral("missing")));
    }

    void testDetectsDeletionWithRenumbering()
    {
        // Deleting row 3 and renumbering 4, 5 to 3, 4 (and the head) leaves no gap, but the
        // hashes cover seq and the previous hash.
        AuditLog log(*m_db, m_clock);
        appendN(log, 5);
        auto raw = attacker();
        QVERIFY(raw->exec(QStringLiteral("DELETE FROM audit_events WHERE seq = 3")));
        QVERIFY(raw->exec(QStringLiteral("UPDATE audit_events SET seq = seq - 1 WHERE seq > 3")));
        QVERIFY(raw->exec(
            QStringLiteral("UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_events WHERE seq = 4)")));
        const VerifyReport r = verifyNow();
        QVERIFY(!r.ok);
        QCOMPARE(r.firstBadSeq, 3);
    }

    void testDetectsSwappedRows()
    {
        AuditLog log(*m_db, m_clock);
        appendN(log, 5);
        auto raw = attacker();
        QVERIFY(raw->exec(QStringLiteral("UPDATE audit_events SET seq = 1000000 WHERE seq = 2")));
        QVERIFY(raw->exec(QStringLiteral("UPDATE audit_events SET seq = 2 WHERE seq = 4")));
        QVERIFY(raw->exec(QStringLiteral("UPDATE audit_events SET seq = 4 WHERE seq = 1000000")));
        const VerifyReport r = verifyNow();
        QVERIFY(!r.ok);
        QCOMPARE(r.firstBadSeq, 2);
    }

    void testDetectsDeletedTail()
    {
        AuditLog log(*m_db, m_clock);
        appendN(log, 5);
        auto raw = attacker();
        QVERIFY(raw->exec(QStringLiteral("DELETE FROM audit_events WHERE seq >= 4")));
        const VerifyReport r = verifyNow();
        QVERIFY(!r.ok);
        QCOMPARE(r.rowsChecked, 3); // the remaining chain itself is intact
        QCOMPARE(r.firstBadSeq, 4);
    }

    void testDetectsEditedHead_data()
    {
        QTest::addColumn<QString>("assignment");
        QTest::addColumn<qint64>("firstBad");
        QTest::newRow("hash") << QStringLiteral("hash = zeroblob(32)") << qint64(5);
        QTest::newRow("seq lowered") << QStringLiteral("seq = 3") << qint64(4);
        QTest::newRow("seq raised") << QStringLiteral("seq = 9") << qint64(6);
    }

    void testDetectsEditedHead()
    {
        QFETCH(QString, assignment);
        QFETCH(qint64, firstBad);
        AuditLog log(*m_db, m_clock);
        appendN(log, 5);
        auto raw = attacker();
        QVERIFY(raw->exec(QStringLiteral("UPDATE audit_head SET ") + assignment));
        const VerifyReport r = verifyNow();
        QVERIFY(!r.ok);
        QCOMPARE(r.firstBadSeq, firstBad);
    }

    void testDetectsMissingHead()
    {
        AuditLog log(*m_db, m_clock);
        appendN(log, 2);
        auto raw = attacker();
        QVERIFY(raw->exec(QStringLiteral("DELETE FROM audit_head")));
        const VerifyReport r = verifyNow();
        QVERIFY(!r.ok);
        QCOMPARE(r.firstBadSeq, 3);
    }

    void testTriggersBlockOrdinaryEdits()
    {
        AuditLog log(*m_db, m_clock);
        appendN(log, 2);
        RawConnection raw(m_path);
        QVERIFY(!raw.exec(QStringLiteral("UPDATE audit_events SET kind = 'x' WHERE seq = 1")));
        QVERIFY(!raw.exec(QStringLiteral("DELETE FROM audit_events WHERE seq = 2")));
        QVERIFY(verifyNow().ok);
    }

    void testAppendJoinsCallerTransaction()
    {
        AuditLog log(*m_db, m_clock);
        SettingsStore settings(*m_db);
        appendN(log, 2);
        {
            auto tx = Transaction::begin(*m_db);
            QVERIFY(tx);
            QVERIFY(settings.set(QStringLiteral("policy"), QStringLiteral("strict")));
            auto e = log.append(input(QStringLiteral("policy.changed")));
            QVERIFY(e);
            QCOMPARE(e->seq, 3);
            // Rolled back: neither the change nor its event remain.
        }
        QVERIFY(!settings.get(QStringLiteral("policy"))->has_value());
        QCOMPARE(log.head()->seq, 2);
        // The in-memory head was dropped with the rollback: the next event is 3 again.
        auto next = log.append(input(QStringLiteral("after")));
        QVERIFY(next);
        QCOMPARE(next->seq, 3);
        {
            auto tx = Transaction::begin(*m_db);
            QVERIFY(tx);
            QVERIFY(settings.set(QStringLiteral("policy"), QStringLiteral("strict")));
            QVERIFY(log.append(input(QStringLiteral("policy.changed"))));
            QVERIFY(tx->commit());
        }
        QVERIFY(settings.get(QStringLiteral("policy"))->has_value());
        QCOMPARE(log.head()->seq, 4);
        QVERIFY(verifyNow().ok);
    }

    void testTwoWritersKeepOneChain()
    {
        // Another connection appends behind this log's back: the stale cached head is detected
        // by the compare-and-swap on audit_head, not turned into a fork.
        AuditLog mine(*m_db, m_clock);
        auto other = openDb(m_path);
        QVERIFY(other);
        AuditLog theirs(*other, m_clock);
        for (int i = 0; i < 10; ++i) {
            AuditLog &log = (i % 3 == 0) ? theirs : mine;
            auto e = log.append(input(QStringLiteral("e%1").arg(i)));
            QVERIFY(e);
            QCOMPARE(e->seq, i + 1);
        }
        QCOMPARE(verifyNow().rowsChecked, 10);
        QVERIFY(verifyNow().ok);
    }

    void testQueryFiltersAndPaging()
    {
        AuditLog log(*m_db, m_clock);
        const qint64 t0 = m_clock.nowMs();
        for (int i = 0; i < 30; ++i) {
            m_clock.setMs(t0 + i * 1000);
            AuditEventInput in = input(i % 2 ? QStringLiteral("token.issued") : QStringLiteral("grant.created"),
                QStringLiteral("c%1").arg(i % 3),
                i % 5 == 0 ? QStringLiteral("http://127.0.0.1:1/a") : QStringLiteral("http://127.0.0.1:2/b"),
                QJsonObject { { QStringLiteral("note"),
                    i == 7 ? QStringLiteral("100% sure_thing") : QStringLiteral("n%1").arg(i) } });
            in.grantId = QStringLiteral("g%1").arg(i % 4);
            in.actor = i == 11 ? QStringLiteral("user") : QStringLiteral("system");
            QVERIFY(log.append(in));
        }
        auto seqs = [&](const AuditFilter &f) {
            auto page = log.query(f);
            QList<qint64> out;
            if (page) {
                for (const AuditEvent &e : page->events)
                    out.append(e.seq);
            }
            return out;
        };
        AuditFilter f;
        f.limit = 5;
        QCOMPARE(seqs(f), (QList<qint64> { 30, 29, 28, 27, 26 }));

        // Keyset paging through everything, newest first.
        QList<qint64> all;
        AuditFilter page;
        page.limit = 7;
        for (int guard = 0; guard < 10; ++guard) {
            auto p = log.query(page);
            QVERIFY(p);
            for (const AuditEvent &e : p->events)
                all.append(e.seq);
            if (!p->nextBeforeSeq)
                break;
            page.beforeSeq = p->nextBeforeSeq;
        }
        QCOMPARE(all.size(), 30);
        QCOMPARE(all.first(), 30);
        QCOMPARE(all.last(), 1);

        AuditFilter byClient;
        byClient.clientId = QStringLiteral("c1");
        QCOMPARE(seqs(byClient), (QList<qint64> { 29, 26, 23, 20, 17, 14, 11, 8, 5, 2 }));
        AuditFilter byKind;
        byKind.kind = QStringLiteral("grant.created");
        byKind.clientId = QStringLiteral("c1");
        QCOMPARE(seqs(byKind), (QList<qint64> { 29, 23, 17, 11, 5 }));
        AuditFilter byResource;
        byResource.resource = QStringLiteral("http://127.0.0.1:1/a");
        QCOMPARE(seqs(byResource), (QList<qint64> { 26, 21, 16, 11, 6, 1 }));
        AuditFilter byActor;
        byActor.actor = QStringLiteral("user");
        QCOMPARE(seqs(byActor), (QList<qint64> { 12 }));
        AuditFilter byGrant;
        byGrant.grantId = QStringLiteral("g3");
        QCOMPARE(seqs(byGrant), (QList<qint64> { 28, 24, 20, 16, 12, 8, 4 }));
        AuditFilter byTime;
        byTime.fromMs = t0 + 10 * 1000;
        byTime.toMs = t0 + 13 * 1000;
        QCOMPARE(seqs(byTime), (QList<qint64> { 13, 12, 11 }));

        // Text search is literal: % and _ are not wildcards.
        AuditFilter text;
        text.text = QStringLiteral("100% sure_");
        QCOMPARE(seqs(text), (QList<qint64> { 8 }));
        text.text = QStringLiteral("n2");
        QCOMPARE(seqs(text), (QList<qint64> { 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 3 }));
        text.text = QStringLiteral("_");
        QCOMPARE(seqs(text), (QList<qint64> { 8 }));

        auto one = log.query(byActor);
        QVERIFY(one);
        const AuditEvent &e = one->events.first();
        QCOMPARE(e.kind, QStringLiteral("token.issued"));
        QCOMPARE(e.clientId, QStringLiteral("c2"));
        QCOMPARE(e.tsMs, t0 + 11 * 1000);
        QCOMPARE(e.detailsObject().value(QStringLiteral("note")).toString(), QStringLiteral("n11"));
        QVERIFY(!one->nextBeforeSeq);
    }

    // The search index is filled in batches (indexForSearch); the answers must not depend on how
    // far it got: none, a boundary inside a page (7), or everything.
    void testTextSearchQuotesCaseAndPaging_data()
    {
        QTest::addColumn<int>("indexed");
        QTest::newRow("nothing indexed") << 0;
        QTest::newRow("indexed up to 7") << 7;
        QTest::newRow("all indexed") << 12;
    }

    void testTextSearchQuotesCaseAndPaging()
    {
        QFETCH(int, indexed);
        AuditLog log(*m_db, m_clock);
        for (int i = 0; i < 12; ++i) {
            const QString note
                = i == 5 ? QStringLiteral("she said \"hi\" to Agent") : QStringLiteral("Agent step %1").arg(i);
            QVERIFY(log.append(input(QStringLiteral("k"), {}, {}, QJsonObject { { QStringLiteral("note"), note } })));
        }
        if (indexed > 0) {
            auto added = log.indexForSearch(indexed);
            QVERIFY(added);
            QCOMPARE(*added, indexed);
        }
        auto seqs = [&](const AuditFilter &f) {
            QList<qint64> out;
            if (auto page = log.query(f)) {
                for (const AuditEvent &e : page->events)
                    out.append(e.seq);
            }
            return out;
        };
        AuditFilter f;
        f.text = QStringLiteral("said \"hi\"");
        QCOMPARE(seqs(f), (QList<qint64> { 6 }));
        f.text = QStringLiteral("\""); // a quote inside a value, not the JSON syntax around it
        QCOMPARE(seqs(f), (QList<qint64> { 6 }));
        f.text = QStringLiteral("\"hi\"");
        QCOMPARE(seqs(f), (QList<qint64> { 6 }));
        f.text = QStringLiteral("STEP 1"); // ASCII case-insensitive, like LIKE
        QCOMPARE(seqs(f), (QList<qint64> { 12, 11, 2 }));
        f.text = QStringLiteral("agent");
        f.limit = 5;
        QCOMPARE(seqs(f), (QList<qint64> { 12, 11, 10, 9, 8 }));
        auto first = log.query(f);
        QVERIFY(first && first->nextBeforeSeq);
        f.beforeSeq = first->nextBeforeSeq;
        QCOMPARE(seqs(f), (QList<qint64> { 7, 6, 5, 4, 3 }));
        f.text = QStringLiteral("nowhere to be found");
        f.beforeSeq.reset();
        QVERIFY(seqs(f).isEmpty());
    }

    void testSearchIndexCatchesUpOnce()
    {
        AuditLog log(*m_db, m_clock);
        for (int i = 0; i < 5; ++i)
            QVERIFY(log.append(input(
                QStringLiteral("k"), {}, {}, QJsonObject { { QStringLiteral("note"), QStringLiteral("needle") } })));
        QCOMPARE(*log.indexForSearch(3), 3);
        QCOMPARE(*log.indexForSearch(), 2);
        QCOMPARE(*log.indexForSearch(), 0); // nothing twice
        QVERIFY(log.append(
            input(QStringLiteral("k"), {}, {}, QJsonObject { { QStringLiteral("note"), QStringLiteral("needle") } })));
        AuditFilter f;
        f.text = QStringLiteral("needle");
        auto page = log.query(f);
        QVERIFY(page);
        QList<qint64> seqs;
        for (const AuditEvent &e : page->events)
            seqs.append(e.seq);
        QCOMPARE(seqs, (QList<qint64> { 6, 5, 4, 3, 2, 1 })); // the unindexed newest first, no duplicates
        // Indexing runs in a rolled-back outer transaction: nothing of it stays.
        {
            auto tx = Transaction::begin(*m_db);
            QVERIFY(tx);
            QCOMPARE(*log.indexForSearch(), 1);
        }
        QCOMPARE(*log.indexForSearch(), 1);
    }

    void testAuditQueriesUseIndexes_data()
    {
        QTest::addColumn<QString>("where");
        QTest::newRow("client") << QStringLiteral("client_id = 'c'");
        QTest::newRow("kind") << QStringLiteral("kind = 'k'");
        QTest::newRow("resource") << QStringLiteral("resource = 'r'");
        QTest::newRow("grant") << QStringLiteral("grant_id = 'g'");
        QTest::newRow("time") << QStringLiteral("ts >= 1 AND ts < 2");
        QTest::newRow("page") << QStringLiteral("seq < 100");
    }

    void testAuditQueriesUseIndexes()
    {
        QFETCH(QString, where);
        auto q = m_db->prepare(QStringLiteral("EXPLAIN QUERY PLAN SELECT seq FROM audit_events WHERE ") + where
            + QStringLiteral(" ORDER BY seq DESC LIMIT 101"));
        QVERIFY(q);
        QVERIFY(q->exec());
        QStringList plan;
        while (q->next())
            plan.append(q->text(3));
        const QString text = plan.join(u'\n');
        QVERIFY2(text.contains(QStringLiteral("USING")), qPrintable(text)); // an index or the rowid, not a scan
    }

    void testVerifyLargeChain()
    {
        AuditLog log(*m_db, m_clock);
        {
            auto tx = Transaction::begin(*m_db);
            QVERIFY(tx);
            appendN(log, 5000);
            QVERIFY(tx->commit());
        }
        const VerifyReport r = verifyNow();
        QVERIFY(r.ok);
        QCOMPARE(r.rowsChecked, 5000);
    }
};

QTEST_GUILESS_MAIN(TestAuditLog)
#include "tst_auditlog.moc"
