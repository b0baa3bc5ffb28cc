// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/resourcestore.h"
#include "store/storeerror.h"
#include "storetestutil.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Tessera;
using namespace Tessera::Store;
using namespace Tessera::Store::TestUtil;

class TestResourceStore : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;
    int m_n = 0;

private Q_SLOTS:
    void init()
    {
        m_db = openDb(m_dir.filePath(QStringLiteral("r%1.db").arg(++m_n)));
        QVERIFY(m_db);
    }
    void cleanup() { m_db.reset(); }

    void testCanonicalUri_data()
    {
        // mcp-authorization.md §0.2 item 5; RFC 8707 §2.
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("canonical");
        QTest::newRow("already canonical")
            << QStringLiteral("http://127.0.0.1:8931/mcp") << QStringLiteral("http://127.0.0.1:8931/mcp");
        QTest::newRow("upper-case scheme and host")
            << QStringLiteral("HTTP://LOCALHOST:8931/mcp") << QStringLiteral("http://localhost:8931/mcp");
        QTest::newRow("lone trailing slash")
            << QStringLiteral("http://127.0.0.1:8931/") << QStringLiteral("http://127.0.0.1:8931");
        QTest::newRow("bare origin") << QStringLiteral("http://127.0.0.1:8931")
                                     << QStringLiteral("http://127.0.0.1:8931");
        QTest::newRow("path slash kept") << QStringLiteral("http://127.0.0.1:8931/mcp/")
                                         << QStringLiteral("http://127.0.0.1:8931/mcp/");
        QTest::newRow("default http port")
            << QStringLiteral("http://127.0.0.1:80/mcp") << QStringLiteral("http://127.0.0.1/mcp");
        QTest::newRow("default https port")
            << QStringLiteral("https://example.com:443/") << QStringLiteral("https://example.com");
        QTest::newRow("ipv6") << QStringLiteral("http://[::1]:7400/mcp") << QStringLiteral("http://[::1]:7400/mcp");
        QTest::newRow("query kept") << QStringLiteral("http://127.0.0.1:1/a?b=c")
                                    << QStringLiteral("http://127.0.0.1:1/a?b=c");
    }

    void testCanonicalUri()
    {
        QFETCH(QString, input);
        QFETCH(QString, canonical);
        auto r = ResourceStore::canonicalUri(input);
        QVERIFY2(r, qPrintable(r.ok() ? QString() : r.error().toString()));
        QCOMPARE(*r, canonical);
    }

    void testCanonicalUriRejects_data()
    {
        QTest::addColumn<QString>("input");
        QTest::newRow("fragment (RFC 8707 §2)") << QStringLiteral("http://127.0.0.1:8931/mcp#x");
        QTest::newRow("relative") << QStringLiteral("/mcp");
        QTest::newRow("other scheme") << QStringLiteral("ftp://127.0.0.1/mcp");
        QTest::newRow("user info") << QStringLiteral("http://user:pw@127.0.0.1/mcp");
        QTest::newRow("empty") << QString();
    }

    void testCanonicalUriRejects()
    {
        QFETCH(QString, input);
        auto r = ResourceStore::canonicalUri(input);
        QVERIFY(!r);
        QCOMPARE(r.error().code, QString(ErrorCode::InvalidArgument));
    }

    void testAddFindRoundTrip()
    {
        ResourceStore store(*m_db);
        Resource in = makeResource(QStringLiteral("files"), 8931);
        in.uri = QStringLiteral("HTTP://127.0.0.1:8931/mcp");
        in.tokenLifetimeSecs = 600;
        in.introspectionSecretHash = sha("introspection secret");
        auto added = store.add(in, kNow);
        QVERIFY(added);
        QVERIFY(added->id > 0);
        QCOMPARE(added->uri, QStringLiteral("http://127.0.0.1:8931/mcp"));
        QCOMPARE(added->createdAt, kNow);
        QCOMPARE(added->updatedAt, kNow);

        auto byId = store.find(added->id);
        QVERIFY(byId && byId->has_value());
        QCOMPARE(**byId, *added);
        QCOMPARE((*byId)->scopes.size(), 3);
        QCOMPARE((*byId)->scopes.at(0).name, QStringLiteral("read")); // registration order
        QCOMPARE((*byId)->scope(QStringLiteral("write"))->risk, Risk::High);
        QCOMPARE((*byId)->introspectionSecretHash, sha("introspection secret"));

        // Canonical match: case, default port and lone slash do not matter.
        for (const QString &variant :
            { QStringLiteral("http://127.0.0.1:8931/mcp"), QStringLiteral("HTTP://127.0.0.1:8931/mcp") }) {
            auto byUri = store.findByUri(variant);
            QVERIFY(byUri && byUri->has_value());
            QCOMPARE((*byUri)->id, added->id);
        }
        auto other = store.findByUri(QStringLiteral("http://127.0.0.1:8931/other"));
        QVERIFY(other && !other->has_value());
        auto invalid = store.findByUri(QStringLiteral("not a uri#x"));
        QVERIFY(invalid && !invalid->has_value());

        auto byName = store.findByName(QStringLiteral("files"));
        QVERIFY(byName && byName->has_value());
        QCOMPARE((*byName)->id, added->id);
        auto none = store.findByName(QStringLiteral("nope"));
        QVERIFY(none && !none->has_value());
    }

    void testDefaults()
    {
        ResourceStore store(*m_db);
        Resource in;
        in.uri = QStringLiteral("http://127.0.0.1:9000/mcp");
        in.name = QStringLiteral("bare");
        auto added = store.add(in, kNow);
        QVERIFY(added);
        QCOMPARE(added->tokenLifetimeSecs, 300);
        QCOMPARE(added->displayName, QStringLiteral("bare"));
        QVERIFY(added->scopes.isEmpty());
        QVERIFY(added->introspectionSecretHash.isEmpty());
    }

    void testValidation_data()
    {
        QTest::addColumn<QString>("field");
        QTest::newRow("bad name") << QStringLiteral("name");
        QTest::newRow("upper-case name") << QStringLiteral("upper");
        QTest::newRow("bad uri") << QStringLiteral("uri");
        QTest::newRow("bad scope token") << QStringLiteral("scope");
        QTest::newRow("bad risk") << QStringLiteral("risk");
        QTest::newRow("duplicate scope") << QStringLiteral("duplicate");
        QTest::newRow("default not a scope") << QStringLiteral("default");
        QTest::newRow("lifetime") << QStringLiteral("lifetime");
        QTest::newRow("hash size") << QStringLiteral("hash");
    }

    void testValidation()
    {
        QFETCH(QString, field);
        Resource r = makeResource(QStringLiteral("files"), 8931);
        if (field == u"name")
            r.name = QStringLiteral("-starts-with-dash");
        else if (field == u"upper")
            r.name = QStringLiteral("Files");
        else if (field == u"uri")
            r.uri = QStringLiteral("http://127.0.0.1/mcp#frag");
        else if (field == u"scope")
            r.scopes.append({ QStringLiteral("two words"), {}, Risk::Low });
        else if (field == u"risk")
            r.scopes.append({ QStringLiteral("odd"), {}, static_cast<Risk>(7) });
        else if (field == u"duplicate")
            r.scopes.append({ QStringLiteral("read"), {}, Risk::High });
        else if (field == u"default")
            r.defaultScopes.append(QStringLiteral("delete"));
        else if (field == u"lifetime")
            r.tokenLifetimeSecs = 0;
        else if (field == u"hash")
            r.introspectionSecretHash = QByteArray(16, 'x');
        ResourceStore store(*m_db);
        auto added = store.add(r, kNow);
        QVERIFY(!added);
        QCOMPARE(added.error().code, QString(ErrorCode::InvalidArgument));
        auto all = store.list();
        QVERIFY(all && all->isEmpty());
    }

    void testRiskStrings()
    {
        QCOMPARE(riskFromString(u"low"), std::optional<Risk>(Risk::Low));
        QCOMPARE(riskFromString(u"high"), std::optional<Risk>(Risk::High));
        QVERIFY(!riskFromString(u"medium"));
        // The schema refuses other values even when written behind the store's back.
        RawConnection raw(m_dir.filePath(QStringLiteral("r%1.db").arg(m_n)));
        QVERIFY(raw.exec(QStringLiteral("INSERT INTO resources (uri, name, display_name, created_at, updated_at) "
                                        "VALUES ('http://x', 'x', 'x', 0, 0)")));
        QVERIFY(!raw.exec(QStringLiteral("INSERT INTO resource_scopes (resource_id, name, risk) "
                                         "SELECT id, 's', 'medium' FROM resources")));
    }

    void testUniqueUriAndName()
    {
        ResourceStore store(*m_db);
        QVERIFY(store.add(makeResource(QStringLiteral("files"), 8931), kNow));
        Resource sameUri = makeResource(QStringLiteral("other"), 8931);
        sameUri.uri = QStringLiteral("HTTP://127.0.0.1:8931/mcp"); // same canonical URI
        auto a = store.add(sameUri, kNow);
        QVERIFY(!a);
        QCOMPARE(a.error().code, QString(ErrorCode::ResourceExists));
        auto b = store.add(makeResource(QStringLiteral("files"), 9999), kNow);
        QVERIFY(!b);
        QCOMPARE(b.error().code, QString(ErrorCode::ResourceExists));
        QVERIFY(b.error().message.contains(QStringLiteral("files")));
        QCOMPARE(store.list()->size(), 1);
    }

    void testUpdate()
    {
        ResourceStore store(*m_db);
        auto added = store.add(makeResource(QStringLiteral("files"), 8931), kNow);
        QVERIFY(added);
        auto second = store.add(makeResource(QStringLiteral("mail"), 8932), kNow);
        QVERIFY(second);

        Resource changed = *added;
        changed.displayName = QStringLiteral("Files v2");
        changed.tokenLifetimeSecs = 120;
        changed.scopes = { { QStringLiteral("read"), QStringLiteral("Read"), Risk::Low },
            { QStringLiteral("delete"), QStringLiteral("Delete"), Risk::High } };
        changed.defaultScopes = { QStringLiteral("read"), QStringLiteral("delete") };
        changed.createdAt = 1; // ignored
        auto updated = store.update(changed, kNow + 50);
        QVERIFY(updated);
        QCOMPARE(updated->createdAt, kNow);
        QCOMPARE(updated->updatedAt, kNow + 50);

        auto found = store.find(added->id);
        QVERIFY(found && found->has_value());
        QCOMPARE((*found)->displayName, QStringLiteral("Files v2"));
        QCOMPARE((*found)->tokenLifetimeSecs, 120);
        QCOMPARE((*found)->scopes, changed.scopes);
        QCOMPARE((*found)->defaultScopes, (QStringList { QStringLiteral("delete"), QStringLiteral("read") }));

        Resource clash = *updated;
        clash.name = QStringLiteral("mail");
        auto c = store.update(clash, kNow);
        QVERIFY(!c);
        QCOMPARE(c.error().code, QString(ErrorCode::ResourceExists));

        Resource ghost = *updated;
        ghost.id = 999;
        ghost.name = QStringLiteral("ghost");
        ghost.uri = QStringLiteral("http://127.0.0.1:1/ghost");
        auto g = store.update(ghost, kNow);
        QVERIFY(!g);
        QCOMPARE(g.error().code, QString(ErrorCode::ResourceUnknown));
    }

    void testListOrderedByName()
    {
        ResourceStore store(*m_db);
        QVERIFY(store.add(makeResource(QStringLiteral("zeta"), 1), kNow));
        QVERIFY(store.add(makeResource(QStringLiteral("alpha"), 2), kNow));
        auto all = store.list();
        QVERIFY(all);
        QCOMPARE(all->size(), 2);
        QCOMPARE(all->at(0).name, QStringLiteral("alpha"));
        QCOMPARE(all->at(1).name, QStringLiteral("zeta"));
        QCOMPARE(all->at(0).scopes.size(), 3);
    }

    void testRemoveCascades()
    {
        const Seeded s = seed(m_dir.filePath(QStringLiteral("cascade.db")));
        QVERIFY(s.db);
        GrantStore grants(*s.db);
        QVERIFY(grants.create(
            makeGrant(QStringLiteral("g1"), QStringLiteral("c1"), s.resourceId, { QStringLiteral("read") })));
        ResourceStore store(*s.db);
        auto removed = store.remove(s.resourceId);
        QVERIFY(removed && *removed);
        QVERIFY(!store.find(s.resourceId)->has_value());
        QVERIFY(!grants.find(QStringLiteral("g1"))->has_value());
        RawConnection raw(m_dir.filePath(QStringLiteral("cascade.db")));
        QCOMPARE(raw.scalar(QStringLiteral("SELECT count(*) FROM resource_scopes")).toInt(), 0);
        auto again = store.remove(s.resourceId);
        QVERIFY(again && !*again);
        QVERIFY(s.db->integrityCheck());
    }
};

QTEST_GUILESS_MAIN(TestResourceStore)
#include "tst_resourcestore.moc"
