// SPDX-License-Identifier: GPL-3.0-or-later
#include "store/clientstore.h"
#include "store/storeerror.h"
#include "storetestutil.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace Tessera;
using namespace Tessera::Store;
using namespace Tessera::Store::TestUtil;

class TestClientStore : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;
    int m_n = 0;

private Q_SLOTS:
    void init()
    {
        m_db = openDb(m_dir.filePath(QStringLiteral("c%1.db").arg(++m_n)));
        QVERIFY(m_db);
    }
    void cleanup() { m_db.reset(); }

    void testInsertFindRoundTrip()
    {
        ClientStore store(*m_db);
        Client c = makeClient(QStringLiteral("client-a"));
        c.kind = ClientKind::Cimd;
        c.metadata = QJsonObject { { QStringLiteral("client_name"), QStringLiteral("Agent A") },
            { QStringLiteral("grant_types"), QJsonArray { QStringLiteral("authorization_code") } } };
        c.redirectUris = { QStringLiteral("http://127.0.0.1/cb"), QStringLiteral("http://localhost/cb") };
        c.tokenEndpointAuthMethod = QStringLiteral("client_secret_basic");
        c.secretHash = sha("secret");
        c.expiresAt = kNow + 3600;
        QVERIFY(store.insert(c));
        auto found = store.find(QStringLiteral("client-a"));
        QVERIFY(found && found->has_value());
        QCOMPARE(**found, c);
        auto missing = store.find(QStringLiteral("nobody"));
        QVERIFY(missing && !missing->has_value());
    }

    void testKinds()
    {
        ClientStore store(*m_db);
        for (ClientKind k : { ClientKind::Dcr, ClientKind::Cimd, ClientKind::Preregistered, ClientKind::Local }) {
            Client c = makeClient(clientKindToString(k));
            c.kind = k;
            QVERIFY(store.insert(c));
            QCOMPARE(store.find(c.clientId)->value().kind, k);
            QCOMPARE(clientKindFromString(clientKindToString(k)), std::optional<ClientKind>(k));
        }
        QVERIFY(!clientKindFromString(u"other"));
    }

    void testInsertRejects()
    {
        ClientStore store(*m_db);
        QVERIFY(store.insert(makeClient(QStringLiteral("dup"))));
        const Status dup = store.insert(makeClient(QStringLiteral("dup")));
        QVERIFY(!dup);
        QCOMPARE(dup.error().code, QString(ErrorCode::ClientExists));

        const Status empty = store.insert(makeClient(QString()));
        QVERIFY(!empty);
        QCOMPARE(empty.error().code, QString(ErrorCode::InvalidArgument));

        Client badHash = makeClient(QStringLiteral("h"));
        badHash.secretHash = "short";
        const Status h = store.insert(badHash);
        QVERIFY(!h);
        QCOMPARE(h.error().code, QString(ErrorCode::InvalidArgument));
    }

    void testUpdate()
    {
        ClientStore store(*m_db);
        Client c = makeClient(QStringLiteral("u"));
        QVERIFY(store.insert(c));
        c.clientName = QStringLiteral("Renamed");
        c.redirectUris = { QStringLiteral("http://127.0.0.1/new") };
        c.metadata = QJsonObject { { QStringLiteral("x"), 1 } };
        c.expiresAt = kNow + 10;
        QVERIFY(store.update(c));
        QCOMPARE(store.find(QStringLiteral("u"))->value(), c);
        const Status unknown = store.update(makeClient(QStringLiteral("ghost")));
        QVERIFY(!unknown);
        QCOMPARE(unknown.error().code, QString(ErrorCode::ClientUnknown));
    }

    void testLastSeenAndConsent()
    {
        ClientStore store(*m_db);
        Client c = makeClient(QStringLiteral("s"));
        c.expiresAt = kNow + 60;
        QVERIFY(store.insert(c));
        QVERIFY(store.updateLastSeen(QStringLiteral("s"), kNow + 5));
        QCOMPARE(store.find(QStringLiteral("s"))->value().lastSeenAt, std::optional<qint64>(kNow + 5));
        QVERIFY(store.markConsented(QStringLiteral("s")));
        const Client after = store.find(QStringLiteral("s"))->value();
        QVERIFY(after.consented);
        QVERIFY(!after.expiresAt);
        QCOMPARE(store.updateLastSeen(QStringLiteral("ghost"), kNow).error().code, QString(ErrorCode::ClientUnknown));
        QCOMPARE(store.markConsented(QStringLiteral("ghost")).error().code, QString(ErrorCode::ClientUnknown));
    }

    void testListMostRecentFirst()
    {
        ClientStore store(*m_db);
        QVERIFY(store.insert(makeClient(QStringLiteral("old"), kNow - 100)));
        QVERIFY(store.insert(makeClient(QStringLiteral("new"), kNow)));
        QVERIFY(store.insert(makeClient(QStringLiteral("seen"), kNow - 200)));
        QVERIFY(store.updateLastSeen(QStringLiteral("seen"), kNow + 10));
        auto all = store.list();
        QVERIFY(all);
        QStringList ids;
        for (const Client &c : *all)
            ids.append(c.clientId);
        QCOMPARE(ids, (QStringList { QStringLiteral("seen"), QStringLiteral("new"), QStringLiteral("old") }));
    }

    void testRemoveCascades()
    {
        const QString path = m_dir.filePath(QStringLiteral("remove.db"));
        const Seeded s = seed(path);
        QVERIFY(s.db);
        ClientStore store(*s.db);
        QVERIFY(GrantStore(*s.db).create(makeGrant(QStringLiteral("g"), QStringLiteral("c1"), s.resourceId, {})));
        QVERIFY(store.recordExecutable(QStringLiteral("c1"), QStringLiteral("/usr/bin/agent"), kNow));
        auto removed = store.remove(QStringLiteral("c1"));
        QVERIFY(removed && *removed);
        QVERIFY(!store.find(QStringLiteral("c1"))->has_value());
        QVERIFY(!GrantStore(*s.db).find(QStringLiteral("g"))->has_value());
        QVERIFY(store.executables(QStringLiteral("c1"))->isEmpty());
        auto again = store.remove(QStringLiteral("c1"));
        QVERIFY(again && !*again);
    }

    void testPurgeExpiredUnconsented()
    {
        ClientStore store(*m_db);
        Client expired = makeClient(QStringLiteral("expired"));
        expired.expiresAt = kNow - 1;
        Client expiresNow = makeClient(QStringLiteral("expires-now"));
        expiresNow.expiresAt = kNow;
        Client later = makeClient(QStringLiteral("later"));
        later.expiresAt = kNow + 1;
        Client consented = makeClient(QStringLiteral("consented"));
        consented.expiresAt = kNow - 1;
        consented.consented = true;
        Client forever = makeClient(QStringLiteral("forever"));
        for (const Client &c : { expired, expiresNow, later, consented, forever })
            QVERIFY(store.insert(c));
        auto purged = store.purgeExpiredUnconsented(kNow);
        QVERIFY(purged);
        QCOMPARE(*purged, 2);
        QVERIFY(!store.find(QStringLiteral("expired"))->has_value());
        QVERIFY(!store.find(QStringLiteral("expires-now"))->has_value());
        QVERIFY(store.find(QStringLiteral("later"))->has_value());
        QVERIFY(store.find(QStringLiteral("consented"))->has_value());
        QVERIFY(store.find(QStringLiteral("forever"))->has_value());
        QCOMPARE(*store.purgeExpiredUnconsented(kNow), 0);
    }

    void testCountRegisteredSince()
    {
        ClientStore store(*m_db);
        for (int i = 0; i < 5; ++i)
            QVERIFY(store.insert(makeClient(QStringLiteral("c%1").arg(i), kNow - 100 + i * 30)));
        // created at -100, -70, -40, -10, +20
        QCOMPARE(*store.countRegisteredSince(kNow - 60), 3);
        QCOMPARE(*store.countRegisteredSince(kNow - 40), 3);
        QCOMPARE(*store.countRegisteredSince(kNow - 39), 2);
        QCOMPARE(*store.countRegisteredSince(kNow + 21), 0);
    }

    void testRecordExecutable()
    {
        ClientStore store(*m_db);
        QVERIFY(store.insert(makeClient(QStringLiteral("e"))));
        QVERIFY(store.recordExecutable(QStringLiteral("e"), QStringLiteral("/usr/bin/code"), kNow));
        QVERIFY(store.recordExecutable(QStringLiteral("e"), QStringLiteral("/usr/bin/code"), kNow + 10));
        QVERIFY(store.recordExecutable(QStringLiteral("e"), QStringLiteral("/usr/bin/code"), kNow + 20));
        QVERIFY(store.recordExecutable(QStringLiteral("e"), QStringLiteral("/opt/claude/claude"), kNow + 5));
        auto exes = store.executables(QStringLiteral("e"));
        QVERIFY(exes);
        QCOMPARE(exes->size(), 2);
        QCOMPARE(exes->at(0),
            (ClientExecutable { QStringLiteral("e"), QStringLiteral("/usr/bin/code"), kNow, kNow + 20, 3 }));
        QCOMPARE(exes->at(1),
            (ClientExecutable { QStringLiteral("e"), QStringLiteral("/opt/claude/claude"), kNow + 5, kNow + 5, 1 }));
        QVERIFY(!store.recordExecutable(QStringLiteral("e"), QString(), kNow));
        QVERIFY(!store.recordExecutable(QStringLiteral("ghost"), QStringLiteral("/bin/x"), kNow)); // foreign key
    }
};

QTEST_GUILESS_MAIN(TestClientStore)
#include "tst_clientstore.moc"
