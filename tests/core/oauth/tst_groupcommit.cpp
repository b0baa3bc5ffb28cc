// SPDX-License-Identifier: GPL-3.0-or-later
// GroupCommit (the /token endpoint's batching): requests submitted in one pass share one
// transaction, are answered only after it commits, and a failed commit answers every request of
// the batch with the failure response and keeps nothing of it.
#include "http/loopbackserver.h"
#include "http/response.h"
#include "oauth/groupcommit.h"
#include "store/database.h"
#include "support/httptestclient.h"

#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace Tessera;
using namespace Tessera::Test;

class TestGroupCommit : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<Store::Database> m_db;
    std::unique_ptr<Http::LoopbackServer> m_http;
    std::unique_ptr<OAuth::GroupCommit> m_batch;
    std::vector<std::pair<Http::Request, Http::Responder>> m_held;
    int m_rollbacks = 0;
    int m_holdFor = 1; // submit once this many requests have arrived, all in one pass

    qint64 count(const QString &table)
    {
        auto q = m_db->prepare(QStringLiteral("SELECT count(*) FROM ") + table);
        if (!q || !q->exec() || !q->next())
            return -1;
        return q->int64(0);
    }

    QByteArray post(const QByteArray &path) const
    {
        return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_http->port())
            + "\r\nContent-Length: 0\r\n\r\n";
    }

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        auto db = Store::Database::open(
            m_dir.filePath(QStringLiteral("t%1.db").arg(QLatin1String(QTest::currentTestFunction()))));
        QVERIFY(db);
        m_db = std::move(*db);
        QVERIFY(m_db->exec(QStringLiteral("CREATE TABLE parent (id INTEGER PRIMARY KEY)")));
        QVERIFY(m_db->exec(QStringLiteral("CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER "
                                          "REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)")));
        m_rollbacks = 0;
        m_held.clear();
        m_batch = std::make_unique<OAuth::GroupCommit>(
            *m_db,
            [this](const Http::Request &request) {
                // /ok writes a valid row; /bad a row whose foreign key fails only at COMMIT.
                const QString sql = request.path == "/ok"
                    ? QStringLiteral("INSERT INTO parent DEFAULT VALUES")
                    : QStringLiteral("INSERT INTO child (parent_id) VALUES (999)");
                const bool wrote = m_db->exec(sql).ok();
                return Http::Response::json(wrote ? 200 : 500, QJsonObject {});
            },
            [] {
                return Http::Response::json(
                    503, QJsonObject { { QStringLiteral("error"), QStringLiteral("server_error") } });
            },
            [this] { ++m_rollbacks; });
        m_http = std::make_unique<Http::LoopbackServer>();
        m_http->setAllowEphemeralPortForTesting(true);
        for (const QByteArray &path : { QByteArray("/ok"), QByteArray("/bad") }) {
            QVERIFY(m_http->route("POST", path, [this](const Http::Request &request, Http::Responder r) {
                m_held.emplace_back(request, std::move(r));
                if (int(m_held.size()) < m_holdFor)
                    return;
                for (auto &[req, responder] : std::exchange(m_held, {}))
                    m_batch->submit(req, std::move(responder));
            }));
        }
        QVERIFY(m_http->listen(0));
    }

    void cleanup()
    {
        m_http.reset();
        m_batch.reset();
        m_db.reset();
    }

    void testOneBatchOneCommitAnswersAfter()
    {
        m_holdFor = 3;
        RawClient a, b, c;
        QVERIFY(a.connectTo(m_http->port()) && b.connectTo(m_http->port()) && c.connectTo(m_http->port()));
        a.send(post("/ok"));
        b.send(post("/ok"));
        c.send(post("/ok"));
        for (RawClient *client : { &a, &b, &c }) {
            const auto reply = client->readReply(5000);
            QVERIFY(reply);
            QCOMPARE(reply->status, 200);
        }
        QCOMPARE(m_batch->batchesCommitted(), quint64(1));
        QCOMPARE(count(QStringLiteral("parent")), 3);
        QVERIFY(!m_db->inTransaction());
    }

    void testFailedCommitFailsTheWholeBatchAndKeepsNothing()
    {
        m_holdFor = 2;
        RawClient good, bad;
        QVERIFY(good.connectTo(m_http->port()) && bad.connectTo(m_http->port()));
        good.send(post("/ok"));
        bad.send(post("/bad"));
        for (RawClient *client : { &good, &bad }) {
            const auto reply = client->readReply(5000);
            QVERIFY(reply);
            QCOMPARE(reply->status, 503); // the failure response, also for the request that was fine
            QVERIFY(reply->body.contains("server_error"));
        }
        QCOMPARE(m_rollbacks, 1);
        QCOMPARE(m_batch->batchesCommitted(), quint64(0));
        QCOMPARE(count(QStringLiteral("parent")), 0);
        QCOMPARE(count(QStringLiteral("child")), 0);
        QVERIFY(!m_db->inTransaction());

        // The next batch starts clean.
        m_holdFor = 1;
        RawClient again;
        QVERIFY(again.connectTo(m_http->port()));
        const auto reply = again.exchange(post("/ok"), 5000);
        QVERIFY(reply);
        QCOMPARE(reply->status, 200);
        QCOMPARE(count(QStringLiteral("parent")), 1);
    }
};

QTEST_GUILESS_MAIN(TestGroupCommit)
#include "tst_groupcommit.moc"
