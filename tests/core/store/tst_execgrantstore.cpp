// SPDX-License-Identifier: GPL-3.0-or-later
// ExecGrantStore: remembered `tessera-cli exec` approvals per (caller, command, secret set).
#include "store/execgrantstore.h"
#include "store/storeerror.h"
#include "storetestutil.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Tessera;
using namespace Tessera::Store;
using namespace Tessera::Store::TestUtil;

class TestExecGrantStore : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;
    int m_n = 0;

    static QStringList cmd() { return { QStringLiteral("/usr/bin/npx"), QStringLiteral("-y"), QStringLiteral("srv") }; }

    static ExecGrant make(const QString &id, const QString &client, const QStringList &secrets,
        std::optional<qint64> expiresAt = kNow + 3600)
    {
        ExecGrant g;
        g.id = id;
        g.clientId = client;
        g.callerExe = QStringLiteral("/usr/bin/node");
        g.command = cmd();
        g.secrets = secrets;
        g.createdAt = kNow;
        g.expiresAt = expiresAt;
        g.duration = expiresAt ? QStringLiteral("1h") : QStringLiteral("forever");
        return g;
    }

private Q_SLOTS:
    void init()
    {
        m_db = openDb(m_dir.filePath(QStringLiteral("e%1.db").arg(++m_n)));
        QVERIFY(m_db);
        Client local = makeClient(QStringLiteral("local-a"));
        local.kind = ClientKind::Local;
        QVERIFY(ClientStore(*m_db).insert(local));
        QVERIFY(ClientStore(*m_db).insert(makeClient(QStringLiteral("local-b"))));
    }
    void cleanup() { m_db.reset(); }

    void testCreateFindMatchesExactly()
    {
        ExecGrantStore store(*m_db);
        const QStringList secrets { QStringLiteral("npm=NPM_TOKEN"), QStringLiteral("github=GITHUB_TOKEN") };
        QVERIFY(store.create(make(QStringLiteral("exec-1"), QStringLiteral("local-a"), secrets)));
        auto f = store.find(QStringLiteral("exec-1"));
        QVERIFY(f && f->has_value());
        QCOMPARE((*f)->secrets, ExecGrantStore::canonicalSecrets(secrets));
        QCOMPARE((*f)->secretNames(), (QStringList { QStringLiteral("github"), QStringLiteral("npm") }));
        QCOMPARE((*f)->command, cmd());
        QCOMPARE((*f)->clientName, QStringLiteral("Agent local-a"));

        // The same set in another order matches; a subset, a superset, another variable, another
        // command line or another caller does not.
        const QStringList reordered { QStringLiteral("github=GITHUB_TOKEN"), QStringLiteral("npm=NPM_TOKEN") };
        QVERIFY(store.findActive(QStringLiteral("local-a"), cmd(), reordered, kNow)->has_value());
        QVERIFY(!store.findActive(QStringLiteral("local-a"), cmd(), { QStringLiteral("github=GITHUB_TOKEN") }, kNow)
                     ->has_value());
        QVERIFY(
            !store.findActive(QStringLiteral("local-a"), cmd(), secrets + QStringList { QStringLiteral("x=X") }, kNow)
                 ->has_value());
        QVERIFY(!store
                     .findActive(QStringLiteral("local-a"), cmd(),
                         { QStringLiteral("npm=NPM_TOKEN"), QStringLiteral("github=GH") }, kNow)
                     ->has_value());
        QVERIFY(
            !store
                 .findActive(QStringLiteral("local-a"), cmd() + QStringList { QStringLiteral("--evil") }, secrets, kNow)
                 ->has_value());
        QVERIFY(!store.findActive(QStringLiteral("local-b"), cmd(), secrets, kNow)->has_value());
        // Expiry is computed: expires_at <= now is no longer active.
        QVERIFY(!store.findActive(QStringLiteral("local-a"), cmd(), secrets, kNow + 3600)->has_value());
    }

    void testRejects()
    {
        ExecGrantStore store(*m_db);
        QCOMPARE(store.create(make(QStringLiteral("e"), QStringLiteral("local-a"), { QStringLiteral("noenv") }))
                     .error()
                     .code,
            QString(ErrorCode::InvalidArgument));
        QCOMPARE(store.create(make(QStringLiteral("e"), QStringLiteral("local-a"), { QStringLiteral("a=b c") }))
                     .error()
                     .code,
            QString(ErrorCode::InvalidArgument));
        ExecGrant noCommand = make(QStringLiteral("e"), QStringLiteral("local-a"), {});
        noCommand.command.clear();
        QCOMPARE(store.create(noCommand).error().code, QString(ErrorCode::InvalidArgument));
        // Foreign key: unknown client.
        QCOMPARE(store.create(make(QStringLiteral("e"), QStringLiteral("ghost"), {})).error().code,
            QString(ErrorCode::StoreError));
    }

    void testRevokeForms()
    {
        ExecGrantStore store(*m_db);
        QVERIFY(store.create(make(QStringLiteral("e1"), QStringLiteral("local-a"), { QStringLiteral("github=G") })));
        QVERIFY(store.create(make(QStringLiteral("e2"), QStringLiteral("local-a"), { QStringLiteral("git=G") })));
        QVERIFY(store.create(
            make(QStringLiteral("e3"), QStringLiteral("local-b"), { QStringLiteral("npm=N") }, std::nullopt)));
        QVERIFY(store.create(make(QStringLiteral("e4"), QStringLiteral("local-b"), { QStringLiteral("xgithub=G") })));

        // By secret: whole names only ("git" is not "github", "xgithub" is not "github").
        QCOMPARE(*store.revokeUsingSecret(QStringLiteral("github"), QStringLiteral("secret removed"), kNow + 1), 1);
        QCOMPARE((*store.find(QStringLiteral("e1")))->state, GrantState::Revoked);
        QCOMPARE((*store.find(QStringLiteral("e1")))->revokedReason, QStringLiteral("secret removed"));
        QCOMPARE((*store.find(QStringLiteral("e2")))->state, GrantState::Active);
        QCOMPARE((*store.find(QStringLiteral("e4")))->state, GrantState::Active);

        QCOMPARE(*store.revoke(QStringLiteral("e2"), QStringLiteral("r"), kNow + 2), true);
        QCOMPARE(*store.revoke(QStringLiteral("e2"), QStringLiteral("r"), kNow + 2), false);
        QCOMPARE(store.revoke(QStringLiteral("nope"), QStringLiteral("r"), kNow).error().code,
            QString(ErrorCode::GrantUnknown));
        QCOMPARE(*store.revokeForClient(QStringLiteral("local-b"), QStringLiteral("r"), kNow + 3), 2);
        QCOMPARE(*store.revokeAll(QStringLiteral("r"), kNow + 4), 0);

        ExecGrantQuery q;
        q.nowSecs = kNow + 5;
        q.state = GrantQuery::State::Revoked;
        QCOMPARE(store.list(q)->size(), 4);
        q.state = GrantQuery::State::Active;
        QCOMPARE(store.list(q)->size(), 0);
    }

    void testListFiltersAndUse()
    {
        ExecGrantStore store(*m_db);
        QVERIFY(store.create(make(QStringLiteral("e1"), QStringLiteral("local-a"), { QStringLiteral("github=G") })));
        QVERIFY(store.create(
            make(QStringLiteral("e2"), QStringLiteral("local-b"), { QStringLiteral("npm=N") }, kNow + 10)));
        ExecGrantQuery q;
        q.nowSecs = kNow + 20;
        q.state = GrantQuery::State::Expired;
        auto expired = store.list(q);
        QCOMPARE(expired->size(), 1);
        QCOMPARE(expired->at(0).id, QStringLiteral("e2"));
        q.state = GrantQuery::State::Any;
        q.clientId = QStringLiteral("local-a");
        QCOMPARE(store.list(q)->size(), 1);
        q.clientId.clear();
        q.secretName = QStringLiteral("npm");
        QCOMPARE(store.list(q)->constFirst().id, QStringLiteral("e2"));

        QVERIFY(store.recordUse(QStringLiteral("e1"), kNow + 7));
        QVERIFY(store.recordUse(QStringLiteral("e1"), kNow + 8));
        QCOMPARE((*store.find(QStringLiteral("e1")))->useCount, 2);
        QCOMPARE((*store.find(QStringLiteral("e1")))->lastUsedAt, std::optional<qint64>(kNow + 8));
        QCOMPARE(store.recordUse(QStringLiteral("nope"), kNow).error().code, QString(ErrorCode::GrantUnknown));

        // Removing the client removes its exec grants (ON DELETE CASCADE).
        QVERIFY(*ClientStore(*m_db).remove(QStringLiteral("local-a")));
        QVERIFY(!store.find(QStringLiteral("e1"))->has_value());
    }
};

QTEST_GUILESS_MAIN(TestExecGrantStore)
#include "tst_execgrantstore.moc"
